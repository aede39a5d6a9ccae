import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../domain/policy';
import { parseRoster, type Roster } from '../domain/roster';
import type { LimitsOptions } from '../api/limits';
import type { AdmissionOptions } from '../api/admission';

/**
 * The process environment, validated once at start-up. Nothing deeper in the code reads
 * `process.env`: entry points call `readEnvironment()` and pass the typed result down.
 */
export const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where the Web UI is, for links to an incident's workflow. */
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
  /** The response policy (R-T-* durations, thresholds); the plan's figures when unset. */
  POLICY_FILE: z.string().min(1).optional(),
  /** Working-day calendar data (R-T-CAL); the shipped mainland-China 2025–2027 file when unset. */
  CALENDAR_FILE: z.string().min(1).optional(),
  /** The default notification channel: one JSON line per notification. */
  OUTBOX_FILE: z.string().min(1).default('data/outbox.jsonl'),
  /** Who is on call (people, contact methods, rules, rotations); the example roster when unset. */
  ROSTER_FILE: z.string().min(1).default(resolve(__dirname, 'roster.example.json')),
  /** The sent-ledger that keeps a page from going out twice after a crash. */
  SENT_LEDGER_FILE: z.string().min(1).default('data/sent-ledger.jsonl'),
  /** Real e-mail: any SMTP server (`smtp://user:pass@host:587`); the outbox when unset. */
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().min(3).default('incidents@localhost'),
  /** Real SMS and voice through Twilio; the outbox when unset. */
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(8).optional(),
  TWILIO_FROM: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number').optional(),
  /** Another base URL for the Twilio client: a regional edge, a proxy, a test fake. */
  TWILIO_API_BASE_URL: z.string().url().optional(),
  /** How people and Twilio reach this API (webhooks, acknowledgement links), e.g. https://incidents.example.com. */
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** Signs e-mail acknowledgement links; a random one is kept in data/ when unset. */
  ACK_LINK_SECRET: z.string().min(16).optional(),
  ACK_LINK_TTL_MINUTES: z.coerce.number().positive().default(24 * 60),
  /** Detection: trigger lexicon extensions, windows, monitored systems (R-DET-*); defaults when unset. */
  DETECTION_FILE: z.string().min(1).optional(),
  /** Drill scenarios (R-REV-4): a folder of JSON files, validated at start-up; `config/drills` when unset. */
  DRILLS_DIR: z.string().min(1).optional(),
  /** R-SYS-3 customer notices (offline alternative, service back): one JSON line each. */
  CUSTOMER_NOTICES_FILE: z.string().min(1).default('data/customer-notices.jsonl'),
  /** API keys (R-SEC-2): hashed, one JSON file, mode 0600; `npm run keys` and `/admin/keys` manage it. */
  API_KEYS_FILE: z.string().min(1).default('data/api-keys.json'),
  /** Per-client API rate limit (X-Api-Key, else client address), answered 429 + Retry-After; off when unset. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().optional(),
  /** Requests a client may send at once before the rate limit slows it; RATE_LIMIT_PER_MINUTE when unset. */
  RATE_LIMIT_BURST: z.coerce.number().int().positive().optional(),
  /** The incident archive's SQLite file (R-REV-5); records are encrypted under PAYLOAD_KEYS (R-SEC-1). */
  ARCHIVE_DATABASE: z.string().min(1).default('data/archive.sqlite'),
  /** The archive on PostgreSQL instead of the file: `postgres://user:password@host:5432/database`. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL').optional(),
  /** R-REV-5: closed incidents are kept at least this many years; a smaller value stops start-up. */
  ARCHIVE_RETENTION_YEARS: z.coerce.number().int().min(3, 'must be at least 3 years (R-REV-5)').default(3),
  /**
   * Early load shedding of intake (api/admission.ts): a new report or signal is answered 503 +
   * Retry-After at once when its expected wait on the engine exceeds this many ms; 0 turns it off.
   */
  INTAKE_MAX_EXPECTED_WAIT_MS: z.coerce.number().int().min(0).default(5000),
  /** Intake requests in flight below which nothing is shed (no rate is known yet). */
  INTAKE_MIN_IN_FLIGHT: z.coerce.number().int().positive().default(32),
  /** Intake requests in flight above which everything new is shed, whatever the rate. */
  INTAKE_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(2000),
  /**
   * The intake journal (api/intake-journal.ts): reports are accepted once on disk in this SQLite
   * file and started from it; `off` starts each report on the request path instead.
   */
  INTAKE_JOURNAL_FILE: z.string().min(1).default('data/intake-journal.sqlite'),
  /** Accepted reports the engine has not started yet, past which new ones are shed (503 + Retry-After). */
  INTAKE_JOURNAL_MAX_BACKLOG: z.coerce.number().int().positive().default(50_000),
  /** Starts the journal keeps in flight at once. */
  INTAKE_JOURNAL_CONCURRENCY: z.coerce.number().int().positive().default(32),
  /** How long a journaled report waits for its start before it is answered 202 instead of 201 (ms). */
  INTAKE_WAIT_MS: z.coerce.number().int().min(0).default(3000),
  /**
   * How long `POST /signals` waits for an event's decision before it answers 202 `pending` with
   * the decision's Location (ms); the event is in the engine by then (issue 7, correlated burst).
   * Under the API's 15 s bound on Temporal, so a slow decision is a 202, never a 503 and a retry;
   * long enough that admission control (INTAKE_MAX_EXPECTED_WAIT_MS) still paces a burst.
   */
  SIGNAL_WAIT_MS: z.coerce.number().int().min(0).default(10_000),
  /**
   * Workflows the worker keeps in memory (Temporal's sticky cache). Past it, the least recently
   * used is evicted and replayed from its history when it next has work: this bounds the
   * worker's memory whatever the number of open incidents (issue 7, bench/RESULTS.md). At least
   * 1: with 0 (no cache), and incidents that send as local activities, the SDK core logged "There
   * should not be any outgoing commands or messages when preparing a completion response if the
   * activation was only an eviction. This is an SDK bug." again and again, and incidents
   * stalled: in the 2,000 scenario 9 breach pages had not left when its wait ended, 10
   * minutes after the last due time, and the p99 of the rest was 602 s (bench/RESULTS.md).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).default(1000),
  /**
   * The worker's V8 heap limit in MiB (each of its isolates: the main thread and the workflow
   * thread), set by `npm start`. Without one V8 lets a busy worker's heap grow towards a quarter of
   * the machine before it collects (issue 7). Default: 256 + 0.25 MiB per cached workflow (a
   * cached incident holds about 170 KiB of heap: bench/workflow-memory.ts); the main thread and
   * the workflow thread each get this limit, so the worker's RSS can approach twice it.
   */
  WORKER_HEAP_MIB: z.coerce.number().int().min(128).optional(),
  /** The SDK's per-promise stack traces in the workflow thread (config/workflow-thread.cjs): off unless `on`. */
  WORKER_STACK_TRACES: z.enum(['on', 'off']).default('off'),
  /**
   * The SDK's deadlock detection in the workflow thread (config/workflow-thread.cjs): a watchdog
   * thread started and joined around every call into the workflows' V8 context. Off unless `on`.
   */
  WORKER_DEADLOCK_DETECTION: z.enum(['on', 'off']).default('off'),
  /**
   * How the workflow thread swaps the shared V8 context's globals between workflows
   * (config/workflow-thread.cjs): `one-read` reads them once a switch, `sdk` keeps the SDK's own.
   */
  WORKER_GLOBALS_SWAP: z.enum(['one-read', 'sdk']).default('one-read'),
});

