/**
 * Scenario 1, the intake burst: N distinct reports to POST /incidents, `concurrency`
 * connections at once. Every report must be accepted (201, or 202 from the intake journal; triage in the answer) and be exactly
 * one incident workflow; a report the API sheds (429/503) is retried with the same
 * Idempotency-Key, which must never open a second incident.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { incidentIdFor } from '../api/app';
import type { BenchConfig } from './config';
import { connectEngine, executionsById, historyProfile, INCIDENT_EXECUTIONS, settledCount, type HistoryProfile } from './engine-checks';
import { runBurst } from './http-load';
import { FirstPages, OutboxTail } from './outbox';
import { UsageSampler, type UsageReport } from './proc';
import { idempotencyKey, incidentReport } from './reports';
import { startStack, type Stack } from './stack';
import { distribution, type Distribution } from './stats';

export interface IntakeResult {
  count: number;
  concurrency: number;
  socketsOpened: number;
  peakInFlight: number;
  accepted: number;
  /** Until the last report was accepted (or given up), retries included. */
  acceptAllMs: number;
  acceptedPerSecond: number;
  /** Until every accepted incident's first triage page was in the outbox. */
  allPagedMs?: number;
  pagedCount: number;
  firstAttemptLatency: Distribution;
  acceptLatency: Distribution;
  attemptStatuses: Record<string, number>;
  firstAttemptStatuses: Record<string, number>;
  finalFailures: Record<string, number>;
  /** Latency of the attempts answered with each status (p50/p99/max). */
  latencyByStatus: Record<string, Distribution>;
  /** The API's own time per answer (Server-Timing), by status. */
  serverLatencyByStatus: Record<string, Distribution>;
  shed: number;
  shedWithRetryAfter: number;
  retries: number;
  attemptsMax: number;
  /** Incident workflows found afterwards, and the checks on them. */
  workflowCount: number;
  distinctWorkflowIds: number;
  acceptedMissing: number;
  /** Ids with more than one execution, plus incidents no sent report's key maps to. */
  duplicates: number;
  extraIncidents: number;
  /** Incidents of reports the client gave up on: the engine has them, the client was never told (not duplicates). */
  unansweredButOpened: number;
  categories: Record<string, number>;
  severities: Record<string, number>;
  usageBurst: UsageReport;
  usageAfter: UsageReport;
  /** Where the engine's work goes: a sample of incident and paging workflow histories. */
  profile: { incident: HistoryProfile; paging: HistoryProfile };
}

const PAGED_TIMEOUT_MS = 20 * 60_000;

export async function runIntake(config: BenchConfig, say: (line: string) => void): Promise<IntakeResult> {
  const stack = await startStack({ label: 'intake', keep: config.BENCH_KEEP, env: config.tuning, temporal: config.BENCH_TEMPORAL });
  try {
    return await measureIntake(stack, config, say);
  } finally {
    await stack.stop();
  }
}

