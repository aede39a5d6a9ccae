/**
 * Issue 7, patch `sends-in-the-task`: an incident's sends (a paging step's opening, a person's
 * follow-up page, a notification) run first as local activities, inside the workflow task that
 * decided them. An ordinary activity costs the task that schedules it, the activity task, and a
 * second workflow task for its answer; on a Temporal server that writes every change to one
 * SQLite file that was most of an incident's work in the breach window (bench/RESULTS.md, "Sends
 * in the workflow task"). A local activity's answer is a marker in the same task's completion.
 *
 * What the two earlier local activities of this workflow taught (workflows/incident.ts,
 * FIRST_PAGE_WITHDRAWN_PATCH and ARCHIVE_ACTIVITY_PATCH: replays after a SIGKILL failed with
 * TMPRL1100) is kept here:
 * - one local activity in flight per incident at a time: each send waits for the one before it
 *   to settle, in the order the workflow asked for them, so the answers come back in one order
 *   when first run and on replay;
 * - one attempt and no retry timer: a send that fails or takes longer than LOCAL_SEND_TIMEOUT is
 *   handed to the ordinary activity, with its retries, under the same key. The sent ledger makes
 *   that safe: a send the local attempt made is not made again, and one it was still making when
 *   it timed out decides what the ordinary activity does (activities/paging.ts, `begin`).
 * - the timeout is short, so a slow provider holds the incident's workflow task (and with it the
 *   incident's next timer) for at most that long before the ordinary activity takes over.
 * A permanent refusal (a non-retryable failure, e.g. an invalid contact) is the answer: the
 * ordinary activity would only be refused again. The sends of the workflow task that triages the
 * report (the triage step's pages) stay ordinary activities, so the report's answer never waits
 * for them.
 */
import { ActivityFailure, ApplicationFailure, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export const SENDS_IN_TASK_PATCH = 'sends-in-the-task';

/** Long enough for a provider's answer (an SMTP relay or Twilio answers in about a second). */
const LOCAL_SEND_TIMEOUT = '3 seconds';

export const inTask = proxyLocalActivities<Activities>({
  startToCloseTimeout: LOCAL_SEND_TIMEOUT,
  retry: { maximumAttempts: 1 },
});

/** Runs `local`, one at a time per incident, and `ordinary` when it did not answer. */
export type SendInTask = <T>(local: () => Promise<T>, ordinary: () => Promise<T>) => Promise<T>;

/**
 * One queue per incident run: a send waits for the local activity before it to settle. Sends
 * asked for in the workflow task that `answering` names (the one that answers the report: the
 * API's 201 waits for it) are ordinary activities, so that answer never waits for a send.
 */
export function sendsInTask(answering: () => boolean): SendInTask {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(local: () => Promise<T>, ordinary: () => Promise<T>): Promise<T> => {
    if (answering()) return ordinary();
    const turn = tail.then(local).then(
      (value) => ({ ok: true as const, value }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    tail = turn;
    return turn.then((result) => {
      if (result.ok) return result.value;
      if (permanent(result.err)) throw result.err;
      return ordinary();
    });
  };
}

function permanent(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
}
