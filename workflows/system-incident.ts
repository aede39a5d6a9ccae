/**
 * One workflow per system component: the companion of the component's system incident.
 *
 * - R-SYS-4: every alert about the component — monitoring alerts, a silent heartbeat, customer
 *   reports naming the system — goes to its one open system incident, linking the affected
 *   claims and customers, instead of opening unrelated incidents.
 * - R-SYS-2: the restore checklist (claim query first) is put on the incident's timeline when it
 *   opens, and each step, as it is reported done, is recorded there; a step done before the
 *   core one is flagged.
 * - R-SYS-3: every affected customer is told, once, of the offline alternative; on resolution
 *   they are told service is back and every incident linked to the system incident gets a note.
 *
 * Alerts arrive by signal-with-start, one at a time in arrival order, so exactly one incident
 * opens per outage however many alerts race. The workflow ends once its incident is resolved and
 * no alert waits; the next alert starts a new run.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { DetectionActivities } from '../activities/detection';
import { workflowNow, workflowNowMs } from './clock';
import { INVALID_TRANSITION } from './contracts';
import {
  restoreStepUpdate,
  routeReplySignal,
  systemAlertSignal,
  systemRecoveredSignal,
  systemStateQuery,
  type LinkInput,
  type RestoreStepInput,
  type RouteReply,
  type SystemAlert,
  type SystemEpisode,
  type SystemIncidentInput,
  type SystemIncidentState,
  type SystemIncidentView,
  type SystemRecovered,
} from './detection-contracts';

const activities = proxyActivities<DetectionActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const CONTINUE_AS_NEW_AFTER_EVENTS = 5000;

export async function systemIncidentWorkflow(input: SystemIncidentInput): Promise<SystemIncidentView> {
  const state: SystemIncidentState = input.carried ?? { component: input.component, past: [] };
  const alerts: SystemAlert[] = [];
  const recoveries: SystemRecovered[] = [];
  const steps: Array<RestoreStepInput & { label: string; beforeCore: boolean }> = [];
  const replies: Array<{ to: string; reply: RouteReply }> = [];
  let drill = false;

  const nowIso = (): string => workflowNow().toISOString();

  setHandler(systemAlertSignal, (alert) => {
    alerts.push(alert);
  });
  setHandler(systemRecoveredSignal, (recovered) => {
    recoveries.push(recovered);
  });
  setHandler(systemStateQuery, () => view());

  // R-SYS-2: a restore step is recorded on the open incident; the core step (the checklist's
  // first, claim query) should come first, and a step reported before it is flagged.
  setHandler(
    restoreStepUpdate,
    async (step: RestoreStepInput) => {
      const checklist = state.settings?.restoreChecklist ?? [];
      const core = checklist[0]?.id;
      const label = checklist.find((item) => item.id === step.step)?.label ?? step.step;
      const coreDone = state.current?.steps.some((done) => done.step === core) ?? false;
      const beforeCore = step.step !== core && !coreDone;
      const record = { step: step.step, label, at: nowIso(), actor: step.actor.name, beforeCore };
      state.current!.steps.push(record);
      steps.push({ ...step, label, beforeCore });
      return view();
    },
    {
      validator: (step: RestoreStepInput) => {
        if (!state.current) throw ApplicationFailure.nonRetryable(`no open system incident for ${state.component}`, INVALID_TRANSITION);
        const checklist = state.settings?.restoreChecklist ?? [];
        if (!checklist.some((item) => item.id === step.step)) {
          throw ApplicationFailure.nonRetryable(`unknown restore step "${step.step}"; known: ${checklist.map((item) => item.id).join(', ')}`, INVALID_TRANSITION);
        }
        if (state.current.steps.some((done) => done.step === step.step)) {
          throw ApplicationFailure.nonRetryable(`restore step "${step.step}" is already recorded`, INVALID_TRANSITION);
        }
        if (!step.actor?.name?.trim()) throw ApplicationFailure.nonRetryable('actor.name must not be empty', INVALID_TRANSITION);
      },
    },
  );

  function view(): SystemIncidentView {
    const current = state.current;
    const done = new Set(current?.steps.map((step) => step.step) ?? []);
    return {
      component: state.component,
      ...(current
        ? { current: { ...current, pendingSteps: (state.settings?.restoreChecklist ?? []).map((item) => item.id).filter((id) => !done.has(id)) } }
        : {}),
      past: state.past.map((episode) => ({
        incidentId: episode.incidentId,
        openedAt: episode.openedAt,
        ...(episode.resolvedAt ? { resolvedAt: episode.resolvedAt } : {}),
        claims: episode.claims.length,
        customers: episode.customers.length,
      })),
    };
  }

  function reply(alert: SystemAlert, answer: Omit<RouteReply, 'eventRef' | 'route'>): void {
    if (alert.replyTo !== undefined) replies.push({ to: alert.replyTo, reply: { eventRef: alert.eventRef, route: 'system', ...answer } });
  }

  function linksOf(alert: SystemAlert): LinkInput[] {
    return [
      { kind: 'event', ref: alert.eventRef, reason: `alert about ${state.component} (R-SYS-4)` },
      ...alert.claims.map((ref) => ({ kind: 'claim' as const, ref, reason: `claim affected by the ${state.component} failure (R-SYS-4)` })),
      ...alert.customers.map((ref) => ({ kind: 'customer' as const, ref, reason: `customer affected by the ${state.component} failure (R-SYS-4)` })),
    ];
  }

  function checklistText(): string {
    const checklist = state.settings?.restoreChecklist ?? [];
    return `R-SYS-2 restore checklist (core functions first): ${checklist.map((item, index) => `${index + 1}. ${item.label}`).join('; ')}`;
  }

  function archive(episode: SystemEpisode): void {
    episode.resolvedAt = nowIso();
    state.past.push(episode);
    if (state.past.length > 20) state.past.shift();
    state.current = undefined;
  }

  async function handleAlerts(): Promise<void> {
    while (alerts.length > 0) {
      const alert = alerts.shift()!;
      state.settings = alert.settings;
      drill = alert.report.drill;
      const current = state.current;
      if (current) {
        const outcome = await activities.attachToIncident({ incidentId: current.incidentId, links: linksOf(alert), raiseSeverityTo: alert.severity });
        if (outcome === 'done') {
          addAffected(current, alert);
          reply(alert, { decision: 'attached', incidentId: current.incidentId, reason: `attached to the open ${state.component} system incident (R-SYS-4)` });
          continue;
        }
        // Resolved elsewhere in the meantime: finish that episode, then open a new one for this alert.
        await afterResolution(current, 'resolved through the incident');
      }
      const openedAt = nowIso();
      const { incidentId, triage } = await activities.openSystemIncident({ component: state.component, episodeStart: openedAt, report: alert.report });
      const episode: SystemEpisode = { incidentId, openedAt, claims: [], customers: [], notified: [], steps: [] };
      state.current = episode;
      await activities.attachToIncident({ incidentId, links: linksOf(alert) });
      addAffected(episode, alert);
      await activities.noteIncident({ incidentId, text: checklistText() });
      reply(alert, { decision: 'opened', incidentId, triage, reason: `opened the ${state.component} system incident (R-CAT-SYS)` });
    }
  }

  function addAffected(episode: SystemEpisode, alert: SystemAlert): void {
    for (const claim of alert.claims) if (!episode.claims.includes(claim)) episode.claims.push(claim);
    for (const customer of alert.customers) if (!episode.customers.includes(customer)) episode.customers.push(customer);
  }

  /** R-SYS-3: every affected customer not yet told hears of the offline alternative, once. */
  async function notifyAffected(): Promise<void> {
    const episode = state.current;
    if (!episode || !state.settings) return;
    const fresh = episode.customers.filter((customer) => !episode.notified.includes(customer));
    if (fresh.length === 0) return;
    const result = await activities.notifyCustomers({
      incidentId: episode.incidentId,
      kind: 'offline-alternative',
      customers: fresh,
      text: state.settings.offlineAlternative,
      drill,
    });
    episode.notified.push(...fresh);
    await activities.noteIncident({
      incidentId: episode.incidentId,
      text: `R-SYS-3: ${fresh.length} affected customer(s) told of the offline alternative (${result.sent} sent, ${result.duplicates} already told)`,
    });
  }

  async function recordSteps(): Promise<void> {
    while (steps.length > 0 && state.current) {
      const step = steps.shift()!;
      await activities.noteIncident({
        incidentId: state.current.incidentId,
        text:
          `R-SYS-2 restore step done: ${step.label} (by ${step.actor.name})` +
          (step.beforeCore ? ' — recorded before the core function (claim query) was restored' : '') +
          (step.note ? `: ${step.note}` : ''),
      });
    }
  }

  /** R-SYS-3: on resolution customers hear that service is back, and linked incidents get a note. */
  async function afterResolution(episode: SystemEpisode, how: string): Promise<void> {
    if (state.settings && episode.notified.length > 0) {
      await activities.notifyCustomers({
        incidentId: episode.incidentId,
        kind: 'service-restored',
        customers: episode.notified,
        text: state.settings.serviceRestored,
        drill,
      });
    }
    await activities.noteLinkedIncidents({
      incidentId: episode.incidentId,
      text: `System incident ${episode.incidentId} (${state.component}) ${how}: service restored (R-SYS-3).`,
    });
    archive(episode);
  }

  async function handleRecoveries(): Promise<void> {
    while (recoveries.length > 0) {
      const recovered = recoveries.shift()!;
      const episode = state.current;
      if (!episode) continue;
      await activities.resolveIncident({ incidentId: episode.incidentId, summary: `${state.component} recovered (${recovered.by}): ${recovered.reason}` });
      await afterResolution(episode, `resolved (${recovered.by})`);
    }
  }

  async function sendReplies(): Promise<void> {
    const batch = replies.splice(0, replies.length);
    await Promise.all(
      batch.map(async ({ to, reply: answer }) => {
        try {
          await getExternalWorkflowHandle(to).signal(routeReplySignal, answer);
        } catch (err) {
          log.warn('could not answer an intake', { to, error: String(err) });
        }
      }),
    );
  }

  const busy = (): boolean => alerts.length > 0 || recoveries.length > 0 || steps.length > 0 || replies.length > 0;
  let lastStatusCheck = workflowNowMs();

  for (;;) {
    await handleAlerts();
    await notifyAffected();
    await recordSteps();
    await handleRecoveries();
    await sendReplies();
    if (busy()) continue;

    const current = state.current;
    const statusCheckMs = state.settings?.statusCheckMs ?? 600_000;
    if (current && workflowNowMs() - lastStatusCheck >= statusCheckMs) {
      // A system incident resolved through the incident API: customers still hear service is back.
      lastStatusCheck = workflowNowMs();
      const status = await activities.incidentStatus({ incidentId: current.incidentId });
      if (status === 'resolved' || status === 'missing') await afterResolution(current, 'resolved through the incident');
      continue;
    }

    const info = workflowInfo();
    if (!current || info.continueAsNewSuggested || info.historyLength > CONTINUE_AS_NEW_AFTER_EVENTS) {
      await condition(allHandlersFinished);
      if (busy()) continue;
      if (!current) return view();
      return continueAsNew<typeof systemIncidentWorkflow>({ component: state.component, carried: state });
    }
    await condition(busy, Math.max(1, lastStatusCheck + statusCheckMs - workflowNowMs()));
  }
}
