/**
 * One paging run of one incident: an escalation policy played out step by step until someone
 * acknowledges (R-T-BREACH, R-LINE-*). Each step pages the people its targets resolve to at that
 * moment (so a hand-off mid-incident pages the new on-call person at the next step), each person
 * by their own notification rules. Every send and failure is reported to the incident's timeline.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  escalateNowSignal,
  pagingEventSignal,
  stopPagingSignal,
  type IncidentState,
  type PagedPerson,
  type PagingEvent,
  type PagingInput,
} from './contracts';
import { workflowNow, workflowNowMs } from './clock';
import { inTask, type SendInTask } from './sends';

const { resolvePagingTargets } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

// Transient provider failures retry with backoff (a bounded number of times, so a person whose
// channel stays down falls through to the next one); `InvalidContact` is permanent at once.
const { deliverPage } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

// Issue 7: a step's start (targets resolved, the pages due at once sent side by side) in one
// activity. One attempt: what it did not do, the run does with the activities above and their
// retries, under the same keys.
const { openPagingStep } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 1 },
});

/**
 * The patch that opens each paging step with `openPagingStep`: one activity and one workflow
 * task where resolving the targets and then sending each person's first and 0-minute rules one
 * after another took one activity per send and a workflow task per round (bench/RESULTS.md).
 * Histories recorded before it replay through `resolvePagingTargets` and one send at a time.
 */
export const STEP_PATCH = 'one-activity-per-step';

const MINUTE = 60_000;

/** The failure type a channel throws for a contact that can never work (style: permanent failure). */
const INVALID_CONTACT = 'InvalidContact';

/**
 * What a paging run is told while it plays, and where it reports: signals for a run of its own
 * (`pagingWorkflow`), plain fields and a function call for a run inside the incident (issue 7,
 * patch `paging-in-the-incident`).
 */
export interface PagingControl {
  /** Acknowledged or resolved: the run stops at its next turn. */
  stopped: boolean;
  /** "Escalate now": the current step's wait ends at once (reset at every step). */
  escalateNow: boolean;
  /**
   * Steps being opened by `openPagingStep` (issue 7): their pages may already be out while the
   * workflow waits for the activity's answer. `onOpened` is called once such a step and what it
   * sent are on the timeline, so an acknowledgement that came meanwhile is recorded after them.
   */
  opening?: number;
  onOpened?: () => void;
  /** How the incident answers `patched` (its LEAN_TASKS_PATCH stands for STEP_PATCH); `patched` itself otherwise. */
  patched?: (id: string) => boolean;
  /**
   * The archive write the incident has due, handed to the step being opened so that
   * `openPagingStep` carries it (issue 7, patch `archive-with-step`); `written` is told whether it
   * was, once the activity answered (false when it failed or wrote nothing).
   */
  takeArchive?: () => { state: IncidentState; written: (ok: boolean) => void } | undefined;
  /** The incident's sends in its workflow task (issue 7, patch `sends-in-the-task`, workflows/sends.ts); ordinary activities without it. */
  send?: SendInTask;
}

/** A paging run of its own: started by incidents recorded before patch `paging-in-the-incident`. */
export async function pagingWorkflow(input: PagingInput): Promise<'acknowledged' | 'exhausted'> {
  const control: PagingControl = { stopped: input.acknowledged, escalateNow: false };
  setHandler(stopPagingSignal, () => {
    control.stopped = true;
  });
  setHandler(escalateNowSignal, () => {
    control.escalateNow = true;
  });

  const parentId = workflowInfo().parent?.workflowId ?? input.incidentId;
  const incident = getExternalWorkflowHandle(parentId);
  const report = async (event: PagingEvent) => {
    try {
      await incident.signal(pagingEventSignal, event);
    } catch {
      // The incident has closed: nothing left to record on.
    }
  };
  return playPaging(input, control, report);
}

/**
 * Plays one paging run: every step in order, each person by their own rules, until the control
 * says stop or the rounds run out. Every send, failure and step goes to `report` (awaited).
 */
