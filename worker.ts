/**
 * The worker: the one place real dependencies are built (policy, calendar, channels) and
 * handed to the activities. `npm run worker` runs one; run as many as the load needs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { CustomerNoticeOutbox, type CustomerNoticeSender } from './activities/customer-notices';
import { createDetectionActivities } from './activities/detection';
import { readDetectionConfig } from './config/detection';
import { defaultDetectionConfig, type DetectionConfig } from './domain/detection-config';
import { createActivities, type ActivityDependencies } from './activities';
import { createChannels } from './activities/channels';
import { FileSentLedger, RosterNotifier, type PagingDependencies } from './activities/paging';
import { readCalendarData } from './config/calendar';
import { ackLinkSecret, readEnvironment, readPolicy, readRoster, readTemporalTarget, twilioConfig } from './config/env';
import { dataConverterFor, readPayloadCodec, readPayloadKeys } from './config/payload-codec';
import { archiveStoreFor, describeArchive } from './activities/archive-backend';
import { ensureArchiveRetentionSchedule } from './activities/archive';
import { createCalendar } from './domain/calendar';
import { TASK_QUEUE } from './workflows/contracts';

export interface IncidentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  dependencies: ActivityDependencies;
  /** A pre-built workflow bundle (tests bundle once per run); the sources otherwise. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
  detection?: DetectionConfig;
  customerNotices?: CustomerNoticeSender;
  /** Payload encryption (R-SEC-1): the same converter every client of these workflows uses; the SDK default when unset. */
  dataConverter?: DataConverter;
  tuning?: Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions'>;
}

export async function createIncidentWorker(options: IncidentWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
    activities: {
      ...createActivities(options.dependencies),
      // Detection workflows are in the same bundle, so their activities are always registered.
      ...createDetectionActivities({
        client: new Client({
          connection: options.connection,
          namespace: options.namespace,
          ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
        }),
        taskQueue: options.taskQueue ?? TASK_QUEUE,
        policy: options.dependencies.policy,
        calendar: options.dependencies.calendar,
        notifier: options.dependencies.notifier,
        detection: options.detection ?? defaultDetectionConfig(),
        customerNotices: options.customerNotices ?? new CustomerNoticeOutbox(resolve('data/customer-notices.jsonl')),
      }),
    },
    ...options.tuning,
  });
}

/** Builds the real dependencies from the environment (validated here, at the edge). */
export function buildDependencies(env: NodeJS.ProcessEnv = process.env): ActivityDependencies {
  const environment = readEnvironment(env);
  const policy = readPolicy(environment.POLICY_FILE);
  const calendar = createCalendar(readCalendarData(environment.CALENDAR_FILE), policy.timeZone);
  const twilio = twilioConfig(environment);
  const channels = createChannels({
    outboxPath: resolve(environment.OUTBOX_FILE),
    ...(environment.SMTP_URL ? { smtp: { smtpUrl: environment.SMTP_URL, from: environment.MAIL_FROM } } : {}),
    ...(twilio ? { twilio } : {}),
  });
  const paging: PagingDependencies = {
    roster: readRoster(environment.ROSTER_FILE),
    channels,
    ledger: new FileSentLedger(resolve(environment.SENT_LEDGER_FILE)),
    ackLinkSecret: ackLinkSecret(environment),
    ackLinkTtlMinutes: environment.ACK_LINK_TTL_MINUTES,
    timeZone: policy.timeZone,
    ...(environment.PUBLIC_BASE_URL ? { publicBaseUrl: environment.PUBLIC_BASE_URL } : {}),
  };
  const payloadKeys = readPayloadKeys(env);
  const archive = {
    // R-REV-5 / R-SEC-1: the archive file, records encrypted under the payload keys.
    store: archiveStoreFor(environment, payloadKeys),
    detection: readDetectionConfig(environment.DETECTION_FILE),
    retentionYears: environment.ARCHIVE_RETENTION_YEARS,
  };
  return { policy, calendar, notifier: new RosterNotifier(paging), paging, archive };
}

/**
 * The workflow bundle's file: `WORKFLOW_BUNDLE_PATH` when it names one, else bundled by a
 * short-lived child process. Bundling in the worker itself would keep webpack's memory in the
 * worker's RSS for its whole life (issue 7: measured in bench/RESULTS.md).
 */
export async function preparedWorkflowBundle(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const named = env.WORKFLOW_BUNDLE_PATH;
  if (named) {
    if (!existsSync(named)) throw new Error(`WORKFLOW_BUNDLE_PATH: no file at ${named}`);
    return named;
  }
  const script = resolve(__dirname, 'scripts', 'workflow-bundle.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: __dirname, maxBuffer: 1 << 20 });
  const path = stdout.trim().split('\n').pop() ?? '';
  if (!existsSync(path)) throw new Error(`workflow bundling printed no bundle path (got: ${stdout.slice(0, 200)})`);
  return path;
}

async function main(): Promise<void> {
  const dependencies = buildDependencies();
  const target = readTemporalTarget();
  const connection = await NativeConnection.connect(target.connectionOptions);
  const environment = readEnvironment();
  const dataConverter = dataConverterFor(readPayloadCodec(process.env));
  const worker = await createIncidentWorker({
    connection,
    namespace: target.namespace,
    dependencies,
    detection: readDetectionConfig(environment.DETECTION_FILE),
    customerNotices: new CustomerNoticeOutbox(resolve(environment.CUSTOMER_NOTICES_FILE)),
    workflowBundle: { codePath: await preparedWorkflowBundle() },
    tuning: { maxCachedWorkflows: environment.WORKER_MAX_CACHED_WORKFLOWS },
    ...(dataConverter ? { dataConverter } : {}),
  });
  const client = new Client({ connection, namespace: target.namespace, ...(dataConverter ? { dataConverter } : {}) });
  const schedule = await ensureArchiveRetentionSchedule(client, TASK_QUEUE, dependencies.policy.timeZone);
  console.log(`archive: ${describeArchive(environment)}, kept ${environment.ARCHIVE_RETENTION_YEARS} years; daily retention schedule ${schedule}`);
  console.log(`payloads ${dataConverter ? 'encrypted (PAYLOAD_KEYS)' : 'NOT encrypted: set PAYLOAD_KEYS (R-SEC-1)'}`);
  console.log(`worker polling task queue ${TASK_QUEUE} on ${target.address} (namespace ${target.namespace})`);
  // Worker.run stops gracefully on SIGINT/SIGTERM (the SDK's default shutdown signals).
  await worker.run();
  await dependencies.archive.store.close();
  await connection.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('worker failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