export type Environment = z.infer<typeof environmentSchema>;

/** Twilio is configured when all three of its variables are; a partial set is an error. */
export function twilioConfig(environment: Environment) {
  const { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_FROM: from } = environment;
  const set = [accountSid, authToken, from].filter(Boolean).length;
  if (set === 0) return undefined;
  if (set < 3) throw new Error('invalid environment: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM go together');
  return { accountSid: accountSid!, authToken: authToken!, from: from!, ...(environment.TWILIO_API_BASE_URL ? { apiBaseUrl: environment.TWILIO_API_BASE_URL } : {}) };
}

/** The API's input limits from the environment: no rate limit unless RATE_LIMIT_PER_MINUTE is set. */
export function apiLimits(environment: Environment): LimitsOptions {
  if (environment.RATE_LIMIT_PER_MINUTE === undefined) return {};
  return {
    rateLimit: {
      perMinute: environment.RATE_LIMIT_PER_MINUTE,
      ...(environment.RATE_LIMIT_BURST !== undefined ? { burst: environment.RATE_LIMIT_BURST } : {}),
    },
  };
}

/** Preloaded into the worker's workflow thread: turns the SDK's promise stack traces and per-call watchdog off (issue 7). */
export const WORKFLOW_THREAD_PRELOAD = resolve(__dirname, 'workflow-thread.cjs');