export async function playPaging(
  input: PagingInput,
  control: PagingControl,
  report: (event: PagingEvent) => Promise<void> | void,
): Promise<'acknowledged' | 'exhausted'> {
  const { send } = control;
  type Page = Parameters<Activities['deliverPage']>[0];
  type Step = Parameters<Activities['openPagingStep']>[0];
  const deliver = (page: Page) => (send ? send(() => inTask.deliverPage(page), () => deliverPage(page)) : deliverPage(page));
  const openStep = (step: Step) => (send ? send(() => inTask.openPagingStep(step), () => openPagingStep(step)) : openPagingStep(step));
  /**
   * Pages one person in one step. Rules fire at their `afterMinutes` unless the run stopped or
   * the step moved on before they fell due; a permanent failure moves straight to the person's
   * next channel. Resolves `true` when at least one channel took the page.
   */
  async function pagePerson(
    person: PagedPerson,
    stepKey: string,
    atStart: { sent: ReadonlySet<string>; invalid: ReadonlyMap<string, string> },
    stepOver: () => boolean,
    stepStart: number,
    stepEndedAt: () => number | undefined,
  ): Promise<boolean> {
    const rules = [...person.rules].sort((a, b) => a.afterMinutes - b.afterMinutes);
    const failedChannels = new Set<string>();
    let reached = false;
    let hurry = false;
    for (const [index, rule] of rules.entries()) {
      if (failedChannels.has(rule.channel)) continue;
      if (index > 0 && !hurry) {
        // Follow-up rules only while nobody has acknowledged (an acknowledged run pages once).
        if (input.acknowledged) break;
        const dueAt = stepStart + rule.afterMinutes * MINUTE;
        const wait = dueAt - workflowNowMs();
        if (wait > 0) await condition(() => control.stopped || stepOver(), wait);
        // A rule that fell due while the step was on is sent even when an earlier channel's
        // retries outlasted the step; only one due after the step ended is dropped.
        const endedAt = stepEndedAt();
        if (control.stopped || (endedAt !== undefined && endedAt < dueAt)) break;
      }
      hurry = false;
      const key = `${input.incidentId}:${stepKey}:${person.id}:${rule.channel}`;
      // Sent when the step opened, or by the incident before this run started (on the timeline already).
      if (atStart.sent.has(key)) {
        reached = true;
        continue;
      }
      // Refused for good when the step opened: not tried again, the next channel goes now.
      const invalid = atStart.invalid.get(key);
      if (invalid !== undefined) {
        failedChannels.add(rule.channel);
        await report({ type: 'page-failed', runKey: input.runKey, personId: person.id, channel: rule.channel, error: invalid, permanent: true });
        if (!reached) hurry = true;
        continue;
      }
      try {
        const result = await deliver({ key, personId: person.id, channel: rule.channel, content: input.content });
        reached = true;
        await report({
          type: 'paged',
          runKey: input.runKey,
          personId: person.id,
          channel: rule.channel,
          to: result.to,
          duplicate: result.duplicate,
          attempt: result.attempt,
          failures: result.failures,
        });
      } catch (err) {
        const cause = err instanceof ActivityFailure ? err.cause : err;
        const permanent = cause instanceof ApplicationFailure && cause.type === INVALID_CONTACT;
        failedChannels.add(rule.channel);
        await report({
          type: 'page-failed',
          runKey: input.runKey,
          personId: person.id,
          channel: rule.channel,
          error: cause instanceof Error ? cause.message : String(cause),
          permanent,
        });
        // Nothing reached this person yet: try their next channel now rather than at its time.
        if (!reached) hurry = true;
      }
    }
    return reached;
  }

  const rounds = input.acknowledged ? 1 : input.repeat + 1;
  const steps = input.acknowledged ? input.steps.slice(0, 1) : input.steps;
  for (let round = 0; round < rounds && !control.stopped; round++) {
    for (const [index, step] of steps.entries()) {
      if (control.stopped) break;
      control.escalateNow = false;
      // The first step may have been played by the incident already: same people, not reported twice.
      const playedFirst = round === 0 && index === 0 ? input.first : undefined;
      const stepKey = `${input.runKey}:r${round}:s${index}`;
      const at = workflowNow().toISOString();
      const byActivity = !playedFirst && (control.patched ?? patched)(STEP_PATCH);
      if (byActivity) control.opening = (control.opening ?? 0) + 1;
      const carried = byActivity ? control.takeArchive?.() : undefined;
      const opened = byActivity
        ? await openStep({
            incidentId: input.incidentId,
            stepKey,
            runKey: input.runKey,
            targets: step.targets,
            lines: input.lines,
            at,
            content: input.content,
            acknowledged: input.acknowledged,
            ...(carried ? { archive: carried.state } : {}),
          }).catch(
            // Not even the targets resolved: the run does it all, with its own retries.
            () => undefined,
          )
        : undefined;
      carried?.written(opened?.archived === true);
      // Nothing left by the activity: an acknowledgement need not wait for the fallback.
      const openedNow = () => {
        if (!byActivity) return;
        control.opening = (control.opening ?? 1) - 1;
        control.onOpened?.();
      };
      if (!opened) openedNow();
      const people = playedFirst?.people ?? opened?.people ?? (await resolvePagingTargets({ targets: step.targets, lines: input.lines, at }));
      const atStart = {
        sent: new Set(playedFirst?.sent ?? opened?.paged.map((page) => page.key) ?? []),
        invalid: new Map((opened?.invalid ?? []).map(({ key, error }) => [key, error])),
      };
      if (!playedFirst) await report({ type: 'step', runKey: input.runKey, round, step: index, people: people.map((p) => p.id) });
      for (const { key: _key, ...paged } of opened?.paged ?? []) await report(paged);
      if (opened) openedNow();
      let over = false;
      let overAt: number | undefined = undefined;
      let settled = 0;
      let reachedAny = false;
      const stepStart = workflowNowMs();
      const pages = people.map((person) =>
        pagePerson(person, stepKey, atStart, () => over, stepStart, () => overAt).then((reached) => {
          settled += 1;
          reachedAny ||= reached;
        }),
      );
      // Wait for an acknowledgement, the step's time, "escalate now", or — when nobody at all
      // could be reached — move on at once (and tell management, R-LINE-MGMT).
      const unreachable = () => settled === people.length && !reachedAny;
      const waitMs = step.escalateAfterMinutes * MINUTE;
      if (waitMs > 0) await condition(() => control.stopped || control.escalateNow || unreachable(), waitMs);
      if (unreachable()) await report({ type: 'unreachable', runKey: input.runKey, round, step: index });
      over = true;
      overAt = workflowNowMs();
      await Promise.all(pages);
      if (input.acknowledged) break;
    }
  }
  const outcome = control.stopped ? 'acknowledged' : 'exhausted';
  await report({ type: 'finished', runKey: input.runKey, reason: outcome });
  return outcome;
}
