/**
 * Issue 7: the SDK's promise stack traces, off in the workflow thread (and, at the end of this
 * file, its per-call deadlock watchdog).
 *
 * For the "Stack Trace" tab of Temporal's Web UI (the `__stack_trace` query), the SDK installs a
 * V8 promise hook in its workflow thread that captures a source-mapped stack for every promise a
 * workflow creates, and keeps it while the promise is pending. Every timer, condition, activity
 * and handler of every cached incident pays for it: in the benchmark's profile of the workflow
 * thread it was a third of the JavaScript time (`init` in vm-shared.js, stack formatting, source
 * map look-ups), and each pending promise holds its stack in memory for as long as the incident
 * waits (bench/RESULTS.md).
 *
 * This file is preloaded into the worker's threads (`npm start` puts a `--require` for it in the
 * worker's NODE_OPTIONS, config/env.ts; `npm run worker` has it on its command line; the SDK's
 * thread inherits the process's options) and replaces the hook's installation with nothing,
 * before the workflow thread creates its VM. In the worker's other threads (tsx's loader) it only
 * loads the SDK module. The SDK then runs as it does where promise hooks do not exist
 * (`stackTracesEnabled: false`): the stack trace query answers that stack traces are off, and
 * nothing else changes — workflow code, histories and replay are the same.
 *
 * WORKER_STACK_TRACES=on leaves the SDK's hook in place (to read a stuck incident's stack in the
 * Web UI). Plain CommonJS: the thread loads it before any TypeScript loader.
 */
const { isMainThread } = require('node:worker_threads');

// In the main thread there is nothing to do: the SDK runs workflows there only in debug mode.
if (!isMainThread && process.env.WORKER_STACK_TRACES !== 'on') {
  let shared;
  try {
    shared = require('@temporalio/worker/lib/workflow/vm-shared');
  } catch {
    // Not a thread of the SDK's worker (or an SDK laid out differently): nothing to do.
  }
  const handlers = shared && shared.globalHandlers;
  if (handlers && typeof handlers.setPromiseHook === 'function' && !handlers.installed) {
    handlers.setPromiseHook = function setPromiseHook() {
      this.promiseHookInstalled = false;
    };
  }
}

/**
 * Issue 7: the SDK's deadlock detection, off in the workflow thread unless
 * WORKER_DEADLOCK_DETECTION=on.
 *
 * The SDK calls into the workflows' V8 context with `runInContext(context, { timeout })`
 * (`isolateExecutionTimeout`, 5 s) several times per activation. Node implements that timeout
 * with a watchdog: a thread of its own and an event loop, created before the call and joined
 * after it. Measured alone on this machine, a call costs 65–75 µs with the timeout and 4–5 µs
 * without (bench/vm-watchdog.cjs); in a profile of a loaded worker (2,000 open incidents, the
 * machine busy) those calls' own time was 107 s of the workflow thread's 178 s. Without the
 * timeout, at the 10,000 run's rates scaled to 2,000 open incidents, the worker spent 15% less
 * CPU and the breach pages' p99 was 857 ms against 1.82 s; at 10,000, where the Temporal dev server is the limit, it made no
 * difference the runs could show (bench/RESULTS.md). What is lost: a workflow that loops forever
 * without yielding is no longer stopped after 5 s with a "Potential deadlock detected" task
 * failure; it holds the workflow thread, its workflow task times out on the server, and the
 * worker stops taking workflow tasks. The test suite's workers run in Jest without this preload,
 * so every workflow test still runs with the watchdog; `WORKER_DEADLOCK_DETECTION=on` keeps it
 * in a worker too (while developing workflow code, say).
 */
if (!isMainThread && process.env.WORKER_DEADLOCK_DETECTION !== 'on') {
  const vm = require('node:vm');
  const runInContext = vm.Script.prototype.runInContext;
  // Loaded once per thread (Node's module cache), so the method is wrapped once.
  vm.Script.prototype.runInContext = function runInContextWithoutWatchdog(context, options) {
    if (options && typeof options === 'object' && options.timeout !== undefined) {
      const withoutTimeout = { ...options };
      delete withoutTimeout.timeout;
      return runInContext.call(this, context, withoutTimeout);
    }
    return runInContext.call(this, context, options);
  };
}
