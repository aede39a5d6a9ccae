import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { defaultDetectionConfig, parseDetectionConfig, type DetectionConfig } from '../domain/detection-config';

/**
 * The detection config file (`DETECTION_FILE`), read and validated once at start-up by the entry
 * points (worker, API) and passed down; the schema and its defaults live in
 * `domain/detection-config.ts`. A bad file stops the process naming each bad field.
 */

/** Reads and validates `DETECTION_FILE`; the shipped defaults without one. */
export function readDetectionConfig(path: string | undefined): DetectionConfig {
  if (!path) return defaultDetectionConfig();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(resolve(path), 'utf8'));
  } catch (err) {
    throw new Error(`DETECTION_FILE ${path}: ${(err as Error).message}`);
  }
  try {
    return parseDetectionConfig(raw);
  } catch (err) {
    throw new Error(`DETECTION_FILE ${path}: ${(err as Error).message}`);
  }
}

/** The environment variable this module owns (merge into `config/env.ts`'s schema when convenient). */
export const detectionEnvironmentSchema = z.object({ DETECTION_FILE: z.string().min(1).optional() });

/** Reads `DETECTION_FILE` from the environment (entry points only) and the config it names. */
export function readDetectionEnvironment(env: NodeJS.ProcessEnv = process.env): DetectionConfig {
  const parsed = detectionEnvironmentSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid environment: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return readDetectionConfig(parsed.data.DETECTION_FILE);
}
