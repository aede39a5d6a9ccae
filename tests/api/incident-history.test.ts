// A manager reads an incident's history (R-REV-5, R-SEC-2) against the real Temporal dev server
// and a real worker: the JSON export in timeline order with actors, times and durations, the
// printable HTML page (escaped, self-contained, linked to the Web UI), and the error statuses.
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { Client, Connection } from '@temporalio/client';
import { ApiKeyStore } from '../../api/api-keys';
import { createApp, type AppDependencies } from '../../api/app';
import type { IncidentHistory } from '../../api/history';
import type { IncidentState } from '../../workflows/contracts';
import { startApiStack, type ApiStack } from '../support/api-stack';

let stack: ApiStack;
const UI = 'http://localhost:8233';
/** R-SEC-2: the agent reports with a support key, the on-call lead acts with an oncall key. */
let agent: Record<string, string>;
let oncall: Record<string, string>;

/** The API as a caller meets it (the history router is mounted by createApp). */
function historyApp(client: Client, timeoutMs: number, auth?: AppDependencies['auth']): express.Express {
  return createApp({ client, namespace: 'default', temporalUiUrl: UI, temporalTimeoutMs: timeoutMs, ...(auth ? { auth } : {}) });
}

/** As the manager (who reads every history) unless `headers` carries another key. */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(stack.base + path, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.keys.manager}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text.startsWith('{') ? JSON.parse(text) : undefined };
}

const description = '客户张三来电称理赔金额计算错误，手机号与病情详见工单。';
const dispute = {
  title: '客户对理赔结果强烈质疑 <b>扬言投诉</b>',
  description,
  source: 'hotline',
  reporter: 'agent-li',
  facts: { claimId: 'CLM-2026-004211' },
};
const script = '<script>alert("x")</script> & more';
let client: Client;

beforeAll(async () => {
  stack = await startApiStack({ app: (c, auth) => historyApp(c, 15_000, auth) });
  client = stack.client;
  // Keys made by another store on the same file count at once: no restart (R-SEC-2).
  const keys = new ApiKeyStore({ path: stack.keysPath });
  agent = { authorization: `Bearer ${keys.create('agent-li', 'support').secret}` };
  oncall = { authorization: `Bearer ${keys.create('lead-wang', 'oncall').secret}` };
});

afterAll(() => stack?.stop());

/** Reports a dispute and takes it through the plan to resolution. */
async function handledIncident(): Promise<{ id: string; state: IncidentState }> {
  const created = await call('POST', '/incidents', dispute, agent);
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await call('POST', `/incidents/${id}/acknowledge`, {}, oncall)).status).toBe(200);
  expect((await call('POST', `/incidents/${id}/contact`, { text: 'called the customer back' }, oncall)).status).toBe(200);
  expect((await call('POST', `/incidents/${id}/solution`, { text: 'recalculation under way' }, oncall)).status).toBe(200);
  expect((await call('POST', `/incidents/${id}/notes`, { text: script }, oncall)).status).toBe(200);
  expect((await call('POST', `/incidents/${id}/resolve`, { summary: 'recalculated and paid' }, oncall)).status).toBe(200);
  // The resolution's notification is recorded just after the update answers: read the state
  // once the workflow has finished, so the timeline is final.
  await client.workflow.getHandle(id).result();
  const read = await call('GET', `/incidents/${id}`);
  return { id, state: read.body as IncidentState };
}

let handled: { id: string; state: IncidentState };

test('the JSON history: the workflow timeline in order, with actors, times, labels, summary and runs', async () => {
  handled = await handledIncident();
  const { id, state } = handled;
  const r = await call('GET', `/incidents/${id}/history`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/application\/json/);
  const history = r.body as IncidentHistory;

  // The timeline is the workflow's own, entry for entry, in sequence.
  expect(history.timeline.map(({ seq, at, type, actor, text }) => ({ seq, at, type, actor, text }))).toEqual(
    state.timeline.map(({ seq, at, type, actor, text }) => ({ seq, at, type, actor, text })),
  );
  const seqs = history.timeline.map((e) => e.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  const ats = history.timeline.map((e) => Date.parse(e.at));
  expect(ats).toEqual([...ats].sort((a, b) => a - b));
  const types = history.timeline.map((e) => e.type);
  const order = ['reported', 'triaged', 'acknowledged', 'contacted', 'solution', 'note', 'resolved'] as const;
  const positions = order.map((type) => types.indexOf(type));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));

  const entry = (type: string) => history.timeline.find((e) => e.type === type)!;
  expect(entry('reported')).toMatchObject({ actor: 'agent-li', group: 'report', label: { zh: '报告', en: 'Reported' } });
  expect(entry('triaged')).toMatchObject({ actor: 'system', group: 'triage', data: { category: 'complaint' } });
  expect((entry('triaged').data as { reasons: unknown[] }).reasons.length).toBeGreaterThan(0);
  for (const type of ['acknowledged', 'contacted', 'solution', 'note', 'resolved']) expect(entry(type).actor).toBe('lead-wang');
  expect(entry('note')).toMatchObject({ group: 'note', text: script });
  expect(entry('resolved')).toMatchObject({ group: 'resolution', text: 'recalculated and paid' });
  // Pages went out when it was raised, and are in the record as delivery results.
  expect(history.timeline.some((e) => e.group === 'delivery')).toBe(true);

  // Summary: durations are the minutes from the report to each first entry of the timeline.
  const s = history.summary;
  expect(s).toMatchObject({
    title: dispute.title,
    category: 'complaint',
    severity: 'general',
    status: 'resolved',
    statusLabel: { zh: '已解决', en: 'Resolved' },
    reportedAt: state.reportedAt,
    acknowledgedAt: entry('acknowledged').at,
    contactedAt: entry('contacted').at,
    solutionAt: entry('solution').at,
    resolvedAt: entry('resolved').at,
    acknowledgedBy: 'lead-wang',
    resolution: 'recalculated and paid',
  });
  const minutesFromReport = (type: string) => Math.round(((Date.parse(entry(type).at) - Date.parse(state.reportedAt)) / 60_000) * 100) / 100;
  expect(s.minutesToAcknowledge).toBe(minutesFromReport('acknowledged'));
  expect(s.minutesToContact).toBe(minutesFromReport('contacted'));
  expect(s.minutesToSolution).toBe(minutesFromReport('solution'));
  expect(s.minutesToResolve).toBe(minutesFromReport('resolved'));
  expect(s.minutesToResolve!).toBeGreaterThanOrEqual(s.minutesToAcknowledge!);
  const contactDeadline = s.deadlines.find((d) => d.id === 'contact')!;
  expect(contactDeadline).toMatchObject({ state: 'met', stateLabel: { en: 'Met' } });
  expect(s.deadlines.map((d) => d.id)).toEqual(state.deadlines.map((d) => d.id));

  // Where to check it: the workflow in the Web UI, and each run of its chain.
  expect(history.workflow.temporalUi).toBe(`${UI}/namespaces/default/workflows/${id}`);
  expect(history._links.temporalUi).toBe(history.workflow.temporalUi);
  expect(history.workflow).toMatchObject({ namespace: 'default', workflowId: id, runCount: state.runs });
  expect(history.workflow.currentRunId).toMatch(/^[0-9a-f-]{36}$/);
  expect(history.workflow.firstRunId).toBe(history.workflow.currentRunId);
  expect(history.workflow.runs.map((run) => run.runId)).toContain(history.workflow.currentRunId);
  expect(history.workflow.runs[0]!.temporalUi).toBe(`${UI}/namespaces/default/workflows/${id}/${history.workflow.runs[0]!.runId}`);

  // R-SEC-1: the report's free text is never exported, only its title.
  expect(r.text).not.toContain(description);
  expect(r.text).not.toContain('张三');
});

