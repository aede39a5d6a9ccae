/**
 * Issue 7: the SQLite archive in a thread of its own, its writes committed in groups.
 *
 * The embedded archive is SQLite compiled to WebAssembly (archive-store.ts), and its file I/O is
 * synchronous: a write takes the file's lock directory, writes and `fsync`s a rollback journal,
 * writes and `fsync`s the database and removes both. On the worker's main thread every write
 * held its event loop for that long, the loop that also hands workflow activations to the
 * workflow thread and runs every activity. In a profile of the worker at 10,000 open incidents
 * the synchronous `fsync`, `mkdir`, `rmdir` and `unlink` of those writes were 83 s of the main
 * thread's time (bench/RESULTS.md).
 *
 * `ThreadedArchiveStore` is the same store behind a `worker_threads` Worker: each call is a
 * message, answered in the order sent, so a read sees every write asked before it. Writes that
 * queue while a transaction runs are the next transaction together (`upsertIncidents`), each
 * with its own outcome, so a burst costs one journal and one set of `fsync`s, not one each.
 * Durability is unchanged: a write is answered once its transaction is committed with
 * `synchronous = FULL`. Errors keep their name (`ArchiveNotFound`, `ArchiveConflict`).
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import {
  ArchiveConflict,
  ArchiveNotFound,
  type ArchiveStore,
  type ArchivedIncident,
  type ArchivedIncidentSummary,
  type CaseFilter,
  type CaseInput,
  type CaseRecord,
  type IncidentFilter,
  type IncidentSnapshot,
  type RetentionOutcome,
  type SqliteArchiveOptions,
  type UpsertOutcome,
} from './archive-store';

/** One call into the thread. */
export interface ArchiveCall {
  id: number;
  method: keyof ArchiveStore | 'schemaVersion' | 'writeStats';
  args: unknown[];
}

/** The thread's answer to call `id`. */
export interface ArchiveReply {
  id: number;
  result?: unknown;
  error?: { name: string; message: string; stack?: string };
}

/** How many transactions the thread's writes took: `writes` upserts in `batches` transactions. */
export interface ArchiveWriteStats {
  batches: number;
  writes: number;
}

const hostPath = join(__dirname, 'archive-thread-host.ts');
// The thread loads the TypeScript host through tsx's scoped require, so it needs no loader
// flags of its own (the same under `tsx`, `node --import tsx` and Jest).
const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).require(${JSON.stringify(hostPath)}, ${JSON.stringify(hostPath)});`;

function errorFrom(wire: NonNullable<ArchiveReply['error']>): Error {
  const error = wire.name === 'ArchiveNotFound' ? new ArchiveNotFound(wire.message) : wire.name === 'ArchiveConflict' ? new ArchiveConflict(wire.message) : new Error(wire.message);
  if (error.name !== wire.name) error.name = wire.name;
  if (wire.stack) error.stack = wire.stack;
  return error;
}

export class ThreadedArchiveStore implements ArchiveStore {
  private readonly thread: Worker;
  private readonly calls = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private ended: Error | undefined;
  readonly path: string;

  constructor(options: SqliteArchiveOptions) {
    this.path = options.path;
    this.thread = new Worker(bootstrap, { eval: true, workerData: options });
    // The thread keeps the process alive only while a call waits for it.
    this.thread.unref();
    this.thread.on('message', (reply: ArchiveReply) => {
      const call = this.calls.get(reply.id);
      if (!call) return;
      this.calls.delete(reply.id);
      if (this.calls.size === 0) this.thread.unref();
      if (reply.error) call.reject(errorFrom(reply.error));
      else call.resolve(reply.result);
    });
    this.thread.on('error', (err) => this.end(new Error(`the archive thread failed: ${err.message}`)));
    this.thread.on('exit', (code) => this.end(new Error(`the archive thread exited (code ${code})`)));
  }

  /** Opens the archive in its thread and brings its schema up to date (a bad file fails here). */
  static async open(options: SqliteArchiveOptions): Promise<ThreadedArchiveStore> {
    const store = new ThreadedArchiveStore(options);
    try {
      await store.schemaVersion();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  private end(reason: Error): void {
    this.ended ??= reason;
    for (const call of this.calls.values()) call.reject(reason);
    this.calls.clear();
  }

  private call<T>(method: ArchiveCall['method'], ...args: unknown[]): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (this.calls.size === 1) this.thread.ref();
      this.thread.postMessage({ id, method, args } satisfies ArchiveCall);
    });
  }

  schemaVersion(): Promise<number> {
    return this.call('schemaVersion');
  }

  upsertIncident(snapshot: IncidentSnapshot, writtenAt?: Date): Promise<UpsertOutcome> {
    return writtenAt ? this.call('upsertIncident', snapshot, writtenAt) : this.call('upsertIncident', snapshot);
  }

  getIncident(id: string): Promise<ArchivedIncident | undefined> {
    return this.call('getIncident', id);
  }

  listIncidents(filter?: IncidentFilter): Promise<ArchivedIncident[]> {
    return this.call('listIncidents', filter);
  }

  listSummaries(filter?: IncidentFilter): Promise<ArchivedIncidentSummary[]> {
    return this.call('listSummaries', filter);
  }

  markCase(incidentId: string, input: CaseInput): Promise<CaseRecord> {
    return this.call('markCase', incidentId, input);
  }

  findCases(filter?: CaseFilter): Promise<CaseRecord[]> {
    return this.call('findCases', filter);
  }

  applyRetention(now: Date, years: number): Promise<RetentionOutcome> {
    return this.call('applyRetention', now, years);
  }

  backupTo(path: string): Promise<void> {
    return this.call('backupTo', path);
  }

  /** How the writes so far were grouped into transactions. */
  writeStats(): Promise<ArchiveWriteStats> {
    return this.call('writeStats');
  }

  /** Closes the file (after every call sent before) and ends the thread. */
  async close(): Promise<void> {
    if (this.ended) return;
    try {
      await this.call('close');
    } finally {
      this.end(new Error('the archive is closed'));
      await this.thread.terminate();
    }
  }
}
