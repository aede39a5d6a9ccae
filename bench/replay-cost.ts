/**
 * What replaying an incident's history costs the worker (issue 7: at 10,000 open incidents most
 * workflow tasks replay an incident the cache no longer holds). Opens a copy of a kept benchmark
 * stack's Temporal database (`BENCH_KEEP=1`) on a dev server of its own, fetches `count`
 * incidents' histories, stops it, and replays them `rounds` times over with the SDK's replayer,
 * the real bundle and the stack's payload keys; prints the wall and CPU time per replay.
 *
 *   TEMPORAL_DEBUG=1 node --require ./config/workflow-thread.cjs --import tsx bench/replay-cost.ts <stack folder> [count=50] [rounds=10] [tasks]
 *
 * With `tasks`, each history is cut after its `tasks`-th WorkflowTaskStarted: what a worker
 * replays when the incident's next task after that many comes to a cache that no longer holds
 * it (histories with fewer tasks are left out).
 *
 * The SDK's replayer runs workflows in its main thread (its debug mode); `TEMPORAL_DEBUG=1` makes
 * the worker's preload apply there, so a replay costs what it costs in the worker (without it the
 * SDK's stack traces and deadlock watchdog are on: three times the time, bench/RESULTS.md). With
 * `--cpu-prof --cpu-prof-dir=<folder>` on that command line (Node refuses it in NODE_OPTIONS)
 * the replay is profiled; read the file with bench/cpu-profile.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { dataConverterFor, readPayloadCodec } from '../config/payload-codec';
import { prepareWorkflowBundle } from '../scripts/workflow-bundle';
import { readKeptStack } from './kept-stack';

async function fetchHistories(stack: string, count: number) {
  return readKeptStack(stack, async (client) => {
    const histories = [];
    for await (const execution of client.workflow.list({ query: "WorkflowType = 'incidentWorkflow'" })) {
      histories.push({ workflowId: execution.workflowId, history: await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory() });
      if (histories.length >= count) break;
    }
    return histories;
  });
}

/** A positive whole number from the command line, or an error naming the argument. */
function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, got ${JSON.stringify(text)}`);
  return value;
}

type Fetched = Awaited<ReturnType<typeof fetchHistories>>[number];

/** The history as it stood when its `tasks`-th workflow task started; none when it has fewer. */
function cutAfterTasks(entry: Fetched, tasks: number): Fetched[] {
  const events = entry.history.events ?? [];
  let started = 0;
  const end = events.findIndex((event) => event.workflowTaskStartedEventAttributes && ++started === tasks);
  if (end < 0) return [];
  return [{ ...entry, history: { ...entry.history, events: events.slice(0, end + 1) } }];
}

async function main(): Promise<void> {
  const [stack, countArg, roundsArg, tasksArg] = process.argv.slice(2);
  if (!stack) throw new Error('usage: npx tsx bench/replay-cost.ts <stack folder> [count] [rounds] [tasks]');
  const count = positive('count', countArg ?? '50');
  const rounds = positive('rounds', roundsArg ?? '10');
  const tasks = tasksArg === undefined ? undefined : positive('tasks', tasksArg);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const dataConverter = dataConverterFor(readPayloadCodec({ PAYLOAD_KEYS: readFileSync(join(stack, 'payload-keys'), 'utf8').trim() }));
  const fetched = await fetchHistories(stack, count);
  const histories = tasks === undefined ? fetched : fetched.flatMap((entry) => cutAfterTasks(entry, tasks));
  const events = histories.reduce((sum, { history }) => sum + (history.events?.length ?? 0), 0);
  const codePath = await prepareWorkflowBundle();
  const all = Array.from({ length: rounds }, () => histories).flat();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  let failed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath }, ...(dataConverter ? { dataConverter } : {}) }, all)) {
    if (result.error) {
      failed++;
      if (failed === 1) console.error(`${result.workflowId}: ${result.error.message}`);
    }
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  console.log(
    `${all.length} replays of ${histories.length} histories (${(events / histories.length).toFixed(1)} events each), ${failed} failed: ` +
      `${(wallMs / all.length).toFixed(2)} ms wall, ${((used.user + used.system) / 1000 / all.length).toFixed(2)} ms CPU per replay (this process, all threads)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
