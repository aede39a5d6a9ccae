// R-T-SOLUTION: an initial solution within 1 hour; warning 15 minutes before, breach after.
import { contactUpdate, solutionUpdate } from '../../workflows/contracts';
import { MINUTE, report, system, teardownEnvironment, waitFor, withHarness } from './harness';

afterAll(teardownEnvironment);

const infoReport = report({
  title: '发票抬头错误，理赔被退回',
  description: '客户提交的发票抬头写错了公司名称，理赔材料被退回，需要指导客户重新开具。',
  facts: { claimId: 'CLM-2026-000777' },
});

test('R-T-SOLUTION met: contact at 5 min and a solution at 40 min meet both deadlines, no escalation', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start(infoReport);
    await h.env.sleep(5 * MINUTE);
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: '已联系客户' }] });
    await h.env.sleep(35 * MINUTE);
    await handle.executeUpdate(solutionUpdate, { args: [{ actor: system, text: '指导客户重开发票，时限延长 5 天' }] });
    await h.env.sleep(30 * MINUTE);
    const state = await h.state(handle);
    expect(state.deadlines.find((d) => d.id === 'solution')).toMatchObject({ state: 'met', metBy: 'solution', warned: false });
    expect(state.escalationLevel).toBe(0);
    expect(h.channels.sent.filter((p) => p.key.includes(':breach-'))).toHaveLength(0);
  });
});

test('R-T-SOLUTION warned at 45 minutes, breached at 60 with escalation', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start(infoReport);
    await h.env.sleep(5 * MINUTE);
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: '已联系客户' }] });
    await h.env.sleep(41 * MINUTE);
    let state = await waitFor(
      () => h.state(handle),
      (s) => s.timeline.some((e) => e.type === 'deadline-warning' && e.data?.deadline === 'solution'),
    );
    expect(state.deadlines.find((d) => d.id === 'solution')!.state).toBe('pending');
    await h.env.sleep(15 * MINUTE);
    state = await waitFor(
      () => h.state(handle),
      (s) => s.deadlines.find((d) => d.id === 'solution')?.state === 'breached',
    );
    expect(state.deadlines.find((d) => d.id === 'contact')!.state).toBe('met');
    expect(state.escalationLevel).toBe(1);
    const breachPages = await waitFor(
      async () => h.channels.sent.filter((p) => p.key.startsWith(`${state.id}:breach-solution:`)),
      (b) => b.length >= 1,
    );
    // Minor tier: the ladder's next level after customer service is claims.
    expect(h.policy.escalation[state.severity!][1]).toEqual(['claims']);
    expect(breachPages.map((p) => p.key)).toEqual(expect.arrayContaining([expect.stringMatching(/:claims-[ab]:sms$/)]));
  });
});
