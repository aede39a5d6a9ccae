/**
 * What one cached incident workflow costs the worker in memory (issue 7: worker RSS ≤ 1 GiB with
 * 10,000 open incidents). An embedded dev server in memory, the real worker (`createIncidentWorker`,
 * the real bundle, the outbox channel) in this process with a cache larger than the run, and
 * incidents started as the API starts them (triaged at the edge) under the plan's policy, whose
 * first deadline is 30 minutes away, so each incident sends its triage pages and then waits, as an open incident
 * does. After each step (and a full GC) it prints this process's RSS and V8 heap, so the growth per
 * cached workflow is read off as a slope.
 *
 *   node --expose-gc --import tsx bench/workflow-memory.ts [steps=4] [perStep=500]
 *   MEMORY_DEBUG_MODE=1 …   workflows on the main thread (their heap is then in `heapUsed`),
 *                           and a heap snapshot is written after the first and last step
 *   MEMORY_PRELOAD=0 …      the bundle without shared (preloaded) modules, for comparison
 *   MEMORY_THREAD_SNAPSHOTS=<folder> node --expose-gc --require ./bench/thread-snapshot.cjs …
 *                           heap snapshots of the workflow thread after the first and last step
 *                           (its cached workflows, as the worker runs them)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { createChannels } from '../activities/channels';
import { MemorySentLedger, RosterNotifier, type PagingDependencies } from '../activities/paging';
import { SqliteArchiveStore } from '../activities/archive-store';
import { incidentIdFor, startTriaged, triagedStart } from '../api/app';
import { readCalendarData } from '../config/calendar';
import { readRoster } from '../config/env';
import { createCalendar } from '../domain/calendar';
import { defaultDetectionConfig } from '../domain/detection-config';
import { DEFAULT_POLICY } from '../domain/policy';
import { startDevServer } from '../scripts/dev-server';
import { WORKFLOW_BUNDLE_OPTIONS } from '../scripts/workflow-bundle';
import { TASK_QUEUE } from '../workflows/contracts';
import { createIncidentWorker } from '../worker';

const steps = Number(process.argv[2] ?? 4);
const perStep = Number(process.argv[3] ?? 500);
const debugMode = process.env.MEMORY_DEBUG_MODE === '1';
const preload = process.env.MEMORY_PRELOAD !== '0';
const threadSnapshots = process.env.MEMORY_THREAD_SNAPSHOTS;
if (threadSnapshots) {
  process.env.THREAD_SNAPSHOT_DIR = threadSnapshots;
  process.env.THREAD_SNAPSHOT_TRIGGER = join(threadSnapshots, 'snapshot-now');
}

/** Asks bench/thread-snapshot.cjs, in the workflow thread, for a heap snapshot; its path. */
async function threadSnapshot(): Promise<string> {
  const trigger = process.env.THREAD_SNAPSHOT_TRIGGER!;
  rmSync(`${trigger}.done`, { force: true });
  writeFileSync(trigger, '');
  for (let waited = 0; waited < 300; waited++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (existsSync(`${trigger}.done`)) return readFileSync(`${trigger}.done`, 'utf8');
  }
  throw new Error('no heap snapshot from the workflow thread in 300 s: run with --require ./bench/thread-snapshot.cjs');
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

async function quiet(worker: { getStatus(): { numInFlightWorkflowActivations: number; numInFlightActivities: number } }): Promise<void> {
  let still = 0;
  while (still < 3) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const status = worker.getStatus();
    still = status.numInFlightWorkflowActivations === 0 && status.numInFlightActivities === 0 ? still + 1 : 0;
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const folder = mkdtempSync(join(tmpdir(), 'workflow-memory-'));
  const server = await startDevServer({ uiPort: false });
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, ...(preload ? {} : { preloadModules: [] }), logger: new DefaultLogger('WARN') });
  const bundlePath = join(folder, 'bundle.js');
  writeFileSync(bundlePath, code);
  // The plan's deadlines (the first, contact, 30 minutes away): every incident pages its lines,
  // then waits, as an open incident does; the probe is over long before the first falls due.
  const policy = DEFAULT_POLICY;
  const calendar = createCalendar(readCalendarData(), policy.timeZone);
  const paging: PagingDependencies = {
    roster: readRoster(join(__dirname, '..', 'config', 'roster.example.json')),
    channels: createChannels({ outboxPath: join(folder, 'outbox.jsonl'), log: () => undefined }),
    ledger: new MemorySentLedger(),
  };
  const archive = new SqliteArchiveStore({ path: join(folder, 'archive.sqlite') });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const worker = await createIncidentWorker({
    connection: nativeConnection,
    namespace: 'default',
    workflowBundle: { codePath: bundlePath },
    dependencies: {
      policy,
      calendar,
      notifier: new RosterNotifier(paging),
      paging,
      archive: { store: archive, detection: defaultDetectionConfig(), retentionYears: 3 },
    },
    // `debugMode` is not among the tuning options the engine sets; passed through for this probe alone.
    tuning: { maxCachedWorkflows: steps * perStep + 100, ...(debugMode ? { debugMode: true } : {}) } as { maxCachedWorkflows: number },
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });

  const measure = (label: string) => {
    gc();
    const m = process.memoryUsage();
    const cached = worker.getStatus().numCachedWorkflows;
    console.log(`${label}: cached ${cached}, rss ${mib(m.rss)}, heapUsed ${mib(m.heapUsed)}, external ${mib(m.external)}`);
    return { cached, rss: m.rss, heapUsed: m.heapUsed };
  };
  await quiet(worker);
  const first = measure('start');
  let last = first;
  let started = 0;
  for (let step = 1; step <= steps; step++) {
    const batch = Array.from({ length: perStep }, () => {
      started += 1;
      const report = { title: `理赔款逾期未到账 ${started}`, description: '客户反映理赔款超过承诺时间仍未到账，要求说明原因', reporter: 'support-desk', source: 'support' as const, facts: {}, drill: false };
      return triagedStart(incidentIdFor(), report, { policy, calendar });
    });
    for (let i = 0; i < batch.length; i += 50) await Promise.all(batch.slice(i, i + 50).map((start) => startTriaged(client, TASK_QUEUE, start)));
    await quiet(worker);
    last = measure(`after ${started} incidents`);
    if (debugMode && (step === 1 || step === steps)) console.log(`heap snapshot: ${writeHeapSnapshot(join(folder, `step-${step}.heapsnapshot`))}`);
    if (threadSnapshots && (step === 1 || step === steps)) console.log(`workflow thread heap snapshot: ${await threadSnapshot()}`);
  }
  const perWorkflow = (last.rss - first.rss) / Math.max(1, last.cached - first.cached);
  const heapPerWorkflow = (last.heapUsed - first.heapUsed) / Math.max(1, last.cached - first.cached);
  console.log(
    `per cached incident workflow (${debugMode ? 'debug mode' : 'workflow thread'}, modules ${preload ? 'preloaded' : 'per workflow'}): ` +
      `RSS ${(perWorkflow / 1024).toFixed(1)} KiB${threadSnapshots ? ' (not usable: the first snapshot\'s own allocations stay in the RSS; measure it without snapshots)' : ''}, ` +
      `main-thread heap ${(heapPerWorkflow / 1024).toFixed(1)} KiB`,
  );
  for await (const info of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
    await client.workflow.getHandle(info.workflowId).terminate('memory probe over').catch(() => undefined);
  }
  worker.shutdown();
  await running;
  await connection.close();
  await nativeConnection.close();
  await archive.close();
  await server.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
