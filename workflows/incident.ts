/**
 * One workflow per incident: triage, then hold the team to the plan's deadlines (R-T-*) until
 * the incident is resolved. Deterministic orchestration only; every side effect is an activity.
 */
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { workflowNow } from './clock';
import { pagingWorkflow, playPaging, STEP_PATCH, type PagingControl } from './paging';
import { inTask, sendsInTask, SENDS_IN_TASK_PATCH } from './sends';
import type { Activities } from '../activities';
import { COMPLAINT_DEADLINES, progressDeadline, type Deadline, type ResponsePlan } from '../domain/deadlines';
import { compareSeverity, type Line, type Severity } from '../domain/types';
import {
  FORBIDDEN,
  INVALID_TRANSITION,
  ackCodeKey,
  acknowledgeUpdate,
  attachLinksUpdate,
  attachUpdate,
  escalateNowSignal,
  escalateUpdate,
  pagingEventSignal,
  stopPagingSignal,
  categoryKey,
  contactUpdate,
  drillKey,
  noteUpdate,
  progressUpdate,
  reclassifyUpdate,
  resolveUpdate,
  severityKey,
  solutionUpdate,
  stateQuery,
  statusKey,
  triageUpdate,
  type ActionBase,
  type AttachInput,
  type AttachReply,
  type IncidentInput,
  type IncidentState,
  type NotificationRequest,
  type PagingEvent,
  type PagingInput,
  type ProgressInput,
  type ReclassifyInput,
  type TimelineEntry,
  type TimelineType,
  type TriageResponse,
} from './contracts';

const { triageIncident, planIncidentResponse, sendCustomerUpdate } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Notifications retry for as long as it takes: a page must never be silently dropped.
const { notify } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// R-REV-5: the archive gets each change, retried for as long as it takes, beside the loop and
// never in its way: an archive that is down delays no deadline. Histories from before patch
// archive-as-activity (below) wrote it as this local activity (retries past the first second
// on a workflow timer, localRetryThreshold).
const { archiveIncident } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  localRetryThreshold: '1 second',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Since patch ARCHIVE_ACTIVITY_PATCH the same write is an ordinary activity. As a local activity
 * it held the workflow task open while it ran (a slow write on a busy machine kept the task
 * heartbeating for seconds, and a deadline's timer waited behind it), and its retry timer,
 * interleaved with the loop's own timer being cancelled and started again, replayed differently
 * from the first run: a worker restarted after a SIGKILL failed the incident's every workflow
 * task (TMPRL1100, TimerMachine / timer id mismatches, found by the fault suite). An ordinary
 * activity's schedule and result are history events, replayed exactly as they happened.
 */
const { archiveIncident: archiveIncidentTask } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const ARCHIVE_ACTIVITY_PATCH = 'archive-as-activity';
/** The archive's pace on that path: a timeline that only grew is written at most this often. */
const ARCHIVE_PACE_MS = 5000;

/**
 * Issue 7: the patch that lets each archive write settle. A change of standing was written at
 * once and the pages that followed it a moment later were a second write (an activity and two
 * workflow tasks more, for every triage, warning and breach). Since this patch every write waits
 * ARCHIVE_SETTLE_MS after the first change it would carry, so a change and the pages that follow
 * it within that wait are one write (a breach whose warning is not written yet is due at once, and
 * its pages go with the next write); a timeline that only grew (pages, deliveries, steps) is
 * written at most every ARCHIVE_GROWTH_PACE_MS, or with the next change of standing, whichever
 * comes first. The live incident (GET /incidents/:id, the state query) is always current; the
 * archive holds every change of standing within about a second and the whole timeline at the
 * close.
 */
const ARCHIVE_SETTLE_PATCH = 'archive-settles';
const ARCHIVE_SETTLE_MS = 1000;
const ARCHIVE_GROWTH_PACE_MS = 5 * 60_000;

/**
 * Issue 7: the patch that writes a timeline that only grew (pages, deliveries, steps, notes) at
 * most hourly instead of every ARCHIVE_GROWTH_PACE_MS. Each such write was a timer, an activity
 * and two workflow tasks, and an incident nobody acknowledges pages someone every few minutes
 * (its people's follow-up rules, its steps), so it wrote every 5 minutes for as long as it paged,
 * among its warnings and breaches (bench/RESULTS.md, "The archive's growth writes hourly"). The
 * archive still holds every change of standing (status, class, escalation level, each deadline's
 * state: what lists and the dashboard read) about a second after it, carrying the pages recorded
 * before it, and the whole timeline at the close and before a continue-as-new; the live timeline
 * (GET /incidents/:id, /history) is read from the workflow. Its marker also stands for
 * LEAN_TASKS_PATCH and all that patch implies, so a new incident still records one marker.
 */
const ARCHIVE_GROWTH_HOURLY_PATCH = 'archive-growth-hourly';
const ARCHIVE_GROWTH_HOURLY_MS = 60 * 60_000;

/**
 * Issue 7: the patch that hands an archive write that is due, or due within the settle wait, to
 * the paging step being opened in the same workflow task, so `openPagingStep` writes it after its
 * pages (activities/index.ts). An incident's first write (the report and its triage) and a
 * breach's write (the breach and the escalation, with the warning before them) each took an
 * activity of their own, and the first one a settle timer and two workflow tasks more; both come
 * with a step. A write the step could not make is made by the archive's own activity, with its
 * retries, as before. Its marker stands for ARCHIVE_GROWTH_HOURLY_PATCH and all that one implies,
 * so a new incident still records one marker.
 */
const ARCHIVE_WITH_STEP_PATCH = 'archive-with-step';

/**
 * The patch that gives the settle wait a timer of its own, never cancelled. On the main loop's
 * timer it was cancelled by every change that came within the second (an update, a page, a reply),
 * so it was often cancelled at the instant it fired; Temporal's server takes a cancel of a timer
 * that has just fired, Java's time-skipping test server refuses the workflow task ("invalid
 * history builder state for action", seen under load in tests/workflows/continue-as-new.test.ts).
 * A timer that is never cancelled fires once and wakes the loop; what it finds due is written. A
 * finished write wakes the loop too, so what was recorded while it was in flight settles and is
 * written in turn rather than waiting for the next change.
 */
const ARCHIVE_SETTLE_TIMER_PATCH = 'archive-settle-timer';

/**
 * The patch that records an acknowledgement after the pages of a step that was being opened when
 * it came. With one activity per step (patch one-activity-per-step) the pages leave inside the
 * activity; a reply to them can reach the workflow in the same task as the activity's answer, and
 * Temporal hands the update to the workflow first, so the timeline read "acknowledged", then
 * "step 2 → mgmt-gao" and its pages (tests/e2e/paging-walkthrough.test.ts saw it in CI).
 */
const ACK_AFTER_OPENING_PATCH = 'ack-after-opening-step';

// Issue 7: each paging run's first pages leave in the incident's own workflow task (no child
// workflow start, no activity task queue on the way). One attempt, bounded: what it does not
// send, the paging run sends with its retries, under the same keys.
const { sendFirstPages } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
});

