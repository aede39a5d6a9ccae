/**
 * One workflow per decided, unpaid claim: the payout clock (R-CAT-TIME). A claims feed reports
 * a claim when its status changes, not when it turns late; this watch turns the plan's limits
 * into timers. At the "close to due" instant (R-T-BREACH) and at the contractual limit (15
 * working days, R-T-CAL: both computed by an activity from the calendar) it sends the claim
 * through detection again as a claim-status event of its own — a child intake workflow with a
 * fixed id — so the warning and the timeliness incident follow exactly the path, the
 * idempotency and the duplicate handling of any other event. A paid or closed record ends it.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { condition, executeChild, setHandler } from '@temporalio/workflow';
import { workflowNowMs } from './clock';
import {
  claimRescheduledSignal,
  claimSettledSignal,
  claimWatchStateQuery,
  type ClaimWatchInput,
  type ClaimWatchState,
  type SignalDecision,
} from './detection-contracts';
import type { signalIntakeWorkflow } from './signal-intake';

export async function claimWatchWorkflow(input: ClaimWatchInput): Promise<ClaimWatchState> {
  const state: ClaimWatchState = { schedule: input.schedule, warned: false, due: false, decisions: [] };
  let rescheduled = false;

  setHandler(claimWatchStateQuery, () => state);
  setHandler(claimRescheduledSignal, (schedule) => {
    if (schedule.decidedAt === state.schedule.decidedAt) return;
    state.schedule = schedule;
    state.warned = false;
    state.due = false;
    rescheduled = true;
  });
  setHandler(claimSettledSignal, (settled) => {
    state.settled = settled;
  });

  /** Sends the claim through detection as its own claim-status event; the same decision on any retry. */
  async function measure(which: 'warn' | 'due'): Promise<void> {
    const { schedule } = state;
    const event = which === 'warn' ? schedule.warnEvent : schedule.dueEvent;
    const workflowId = which === 'warn' ? schedule.warnWorkflowId : schedule.dueWorkflowId;
    let decision: SignalDecision;
    try {
      decision = await executeChild<typeof signalIntakeWorkflow>('signalIntakeWorkflow', {
        workflowId,
        args: [{ event, receivedAt: event.occurredAt ?? schedule.dueAt }],
        parentClosePolicy: 'ABANDON',
      });
    } catch (err) {
      // Started before (this watch continued, or replays after a crash): read what it decided.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      decision = { decision: 'none', reason: `already measured by ${workflowId}`, eventRef: `${event.source}:${event.sourceEventId}`, reasons: [] };
    }
    state.decisions.push(decision);
  }

  for (;;) {
    rescheduled = false;
    const { warnAt, dueAt } = state.schedule;
    if (!state.warned) {
      await condition(() => state.settled !== undefined || rescheduled, Math.max(1, Date.parse(warnAt) - workflowNowMs()));
      if (state.settled) break;
      if (rescheduled) continue;
      state.warned = true;
      await measure('warn');
    }
    if (!state.due) {
      await condition(() => state.settled !== undefined || rescheduled, Math.max(1, Date.parse(dueAt) - workflowNowMs()));
      if (state.settled) break;
      if (rescheduled) continue;
      state.due = true;
      await measure('due');
    }
    break;
  }
  return state;
}
