// R-T-COMPLAINT: complaints also need a reply within 24 hours and a finished investigation within
// 15 working days, counted on the R-T-CAL calendar (holidays off).
import { createCalendar } from '../../domain/calendar';
import { contactUpdate, solutionUpdate } from '../../workflows/contracts';
import { DAY, HOUR, MINUTE, environment, report, system, teardownEnvironment, waitFor, withHarness } from './harness';

afterAll(teardownEnvironment);

const complaint = report({
  title: 'Customer files a formal complaint about staff attitude',
  description: 'The customer says the claims officer was rude and files a formal complaint (投诉) about the handling.',
});

test('R-T-COMPLAINT reply: a solution within 24 hours meets the reply deadline', async () => {
  await withHarness(async (h) => {
    const { handle, triage } = await h.start(complaint);
    expect(triage.triage.category).toBe('complaint');
    expect(triage.deadlines.map((d) => d.id)).toEqual(
      expect.arrayContaining(['contact', 'solution', 'progress-1', 'complaint-reply', 'complaint-investigation']),
    );
    await h.env.sleep(20 * MINUTE);
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'apologised, collected facts' }] });
    await h.env.sleep(30 * MINUTE);
    await handle.executeUpdate(solutionUpdate, { args: [{ actor: system, text: 'formal reply sent' }] });
    const state = await h.state(handle);
    expect(state.deadlines.find((d) => d.id === 'complaint-reply')).toMatchObject({ state: 'met', metBy: 'solution' });
  });
});

test('R-T-COMPLAINT reply breached after 24 hours without a reply', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start(complaint);
    await h.env.sleep(24 * HOUR + MINUTE);
    const state = await waitFor(
      () => h.state(handle),
      (s) => s.deadlines.find((d) => d.id === 'complaint-reply')?.state === 'breached',
    );
    expect(state.timeline.some((e) => e.type === 'deadline-warning' && e.data?.deadline === 'complaint-reply')).toBe(true);
  });
});

test('R-T-COMPLAINT + R-T-CAL: the 15-working-day investigation skips a holiday and breaches only then', async () => {
  // A calendar (replaceable by configuration) with a three-day holiday right after today.
  const plain = createCalendar({ holidays: [], workdays: [] });
  const today = await (await environment()).currentTimeMs();
  const holidays: string[] = [];
  for (let t = today + DAY; holidays.length < 3; t += DAY) {
    const at = new Date(t);
    if (plain.isWorkingDay(at)) holidays.push(plain.localDate(at));
  }
  await withHarness(
    async (h) => {
      const { handle, triage } = await h.start(complaint);
      const reportedAt = new Date((await h.state(handle)).reportedAt);
      const due = triage.deadlines.find((d) => d.id === 'complaint-investigation')!.dueAt;
      expect(due).toBe(h.calendar.addWorkingDays(reportedAt, 15).toISOString());
      // Three holidays inside the window: 18 plain weekdays.
      expect(due).toBe(plain.addWorkingDays(reportedAt, 18).toISOString());
      await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'called' }] });
      await handle.executeUpdate(solutionUpdate, { args: [{ actor: system, text: 'replied' }] });
      // Just before the due time the investigation is still pending (and warned).
      await h.env.sleep(Date.parse(due) - (await h.now()).getTime() - 10 * MINUTE);
      let state = await waitFor(
        () => h.state(handle),
        (s) => s.deadlines.find((d) => d.id === 'complaint-investigation')?.warned === true,
      );
      expect(state.deadlines.find((d) => d.id === 'complaint-investigation')!.state).toBe('pending');
      await h.env.sleep(11 * MINUTE);
      state = await waitFor(
        () => h.state(handle),
        (s) => s.deadlines.find((d) => d.id === 'complaint-investigation')?.state === 'breached',
      );
      expect(state.timeline.find((e) => e.type === 'deadline-breached' && e.data?.deadline === 'complaint-investigation')!.data!.dueAt).toBe(due);
    },
    // Daily updates are beside the point here: a 30-day interval keeps them out of the way.
    { calendarData: { holidays, workdays: [] }, policy: { deadlines: { progressIntervalMinutes: 30 * 24 * 60 } } },
  );
  // Three simulated weeks of timers: generous for a loaded machine.
}, 180_000);
