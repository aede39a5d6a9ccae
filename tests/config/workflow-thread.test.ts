/**
 * config/workflow-thread.cjs (issue 7): preloaded into the SDK's workflow thread, it turns the
 * SDK's per-promise stack traces off unless WORKER_STACK_TRACES=on, and the per-call deadlock
 * watchdog off unless WORKER_DEADLOCK_DETECTION=on. Each case runs a real worker thread with the
 * preload on its command line, as the worker process passes it, and asks the SDK's own module
 * whether its promise hook went in, or runs a script past the timeout the SDK would give it, or
 * creates real incident workflows in the SDK's shared context and checks what globals each sees.
 */
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { readEnvironment, workerProcessEnvironment, WORKFLOW_THREAD_PRELOAD } from '../../config/env';

/** What a thread runs: installs the SDK's global handlers as its workflow thread does, and reports the hook. */
const threadCode = `
  const { parentPort } = require('node:worker_threads');
  const { globalHandlers } = require(${JSON.stringify(require.resolve('@temporalio/worker/lib/workflow/vm-shared'))});
  globalHandlers.install();
  parentPort.postMessage(globalHandlers.promiseHookInstalled);
`;

/** Runs `code` in a thread started like the SDK's workflow thread and answers the first message it posts. */
function inThread<T>(code: string, env: NodeJS.ProcessEnv, execArgv: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(code, { eval: true, env, execArgv });
    thread.once('message', (message: T) => {
      void thread.terminate();
      resolve(message);
    });
    thread.once('error', reject);
  });
}

/** Installs the SDK's global handlers as its workflow thread does, and reports the hook. */
function hookInstalled(env: NodeJS.ProcessEnv, execArgv: string[]): Promise<boolean> {
  return inThread<boolean>(threadCode, env, execArgv);
}

/**
 * A script that runs 300 ms, called as the SDK calls into the workflow context (`runInContext`
 * with a timeout, here 50 ms): its result, or the error that stopped it.
 */
