// Long-lived incidents continue-as-new before history limits, losing nothing: timeline,
// deadlines, escalation level and pending timers all carry over. A paging run plays inside the
// incident (patch paging-in-the-incident), so the incident continues as new once it has ended.
import { noteUpdate } from '../../workflows/contracts';
import { MINUTE, system, teardownEnvironment, waitFor, withHarness } from './harness';

afterAll(teardownEnvironment);

test('continue-as-new keeps the timeline and the deadlines, and the pending timers still fire', async () => {
  await withHarness(
    async (h) => {
      const { handle } = await h.start();
      const firstRun = (await handle.describe()).runId;
      for (let i = 1; i <= 40; i++) {
        await handle.executeUpdate(noteUpdate, { args: [{ actor: system, text: `note ${i}` }] });
      }
      // The triage paging run (one step of 3 minutes here, cs-1's voice rule at 2 minutes falls inside
      // it rather than on its end) is still on: no continue-as-new yet.
      const during = await h.state(handle);
      expect(during.runs).toBe(1);
      expect(during.pagingRuns).toEqual([`${during.id}-paging-triage`]);
      await h.env.sleep(3 * MINUTE + 1000);
      const state = await waitFor(() => h.state(handle), (s) => s.runs >= 2);
      expect(state.pagingRuns).toEqual([]);
      expect((await handle.describe()).runId).not.toBe(firstRun);
      expect(state.timeline.filter((e) => e.type === 'note').map((e) => e.text)).toEqual(
        Array.from({ length: 40 }, (_, i) => `note ${i + 1}`),
      );
      expect(state.timeline[0]!.type).toBe('reported');
      expect(state.deadlines.find((d) => d.id === 'contact')!.state).toBe('pending');
      // The contact deadline set in the first run still breaches on time in the new run.
      await h.env.sleep(28 * MINUTE);
      const after = await waitFor(
        () => h.state(handle),
        (s) => s.deadlines.find((d) => d.id === 'contact')?.state === 'breached',
      );
      expect(after.escalationLevel).toBe(1);
      const seqs = after.timeline.map((e) => e.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      // The triage paging run was started once, in the first run, and not again after continuing.
      expect(after.timeline.filter((e) => e.type === 'paging-step' && e.data?.runKey === 'triage' && e.data?.round === 0 && e.data?.step === 0)).toHaveLength(1);
      expect(h.channels.sent.filter((p) => p.key.endsWith(':triage:r0:s0:cs-1:sms'))).toHaveLength(1);
    },
    {
      policy: {
        continueAsNewAfterEvents: 100,
        paging: { general: { steps: [{ targets: [{ lines: true }], escalateAfterMinutes: 3 }], repeat: 0 } },
      },
    },
  );
});
