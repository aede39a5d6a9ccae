// R-CAT-TIME under time skipping: a decided, unpaid claim is watched; the "close to due" warning
// (R-T-BREACH) and the timeliness incident fire at their working-day instants, moved by a
// holiday week (R-T-CAL); a payout reported paid ends the watch.
import { createCalendar, type CalendarData } from '../../domain/calendar';
import { claimWatchWorkflowId, signalWorkflowId } from '../../domain/correlation-keys';
import type { SignalEvent } from '../../domain/detection';
import { claimWatchStateQuery, decisionQuery } from '../../workflows/detection-contracts';
import type { signalIntakeWorkflow } from '../../workflows/signal-intake';
import { DAY, HOUR, MINUTE, waitFor, withDetectionHarness, type DetectionHarness } from './detection-harness';

/** A made-up holiday week: Monday to Friday of the week after next, relative to `now` (Asia/Shanghai ≈ UTC+8). */
function holidayWeekAfter(now: Date): CalendarData {
  const local = new Date(now.getTime() + 8 * HOUR);
  const daysToMonday = ((8 - local.getUTCDay()) % 7 || 7) + 7;
  const monday = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + daysToMonday));
  const holidays = Array.from({ length: 5 }, (_, i) => new Date(monday.getTime() + i * DAY).toISOString().slice(0, 10));
  return { holidays, workdays: [] };
}

/** Sends an event through its intake and waits for the decision by query: awaiting a result would let the test server skip time. */
async function submit(h: DetectionHarness, event: SignalEvent): Promise<void> {
  const now = new Date(await h.env.currentTimeMs()).toISOString();
  const handle = await h.env.client.workflow.start<typeof signalIntakeWorkflow>('signalIntakeWorkflow', {
    workflowId: signalWorkflowId(event.source, event.sourceEventId),
    taskQueue: h.taskQueue,
    args: [{ event, receivedAt: now }],
  });
  await waitFor(() => handle.query(decisionQuery), (decision) => decision !== undefined);
}

test('warning at 12 and incident at 15 working days, a holiday week later than a weekday count', async () => {
  const start = new Date();
  const calendarData = holidayWeekAfter(start);
  await withDetectionHarness(
    async (h) => {
      const decidedAt = new Date(await h.env.currentTimeMs());
      const calendar = createCalendar(calendarData, 'Asia/Shanghai');
      const weekdaysOnly = createCalendar({ holidays: [], workdays: [] }, 'Asia/Shanghai');
      const warnAt = calendar.addWorkingDays(decidedAt, 12).getTime();
      const dueAt = calendar.addWorkingDays(decidedAt, 15).getTime();
      expect(dueAt - weekdaysOnly.addWorkingDays(decidedAt, 15).getTime()).toBeGreaterThanOrEqual(5 * DAY);

      await submit(h, {
        source: 'claim-status',
        sourceEventId: 'CS-WATCH-1',
        claimId: 'CLM-WATCH-1',
        occurredAt: decidedAt.toISOString(),
        claimStatus: { stage: 'decided', decidedAt: decidedAt.toISOString() },
      });
      const watch = h.env.client.workflow.getHandle(claimWatchWorkflowId('CLM-WATCH-1'));
      const scheduled = await waitFor(() => watch.query(claimWatchStateQuery), (s) => s.schedule !== undefined);
      expect(Date.parse(scheduled.schedule.dueAt)).toBe(dueAt);
      expect(Date.parse(scheduled.schedule.warnAt)).toBe(warnAt);

      // Where a weekday count would already call it late, nothing has happened.
      await h.env.sleep(weekdaysOnly.addWorkingDays(decidedAt, 15).getTime() - decidedAt.getTime() + HOUR);
      expect(h.recorder.individual).toHaveLength(0);
      expect(h.notifier.ofKind('warning')).toHaveLength(0);

      // Close to due (R-T-BREACH): the claims line is warned, no incident yet.
      await h.env.sleep(warnAt - (await h.env.currentTimeMs()) + MINUTE);
      await waitFor(async () => h.notifier.ofKind('warning'), (w) => w.length === 1);
      expect(h.notifier.ofKind('warning')[0]!.lines).toEqual(['claims']);
      expect(h.recorder.individual).toHaveLength(0);

      // At the limit: a timeliness incident with the measured working days.
      await h.env.sleep(dueAt - (await h.env.currentTimeMs()) + MINUTE);
      await waitFor(async () => h.recorder.individual, (opened) => opened.length === 1);
      expect(h.recorder.individual[0]!.report.facts).toMatchObject({ claimId: 'CLM-WATCH-1', daysSinceDecision: 15 });
      const done = await waitFor(() => watch.query(claimWatchStateQuery), (s) => s.due && s.decisions.length === 2);
      expect(done.decisions.map((d) => d.decision)).toEqual(['none', 'opened']);
    },
    { calendarData },
  );
});

test('a payout reported paid ends the watch: no warning, no incident', async () => {
  await withDetectionHarness(async (h) => {
    const decidedAt = new Date(await h.env.currentTimeMs()).toISOString();
    const base = { source: 'claim-status' as const, claimId: 'CLM-WATCH-2' };
    await submit(h, { ...base, sourceEventId: 'CS-WATCH-2a', occurredAt: decidedAt, claimStatus: { stage: 'decided', decidedAt } });
    await h.env.sleep(3 * DAY);
    await submit(h, { ...base, sourceEventId: 'CS-WATCH-2b', claimStatus: { stage: 'paid', decidedAt } });
    const watch = h.env.client.workflow.getHandle(claimWatchWorkflowId('CLM-WATCH-2'));
    const settled = await waitFor(() => watch.query(claimWatchStateQuery), (s) => s.settled !== undefined);
    expect(settled.settled?.stage).toBe('paid');
    await h.env.sleep(40 * DAY);
    expect(h.notifier.ofKind('warning')).toHaveLength(0);
    expect(h.recorder.individual).toHaveLength(0);
  });
});
