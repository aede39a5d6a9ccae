/**
 * One workflow per monitored event, keyed by (source, source event id): it classifies the event
 * and routes it — to nothing, to its component's system incident (R-SYS-4), through its cause's
 * cluster (R-CAT-COMP), or to the incident of the same claim or customer — and keeps the
 * decision. A retried event finds this workflow (or its result) and gets the same answer; it
 * never counts twice. Deterministic orchestration only; every side effect is an activity.
 */
import { allHandlersFinished, condition, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { DetectionActivities, IndividualOutcome } from '../activities/detection';
import {
  decisionQuery,
  decisionUpdate,
  routeReplySignal,
  type LinkInput,
  type RouteReply,
  type SignalDecision,
  type SignalIntakeInput,
} from './detection-contracts';

const activities = proxyActivities<DetectionActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Classification and the signals to the cluster and system workflows are quick and idempotent:
 * run as local activities, they cost no task-queue round trip (an event is answered sooner).
 */
const quick = proxyLocalActivities<DetectionActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

export async function signalIntakeWorkflow(input: SignalIntakeInput): Promise<SignalDecision> {
  const { event } = input;
  /** The answer, published once every side effect of the event is done. */
  const published: { decision?: SignalDecision } = {};
  let decided: SignalDecision | undefined;
  let reply: RouteReply | undefined;

  setHandler(decisionUpdate, async () => {
    await condition(() => published.decision !== undefined);
    return published.decision!;
  });
  setHandler(decisionQuery, () => published.decision);

  const routing = await quick.routeSignal({ event, receivedAt: input.receivedAt });
  const { eventRef, detection, route } = routing;
  setHandler(routeReplySignal, (answer) => {
    if (answer.eventRef === eventRef) reply = answer;
  });

  const reasons = detection.reasons;
  const me = workflowInfo().workflowId;

  // R-CAT-TIME: a decided, unpaid claim's payout clock runs in its own watch; a settled claim ends it.
  if (routing.watch !== undefined) await activities.updateClaimWatch(routing.watch);

  /** Opens or finds the incident of the same claim or customer, category and cause. */
  const individual = async (duplicateKeys: string[]): Promise<IndividualOutcome> => {
    if (detection.kind !== 'incident') throw new Error('unreachable: no incident to open');
    const links: LinkInput[] = [];
    if (event.claimId !== undefined) links.push({ kind: 'claim', ref: event.claimId, reason: 'claim the event is about' });
    if (event.customerRef !== undefined) links.push({ kind: 'customer', ref: event.customerRef, reason: 'customer the event is about' });
    return activities.openOrAttachIncident({
      report: detection.report,
      duplicateKeys,
      eventRef,
      links,
      // R-SEV-UP: a duplicate carrying graver evidence raises the tier of the open incident.
      raiseSeverityTo: detection.triage.severity,
    });
  };

  const fromIndividual = (outcome: IndividualOutcome, groupIncidentId?: string): SignalDecision =>
    outcome.decision === 'opened'
      ? { decision: 'opened', incidentId: outcome.incidentId, triage: outcome.triage, eventRef, reasons, ...(groupIncidentId ? { groupIncidentId } : {}) }
      : { decision: 'attached', incidentId: outcome.incidentId, reason: outcome.reason, eventRef, reasons };

  if (detection.kind === 'none') {
    if (detection.warning !== undefined) await activities.warnPayout({ warning: detection.warning, drill: event.drill ?? false });
    decided = {
      decision: 'none',
      reason: detection.reason,
      eventRef,
      reasons,
      ...(detection.warning !== undefined ? { warning: detection.warning } : {}),
    };
  } else if (route.kind === 'system') {
    // R-SYS-4: the component's workflow opens its one system incident or attaches to it.
    await quick.sendToSystem({
      component: route.component,
      eventRef,
      replyTo: me,
      report: detection.report,
      severity: detection.triage.severity,
      claims: route.claims,
      customers: route.customers,
      settings: route.settings,
    });
    await condition(() => reply !== undefined);
    const answer = reply!;
    decided =
      answer.decision === 'opened'
        ? { decision: 'opened', incidentId: answer.incidentId!, triage: answer.triage ?? detection.triage, eventRef, reasons }
        : { decision: 'attached', incidentId: answer.incidentId!, reason: answer.reason, eventRef, reasons };
  } else if (route.kind === 'cluster') {
    // R-CAT-COMP: the cause's cluster counts the customer and says whether a group incident takes the complaint.
    await quick.sendToCauseCluster({
      causeKey: route.causeKey,
      causeLabel: route.causeLabel,
      complaint: {
        eventRef,
        ...(route.customerKey !== undefined ? { customerKey: route.customerKey } : {}),
        ...(event.customerRef !== undefined ? { customerRef: event.customerRef } : {}),
        ...(event.claimId !== undefined ? { claimId: event.claimId } : {}),
        replyTo: me,
        drill: event.drill ?? false,
        settings: route.settings,
      },
    });
    await condition(() => reply !== undefined);
    const answer = reply!;
    if (answer.route === 'group' && answer.incidentId !== undefined) {
      decided = { decision: 'attached', incidentId: answer.incidentId, reason: answer.reason, eventRef, reasons };
    } else {
      const outcome = await individual(route.duplicateKeys);
      await quick.reportComplaintIncident({ causeKey: route.causeKey, eventRef, incidentId: outcome.incidentId });
      decided = fromIndividual(outcome, answer.groupIncidentId);
    }
  } else if (route.kind === 'duplicate') {
    decided = fromIndividual(await individual(route.duplicateKeys));
  }

  // R-DET-5: the reporter of a latent risk is recorded on the incident for the review.
  if (detection.kind === 'incident' && detection.latentRiskReporter !== undefined && decided !== undefined && decided.decision !== 'none') {
    await activities.noteIncident({
      incidentId: decided.incidentId,
      text:
        `R-DET-5 latent-risk reporter: ${detection.latentRiskReporter} (${event.internal?.department ?? 'department unknown'}), ` +
        `report ${eventRef}. Reward candidate (1000–5000 CNY) if a major incident is handled well because of it.`,
    });
  }

  published.decision = decided!;
  await condition(allHandlersFinished);
  return decided!;
}