async function measureIntake(stack: Stack, config: BenchConfig, say: (line: string) => void): Promise<IntakeResult> {
  const run = `i${Date.now().toString(36)}`;
  const n = config.BENCH_N;
  const idByIndex: (string | undefined)[] = new Array(n);
  const categories: Record<string, number> = {};
  const severities: Record<string, number> = {};
  const pids = stack.usageTargets;
  const sampler = new UsageSampler(pids);
  const outbox = new OutboxTail(stack.outboxFile);
  const triagePages = new FirstPages('triage');
  let ticks = 0;

  say(`intake: ${n} reports, ${config.concurrency} connections, keep-alive ${config.BENCH_KEEPALIVE ? 'on' : 'off'}`);
  const burst = await runBurst({
    url: `${stack.baseUrl}/incidents`,
    headers: stack.auth.support,
    count: n,
    concurrency: config.concurrency,
    body: (i) => incidentReport(run, i),
    key: (i) => idempotencyKey(run, i),
    // 202: on disk in the intake journal, started from there (api/intake-journal.ts).
    accepted: [201, 202],
    attemptTimeoutMs: 120_000,
    maxAttempts: 1_000,
    deadlineMs: 20 * 60_000,
    keepAlive: config.BENCH_KEEPALIVE,
    onAccepted: (i, body) => {
      const answer = body as { id: string; triage: { category: string; severity: string } };
      idByIndex[i] = answer.id;
      categories[answer.triage.category] = (categories[answer.triage.category] ?? 0) + 1;
      severities[answer.triage.severity] = (severities[answer.triage.severity] ?? 0) + 1;
    },
    onProgress: (done, inFlight) => {
      triagePages.add(outbox.readNewPages());
      if (++ticks % 10 === 0) {
        say(`  ${done}/${n} done, ${inFlight} in flight, ${triagePages.at.size} paged, worker ${Math.round((sampler.current('worker') ?? 0) / 2 ** 20)} MiB`);
      }
    },
  });
  const usageBurst = sampler.stop();
  const accepted = burst.outcomes.filter((o) => o.ok);
  say(`intake: ${accepted.length}/${n} accepted in ${(burst.durationMs / 1000).toFixed(1)} s`);

  // Every accepted incident's first triage page (R-LINE-*: the lines are paged at once).
  const after = new UsageSampler(pids);
  const acceptedIds = new Set(idByIndex.filter((id): id is string => id !== undefined));
  const pagedDeadline = Date.now() + PAGED_TIMEOUT_MS;
  for (;;) {
    triagePages.add(outbox.readNewPages());
    const missing = [...acceptedIds].filter((id) => !triagePages.at.has(id)).length;
    if (missing === 0 || Date.now() > pagedDeadline) break;
    await sleep(1_000);
  }
  const pagedTimes = [...acceptedIds].map((id) => triagePages.at.get(id)).filter((t): t is number => t !== undefined);
  const allPaged = pagedTimes.length === acceptedIds.size && pagedTimes.length > 0;
  const allPagedMs = allPaged ? Math.max(...pagedTimes) - burst.startedAtEpochMs : undefined;
  say(`intake: ${pagedTimes.length}/${acceptedIds.size} incidents paged${allPagedMs ? ` within ${(allPagedMs / 1000).toFixed(1)} s of the burst's start` : ''}`);

  // Exactly one incident per accepted report: count, then compare ids.
  const engine = await connectEngine(stack.temporalAddress);
  let workflowCount: number;
  let executions: Map<string, number>;
  let profile: IntakeResult['profile'];
  try {
    workflowCount = await settledCount(engine.client, INCIDENT_EXECUTIONS, acceptedIds.size);
    executions = await executionsById(engine.client, INCIDENT_EXECUTIONS);
    const sample = [...acceptedIds].slice(0, 20);
    profile = {
      incident: await historyProfile(engine.client, sample),
      paging: await historyProfile(engine.client, sample.map((id) => `${id}-paging-triage`)),
    };
  } finally {
    await engine.close();
  }
  const usageAfter = after.stop();
  const acceptedMissing = [...acceptedIds].filter((id) => !executions.has(id)).length;
  const duplicates = [...executions.values()].filter((runs) => runs > 1).reduce((sum, runs) => sum + runs - 1, 0);
  // Every id a sent report could have opened: the API derives it from the Idempotency-Key.
  const sentIds = new Set(Array.from({ length: n }, (_, i) => incidentIdFor(idempotencyKey(run, i))));
  const extraIncidents = [...executions.keys()].filter((id) => !sentIds.has(id)).length;
  const unansweredButOpened = [...executions.keys()].filter((id) => sentIds.has(id) && !acceptedIds.has(id)).length;

  const firstAttemptStatuses: Record<string, number> = {};
  const finalFailures: Record<string, number> = {};
  for (const o of burst.outcomes) {
    firstAttemptStatuses[o.firstStatus] = (firstAttemptStatuses[o.firstStatus] ?? 0) + 1;
    if (!o.ok) finalFailures[o.finalStatus] = (finalFailures[o.finalStatus] ?? 0) + 1;
  }
  const latencyByStatus = Object.fromEntries(
    Object.entries(burst.attemptLatencies).map(([status, values]) => [status, distribution(values)]),
  );
  const lastAccepted = Math.max(0, ...accepted.map((o) => o.acceptedAtMs ?? 0));
  return {
    count: n,
    concurrency: config.concurrency,
    socketsOpened: burst.socketsOpened,
    peakInFlight: burst.peakInFlight,
    accepted: accepted.length,
    acceptAllMs: lastAccepted,
    acceptedPerSecond: accepted.length / (lastAccepted / 1000),
    ...(allPagedMs !== undefined ? { allPagedMs } : {}),
    pagedCount: pagedTimes.length,
    firstAttemptLatency: distribution(burst.outcomes.map((o) => o.firstLatencyMs)),
    acceptLatency: distribution(accepted.map((o) => o.acceptLatencyMs ?? 0)),
    attemptStatuses: burst.attemptStatuses,
    firstAttemptStatuses,
    finalFailures,
    latencyByStatus,
    serverLatencyByStatus: Object.fromEntries(
      Object.entries(burst.serverLatencies).map(([status, values]) => [status, distribution(values)]),
    ),
    shed: burst.shed,
    shedWithRetryAfter: burst.shedWithRetryAfter,
    retries: burst.retries,
    attemptsMax: Math.max(...burst.outcomes.map((o) => o.attempts)),
    workflowCount,
    distinctWorkflowIds: executions.size,
    acceptedMissing,
    duplicates,
    extraIncidents,
    unansweredButOpened,
    categories,
    severities,
    usageBurst,
    usageAfter,
    profile,
  };
}
