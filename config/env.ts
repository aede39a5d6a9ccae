import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../domain/policy';

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
});

export type Environment = z.infer<typeof environmentSchema>;

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Reads and validates the policy file; the plan's defaults without one. */
export function readPolicy(path: string | undefined): Policy {
  if (!path) return DEFAULT_POLICY;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(resolve(path), 'utf8'));
  } catch (err) {
    throw new Error(`POLICY_FILE ${path}: ${(err as Error).message}`);
  }
  try {
    return parsePolicy(raw);
  } catch (err) {
    throw new Error(`POLICY_FILE ${path}: ${(err as Error).message}`);
  }
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
