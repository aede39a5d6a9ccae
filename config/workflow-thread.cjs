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

// The SDK runs workflows in a thread of its own, or in the main thread in its debug mode
// (TEMPORAL_DEBUG, read as the SDK reads it); what this file changes applies where they run.
const debugMode = ['1', 't', 'true'].includes((process.env.TEMPORAL_DEBUG ?? '').toLowerCase());
const runsWorkflows = !isMainThread || debugMode;

if (runsWorkflows && process.env.WORKER_STACK_TRACES !== 'on') {
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
if (runsWorkflows && process.env.WORKER_DEADLOCK_DETECTION !== 'on') {
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

/**
 * Issue 7: the SDK's swap of the shared V8 context's globals between workflows, done with half
 * the reads, unless WORKER_GLOBALS_SWAP=sdk.
 *
 * With `reuseV8Context` (the SDK's default) every workflow of the thread runs in one V8 context,
 * and each call into it for another workflow than the last (`__TEMPORAL_CALL_INTO_SCOPE`, defined
 * by the SDK's reusable-vm.js) saves the last one's globals and puts back the next one's. The
 * SDK reads the context's 75 or so globals twice for it: once as descriptors (the outgoing
 * workflow's bag), once more one by one to compare with the incoming bag. Every read of a
 * context's global goes through Node's interceptors. In the worker's profile at 10,000 open
 * incidents the swap was 27% of the workflow thread's busy time; timed alone with the real
 * bundle, a switch costs 93–99 µs with the SDK's script and 55–58 µs with this one
 * (bench/swap-globals.cjs; bench/RESULTS.md).
 *
 * The replacement reads the globals once: the descriptors it saves as the outgoing workflow's bag
 * are the context's globals at that moment, so the incoming bag is compared with them (plain
 * objects) instead of with the context again. What it sets and deletes is what the SDK's sets and
 * deletes (a global whose value differs from the incoming bag's, or that it lacks; getters and
 * setters compared too, where the SDK compared a getter's result), so each workflow still sees
 * only its own globals. It replaces the SDK's script only when the SDK's is exactly the one it was
 * written against (@temporalio/worker 1.24); any other text runs unchanged, and the test of this
 * file then fails, so an SDK upgrade is reviewed here.
 */
const SDK_CALL_INTO_SCOPE = `{
    const __TEMPORAL_CALL_INTO_SCOPE = () => {
      const [holder, fn, args] = globalThis.__temporal_args;
      delete globalThis.__temporal_args;

      if (globalThis.__TEMPORAL_BAG_HOLDER__ !== holder) {
        if (globalThis.__TEMPORAL_BAG_HOLDER__ !== undefined) {
          globalThis.__TEMPORAL_BAG_HOLDER__.bag = Object.getOwnPropertyDescriptors(globalThis);
        }

        const toBeDeleted = new Set(Reflect.ownKeys(globalThis));

        for (const prop of Reflect.ownKeys(holder.bag)) {
          if (holder.bag[prop].value !== globalThis[prop]) {
            Object.defineProperty(globalThis, prop, holder.bag[prop]);
          }
          toBeDeleted.delete(prop);
        }

        for (const prop of toBeDeleted) {
          delete globalThis[prop];
        }

        globalThis.__TEMPORAL_BAG_HOLDER__ = holder;
      }

      return __TEMPORAL__.api[fn](...args);
    };
    Object.defineProperty(globalThis, '__TEMPORAL_CALL_INTO_SCOPE', {
      value: __TEMPORAL_CALL_INTO_SCOPE, writable: false, enumerable: false, configurable: false
    });
  }`;

const ONE_READ_CALL_INTO_SCOPE = `{
    // Taken before any workflow runs, so a workflow that replaces a global cannot change the swap.
    const getDescriptors = Object.getOwnPropertyDescriptors;
    const ownKeys = Reflect.ownKeys;
    const define = Object.defineProperty;
    const hasOwn = Object.prototype.hasOwnProperty;
    const __TEMPORAL_CALL_INTO_SCOPE = () => {
      const [holder, fn, args] = globalThis.__temporal_args;
      delete globalThis.__temporal_args;

      const current = globalThis.__TEMPORAL_BAG_HOLDER__;
      if (current !== holder) {
        // The context's globals now: the outgoing workflow's, read once.
        const now = getDescriptors(globalThis);
        if (current !== undefined) current.bag = now;

        const next = holder.bag;
        for (const prop of ownKeys(next)) {
          const want = next[prop];
          const have = now[prop];
          if (have === undefined || want.value !== have.value || want.get !== have.get || want.set !== have.set) {
            define(globalThis, prop, want);
          }
        }
        for (const prop of ownKeys(now)) {
          if (!hasOwn.call(next, prop)) delete globalThis[prop];
        }

        globalThis.__TEMPORAL_BAG_HOLDER__ = holder;
      }

      return __TEMPORAL__.api[fn](...args);
    };
    Object.defineProperty(globalThis, '__TEMPORAL_CALL_INTO_SCOPE', {
      value: __TEMPORAL_CALL_INTO_SCOPE, writable: false, enumerable: false, configurable: false
    });
  }`;

const normalized = (code) => code.replace(/\s+/g, ' ').trim();
const SDK_CALL_INTO_SCOPE_NORMALIZED = normalized(SDK_CALL_INTO_SCOPE);
// The SDK's other calls of vm.runInContext (and, without reuseV8Context, one per call into a
// workflow) pass through after a substring test, not a normalization.
const isSdkCallIntoScope = (code) =>
  typeof code === 'string' && code.includes('const __TEMPORAL_CALL_INTO_SCOPE') && normalized(code) === SDK_CALL_INTO_SCOPE_NORMALIZED;

if (runsWorkflows && process.env.WORKER_GLOBALS_SWAP !== 'sdk') {
  const vm = require('node:vm');
  const runInContext = vm.runInContext;
  vm.runInContext = function runInContextWithOneReadSwap(code, context, options) {
    if (isSdkCallIntoScope(code)) {
      return runInContext.call(this, ONE_READ_CALL_INTO_SCOPE, context, options);
    }
    return runInContext.call(this, code, context, options);
  };
  vm.runInContext.oneReadSwap = true;
}
