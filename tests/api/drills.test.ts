// Drills (R-REV-4) on the real stack — dev server, worker, app, outbox channel: a manager starts
// "claims query system down at 9:00" with two people who are NOT on call; the drill incident runs
// the real process, every page and notice goes to those two only and says [DRILL]/[演练], the
// drill's report matches the incident's timeline, and the monthly review keeps drills apart.
import { join } from 'node:path';
import { readOutboxEntries } from '../../activities/channels';
import { readDrillScenarios } from '../../config/drills';
import { readRoster } from '../../config/env';
import type { DrillReport } from '../../domain/drill-report';
import { minutesBetween } from '../../domain/incident-timing';
import type { MonthlyReview } from '../../domain/monthly-review';
import { LINES } from '../../domain/types';
import { whoIsOnCall } from '../../domain/roster';
import type { IncidentState } from '../../workflows/contracts';
import { startApiStack, type ApiStack } from '../support/api-stack';

const roster = readRoster(join(__dirname, '..', '..', 'config', 'roster.example.json'));
let stack: ApiStack;

/** Two people nobody would page today: the drill must reach them and only them. */
const onCallNow = new Set(LINES.flatMap((line) => whoIsOnCall(roster, line, new Date()).map((o) => o.personId)));
const participants = roster.people.map((p) => p.id).filter((id) => !onCallNow.has(id)).slice(0, 2);

const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
  .formatToParts(new Date())
  .filter((part) => part.type !== 'literal')
  .map((part) => part.value)
  .join('-');

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  stack = await startApiStack({ appDependencies: { drills: { scenarios: readDrillScenarios(), roster } } });
});

afterAll(() => stack?.stop());

