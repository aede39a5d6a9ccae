// Issue 7 (`compactAfterEvents`): an incident whose history grows past the plan's threshold
// continues as new at its next quiet moment, its paging runs carried over where they stand, so
// an incident the worker's cache no longer holds replays a short history. It must change nothing
// anyone sees: the same incident with a plan of before (no threshold, one run) runs beside it on
// the same clock, and both page the same people on the same keys and record the same timeline at
// the same times (R-T-BREACH, R-LINE-*, R-T-CONTACT, R-T-SOLUTION).
import type { WorkflowHandle } from '@temporalio/client';
import type { ResponsePlan } from '../../domain/deadlines';
import type { incidentWorkflow } from '../../workflows/incident';
import { acknowledgeUpdate, type IncidentState } from '../../workflows/contracts';
import { MINUTE, system, teardownEnvironment, waitFor, withHarness, type Harness } from './harness';
import { MOBILE } from './paging-fakes';

afterAll(teardownEnvironment);

const compacting = (plan: ResponsePlan): ResponsePlan => ({ ...plan, compactAfterEvents: 20 });
/** A plan made before the threshold existed: the incident never continues as new to stay short. */
const before = ({ compactAfterEvents: _omitted, ...plan }: ResponsePlan): ResponsePlan => plan;

type Handle = WorkflowHandle<typeof incidentWorkflow>;

/** The timeline as anyone reads it: what happened, to whom, by which run and step, and when (s after the report). */
function seen(state: IncidentState) {
  const reported = Date.parse(state.reportedAt);
  return state.timeline.map((entry) => ({
    type: entry.type,
    second: Math.round((Date.parse(entry.at) - reported) / 1000),
    runKey: entry.data?.runKey,
    round: entry.data?.round,
    step: entry.data?.step,
    person: entry.data?.personId,
    channel: entry.data?.channel,
    people: entry.data?.people,
    deadline: entry.data?.deadline,
    level: entry.data?.level,
    permanent: entry.data?.permanent,
  }));
}

/** Every send key of the incident, its id taken out. */
function sentKeys(h: Harness, state: IncidentState): string[] {
  return h.channels.sent
    .filter((page) => page.key.startsWith(`${state.id}:`))
    .map((page) => page.key.slice(state.id.length))
    .sort();
}

/** Lets the clock run `minutes`, a minute at a time, waiting each time until both incidents have taken what fell due. */
async function runFor(h: Harness, handles: Handle[], minutes: number): Promise<void> {
  for (let i = 0; i < minutes; i++) {
    await h.env.sleep(MINUTE);
    const now = await h.env.currentTimeMs();
    for (const handle of handles) {
      await waitFor(
        async () => (await handle.describe()).raw.pendingWorkflowTask,
        (pending) => !pending,
      );
    }
    expect(await h.env.currentTimeMs()).toBeGreaterThanOrEqual(now);
  }
}

async function sideBySide(h: Harness, minutes: number) {
  const a = await h.start(undefined, { plan: compacting });
  const b = await h.start(undefined, { plan: before });
  await runFor(h, [a.handle, b.handle], minutes);
  const [compacted, single] = await Promise.all([h.state(a.handle), h.state(b.handle)]);
  return { a, b, compacted, single };
}

test('an incident nobody acknowledges continues as new while it pages, and pages and records exactly as one that does not', async () => {
  await withHarness(async (h) => {
    // 70 minutes: both steps of the general tier twice over with each person's follow-ups, the
    // contact warning and breach (and its paging run), the solution warning and breach.
    const { a, compacted, single } = await sideBySide(h, 70);
    expect(single.runs).toBe(1);
    expect(compacted.runs).toBeGreaterThanOrEqual(3);
    const description = await a.handle.describe();
    expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId);
    // The triage run pages for 60 minutes: the runs before that carried it over, not waited for it.
    expect(compacted.timeline.filter((e) => e.type === 'deadline-breached').map((e) => e.data?.deadline)).toEqual(['contact', 'solution']);
    expect(seen(compacted)).toEqual(seen(single));
    expect(sentKeys(h, compacted)).toEqual(sentKeys(h, single));
    expect(sentKeys(h, compacted).length).toBeGreaterThan(10);
    // Every run of the compacting incident stays short.
    const current = await a.handle.fetchHistory();
    expect(current.events!.length).toBeLessThan(80);
  });
}, 300_000);

test('a channel that failed for good before the incident continued is not tried again after it', async () => {
  await withHarness(async (h) => {
    // cs-1's phone refuses every send for good: the sms and the voice call fail permanently once each.
    h.channels.invalid.add(MOBILE(1));
    const { compacted, single } = await sideBySide(h, 25);
    expect(compacted.runs).toBeGreaterThanOrEqual(2);
    expect(seen(compacted)).toEqual(seen(single));
    const failed = (s: IncidentState) => s.timeline.filter((e) => e.type === 'page-failed' && e.data?.personId === 'cs-1');
    expect(failed(compacted).length).toBeGreaterThan(0);
    expect(failed(compacted).length).toBe(failed(single).length);
  });
}, 300_000);

test('an acknowledgement after the incident continued stops the paging run it carried over', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start(undefined, { plan: compacting });
    await runFor(h, [handle], 4);
    const carried = await h.state(handle);
    expect(carried.runs).toBeGreaterThanOrEqual(2);
    expect(carried.pagingRuns).toEqual([`${carried.id}-paging-triage`]);
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    const pagesAtAck = sentKeys(h, carried).length;
    const stopped = await waitFor(() => h.state(handle), (s) => s.pagingRuns.length === 0);
    expect(stopped.timeline.some((e) => e.type === 'acknowledged')).toBe(true);
    // The triage run's second step (due at 10 minutes) and every follow-up never go out.
    await runFor(h, [handle], 15);
    const after = await h.state(handle);
    expect(after.timeline.filter((e) => e.type === 'paging-step' && e.data?.runKey === 'triage')).toHaveLength(1);
    expect(sentKeys(h, after).filter((key) => key.startsWith(':triage:'))).toHaveLength(
      sentKeys(h, carried).filter((key) => key.startsWith(':triage:')).length,
    );
    expect(sentKeys(h, after).length).toBeGreaterThanOrEqual(pagesAtAck);
  });
}, 300_000);
