/**
 * Scenario 2, the correlated burst: N complaint signals to POST /signals, 90% of them about a
 * few shared causes (R-CAT-COMP group complaints), each from its own customer, the rest each
 * about a cause of its own. With the plan's threshold (more than `groupComplaintCustomers`
 * distinct customers, 5 by default), each shared cause opens 6 individual incidents — the 6th
 * also opens the group incident — and every later complaint attaches to the group; each
 * unshared complaint opens one incident. Counted exactly from the answers and from the engine.
 */
import type { BenchConfig } from './config';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { connectEngine, INCIDENT_EXECUTIONS, incidentState, pool, settledCount } from './engine-checks';
import { runBurst } from './http-load';
import { UsageSampler, type UsageReport } from './proc';
import { startStack, type Stack } from './stack';
import { distribution, type Distribution } from './stats';

export type CorrelatedResult =
  | { ran: false; reason: string }
  | {
      ran: true;
      count: number;
      causes: number;
      perCause: number;
      unshared: number;
      accepted: number;
      /** Answered 202 `pending` (SIGNAL_WAIT_MS passed): their decisions are read afterwards from the Location. */
      pending: number;
      /** From the burst's start until no intake workflow of the run was still deciding. */
      decidedMs: number;
      /** Pending decisions read back with `GET /signals/…`, and those still pending or unreadable then. */
      readBack: number;
      unread: number;
      intakeMs: number;
      perSecond: number;
      latency: Distribution;
      attemptStatuses: Record<string, number>;
      decisions: Record<string, number>;
      expected: { opened: number; attached: number; groups: number; incidents: number };
      groups: number;
      /** Customer links on each group incident, which must equal its cause's complaints. */
      groupCustomerLinks: number[];
      incidentWorkflows: number;
      usage: UsageReport;
    };

const SHARED_CAUSES = 5;
/** How long the scenario sends (retrying shed events) and waits, from the burst's start, for the engine to decide every event. */
const DECISION_BOUND_MS = 45 * 60_000;
const GROUP_THRESHOLD = 5;

/** Whether the running API has the detection intake (issue 4): POST /signals answers 400 to an empty body. */
export async function signalsAvailable(baseUrl: string, auth: Record<string, string>): Promise<boolean> {
  const res = await fetch(`${baseUrl}/signals`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: '{}' });
  return res.status !== 404;
}

export async function runCorrelated(config: BenchConfig, say: (line: string) => void): Promise<CorrelatedResult> {
  const stack = await startStack({ label: 'correlated', keep: config.BENCH_KEEP, env: config.tuning, temporal: config.BENCH_TEMPORAL });
  try {
    if (!(await signalsAvailable(stack.baseUrl, stack.auth.integration))) {
      return { ran: false, reason: 'POST /signals is not mounted by the API in this tree (the detection feature, issue 4, has not landed): it answers 404' };
    }
    return await measureCorrelated(stack, config, say);
  } finally {
    await stack.stop();
  }
}

