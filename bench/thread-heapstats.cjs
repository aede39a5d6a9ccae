/**
 * For bench/workflow-memory.ts: the V8 heap of every thread of the process, sampled every 2 s,
 * so a cached incident's memory can be split into the workflow thread's heap, the main thread's
 * heap and the rest (native: the SDK core, the allocator). Preloaded with `--require`, which the
 * SDK's workflow thread inherits; with THREAD_HEAPSTATS=<prefix> each thread appends a line of
 * JSON (time, heap total / used / physical, external, the process's RSS, in bytes) to
 * `<prefix>-<main | thread id>.jsonl`.
 *
 *   THREAD_HEAPSTATS=/tmp/hs node --expose-gc --require ./bench/thread-heapstats.cjs … bench/workflow-memory.ts 6 500
 */
const { isMainThread, threadId } = require('node:worker_threads');
const fs = require('node:fs');
const v8 = require('node:v8');
const out = process.env.THREAD_HEAPSTATS;
if (out) {
  const file = `${out}-${isMainThread ? 'main' : threadId}.jsonl`;
  const t = setInterval(() => {
    const h = v8.getHeapStatistics();
    const line = { t: Date.now(), total: h.total_heap_size, used: h.used_heap_size, physical: h.total_physical_size, ext: h.external_memory, rss: process.memoryUsage.rss() };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, 2_000);
  t.unref();
}
