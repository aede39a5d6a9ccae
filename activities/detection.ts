/**
 * The side effects of detection and correlation: classify an event, open or find incidents,
 * attach links, talk to the cluster and system workflows, message affected customers. Built by
 * a factory handed its dependencies; workflows see only `import type` of it.
 *
 * Every step is idempotent, so Temporal's retries never double anything: incidents are opened
 * with idempotency keys derived from the event (`domain/correlation-keys.ts`), attachments are
 * keyed by (kind, ref) in the incident workflow, signals are deduplicated by event reference in
 * the receiving workflow, and notices carry keys the senders keep.
 */
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { incidentIdFor, openIncident } from '../api/app';
import type { WorkingCalendar } from '../domain/calendar';
import {
  causeClusterWorkflowId,
  claimWatchWorkflowId,
  customerKey,
  digest,
  duplicateKeys,
  eventRef as eventReference,
  groupIncidentKey,
  heartbeatWorkflowId,
  signalWorkflowId,
  systemIncidentKey,
  systemWorkflowId,
} from '../domain/correlation-keys';
import { detect, payoutSchedule, type Cause, type Detection, type PayoutWarning, type SignalEvent } from '../domain/detection';
import { HOUR, MINUTE, systemSettingsOf, type DetectionConfig } from '../domain/detection-config';
import type { Policy } from '../domain/policy';
import type { IncidentReport, Severity, TriageResult } from '../domain/types';
import { INVALID_TRANSITION, TASK_QUEUE, attachLinksUpdate, noteUpdate, resolveUpdate, stateQuery, type Actor, type AttachReply, type IncidentState } from '../workflows/contracts';
import {
  claimRescheduledSignal,
  claimSettledSignal,
  complaintIncidentSignal,
  complaintSignal,
  systemAlertSignal,
  systemRecoveredSignal,
  type ClaimWatchSchedule,
  type ClusterComplaint,
  type ClusterSettings,
  type HeartbeatSettings,
  type IncidentOutcome,
  type LinkInput,
  type SystemAlert,
  type SystemSettings,
} from '../workflows/detection-contracts';
import type { causeClusterWorkflow } from '../workflows/cause-cluster';
import type { claimWatchWorkflow } from '../workflows/claim-watch';
import type { systemIncidentWorkflow } from '../workflows/system-incident';
import type { CustomerNoticeSender } from './customer-notices';
import type { Notifier } from './outbox';

export interface DetectionActivityDependencies {
  /** A client of the cluster the worker polls (the worker's own connection will do). */
  client: Client;
  taskQueue?: string;
  policy: Policy;
  calendar: WorkingCalendar;
  detection: DetectionConfig;
  /** Payout warnings go to the claims line through the paging channels (R-T-BREACH). */
  notifier: Notifier;
  /** Affected customers of a system incident are told of the offline alternative (R-SYS-3). */
  customerNotices: CustomerNoticeSender;
  /**
   * How long one activity attempt may spend on its calls to Temporal, all of them together
   * (default 50 s, under the activities' 1-minute start-to-close timeout). Tests shorten it.
   */
  callBoundMs?: number;
}

/** Detection acts as this actor on incidents (R-SEC-2: every action is attributable). */
export const DETECTION_ACTOR: Actor = { name: 'detection', role: 'system' };

/** Where an event goes, as the intake workflow needs it: names already derived and hashed. */
export type SignalRoute =
  | { kind: 'none' }
  | { kind: 'system'; component: string; claims: string[]; customers: string[]; settings: SystemSettings }
  | {
      kind: 'cluster';
      causeKey: string;
      causeLabel: string;
      customerKey?: string;
      duplicateKeys: string[];
      settings: ClusterSettings;
    }
  | { kind: 'duplicate'; duplicateKeys: string[] };

/** What a claim-status record does to the claim's payout watch (R-CAT-TIME). */
export type ClaimWatchChange = { kind: 'schedule'; schedule: ClaimWatchSchedule } | { kind: 'stop'; claimId: string; stage: 'paid' | 'closed' | 'overdue' };

export interface SignalRouting {
  eventRef: string;
  detection: Detection;
  route: SignalRoute;
  watch?: ClaimWatchChange;
}

export interface IndividualOutcome {
  decision: 'opened' | 'attached';
  incidentId: string;
  triage: TriageResult;
  reason: string;
}


