// R-T-DAILY: a progress update every day until resolved.
import { contactUpdate, progressUpdate, resolveUpdate, solutionUpdate } from '../../workflows/contracts';
import { DAY, HOUR, MINUTE, system, teardownEnvironment, waitFor, withHarness } from './harness';

afterAll(teardownEnvironment);

test('R-T-DAILY met three days running: each update meets the day and sets the next one a day later', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start();
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'called' }] });
    await handle.executeUpdate(solutionUpdate, { args: [{ actor: system, text: 'plan agreed' }] });
    for (let day = 1; day <= 3; day++) {
      await h.env.sleep(20 * HOUR);
      await handle.executeUpdate(progressUpdate, { args: [{ actor: system, text: `day ${day}: still verifying` }] });
    }
    const state = await h.state(handle);
    const progress = state.deadlines.filter((d) => d.kind === 'progress');
    expect(progress.map((d) => [d.id, d.state])).toEqual([
      ['progress-1', 'met'],
      ['progress-2', 'met'],
      ['progress-3', 'met'],
      ['progress-4', 'pending'],
    ]);
    const updates = state.timeline.filter((e) => e.type === 'progress');
    expect(Date.parse(progress[3]!.dueAt) - Date.parse(updates[2]!.at)).toBe(DAY);
    expect(state.escalationLevel).toBe(0);
  });
});

test('R-T-DAILY breached: a missed day breaches, escalates, and the next update keeps the daily cadence', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start();
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'called' }] });
    await handle.executeUpdate(solutionUpdate, { args: [{ actor: system, text: 'plan agreed' }] });
    await h.env.sleep(DAY + MINUTE);
    const state = await waitFor(
      () => h.state(handle),
      (s) => s.deadlines.find((d) => d.id === 'progress-1')?.state === 'breached',
    );
    const [first, second] = state.deadlines.filter((d) => d.kind === 'progress');
    expect(second!.state).toBe('pending');
    expect(Date.parse(second!.dueAt) - Date.parse(first!.dueAt)).toBe(DAY);
    expect(state.timeline.some((e) => e.type === 'deadline-warning' && e.data?.deadline === 'progress-1')).toBe(true);
    expect(state.escalationLevel).toBe(1);
    // Resolution ends the daily updates: nothing further is due or breached.
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid in full' }] });
    await h.env.sleep(2 * DAY);
    const final = await handle.result();
    expect(final.status).toBe('resolved');
    expect(final.deadlines.filter((d) => d.state === 'breached').map((d) => d.id)).toEqual(['progress-1']);
  });
});

test('R-T-DAILY to the customer: an update can also go to the customer from the category template, recorded masked', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start();
    await handle.executeUpdate(progressUpdate, {
      args: [{ actor: system, text: '复核已完成，款项将于两个工作日内到账', customer: { channel: 'sms', address: '+8613912345678' } }],
    });
    const state = await waitFor(() => h.state(handle), (s) => s.timeline.some((e) => e.type === 'customer-notified'));
    const sent = h.channels.to('+8613912345678');
    expect(sent).toHaveLength(1);
    // The complaint template (zh by default) wraps the update.
    expect(sent[0]!.text).toContain('投诉处理进度');
    expect(sent[0]!.text).toContain('复核已完成');
    expect(sent[0]!.text).toContain(state.id);
    const entry = state.timeline.find((e) => e.type === 'customer-notified')!;
    expect(entry.text).not.toContain('13912345678');
    expect(entry.data).toMatchObject({ channel: 'sms' });
    expect(state.deadlines.find((d) => d.id === 'progress-1')!.state).toBe('met');
  });
});