describe('a drill of "claims query system down at 9:00"', () => {
  let drill: { id: string; incidents: { id: string }[] };
  let incidentId: string;

  test('the test has two participants who are off call right now', () => {
    expect(participants).toHaveLength(2);
  });

  test('POST /drills starts it: one drill incident, triaged by the real process as a major system incident', async () => {
    const started = await stack.call('POST', '/drills', { scenario: 'claims-query-down', participants });
    expect(started.status).toBe(201);
    expect(started.headers.get('location')).toBe(`/drills/${started.body.id}/report`);
    drill = started.body;
    expect(drill.incidents).toHaveLength(1);
    incidentId = drill.incidents[0]!.id;
    const incident = await eventually(
      () => stack.call('GET', `/incidents/${incidentId}`),
      (res) => res.status === 200 && res.body.category !== undefined,
    );
    expect(incident.body).toMatchObject({ category: 'system', severity: 'major', report: { drill: true }, participants });
  });

  test('every page and notice goes to the participants only, and each one says it is a drill', async () => {
    const mine = await eventually(
      async () => (await readOutboxEntries(stack.outboxPath)).filter((entry) => entry.key.startsWith(incidentId)),
      (entries) => participants.every((id) => entries.some((entry) => entry.key.includes(`:${id}:`))),
    );
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const everyone = roster.people.map((p) => p.id);
    for (const entry of mine) {
      const paged = everyone.filter((id) => entry.key.includes(`:${id}:`));
      expect(paged).toHaveLength(1);
      expect(participants).toContain(paged[0]);
      expect(`${entry.subject ?? ''}\n${entry.body}`).toMatch(/\[演练\]|\[DRILL\]/);
    }
    // Nobody on call today was reached for this incident.
    for (const id of onCallNow) expect(mine.some((entry) => entry.key.includes(`:${id}:`))).toBe(false);
  });

  test('the report says who was paged, who acknowledged and how fast, from the incident timeline', async () => {
    const ack = await stack.call('POST', `/incidents/${incidentId}/acknowledge`, {}, { authorization: `Bearer ${stack.keys.oncall}` });
    expect(ack.status).toBe(200);
    // Pages already on their way when the acknowledgement landed still arrive: read both once they agree.
    const read = async () => {
      const report = await stack.call('GET', `/drills/${drill.id}/report`);
      const incident = await stack.call('GET', `/incidents/${incidentId}`);
      return { status: report.status, report: report.body as DrillReport, state: incident.body as IncidentState };
    };
    const pagesOf = (state: IncidentState) => state.timeline.filter((e) => e.type === 'paged' || e.type === 'page-failed').length;
    const { status, report, state } = await eventually(read, (r) => r.status === 200 && r.report.incidents[0]?.pages.length === pagesOf(r.state));
    expect(status).toBe(200);
    expect(report.drill).toMatchObject({ id: drill.id, participants, scenario: { id: 'claims-query-down' }, startedBy: 'test-manager' });
    expect(report.pagedOutsideParticipants).toEqual([]);
    const [incident] = report.incidents;
    const ackEntry = state.timeline.find((e) => e.type === 'acknowledged')!;
    expect(incident!.acknowledged).toEqual({ by: 'test-oncall', at: ackEntry.at, minutes: minutesBetween(state.reportedAt, ackEntry.at) });
    const pagedEntries = state.timeline.filter((e) => e.type === 'paged' || e.type === 'page-failed');
    expect(incident!.pages).toHaveLength(pagedEntries.length);
    expect([...incident!.paged].sort()).toEqual([...participants].sort());
    // Just raised: contact (30 min) and solution (1 h) are still pending, none missed.
    expect(incident!.deadlines.map((d) => [d.id, d.state])).toEqual(state.deadlines.map((d) => [d.id, 'pending']));
    expect(report.totals).toMatchObject({ incidents: 1, acknowledged: 1, deadlinesMissed: 0, deadlinesHeld: 0 });
    for (const person of report.participants) expect(person.pagedIncidents).toBe(1);
  });

  test('the report as a printable page, marked as a drill', async () => {
    const res = await fetch(`${stack.base}/drills/${drill.id}/report?format=html`, { headers: { authorization: `Bearer ${stack.keys.manager}` } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('[演练] 演练报告');
    expect(html).toContain(incidentId);
    expect(html).not.toContain('<script');
  });
});

describe('drills stay out of the real statistics', () => {
  test('seven complaints about one hospital: seven drill incidents, counted only in the drills section', async () => {
    const started = await stack.call('POST', '/drills', { scenario: 'seven-complaints-one-hospital', participants });
    expect(started.status).toBe(201);
    const ids = (started.body.incidents as { id: string }[]).map((i) => i.id);
    expect(ids).toHaveLength(7);
    const review = await eventually(
      async () => (await stack.call('GET', `/reports/monthly?month=${month}`)).body as MonthlyReview,
      // Until each of the seven is triaged it has no category yet.
      (r) => r.drills.incidents.length >= 8 && r.drills.figures.byCategory.complaint === 7,
    );
    expect(review.figures.total).toBe(0);
    expect(review.causes).toEqual([]);
    expect(review.drills.figures.total).toBe(8);
    expect(review.drills.figures.byCategory).toMatchObject({ complaint: 7, system: 1 });
    expect(review.drills.incidents).toEqual(expect.arrayContaining(ids));
  });
});

describe('refusals', () => {
  test('an unknown scenario, a person not on the roster, no participants: 400 naming the field', async () => {
    const unknown = await stack.call('POST', '/drills', { scenario: 'nope', participants });
    expect(unknown.status).toBe(400);
    expect(unknown.body.fields[0].field).toBe('scenario');
    const stranger = await stack.call('POST', '/drills', { scenario: 'claims-query-down', participants: [participants[0], 'mr-nobody'] });
    expect(stranger.status).toBe(400);
    expect(stranger.body.fields[0].field).toBe('participants.1');
    const nobody = await stack.call('POST', '/drills', { scenario: 'claims-query-down', participants: [] });
    expect(nobody.status).toBe(400);
    expect(nobody.body.fields[0].field).toBe('participants');
  });

  test('an unknown drill is 404; a support key may not run drills (R-SEC-2)', async () => {
    expect((await stack.call('GET', '/drills/DRL-0000000000AA/report')).status).toBe(404);
    expect((await stack.call('GET', '/drills/not-a-drill/report')).status).toBe(400);
    const support = { authorization: `Bearer ${stack.keys.support}` };
    expect((await stack.call('POST', '/drills', { scenario: 'claims-query-down', participants }, support)).status).toBe(403);
  });

  test('the scenarios are listed', async () => {
    const res = await stack.call('GET', '/drills/scenarios');
    expect(res.body.scenarios.map((s: { id: string }) => s.id)).toEqual(['claims-query-down', 'seven-complaints-one-hospital']);
  });
});
