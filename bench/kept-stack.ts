/**
 * Reads a benchmark stack kept by `BENCH_KEEP=1` through Temporal: opens a copy of its database on
 * a dev server of its own, hands `read` a client of it, then stops the server and removes the
 * copy. A copy, because the server fires the timers due since the stack stopped, which would
 * change the kept file. Used by bench/replay-cost.ts and bench/cache-hits.ts.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../scripts/dev-server';

export async function readKeptStack<T>(stack: string, read: (client: Client) => Promise<T>): Promise<T> {
  const copy = mkdtempSync(join(tmpdir(), 'kept-stack-'));
  for (const name of ['temporal.sqlite', 'temporal.sqlite-wal', 'temporal.sqlite-shm']) {
    if (existsSync(join(stack, name))) copyFileSync(join(stack, name), join(copy, name));
  }
  const server = await startDevServer({ dbFile: join(copy, 'temporal.sqlite'), uiPort: false });
  try {
    const connection = await Connection.connect({ address: server.address });
    try {
      return await read(new Client({ connection, namespace: server.namespace }));
    } finally {
      await connection.close();
    }
  } finally {
    await server.stop();
    rmSync(copy, { recursive: true, force: true });
  }
}
