/**
 * The intake journal (issue 7; R-REV-6's 10,000 concurrent requests): a report is accepted once
 * its workflow start is written to a SQLite file on this machine's disk, not once Temporal has
 * persisted the start. A dispatcher then starts the workflows from the file in the order they
 * came, as fast as the engine takes them, and marks each once Temporal has it.
 *
 * Why: under a burst the engine, not HTTP, is the limit (bench/RESULTS.md). Without the journal a
 * report in a 10,000 burst was shed and retried until the engine had room for it, and the support
 * agent on the phone waited through that. With it the report is durable in milliseconds, its
 * triage and deadlines (computed at the edge from the report's own time, so a late start moves no
 * deadline, R-T-*) are in the answer, and the queue lives in one ordered file instead of in
 * thousands of clients' retry loops.
 *
 * Nothing accepted is lost: a start is recorded (group commit, `synchronous = FULL`) before the
 * API answers; an API that crashes before starting it finds it in the file when it starts again
 * and dispatches it then; a start Temporal already has (`WorkflowExecutionAlreadyStarted`) counts
 * as done, so a start dispatched twice opens one incident. The recorded input is sealed under the
 * payload keys like the archive's records (R-SEC-1): the file holds no report text in clear.
 *
 * While the engine keeps up the API waits for the start and answers 201 as before; under a
 * burst it answers 202 with the same body. Past `maxBacklog` recorded-but-unstarted reports the
 * API sheds with 503 and a `Retry-After` of when the dispatcher will have made room.
 */
import { Database } from 'node-sqlite3-wasm';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RecordCipher } from '../activities/archive-store';
import type { PayloadKey } from '../config/payload-codec';
import { HttpError } from './errors';

/** What the dispatcher needs to start one incident, and the answer the API gave for it. */
export interface JournaledStart<Start = unknown, Answer = unknown> {
  /** The workflow id (the incident id). */
  id: string;
  start: Start;
  answer: Answer;
}

/** How a dispatch ended: Temporal started it now, or already had it (a retried report). */
export type StartOutcome = 'started' | 'existed';