async function measureCorrelated(stack: Stack, config: BenchConfig, say: (line: string) => void): Promise<CorrelatedResult> {
  const run = `c${Date.now().toString(36)}`;
  const n = config.signalN;
  const perCause = Math.floor((n * 0.9) / SHARED_CAUSES);
  const shared = perCause * SHARED_CAUSES;
  const unshared = n - shared;
  const causeOf = (i: number) =>
    i < shared
      ? { hospital: `Bench Hospital ${run} ${i % SHARED_CAUSES}`, reasonCode: `R-BENCH-${i % SHARED_CAUSES}` }
      : { hospital: `Bench Hospital ${run} solo ${i}`, reasonCode: `R-SOLO-${i}` };
  const decisions: Record<string, number> = {};
  const groupIds = new Set<string>();
  /** Requests answered 202: the event is in the engine, its decision is read from its Location later. */
  const pendingIndexes: number[] = [];
  const count = (answer: { decision: string; incidentId?: string; groupIncidentId?: string }) => {
    decisions[answer.decision] = (decisions[answer.decision] ?? 0) + 1;
    if (answer.groupIncidentId) groupIds.add(answer.groupIncidentId);
    if (answer.decision === 'attached' && answer.incidentId) groupIds.add(answer.incidentId);
  };
  const sampler = new UsageSampler(stack.usageTargets);
  say(`correlated: ${n} complaint signals, ${SHARED_CAUSES} shared causes × ${perCause}, ${unshared} unshared`);
  const burst = await runBurst({
    url: `${stack.baseUrl}/signals`,
    headers: stack.auth.integration,
    count: n,
    concurrency: config.concurrency,
    body: (i) => ({
      source: 'hotline',
      sourceEventId: `HL-${run}-${i}`,
      title: '客户投诉理赔结果',
      text: '客户来电投诉：门诊费用被拒赔，对审核结果强烈不满，要求重新审核。',
      customerRef: `CUST-${run}-${i}`,
      claimId: `CLM-${run}-${i}`,
      cause: causeOf(i),
      reporter: 'bench-agent',
    }),
    key: (i) => `HL-${run}-${i}`,
    accepted: [200, 201, 202],
    attemptTimeoutMs: 120_000,
    maxAttempts: 1_000,
    // As long as the engine is given to decide: a shed report retried until then is still sent.
    deadlineMs: DECISION_BOUND_MS,
    keepAlive: config.BENCH_KEEPALIVE,
    onAccepted: (i, body) => {
      const answer = body as { decision: string; incidentId?: string; groupIncidentId?: string };
      if (answer.decision === 'pending') pendingIndexes.push(i);
      else count(answer);
    },
  });
  const accepted = burst.outcomes.filter((o) => o.ok);
  const groupsExpected = perCause > GROUP_THRESHOLD ? SHARED_CAUSES : 0;
  const openedPerCause = Math.min(perCause, GROUP_THRESHOLD + 1);
  const expected = {
    opened: SHARED_CAUSES * openedPerCause + unshared,
    attached: SHARED_CAUSES * (perCause - openedPerCause),
    groups: groupsExpected,
    incidents: SHARED_CAUSES * openedPerCause + unshared + groupsExpected,
  };
  const engine = await connectEngine(stack.temporalAddress);
  try {
    // The engine decides what it accepted: wait (bounded) until none of this run's intakes is
    // running, then read each pending decision once through its Location, as a feed would. The
    // bound is 45 minutes: at 10,000 the dev server decides about 7 events a second.
    const decidedMs = await untilDecided(engine.client, burst.startedAtEpochMs, DECISION_BOUND_MS);
    const usage = sampler.stop();
    let readBack = 0;
    await pool(pendingIndexes, 16, async (i) => {
      const res = await fetch(`${stack.baseUrl}/signals/hotline/${encodeURIComponent(`HL-${run}-${i}`)}`, {
        headers: stack.auth.integration,
        signal: AbortSignal.timeout(60_000),
      }).catch(() => undefined);
      if (res === undefined || (res.status !== 200 && res.status !== 201)) return;
      count((await res.json()) as { decision: string; incidentId?: string; groupIncidentId?: string });
      readBack += 1;
    });
    const incidentWorkflows = await settledCount(engine.client, INCIDENT_EXECUTIONS, expected.incidents);
    const groupCustomerLinks: number[] = [];
    for (const id of groupIds) {
      const state = await incidentState(stack.baseUrl, id, stack.auth.manager).catch(() => undefined);
      // -1: the group incident could not be read.
      groupCustomerLinks.push(state ? state.links.filter((l) => l.kind === 'customer').length : -1);
    }
    return {
      ran: true,
      count: n,
      causes: SHARED_CAUSES,
      perCause,
      unshared,
      accepted: accepted.length,
      pending: pendingIndexes.length,
      decidedMs,
      readBack,
      unread: pendingIndexes.length - readBack,
      intakeMs: burst.durationMs,
      perSecond: accepted.length / (burst.durationMs / 1000),
      latency: distribution(accepted.map((o) => o.acceptLatencyMs ?? 0)),
      attemptStatuses: burst.attemptStatuses,
      decisions,
      expected,
      groups: groupIds.size,
      groupCustomerLinks,
      incidentWorkflows,
      usage,
    };
  } finally {
    await engine.close();
  }
}

/**
 * Ms from `startedAtEpochMs` until no signal intake workflow is running (polled every 2 s; these
 * stacks run nothing else), or until `boundMs` has passed since then.
 */
async function untilDecided(client: Client, startedAtEpochMs: number, boundMs: number): Promise<number> {
  for (;;) {
    const { count } = await client.workflow.count(`WorkflowType = 'signalIntakeWorkflow' AND ExecutionStatus = 'Running'`);
    const elapsed = Date.now() - startedAtEpochMs;
    if (count === 0 || elapsed > boundMs) return elapsed;
    await sleep(2_000);
  }
}
