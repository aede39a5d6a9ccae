/**
 * What `npm start` gives the worker process (issue 7, worker memory): a V8 heap limit sized to the
 * workflow cache, and fewer glibc malloc arenas; what the operator set is kept.
 */
import { readEnvironment, workerProcessEnvironment } from '../../config/env';

describe('workerProcessEnvironment', () => {
  test('the heap limit follows the cache: 256 MiB + 0.25 MiB per cached workflow', () => {
    expect(workerProcessEnvironment(readEnvironment({}), {})).toEqual({ NODE_OPTIONS: '--max-old-space-size=506', MALLOC_ARENA_MAX: '2' });
    expect(workerProcessEnvironment(readEnvironment({ WORKER_MAX_CACHED_WORKFLOWS: '2000' }), {}).NODE_OPTIONS).toBe('--max-old-space-size=756');
    expect(workerProcessEnvironment(readEnvironment({ WORKER_HEAP_MIB: '640' }), {}).NODE_OPTIONS).toBe('--max-old-space-size=640');
  });

  test("the operator's own NODE_OPTIONS and MALLOC_ARENA_MAX are kept", () => {
    expect(workerProcessEnvironment(readEnvironment({}), { NODE_OPTIONS: '--enable-source-maps', MALLOC_ARENA_MAX: '4' })).toEqual({
      NODE_OPTIONS: '--enable-source-maps --max-old-space-size=506',
      MALLOC_ARENA_MAX: '4',
    });
    expect(workerProcessEnvironment(readEnvironment({}), { NODE_OPTIONS: '--max-old-space-size=2048' }).NODE_OPTIONS).toBe('--max-old-space-size=2048');
  });

  test('a heap limit below 128 MiB is refused, naming the variable', () => {
    expect(() => readEnvironment({ WORKER_HEAP_MIB: '64' })).toThrow(/WORKER_HEAP_MIB/);
  });
});