/** Under the detection activities' 1-minute start-to-close timeout (workflows/signal-intake.ts, cause-cluster.ts). */
export const CALL_BOUND_MS = 50_000;

export function createDetectionActivities(deps: DetectionActivityDependencies) {
  const { client, policy, calendar, detection: config, notifier, customerNotices } = deps;
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const clusterSettings: ClusterSettings = {
    windowMs: config.groupComplaint.windowHours * HOUR,
    threshold: policy.triage.groupComplaintCustomers,
    statusCheckMs: config.systemIncidents.statusCheckMinutes * MINUTE,
  };

  /**
   * Issue 7, found by the correlated burst at 10,000: an incident opened here is triaged here, as
   * the API triages a report (the same pure functions, policy and calendar). Opened the other way,
   * its triage was an activity, and this activity waited for it: with every activity slot of the
   * worker held by openings waiting for triages, no triage could start, and the worker stopped
   * for good (965 activities queued, no activity poller).
   */
  const edgeTriage = { policy, calendar };
  const callBoundMs = deps.callBoundMs ?? CALL_BOUND_MS;
  const open = (report: IncidentReport, key: string) => openIncident(client, taskQueue, report, key, edgeTriage);

  /** Attaches links to an incident; `closed` when it is resolved (its workflow rejects or has ended). */
  async function attach(incidentId: string, links: LinkInput[], raiseSeverityTo?: Severity): Promise<{ outcome: IncidentOutcome; state?: AttachReply }> {
    if (links.length === 0) return { outcome: 'done' };
    const handle = client.workflow.getHandle(incidentId);
    try {
      // The standing only, not the whole state (issue 7: a group complaint's thousands of links).
      const state = await handle.executeUpdate(attachLinksUpdate, {
        args: [{ actor: DETECTION_ACTOR, links, ...(raiseSeverityTo ? { raiseSeverityTo } : {}) }],
      });
      return { outcome: 'done', state };
    } catch (err) {
      return { outcome: await classifyFailure(incidentId, err) };
    }
  }

  /** Maps a failed update to what it means; rethrows what a retry may fix. */
  async function classifyFailure(incidentId: string, err: unknown): Promise<IncidentOutcome> {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === INVALID_TRANSITION) {
      // Still being triaged is transient: let Temporal retry the activity.
      if (/still being triaged/.test(err.cause.message)) throw new Error(`incident ${incidentId} is still being triaged`);
      return 'closed';
    }
    if (err instanceof WorkflowNotFoundError) return 'missing';
    const status = await statusOf(incidentId);
    if (status === 'missing' || status === 'resolved') return status === 'missing' ? 'missing' : 'closed';
    throw err;
  }

  async function statusOf(incidentId: string): Promise<IncidentState['status'] | 'missing'> {
    const handle = client.workflow.getHandle(incidentId);
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') return 'resolved';
      return (await handle.query(stateQuery)).status;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'missing';
      throw err;
    }
  }

  async function note(incidentId: string, text: string): Promise<IncidentOutcome> {
    try {
      await client.workflow.getHandle(incidentId).executeUpdate(noteUpdate, { args: [{ actor: DETECTION_ACTOR, text }] });
      return 'done';
    } catch (err) {
      return classifyFailure(incidentId, err);
    }
  }

  /** Classifies one event (R-DET-*, R-CAT-*) and derives every name its routing needs. */
  function route(input: { event: SignalEvent; receivedAt: string }): SignalRouting {
    const { event } = input;
    const receivedAt = new Date(input.receivedAt);
    const ref = eventReference(event.source, event.sourceEventId);
    const detection = detect(event, { config, policy, calendar, receivedAt });
    if (detection.kind === 'none') return { eventRef: ref, detection, route: { kind: 'none' } };
    const at = new Date(event.occurredAt ?? input.receivedAt);
    const windowMs = config.duplicateWindowHours * HOUR;
    const { correlation } = detection;
    const category = detection.triage.category;
    // R-REV-4: drill events correlate among themselves only — never into a real cause's
    // group-complaint count, a real incident's duplicates or a real system incident, nor real
    // ones into theirs.
    const scoped = (key: string) => (event.drill ? `drill|${key}` : key);
    switch (correlation.kind) {
      case 'system':
        return {
          eventRef: ref,
          detection,
          // A drill outage is its own component's episode: it never attaches to a real system incident.
          route: {
            kind: 'system',
            component: event.drill ? `drill-${correlation.component}` : correlation.component,
            claims: correlation.claims,
            customers: correlation.customers,
            settings: systemSettingsOf(config),
          },
        };
      case 'cluster':
        return {
          eventRef: ref,
          detection,
          route: {
            kind: 'cluster',
            causeKey: scoped(correlation.cause.key),
            causeLabel: correlation.cause.label,
            ...(event.customerRef !== undefined ? { customerKey: customerKey(event.customerRef) } : {}),
            duplicateKeys: duplicateKeys(category, correlation.subject, explicitCause(correlation.cause), at, windowMs, ref).map(scoped),
            settings: clusterSettings,
          },
        };
      case 'duplicate':
        return {
          eventRef: ref,
          detection,
          route: { kind: 'duplicate', duplicateKeys: duplicateKeys(category, correlation.subject, explicitCause(correlation.cause), at, windowMs, ref).map(scoped) },
        };
    }
  }

  /** A decided, unpaid claim gets a payout watch; a paid, closed or already overdue one ends it. */
  function claimWatchChange(event: SignalEvent, detection: Detection): ClaimWatchChange | undefined {
    const status = event.claimStatus;
    if (event.source !== 'claim-status' || status === undefined || event.claimId === undefined) return undefined;
    if (status.stage === 'paid' || status.stage === 'closed') return { kind: 'stop', claimId: event.claimId, stage: status.stage };
    const schedule = payoutSchedule(status, { config, policy, calendar });
    if (schedule === undefined) return undefined;
    if (detection.kind === 'incident' && detection.report.facts.daysSinceDecision !== undefined) {
      return { kind: 'stop', claimId: event.claimId, stage: 'overdue' };
    }
    const measuredAt = (at: string): SignalEvent => ({
      source: 'claim-status',
      sourceEventId: `watch:${digest(`claim\u0000${event.claimId}`)}:${schedule.decidedAt}:${at}`,
      occurredAt: at,
      claimId: event.claimId!,
      ...(event.customerRef !== undefined ? { customerRef: event.customerRef } : {}),
      claimStatus: { stage: 'decided', decidedAt: schedule.decidedAt },
      reporter: 'detection:claim-watch',
      drill: event.drill ?? false,
    });
    const warnEvent = measuredAt(schedule.warnAt);
    const dueEvent = measuredAt(schedule.dueAt);
    return {
      kind: 'schedule',
      schedule: {
        claimId: event.claimId,
        ...schedule,
        drill: event.drill ?? false,
        warnEvent,
        warnWorkflowId: signalWorkflowId(warnEvent.source, warnEvent.sourceEventId),
        dueEvent,
        dueWorkflowId: signalWorkflowId(dueEvent.source, dueEvent.sourceEventId),
      },
    };
  }

  return {
    /** Classifies one event (R-DET-*, R-CAT-*), derives every name its routing needs, and the claim watch change. Calls nothing. */
    async routeSignal(input: { event: SignalEvent; receivedAt: string }): Promise<SignalRouting> {
      const routing = route(input);
      const watch = claimWatchChange(input.event, routing.detection);
      return watch === undefined ? routing : { ...routing, watch };
    },
    ...eachAttemptBounded(client, callBoundMs, {
      /** Starts, moves or ends a claim's payout watch (R-CAT-TIME): signal-with-start, idempotent by schedule. */
      async updateClaimWatch(change: ClaimWatchChange): Promise<void> {
        if (change.kind === 'schedule') {
          await client.workflow.signalWithStart<typeof claimWatchWorkflow, [ClaimWatchSchedule]>('claimWatchWorkflow', {
            workflowId: claimWatchWorkflowId(change.schedule.claimId),
            taskQueue,
            args: [{ schedule: change.schedule }],
            signal: claimRescheduledSignal,
            signalArgs: [change.schedule],
          });
          return;
        }
        try {
          await client.workflow.getHandle(claimWatchWorkflowId(change.claimId)).signal(claimSettledSignal, { stage: change.stage, at: new Date().toISOString() });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      },

      /**
       * Opens the incident of an event's duplicate keys or attaches the event to it. An open
       * incident under the previous window bucket's key is found first. Whoever's event is the
       * incident's first event link opened it; every later event (and every concurrent duplicate)
       * is `attached`. A resolved incident is not reopened: a follow-up key opens a fresh one.
       */
      async openOrAttachIncident(input: {
        report: IncidentReport;
        duplicateKeys: string[];
        eventRef: string;
        links: LinkInput[];
        raiseSeverityTo: Severity;
      }): Promise<IndividualOutcome> {
        const eventLink: LinkInput = { kind: 'event', ref: input.eventRef, reason: 'detected event (R-DET-1)' };
        const links = [eventLink, ...input.links];
        for (const key of input.duplicateKeys.slice(1)) {
          const incidentId = incidentIdFor(key);
          const status = await statusOf(incidentId);
          if (status === 'missing' || status === 'resolved') continue;
          const attached = await attach(incidentId, links.map((l) => ({ ...l, reason: `${l.reason}; duplicate of an open incident` })), input.raiseSeverityTo);
          if (attached.outcome !== 'done' || attached.state === undefined) continue;
          return { decision: 'attached', incidentId, triage: triageOf(attached.state), reason: 'same claim or customer, category and cause within the duplicate window' };
        }
        const [first] = input.duplicateKeys;
        if (first === undefined) throw ApplicationFailure.nonRetryable('no duplicate key', 'InvalidInput');
        for (let attempt = 0; attempt < 20; attempt += 1) {
          const key = attempt === 0 ? first : `${first}|after-${attempt}`;
          const opened = await open(input.report, key);
          if (opened.status === 'resolved') continue;
          const attached = await attach(opened.id, links, input.raiseSeverityTo);
          if (attached.outcome !== 'done' || attached.state === undefined) continue;
          const isOpener = attached.state.firstEventRef === input.eventRef;
          return {
            decision: isOpener ? 'opened' : 'attached',
            incidentId: opened.id,
            triage: isOpener ? opened.triage : triageOf(attached.state),
            reason: isOpener ? 'new incident' : 'same claim or customer, category and cause within the duplicate window',
          };
        }
        throw new Error('could not find or open an incident for the duplicate key (20 resolved in a row)');
      },

      /** Sends a complaint to its cause's cluster workflow, starting it if needed (signal-with-start). */
      async sendToCauseCluster(input: { causeKey: string; causeLabel: string; complaint: ClusterComplaint }): Promise<void> {
        await client.workflow.signalWithStart<typeof causeClusterWorkflow, [ClusterComplaint]>('causeClusterWorkflow', {
          workflowId: causeClusterWorkflowId(input.causeKey),
          taskQueue,
          args: [{ causeKey: input.causeKey, causeLabel: input.causeLabel, settings: input.complaint.settings }],
          signal: complaintSignal,
          signalArgs: [input.complaint],
        });
      },

      /** Tells a cause's cluster which incident a complaint routed `individual` got, so the group links it. */
      async reportComplaintIncident(input: { causeKey: string; eventRef: string; incidentId: string }): Promise<void> {
        await client.workflow.getHandle(causeClusterWorkflowId(input.causeKey)).signal(complaintIncidentSignal, {
          eventRef: input.eventRef,
          incidentId: input.incidentId,
        });
      },

      /** Sends an alert to its component's system workflow, starting it if needed (R-SYS-4). */
      async sendToSystem(input: { component: string } & SystemAlert): Promise<void> {
        const { component, ...alert } = input;
        await client.workflow.signalWithStart<typeof systemIncidentWorkflow, [SystemAlert]>('systemIncidentWorkflow', {
          workflowId: systemWorkflowId(component),
          taskQueue,
          args: [{ component }],
          signal: systemAlertSignal,
          signalArgs: [alert],
        });
      },

      /** A monitored system fell silent (R-DET-1): its component's system workflow gets an alert (R-CAT-SYS). */
      async reportHeartbeatSilence(input: { system: string; silentSince: string; settings: HeartbeatSettings; drill?: boolean }): Promise<void> {
        const { system, silentSince, settings } = input;
        const report: IncidentReport = {
          title: `系统心跳中断 / ${system}: no heartbeat since ${silentSince}`,
          description:
            `Monitored system ${system} (component ${settings.component}) has sent no heartbeat since ${silentSince}; ` +
            `expected every ${Math.round(settings.intervalMs / 1000)} s, tolerated ${Math.round((settings.intervalMs + settings.graceMs) / 1000)} s (R-DET-1, R-CAT-SYS).`,
          source: 'system-alert',
          facts: { system: settings.component },
          reporter: `heartbeat:${system}`,
          drill: input.drill ?? false,
        };
        const alert: SystemAlert = {
          eventRef: `heartbeat:${system}:${silentSince}`,
          replyTo: heartbeatWorkflowId(system),
          report,
          severity: 'general',
          claims: [],
          customers: [],
          settings: settings.system,
        };
        await client.workflow.signalWithStart<typeof systemIncidentWorkflow, [SystemAlert]>('systemIncidentWorkflow', {
          workflowId: systemWorkflowId(settings.component),
          taskQueue,
          args: [{ component: settings.component }],
          signal: systemAlertSignal,
          signalArgs: [alert],
        });
      },

      /** Tells a component's system workflow that the component is back. */
      async reportSystemRecovered(input: { component: string; by: string; reason: string }): Promise<void> {
        try {
          await client.workflow.getHandle(systemWorkflowId(input.component)).signal(systemRecoveredSignal, { by: input.by, reason: input.reason });
        } catch (err) {
          // No system workflow: nothing is open to resolve.
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      },

      /**
       * Opens the one group-complaint incident of a cause's episode (R-CAT-COMP, R-SEV-MAJOR) and
       * links what is known so far. The key is the cause plus the instant the threshold was
       * crossed, fixed by the workflow, so a retry finds the same incident: exactly one.
       */
      async openGroupIncident(input: {
        causeKey: string;
        causeLabel: string;
        episodeStart: string;
        distinctCustomers: number;
        windowHours: number;
        threshold: number;
        drill: boolean;
      }): Promise<{ incidentId: string; triage: TriageResult }> {
        const report: IncidentReport = {
          title: `群体投诉 / group complaint: ${input.distinctCustomers} customers about ${input.causeLabel}`,
          description:
            `${input.distinctCustomers} distinct customers complained about the same cause (${input.causeLabel}) within ` +
            `${input.windowHours} hours: more than ${input.threshold} (R-CAT-COMP). The individual complaints are linked.`,
          source: 'internal-report',
          // R-REV-2: the group's cause, for the monthly review's high-frequency analysis.
          facts: { complainingCustomers: input.distinctCustomers, cause: { key: input.causeKey, label: input.causeLabel } },
          reporter: 'detection:cause-cluster',
          drill: input.drill,
        };
        const opened = await open(report, groupIncidentKey(input.causeKey, input.episodeStart));
        return { incidentId: opened.id, triage: opened.triage };
      },

      /** Opens the one system incident of a component's outage (R-CAT-SYS, R-SYS-4). */
      async openSystemIncident(input: { component: string; episodeStart: string; report: IncidentReport }): Promise<{ incidentId: string; triage: TriageResult }> {
        const opened = await open(input.report, systemIncidentKey(input.component, input.episodeStart));
        return { incidentId: opened.id, triage: opened.triage };
      },

      /** Attaches links (R-SYS-4, R-CAT-COMP); `closed` when the incident is already resolved. */
      async attachToIncident(input: { incidentId: string; links: LinkInput[]; raiseSeverityTo?: Severity }): Promise<IncidentOutcome> {
        return (await attach(input.incidentId, input.links, input.raiseSeverityTo)).outcome;
      },

      /** Links complaint incidents to their group and back, so each side's timeline shows the other (R-SYNC). */
      async linkToGroup(input: { groupIncidentId: string; incidentIds: string[] }): Promise<IncidentOutcome> {
        const outcome = await attach(
          input.groupIncidentId,
          input.incidentIds.map((ref) => ({ kind: 'incident' as const, ref, reason: 'individual complaint about the same cause (R-CAT-COMP)' })),
        );
        for (const incidentId of input.incidentIds) {
          await attach(incidentId, [{ kind: 'incident', ref: input.groupIncidentId, reason: 'part of a group complaint (R-CAT-COMP)' }]);
        }
        return outcome.outcome;
      },

      /** Adds a timeline note (R-SYS-2 checklist steps, R-DET-5 reporters, R-SYS-3 notices). */
      async noteIncident(input: { incidentId: string; text: string }): Promise<IncidentOutcome> {
        return note(input.incidentId, input.text);
      },

      /** Resolves an incident as the detection actor (a system incident whose heartbeats resumed). */
      async resolveIncident(input: { incidentId: string; summary: string }): Promise<IncidentOutcome> {
        try {
          await client.workflow.getHandle(input.incidentId).executeUpdate(resolveUpdate, { args: [{ actor: DETECTION_ACTOR, summary: input.summary }] });
          return 'done';
        } catch (err) {
          return classifyFailure(input.incidentId, err);
        }
      },

      async incidentStatus(input: { incidentId: string }): Promise<IncidentState['status'] | 'missing'> {
        return statusOf(input.incidentId);
      },

      /** R-SYS-3: tells each affected customer once per incident and kind. */
      async notifyCustomers(input: {
        incidentId: string;
        kind: 'offline-alternative' | 'service-restored';
        customers: string[];
        text: string;
        drill: boolean;
      }): Promise<{ sent: number; duplicates: number }> {
        let sent = 0;
        let duplicates = 0;
        for (const customerRef of input.customers) {
          const result = await customerNotices.send({
            key: `${input.incidentId}:${input.kind}:${customerKey(customerRef)}`,
            incidentId: input.incidentId,
            kind: input.kind,
            customerRef,
            text: input.text,
            drill: input.drill,
          });
          if (result.duplicate) duplicates += 1;
          else sent += 1;
        }
        return { sent, duplicates };
      },

      /** On a system incident's resolution, notes every incident linked to it (R-SYNC). */
      async noteLinkedIncidents(input: { incidentId: string; text: string }): Promise<number> {
        let state: IncidentState;
        try {
          state = await client.workflow.getHandle(input.incidentId).query(stateQuery);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return 0;
          throw err;
        }
        let noted = 0;
        for (const link of state.links.filter((l) => l.kind === 'incident')) {
          if ((await note(link.ref, input.text)) === 'done') noted += 1;
        }
        return noted;
      },

      /** R-T-BREACH for payouts: warns the claims line that a payout is close to its limit. */
      async warnPayout(input: { warning: PayoutWarning; drill: boolean }): Promise<{ duplicate: boolean }> {
        const { warning } = input;
        const claim = digest(`claim\u0000${warning.claimId}`);
        const result = await notifier.deliver({
          key: `payout-warning:${claim}:${warning.dueAt}`,
          incidentId: `payout-watch:${claim}`,
          kind: 'warning',
          lines: ['claims'],
          drill: input.drill,
          subject: `${input.drill ? '[DRILL] ' : ''}Payout close to due (${warning.elapsedWorkingDays}/${warning.limitWorkingDays} working days): claim ${warning.claimId}`,
          body: `The payout of claim ${warning.claimId} becomes late at ${warning.dueAt} (R-CAT-TIME, R-T-CAL).`,
        });
        return { duplicate: result.duplicate };
      },
    }),
  };
}

/**
 * Every call to Temporal that one attempt of these activities makes (starts, updates, queries,
 * describes, signals) ends by one deadline, `boundMs` after the attempt began: before the
 * activities' own 1-minute timeout, so an attempt the server has given up on does not keep its
 * worker slot while a retry runs (a worker that does not answer an update or a query, or a server
 * that does not answer at all, no longer holds it). The deadline is the connection's, for every
 * call made inside the attempt.
 */
function eachAttemptBounded<T extends Record<string, (...args: never[]) => Promise<unknown>>>(client: Client, boundMs: number, activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      (...args: Parameters<typeof activity>) => client.connection.withDeadline(Date.now() + boundMs, () => activity(...args)),
    ]),
  ) as T;
}

/**
 * Duplicates are keyed by the cause only when the event states it in fields: a cause read from
 * text depends on wording, and two messages about one late payout must not split on it.
 */
function explicitCause(cause: Cause | undefined): Cause | undefined {
  return cause?.from === 'fields' ? cause : undefined;
}

function triageOf(state: AttachReply): TriageResult {
  return { category: state.category!, severity: state.severity!, lines: state.lines, reasons: state.reasons };
}

export type DetectionActivities = ReturnType<typeof createDetectionActivities>;
