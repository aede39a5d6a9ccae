/**
 * Worker tuning for benchmark runs, without touching worker.ts: preloaded into the worker
 * process (`node --require ./bench/worker-tuning.cjs --import tsx worker.ts`, which
 * bench/stack.ts sets as START_WORKER_CMD when a WORKER_* variable is set), it adds these
 * options to every `Worker.create` call. Plain CommonJS, because the SDK's workflow thread
 * inherits the preload and loads it before any TypeScript loader.
 *
 *   WORKER_MAX_CACHED_WORKFLOWS            maxCachedWorkflows
 *   WORKER_MAX_CONCURRENT_WORKFLOW_TASKS   maxConcurrentWorkflowTaskExecutions
 *   WORKER_MAX_CONCURRENT_ACTIVITIES       maxConcurrentActivityTaskExecutions
 *   WORKER_WORKFLOW_POLLERS                workflowTaskPollerBehavior (simple maximum)
 *   WORKER_ACTIVITY_POLLERS                activityTaskPollerBehavior (simple maximum)
 *   WORKER_WORKFLOW_THREADS                workflowThreadPoolSize (the SDK's default is 1)
 *   WORKER_METRICS_ADDRESS                 host:port of a Prometheus endpoint for the SDK core's
 *                                          metrics (`/metrics`: sticky-cache hits and misses,
 *                                          workflow-task schedule-to-start and execution time)
 */
const { isMainThread } = require('node:worker_threads');

function integer(name, min) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min}, not ${raw}`);
  return value;
}

if (isMainThread) {
  const tuning = {};
  // At least 1, as config/env.ts: without a cache the SDK core mishandles the tasks that send as local activities.
  const cached = integer('WORKER_MAX_CACHED_WORKFLOWS', 1);
  if (cached !== undefined) tuning.maxCachedWorkflows = cached;
  const workflowTasks = integer('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', 1);
  if (workflowTasks !== undefined) tuning.maxConcurrentWorkflowTaskExecutions = workflowTasks;
  const activities = integer('WORKER_MAX_CONCURRENT_ACTIVITIES', 1);
  if (activities !== undefined) tuning.maxConcurrentActivityTaskExecutions = activities;
  const workflowPollers = integer('WORKER_WORKFLOW_POLLERS', 1);
  if (workflowPollers !== undefined) tuning.workflowTaskPollerBehavior = { type: 'simple-maximum', maximum: workflowPollers };
  const activityPollers = integer('WORKER_ACTIVITY_POLLERS', 1);
  if (activityPollers !== undefined) tuning.activityTaskPollerBehavior = { type: 'simple-maximum', maximum: activityPollers };

  const threads = integer('WORKER_WORKFLOW_THREADS', 1);
  if (threads !== undefined) tuning.workflowThreadPoolSize = threads;

  const { Runtime, Worker } = require('@temporalio/worker');
  const metrics = process.env.WORKER_METRICS_ADDRESS;
  if (metrics) {
    if (!/^[0-9A-Za-z.-]+:[0-9]{1,5}$/.test(metrics)) throw new Error(`WORKER_METRICS_ADDRESS must be host:port, not ${metrics}`);
    // Before anything else asks for the runtime; the SDK's core serves `/metrics` there.
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: metrics } } } });
  }
  const create = Worker.create.bind(Worker);
  Worker.create = (options) => create({ ...options, ...tuning });
  console.log(`benchmark worker tuning: ${JSON.stringify(tuning)}${metrics ? `, metrics on http://${metrics}/metrics` : ''}`);
}
