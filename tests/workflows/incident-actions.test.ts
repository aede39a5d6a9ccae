// Every action's valid and invalid cases, each recorded on the timeline with actor and time
// (R-SEC-2, R-SYNC); R-SEV-UP and R-CAT-X for reclassification.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  FORBIDDEN,
  INVALID_TRANSITION,
  acknowledgeUpdate,
  attachLinksUpdate,
  attachUpdate,
  contactUpdate,
  noteUpdate,
  progressUpdate,
  reclassifyUpdate,
  resolveUpdate,
  solutionUpdate,
} from '../../workflows/contracts';
import { manager, report, system, teardownEnvironment, withHarness } from './harness';

afterAll(teardownEnvironment);

async function rejection(promise: Promise<unknown>): Promise<{ type: string | undefined | null; message: string }> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return { type: (cause as ApplicationFailure).type, message: (cause as ApplicationFailure).message };
  }
  throw new Error('expected the update to be rejected');
}

test('acknowledge → contact → solution → progress → note → resolve, each on the timeline with actor and time', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start();
    let state = await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    expect(state.status).toBe('acknowledged');
    expect(state.acknowledgedBy).toBe('lead-wang');
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'called the customer' }] });
    await handle.executeUpdate(solutionUpdate, { args: [{ actor: system, text: 'extension of 5 days' }] });
    await handle.executeUpdate(progressUpdate, { args: [{ actor: system, text: 'documents received' }] });
    await handle.executeUpdate(noteUpdate, { args: [{ actor: manager, text: 'watch this one' }] });
    state = await handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid on 2026-11-22' }] });
    expect(state.status).toBe('resolved');
    expect(state.resolution).toBe('paid on 2026-11-22');
    const types = state.timeline.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['reported', 'triaged', 'acknowledged', 'contacted', 'solution', 'progress', 'note', 'resolved']),
    );
    for (const e of state.timeline) {
      expect(e.actor).toBeTruthy();
      expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    }
    expect(state.timeline.find((e) => e.type === 'note')!.actor).toBe('manager-zhao');
    // seq is strictly increasing: one ordered timeline.
    const seqs = state.timeline.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // Resolution met every open deadline.
    expect(state.deadlines.filter((d) => d.state === 'pending')).toEqual([]);
    expect((await handle.result()).status).toBe('resolved');
  });
});

test('invalid actions are rejected with a reason and change nothing', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start();
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    expect(await rejection(handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] }))).toMatchObject({
      type: INVALID_TRANSITION,
      message: expect.stringContaining('already acknowledged'),
    });
    expect(await rejection(handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: '   ' }] }))).toMatchObject({
      type: INVALID_TRANSITION,
      message: expect.stringContaining('text'),
    });
    expect(await rejection(handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: '' }] }))).toMatchObject({
      type: INVALID_TRANSITION,
      message: expect.stringContaining('summary'),
    });
    const before = await h.state(handle);
    expect(before.timeline.filter((e) => e.type === 'contacted')).toHaveLength(0);
    expect(before.status).toBe('acknowledged');
  });
});

test('after resolve the incident is closed: resolving again or recording a contact fails', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start();
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'done' }] });
    const final = await handle.result();
    expect(final.status).toBe('resolved');
    // The run has ended: updates on it fail and the API answers 409 (tests/api).
    await expect(handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'again' }] })).rejects.toThrow();
    await expect(handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'late' }] })).rejects.toThrow();
  });
});

test('R-SEV-UP: on-call may raise a tier; lowering it needs a manager', async () => {
  await withHarness(async (h) => {
    const { handle, triage } = await h.start();
    expect(triage.triage.severity).toBe('general');
    let state = await handle.executeUpdate(reclassifyUpdate, {
      args: [{ actor: system, severity: 'major', reason: 'a journalist called' }],
    });
    expect(state.severity).toBe('major');
    expect(state.lines).toContain('management');
    expect(state.timeline.find((e) => e.type === 'severity-changed')).toMatchObject({ actor: 'lead-wang', data: { from: 'general', to: 'major' } });
    expect(
      await rejection(handle.executeUpdate(reclassifyUpdate, { args: [{ actor: system, severity: 'minor', reason: 'calmed down' }] })),
    ).toMatchObject({ type: FORBIDDEN, message: expect.stringContaining('R-SEV-UP') });
    state = await handle.executeUpdate(reclassifyUpdate, { args: [{ actor: manager, severity: 'general', reason: 'no press after all' }] });
    expect(state.severity).toBe('general');
  });
});

