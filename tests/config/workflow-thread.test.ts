/**
 * config/workflow-thread.cjs (issue 7): preloaded into the SDK's workflow thread, it turns the
 * SDK's per-promise stack traces off unless WORKER_STACK_TRACES=on. Each case runs a real worker
 * thread with the preload on its command line, as the worker process passes it, and asks the
 * SDK's own module whether its promise hook went in.
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

/** In a thread started like the SDK's workflow thread: installs the SDK's global handlers, reports the hook. */
function hookInstalled(env: NodeJS.ProcessEnv, execArgv: string[]): Promise<boolean> {
  const code = threadCode;
  return new Promise((resolve, reject) => {
    const thread = new Worker(code, { eval: true, env, execArgv });
    thread.once('message', (installed: boolean) => {
      void thread.terminate();
      resolve(installed);
    });
    thread.once('error', reject);
  });
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
});

