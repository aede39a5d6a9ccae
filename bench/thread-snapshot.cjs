/**
 * For bench/workflow-memory.ts: heap snapshots of the SDK's workflow thread, where the cached
 * workflows live (the main thread's `writeHeapSnapshot` sees only its own isolate). Preloaded
 * with `--require`, which the workflow thread inherits; there, whenever the file named by
 * THREAD_SNAPSHOT_TRIGGER appears, it removes it, writes a snapshot into THREAD_SNAPSHOT_DIR and
 * names it in `<trigger>.done`.
 */
const { isMainThread, threadId } = require('node:worker_threads');
const fs = require('node:fs');
const v8 = require('node:v8');
const path = require('node:path');
const trigger = process.env.THREAD_SNAPSHOT_TRIGGER;
if (!isMainThread && trigger) {
  let n = 0;
  const t = setInterval(() => {
    if (!fs.existsSync(trigger)) return;
    try { fs.unlinkSync(trigger); } catch { return; }
    n += 1;
    const file = v8.writeHeapSnapshot(path.join(process.env.THREAD_SNAPSHOT_DIR || '/tmp', `thread-${threadId}-${n}.heapsnapshot`));
    fs.writeFileSync(`${trigger}.done`, file);
  }, 500);
  t.unref();
}
