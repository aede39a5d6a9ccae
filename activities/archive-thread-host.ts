/**
 * The inside of the archive thread (archive-thread.ts starts it): the SQLite archive store,
 * answering the owning thread's calls one at a time in the order they came. Consecutive
 * `upsertIncident` calls are one batch: what queued while the last transaction ran is written
 * in one transaction (`SqliteArchiveStore.upsertIncidents`), each call answered with its own
 * outcome or error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PayloadKey } from '../config/payload-codec';
import { SqliteArchiveStore, type SqliteArchiveOptions } from './archive-store';
import type { ArchiveCall, ArchiveReply } from './archive-thread';

const port = parentPort;
if (!port) throw new Error('archive-thread-host.ts runs in the archive thread only (activities/archive-thread.ts)');

const options = workerData as SqliteArchiveOptions;
// Buffers arrive as plain Uint8Arrays.
const keys: PayloadKey[] | undefined = options.keys?.map(({ id, key }) => ({ id, key: Buffer.from(key) }));
const store = new SqliteArchiveStore({ ...options, ...(keys ? { keys } : {}) });

const queue: ArchiveCall[] = [];
let draining = false;
let batches = 0;
let batchedWrites = 0;

function failure(err: unknown): ArchiveReply['error'] {
  const error = err instanceof Error ? err : new Error(String(err));
  return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
}

function reply(message: ArchiveReply): void {
  port!.postMessage(message);
}

async function runOne(call: ArchiveCall): Promise<void> {
  try {
    const method = store[call.method as keyof SqliteArchiveStore] as (...args: unknown[]) => Promise<unknown>;
    reply({ id: call.id, result: await method.apply(store, call.args) });
  } catch (err) {
    reply({ id: call.id, error: failure(err) });
  }
}

async function runUpserts(calls: ArchiveCall[]): Promise<void> {
  batches += 1;
  batchedWrites += calls.length;
  try {
    const outcomes = await store.upsertIncidents(
      calls.map((call) => {
        const [snapshot, writtenAt] = call.args as Parameters<SqliteArchiveStore['upsertIncident']>;
        return { snapshot, ...(writtenAt ? { writtenAt } : {}) };
      }),
    );
    outcomes.forEach((outcome, i) => reply(outcome instanceof Error ? { id: calls[i]!.id, error: failure(outcome) } : { id: calls[i]!.id, result: outcome }));
  } catch (err) {
    for (const call of calls) reply({ id: call.id, error: failure(err) });
  }
}

async function drain(): Promise<void> {
  if (draining) return;
  draining = true;
  try {
    while (queue.length > 0) {
      if (queue[0]!.method === 'upsertIncident') {
        let end = 1;
        while (end < queue.length && queue[end]!.method === 'upsertIncident') end += 1;
        await runUpserts(queue.splice(0, end));
      } else if (queue[0]!.method === 'writeStats') {
        const call = queue.shift()!;
        reply({ id: call.id, result: { batches, writes: batchedWrites } });
      } else {
        await runOne(queue.shift()!);
      }
    }
  } finally {
    draining = false;
  }
}

port.on('message', (call: ArchiveCall) => {
  queue.push(call);
  // After this turn's other messages, so that the calls that came together are one batch.
  if (!draining) setImmediate(() => void drain());
});
