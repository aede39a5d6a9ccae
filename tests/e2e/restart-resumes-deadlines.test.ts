// The embedded stack end to end: `npm start` (dev server on SQLite, worker, API) is stopped with
// Ctrl-C mid-incident and started again on the same database file; the pending deadline still
// fires on time (R-T-CONTACT, R-T-BREACH) and nothing recorded before the restart is lost.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort } from '../../scripts/dev-server';

const root = resolve(__dirname, '..', '..');
const folder = mkdtempSync(join(tmpdir(), 'restart-e2e-'));
let child: ChildProcess | undefined;
let output = '';

async function startEngine(env: Record<string, string>): Promise<ChildProcess> {
  const started = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    try {
      const health = await fetch(`http://127.0.0.1:${env.PORT}/healthz`);
      if (health.status === 200) return started;
    } catch {
      // not listening yet
    }
    if (started.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`npm start did not become healthy:\n${output.slice(-3000)}`);
}

async function stopEngine(process: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => process.once('exit', (code) => r(code)));
  process.kill('SIGINT');
  return exited;
}

afterAll(async () => {
  if (child && child.exitCode === null) await stopEngine(child);
  rmSync(folder, { recursive: true, force: true });
});

const managerKey = `cie_${randomBytes(32).toString('base64url')}`;

test('Ctrl-C mid-incident, start again: the pending contact deadline breaches on time', async () => {
  const [port, grpc, ui] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const policyFile = join(folder, 'policy.json');
  // A 40-second contact deadline, so the restart happens while it is pending.
  writeFileSync(policyFile, JSON.stringify({ deadlines: { contactMinutes: 40 / 60, solutionMinutes: 30 }, warningLeadMinutes: { contact: 0.1 } }));
  const env = {
    PORT: String(port),
    TEMPORAL_DEV_PORT: String(grpc),
    TEMPORAL_UI_PORT: String(ui),
    TEMPORAL_DB_FILE: join(folder, 'temporal.sqlite'),
    POLICY_FILE: policyFile,
    OUTBOX_FILE: join(folder, 'outbox.jsonl'),
    SENT_LEDGER_FILE: join(folder, 'sent-ledger.jsonl'),
    // R-SEC-2: the engine adopts the key the test knows (npm start's API_KEY_<ROLE>).
    API_KEY_MANAGER: managerKey,
  };
  child = await startEngine(env);
  const created = await fetch(`http://127.0.0.1:${port}/incidents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${managerKey}` },
    body: JSON.stringify({
      title: 'Payout late for 20 working days',
      description: 'Customer has not received the approved payout 20 working days after the decision.',
      reporter: 'agent-li',
      facts: { daysSinceDecision: 20 },
    }),
  });
  expect(created.status).toBe(201);
  const { id, deadlines } = (await created.json()) as { id: string; deadlines: { id: string; dueAt: string }[] };
  const dueAt = Date.parse(deadlines.find((d) => d.id === 'contact')!.dueAt);
  await fetch(`http://127.0.0.1:${port}/incidents/${id}/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${managerKey}` },
    body: JSON.stringify({ text: 'before the restart' }),
  });

  // Ctrl-C: all three stop cleanly.
  expect(await stopEngine(child)).toBe(0);
  expect(Date.now()).toBeLessThan(dueAt);

  child = await startEngine(env);
  let state: { deadlines: { id: string; state: string }[]; timeline: { type: string; at: string; text: string; data?: { deadline?: string } }[] } | undefined;
  while (Date.now() < dueAt + 30_000) {
    state = (await (await fetch(`http://127.0.0.1:${port}/incidents/${id}`, { headers: { authorization: `Bearer ${managerKey}` } })).json()) as typeof state;
    if (state?.deadlines.find((d) => d.id === 'contact')?.state === 'breached') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const breach = state!.timeline.find((e) => e.type === 'deadline-breached' && e.data?.deadline === 'contact');
  expect(breach).toBeDefined();
  const lateness = Date.parse(breach!.at) - dueAt;
  console.log(`contact breach recorded ${lateness} ms after its due time, across a restart`);
  expect(lateness).toBeGreaterThanOrEqual(0);
  expect(lateness).toBeLessThan(5_000);
  expect(state!.timeline.some((e) => e.type === 'note' && e.text === 'before the restart')).toBe(true);
  expect(await stopEngine(child)).toBe(0);
}, 240_000);
