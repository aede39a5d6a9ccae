/**
 * What a switch of the shared V8 context between workflows costs (issue 7): the SDK's reusable
 * context with the real workflow bundle, a number of real incident workflows created in it as the
 * worker creates them, and calls into it (`tryUnblockConditions`, which does next to nothing)
 * that alternate between workflows, against calls that stay with one.
 *
 *   TEMPORAL_DEBUG=1 node --require ./config/workflow-thread.cjs bench/swap-globals.cjs [bundle] [workflows=50] [calls=20000]
 *        the one-read swap (config/workflow-thread.cjs). TEMPORAL_DEBUG=1: the preload applies
 *        where the SDK runs workflows, and this script runs them in its main thread, as the
 *        SDK's debug mode does
 *   TEMPORAL_DEBUG=1 WORKER_GLOBALS_SWAP=sdk node --require ./config/workflow-thread.cjs bench/swap-globals.cjs …
 *        the SDK's own swap, everything else the same
 *   node bench/swap-globals.cjs …
 *        no preload: the SDK's swap, and its deadlock watchdog around every call
 *
 * Without a bundle path it bundles the workflows (scripts/workflow-bundle.ts, through tsx).
 */
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { ReusableVMWorkflowCreator } = require('@temporalio/worker/lib/workflow/reusable-vm');

function bundlePath() {
  if (process.argv[2]) return process.argv[2];
  const out = execFileSync(process.execPath, ['--import', 'tsx', resolve(__dirname, '..', 'scripts', 'workflow-bundle.ts')], { encoding: 'utf8' });
  return out.trim().split('\n').pop();
}

/** A workflow's info as the SDK's worker fills it in for a new run (the fields initRuntime reads). */
function info(i) {
  const now = new Date();
  return {
    workflowType: 'incidentWorkflow',
    workflowId: `INC-SWAP-${i}`,
    runId: `run-${i}-${process.pid}`,
    firstExecutionRunId: `run-${i}-${process.pid}`,
    taskQueue: 'swap',
    namespace: 'default',
    attempt: 1,
    historyLength: 0,
    historySize: 0,
    continueAsNewSuggested: false,
    searchAttributes: {},
    typedSearchAttributes: [],
    memo: {},
    startTime: now,
    runStartTime: now,
    unsafe: { isReplaying: false, isReplayingHistoryEvents: false },
    priority: {},
  };
}

async function main() {
  const path = bundlePath();
  const workflows = Number(process.argv[3] ?? 50);
  const calls = Number(process.argv[4] ?? 20000);
  const vm = require('node:vm');
  const creator = await ReusableVMWorkflowCreator.create(
    { code: readFileSync(path, 'utf8'), filename: path, sourceMap: { version: 3, sources: [], names: [], mappings: '' } },
    5000,
    new Set(),
    undefined,
  );
  const created = [];
  for (let i = 0; i < workflows; i++) {
    created.push(await creator.createWorkflow({ info: info(i), randomnessSeed: [i], now: Date.now(), showStackTraceSources: false }));
  }
  const swap = vm.runInContext.oneReadSwap ? 'one-read swap (config/workflow-thread.cjs)' : "the SDK's swap";
  console.log(`${swap}; ${vm.runInContext('Reflect.ownKeys(globalThis).length', creator.context)} globals in the context, ${workflows} workflows`);
  for (let round = 1; round <= 3; round++) {
    let start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) created[i % workflows].workflowModule.tryUnblockConditions();
    const switching = Number(process.hrtime.bigint() - start) / 1000 / calls;
    start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) created[0].workflowModule.tryUnblockConditions();
    const staying = Number(process.hrtime.bigint() - start) / 1000 / calls;
    console.log(`round ${round}: ${switching.toFixed(1)} µs a call that switches workflow, ${staying.toFixed(1)} µs one that does not`);
  }
  for (const workflow of created) await workflow.dispose();
  await creator.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
