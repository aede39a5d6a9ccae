/**
 * Which incidents a caller may see (R-SEC-2), in one place so every reader applies the same
 * rule: the live list and one incident here, the history page, and the archive of closed
 * incidents. The rule itself is `visibleTo` in `domain/roles.ts`; this file maps it onto
 * Temporal: the `IncidentReportedBy` search attribute holds the id of the key that reported.
 */
import type { WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { readsOnlyOwn, visibleTo, type Principal } from '../domain/roles';
import { reportedByKey } from '../workflows/contracts';
import { HttpError } from './errors';

/** The key id that reported the described incident, if a key did. */
export function reportedByKeyOf(description: Pick<WorkflowExecutionDescription, 'typedSearchAttributes'>): string | undefined {
  return description.typedSearchAttributes.get(reportedByKey);
}

/**
 * The visibility-query clause that restricts a list to what `principal` may see: none for a role
 * that reads every incident, `IncidentReportedBy = '<key id>'` for one that reads its own. Key
 * ids are `key_` and hex digits (checked), so nothing can be injected.
 */
export function incidentReportedByClause(principal: Principal): string | undefined {
  if (!readsOnlyOwn(principal)) return undefined;
  if (!/^key_[0-9a-f]{16}$/.test(principal.keyId)) throw new HttpError(500, 'internal error');
  return `IncidentReportedBy = '${principal.keyId}'`;
}

/**
 * Refuses (404, as if it did not exist: an incident's existence is not disclosed either) an
 * incident the principal may not see. Costs a `describe` only for roles that read their own.
 */
export async function assertVisible(
  principal: Principal,
  handle: Pick<WorkflowHandle, 'describe'>,
  bounded: <T>(fn: () => Promise<T>) => Promise<T>,
  known?: Pick<WorkflowExecutionDescription, 'typedSearchAttributes'>,
): Promise<void> {
  if (!readsOnlyOwn(principal)) return;
  const description = known ?? (await bounded(() => handle.describe()));
  if (!visibleTo(principal, { reportedByKey: reportedByKeyOf(description) })) throw new HttpError(404, 'no such incident');
}
