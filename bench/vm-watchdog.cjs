/**
 * What one call into a V8 context costs with and without a `timeout` (issue 7: the SDK's
 * deadlock watchdog, config/workflow-thread.cjs). The SDK calls into its workflows' context with
 * `runInContext(context, { timeout })`; Node keeps that timeout with a watchdog thread created
 * and joined around each call. This calls a trivial script (one global write, one microtask) in a
 * context made as the SDK makes it, alternately with a 5-s timeout and without, and prints CPU
 * and wall time per call.
 *
 *   node bench/vm-watchdog.cjs [calls=50000]
 */
const vm = require('node:vm');

const calls = Number(process.argv[2] ?? 50_000);
const context = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
const script = new vm.Script('globalThis.x = (globalThis.x || 0) + 1; Promise.resolve().then(() => { globalThis.y = 1; }); x');

for (const options of [{ timeout: 5000 }, {}, { timeout: 5000 }, {}]) {
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) script.runInContext(context, options);
  const used = process.cpuUsage(cpu);
  const wallUs = Number(process.hrtime.bigint() - wall) / 1000;
  const label = options.timeout ? `timeout ${options.timeout} ms` : 'no timeout';
  console.log(`${label.padEnd(16)} ${(wallUs / calls).toFixed(1)} µs wall, ${((used.user + used.system) / calls).toFixed(1)} µs CPU per call`);
}