function runPastTimeout(env: NodeJS.ProcessEnv, execArgv: string[]): Promise<string> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const vm = require('node:vm');
    const context = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
    const script = new vm.Script('const end = Date.now() + 300; while (Date.now() < end) {} "ran to the end"');
    try {
      parentPort.postMessage(script.runInContext(context, { timeout: 50, displayErrors: true }));
    } catch (err) {
      parentPort.postMessage(err.message);
    }
  `;
  return inThread<string>(code, env, execArgv);
}

describe('the workflow thread preload', () => {
  test('without it the SDK installs its promise hook (what the preload exists to stop)', async () => {
    expect(await hookInstalled({}, [])).toBe(true);
  });

  test('with it the hook stays out, and the SDK reports stack traces as off', async () => {
    expect(await hookInstalled({}, ['--require', WORKFLOW_THREAD_PRELOAD])).toBe(false);
    expect(await hookInstalled({ WORKER_STACK_TRACES: 'off' }, ['--require', WORKFLOW_THREAD_PRELOAD])).toBe(false);
  });

  test('WORKER_STACK_TRACES=on keeps the hook', async () => {
    expect(await hookInstalled({ WORKER_STACK_TRACES: 'on' }, ['--require', WORKFLOW_THREAD_PRELOAD])).toBe(true);
  });

  test("the worker process npm start runs: its NODE_OPTIONS reach the SDK's thread", () => {
    const environment = workerProcessEnvironment(readEnvironment({}), {});
    // A process started with that environment, whose thread is created as the SDK creates it (no execArgv of its own).
    const script = `
      const { Worker } = require('node:worker_threads');
      const thread = new Worker(${JSON.stringify(threadCode)}, { eval: true });
      thread.once('message', (installed) => { console.log(JSON.stringify({ installed })); thread.terminate(); });
    `;
    const run = (extra: NodeJS.ProcessEnv) =>
      JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ...environment, ...extra }, encoding: 'utf8' }).trim()) as { installed: boolean };
    expect(run({})).toEqual({ installed: false });
    expect(run({ WORKER_STACK_TRACES: 'on' })).toEqual({ installed: true });
  });

  describe('the deadlock watchdog', () => {
    test('without the preload a call past its timeout is stopped (the SDK\'s deadlock detection)', async () => {
      expect(await runPastTimeout({}, [])).toMatch(/timed out after 50ms/);
    });

    test('with it the call runs without the watchdog', async () => {
      expect(await runPastTimeout({}, ['--require', WORKFLOW_THREAD_PRELOAD])).toBe('ran to the end');
      expect(await runPastTimeout({ WORKER_DEADLOCK_DETECTION: 'off' }, ['--require', WORKFLOW_THREAD_PRELOAD])).toBe('ran to the end');
    });

    test('WORKER_DEADLOCK_DETECTION=on keeps it', async () => {
      expect(await runPastTimeout({ WORKER_DEADLOCK_DETECTION: 'on' }, ['--require', WORKFLOW_THREAD_PRELOAD])).toMatch(/timed out after 50ms/);
    });
  });

  describe('the swap of the shared context\'s globals between workflows', () => {
    /**
     * In a thread: the SDK's reusable context with the real bundle and two incident workflows
     * created in it as the worker creates them. While A is the context's workflow a global is
     * added, a built-in replaced and one deleted; then B, A and B again are called into, and each
     * time what the context's globals are is read. Also answers which swap the context has.
     */
    const isolationCode = `
      const { parentPort } = require('node:worker_threads');
      const { readFileSync } = require('node:fs');
      const vm = require('node:vm');
      const { ReusableVMWorkflowCreator } = require(${JSON.stringify(require.resolve('@temporalio/worker/lib/workflow/reusable-vm'))});
      const path = process.env.WORKFLOW_BUNDLE_PATH;
      const info = (id) => ({
        workflowType: 'incidentWorkflow', workflowId: id, runId: id + '-run', firstExecutionRunId: id + '-run', taskQueue: 'q',
        namespace: 'default', attempt: 1, historyLength: 0, historySize: 0, continueAsNewSuggested: false,
        searchAttributes: {}, typedSearchAttributes: [], memo: {}, startTime: new Date(), runStartTime: new Date(),
        unsafe: { isReplaying: false, isReplayingHistoryEvents: false }, priority: {},
      });
      (async () => {
        const creator = await ReusableVMWorkflowCreator.create(
          { code: readFileSync(path, 'utf8'), filename: path, sourceMap: { version: 3, sources: [], names: [], mappings: '' } },
          5000, new Set(), undefined);
        const context = creator.context;
        const a = await creator.createWorkflow({ info: info('A'), randomnessSeed: [1], now: Date.now(), showStackTraceSources: false });
        const b = await creator.createWorkflow({ info: info('B'), randomnessSeed: [2], now: Date.now(), showStackTraceSources: false });
        const look = () => vm.runInContext('[typeof leak === "undefined" ? "-" : leak, typeof parseInt === "function" ? "fn" : parseInt, typeof escape]', context);
        const seen = [];
        a.workflowModule.tryUnblockConditions();
        vm.runInContext('globalThis.leak = "a"; globalThis.parseInt = "replaced by a"; delete globalThis.escape', context);
        seen.push(['A', ...look()]);
        b.workflowModule.tryUnblockConditions();
        seen.push(['B', ...look()]);
        vm.runInContext('globalThis.leak = "b"', context);
        a.workflowModule.tryUnblockConditions();
        seen.push(['A', ...look()]);
        b.workflowModule.tryUnblockConditions();
        seen.push(['B', ...look()]);
        const swap = vm.runInContext('String(__TEMPORAL_CALL_INTO_SCOPE)', context).includes('getDescriptors(globalThis)') ? 'one-read' : 'sdk';
        await a.dispose();
        await b.dispose();
        parentPort.postMessage({ swap, seen });
      })().catch((err) => parentPort.postMessage({ error: String(err && err.stack || err) }));
    `;
    const expectedSeen = [
      ['A', 'a', 'replaced by a', 'undefined'],
      ['B', '-', 'fn', 'function'],
      ['A', 'a', 'replaced by a', 'undefined'],
      ['B', 'b', 'fn', 'function'],
    ];
    const bundle = () => {
      const path = process.env.WORKFLOW_BUNDLE_PATH;
      if (!path) throw new Error('WORKFLOW_BUNDLE_PATH is not set: the Jest global setup bundles the workflows');
      return path;
    };

    test("with the preload the SDK's swap is replaced, and each workflow keeps its own globals", async () => {
      const result = await inThread<{ swap: string; seen: string[][]; error?: string }>(isolationCode, { WORKFLOW_BUNDLE_PATH: bundle() }, ['--require', WORKFLOW_THREAD_PRELOAD]);
      expect(result.error).toBeUndefined();
      expect(result.swap).toBe('one-read');
      expect(result.seen).toEqual(expectedSeen);
    });

    test("WORKER_GLOBALS_SWAP=sdk and no preload keep the SDK's swap, which sees the same", async () => {
      for (const [env, execArgv] of [
        [{ WORKFLOW_BUNDLE_PATH: bundle(), WORKER_GLOBALS_SWAP: 'sdk' }, ['--require', WORKFLOW_THREAD_PRELOAD]],
        [{ WORKFLOW_BUNDLE_PATH: bundle() }, []],
      ] as const) {
        const result = await inThread<{ swap: string; seen: string[][]; error?: string }>(isolationCode, env, [...execArgv]);
        expect(result.error).toBeUndefined();
        expect(result.swap).toBe('sdk');
        expect(result.seen).toEqual(expectedSeen);
      }
    });

    test('the preload applies in the main thread only in the SDK\'s debug mode (workflows run there then)', () => {
      const script = `console.log(JSON.stringify(Boolean(require('node:vm').runInContext.oneReadSwap)))`;
      const run = (extra: NodeJS.ProcessEnv) =>
        JSON.parse(execFileSync(process.execPath, ['--require', WORKFLOW_THREAD_PRELOAD, '-e', script], { env: { PATH: process.env.PATH, ...extra }, encoding: 'utf8' }).trim()) as boolean;
      expect(run({})).toBe(false);
      expect(run({ TEMPORAL_DEBUG: 'true' })).toBe(true);
    });
  });
});