/** The patch that sends a run's first pages from the incident before its paging run starts. */
const FIRST_PAGE_PATCH = 'first-pages-from-the-incident';

/**
 * The patch that withdrew FIRST_PAGE_PATCH for new work: its local activity ran beside the
 * archive's, and two local activities in flight at once resolve in one order when first run and
 * in another on replay, so a worker that restarted and replayed such a history failed every
 * workflow task of the incident (TMPRL1100 "Missing associated machine for LocalActivity", seen
 * by the fault suite's SIGKILLed worker). It also bought no time: breach-page p99 16.1 s with it,
 * 13.5 s without (bench/RESULTS.md). The paging run sends every page again (and since
 * ARCHIVE_ACTIVITY_PATCH new work runs no local activity at all). Histories recorded with the
 * first-pages path still replay through it.
 */
const FIRST_PAGE_WITHDRAWN_PATCH = 'first-pages-withdrawn';

/**
 * The patch that moved notifications beside the main loop: an e-mail server that is down while a
 * "due soon" notice retries must not hold back the next breach and its pages (R-T-BREACH).
 */
const NOTIFY_PATCH = 'notifications-beside-the-loop';

/**
 * Issue 7: the patch that plays paging runs inside the incident instead of as child workflows.
 * A child run cost a workflow start, its own workflow tasks, and a signal to the incident for
 * every step, page and failure, each one more workflow task on both sides (about 72 history
 * events and 10 workflow tasks per run, bench/RESULTS.md). In the incident, the same steps and
 * activities run beside the main loop and report by a plain call. Incidents recorded before it
 * still start (and replay) child runs, which `pagingWorkflow` keeps playing.
 */
const INLINE_PAGING_PATCH = 'paging-in-the-incident';

/**
 * Issue 7: the patch that makes each workflow task carry fewer commands. Measured on the
 * 20-incident probe (bench/RESULTS.md), a new incident recorded a marker and a
 * `TemporalChangeVersion` search-attribute upsert for each of six patches (the SDK adds the
 * upsert to every marker), upserted its own search attributes twice in its first task, and
 * cancelled and restarted the main loop's timer each time the loop turned for something else
 * (7 of its 16 timers): about a third of its history events, each a write on the server.
 * Under this patch:
 * - one marker stands for every patch in LEAN_IMPLIES: a run that records it takes them all as
 *   present and calls `patched` for none of them (histories recorded before it carry no such
 *   marker and replay through each patch as they did);
 * - the incident's search attributes are upserted once per workflow task, with their last values,
 *   and only when they changed;
 * - the main loop starts one timer for each time it wakes for and keeps it while that time is
 *   still ahead (an earlier wake-up in between leaves it armed); it is cancelled only when its
 *   time no longer matters.
 * Patches added after this one are called as before.
 */
const LEAN_TASKS_PATCH = 'lean-tasks';
const LEAN_IMPLIES: ReadonlySet<string> = new Set([
  ARCHIVE_ACTIVITY_PATCH,
  ARCHIVE_SETTLE_PATCH,
  ARCHIVE_SETTLE_TIMER_PATCH,
  ACK_AFTER_OPENING_PATCH,
  FIRST_PAGE_WITHDRAWN_PATCH,
  NOTIFY_PATCH,
  INLINE_PAGING_PATCH,
  STEP_PATCH,
]);

/** The ref of the first `event` link, as `firstEventRef` when there is one. */
function firstEventOf(links: IncidentState['links']): { firstEventRef?: string } {
  const first = links.find((link) => link.kind === 'event');
  return first ? { firstEventRef: first.ref } : {};
}

function reject(message: string): never {
  throw ApplicationFailure.nonRetryable(message, INVALID_TRANSITION);
}

