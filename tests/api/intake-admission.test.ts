/**
 * Early load shedding of intake (issue 7): when the engine is saturated a new report is told so
 * at once — 503 with Retry-After — instead of waiting out the API's bound on Temporal; nothing
 * is started for a shed report, and actions on open incidents are never shed.
 */
import type { AddressInfo } from 'node:net';
import { request, type Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionControl } from '../../api/admission';
import { ApiKeyStore } from '../../api/api-keys';
import { createApp, incidentIdFor } from '../../api/app';
import { HttpError } from '../../api/errors';
import { startTestDevServer, type TestDevServer } from '../support/dev-server';

/** A request held open until the test lets it finish. */
function held(): { promise: Promise<void>; finish: () => void } {
  let finish!: () => void;
  const promise = new Promise<void>((resolve) => (finish = resolve));
  return { promise, finish };
}

describe('AdmissionControl (expected wait = in flight ÷ completion rate)', () => {
  let now = 0;
  const clock = () => now;
  /** `count` requests that complete at once, one every `everyMs`. */
  async function completions(admission: AdmissionControl, count: number, everyMs: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await admission.run(async () => undefined);
      now += everyMs;
    }
  }

  beforeEach(() => {
    now = 1_000_000;
  });

  test('never sheds below the minimum in flight, however slow the engine', async () => {
    const admission = new AdmissionControl({ minInFlight: 4, maxExpectedWaitMs: 1000, now: clock });
    const requests = [held(), held(), held()];
    const running = requests.map((r) => admission.run(() => r.promise));
    now += 60_000;
    const fourth = held();
    const admitted = admission.run(() => fourth.promise);
    expect(admission.snapshot().inFlight).toBe(4);
    for (const r of [...requests, fourth]) r.finish();
    await Promise.all([...running, admitted]);
    expect(admission.snapshot()).toMatchObject({ admitted: 4, shed: 0, inFlight: 0 });
  });

  test('sheds once in flight ÷ rate exceeds the bound, with a Retry-After of when there will be room', async () => {
    const admission = new AdmissionControl({ minInFlight: 2, maxExpectedWaitMs: 5000, windowMs: 10_000, now: clock });
    // 20 completions over 10 s: 2 per second.
    await completions(admission, 20, 500);
    expect(admission.snapshot().ratePerSecond).toBeCloseTo(2, 5);
    // 10 waiting at 2/s is a 5 s wait: still admitted (the bound is inclusive).
    const waiting = Array.from({ length: 10 }, () => held());
    const running = waiting.map((r) => admission.run(() => r.promise));
    expect(admission.snapshot().expectedWaitMs).toBe(5000);
    const eleventh = held();
    const admittedEleventh = admission.run(() => eleventh.promise);
    // 11 waiting is 5.5 s: the twelfth is shed. Half a second from now the queue is back at the
    // bound, so it is told the shortest wait there is, 1 s.
    let called = false;
    const shed = await admission
      .run(async () => {
        called = true;
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(called).toBe(false);
    expect(shed).toBeInstanceOf(HttpError);
    expect((shed as HttpError).status).toBe(503);
    expect((shed as HttpError).details.retryAfter).toBe(1);
    for (const r of [...waiting, eleventh]) r.finish();
    await Promise.all([...running, admittedEleventh]);
    expect(admission.snapshot()).toMatchObject({ admitted: 31, shed: 1, inFlight: 0 });
  });

  test("a burst's shed requests are told to come back spread out at the completion rate, not all at once", async () => {
    const admission = new AdmissionControl({ minInFlight: 2, maxExpectedWaitMs: 5000, windowMs: 10_000, now: clock });
    // 100 completions over 10 s: 10 per second.
    await completions(admission, 100, 100);
    expect(admission.snapshot().ratePerSecond).toBeCloseTo(10, 5);
    // A steady stream: its oldest completion is a moment inside the window, not at its edge.
    now -= 7;
    // 50 waiting at 10/s is 5 s, the bound: all admitted.
    const waiting = Array.from({ length: 50 }, () => held());
    const running = waiting.map((r) => admission.run(() => r.promise));
    expect(admission.snapshot()).toMatchObject({ inFlight: 50, shed: 0 });
    // 5 s on, half the completions have left the window: 5 per second, so the 50 are a 10-s wait,
    // and there will be room in 5 s.
    now += 5000;
    expect(admission.snapshot().ratePerSecond).toBeCloseTo(5, 1);
    const retryAfter: number[] = [];
    for (let i = 0; i < 40; i++) {
      const err = admission.refusal();
      expect(err?.status).toBe(503);
      retryAfter.push(err!.details.retryAfter as number);
    }
    // The first comes back when there is room, each next one 200 ms later (5 a second).
    expect(retryAfter[0]).toBe(5);
    expect(retryAfter).toEqual([...retryAfter].sort((a, b) => a - b));
    expect(retryAfter[39]).toBe(Math.ceil(5 + 39 * 0.2));
    for (const seconds of new Set(retryAfter)) expect(retryAfter.filter((v) => v === seconds).length).toBeLessThanOrEqual(6);
    // Never past a minute, however many are shed.
    for (let i = 0; i < 2000; i++) expect(admission.refusal()!.details.retryAfter).toBeLessThanOrEqual(60);
    for (const r of waiting) r.finish();
    await Promise.all(running);
  });

  test('at the start of a burst, when the rate is known over less than half its window, nobody is told to wait past the bound', async () => {
    const admission = new AdmissionControl({ minInFlight: 300, maxExpectedWaitMs: 5000, windowMs: 10_000, now: clock });
    // The first 10 completions, within a second: the rate reads 10/s while the engine gathers pace.
    await completions(admission, 10, 100);
    const waiting = Array.from({ length: 300 }, () => held());
    const running = waiting.map((r) => admission.run(() => r.promise));
    // 300 at 10/s reads as a 30-s wait; told 5 s (the bound), every one of them.
    for (let i = 0; i < 20; i++) expect(admission.refusal()?.details.retryAfter).toBe(5);
    for (const r of waiting) r.finish();
    await Promise.all(running);
  });

  test('with nothing completing, sheds once the oldest request has waited longer than the bound', async () => {
    const admission = new AdmissionControl({ minInFlight: 1, maxExpectedWaitMs: 2000, now: clock });
    const first = held();
    const running = admission.run(() => first.promise);
    now += 1500;
    const second = held();
    const admittedSecond = admission.run(() => second.promise);
    now += 1000; // the first has now waited 2.5 s, and nothing has come back
    await expect(admission.run(async () => undefined)).rejects.toMatchObject({ status: 503, details: { retryAfter: 2 } });
    first.finish();
    second.finish();
    await Promise.all([running, admittedSecond]);
  });

  test('a hard cap on requests in flight holds whatever the rate', async () => {
    const admission = new AdmissionControl({ minInFlight: 1, maxInFlight: 3, maxExpectedWaitMs: 60_000, now: clock });
    for (let i = 0; i < 100; i++) await admission.run(async () => undefined);
    const waiting = [held(), held(), held()];
    const running = waiting.map((r) => admission.run(() => r.promise));
    await expect(admission.run(async () => undefined)).rejects.toMatchObject({ status: 503 });
    for (const r of waiting) r.finish();
    await Promise.all(running);
  });

  test('the rate forgets completions older than its window', async () => {
    const admission = new AdmissionControl({ windowMs: 10_000, now: clock });
    for (let i = 0; i < 50; i++) await admission.run(async () => undefined);
    expect(admission.snapshot().ratePerSecond).toBe(50);
    now += 10_001;
    expect(admission.snapshot().ratePerSecond).toBe(0);
  });
});

describe('POST /incidents on a saturated engine (real dev server, no worker polling)', () => {
  let server: TestDevServer;
  let connection: Connection;
  let http: Server;
  let base: string;
  let client: Client;
  let supportKey: string;
  let oncallKey: string;

  beforeAll(async () => {
    const keys = new ApiKeyStore({ path: join(mkdtempSync(join(tmpdir(), 'admission-keys-')), 'api-keys.json') });
    supportKey = keys.create('desk-agent', 'support').secret;
    oncallKey = keys.create('lead-on-call', 'oncall').secret;
    server = await startTestDevServer();
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection, namespace: 'default' });
    // No worker: a report (update-with-start) waits for a triage that never comes, as it would
    // behind a backlog the worker cannot clear.
    const app = createApp({
      client,
      namespace: 'default',
      temporalUiUrl: 'http://localhost:8233',
      temporalTimeoutMs: 6000,
      auth: { keys },
      admission: { minInFlight: 1, maxExpectedWaitMs: 500 },
    });
    http = app.listen(0);
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await connection.close();
    await server.stop();
  });

  const report = (key: string) =>
    fetch(`${base}/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Bearer ${supportKey}` },
      body: JSON.stringify({ title: '赔款延迟', description: '客户的理赔款已经超过十个工作日未到账', reporter: 'support-desk' }),
    });

  test('the next report is answered 503 with Retry-After at once, nothing is started for it, and actions still pass', async () => {
    const stuck = report('admission-stuck').then((res) => ({ res, at: Date.now() }));
    // Let the first request wait past the bound with nothing completing.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const shedRes = await report('admission-shed');
    const shedAt = Date.now();
    expect(shedRes.status).toBe(503);
    expect(Number(shedRes.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The app's own time is on every answer, so a client can tell it from its connect time.
    expect(shedRes.headers.get('server-timing')).toMatch(/^app;dur=\d+(\.\d)?$/);
    expect((await shedRes.json()) as { error: string }).toMatchObject({ error: expect.stringMatching(/saturated/) });
    // Nothing was started for the shed report: a retry with the same key is a fresh, first attempt.
    await expect(client.workflow.getHandle(incidentIdFor('admission-shed')).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    // An action is not intake: it reaches Temporal (and learns the incident does not exist).
    const action = await fetch(`${base}/incidents/${incidentIdFor('admission-none')}/acknowledge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${oncallKey}` },
      body: '{}',
    });
    expect([404, 409]).toContain(action.status);
    // Refused before its body is read: a report whose body never finishes arriving is answered too.
    const partial = await new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
      const req = request(`${base}/incidents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '4096', authorization: `Bearer ${supportKey}` },
      });
      req.on('response', (res) => {
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      req.write('{"title": "赔款延迟", "descr');
    });
    expect(partial.status).toBe(503);
    expect(Number(partial.retryAfter)).toBeGreaterThanOrEqual(1);
    // The shed answer came before the stuck report's own (it waits out the 6 s bound).
    const first = await stuck;
    expect(first.res.status).toBe(503);
    expect(shedAt).toBeLessThan(first.at);
    // The stuck report's incident was started and is kept: the client's retry will find it.
    const described = await client.workflow.getHandle(incidentIdFor('admission-stuck')).describe();
    expect(described.status.name).toBe('RUNNING');
    await client.workflow.getHandle(incidentIdFor('admission-stuck')).terminate('test over');
  }, 30_000);
});
