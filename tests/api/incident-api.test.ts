// The API against the real Temporal dev server and a real worker: create → act → resolve,
// idempotent retries, and every error status a caller can meet.
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { readOutboxEntries } from '../../activities/channels';
import { createTestKeys } from '../support/api-keys';
import { startApiStack, type ApiStack } from '../support/api-stack';

let stack: ApiStack;
const call: ApiStack['call'] = (...args) => stack.call(...args);

/** Each role's API key (R-SEC-2); `call` sends the manager's unless told otherwise. */
let oncall: Record<string, string>;
let managerHeaders: Record<string, string>;

const dispute = {
  title: '客户对理赔结果强烈质疑，扬言投诉',
  description: '客户来电称理赔金额计算错误，强烈质疑审核结果，表示将向监管投诉。',
  source: 'hotline',
  reporter: 'agent-li',
  facts: { claimId: 'CLM-2026-004211' },
};

beforeAll(async () => {
  stack = await startApiStack();
  oncall = { authorization: `Bearer ${stack.keys.oncall}` };
  managerHeaders = { authorization: `Bearer ${stack.keys.manager}` };
});

afterAll(() => stack?.stop());

test('create → act → resolve through the API; the answer to POST carries the triage', async () => {
  const started = performance.now();
  const created = await call('POST', '/incidents', dispute);
  const elapsed = performance.now() - started;
  console.log(`POST /incidents → triage response in ${elapsed.toFixed(0)} ms`);
  expect(created.status).toBe(201);
  expect(created.body.id).toMatch(/^INC-[0-9A-Z]{12}$/);
  expect(created.headers.get('location')).toBe(`/incidents/${created.body.id}`);
  expect(created.body.triage).toMatchObject({ category: 'complaint', severity: 'general' });
  expect(created.body.triage.reasons.length).toBeGreaterThan(0);
  expect(created.body.deadlines.map((d: { id: string }) => d.id)).toEqual(
    expect.arrayContaining(['contact', 'solution', 'progress-1', 'complaint-reply', 'complaint-investigation']),
  );
  expect(created.body._links.temporalUi).toBe(`http://localhost:8233/namespaces/default/workflows/${created.body.id}`);
  const id = created.body.id as string;

  expect((await call('POST', `/incidents/${id}/acknowledge`, {}, oncall)).body.status).toBe('acknowledged');
  for (const action of ['contact', 'solution', 'progress', 'notes']) {
    const r = await call('POST', `/incidents/${id}/${action}`, { text: `${action} recorded` }, oncall);
    expect(r.status).toBe(200);
  }
  const patched = await call('PATCH', `/incidents/${id}`, { severity: 'major', reason: 'a reporter called' }, oncall);
  expect(patched.status).toBe(200);
  expect(patched.body.severity).toBe('major');
  const resolved = await call('POST', `/incidents/${id}/resolve`, { summary: 'recalculated and paid' }, oncall);
  expect(resolved.status).toBe(200);
  expect(resolved.body.status).toBe('resolved');

  const read = await call('GET', `/incidents/${id}`);
  expect(read.status).toBe(200);
  expect(read.body.timeline.map((e: { type: string }) => e.type)).toEqual(
    expect.arrayContaining(['reported', 'triaged', 'acknowledged', 'contacted', 'solution', 'progress', 'note', 'severity-changed', 'resolved']),
  );
  // R-SEC-2: the actor is the owner of the key that acted; the reporter is the reporting key's owner.
  expect(read.body.timeline.find((e: { type: string }) => e.type === 'acknowledged').actor).toBe('test-oncall');
  expect(read.body.timeline.find((e: { type: string }) => e.type === 'reported').actor).toBe('test-manager');
  expect(read.body.report.reporter).toBe('test-manager');

  // Listing reads visibility, which is eventually consistent: poll briefly.
  let listed: { id: string; status: string }[] = [];
  for (let i = 0; i < 50 && !listed.some((x) => x.id === id && x.status === 'resolved'); i++) {
    listed = (await call('GET', '/incidents?status=resolved&category=complaint')).body.incidents;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(listed.find((x) => x.id === id)).toMatchObject({ status: 'resolved', category: 'complaint', severity: 'major' });

  // With no provider configured, the page went to the outbox, masked, with the ack code.
  const outbox = await readOutboxEntries(stack.outboxPath);
  const pages = outbox.filter((entry) => entry.key.startsWith(`${id}:triage:`));
  expect(pages.length).toBeGreaterThan(0);
  expect(pages[0]!.body).toContain(read.body.ackCode);
  expect(pages[0]!.to).not.toMatch(/\d{11}/);
});

test('an Idempotency-Key makes retries, even concurrent ones, return the same incident', async () => {
  const key = `ticket-${Date.now()}`;
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => call('POST', '/incidents', dispute, { 'idempotency-key': key })),
  );
  const ids = new Set(answers.map((a) => a.body.id));
  expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
  expect(ids.size).toBe(1);
  const [id] = [...ids] as string[];
  // The body field works the same as the header.
  expect((await call('POST', '/incidents', { ...dispute, idempotencyKey: key })).body.id).toBe(id);
  // After resolution, a late retry still gets the same (resolved) incident, never a second one.
  await call('POST', `/incidents/${id}/resolve`, { summary: 'done' }, oncall);
  const late = await call('POST', '/incidents', dispute, { 'idempotency-key': key });
  expect(late.status).toBe(201);
  expect(late.body).toMatchObject({ id, status: 'resolved' });
});

