import type { WorkingCalendar } from '../domain/calendar';
import { planResponse, type ResponsePlan } from '../domain/deadlines';
import type { Policy } from '../domain/policy';
import { triage } from '../domain/triage';
import type { Category, IncidentReport, TriageResult } from '../domain/types';
import { log } from '@temporalio/activity';
import type { FirstPages, IncidentState, NotificationRequest } from '../workflows/contracts';
import { maskContact, maskPersonalData } from '../domain/message';
import type { Notifier } from './outbox';
import { createFirstPageActivity, createPagingActivities, type PagingDependencies } from './paging';
import { createArchiveActivities, type ArchiveDependencies } from './archive';

export interface ActivityDependencies {
  policy: Policy;
  calendar: WorkingCalendar;
  notifier: Notifier;
  paging: PagingDependencies;
  /** The incident archive (R-REV-5). */
  archive: ArchiveDependencies;
}

/**
 * Every side effect the incident workflow needs. Built once in `worker.ts` from real
 * dependencies (or in tests from fakes); workflows see only `import type` of it.
 */
export function createActivities({ policy, calendar, notifier, paging, archive }: ActivityDependencies) {
  const pagingActivities = createPagingActivities(paging);
  const stepActivities = createFirstPageActivity(pagingActivities);
  const archiveActivities = createArchiveActivities(archive);
  return {
    ...pagingActivities,
    ...stepActivities,
    ...archiveActivities,
    /**
     * A paging step's start (`openPagingStep` in activities/paging.ts), and with it, when the
     * incident hands one over, the archive write it has due (issue 7, patch
     * `archive-with-step`): one activity and one workflow task where the write took its own.
     * The pages go first, so the write costs them no time. A write that fails is answered
     * `archived: false`, never a failed step (the step's pages are out): the incident writes
     * that snapshot again with its own activity and retries.
     */
    async openPagingStep(
      input: Parameters<typeof stepActivities.openPagingStep>[0] & { archive?: IncidentState },
    ): Promise<FirstPages & { archived?: boolean }> {
      const { archive: snapshot, ...step } = input;
      const opened = await stepActivities.openPagingStep(step);
      if (!snapshot) return opened;
      try {
        await archiveActivities.archiveIncident(snapshot);
        return { ...opened, archived: true };
      } catch (err) {
        log.warn('archive write with the paging step failed; the incident writes it again', {
          incident: snapshot.id,
          error: err instanceof Error ? err.message : String(err),
        });
        return { ...opened, archived: false };
      }
    },
    /**
     * Triage (R-CAT-*, R-SEV-*, R-LINE-*) and the response plan (R-T-*). Runs as an activity so
     * that changing the rules or the policy never changes the replay of a running incident.
     */
    async triageIncident(input: { report: IncidentReport; reportedAt: string }): Promise<{
      triage: TriageResult;
      plan: ResponsePlan;
    }> {
      const result = triage(input.report, policy.triage);
      return { triage: result, plan: planResponse(new Date(input.reportedAt), result.category, policy, calendar) };
    },

    /** The plan for a reclassified incident, from its original report time. */
    async planIncidentResponse(input: { reportedAt: string; category: Category }): Promise<ResponsePlan> {
      return planResponse(new Date(input.reportedAt), input.category, policy, calendar);
    },

    /**
     * R-T-DAILY: sends the customer their progress update, from the policy's template for the
     * category, by SMS or e-mail; idempotent by key through the sent ledger. Answers the masked
     * address for the timeline.
     */
    async sendCustomerUpdate(input: {
      key: string;
      incidentId: string;
      category: Category;
      lang: 'zh' | 'en';
      text: string;
      channel: 'sms' | 'email';
      address: string;
    }): Promise<{ to: string; duplicate: boolean }> {
      const to = maskContact(input.address);
      if (!(await paging.ledger.begin(input.key))) return { to, duplicate: true };
      const body = maskPersonalData(
        policy.customerTemplates[input.lang][input.category].replace('{incident}', input.incidentId).replace('{update}', input.text),
      );
      let providerId: string;
      try {
        ({ providerId } =
          input.channel === 'sms'
            ? await paging.channels.sms.send({ to: input.address, body, idempotencyKey: input.key })
            : await paging.channels.email.send({ to: input.address, subject: body.slice(0, 60), text: body, idempotencyKey: input.key }));
      } catch (err) {
        await paging.ledger.release(input.key);
        throw err;
      }
      await paging.ledger.complete(input.key, providerId);
      return { to, duplicate: false };
    },

    /** Delivers one notification, idempotently by its key. */
    async notify(request: NotificationRequest): Promise<{ duplicate: boolean; channel: string; recipients?: string[] }> {
      return notifier.deliver(request);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