export interface IntakeJournalOptions<Start, Answer> {
  /** The SQLite file; its folder is created. */
  path: string;
  /** Starts the workflow; resolves 'existed' when Temporal already had it. Any throw is retried. */
  dispatch: (entry: JournaledStart<Start, Answer>) => Promise<StartOutcome>;
  /** R-SEC-1: the journaled input is sealed under these; stored in clear (said in a column) without. */
  payloadKeys?: readonly PayloadKey[];
  /** Starts in flight at once. Default 32. */
  concurrency?: number;
  /** Recorded but not yet started, past which `admit()` refuses. Default 50,000. */
  maxBacklog?: number;
  /** Delay before a failed start is tried again: 1 s doubling to this (ms). Default 30,000. */
  maxRetryDelayMs?: number;
  /** Told of each failed start (it is retried). Default: console.warn. */
  onDispatchError?: (id: string, error: unknown, attempt: number) => void;
  /** How long a started report's id is kept, to answer a late retry (ms). Default 24 h. */
  rememberStartedMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface Waiter {
  resolve: (outcome: StartOutcome) => void;
  reject: (error: unknown) => void;
}

interface PendingWrite<Start, Answer> {
  entry: JournaledStart<Start, Answer>;
  acceptedAt: number;
  resolve: (recorded: RecordOutcome<Answer>) => void;
  reject: (error: unknown) => void;
}

/**
 * `recorded`: newly in the journal; `pending`: already there, not yet started (a retry), with its
 * first answer; `started`: Temporal took it within the last `rememberStartedMs` (a late retry).
 */
export type RecordOutcome<Answer> = { kind: 'recorded' } | { kind: 'pending'; answer: Answer } | { kind: 'started' };

/**
 * One row per accepted report. A started one keeps its id and times (its sealed input is dropped)
 * for `rememberStartedMs`, so a late retry is known without asking Temporal to start it again.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS intake (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  accepted_at INTEGER NOT NULL,
  started_at INTEGER,
  encoding TEXT NOT NULL,
  key_id TEXT,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS intake_started_at ON intake (started_at);`;

/**
 * One API process owns a journal file. Its pid is kept in `<file>.owner`; a file owned by a live
 * process is refused (each API process needs its own). A dead owner's SQLite lock (the VFS's
 * `<file>.lock` directory, left by a process killed mid-transaction) is removed, so the restarted
 * API opens the file and SQLite rolls the interrupted transaction back.
 */
function takeOwnership(path: string, ownerPath: string): void {
  let owner: number | undefined;
  try {
    owner = Number(readFileSync(ownerPath, 'utf8').trim()) || undefined;
  } catch {
    // No owner yet.
  }
  if (owner !== undefined && owner !== process.pid && alive(owner)) {
    throw new Error(`intake journal ${path} is in use by process ${owner}: give each API process its own INTAKE_JOURNAL_FILE`);
  }
  writeFileSync(ownerPath, `${process.pid}\n`);
  rmSync(`${path}.lock`, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The window over which the start rate is measured, for `Retry-After`. */
const RATE_WINDOW_MS = 10_000;

export class IntakeJournal<Start = unknown, Answer = unknown> {
  private readonly db: Database;
  private readonly cipher: RecordCipher;
  private readonly dispatch: IntakeJournalOptions<Start, Answer>['dispatch'];
  /** Starts in flight at once. */
  readonly concurrency: number;
  private readonly maxBacklog: number;
  private readonly maxRetryDelayMs: number;
  private readonly onDispatchError: NonNullable<IntakeJournalOptions<Start, Answer>['onDispatchError']>;
  private readonly now: () => number;
  private readonly rememberStartedMs: number;
  /** Ids started within `rememberStartedMs`, with when. */
  private readonly started = new Map<string, number>();
  private nextPurgeAt = 0;

  /** Every recorded, unstarted start by id (the file's rows, in memory), oldest first. */
  private readonly pending = new Map<string, JournaledStart<Start, Answer>>();
  /** Ids waiting for a dispatch slot, in order; `expedited` go first. */
  private queue: string[] = [];
  private queueHead = 0;
  private readonly expedited: string[] = [];
  private readonly inFlight = new Set<string>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly attempts = new Map<string, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private writes: PendingWrite<Start, Answer>[] = [];
  /** Started since the last flush: [id, when]. */
  private removals: [string, number][] = [];
  private flushScheduled = false;
  private readonly startTimes: number[] = [];
  private closed = false;
  private drained: (() => void) | undefined;
  private readonly ownerPath: string;

  constructor(options: IntakeJournalOptions<Start, Answer>) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.ownerPath = `${options.path}.owner`;
    takeOwnership(options.path, this.ownerPath);
    this.db = new Database(options.path);
    // One writer (this process); every commit reaches the disk before the API answers.
    this.db.exec(`PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; ${SCHEMA}`);
    this.cipher = new RecordCipher(options.payloadKeys ?? []);
    this.dispatch = options.dispatch;
    this.concurrency = options.concurrency ?? 32;
    this.maxBacklog = options.maxBacklog ?? 50_000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.onDispatchError =
      options.onDispatchError ??
      ((id, error, attempt) => console.warn(`intake journal: start of ${id} failed (attempt ${attempt}), retrying: ${error instanceof Error ? error.message : String(error)}`));
    this.now = options.now ?? Date.now;
    this.rememberStartedMs = options.rememberStartedMs ?? 24 * 60 * 60_000;
    // What an earlier process recorded and did not start: dispatched first, in its order.
    const rows = this.db.all('SELECT id, started_at, encoding, key_id, data FROM intake ORDER BY seq') as unknown as {
      id: string;
      started_at: number | null;
      encoding: string;
      key_id: string | null;
      data: Uint8Array;
    }[];
    for (const row of rows) {
      if (row.started_at !== null) {
        this.started.set(row.id, row.started_at);
        continue;
      }
      let entry: JournaledStart<Start, Answer>;
      try {
        entry = JSON.parse(this.cipher.open(row.id, row.encoding, row.key_id, row.data)) as JournaledStart<Start, Answer>;
      } catch (error) {
        // Never skipped: an accepted report the API cannot read stops it, naming the row and why.
        throw new Error(`intake journal ${options.path}: accepted report ${row.id} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.pending.set(entry.id, entry);
      this.queue.push(entry.id);
    }
    this.pump();
  }

  /** Recorded starts not yet taken by Temporal. */
  get backlog(): number {
    return this.pending.size;
  }

  /** Whether `id` is recorded (or being recorded) and not yet started. */
  isPending(id: string): boolean {
    return this.pending.has(id) || this.writes.some((w) => w.entry.id === id);
  }

  /** Starts Temporal took per second over the last 10 s. */
  startRate(): number {
    this.forgetOldStarts();
    return this.startTimes.length / (RATE_WINDOW_MS / 1000);
  }

  private forgetOldStarts(): void {
    const since = this.now() - RATE_WINDOW_MS;
    let old = 0;
    while (old < this.startTimes.length && this.startTimes[old]! < since) old++;
    if (old > 0) this.startTimes.splice(0, old);
  }

  /**
   * A 503 with `Retry-After` when the backlog is at its bound (nothing is recorded for a refused
   * report; the client retries with the same Idempotency-Key), else undefined.
   */
  refusal(): HttpError | undefined {
    const over = this.pending.size + this.writes.length - this.maxBacklog;
    if (over < 0) return undefined;
    const rate = this.startRate();
    // When the dispatcher will have started enough for this one to fit, at the rate it starts now.
    const seconds = rate > 0 ? Math.ceil((over + 1) / rate) : 5;
    return new HttpError(503, `intake is saturated: ${this.pending.size} accepted reports are waiting for the engine; retry with the same Idempotency-Key`, {
      retryAfter: Math.min(Math.max(seconds, 1), 120),
    });
  }

  /**
   * Records a start durably (group commit: every record of the same turn of the event loop
   * shares one transaction) and queues it for dispatch. A start already pending is not recorded
   * again: its first answer comes back.
   */
  record(entry: JournaledStart<Start, Answer>): Promise<RecordOutcome<Answer>> {
    if (this.closed) return Promise.reject(new HttpError(503, 'the API is stopping; retry with the same Idempotency-Key'));
    const known = this.pending.get(entry.id);
    if (known) return Promise.resolve({ kind: 'pending', answer: known.answer });
    if (this.started.has(entry.id)) return Promise.resolve({ kind: 'started' });
    return new Promise((resolve, reject) => {
      this.writes.push({ entry, acceptedAt: this.now(), resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Resolves once the start is in Temporal ('started', or 'existed' for a start it already had);
   * undefined when the id is not pending (started long ago, or never journaled). `expedite` moves
   * it ahead of the queue: somebody is waiting on this incident now (a read, an acknowledgement).
   */
  whenStarted(id: string, options: { expedite?: boolean } = {}): Promise<StartOutcome> | undefined {
    if (!this.isPending(id)) return undefined;
    if (options.expedite && !this.inFlight.has(id) && !this.expedited.includes(id)) {
      this.expedited.push(id);
      this.pump();
    }
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(id) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(id, list);
    });
  }

  /** Stops dispatching, waits for the starts in flight, writes what is left and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    if (this.inFlight.size > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.flush();
    this.db.close();
    rmSync(this.ownerPath, { force: true });
    for (const [id, list] of this.waiters) {
      for (const waiter of list) waiter.reject(new HttpError(503, `the API stopped before ${id} was started; it is kept and started when the API runs again`));
    }
    this.waiters.clear();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
      this.pump();
    });
  }

  /** One transaction for every record and removal since the last one. */
  private flush(): void {
    const writes = this.writes;
    const removals = this.removals;
    this.writes = [];
    this.removals = [];
    if (writes.length === 0 && removals.length === 0) return;
    const fresh: PendingWrite<Start, Answer>[] = [];
    const freshIds = new Set<string>();
    const again: PendingWrite<Start, Answer>[] = [];
    const known: PendingWrite<Start, Answer>[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const [id, at] of removals) this.db.run(`UPDATE intake SET started_at = ?, encoding = 'dropped', key_id = NULL, data = X'' WHERE id = ?`, [at, id]);
      const now = this.now();
      if (now >= this.nextPurgeAt) {
        this.nextPurgeAt = now + 60_000;
        const before = now - this.rememberStartedMs;
        this.db.run('DELETE FROM intake WHERE started_at IS NOT NULL AND started_at < ?', before);
        for (const [id, at] of this.started) if (at < before) this.started.delete(id);
      }
      for (const write of writes) {
        if (this.started.has(write.entry.id)) {
          known.push(write);
          continue;
        }
        if (this.pending.has(write.entry.id) || freshIds.has(write.entry.id)) {
          again.push(write);
          continue;
        }
        const sealed = this.cipher.seal(write.entry.id, JSON.stringify(write.entry));
        this.db.run('INSERT INTO intake (id, accepted_at, encoding, key_id, data) VALUES (?, ?, ?, ?, ?)', [
          write.entry.id,
          write.acceptedAt,
          sealed.encoding,
          sealed.keyId,
          sealed.data,
        ]);
        fresh.push(write);
        freshIds.add(write.entry.id);
      }
      this.db.exec('COMMIT');
    } catch (error) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // Nothing was begun.
      }
      // Not recorded: the client is told so (503) and retries; removals are tried again later.
      this.removals.push(...removals);
      for (const write of writes) write.reject(new HttpError(503, `the intake journal could not record the report: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    for (const write of fresh) {
      this.pending.set(write.entry.id, write.entry);
      this.queue.push(write.entry.id);
      write.resolve({ kind: 'recorded' });
    }
    for (const write of again) write.resolve({ kind: 'pending', answer: this.pending.get(write.entry.id)!.answer });
    for (const write of known) write.resolve({ kind: 'started' });
  }

  private nextId(): string | undefined {
    while (this.expedited.length > 0) {
      const id = this.expedited.shift()!;
      if (this.pending.has(id) && !this.inFlight.has(id)) return id;
    }
    while (this.queueHead < this.queue.length) {
      const id = this.queue[this.queueHead++]!;
      // A queue that never empties under steady load drops what it has passed now and then.
      if (this.queueHead >= 1024 && this.queueHead * 2 >= this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
      if (this.pending.has(id) && !this.inFlight.has(id)) return id;
    }
    this.queue = [];
    this.queueHead = 0;
    return undefined;
  }

  /** Fills the dispatch slots. */
  private pump(): void {
    while (!this.closed && this.inFlight.size < this.concurrency) {
      const id = this.nextId();
      if (id === undefined) return;
      this.startOne(id);
    }
  }

  private startOne(id: string): void {
    const entry = this.pending.get(id)!;
    this.inFlight.add(id);
    this.dispatch(entry).then(
      (outcome) => {
        this.inFlight.delete(id);
        this.pending.delete(id);
        this.attempts.delete(id);
        const at = this.now();
        this.startTimes.push(at);
        this.forgetOldStarts();
        this.started.set(id, at);
        this.removals.push([id, at]);
        this.scheduleFlush();
        for (const waiter of this.waiters.get(id) ?? []) waiter.resolve(outcome);
        this.waiters.delete(id);
        this.afterSettle();
      },
      (error: unknown) => {
        this.inFlight.delete(id);
        const attempt = (this.attempts.get(id) ?? 0) + 1;
        this.attempts.set(id, attempt);
        this.onDispatchError(id, error, attempt);
        if (!this.closed) {
          const timer = setTimeout(() => {
            this.retryTimers.delete(timer);
            this.queue.push(id);
            this.pump();
          }, Math.min(1000 * 2 ** (attempt - 1), this.maxRetryDelayMs));
          this.retryTimers.add(timer);
        }
        this.afterSettle();
      },
    );
  }

  private afterSettle(): void {
    if (this.closed) {
      if (this.inFlight.size === 0) this.drained?.();
      return;
    }
    this.pump();
  }
}