test('the printable HTML page: escaped, self-contained, bilingual, linked to the Web UI', async () => {
  const { id } = handled;
  const r = await call('GET', `/incidents/${id}/history?format=html`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
  expect(r.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  const page = r.text;

  // The note's markup is shown as text, never run; so is the title's.
  expect(page).not.toContain('<script');
  expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
  expect(page).toContain('客户对理赔结果强烈质疑 &lt;b&gt;扬言投诉&lt;/b&gt;');
  expect(page).not.toContain('<b>扬言投诉</b>');

  // Self-contained and printable: no external assets, print CSS inline.
  expect(page).not.toMatch(/<(link|img|iframe|object)\b/i);
  expect(page).not.toMatch(/\bsrc=/i);
  expect(page).toContain('@media print');
  expect(page).toContain(`<a href="${UI}/namespaces/default/workflows/${id}">`);
  for (const label of ['时间线', 'Timeline', '已确认', 'Acknowledged', '已联系客户', 'Customer contacted', '已解决', 'Resolved', 'lead-wang', 'agent-li']) {
    expect(page).toContain(label);
  }
  expect(page).not.toContain(description);

  // Asking for HTML by Accept gives the same page; ?format=json wins over Accept.
  const byAccept = await call('GET', `/incidents/${id}/history`, undefined, { accept: 'text/html' });
  expect(byAccept.headers.get('content-type')).toMatch(/^text\/html/);
  const forced = await call('GET', `/incidents/${id}/history?format=json`, undefined, { accept: 'text/html' });
  expect(forced.headers.get('content-type')).toMatch(/application\/json/);
});

test('R-SEC-2: the reporting support key reads its own incident and history; another support key gets 404', async () => {
  expect((await call('GET', `/incidents/${handled.id}/history`, undefined, agent)).status).toBe(200);
  expect((await call('GET', `/incidents/${handled.id}`, undefined, agent)).status).toBe(200);
  const other = { authorization: `Bearer ${stack.keys.support}` };
  expect((await call('GET', `/incidents/${handled.id}/history`, undefined, other)).status).toBe(404);
  expect((await call('GET', `/incidents/${handled.id}`, undefined, other)).status).toBe(404);
});

test('400 for a malformed id or format, 404 for an unknown incident, 503 fast when Temporal is unreachable', async () => {
  const malformed = await call('GET', '/incidents/not-an-id/history');
  expect(malformed.status).toBe(400);
  expect(malformed.body.fields[0].field).toBe('path');
  const badFormat = await call('GET', `/incidents/${handled.id}/history?format=pdf`);
  expect(badFormat.status).toBe(400);
  expect(badFormat.body.fields[0].field).toBe('format');
  expect((await call('GET', '/incidents/INC-000000000000/history')).status).toBe(404);
  expect((await call('GET', '/incidents/INC-000000000000/history?format=html')).status).toBe(404);

  const dead = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 1000 });
  const deadApp = historyApp(new Client({ connection: dead, namespace: 'default' }), 2000, { keys: new ApiKeyStore({ path: stack.keysPath }) }).listen(0);
  try {
    const started = Date.now();
    const r = await fetch(`http://127.0.0.1:${(deadApp.address() as AddressInfo).port}/incidents/INC-000000000000/history`, {
      headers: { authorization: `Bearer ${stack.keys.manager}` },
    });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    expect(Date.now() - started).toBeLessThan(10_000);
  } finally {
    deadApp.close();
  }
});
