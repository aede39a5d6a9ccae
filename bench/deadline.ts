/**
 * Scenario 3, deadline precision at scale: N open incidents under a policy whose contact
 * deadline (R-T-CONTACT) is `BENCH_CONTACT_MINUTES` after each report, so every breach falls
 * within the few minutes the intake was spread over. Lateness of each breach page is the time
 * its first page went out (the outbox line's `at`, key `<incident>:breach-contact:r0:s0:…`)
 * minus the deadline's `dueAt` (from the 201/202 answer). The outbox is the channel of the
 * embedded default, so this is when the page really left, read without loading the engine;
 * the `deadline-breached` timeline entry of a sample is read back through the state query as a
 * cross-check (it is recorded before the page, so it is never later than the page).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchConfig } from './config';
import { connectEngine, incidentState, pool, settledCount } from './engine-checks';
import { runBurst } from './http-load';
import { FirstPages, OutboxTail } from './outbox';
import { UsageSampler, type UsageReport } from './proc';
import { idempotencyKey, incidentReport } from './reports';
import { startStack, type Stack } from './stack';
import { distribution, type Distribution } from './stats';

export interface DeadlineResult {
  count: number;
  concurrency: number;
  contactMinutes: number;
  warningMinutes: number;
  spreadSeconds: number;
  accepted: number;
  intakeMs: number;
  attemptStatuses: Record<string, number>;
  /** First and last contact deadline, ms after the first. */
  dueSpreadMs: number;
  openAtFirstDue: number;
  breachPages: number;
  missingBreachPages: number;
  /** Breach page sent − dueAt, ms, every incident. */
  pageLateness: Distribution;
  /** Timeline `deadline-breached` at − dueAt, ms, for the sample. */
  timelineLateness: Distribution;
  timelineSample: number;
  /** Breaches whose page went out before the due time (must be none). */
  early: number;
  usage: UsageReport;
  /**
   * From the first warning's time (first due − warning lead) until every breach page was out or
   * the wait ended: what the warnings, breaches and their follow-ups cost, apart from the intake.
   */
  windowUsage?: UsageReport;
}

export async function runDeadline(config: BenchConfig, say: (line: string) => void): Promise<DeadlineResult> {
  const policy = {
    deadlines: { contactMinutes: config.BENCH_CONTACT_MINUTES },
    warningLeadMinutes: { contact: config.BENCH_WARNING_MINUTES },
  };
  const stack = await startStack({ label: 'deadline', keep: config.BENCH_KEEP, env: config.tuning, temporal: config.BENCH_TEMPORAL, policy });
  try {
    return await measureDeadline(stack, config, say);
  } finally {
    await stack.stop();
  }
}

