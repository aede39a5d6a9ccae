/**
 * The drill report (R-REV-4) from hand-built drill incidents: who was paged, who acknowledged and
 * how fast, which deadlines held or were missed — and anyone paged outside the participants.
 */
import { buildDrillReport, type DrillRecord } from '../../domain/drill-report';
import { build } from './review-month';

const start = '2026-11-20T01:00:00.000Z'; // 09:00 in Shanghai
const paged = (personId: string, channel: string) => ({ personId, channel });

function withPages(incident: ReturnType<typeof build>, pages: { personId: string; channel: string; minutes: number; failed?: boolean }[], acknowledgedBy?: string) {
  const base = Date.parse(incident.reportedAt);
  let seq = incident.timeline.length;
  for (const page of pages) {
    incident.timeline.push({
      seq: ++seq,
      at: new Date(base + page.minutes * 60_000).toISOString(),
      type: page.failed ? 'page-failed' : 'paged',
      actor: 'system',
      text: `${page.personId} via ${page.channel}`,
      data: { ...paged(page.personId, page.channel), runKey: 'triage' },
    });
  }
  return acknowledgedBy ? { ...incident, acknowledgedBy } : incident;
}

const down = withPages(
  build({ id: 'INC-DRILL00000001', reportedAt: start, category: 'system', severity: 'major', status: 'acknowledged', drill: true,
    at: { acknowledged: 4, contacted: 40 }, deadlines: [['contact', 'breached'], ['solution', 'pending']], escalations: [1] }),
  [{ personId: 'tech-wu', channel: 'sms', minutes: 0 }, { personId: 'mgmt-xu', channel: 'email', minutes: 0 }, { personId: 'mgmt-xu', channel: 'sms', minutes: 2, failed: true }],
  'tech-wu',
);
const complaint = withPages(
  build({ id: 'INC-DRILL00000002', reportedAt: start, category: 'complaint', severity: 'general', status: 'resolved', drill: true,
    at: { acknowledged: 10, contacted: 20, solution: 50, resolved: 90 }, deadlines: [['contact', 'met'], ['solution', 'met'], ['complaint-reply', 'met']] }),
  [{ personId: 'mgmt-xu', channel: 'email', minutes: 0 }, { personId: 'claims-wang', channel: 'sms', minutes: 1 }],
  'mgmt-xu',
);

const drill: DrillRecord = {
  id: 'DRL-0000000000AA',
  scenario: { id: 'claims-query-down', title: { zh: '理赔查询系统宕机', en: 'Claims query system down' } },
  participants: ['tech-wu', 'mgmt-xu'],
  startedBy: 'manager-zhao',
  startedAt: start,
  status: 'running',
  incidents: [
    { id: down.id, title: down.report.title, reportedAt: start },
    { id: complaint.id, title: complaint.report.title, reportedAt: start },
    { id: 'INC-DRILL00000003', title: 'not started yet', reportedAt: start },
  ],
};

const report = buildDrillReport(drill, [complaint, down]);

test('per incident: pages in order with minutes after the report, the acknowledgement and its time', () => {
  const [first] = report.incidents;
  expect(first!.pages).toEqual([
    { personId: 'tech-wu', channel: 'sms', at: start, minutesAfterReport: 0, delivered: true },
    { personId: 'mgmt-xu', channel: 'email', at: start, minutesAfterReport: 0, delivered: true },
    { personId: 'mgmt-xu', channel: 'sms', at: '2026-11-20T01:02:00.000Z', minutesAfterReport: 2, delivered: false },
  ]);
  expect(first!.paged).toEqual(['tech-wu', 'mgmt-xu']);
  expect(first!.acknowledged).toEqual({ by: 'tech-wu', at: '2026-11-20T01:04:00.000Z', minutes: 4 });
  expect(first!.minutesToContact).toBe(40);
  expect(first!.escalations).toBe(1);
});

test('which deadlines held and which were missed', () => {
  expect(report.incidents[0]!.deadlines.map((d) => [d.id, d.state])).toEqual([['contact', 'missed'], ['solution', 'pending']]);
  expect(report.incidents[1]!.deadlines.map((d) => d.state)).toEqual(['held', 'held', 'held']);
  expect(report.totals).toEqual({ incidents: 3, acknowledged: 2, medianMinutesToAcknowledge: 7, deadlinesHeld: 3, deadlinesMissed: 1, deadlinesPending: 1 });
});

test('per participant: incidents paged, acknowledged, fastest acknowledgement', () => {
  expect(report.participants).toEqual([
    { personId: 'tech-wu', pagedIncidents: 1, acknowledged: 1, fastestAcknowledgeMinutes: 4 },
    { personId: 'mgmt-xu', pagedIncidents: 2, acknowledged: 1, fastestAcknowledgeMinutes: 10 },
  ]);
});

test('anyone paged outside the participants is named; an incident not readable is reported, not dropped', () => {
  expect(report.pagedOutsideParticipants).toEqual(['claims-wang']);
  expect(report.incidents[2]).toMatchObject({ id: 'INC-DRILL00000003', status: 'unknown', pages: [], acknowledged: null });
});