export async function incidentWorkflow(input: IncidentInput): Promise<IncidentState> {
  const carried = input.carried;
  // Decided once per run, first thing: histories recorded before a patch carry no marker. One
  // marker for a new run: SENDS_IN_TASK_PATCH's (workflows/sends.ts) stands for
  // ARCHIVE_WITH_STEP_PATCH, whose own stands for ARCHIVE_GROWTH_HOURLY_PATCH, whose own stands
  // for LEAN_TASKS_PATCH.
  const sendsInTheTask = patched(SENDS_IN_TASK_PATCH);
  /** The history's length in the workflow task that triaged the report (deterministic on replay). */
  let triagedInTask: number | undefined;
  const send = sendsInTheTask ? sendsInTask(() => workflowInfo().historyLength === triagedInTask) : undefined;
  const withStep = sendsInTheTask || patched(ARCHIVE_WITH_STEP_PATCH);
  const hourly = withStep || patched(ARCHIVE_GROWTH_HOURLY_PATCH);
  const lean = hourly || patched(LEAN_TASKS_PATCH);
  const growthPaceMs = hourly ? ARCHIVE_GROWTH_HOURLY_MS : ARCHIVE_GROWTH_PACE_MS;
  /** Whether patch `id` applies to this run: one marker for all of LEAN_IMPLIES (LEAN_TASKS_PATCH). */
  const has = (id: string): boolean => (lean && LEAN_IMPLIES.has(id)) || patched(id);
  const archiveSettles = has(ARCHIVE_SETTLE_PATCH);
  const settleTimer = archiveSettles && has(ARCHIVE_SETTLE_TIMER_PATCH);
  const state: IncidentState = carried?.state ?? {
    id: input.id,
    status: 'triggered',
    report: input.report,
    reportedAt: input.reportedAt,
    lines: [],
    reasons: [],
    deadlines: [],
    escalationLevel: 0,
    timeline: [],
    runs: 1,
    links: [],
    // A short code for replies (`ACK 4821`); workflow uuid4 is deterministic on replay.
    ackCode: String(1000 + (parseInt(uuid4().slice(0, 8), 16) % 9000)),
    pagingRuns: [],
    ...(input.participants ? { participants: input.participants } : {}),
  };
  let plan: ResponsePlan | undefined = carried?.plan;
  let nextSeq = carried?.nextSeq ?? 1;
  /** Set whenever an action changes the deadlines, so the main loop re-plans its next wake-up. */
  let changed = false;
  const outbox: NotificationRequest[] = [];
  /** Paging runs to start, and signals to send to running ones, on the main loop's next turn. */
  const pagingToStart: PagingInput[] = [];
  const pagingSignals: { runId: string; signal: 'stop' | 'escalate'; by: string }[] = [];
  /** Customer progress messages to send (R-T-DAILY), kept out of the update handler's way. */
  const customerUpdates: { channel: 'sms' | 'email'; address: string; text: string; by: string; seq: number }[] = [];

  function record(type: TimelineType, actor: string, text: string, data?: Record<string, unknown>): TimelineEntry {
    const entry: TimelineEntry = { seq: nextSeq++, at: workflowNow().toISOString(), type, actor, text };
    if (data) entry.data = data;
    state.timeline.push(entry);
    changed = true;
    return entry;
  }

  function queueNotification(kind: NotificationRequest['kind'], lines: Line[], subject: string, body: string, keySuffix: string): void {
    const tag = state.report.drill ? '[DRILL] ' : '';
    outbox.push({
      key: `${state.id}:${kind}:${keySuffix}`,
      incidentId: state.id,
      kind,
      lines,
      drill: state.report.drill,
      subject: `${tag}${subject}`,
      body: `${tag}${body}`,
      ...(state.participants ? { participants: state.participants } : {}),
    });
  }

  function levelLines(level: number): Line[] {
    const levels = plan?.escalation[state.severity ?? 'general'] ?? [['management']];
    return levels[Math.min(level, levels.length - 1)] ?? ['management'];
  }

  /**
   * How notifications name the incident: id and class, never the report's title — people type
   * customers' names and conditions into it, and notifications leave for phones and mailboxes
   * outside the engine (R-SEC-1). The title is one API call away for whoever holds a key.
   */
  function summary(): string {
    return `${state.id} · ${state.category ?? '?'} / ${state.severity ?? '?'}`;
  }

  /** Search attributes let incidents be listed and filtered; they carry no personal data (R-SEC-1). */
  function updateSearchAttributes(): void {
    if (!lean) return upsertSearchAttributesNow();
    // LEAN_TASKS_PATCH: once per workflow task, after everything the task changed.
    if (upsertQueued) return;
    upsertQueued = true;
    void Promise.resolve().then(() => {
      upsertQueued = false;
      upsertSearchAttributesNow();
    });
  }
  let upsertQueued = false;
  /** What was upserted last (LEAN_TASKS_PATCH: an upsert that would change nothing is left out). */
  let upserted: string | undefined;
  function upsertSearchAttributesNow(): void {
    const attributes = [
      { key: statusKey, value: state.status },
      { key: drillKey, value: state.report.drill },
      { key: ackCodeKey, value: state.ackCode },
      ...(state.category ? [{ key: categoryKey, value: state.category }] : []),
      ...(state.severity ? [{ key: severityKey, value: state.severity }] : []),
    ];
    if (lean) {
      const values = JSON.stringify(attributes.map((a) => a.value));
      if (values === upserted) return;
      upserted = values;
    }
    upsertSearchAttributes(attributes);
  }

  /** Meets the pending deadline `id` if there is one; `true` when it did. */
  function meet(id: string, by: string, actor: string): boolean {
    const deadline = state.deadlines.find((d) => d.id === id && d.state === 'pending');
    if (!deadline) return false;
    deadline.state = 'met';
    deadline.closedAt = workflowNow().toISOString();
    deadline.metBy = by;
    record('deadline-met', actor, `${deadline.id} met by ${by}`, { deadline: deadline.id, dueAt: deadline.dueAt });
    return true;
  }

  function requireOpen(action: string): void {
    if (state.category === undefined) reject(`${action}: the incident is still being triaged`);
    if (state.status === 'resolved') reject(`${action}: the incident is already resolved`);
  }

  function requireText(field: string, value: string | undefined): void {
    if (!value || !value.trim()) reject(`${field} must not be empty`);
  }

  // ---- queries and updates -------------------------------------------------------------------

  setHandler(stateQuery, () => state);

  setHandler(triageUpdate, async (): Promise<TriageResponse> => {
    await condition(() => state.category !== undefined);
    return {
      id: state.id,
      status: state.status,
      triage: {
        category: state.category!,
        severity: state.severity!,
        lines: state.lines,
        reasons: state.reasons,
      },
      deadlines: state.deadlines,
    };
  });

  setHandler(
    acknowledgeUpdate,
    async ({ actor }: ActionBase) => {
      state.status = 'acknowledged';
      state.acknowledgedBy = actor.name;
      stopPaging(actor.name);
      updateSearchAttributes();
      // Pages already out when the acknowledgement came (a step being opened by its activity)
      // go on the timeline first: the record says the person was paged, then acknowledged.
      if (stepsOpening() && has(ACK_AFTER_OPENING_PATCH)) await new Promise<void>((resolve) => openingWaiters.push(resolve));
      record('acknowledged', actor.name, `acknowledged by ${actor.name}`);
      return state;
    },
    {
      validator: ({ actor }: ActionBase) => {
        requireOpen('acknowledge');
        if (state.status === 'acknowledged') reject(`acknowledge: already acknowledged by ${state.acknowledgedBy ?? 'someone'}`);
        requireText('actor.name', actor?.name);
      },
    },
  );

  const textValidator = (action: string) => (input: { actor: ActionBase['actor']; text: string }) => {
    requireOpen(action);
    requireText('actor.name', input.actor?.name);
    requireText('text', input.text);
  };

  // R-T-CONTACT: a recorded contact meets the 30-minute deadline.
  setHandler(
    contactUpdate,
    ({ actor, text }) => {
      record('contacted', actor.name, text);
      meet('contact', 'contact', actor.name);
      return state;
    },
    { validator: textValidator('contact') },
  );

  // R-T-SOLUTION: an initial solution meets the 1-hour deadline and, for complaints, the
  // 24-hour reply (R-T-COMPLAINT).
  setHandler(
    solutionUpdate,
    ({ actor, text }) => {
      record('solution', actor.name, text);
      meet('solution', 'solution', actor.name);
      meet('complaint-reply', 'solution', actor.name);
      return state;
    },
    { validator: textValidator('solution') },
  );

  // R-T-DAILY: an update meets the open progress deadline; the next is due one interval later.
  setHandler(
    progressUpdate,
    ({ actor, text, customer }) => {
      record('progress', actor.name, text);
      if (customer) customerUpdates.push({ channel: customer.channel, address: customer.address, text, by: actor.name, seq: nextSeq });
      const open = state.deadlines.find((d) => d.kind === 'progress' && d.state === 'pending');
      if (open && plan) {
        meet(open.id, 'progress', actor.name);
        state.deadlines.push(progressDeadline(countProgress() + 1, workflowNow(), plan));
      }
      return state;
    },
    {
      validator: (input: ProgressInput) => {
        textValidator('progress')(input);
        if (input.customer && !input.customer.address?.trim()) reject('customer.address must not be empty');
      },
    },
  );

  setHandler(
    noteUpdate,
    ({ actor, text }) => {
      record('note', actor.name, text);
      return state;
    },
    { validator: textValidator('note') },
  );

  // Resolution meets every open deadline: the customer's matter is settled (R-T-DAILY: "until
  // resolved"); the summary is the finished investigation's feedback (R-T-COMPLAINT).
  setHandler(
    resolveUpdate,
    ({ actor, summary: text }) => {
      for (const d of state.deadlines) if (d.state === 'pending') meet(d.id, 'resolve', actor.name);
      state.status = 'resolved';
      state.resolution = text;
      record('resolved', actor.name, text);
      stopPaging(actor.name);
      queueNotification('resolved', state.lines, `Resolved: ${summary()}`, text, 'resolved');
      updateSearchAttributes();
      return state;
    },
    {
      validator: ({ actor, summary: text }) => {
        requireOpen('resolve');
        requireText('actor.name', actor?.name);
        requireText('summary', text);
      },
    },
  );

  // R-CAT-X: a person with the manager role may reclassify; R-SEV-UP: raising a tier is open to
  // on-call staff, lowering it needs a manager.
  setHandler(
    reclassifyUpdate,
    async ({ actor, category, severity, reason }: ReclassifyInput) => {
      if (category && category !== state.category) {
        const from = state.category;
        state.category = category;
        record('reclassified', actor.name, `${from} → ${category}: ${reason}`, { from, to: category });
        const replanned = await planIncidentResponse({ reportedAt: state.reportedAt, category });
        const known = new Set(state.deadlines.map((d) => d.id));
        for (const d of replanned.deadlines) if (!known.has(d.id)) state.deadlines.push(d);
        if (category !== 'complaint') {
          state.deadlines = state.deadlines.filter(
            (d) => !(COMPLAINT_DEADLINES as readonly string[]).includes(d.id) || d.state !== 'pending',
          );
        }
      }
      if (severity && severity !== state.severity) {
        changeSeverity(severity, actor.name, reason);
      }
      updateSearchAttributes();
      return state;
    },
    {
      validator: ({ actor, category, severity, reason }: ReclassifyInput) => {
        requireOpen('reclassify');
        requireText('actor.name', actor?.name);
        requireText('reason', reason);
        if (!category && !severity) reject('reclassify: give a category or a severity');
        if (category && category !== state.category && actor.role !== 'manager') {
          throw ApplicationFailure.nonRetryable('reclassify: changing the category needs the manager role (R-CAT-X)', FORBIDDEN);
        }
        if (severity && state.severity && compareSeverity(severity, state.severity) < 0 && actor.role !== 'manager') {
          throw ApplicationFailure.nonRetryable('lowering the severity needs the manager role (R-SEV-UP)', FORBIDDEN);
        }
        if (severity && !['oncall', 'manager', 'system'].includes(actor.role)) {
          throw ApplicationFailure.nonRetryable(`changing the severity needs the oncall or manager role`, FORBIDDEN);
        }
      },
    },
  );

  // R-SYS-4 / R-CAT-COMP: related events, claims, customers and incidents attach to one
  // incident instead of opening unrelated ones. Idempotent by (kind, ref).
  /** Attaches what is not attached yet (by kind and ref); returns how many links it added. */
  function attachLinks({ actor, links, raiseSeverityTo }: AttachInput): number {
    const at = workflowNow().toISOString();
    // One pass over the incident's links, not one per new link: a group complaint has thousands.
    const attached = new Set(state.links.map((x) => `${x.kind}:${x.ref}`));
    const added = links.filter((l) => !attached.has(`${l.kind}:${l.ref}`));
    for (const link of added) state.links.push({ ...link, at, actor: actor.name });
    if (added.length > 0) {
      record('linked', actor.name, `${added.length} attached: ${added.map((l) => `${l.kind} ${l.ref}`).join(', ')}`, {
        links: added.map((l) => ({ kind: l.kind, ref: l.ref, reason: l.reason })),
      });
    }
    if (raiseSeverityTo && state.severity && compareSeverity(raiseSeverityTo, state.severity) > 0) {
      changeSeverity(raiseSeverityTo, actor.name, `raised by attached evidence: ${added.map((l) => l.reason).join('; ') || 'attachment'}`);
      updateSearchAttributes();
    }
    return added.length;
  }
  const attachValidator = {
    validator: ({ actor, links }: AttachInput) => {
      requireOpen('attach');
      requireText('actor.name', actor?.name);
      if (!Array.isArray(links) || links.length === 0) reject('attach: give at least one link');
      for (const l of links) {
        requireText('links.ref', l.ref);
        requireText('links.reason', l.reason);
      }
    },
  };
  setHandler(
    attachUpdate,
    (input: AttachInput) => {
      attachLinks(input);
      return state;
    },
    attachValidator,
  );
  // Issue 7: the same action answered with the standing only (contracts.ts AttachReply), so a
  // group complaint's history does not repeat its whole state for every batch of complaints.
  setHandler(
    attachLinksUpdate,
    (input: AttachInput): AttachReply => {
      const added = attachLinks(input);
      return {
        status: state.status,
        ...(state.category !== undefined ? { category: state.category } : {}),
        ...(state.severity !== undefined ? { severity: state.severity } : {}),
        lines: state.lines,
        reasons: state.reasons,
        ...firstEventOf(state.links),
        links: state.links.length,
        added,
      };
    },
    attachValidator,
  );

  // The page itself can escalate: a voice keypress "2" (or the API) skips the current step's wait.
  setHandler(
    escalateUpdate,
    ({ actor }: ActionBase) => {
      record('escalated', actor.name, `${actor.name} asked to escalate now`, { manual: true });
      signalPaging('escalate', actor.name);
      return state;
    },
    {
      validator: ({ actor }: ActionBase) => {
        requireOpen('escalate');
        requireText('actor.name', actor?.name);
        if (state.status !== 'triggered') reject('escalate: the incident is already acknowledged');
      },
    },
  );

  /** Paging runs whose first pages are being sent; their start follows (a stop waits for it). */
  const starting = new Map<string, Promise<void>>();
  /** Runs whose first step the incident played: the run's own step-1 report is not recorded again. */
  const firstStepPlayed = new Set<string>();

  // Every page, delivery result and escalation step of the paging runs lands on the timeline:
  // by signal from a run of its own, by a call from a run inside the incident.
  setHandler(pagingEventSignal, (event: PagingEvent) => onPagingEvent(event));

  function onPagingEvent(event: PagingEvent): void {
    switch (event.type) {
      case 'step':
        // The incident played this run's first step itself and recorded it then.
        if (event.round === 0 && event.step === 0 && firstStepPlayed.has(event.runKey)) break;
        record('paging-step', 'system', `${event.runKey}: round ${event.round + 1}, step ${event.step + 1} → ${event.people.join(', ') || 'nobody on call'}`, { ...event });
        break;
      case 'paged':
        recordPaged(event);
        break;
      case 'page-failed':
        record('page-failed', 'system', `${event.personId} via ${event.channel} failed${event.permanent ? ' permanently' : ''}: ${event.error}`, { ...event });
        break;
      case 'unreachable':
        // Nobody in the step could be reached: the run moves on at once and management is told.
        record('unreachable', 'system', `${event.runKey}: nobody in step ${event.step + 1} could be reached`, { ...event });
        queueNotification('escalation', ['management'], `Nobody reachable: ${summary()}`, `Step ${event.step + 1} of ${event.runKey} reached nobody.`, `unreachable-${event.runKey}-${event.round}-${event.step}`);
        break;
      case 'finished':
        state.pagingRuns = state.pagingRuns.filter((id) => id !== pagingRunId(event.runKey));
        changed = true;
        break;
    }
  }

  /** A page a provider took, on the timeline: each refused attempt first, then the delivery. */
  function recordPaged(event: Extract<PagingEvent, { type: 'paged' }>): void {
    for (const failure of event.failures ?? []) {
      record('page-failed', 'system', `${event.personId} via ${event.channel} failed at ${failure.at}, retried: ${failure.error}`, {
        runKey: event.runKey,
        personId: event.personId,
        channel: event.channel,
        error: failure.error,
        failedAt: failure.at,
        permanent: false,
        retried: true,
      });
    }
    record(
      'paged',
      'system',
      `${event.personId} via ${event.channel} (${event.to})${event.duplicate ? ', already sent' : ''}${(event.attempt ?? 1) > 1 ? `, on attempt ${event.attempt}` : ''}`,
      { ...event },
    );
  }

  function pagingRunId(runKey: string): string {
    return `${state.id}-paging-${runKey}`;
  }

  function stopPaging(by: string): void {
    signalPaging('stop', by);
  }

  /** Tells every running paging run to stop or escalate: a field of one inside the incident, a signal to one of its own. */
  function signalPaging(signal: 'stop' | 'escalate', by: string): void {
    for (const runId of state.pagingRuns) {
      const inline = inlineRuns.get(runId);
      if (!inline) pagingSignals.push({ runId, signal, by });
      else if (signal === 'stop') inline.stopped = true;
      else inline.escalateNow = true;
    }
  }

  /** Paging runs played inside the incident (INLINE_PAGING_PATCH), by run id, while they play. */
  const inlineRuns = new Map<string, PagingControl>();
  /** A step of a run inside the incident is being opened by its activity. */
  const stepsOpening = () => [...inlineRuns.values()].some((control) => (control.opening ?? 0) > 0);
  /** Acknowledgements waiting for the steps being opened (ACK_AFTER_OPENING_PATCH). */
  const openingWaiters: Array<() => void> = [];
  const onOpened = () => {
    if (!stepsOpening()) for (const resolve of openingWaiters.splice(0)) resolve();
  };

  /** Plays a paging run beside the main loop; it reports to the timeline as a child run's signals did. */
  function playInline(input: PagingInput): void {
    const runId = pagingRunId(input.runKey);
    // Not stopped from the start when the incident is acknowledged already: a breach then pages
    // its people once, without follow-ups (R-T-BREACH: the next level is paged). A run of its
    // own started stopped in that case and paged nobody; its histories replay as they were.
    const control: PagingControl = {
      stopped: false,
      escalateNow: false,
      onOpened,
      patched: has,
      ...(withStep ? { takeArchive } : {}),
      ...(send ? { send } : {}),
    };
    inlineRuns.set(runId, control);
    void playPaging(input, control, onPagingEvent)
      .then(
        () => undefined,
        (err: unknown) => {
          // Only a failure past every retry ends up here: on the timeline, and the run is over.
          record('page-failed', 'system', `${input.runKey}: paging run failed: ${err instanceof Error ? err.message : String(err)}`, { runKey: input.runKey });
          state.pagingRuns = state.pagingRuns.filter((id) => id !== runId);
        },
      )
      .finally(() => {
        inlineRuns.delete(runId);
        // A run that ended however it ended holds back no acknowledgement.
        onOpened();
        changed = true;
      });
  }

  /** Queues a paging run (R-T-BREACH escalation policy) for the main loop to start. */
  function page(runKey: string, kind: 'page' | 'breach', steps: PagingInput['steps'], repeat: number, due?: Deadline): void {
    if (!plan || state.pagingRuns.includes(pagingRunId(runKey))) return;
    const next = due ?? state.deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
    // R-REV-4: a drill pages its participants at every step, never the real on-call.
    const participants = state.participants;
    pagingToStart.push({
      incidentId: state.id,
      runKey,
      steps: participants ? steps.map((step) => ({ ...step, targets: participants.map((person) => ({ person })) })) : steps,
      repeat,
      lines: state.lines,
      acknowledged: state.status !== 'triggered',
      content: {
        incidentId: state.id,
        ackCode: state.ackCode,
        category: state.category!,
        severity: state.severity!,
        kind,
        ...(next ? { due: { deadline: next.id, dueAt: next.dueAt } } : {}),
        drill: state.report.drill,
        lang: plan.paging.language,
      },
    });
    state.pagingRuns.push(pagingRunId(runKey));
  }

  function countProgress(): number {
    return state.deadlines.filter((d) => d.kind === 'progress').length;
  }

  function changeSeverity(severity: Severity, actor: string, reason: string): void {
    const from = state.severity;
    state.severity = severity;
    record('severity-changed', actor, `${from} → ${severity}: ${reason}`, { from, to: severity });
    if (severity === 'major' && !state.lines.includes('management')) {
      // R-LINE-MGMT: management is informed of every major incident.
      state.lines = [...state.lines, 'management'];
      queueNotification('page', ['management'], `Raised to major: ${summary()}`, reason, `major-${nextSeq}`);
    }
  }

  // ---- the timed plan -------------------------------------------------------------------------

  /** Processes every warning and breach due at `now` (R-T-BREACH). */
  function fireDue(now: Date): void {
    const iso = now.toISOString();
    for (const d of [...state.deadlines]) {
      if (d.state !== 'pending') continue;
      if (d.dueAt <= iso) breach(d);
      else if (!d.warned && d.warnAt <= iso) warn(d);
    }
  }

  function warn(d: Deadline): void {
    d.warned = true;
    record('deadline-warning', 'system', `${d.id} is close to due (${d.dueAt})`, { deadline: d.id, dueAt: d.dueAt });
    queueNotification('warning', state.lines, `Due soon (${d.id}): ${summary()}`, `${d.id} is due at ${d.dueAt}.`, `warn-${d.id}`);
  }

  function breach(d: Deadline): void {
    d.state = 'breached';
    d.closedAt = d.dueAt;
    if (!d.warned) d.warned = true;
    record('deadline-breached', 'system', `${d.id} missed (was due ${d.dueAt})`, { deadline: d.id, dueAt: d.dueAt });
    // R-T-BREACH: the next level is paged; management for major incidents.
    state.escalationLevel += 1;
    const lines = state.severity === 'major' ? unique<Line>(['management', ...levelLines(state.escalationLevel)]) : levelLines(state.escalationLevel);
    record('escalated', 'system', `escalated to level ${state.escalationLevel}: ${lines.join(', ')}`, {
      level: state.escalationLevel,
      lines,
      deadline: d.id,
    });
    // The breach target is paged like any page (each person's own rules), once; management for major.
    page(`breach-${d.id}`, 'breach', [{ targets: lines.map((team) => ({ team })), escalateAfterMinutes: 10 }], 0, d);
    if (d.kind === 'progress' && plan) {
      // R-T-DAILY keeps its cadence: the next update is due one interval after the missed one.
      state.deadlines.push(progressDeadline(countProgress() + 1, new Date(d.dueAt), plan));
    }
  }

  function nextWakeUp(times = wakeTimes()): number | undefined {
    let next: number | undefined;
    for (const at of times) if (next === undefined || at < next) next = at;
    return next;
  }
  /** Every time ahead the loop has to wake for: a paced archive write, each pending deadline's warning or due time. */
  function wakeTimes(): number[] {
    const times: number[] = [];
    // A paced archive write that is waiting for its turn, unless its own settle timer wakes the loop first.
    if (archivePending() && Number.isFinite(archiveDueAt()) && !(settleTimerAt !== undefined && settleTimerAt <= archiveDueAt())) {
      times.push(archiveDueAt());
    }
    for (const d of state.deadlines) {
      if (d.state !== 'pending') continue;
      times.push(Date.parse(d.warned ? d.dueAt : d.warnAt));
    }
    return times;
  }

  // Abandoned on close so a continue-as-new never cuts a page short; stopped by signal instead.
  const startPaging = async (input: PagingInput) => {
    await startChild(pagingWorkflow, {
      workflowId: pagingRunId(input.runKey),
      args: [input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  };

  /**
   * Issue 7 (R-T-BREACH on time): the run's first step is resolved and paged right here by a local
   * activity, then the run starts with what it did and plays the rest. Beside the loop, like the
   * notifications: a slow channel holds back no deadline.
   */
  function pageFirstThenStart(input: PagingInput): void {
    const runId = pagingRunId(input.runKey);
    const first = input.steps[0];
    const run: Promise<void> = (first
      ? sendFirstPages({
          incidentId: input.incidentId,
          runKey: input.runKey,
          targets: first.targets,
          lines: input.lines,
          at: workflowNow().toISOString(),
          content: input.content,
        }).then(
          (played) => {
            firstStepPlayed.add(input.runKey);
            record('paging-step', 'system', `${input.runKey}: round 1, step 1 → ${played.people.map((p) => p.id).join(', ') || 'nobody on call'}`, {
              type: 'step',
              runKey: input.runKey,
              round: 0,
              step: 0,
              people: played.people.map((p) => p.id),
            });
            for (const { key: _key, ...event } of played.paged) recordPaged(event);
            return { ...input, first: { people: played.people, sent: played.paged.map((p) => p.key) } };
          },
          // Not even the targets resolved: the run does it all, with its own retries.
          () => input,
        )
      : Promise.resolve(input)
    )
      .then(startPaging)
      .finally(() => {
        starting.delete(runId);
        notifying.delete(run);
      });
    starting.set(runId, run);
    notifying.add(run);
  }

  async function flushNotifications(): Promise<void> {
    while (pagingToStart.length > 0) {
      const input = pagingToStart.shift()!;
      if (has(INLINE_PAGING_PATCH)) playInline(input);
      else if (!has(FIRST_PAGE_WITHDRAWN_PATCH) && has(FIRST_PAGE_PATCH)) pageFirstThenStart(input);
      else await startPaging(input);
    }
    while (pagingSignals.length > 0) {
      const { runId, signal, by } = pagingSignals.shift()!;
      // A run still sending its first pages is signalled once it has started.
      const pending = starting.get(runId);
      if (pending) await pending.catch(() => undefined);
      const handle = getExternalWorkflowHandle(runId);
      try {
        if (signal === 'stop') await handle.signal(stopPagingSignal, { reason: `acknowledged or resolved by ${by}` });
        else await handle.signal(escalateNowSignal, { actor: by });
      } catch {
        // The run had already finished.
      }
    }
    while (customerUpdates.length > 0) {
      const update = customerUpdates.shift()!;
      const result = await sendCustomerUpdate({
        key: `${state.id}:customer-update:${update.seq}`,
        incidentId: state.id,
        category: state.category!,
        lang: plan?.paging.language ?? 'zh',
        text: update.text,
        channel: update.channel,
        address: update.address,
      });
      record('customer-notified', update.by, `progress update sent to the customer by ${update.channel} (${result.to})`, {
        channel: update.channel,
        to: result.to,
      });
    }
    while (outbox.length > 0) {
      const request = outbox.shift()!;
      if (!has(NOTIFY_PATCH)) {
        recordNotified(request, await notify(request));
        continue;
      }
      // Beside the loop: deadlines keep firing while a channel is down and this one retries.
      const sending: Promise<void> = (send ? send(() => inTask.notify(request), () => notify(request)) : notify(request))
        .then((result) => recordNotified(request, result))
        .catch((err: unknown) => {
          record('page-failed', 'system', `${request.kind} notification failed: ${err instanceof Error ? err.message : String(err)}`, { key: request.key });
        })
        .finally(() => notifying.delete(sending));
      notifying.add(sending);
    }
  }

  /** Notifications in flight beside the main loop; every one is on the timeline before the run ends. */
  const notifying = new Set<Promise<void>>();

  function recordNotified(request: NotificationRequest, result: { duplicate: boolean; channel: string; recipients?: string[] }): void {
    const to = result.recipients?.length ? ` (${result.recipients.join(', ')})` : '';
    record('notified', 'system', `${request.kind} → ${request.lines.join(', ')}${to}${result.duplicate ? ' (already sent)' : ''}`, {
      key: request.key,
      kind: request.kind,
      lines: request.lines,
      channel: result.channel,
    });
  }

  function shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > (plan?.continueAsNewAfterEvents ?? Infinity);
  }

  // ---- the archive (R-REV-5) ------------------------------------------------------------------

  /** The last timeline seq the archive holds, and the write in flight (at most one). */
  let archivedSeq = 0;
  let archiving: Promise<void> | undefined;
  const lastSeq = () => nextSeq - 1;
  /** Known at the first write: whether this run writes by activity (ARCHIVE_ACTIVITY_PATCH), and so is paced. */
  let archiveByActivity: boolean | undefined;
  /** When the last write started (workflow time), and what it held of the incident's standing. */
  let archiveStartedAt = -Infinity;
  let archivedStanding = '';
  /** Status, class and every deadline's state: what lists and the dashboard sort and filter on. */
  const standing = () =>
    [state.status, state.category, state.severity, state.escalationLevel, ...state.deadlines.map((d) => `${d.id}:${d.state}`)].join('|');
  /**
   * Paced (issue 7): a change of standing is written at once; a timeline that only grew (pages,
   * deliveries, steps) waits until ARCHIVE_PACE_MS after the last write started, so a burst of
   * paging events is one write, not one activity and workflow task each. Before the first write,
   * and on the local-activity path of older histories, every change is written at once.
   */
  const archiveDueAt = () => {
    if (archiveSettles) {
      const settled = firstUnarchivedAt() + ARCHIVE_SETTLE_MS;
      return standing() === archivedStanding ? Math.max(settled, archiveStartedAt + growthPaceMs) : settled;
    }
    return archiveByActivity === true && standing() === archivedStanding ? archiveStartedAt + ARCHIVE_PACE_MS : -Infinity;
  };
  /** When the first timeline entry the archive does not hold yet was recorded (workflow time). */
  function firstUnarchivedAt(): number {
    let first: TimelineEntry | undefined;
    for (let i = state.timeline.length - 1; i >= 0 && state.timeline[i]!.seq > archivedSeq; i--) first = state.timeline[i];
    return first ? Date.parse(first.at) : workflowNow().getTime();
  }
  /** When the settle timer armed last fires (patch archive-settle-timer); undefined once it has. */
  let settleTimerAt: number | undefined;
  /**
   * Arms the settle wait's own timer when a write is due within ARCHIVE_SETTLE_MS (the longer
   * growth pace stays on the loop's timer). Never cancelled: when it fires the loop turns once.
   */
  function armSettleTimer(): void {
    if (!settleTimer || !archivePending()) return;
    const due = archiveDueAt();
    const wait = due - workflowNow().getTime();
    if (wait <= 0 || wait > ARCHIVE_SETTLE_MS) return;
    if (settleTimerAt !== undefined && settleTimerAt <= due) return;
    settleTimerAt = due;
    void sleep(wait).then(() => {
      if (settleTimerAt === due) settleTimerAt = undefined;
      changed = true;
    });
  }
  /** The main loop's wake-up timers by the time each fires (LEAN_TASKS_PATCH). */
  const wakeTimers = new Map<number, CancellationScope>();
  /**
   * Arms a timer for the next wake-up unless one is armed for that time already. A timer stays
   * armed while its time is still one the loop has to wake for (an earlier wake-up in between
   * does not cancel it) and is cancelled once it is not (the deadline met, the write done). When
   * one fires the loop turns once.
   */
  function armWakeTimer(times: number[], wake: number | undefined): void {
    const ahead = new Set(times);
    for (const [at, scope] of wakeTimers) {
      if (ahead.has(at)) continue;
      scope.cancel();
      wakeTimers.delete(at);
    }
    if (wake === undefined || wakeTimers.has(wake)) return;
    const scope = new CancellationScope();
    wakeTimers.set(wake, scope);
    void scope
      .run(() => sleep(Math.max(wake - workflowNow().getTime(), 1)))
      .then(
        () => {
          if (wakeTimers.get(wake) === scope) wakeTimers.delete(wake);
          changed = true;
        },
        // Cancelled: the loop no longer wakes for this time.
        () => undefined,
      );
  }

  /** The timeline grew since the last write, and no write is in flight. */
  const archivePending = () => archiving === undefined && lastSeq() > archivedSeq;
  const archiveBehind = () => archivePending() && workflowNow().getTime() >= archiveDueAt();

  /** Marks a write of the state as it is now as started: what it holds, and what the last one held before it. */
  function beginWrite(): { seq: number; before: { startedAt: number; standing: string } } {
    const before = { startedAt: archiveStartedAt, standing: archivedStanding };
    archiveByActivity ??= has(ARCHIVE_ACTIVITY_PATCH);
    archiveStartedAt = workflowNow().getTime();
    archivedStanding = standing();
    return { seq: lastSeq(), before };
  }

  /** Starts a write of the current state when the timeline grew since the last one (`force`: unpaced, at the close). */
  function archive(force = false): void {
    if (!(force ? archivePending() : archiveBehind())) return;
    // A paging run about to start opens its first step in this task and carries the write (patch archive-with-step).
    if (!force && withStep && pagingToStart.length > 0) return;
    const { seq } = beginWrite();
    const write = archiveByActivity ? archiveIncidentTask : archiveIncident;
    archiving = write(state).then(
      () => {
        archivedSeq = seq;
        archiving = undefined;
        // What was recorded while the write was in flight settles from here (patch archive-settle-timer).
        if (settleTimer) changed = true;
      },
      (err: unknown) => {
        // Only a non-retryable failure ends up here; the next change tries again.
        log.warn('archive write failed', { incident: state.id, error: (err as Error).message });
        archivedSeq = seq;
        archiving = undefined;
        if (settleTimer) changed = true;
      },
    );
  }

  /**
   * Hands the write that is due, or due within the settle wait (a change of standing, the first
   * write), to the paging step being opened (patch archive-with-step): in flight from here until
   * the step's activity answers. A write it did not make stays due, at once.
   */
  function takeArchive(): { state: IncidentState; written: (ok: boolean) => void } | undefined {
    if (!archivePending() || (standing() === archivedStanding && !archiveBehind())) return undefined;
    const { seq, before } = beginWrite();
    let settle: (ok: boolean) => void = () => undefined;
    archiving = new Promise<boolean>((resolve) => (settle = resolve)).then((ok) => {
      if (ok) archivedSeq = seq;
      else ({ startedAt: archiveStartedAt, standing: archivedStanding } = before);
      archiving = undefined;
      changed = true;
    });
    return { state, written: (ok) => settle(ok) };
  }

  /** Before the run ends: the state in full, whatever is in flight. */
  async function archiveFinal(): Promise<void> {
    while (archiving !== undefined || lastSeq() > archivedSeq) {
      if (archiving) await archiving;
      else archive(true);
    }
  }

  // ---- run ------------------------------------------------------------------------------------

  if (!carried) {
    record('reported', state.report.reporter, state.report.title, { source: state.report.source, drill: state.report.drill });
    updateSearchAttributes();
    // Triaged at the edge (the API computed it from the same pure functions and put it in the
    // input, issue 7), or here by the activity for starters that did not.
    const result = input.triaged ?? (await triageIncident({ report: state.report, reportedAt: state.reportedAt }));
    plan = result.plan;
    state.category = result.triage.category;
    state.severity = result.triage.severity;
    state.lines = result.triage.lines;
    state.reasons = result.triage.reasons;
    state.deadlines = result.plan.deadlines;
    triagedInTask = workflowInfo().historyLength;
    record('triaged', 'system', `${state.category} / ${state.severity} → ${state.lines.join(', ')}`, {
      category: state.category,
      severity: state.severity,
      lines: state.lines,
      reasons: state.reasons,
    });
    updateSearchAttributes();
    // R-LINE-*: the responsible lines are paged at once (management too for major, R-LINE-MGMT).
    if (state.severity === 'major') state.lines = unique<Line>([...state.lines, 'management']);
    const tier = plan.paging[state.severity];
    page('triage', 'page', tier.steps, tier.repeat);
  }

  while (state.status !== 'resolved') {
    archive();
    await flushNotifications();
    fireDue(workflowNow());
    if (outbox.length > 0 || pagingToStart.length > 0 || pagingSignals.length > 0 || customerUpdates.length > 0) continue;
    // A run inside the incident ends before the incident continues as new (it cannot be carried over).
    if (shouldContinueAsNew() && inlineRuns.size === 0) break;
    armSettleTimer();
    const times = wakeTimes();
    const wake = nextWakeUp(times);
    changed = false;
    const work = () =>
      changed || state.status === 'resolved' || outbox.length > 0 || pagingToStart.length > 0 || pagingSignals.length > 0 || customerUpdates.length > 0 || archiveBehind();
    if (lean) {
      armWakeTimer(times, wake);
      await condition(work);
      continue;
    }
    const delay = wake === undefined ? undefined : Math.max(wake - workflowNow().getTime(), 1);
    if (delay === undefined) await condition(work);
    else await condition(work, delay);
  }

  await flushNotifications();
  await condition(() => notifying.size === 0 && inlineRuns.size === 0);
  await condition(allHandlersFinished);
  await archiveFinal();
  if (state.status !== 'resolved') {
    log.info('continuing as new', { incident: state.id, historyLength: workflowInfo().historyLength });
    state.runs += 1;
    return continueAsNew<typeof incidentWorkflow>({
      id: state.id,
      report: state.report,
      reportedAt: state.reportedAt,
      carried: { state, plan: plan!, nextSeq },
    });
  }
  return state;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
