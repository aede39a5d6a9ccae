/**
 * Drill scenarios (R-REV-4): one JSON file per scenario in `config/drills/` (or `DRILLS_DIR`),
 * read and validated once at start-up by the API and passed down. A bad file stops start-up
 * naming the file and each bad field. Each scenario lists the reports its drill raises — the
 * same reports `POST /incidents` accepts, so a drill incident is triaged and handled exactly as a
 * real one would be; `count` repeats a report (`{n}` in its title or customer reference is
 * replaced by 1, 2, …), e.g. seven customers complaining about one hospital.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { factsSchema } from '../api/schemas';
import { SOURCES, type IncidentReport } from '../domain/types';
import { readJsonConfig } from './env';

export const DEFAULT_DRILLS_DIR = join(__dirname, 'drills');

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);

export const drillScenarioSchema = z
  .object({
    /** Stable id, used by `POST /drills {scenario}`: lower-case letters, digits and dashes. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes'),
    title: z.object({ zh: text(200), en: text(200) }).strict(),
    /** What the participants are told the situation is. */
    description: text(2000),
    reports: z
      .array(
        z
          .object({
            title: text(200),
            description: text(5000),
            source: z.enum(SOURCES).default('support'),
            facts: factsSchema.default({}),
            count: z.number().int().min(1).max(50).default(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type DrillScenario = z.infer<typeof drillScenarioSchema>;

/** The reports a scenario's drill raises, in order, each marked `drill` (R-REV-4). */
export function scenarioReports(scenario: DrillScenario, reporter: string): IncidentReport[] {
  return scenario.reports.flatMap((entry) =>
    Array.from({ length: entry.count }, (_, index) => {
      const n = String(index + 1);
      const facts = { ...entry.facts, ...(entry.facts.customerRef ? { customerRef: entry.facts.customerRef.replaceAll('{n}', n) } : {}) };
      return { title: entry.title.replaceAll('{n}', n), description: entry.description, source: entry.source, facts, reporter, drill: true };
    }),
  );
}

/** Parses one scenario document, naming each bad field. */
export function parseDrillScenario(raw: unknown): DrillScenario {
  const result = drillScenarioSchema.safeParse(raw);
  if (!result.success) {
    throw new Error(`invalid drill scenario: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

/** Every `*.json` scenario in `dir`, sorted by id; duplicate ids stop start-up. */
export function readDrillScenarios(dir: string = DEFAULT_DRILLS_DIR): DrillScenario[] {
  const files = readdirSync(resolve(dir)).filter((name) => name.endsWith('.json')).sort();
  const scenarios = files.map((name) => readJsonConfig('DRILLS_DIR', join(dir, name), parseDrillScenario));
  const seen = new Set<string>();
  for (const scenario of scenarios) {
    if (seen.has(scenario.id)) throw new Error(`DRILLS_DIR ${dir}: two scenarios have the id ${scenario.id}`);
    seen.add(scenario.id);
  }
  return scenarios.sort((a, b) => a.id.localeCompare(b.id));
}
