/**
 * Scenario 4, the ceilings, measured in the same run on the same machine:
 * - HTTP: the same burst, same client and connections, against a bare Express endpoint that
 *   parses the body and answers 201 (bench/bare-express.ts, its own process, as the API is);
 * - engine: a bare loop of workflow starts of a trivial workflow (no worker, nothing else)
 *   against the same embedded dev server, `concurrency` in flight on one client connection
 *   (with BENCH_TEMPORAL=postgres, against the stack's Temporal server on PostgreSQL).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import { findFreePort } from '../scripts/dev-server';
import type { BenchConfig } from './config';
import { runBurst } from './http-load';
import { UsageSampler, type SampleTarget, type UsageReport } from './proc';
import { idempotencyKey, incidentReport } from './reports';
import { repositoryRoot, startStack } from './stack';
import { distribution, type Distribution } from './stats';

export interface CeilingResult {
  count: number;
  concurrency: number;
  durationMs: number;
  perSecond: number;
  latency: Distribution;
  errors: Record<string, number>;
  usage: UsageReport;
}

export interface CeilingsResult {
  http: CeilingResult & { socketsOpened: number };
  starts: CeilingResult;
}

export async function runCeilings(config: BenchConfig, say: (line: string) => void): Promise<CeilingsResult> {
  const http = await httpCeiling(config, say);
  const stack = await startStack({ label: 'ceilings', keep: config.BENCH_KEEP, env: config.tuning, temporal: config.BENCH_TEMPORAL });
  try {
    const starts = await startCeiling(config, stack.temporalAddress, { server: stack.usageTargets.server }, say);
    return { http, starts };
  } finally {
    await stack.stop();
  }
}

async function httpCeiling(config: BenchConfig, say: (line: string) => void): Promise<CeilingsResult['http']> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-express.ts', String(port)], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error('bare Express did not start within 30 s')), 30_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('listening')) {
          clearTimeout(timer);
          resolveReady();
        }
      });
      child.once('exit', () => reject(new Error('bare Express exited')));
    });
    const sampler = new UsageSampler({ 'bare-express': child.pid! });
    const burst = await runBurst({
      url: `http://127.0.0.1:${port}/incidents`,
      count: config.ceilingN,
      concurrency: config.ceilingConcurrency,
      body: (i) => incidentReport('ceiling', i),
      key: (i) => idempotencyKey('ceiling', i),
      accepted: [201],
      attemptTimeoutMs: 60_000,
      maxAttempts: 1,
      deadlineMs: 10 * 60_000,
      keepAlive: config.BENCH_KEEPALIVE,
    });
    const usage = sampler.stop();
    const ok = burst.outcomes.filter((o) => o.ok).length;
    const errors: Record<string, number> = {};
    for (const o of burst.outcomes) if (!o.ok) errors[o.finalStatus] = (errors[o.finalStatus] ?? 0) + 1;
    const result = {
      count: ok,
      concurrency: config.ceilingConcurrency,
      durationMs: burst.durationMs,
      perSecond: ok / (burst.durationMs / 1000),
      latency: distribution(burst.outcomes.map((o) => o.firstLatencyMs)),
      errors,
      usage,
      socketsOpened: burst.socketsOpened,
    };
    say(`HTTP ceiling: ${ok}/${config.ceilingN} in ${(burst.durationMs / 1000).toFixed(1)} s = ${result.perSecond.toFixed(0)}/s`);
    return result;
  } finally {
    child.kill('SIGTERM');
  }
}

/** Starts `config.ceilingN` trivial workflows (task queue with no worker: nothing runs them). */
async function startCeiling(
  config: BenchConfig,
  address: string,
  pids: Record<string, SampleTarget>,
  say: (line: string) => void,
): Promise<CeilingResult> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const sampler = new UsageSampler(pids);
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  let ok = 0;
  const started = performance.now();
  const lanes = Array.from({ length: Math.min(config.ceilingConcurrency, config.ceilingN) }, async () => {
    for (;;) {
      const index = next++;
      if (index >= config.ceilingN) return;
      const t0 = performance.now();
      try {
        await client.workflow.start('benchTrivialWorkflow', {
          workflowId: `bench-ceiling-${index}`,
          taskQueue: 'bench-ceiling',
          args: [incidentReport('ceiling', index)],
        });
        ok += 1;
        latencies.push(performance.now() - t0);
      } catch (err) {
        const name = err instanceof Error ? err.name : 'error';
        errors[name] = (errors[name] ?? 0) + 1;
      }
    }
  });
  await Promise.all(lanes);
  const durationMs = performance.now() - started;
  const usage = sampler.stop();
  await connection.close();
  const perSecond = ok / (durationMs / 1000);
  say(`start ceiling: ${ok}/${config.ceilingN} in ${(durationMs / 1000).toFixed(1)} s = ${perSecond.toFixed(0)}/s`);
  return { count: ok, concurrency: config.ceilingConcurrency, durationMs, perSecond, latency: distribution(latencies), errors, usage };
}
