// R-REV-4 under the time-skipping server: a drill incident runs the real plan — triage, paging,
// a missed contact deadline, its escalation — and every page and notice of it goes to the drill's
// participant only, marked as a drill; the drill report reads the missed deadline off its timeline.
import { buildDrillReport } from '../../domain/drill-report';
import { MINUTE, report, teardownEnvironment, waitFor, withHarness } from './harness';

afterAll(teardownEnvironment);

const drillDown = report({
  title: '[演练] 理赔查询系统宕机',
  description: '演练：理赔查询系统从 9:00 起无法访问，大量客户无法查询理赔进度，约 500 件理赔受影响。',
  source: 'system-alert',
  facts: { system: 'claims-query', affectedClaims: 500 },
  drill: true,
});

test('a drill pages its participant only, at triage and on a breach, and every message says so', async () => {
  await withHarness(async (h) => {
    // claims-b is nobody's pick for a major system incident: tech-1 and mgr-1 would be paged.
    const { handle, triage } = await h.start(drillDown, { participants: ['claims-b'] });
    expect(triage.triage).toMatchObject({ category: 'system', severity: 'major' });
    await waitFor(async () => h.channels.sent, (sent) => sent.length >= 1);

    await h.env.sleep(31 * MINUTE); // the contact deadline is missed: escalation and a breach page
    const state = await waitFor(() => h.state(handle), (s) => s.escalationLevel === 1);
    await waitFor(async () => h.channels.sent.filter((p) => p.key.includes(':breach-contact:')), (b) => b.length >= 1);

    const participantAddresses = ['+8613800000003', 'claims-b@example.com'];
    expect(h.channels.sent.length).toBeGreaterThanOrEqual(2);
    for (const page of h.channels.sent) {
      expect(participantAddresses).toContain(page.to);
      expect(page.text).toMatch(/\[演练\]|\[DRILL\]|演练/);
    }
    // Notices (warnings, breaches, management informed) name the participant as their only recipient.
    expect(h.notifier.sent.length).toBeGreaterThanOrEqual(1);
    for (const notice of h.notifier.sent) {
      expect(notice).toMatchObject({ drill: true, participants: ['claims-b'] });
      expect(notice.subject.startsWith('[DRILL] ')).toBe(true);
    }
    for (const entry of state.timeline.filter((e) => e.type === 'paging-step')) expect(entry.data?.people).toEqual(['claims-b']);

    const drillReport = buildDrillReport(
      { id: 'DRL-TIMESKIPPING', scenario: { id: 'claims-query-down', title: { zh: '演练', en: 'drill' } }, participants: ['claims-b'], startedBy: 'manager-zhao', startedAt: state.reportedAt, status: 'running', incidents: [{ id: state.id, title: state.report.title, reportedAt: state.reportedAt }] },
      [state],
    );
    const [incident] = drillReport.incidents;
    expect(incident!.deadlines.find((d) => d.id === 'contact')).toMatchObject({ state: 'missed' });
    expect(incident!.paged).toEqual(['claims-b']);
    expect(drillReport.pagedOutsideParticipants).toEqual([]);
    expect(incident!.escalations).toBe(1);
  });
});
