/**
 * Names derived from events: workflow ids, idempotency keys and link references. A name says
 * which thing it is, never who it is about: claim and customer references and cause values are
 * hashed before they appear in a workflow id, an idempotency key or a URL (R-SEC-1).
 *
 * Deterministic, so a retried event derives the same names and finds the same workflows and
 * incidents (exactly-once by construction, not by an in-memory set). Uses `node:crypto`, so it
 * belongs to activities and the API, never to workflow code.
 */
import { createHash } from 'node:crypto';
import type { Category } from './types';
import type { Cause, Subject } from './detection';

/** A short, stable digest: 96 bits, plenty against collisions among one deployment's names. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

/** The reference an event is linked under on an incident (`ticket:TCK-1`): a source id, no personal data. */
export function eventRef(source: string, sourceEventId: string): string {
  return `${source}:${sourceEventId}`;
}

/** The intake workflow of one event: one per (source, source event id), so a retry finds the first. */
export function signalWorkflowId(source: string, sourceEventId: string): string {
  return `signal-${digest(`${source}\u0000${sourceEventId}`)}`;
}

/** The cause-cluster workflow of one cause (R-CAT-COMP). */
export function causeClusterWorkflowId(causeKey: string): string {
  return `cause-${digest(causeKey)}`;
}

/** The system-incident workflow of one component (R-SYS-4); component names are validated harmless words. */
export function systemWorkflowId(component: string): string {
  return `system-${component}`;
}

/** The payout watch of one claim (R-CAT-TIME); the claim reference is hashed. */
export function claimWatchWorkflowId(claimId: string): string {
  return `claim-watch-${digest(`claim\u0000${claimId}`)}`;
}

/** The heartbeat monitor of one system (R-DET-1). */
export function heartbeatWorkflowId(system: string): string {
  return `heartbeat-${system}`;
}

/** A customer as the group-complaint count knows them: distinct, but not identifiable. */
export function customerKey(customerRef: string): string {
  return digest(`customer\u0000${customerRef}`);
}

/**
 * Idempotency keys of the incident one subject, category and cause share within a window
 * bucket: the current bucket first, then the previous one, so an event just after a bucket
 * boundary still finds the incident opened just before it.
 */
export function duplicateKeys(
  category: Category,
  subject: Subject | undefined,
  cause: Cause | undefined,
  at: Date,
  windowMs: number,
  eventReference: string,
): string[] {
  // Without a subject nothing says two events are about the same thing: the event is its own key.
  if (subject === undefined) return [`event|${digest(eventReference)}`];
  const bucket = Math.floor(at.getTime() / windowMs);
  const base = `dup|${category}|${subject.kind}:${digest(subject.ref)}|${cause === undefined ? '-' : digest(cause.key)}`;
  return [`${base}|${bucket}`, `${base}|${bucket - 1}`];
}

/** The one group incident of a cause's episode that began at `episodeStart` (R-CAT-COMP). */
export function groupIncidentKey(causeKey: string, episodeStart: string): string {
  return `group|${digest(causeKey)}|${episodeStart}`;
}

/** The one system incident of a component's outage that began at `episodeStart` (R-SYS-4). */
export function systemIncidentKey(component: string, episodeStart: string): string {
  return `system|${component}|${episodeStart}`;
}
