/**
 * The benchmark's settings, from the environment, validated once. Sizes default to the issue's
 * 10,000; `BENCH_N=1000 npm run bench` is a quick run.
 */
import { z } from 'zod';

const count = z.coerce.number().int().min(1).max(100_000);
const SCENARIOS = ['ceilings', 'intake', 'correlated', 'deadline'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const schema = z.object({
  /** Reports in the intake burst (and the default for the other sizes). */
  BENCH_N: count.default(10_000),
  /** Connections the client keeps open at once; default: one per report, at most 10,000. */
  BENCH_CONCURRENCY: count.optional(),
  /** Requests of each ceiling (bare Express, bare starts); BENCH_N when unset. */
  BENCH_CEILING_N: count.optional(),
  BENCH_DEADLINE_N: count.optional(),
  BENCH_SIGNAL_N: count.optional(),
  /** Which scenarios to run, comma-separated; all by default. */
  BENCH_SCENARIOS: z
    .string()
    .default(SCENARIOS.join(','))
    .transform((list) => list.split(',').map((name) => name.trim()).filter(Boolean))
    .pipe(z.array(z.enum(SCENARIOS)).min(1)),
  /** Scenario 3: the contact deadline (R-T-CONTACT) of every incident, and its warning lead. */
  BENCH_CONTACT_MINUTES: z.coerce.number().positive().default(5),
  BENCH_WARNING_MINUTES: z.coerce.number().positive().default(1),
  /** Scenario 3: the reports are paced evenly over this many seconds, so the deadlines are spread over as long. */
  BENCH_DEADLINE_SPREAD_SECONDS: z.coerce.number().min(0).default(180),
  /** Scenario 3: how many incidents' timelines to read back through the state query. */
  BENCH_TIMELINE_SAMPLE: z.coerce.number().int().min(0).default(500),
  /** Keep-alive on the client's connections (connection reuse between a request's attempts). */
  BENCH_KEEPALIVE: z
    .enum(['0', '1'])
    .default('1')
    .transform((v) => v === '1'),
  /** A label for this run's result files (e.g. the tuning being tried). */
  BENCH_LABEL: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/)
    .default('default'),
  /** Keep each stack's folder (database, outbox, logs) after the run. */
  BENCH_KEEP: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1'),
  /**
   * The Temporal service under the stack: `dev`, npm start's embedded default (the CLI dev
   * server on SQLite), or `postgres`, a real Temporal server on PostgreSQL started for each
   * stack (bench/postgres-temporal.ts; built by scripts/install-temporal-server.sh).
   */
  BENCH_TEMPORAL: z.enum(['dev', 'postgres']).default('dev'),
});

export type BenchConfig = z.infer<typeof schema> & {
  concurrency: number;
  ceilingN: number;
  ceilingConcurrency: number;
  deadlineN: number;
  signalN: number;
  /** The environment variables set for this run that change the system under test. */
  tuning: Record<string, string>;
};

/**
 * Variables the benchmark passes through to the stack, recorded with each result. `GOGC` and
 * `GOMEMLIMIT` reach the dev server, the stack's one Go process (bench/RESULTS.md, "Where the dev
 * server's CPU goes").
 */
const TUNING_PREFIXES = ['WORKER_', 'DEV_SERVER_', 'RATE_LIMIT_', 'INTAKE_', 'SIGNAL_', 'UV_THREADPOOL_SIZE', 'GOGC', 'GOMEMLIMIT'];

export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid benchmark environment: ${problems.join('; ')}`);
  }
  const settings = result.data;
  if (settings.BENCH_TEMPORAL === 'postgres' && present.DEV_SERVER_EXTRA_ARGS) {
    throw new Error('invalid benchmark environment: DEV_SERVER_EXTRA_ARGS tunes the dev server, which BENCH_TEMPORAL=postgres does not run');
  }
  const tuning = Object.fromEntries(
    Object.entries(present).filter(([name]) => TUNING_PREFIXES.some((prefix) => name.startsWith(prefix))),
  ) as Record<string, string>;
  return {
    ...settings,
    concurrency: Math.min(settings.BENCH_CONCURRENCY ?? settings.BENCH_N, 10_000),
    ceilingN: settings.BENCH_CEILING_N ?? settings.BENCH_N,
    ceilingConcurrency: Math.min(settings.BENCH_CONCURRENCY ?? settings.BENCH_CEILING_N ?? settings.BENCH_N, 10_000),
    deadlineN: settings.BENCH_DEADLINE_N ?? settings.BENCH_N,
    signalN: settings.BENCH_SIGNAL_N ?? settings.BENCH_N,
    tuning,
  };
}

export function isDefaultRun(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['BENCH_N', 'BENCH_CEILING_N', 'BENCH_CONCURRENCY', 'BENCH_DEADLINE_N', 'BENCH_SIGNAL_N', 'BENCH_SCENARIOS', 'BENCH_CONTACT_MINUTES', 'BENCH_WARNING_MINUTES', 'BENCH_DEADLINE_SPREAD_SECONDS', 'BENCH_KEEPALIVE', 'BENCH_TEMPORAL'].every(
    (name) => !env[name],
  );
}
