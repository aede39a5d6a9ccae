/**
 * What `npm start` gives the worker process (issue 7, worker memory and CPU): a V8 heap limit sized
 * to the workflow cache, fewer glibc malloc arenas, and the workflow thread's switches; what the
 * operator set is kept.
 */
import { readEnvironment, workerProcessEnvironment, WORKFLOW_THREAD_PRELOAD } from '../../config/env';

const preload = `--require ${JSON.stringify(WORKFLOW_THREAD_PRELOAD)}`;

describe('workerProcessEnvironment', () => {
  test('the heap limit follows the cache: 256 MiB + 0.25 MiB per cached workflow', () => {
    expect(workerProcessEnvironment(readEnvironment({}), {})).toEqual({
      NODE_OPTIONS: `--max-old-space-size=506 ${preload}`,
      MALLOC_ARENA_MAX: '2',
      WORKER_STACK_TRACES: 'off',
      WORKER_DEADLOCK_DETECTION: 'off',
      WORKER_GLOBALS_SWAP: 'one-read',
    });
    expect(workerProcessEnvironment(readEnvironment({ WORKER_MAX_CACHED_WORKFLOWS: '2000' }), {}).NODE_OPTIONS).toBe(`--max-old-space-size=756 ${preload}`);
    expect(workerProcessEnvironment(readEnvironment({ WORKER_HEAP_MIB: '640' }), {}).NODE_OPTIONS).toBe(`--max-old-space-size=640 ${preload}`);
  });

  test("the operator's own NODE_OPTIONS and MALLOC_ARENA_MAX are kept", () => {
    expect(
      workerProcessEnvironment(readEnvironment({ WORKER_STACK_TRACES: 'on', WORKER_DEADLOCK_DETECTION: 'on', WORKER_GLOBALS_SWAP: 'sdk' }), { NODE_OPTIONS: '--enable-source-maps', MALLOC_ARENA_MAX: '4' }),
    ).toEqual({
      NODE_OPTIONS: `--enable-source-maps --max-old-space-size=506 ${preload}`,
      MALLOC_ARENA_MAX: '4',
      WORKER_STACK_TRACES: 'on',
      WORKER_DEADLOCK_DETECTION: 'on',
      WORKER_GLOBALS_SWAP: 'sdk',
    });
    expect(workerProcessEnvironment(readEnvironment({}), { NODE_OPTIONS: '--max-old-space-size=2048' }).NODE_OPTIONS).toBe(`--max-old-space-size=2048 ${preload}`);
    // Given once: a NODE_OPTIONS that preloads it already is kept as it is.
    const own = `--max-old-space-size=900 --require /opt/engine/config/workflow-thread.cjs`;
    expect(workerProcessEnvironment(readEnvironment({}), { NODE_OPTIONS: own }).NODE_OPTIONS).toBe(own);
  });

  test('a heap limit below 128 MiB, or a stack-trace or deadlock switch other than on/off, or an unknown globals swap, is refused, naming the variable', () => {
    expect(() => readEnvironment({ WORKER_HEAP_MIB: '64' })).toThrow(/WORKER_HEAP_MIB/);
    expect(() => readEnvironment({ WORKER_STACK_TRACES: 'yes' })).toThrow(/WORKER_STACK_TRACES/);
    expect(() => readEnvironment({ WORKER_DEADLOCK_DETECTION: 'yes' })).toThrow(/WORKER_DEADLOCK_DETECTION/);
    expect(() => readEnvironment({ WORKER_GLOBALS_SWAP: 'fast' })).toThrow(/WORKER_GLOBALS_SWAP/);
  });

  test('a workflow cache of 0 is refused, naming the variable: without a cache the SDK core mishandles the tasks that send as local activities, and pages stall (bench/RESULTS.md)', () => {
    expect(() => readEnvironment({ WORKER_MAX_CACHED_WORKFLOWS: '0' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(readEnvironment({ WORKER_MAX_CACHED_WORKFLOWS: '1' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(1);
  });
});