/**
 * What `npm start` adds to the worker's environment (issue 7, worker memory and CPU): a heap limit
 * sized to the workflow cache (unless NODE_OPTIONS already sets one), two glibc malloc arenas
 * instead of eight per core for its native threads (unless MALLOC_ARENA_MAX is set), and the
 * workflow thread's preload (config/workflow-thread.cjs; a `--require` in NODE_OPTIONS is the one
 * way into the SDK's thread, which inherits the process's options).
 */
export function workerProcessEnvironment(environment: Environment, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const heapMib = environment.WORKER_HEAP_MIB ?? 256 + Math.ceil(environment.WORKER_MAX_CACHED_WORKFLOWS / 4);
  let nodeOptions = env.NODE_OPTIONS ?? '';
  if (!/--max-old-space-size/.test(nodeOptions)) nodeOptions = `${nodeOptions} --max-old-space-size=${heapMib}`;
  if (!nodeOptions.includes('workflow-thread.cjs')) nodeOptions = `${nodeOptions} --require ${JSON.stringify(WORKFLOW_THREAD_PRELOAD)}`;
  return {
    NODE_OPTIONS: nodeOptions.trim(),
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2',
    WORKER_STACK_TRACES: environment.WORKER_STACK_TRACES,
    WORKER_DEADLOCK_DETECTION: environment.WORKER_DEADLOCK_DETECTION,
    WORKER_GLOBALS_SWAP: environment.WORKER_GLOBALS_SWAP,
  };
}

/** Early load shedding of intake from the environment; undefined (off) when the wait bound is 0. */
export function intakeAdmission(environment: Environment): AdmissionOptions | undefined {
  if (environment.INTAKE_MAX_EXPECTED_WAIT_MS === 0) return undefined;
  return {
    maxExpectedWaitMs: environment.INTAKE_MAX_EXPECTED_WAIT_MS,
    minInFlight: environment.INTAKE_MIN_IN_FLIGHT,
    maxInFlight: environment.INTAKE_MAX_IN_FLIGHT,
  };
}

/** The acknowledgement-link secret: the configured one, or one generated once and kept in data/. */
export function ackLinkSecret(environment: Environment, path = 'data/ack-link.secret'): string {
  if (environment.ACK_LINK_SECRET) return environment.ACK_LINK_SECRET;
  const file = resolve(path);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dirname(file), { recursive: true });
    const secret = randomBytes(32).toString('hex');
    try {
      writeFileSync(file, secret, { flag: 'wx', mode: 0o600 });
      return secret;
    } catch {
      return readFileSync(file, 'utf8').trim(); // another process wrote it first
    }
  }
}

/** Reads and validates the roster file (people, rules, rotations). */
export function readRoster(path: string): Roster {
  return readJsonConfig('ROSTER_FILE', path, parseRoster);
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

/**
 * Reads a JSON configuration file and validates it with `parse`; any failure (missing file, bad
 * JSON, a bad field) stops start-up with the variable and path named.
 */
export function readJsonConfig<T>(variable: string, path: string, parse: (raw: unknown) => T): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(resolve(path), 'utf8'));
  } catch (err) {
    throw new Error(`${variable} ${path}: ${(err as Error).message}`);
  }
  try {
    return parse(raw);
  } catch (err) {
    throw new Error(`${variable} ${path}: ${(err as Error).message}`);
  }
}

/** Reads and validates the policy file; the plan's defaults without one. */
export function readPolicy(path: string | undefined): Policy {
  return path ? readJsonConfig('POLICY_FILE', path, parsePolicy) : DEFAULT_POLICY;
}

export interface TemporalTarget {
  address: string;
  namespace: string;
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
}

/**
 * Where Temporal is: `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, TLS and
 * profiles through `@temporalio/envconfig`; the local dev server when nothing is set.
 */
export function readTemporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const config = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
  const address = config.connectionOptions.address ?? '127.0.0.1:7233';
  return {
    address,
    namespace: config.namespace ?? 'default',
    connectionOptions: { ...config.connectionOptions, address },
  };
}