test('400 names each bad field', async () => {
  const r = await call('POST', '/incidents', { title: '', source: 'fax', facts: { affectedClaims: 'many', phone: '13800138000' } });
  expect(r.status).toBe(400);
  const fields = r.body.fields.map((f: { field: string }) => f.field);
  expect(fields).toEqual(expect.arrayContaining(['title', 'description', 'source', 'facts.affectedClaims', 'facts']));
  const badJson = await call('POST', '/incidents', '{"title": ');
  expect(badJson.status).toBe(400);
  expect(badJson.body.fields[0].field).toBe('body');
  const created = await call('POST', '/incidents', dispute);
  // No key, no action: 401 with the challenge (R-SEC-2); a name in a header proves nothing.
  const noKey = await call('POST', `/incidents/${created.body.id}/contact`, { text: 'x' }, { authorization: '', 'x-actor': 'lead-wang', 'x-role': 'manager' });
  expect(noKey.status).toBe(401);
  expect(noKey.headers.get('www-authenticate')).toMatch(/^Bearer/);
  const emptyText = await call('POST', `/incidents/${created.body.id}/contact`, { text: '  ' }, oncall);
  expect(emptyText.body.fields[0].field).toBe('text');
  const badPatch = await call('PATCH', `/incidents/${created.body.id}`, { reason: 'nothing to change' }, oncall);
  expect(badPatch.status).toBe(400);
  expect((await call('GET', '/incidents?status=open')).body.fields[0].field).toBe('status');
  expect((await call('GET', '/incidents/not-an-id')).status).toBe(400);
});

test('404 for an unknown incident, 409 for an invalid transition, 403 for a role that may not', async () => {
  expect((await call('GET', '/incidents/INC-000000000000')).status).toBe(404);
  expect((await call('POST', '/incidents/INC-000000000000/acknowledge', {}, oncall)).status).toBe(404);
  const { body } = await call('POST', '/incidents', dispute);
  const id = body.id as string;
  expect((await call('POST', `/incidents/${id}/acknowledge`, {}, oncall)).status).toBe(200);
  const twice = await call('POST', `/incidents/${id}/acknowledge`, {}, oncall);
  expect(twice.status).toBe(409);
  expect(twice.body.error).toMatch(/already acknowledged/);
  const lower = await call('PATCH', `/incidents/${id}`, { severity: 'minor', reason: 'calm' }, oncall);
  expect(lower.status).toBe(403);
  expect(lower.body.error).toMatch(/R-SEV-UP/);
  expect((await call('PATCH', `/incidents/${id}`, { severity: 'minor', reason: 'calm' }, managerHeaders)).status).toBe(200);
  expect((await call('POST', `/incidents/${id}/resolve`, { summary: 'done' }, oncall)).status).toBe(200);
  const again = await call('POST', `/incidents/${id}/resolve`, { summary: 'again' }, oncall);
  expect(again.status).toBe(409);
  expect(again.body.error).toMatch(/resolved/);
  const late = await call('POST', `/incidents/${id}/contact`, { text: 'late' }, oncall);
  expect({ status: late.status, body: late.body }).toMatchObject({ status: 409 });
});

test('healthz reports API, Temporal and worker; 503 fast (no hang) when Temporal is unreachable', async () => {
  const healthy = await call('GET', '/healthz');
  expect(healthy.status).toBe(200);
  expect(healthy.body.checks).toMatchObject({ api: { ok: true }, temporal: { ok: true }, worker: { ok: true } });

  const dead = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 1000 });
  const keys = createTestKeys();
  const deadApp = createApp({
    client: new Client({ connection: dead, namespace: 'default' }),
    auth: { keys: keys.store },
    namespace: 'default',
    temporalUiUrl: 'http://localhost:8233',
    temporalTimeoutMs: 2000,
  }).listen(0);
  const deadBase = `http://127.0.0.1:${(deadApp.address() as AddressInfo).port}`;
  try {
    const started = Date.now();
    const created = await fetch(`${deadBase}/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...keys.as('support') },
      body: JSON.stringify(dispute),
    });
    expect(created.status).toBe(503);
    expect(created.headers.get('retry-after')).toBe('5');
    // Bounded by the 2-second deadline (plus connection set-up), not a hang; generous under load.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await fetch(`${deadBase}/incidents/INC-000000000000`, { headers: keys.as('oncall') })).status).toBe(503);
    const health = await fetch(`${deadBase}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { checks: { temporal: { ok: boolean } } }).checks.temporal.ok).toBe(false);
  } finally {
    deadApp.close();
  }
});
