/**
 * config/workflow-thread.cjs (issue 7): preloaded into the SDK's workflow thread, it turns the
 * SDK's per-promise stack traces off unless WORKER_STACK_TRACES=on. Each case runs a real worker
 * thread with the preload on its command line, as the worker process passes it, and asks the
 * SDK's own module whether its promise hook went in.
 */
import { Worker } from 'node:worker_threads';
import { WORKFLOW_THREAD_PRELOAD } from '../../config/env';

/** In a thread started like the SDK's workflow thread: installs the SDK's global handlers, reports the hook. */
function hookInstalled(env: NodeJS.ProcessEnv, execArgv: string[]): Promise<boolean> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { globalHandlers } = require(${JSON.stringify(require.resolve('@temporalio/worker/lib/workflow/vm-shared'))});
    globalHandlers.install();
    parentPort.postMessage(globalHandlers.promiseHookInstalled);
  `;
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
});
