/**
 * How often a worker cache of a given size would have held the incident a workflow task was for
 * (issue 7: at 10,000 open incidents most tasks replay an incident the cache no longer holds).
 * Opens a copy of a kept benchmark stack's Temporal database (`BENCH_KEEP=1`) on a dev server of
 * its own, reads every incident's workflow tasks (their start times), stops it, and plays them in
 * time order through a least-recently-used cache of each size, as the SDK's workflow cache keeps
 * runs. A task for an incident in the cache is a hit; one for an incident started before and
 * evicted since is a miss (a replay of its history); an incident's first task is neither.
 *
 *   npx tsx bench/cache-hits.ts <stack folder> <sizes, e.g. 200,1000,5000> [from seconds]
 *
 * With `from`, only the tasks that many seconds or more after the first incident's first task
 * count (e.g. from the first warning: the contact minutes less the warning minutes, in seconds);
 * the tasks before it still fill the cache.
 */
import { readKeptStack } from './kept-stack';

/** Each incident's workflow-task start times (ms), read from a copy of the stack's database. */
async function taskTimes(stack: string): Promise<Map<string, number[]>> {
  return readKeptStack(stack, async (client) => {
    const runs: { workflowId: string; runId: string }[] = [];
    for await (const execution of client.workflow.list({ query: "WorkflowType = 'incidentWorkflow'" })) runs.push(execution);
    const times = new Map<string, number[]>();
    let next = 0;
    // A few histories at a time: 10,000 one after the other take minutes.
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < runs.length) {
          const { workflowId, runId } = runs[next++]!;
          const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
          const started = (history.events ?? []).filter((e) => e.workflowTaskStartedEventAttributes && e.eventTime);
          const own = times.get(workflowId) ?? [];
          own.push(...started.map((e) => Number(e.eventTime!.seconds) * 1000 + Math.round((e.eventTime!.nanos ?? 0) / 1e6)));
          times.set(workflowId, own);
        }
      }),
    );
    return times;
  });
}

export interface CacheOutcome {
  size: number;
  hits: number;
  misses: number;
}

/** Plays the tasks (incident, time) in time order through an LRU cache of each size. */
export function simulate(times: Map<string, number[]>, sizes: number[], fromMs = 0): CacheOutcome[] {
  const tasks = [...times].flatMap(([incident, at]) => at.map((t) => ({ incident, t }))).sort((a, b) => a.t - b.t);
  const origin = tasks[0]?.t ?? 0;
  return sizes.map((size) => {
    // A Map keeps insertion order: deleting and setting again moves an incident to the end (most recent).
    const cache = new Map<string, true>();
    const seen = new Set<string>();
    let hits = 0;
    let misses = 0;
    for (const { incident, t } of tasks) {
      const counts = t - origin >= fromMs;
      if (cache.has(incident)) {
        cache.delete(incident);
        if (counts) hits += 1;
      } else if (seen.has(incident) && counts) {
        misses += 1;
      }
      seen.add(incident);
      cache.set(incident, true);
      if (cache.size > size) cache.delete(cache.keys().next().value!);
    }
    return { size, hits, misses };
  });
}

/** A list of positive whole numbers from the command line, or an error naming the argument. */
function sizesOf(text: string | undefined): number[] {
  const sizes = (text ?? '').split(',').map(Number);
  if (!text || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`sizes must be whole numbers of at least 1, separated by commas, got ${JSON.stringify(text)}`);
  return sizes;
}

async function main(): Promise<void> {
  const [stack, sizesText, fromText] = process.argv.slice(2);
  if (!stack) throw new Error('usage: npx tsx bench/cache-hits.ts <stack folder> <sizes, e.g. 200,1000,5000> [from seconds]');
  const sizes = sizesOf(sizesText);
  const from = fromText === undefined ? 0 : Number(fromText);
  if (!Number.isFinite(from) || from < 0) throw new Error(`from must be a number of seconds of at least 0, got ${JSON.stringify(fromText)}`);
  const times = await taskTimes(stack);
  const tasks = [...times.values()].reduce((n, at) => n + at.length, 0);
  console.log(`${times.size} incidents, ${tasks} workflow tasks${from ? `; counting from ${from} s after the first` : ''}`);
  for (const { size, hits, misses } of simulate(times, sizes, from * 1000)) {
    console.log(`cache of ${size}: ${hits} hits, ${misses} misses (replays): ${((100 * hits) / Math.max(hits + misses, 1)).toFixed(1)}% hits`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
