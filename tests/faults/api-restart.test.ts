// Issue 6, faults: the API process is killed and restarted in the middle of a burst of reports,
// each sent with an Idempotency-Key and retried by the client on a connection error, a 5xx or a
// 429 (as a careful integration would). Every report becomes exactly one incident: one workflow
// per key, counted through visibility, however many times the client had to send it.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { incidentIdFor } from '../../api/app';
import { FaultStack, sleep, waitFor } from './harness';
import { FAULT_ROSTER, faultReport, singleStepPaging } from './fixtures';

const REPORTS = Number(process.env.FAULT_REPORTS ?? 200);
const CONCURRENCY = 16;
const POLICY = { paging: singleStepPaging(1) };

let stack: FaultStack | undefined;
/** Set when the test is over, passed or failed: the client's retry loops stop, so Jest can exit. */
let over = false;

afterAll(async () => {
  over = true;
  await stack?.stop(process.env.FAULT_KEEP === '1');
});

/**
 * A key for the API process (R-SEC-2), written into its key file the way the key store keeps it:
 * only the SHA-256 of the secret. An API without key checks ignores the header.
 */
function writeApiKey(path: string): string {
  const secret = `cie_${randomBytes(32).toString('base64url')}`;
  const key = {
    id: `key_${randomBytes(8).toString('hex')}`,
    owner: 'fault-suite-intake',
    role: 'support',
    sha256: createHash('sha256').update(secret, 'utf8').digest('hex'),
    createdAt: new Date().toISOString(),
  };
  writeFileSync(path, JSON.stringify({ version: 1, keys: [key] }), { mode: 0o600 });
  return secret;
}

test(`the API restarted twice during a burst of ${REPORTS} idempotent reports: each becomes exactly one incident`, async () => {
  stack = await FaultStack.start({ name: 'api-restart', policy: POLICY, roster: FAULT_ROSTER });
  const s = stack;
  const apiKey = writeApiKey(join(s.folder, 'api-keys.json'));
  s.apiEnvironment({ API_KEYS_FILE: join(s.folder, 'api-keys.json') });
  await s.worker.start();
  await s.api.start();
  const base = `http://127.0.0.1:${s.apiPort}`;

  const outcomes = { sends: 0, connectionErrors: 0, serverErrors: 0, throttled: 0, otherStatus: new Map<number, number>() };
  const ids = new Map<string, string>();
  const send = async (i: number): Promise<void> => {
    const key = `api-restart-${i}`;
    for (let attempt = 0; ; attempt++) {
      if (over) return;
      outcomes.sends += 1;
      let response: Response;
      try {
        response = await fetch(`${base}/incidents`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Bearer ${apiKey}` },
          body: JSON.stringify(faultReport(i)),
          signal: AbortSignal.timeout(30_000),
        });
      } catch {
        outcomes.connectionErrors += 1; // refused or reset while the API is down or dying
        await sleep(Math.min(200 * 2 ** attempt, 2000));
        continue;
      }
      const body = (await response.json().catch(() => undefined)) as { id?: string } | undefined;
      // 201: started; 202: on disk in the intake journal, which a restarted API starts (api/intake-journal.ts).
      if ((response.status === 201 || response.status === 202) && body?.id) {
        ids.set(key, body.id);
        return;
      }
      if (response.status >= 500) outcomes.serverErrors += 1;
      else if (response.status === 429) outcomes.throttled += 1;
      else {
        outcomes.otherStatus.set(response.status, (outcomes.otherStatus.get(response.status) ?? 0) + 1);
        throw new Error(`report ${i}: ${response.status} ${JSON.stringify(body)}`);
      }
      const retryAfter = Number(response.headers.get('retry-after') ?? 0) * 1000;
      await sleep(Math.min(Math.max(retryAfter, 200 * 2 ** attempt), 3000));
    }
  };
  let next = 0;
  const burst = Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REPORTS) await send(next++);
    }),
  );

  // ---- two restarts mid-burst: a crash (SIGKILL) and a clean stop (SIGTERM) ------------------------
  const restarts: string[] = [];
  for (const [share, signal] of [
    [0.25, 'SIGKILL'],
    [0.6, 'SIGTERM'],
  ] as const) {
    await waitFor(() => (ids.size >= REPORTS * share || next >= REPORTS ? true : undefined), `${share * 100}% of the burst`, 240_000, 20);
    await s.api.stop(signal);
    restarts.push(`${signal} at ${ids.size} answered`);
    await sleep(500);
    await s.api.start();
  }
  await burst;

  // ---- exactly one incident per report -------------------------------------------------------------
  const keys = Array.from({ length: REPORTS }, (_, i) => `api-restart-${i}`);
  expect(keys.map((k) => ids.get(k))).toEqual(keys.map((k) => incidentIdFor(k)));
  expect(new Set(ids.values()).size).toBe(REPORTS);
  // Visibility: every incident workflow execution of this server, open or closed, each run counted
  // but the runs an incident continued from (past its plan's continueAsNewAfterEvents).
  const incidentQuery = `WorkflowType = 'incidentWorkflow' AND ExecutionStatus != 'ContinuedAsNew'`;
  const executions = await waitFor(
    async () => {
      const all: string[] = [];
      for await (const info of s.client.workflow.list({ query: incidentQuery })) all.push(info.workflowId);
      return all.length >= REPORTS ? all : undefined;
    },
    'visibility to list every incident',
    60_000,
    1000,
  );
  await sleep(2000);
  const settled: string[] = [];
  for await (const info of s.client.workflow.list({ query: incidentQuery })) settled.push(info.workflowId);
  console.log(
    `FAULTS: api-restart — reports ${REPORTS}, API restarts ${restarts.length} (${restarts.join(', ')}), requests sent ${outcomes.sends} ` +
      `(connection errors ${outcomes.connectionErrors}, 5xx ${outcomes.serverErrors}, 429 ${outcomes.throttled}), ` +
      `incident workflows ${settled.length}, distinct ${new Set(settled).size}`,
  );
  expect(executions.length).toBeGreaterThanOrEqual(REPORTS);
  expect(settled).toHaveLength(REPORTS);
  expect(new Set(settled)).toEqual(new Set(ids.values()));
  // The restarts really cut requests short: some had to be sent again.
  expect(outcomes.sends).toBeGreaterThan(REPORTS);
}, 420_000);
