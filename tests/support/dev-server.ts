/**
 * A real Temporal dev server for integration tests: headless, on free ports, persisting to a
 * SQLite file in a fresh temporary folder that `stop()` removes. The search attributes of
 * `contracts.ts` are registered before it resolves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer } from '../../scripts/dev-server';

export interface TestDevServer {
  /** gRPC `host:port`, for `Connection.connect` and `NativeConnection.connect`. */
  address: string;
  namespace: string;
  /** The folder holding the database file and the server's log. */
  folder: string;
  stop(): Promise<void>;
}

export async function startTestDevServer(): Promise<TestDevServer> {
  const folder = await mkdtemp(join(tmpdir(), 'claims-dev-server-'));
  try {
    const server = await startDevServer({
      dbFile: join(folder, 'temporal.sqlite'),
      logFile: join(folder, 'server.log'),
      uiPort: false,
    });
    return {
      address: server.address,
      namespace: server.namespace,
      folder,
      stop: async () => {
        await server.stop();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(folder, { recursive: true, force: true });
    throw err;
  }
}