test('R-CAT-X: a manager reclassifies to complaint, which adds the complaint deadlines from the report time', async () => {
  await withHarness(async (h) => {
    const { handle, triage } = await h.start(
      report({ title: 'Payout late', description: 'Customer has not received the payout 20 working days after approval.', facts: { daysSinceDecision: 20 } }),
    );
    expect(triage.triage.category).toBe('timeliness');
    expect(
      await rejection(handle.executeUpdate(reclassifyUpdate, { args: [{ actor: system, category: 'complaint', reason: 'x' }] })),
    ).toMatchObject({ type: FORBIDDEN });
    const state = await handle.executeUpdate(reclassifyUpdate, {
      args: [{ actor: manager, category: 'complaint', reason: 'customer filed a formal complaint' }],
    });
    expect(state.category).toBe('complaint');
    expect(state.deadlines.map((d) => d.id)).toEqual(expect.arrayContaining(['complaint-reply', 'complaint-investigation']));
    const reply = state.deadlines.find((d) => d.id === 'complaint-reply')!;
    expect(Date.parse(reply.dueAt) - Date.parse(state.reportedAt)).toBe(24 * 3600_000);
    expect(state.timeline.find((e) => e.type === 'reclassified')).toMatchObject({ actor: 'manager-zhao', data: { from: 'timeliness', to: 'complaint' } });
  });
});

test('R-CAT-COMP, issue 7: attach-links answers the standing, and its answer does not grow with the links a group gathers', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start();
    const batch = (from: number) =>
      Array.from({ length: 200 }, (_, i) => ({ kind: 'customer' as const, ref: `CUST-${from + i}`, reason: 'complaining customer (R-CAT-COMP)' }));
    const first = await handle.executeUpdate(attachLinksUpdate, {
      args: [{ actor: system, links: [{ kind: 'event', ref: 'hotline:HL-1', reason: 'detected event' }, ...batch(0)] }],
    });
    expect(first).toMatchObject({ status: 'triggered', firstEventRef: 'hotline:HL-1', links: 201, added: 201 });
    expect(first.severity).toBeDefined();
    expect(first.category).toBeDefined();
    expect(Object.keys(first)).not.toContain('timeline');
    const second = await handle.executeUpdate(attachLinksUpdate, { args: [{ actor: system, links: batch(200) }] });
    const third = await handle.executeUpdate(attachLinksUpdate, { args: [{ actor: system, links: batch(400) }] });
    expect([second.links, third.links, third.added]).toEqual([401, 601, 200]);
    // Idempotent by kind and ref, as `attach` is: a retried batch adds nothing.
    const again = await handle.executeUpdate(attachLinksUpdate, { args: [{ actor: system, links: batch(200) }] });
    expect(again).toMatchObject({ links: 601, added: 0, firstEventRef: 'hotline:HL-1' });
    // The whole-state `attach` is unchanged for its other callers, and sees the same links.
    const state = await handle.executeUpdate(attachUpdate, { args: [{ actor: system, links: batch(600) }] });
    expect(state.links).toHaveLength(801);
    expect(state.timeline.filter((e) => e.type === 'linked')).toHaveLength(4);

    // What each answer wrote into the history: attach-links the same few hundred bytes at 201
    // links as at 601, `attach` its whole state.
    const history = await handle.fetchHistory();
    const sizes = (history.events ?? [])
      .map((e) => e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success?.payloads?.[0]?.data?.length)
      .filter((n): n is number => n !== undefined);
    expect(sizes).toHaveLength(6); // the triage update's answer, then the five above
    const [a, b, c, d, whole] = sizes.slice(1) as [number, number, number, number, number];
    expect(Math.max(a, b, c, d)).toBeLessThan(1024);
    expect(Math.abs(c - a)).toBeLessThan(16);
    expect(whole).toBeGreaterThan(801 * 40);
  });
});
