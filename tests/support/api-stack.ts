/**
 * The engine as an API test meets it: a real Temporal dev server (fresh SQLite file, free ports),
 * a real worker over the bundled workflows, and the Express app listening on a free port. Pages go
 * to an outbox file through the example roster unless the test brings its own dependencies.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type express from 'express';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createChannels } from '../../activities/channels';
import { MemorySentLedger, RosterNotifier, type PagingDependencies } from '../../activities/paging';
import { createApp, type AppDependencies } from '../../api/app';
import { readCalendarData } from '../../config/calendar';
import { readRoster } from '../../config/env';
import { createCalendar } from '../../domain/calendar';
import { DEFAULT_POLICY } from '../../domain/policy';
import { createIncidentWorker } from '../../worker';
import type { Role } from '../../domain/roles';
import { createTestKeys } from './api-keys';
import { testArchive, type TestArchive } from './archive';
import type { PayloadKey } from '../../config/payload-codec';
import { getWorkflowBundle } from './bundle';
import { startTestDevServer } from './dev-server';

export interface ApiStack {
  base: string;
  address: string;
  client: Client;
  connection: Connection;
  outboxPath: string;
  /** The archive the worker writes and the app reads (R-REV-5): a real SQLite file in a temp dir. */
  archive: TestArchive;
  /** One real key per role (R-SEC-2), in a fresh key file: `stack.keys.oncall`. */
  keys: Record<Role, string>;
  /** The key ids, as `IncidentReportedBy` holds them. */
  keyIds: Record<Role, string>;
  /** The key file behind the app's store. */
  keysPath: string;
  /**
   * JSON in, JSON out; `body` may be a raw string (to send broken JSON). Sends the manager's key
   * unless `headers` carries its own `authorization` (or `authorization: ''` for none).
   */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export interface ApiStackOptions {
  dataConverter?: DataConverter;
  /** Builds the HTTP app from the stack's client and auth (default: `createApp` with the given extras). */
  app?: (client: Client, auth: NonNullable<AppDependencies['auth']>) => express.Express;
  appDependencies?: Partial<AppDependencies>;
  /** The archive's record keys (R-SEC-1); records in clear when unset. */
  archiveKeys?: readonly PayloadKey[];
}

export async function startApiStack(options: ApiStackOptions = {}): Promise<ApiStack> {
  const server = await startTestDevServer();
  const outboxPath = join(mkdtempSync(join(tmpdir(), 'api-stack-')), 'outbox.jsonl');
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const paging: PagingDependencies = {
    roster: readRoster(join(__dirname, '..', '..', 'config', 'roster.example.json')),
    channels: createChannels({ outboxPath, log: () => undefined }),
    ledger: new MemorySentLedger(),
  };
  const archive = testArchive(options.archiveKeys);
  const worker: Worker = await createIncidentWorker({
    connection: nativeConnection,
    namespace: 'default',
    workflowBundle: await getWorkflowBundle(),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    dependencies: {
      policy: DEFAULT_POLICY,
      calendar: createCalendar(readCalendarData()),
      notifier: new RosterNotifier(paging),
      paging,
      archive: archive.dependencies,
    },
  });
  const workerRun = worker.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default', ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) });
  const testKeys = createTestKeys();
  const auth = { keys: testKeys.store };
  const app =
    options.app?.(client, auth) ??
    createApp({ client, namespace: 'default', temporalUiUrl: 'http://localhost:8233', auth, archive: archive.store, ...options.appDependencies });
  const http: Server = app.listen(0);
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    base,
    address: server.address,
    client,
    connection,
    outboxPath,
    archive,
    keys: testKeys.keys,
    keyIds: testKeys.ids,
    keysPath: testKeys.store.path,
    async call(method, path, body, headers = {}) {
      const sent: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${testKeys.keys.manager}`, ...headers };
      if (sent.authorization === '') delete sent.authorization;
      const response = await fetch(base + path, {
        method,
        headers: sent,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (an HTML page or TwiML): the text itself
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      worker.shutdown();
      await workerRun;
      await connection.close();
      await nativeConnection.close();
      await server.stop();
      await archive.store.close();
    },
  };
}
