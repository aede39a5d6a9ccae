// R-T-BREACH + R-LINE-MGMT: breaches escalate level by level; major incidents involve management;
// deadlines met on time escalate nothing.
import { contactUpdate, progressUpdate, solutionUpdate } from '../../workflows/contracts';
import { MOBILE } from './paging-fakes';
import { HOUR, MINUTE, report, system, teardownEnvironment, waitFor, withHarness } from './harness';

afterAll(teardownEnvironment);

const systemDown = report({
  title: '理赔核心系统宕机，客户无法提交理赔',
  description: '理赔核心系统从 9:00 起无法访问，大面积影响新理赔提交，约 500 件理赔受影响。',
  source: 'system-alert',
  facts: { system: 'claims-core', affectedClaims: 500 },
});

test('R-LINE-MGMT: a major incident pages management at triage', async () => {
  await withHarness(async (h) => {
    const { handle, triage } = await h.start(systemDown);
    expect(triage.triage).toMatchObject({ category: 'system', severity: 'major' });
    expect(triage.triage.lines).toEqual(expect.arrayContaining(['technology', 'management']));
    // The major policy's first step pages the responsible lines and management at once.
    const state = await waitFor(() => h.state(handle), (s) => s.timeline.some((e) => e.type === 'paging-step'));
    const step = state.timeline.find((e) => e.type === 'paging-step')!;
    expect(step.data?.people).toEqual(expect.arrayContaining(['tech-1', 'mgr-1']));
    await waitFor(async () => h.channels.to(MOBILE(5)), (sent) => sent.length >= 1);
    await waitFor(async () => h.channels.to(MOBILE(4)), (sent) => sent.length >= 1);
  });
});

test('R-T-BREACH: each breach climbs one level; a major breach always pages management', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start(systemDown);
    await h.env.sleep(31 * MINUTE); // contact breached
    await waitFor(() => h.state(handle), (s) => s.escalationLevel === 1);
    await h.env.sleep(30 * MINUTE); // solution breached
    const state = await waitFor(() => h.state(handle), (s) => s.escalationLevel === 2);
    // Each breach pages management's on-call person (mgr-1) in its own paging run.
    for (const deadline of ['contact', 'solution']) {
      await waitFor(async () => h.channels.to(MOBILE(5)).filter((p) => p.key.includes(`:breach-${deadline}:`)), (b) => b.length >= 1);
    }
    expect(state.timeline.filter((e) => e.type === 'escalated').map((e) => e.data?.level)).toEqual([1, 2]);
  });
});

test('a minor incident climbs its own ladder: customer service, then claims, then management', async () => {
  await withHarness(async (h) => {
    const { handle, triage } = await h.start(
      report({
        title: 'Wrong invoice title on a submitted claim',
        description: 'The hospital invoice shows the wrong title; the customer needs guidance to get a corrected invoice.',
        source: 'ticket',
      }),
    );
    expect(triage.triage.severity).toBe('minor');
    await h.env.sleep(61 * MINUTE);
    await waitFor(() => h.state(handle), (s) => s.escalationLevel === 2);
    // Breach 1 pages the next level (claims), breach 2 the one after (management).
    const state = await waitFor(
      () => h.state(handle),
      (s) => s.timeline.filter((e) => e.type === 'paging-step' && String(e.data?.runKey).startsWith('breach-')).length === 2,
    );
    const breachSteps = state.timeline.filter((e) => e.type === 'paging-step' && String(e.data?.runKey).startsWith('breach-'));
    expect(breachSteps.map((e) => e.data?.runKey)).toEqual(['breach-contact', 'breach-solution']);
    expect(breachSteps[0]!.data?.people).toEqual([expect.stringMatching(/^claims-[ab]$/)]);
    expect(breachSteps[1]!.data?.people).toEqual(['mgr-1']);
  });
});

test('deadlines met on time escalate nothing over two days', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start();
    await h.env.sleep(10 * MINUTE);
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'called' }] });
    await handle.executeUpdate(solutionUpdate, { args: [{ actor: system, text: 'extension granted' }] });
    for (let day = 0; day < 2; day++) {
      await h.env.sleep(20 * HOUR);
      await handle.executeUpdate(progressUpdate, { args: [{ actor: system, text: 'update sent' }] });
    }
    const state = await h.state(handle);
    expect(state.escalationLevel).toBe(0);
    expect(state.timeline.filter((e) => ['escalated', 'deadline-breached'].includes(e.type))).toEqual([]);
    expect(h.channels.sent.filter((p) => p.key.includes(':breach-'))).toEqual([]);
  });
});