async function measureDeadline(stack: Stack, config: BenchConfig, say: (line: string) => void): Promise<DeadlineResult> {
  const run = `d${Date.now().toString(36)}`;
  const n = config.deadlineN;
  const dueAt = new Map<string, number>();
  const sampler = new UsageSampler(stack.usageTargets);
  const outbox = new OutboxTail(stack.outboxFile);
  const breachPages = new FirstPages('breach-contact');
  let ticks = 0;

  say(`deadline: ${n} incidents reported over ${config.BENCH_DEADLINE_SPREAD_SECONDS} s, contact due ${config.BENCH_CONTACT_MINUTES} min after each report`);
  const burst = await runBurst({
    url: `${stack.baseUrl}/incidents`,
    headers: stack.auth.support,
    count: n,
    concurrency: Math.min(config.concurrency, n),
    body: (i) => incidentReport(run, i),
    key: (i) => idempotencyKey(run, i),
    // 202: on disk in the intake journal, started from there (api/intake-journal.ts).
    accepted: [201, 202],
    attemptTimeoutMs: 120_000,
    maxAttempts: 1_000,
    deadlineMs: 20 * 60_000,
    keepAlive: config.BENCH_KEEPALIVE,
    startIntervalMs: (config.BENCH_DEADLINE_SPREAD_SECONDS * 1000) / n,
    onAccepted: (_i, body) => {
      const answer = body as { id: string; deadlines: { id: string; dueAt: string }[] };
      const contact = answer.deadlines.find((d) => d.id === 'contact');
      if (contact) dueAt.set(answer.id, Date.parse(contact.dueAt));
    },
    onProgress: (done, inFlight) => {
      breachPages.add(outbox.readNewPages());
      if (++ticks % 10 === 0) say(`  ${done}/${n} reported, ${inFlight} in flight, ${breachPages.at.size} breach pages`);
    },
  });
  say(`deadline: ${dueAt.size}/${n} accepted in ${(burst.durationMs / 1000).toFixed(1)} s`);

  const dues = [...dueAt.values()];
  const firstDue = Math.min(...dues);
  const lastDue = Math.max(...dues);
  const engine = await connectEngine(stack.temporalAddress);
  try {
    // How many incidents were open when the first deadline fell due (all of them, if the intake ended before).
    const openAtFirstDue =
      Date.now() < firstDue
        ? await settledCount(engine.client, `WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Running'`, dueAt.size, 30_000)
        : -1;
    // Wait for every breach page, bounded: the last due time plus ten minutes.
    const waitUntil = lastDue + 10 * 60_000;
    const windowStart = firstDue - config.BENCH_WARNING_MINUTES * 60_000;
    // Only when the intake ended before the first warning: otherwise the window has no clean start.
    const windowMeasurable = Date.now() < windowStart;
    let windowSampler: UsageSampler | undefined;
    while (Date.now() < waitUntil) {
      if (windowMeasurable && !windowSampler && Date.now() >= windowStart) windowSampler = new UsageSampler(stack.usageTargets);
      breachPages.add(outbox.readNewPages());
      if ([...dueAt.keys()].every((id) => breachPages.at.has(id))) break;
      if (++ticks % 30 === 0) {
        say(`  ${breachPages.at.size}/${dueAt.size} breach pages; last due in ${Math.round((lastDue - Date.now()) / 1000)} s`);
      }
      await sleep(1_000);
    }
    const lateness: number[] = [];
    let early = 0;
    for (const [id, due] of dueAt) {
      const sent = breachPages.at.get(id);
      if (sent === undefined) continue;
      lateness.push(sent - due);
      if (sent < due) early += 1;
    }
    const usage = sampler.stop();
    const windowUsage = windowSampler?.stop();

    // Cross-check on a sample: the breach as the workflow recorded it on the timeline.
    const ids = [...dueAt.keys()];
    const sample = ids.filter((_, i) => i % Math.max(1, Math.floor(ids.length / config.BENCH_TIMELINE_SAMPLE)) === 0).slice(0, config.BENCH_TIMELINE_SAMPLE);
    // A failed read leaves the incident out of the sample; it never costs the page figures.
    const timeline = await pool(sample, 20, async (id) => {
      const state = await incidentState(stack.baseUrl, id, stack.auth.manager).catch(() => undefined);
      if (!state) return undefined;
      const entry = state.timeline.find((e) => e.type === 'deadline-breached' && (e.data as { deadline?: string } | undefined)?.deadline === 'contact');
      return entry ? Date.parse(entry.at) - dueAt.get(id)! : undefined;
    });
    const timelineLateness = timeline.filter((v): v is number => v !== undefined);
    return {
      count: n,
      concurrency: Math.min(config.concurrency, n),
      contactMinutes: config.BENCH_CONTACT_MINUTES,
      warningMinutes: config.BENCH_WARNING_MINUTES,
      spreadSeconds: config.BENCH_DEADLINE_SPREAD_SECONDS,
      accepted: dueAt.size,
      intakeMs: burst.durationMs,
      attemptStatuses: burst.attemptStatuses,
      dueSpreadMs: lastDue - firstDue,
      openAtFirstDue,
      breachPages: lateness.length,
      missingBreachPages: dueAt.size - lateness.length,
      pageLateness: distribution(lateness),
      timelineLateness: distribution(timelineLateness),
      timelineSample: sample.length,
      early,
      usage,
      ...(windowUsage ? { windowUsage } : {}),
    };
  } finally {
    await engine.close();
  }
}
