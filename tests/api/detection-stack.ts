/**
 * The detection stack on real parts: the Temporal dev server, one worker running every workflow
 * with the real incident and detection activities (outbox files for pages and customer
 * notices), and the HTTP API with the signals router mounted as `createApp` will mount it.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { SqliteArchiveStore } from '../../activities/archive-store';
import { CustomerNoticeOutbox } from '../../activities/customer-notices';
import { createDetectionActivities } from '../../activities/detection';
import { createChannels } from '../../activities/channels';
import { MemorySentLedger, RosterNotifier, type PagingDependencies } from '../../activities/paging';
import { authenticateRequests } from '../../api/auth';
import { errorHandler } from '../../api/errors';
import { createSignalsRouter } from '../../api/signals';
import { readCalendarData } from '../../config/calendar';
import { readRoster } from '../../config/env';
import { createCalendar } from '../../domain/calendar';
import { parseDetectionConfig, type DetectionConfig } from '../../domain/detection-config';
import { DEFAULT_POLICY } from '../../domain/policy';
import type { Roster } from '../../domain/roster';
import { getWorkflowBundle } from '../support/bundle';
import { createTestKeys, type TestKeys } from '../support/api-keys';
import { startTestDevServer } from '../support/dev-server';

export interface DetectionStack {
  client: Client;
  base: string;
  outboxPath: string;
  noticesPath: string;
  detection: DetectionConfig;
  roster: Roster;
  /** One real key per role (R-SEC-2). */
  keys: TestKeys;
  /**
   * Sends the integration key to `POST /signals` and `POST /heartbeats/…`, the on-call key to
   * everything else, unless `headers` carries its own `authorization`.
   */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>  // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers, asserted field by field;
  stop(): Promise<void>;
}

export async function startDetectionStack(
  detectionInput: unknown = {},
  workerOptions: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions'> = {},
): Promise<DetectionStack> {
  const server = await startTestDevServer();
  const folder = mkdtempSync(join(tmpdir(), 'detection-api-'));
  const outboxPath = join(folder, 'outbox.jsonl');
  const noticesPath = join(folder, 'customer-notices.jsonl');
  const detection = parseDetectionConfig(detectionInput);
  const policy = DEFAULT_POLICY;
  const calendar = createCalendar(readCalendarData(), policy.timeZone);
  const roster = readRoster(join(__dirname, '..', '..', 'config', 'roster.example.json'));
  const paging: PagingDependencies = {
    roster,
    channels: createChannels({ outboxPath, log: () => undefined }),
    ledger: new MemorySentLedger(),
    timeZone: policy.timeZone,
  };
  const notifier = new RosterNotifier(paging);

  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue: 'claims-incidents',
    workflowBundle: await getWorkflowBundle(),
    ...workerOptions,
    activities: {
      ...createActivities({
        policy,
        calendar,
        notifier,
        paging,
        archive: { store: await SqliteArchiveStore.open({ path: join(folder, 'archive.sqlite') }), detection, retentionYears: 3 },
      }),
      ...createDetectionActivities({
        client: new Client({ connection: nativeConnection, namespace: 'default' }),
        policy,
        calendar,
        detection,
        notifier,
        customerNotices: new CustomerNoticeOutbox(noticesPath),
      }),
    },
  });
  const workerRun = worker.run();

  const keys = createTestKeys();
  const app = express();
  app.use(express.json());
  app.use(authenticateRequests({ keys: keys.store }));
  app.use(createSignalsRouter({ client, detection }));
  app.use(errorHandler);
  const http: Server = app.listen(0);
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  return {
    client,
    base,
    outboxPath,
    noticesPath,
    detection,
    roster,
    keys,
    async call(method, path, body, headers = {}) {
      const machine = method === 'POST' && /^\/(signals|heartbeats)\b/.test(path);
      const response = await fetch(base + path, {
        method,
        headers: { 'content-type': 'application/json', ...keys.as(machine ? 'integration' : 'oncall'), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      http.close();
      worker.shutdown();
      await workerRun;
      await connection.close();
      await nativeConnection.close();
      await server.stop();
    },
  };
}

/** Polls `read` until `done` holds; fails with the last value after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > until) throw new Error(`condition not reached; last value: ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}
