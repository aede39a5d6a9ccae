/**
 * The intake journal (issue 7, R-REV-6): a report is accepted once its start is on disk and is
 * started from there. Nothing accepted is lost (a journal opened on the same file after a crash
 * starts what the last one did not), nothing is started twice into two incidents, the file holds
 * no report text in clear (R-SEC-1), and through the API a burst is answered 202 at once while
 * every report still becomes exactly one incident.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Database } from 'node-sqlite3-wasm';
import { createApp, journalDispatch, type TriagedStart } from '../../api/app';
import { HttpError } from '../../api/errors';
import { IntakeJournal, type JournaledStart, type StartOutcome } from '../../api/intake-journal';
import { readCalendarData } from '../../config/calendar';
import { createCalendar } from '../../domain/calendar';
import { DEFAULT_POLICY } from '../../domain/policy';
import type { TriageResponse } from '../../workflows/contracts';
import { startApiStack, type ApiStack } from '../support/api-stack';

type Entry = JournaledStart<{ text: string }, { n: number }>;

function journalFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'intake-journal-')), 'journal.sqlite');
}

function entry(id: string, n = 0): Entry {
  return { id, start: { text: `report ${id}` }, answer: { n } };
}

/** Reports in the file not yet started, read with a connection of its own. */
function rowsIn(path: string): string[] {
  const db = new Database(path);
  try {
    return (db.all('SELECT id FROM intake WHERE started_at IS NULL ORDER BY seq') as unknown as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

/** A dispatch the test completes by hand, recording the order starts were asked for. */
function heldDispatch() {
  const asked: string[] = [];
  const held = new Map<string, (outcome: StartOutcome) => void>();
  let inFlight = 0;
  let maxInFlight = 0;
  const dispatch = (e: Entry) => {
    asked.push(e.id);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<StartOutcome>((resolve) =>
      held.set(e.id, (outcome) => {
        inFlight -= 1;
        resolve(outcome);
      }),
    );
  };
  const release = (id: string, outcome: StartOutcome = 'started') => {
    const finish = held.get(id);
    if (!finish) throw new Error(`${id} was not dispatched`);
    held.delete(id);
    finish(outcome);
  };
  return { dispatch, asked, release, maxInFlight: () => maxInFlight };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Completes every dispatched start until nothing is left to start. */
async function drain(journal: IntakeJournal<Entry['start'], Entry['answer']>, held: ReturnType<typeof heldDispatch>): Promise<void> {
  while (journal.backlog > 0) {
    for (const id of held.asked.filter((id) => journal.isPending(id))) held.release(id);
    await settle();
  }
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('IntakeJournal', () => {
  const quiet = () => undefined;

  test('what one process recorded and did not start, the next one on the same file starts, in order (nothing accepted is lost)', async () => {
    const path = journalFile();
    // The first API: the engine never answers, then the process dies (no close, nothing flushed after).
    const first = heldDispatch();
    const crashed = new IntakeJournal<Entry['start'], Entry['answer']>({ path, dispatch: first.dispatch, concurrency: 1 });
    const outcomes = await Promise.all(['INC-A', 'INC-B', 'INC-C'].map((id) => crashed.record(entry(id))));
    expect(outcomes.map((o) => o.kind)).toEqual(['recorded', 'recorded', 'recorded']);
    expect(rowsIn(path)).toEqual(['INC-A', 'INC-B', 'INC-C']);

    const second = heldDispatch();
    const restarted = new IntakeJournal<Entry['start'], Entry['answer']>({ path, dispatch: second.dispatch, concurrency: 1, onDispatchError: quiet });
    expect(restarted.backlog).toBe(3);
    for (const id of ['INC-A', 'INC-B', 'INC-C']) {
      await until(() => second.asked.includes(id), `${id} dispatched`);
      second.release(id);
    }
    await until(() => restarted.backlog === 0, 'an empty backlog');
    await restarted.close();
    expect(second.asked).toEqual(['INC-A', 'INC-B', 'INC-C']);
    expect(rowsIn(path)).toEqual([]);
  });

  test('a burst in one turn of the event loop is recorded at once, started once each, in order, never more than `concurrency` at a time', async () => {
    const path = journalFile();
    const held = heldDispatch();
    const journal = new IntakeJournal<Entry['start'], Entry['answer']>({ path, dispatch: held.dispatch, concurrency: 8 });
    const ids = Array.from({ length: 300 }, (_, i) => `INC-${String(i).padStart(4, '0')}`);
    const outcomes = await Promise.all(ids.map((id) => journal.record(entry(id))));
    expect(outcomes.every((o) => o.kind === 'recorded')).toBe(true);
    expect(rowsIn(path)).toHaveLength(300);
    while (journal.backlog > 0) {
      await settle();
      for (const id of held.asked.filter((id) => journal.isPending(id)).slice(0, 3)) held.release(id);
    }
    await journal.close();
    expect(held.asked).toEqual(ids);
    expect(held.maxInFlight()).toBe(8);
    expect(rowsIn(path)).toEqual([]);
  });

  test('a retry while the start waits gets the first answer back; a start Temporal already had counts as done', async () => {
    const held = heldDispatch();
    const journal = new IntakeJournal<Entry['start'], Entry['answer']>({ path: journalFile(), dispatch: held.dispatch, concurrency: 1 });
    await journal.record(entry('INC-BLOCK'));
    expect(await journal.record(entry('INC-RETRY', 1))).toEqual({ kind: 'recorded' });
    expect(await journal.record(entry('INC-RETRY', 2))).toEqual({ kind: 'pending', answer: { n: 1 } });
    // Two records of the same id in the same turn: one row, the second told it is pending.
    const [a, b] = await Promise.all([journal.record(entry('INC-TWICE', 1)), journal.record(entry('INC-TWICE', 2))]);
    expect([a!.kind, b!.kind]).toEqual(['recorded', 'pending']);
    expect(journal.backlog).toBe(3);

    const started = journal.whenStarted('INC-RETRY')!;
    held.release('INC-BLOCK');
    await until(() => held.asked.includes('INC-RETRY'), 'INC-RETRY dispatched');
    held.release('INC-RETRY', 'existed');
    await expect(started).resolves.toBe('existed');
    expect(journal.whenStarted('INC-RETRY')).toBeUndefined();
    await until(() => held.asked.includes('INC-TWICE'), 'INC-TWICE dispatched');
    held.release('INC-TWICE');
    await journal.close();
    expect(held.asked.filter((id) => id === 'INC-TWICE')).toHaveLength(1);
  });

  test('a late retry of a started report is known (also to the next process) for `rememberStartedMs`, then forgotten', async () => {
    let now = 5_000_000;
    const path = journalFile();
    const held = heldDispatch();
    const journal = new IntakeJournal<Entry['start'], Entry['answer']>({ path, dispatch: held.dispatch, rememberStartedMs: 60 * 60_000, now: () => now });
    await journal.record(entry('INC-LATE'));
    held.release('INC-LATE');
    await until(() => journal.backlog === 0, 'the start');
    expect(await journal.record(entry('INC-LATE'))).toEqual({ kind: 'started' });
    await journal.close();

    const next = heldDispatch();
    const reopened = new IntakeJournal<Entry['start'], Entry['answer']>({ path, dispatch: next.dispatch, rememberStartedMs: 60 * 60_000, now: () => now });
    expect(reopened.backlog).toBe(0);
    expect(await reopened.record(entry('INC-LATE'))).toEqual({ kind: 'started' });
    // Past the window the id is purged at the next write, and a retry is journaled (and started) again.
    now += 61 * 60_000;
    await reopened.record(entry('INC-OTHER'));
    expect(await reopened.record(entry('INC-LATE'))).toEqual({ kind: 'recorded' });
    await drain(reopened, next);
    await reopened.close();
    expect(next.asked).toEqual(['INC-OTHER', 'INC-LATE']);
  });

  test('a start the engine refuses is tried again, with a growing delay, until it is taken', async () => {
    const attempts: number[] = [];
    const errors: number[] = [];
    const journal = new IntakeJournal<Entry['start'], Entry['answer']>({
      path: journalFile(),
      dispatch: async () => {
        attempts.push(Date.now());
        if (attempts.length < 3) throw new Error('UNAVAILABLE: the engine is down');
        return 'started';
      },
      onDispatchError: (_id, _error, attempt) => errors.push(attempt),
    });
    await journal.record(entry('INC-RETRIED'));
    await expect(journal.whenStarted('INC-RETRIED')).resolves.toBe('started');
    await journal.close();
    expect(errors).toEqual([1, 2]);
    expect(attempts).toHaveLength(3);
    // 1 s, then 2 s.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(950);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(1950);
  });

  test('past its bound it refuses new reports with 503 and a Retry-After from the rate it starts at', async () => {
    let now = 1_000_000;
    const held = heldDispatch();
    const journal = new IntakeJournal<Entry['start'], Entry['answer']>({ path: journalFile(), dispatch: held.dispatch, concurrency: 2, maxBacklog: 6, now: () => now });
    for (let i = 0; i < 5; i++) await journal.record(entry(`INC-${i}`));
    expect(journal.refusal()).toBeUndefined();
    await journal.record(entry('INC-5'));
    // No start measured yet: come back in a few seconds.
    expect(journal.refusal()).toMatchObject({ status: 503, details: { retryAfter: 5 } });
    // Two starts in the last 10 s (0.2/s): the next slot is 5 s away.
    held.release('INC-0');
    now += 100;
    held.release('INC-1');
    await until(() => journal.backlog === 4, 'two starts');
    for (let i = 6; i < 8; i++) await journal.record(entry(`INC-${i}`));
    const refused = journal.refusal();
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused!.details.retryAfter).toBe(5);
    await drain(journal, held);
    await journal.close();
    expect(held.asked).toHaveLength(8);
  });

  test('a read waiting on an incident puts it ahead of the queue', async () => {
    const held = heldDispatch();
    const journal = new IntakeJournal<Entry['start'], Entry['answer']>({ path: journalFile(), dispatch: held.dispatch, concurrency: 1 });
    for (const id of ['INC-1', 'INC-2', 'INC-3', 'INC-4']) await journal.record(entry(id));
    const waited = journal.whenStarted('INC-4', { expedite: true })!;
    held.release('INC-1');
    await until(() => held.asked.length === 2, 'the next dispatch');
    expect(held.asked).toEqual(['INC-1', 'INC-4']);
    held.release('INC-4');
    await expect(waited).resolves.toBe('started');
    await drain(journal, held);
    await journal.close();
    expect(held.asked).toEqual(['INC-1', 'INC-4', 'INC-2', 'INC-3']);
  });

  test('R-SEC-1: with payload keys the file holds no report text in clear (and without, it would)', async () => {
    const secret = '客户身份证号 110101199003077777';
    const read = async (keys: { id: string; key: Buffer }[] | undefined) => {
      const path = journalFile();
      const held = heldDispatch();
      const journal = new IntakeJournal<Entry['start'], Entry['answer']>({ path, dispatch: held.dispatch, ...(keys ? { payloadKeys: keys } : {}) });
      await journal.record({ id: 'INC-SEALED', start: { text: secret }, answer: { n: 0 } });
      const bytes = readFileSync(path);
      held.release('INC-SEALED');
      await journal.close();
      return bytes;
    };
    const needle = Buffer.from(secret, 'utf8');
    expect((await read(undefined)).includes(needle)).toBe(true);
    expect((await read([{ id: 'k1', key: randomBytes(32) }])).includes(needle)).toBe(false);
  });

  test("a process killed mid-transaction leaves SQLite's lock: the next one removes it; a file a live process owns is refused", async () => {
    const path = journalFile();
    const held = heldDispatch();
    const first = new IntakeJournal<Entry['start'], Entry['answer']>({ path, dispatch: held.dispatch });
    await first.record(entry('INC-BEFORE-KILL'));
    // What a SIGKILL in the middle of a commit leaves: the VFS's lock directory, and an owner that is gone.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${path}.owner`, `${dead.stdout}\n`);
    mkdirSync(`${path}.lock`);
    const next = heldDispatch();
    const restarted = new IntakeJournal<Entry['start'], Entry['answer']>({ path, dispatch: next.dispatch });
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(await restarted.record(entry('INC-AFTER-KILL'))).toEqual({ kind: 'recorded' });
    await drain(restarted, next);
    await restarted.close();
    expect(next.asked).toEqual(['INC-BEFORE-KILL', 'INC-AFTER-KILL']);

    // Owned by a live process (this test's parent stands for another API): refused, naming the setting.
    writeFileSync(`${path}.owner`, `${process.ppid}\n`);
    expect(() => new IntakeJournal({ path, dispatch: next.dispatch })).toThrow(/in use by process \d+: .*INTAKE_JOURNAL_FILE/);
  });

  test('an accepted report sealed under a key the next process lacks stops it, naming the report (never skipped)', async () => {
    const path = journalFile();
    const held = heldDispatch();
    // Recorded under k1 and never started (the process dies).
    const first = new IntakeJournal<Entry['start'], Entry['answer']>({ path, dispatch: held.dispatch, payloadKeys: [{ id: 'k1', key: randomBytes(32) }] });
    await first.record(entry('INC-UNREADABLE'));
    expect(() => new IntakeJournal({ path, dispatch: held.dispatch, payloadKeys: [{ id: 'k2', key: randomBytes(32) }] })).toThrow(
      /intake journal .*INC-UNREADABLE cannot be read: .*"k1"/,
    );
  });
});

describe('POST /incidents through the intake journal (real Temporal)', () => {
  let stack: ApiStack;
  let journal: IntakeJournal<TriagedStart, TriageResponse>;
  const edgeTriage = { policy: DEFAULT_POLICY, calendar: createCalendar(readCalendarData(), DEFAULT_POLICY.timeZone) };
  const run = randomBytes(4).toString('hex');
  const report = (i: number) => ({
    title: `理赔款逾期未到账 ${run}-${i}`,
    description: '客户反映理赔款超过承诺时间仍未到账，要求说明原因',
    reporter: 'support-desk',
  });

  beforeAll(async () => {
    stack = await startApiStack({
      app: (client, auth) => {
        journal = new IntakeJournal<TriagedStart, TriageResponse>({ path: journalFile(), dispatch: journalDispatch(client), concurrency: 2 });
        return createApp({ client, namespace: 'default', temporalUiUrl: 'http://localhost:8233', auth, edgeTriage, intakeJournal: journal });
      },
    });
  });

  afterAll(async () => {
    if (!stack) return;
    await journal?.close();
    for await (const info of stack.client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
      await stack.client.workflow.getHandle(info.workflowId).terminate('test over').catch(() => undefined);
    }
    await stack.stop();
  });

  test('one report while the engine keeps up: 201 after the start, as without the journal', async () => {
    const res = await stack.call('POST', '/incidents', report(0), { 'idempotency-key': `journal-one-${run}` });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'triggered', triage: { category: 'timeliness' } });
    const described = await stack.client.workflow.getHandle(res.body.id as string).describe();
    expect(described.status.name).toBe('RUNNING');
  });

  test('a burst: answered at once (202 past the free start slots), every report exactly one incident, a 202 readable at once, retries answered with the same incident', async () => {
    const n = 40;
    const keys = Array.from({ length: n }, (_, i) => `journal-burst-${run}-${i}`);
    const answers = await Promise.all(keys.map((key, i) => stack.call('POST', '/incidents', report(i + 1), { 'idempotency-key': key })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 201 || s === 202)).toBe(true);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(0);
    for (const a of answers) {
      expect(a.headers.get('location')).toBe(`/incidents/${a.body.id}`);
      expect(a.body).toMatchObject({ status: 'triggered', triage: { category: 'timeliness' } });
      // The deadlines are the plan's from the report's own time (R-T-*), in the answer already.
      expect((a.body.deadlines as { id: string }[]).map((d) => d.id)).toContain('contact');
    }
    const ids = answers.map((a) => a.body.id as string);
    expect(new Set(ids).size).toBe(n);

    // The last accepted is read at once: the read waits for its start, which goes ahead of the queue.
    const last = answers[answers.length - 1]!;
    const read = await stack.call('GET', last.headers.get('location')!);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: last.body.id, status: 'triggered' });

    await until(() => journal.backlog === 0, 'the journal to drain', 60_000);
    const again = await Promise.all(keys.map((key, i) => stack.call('POST', '/incidents', report(i + 1), { 'idempotency-key': key })));
    expect(again.map((a) => a.status).every((s) => s === 201)).toBe(true);
    expect(again.map((a) => a.body.id)).toEqual(ids);

    const query = `WorkflowType = 'incidentWorkflow' AND WorkflowId IN (${ids.map((id) => `'${id}'`).join(', ')})`;
    let count = 0;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (count = (await stack.client.workflow.count(query)).count) < n) await new Promise((r) => setTimeout(r, 250));
    expect(count).toBe(n);
  });
});
