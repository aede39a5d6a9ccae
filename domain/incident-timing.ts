/**
 * When an incident reached each stage of the plan, read from its timeline: the first
 * acknowledgement, customer contact (R-T-CONTACT), initial solution (R-T-SOLUTION) and
 * resolution, and the minutes from the report to each. One definition for every reader — the
 * incident history (`api/history.ts`) and the monthly review (R-REV-1) — so an audit page and a
 * month's figures can never disagree about the same incident.
 *
 * Structural types only, so the domain stays free of Temporal: any state with a report time and
 * a timeline of typed, timed entries (the workflow's `IncidentState` included) fits.
 */

/** The timeline fields the timing reads. */
export interface TimedEntry {
  seq: number;
  at: string;
  type: string;
}

export interface IncidentMilestones {
  acknowledgedAt: string | null;
  contactedAt: string | null;
  solutionAt: string | null;
  resolvedAt: string | null;
  /** Minutes from the report to each first occurrence on the timeline; null until it happens. */
  minutesToAcknowledge: number | null;
  minutesToContact: number | null;
  minutesToSolution: number | null;
  minutesToResolve: number | null;
}

const MINUTE = 60_000;

/** Minutes from `from` to `to`, rounded to hundredths; null when `to` has not happened. */
export function minutesBetween(from: string, to: string | null): number | null {
  if (to === null) return null;
  return Math.round(((Date.parse(to) - Date.parse(from)) / MINUTE) * 100) / 100;
}

/** The first entry of each stage, in timeline order (`seq`), and the minutes from the report to it. */
export function incidentMilestones(reportedAt: string, timeline: readonly TimedEntry[]): IncidentMilestones {
  const ordered = [...timeline].sort((a, b) => a.seq - b.seq);
  const firstAt = (type: string) => ordered.find((entry) => entry.type === type)?.at ?? null;
  const acknowledgedAt = firstAt('acknowledged');
  const contactedAt = firstAt('contacted');
  const solutionAt = firstAt('solution');
  const resolvedAt = firstAt('resolved');
  return {
    acknowledgedAt,
    contactedAt,
    solutionAt,
    resolvedAt,
    minutesToAcknowledge: minutesBetween(reportedAt, acknowledgedAt),
    minutesToContact: minutesBetween(reportedAt, contactedAt),
    minutesToSolution: minutesBetween(reportedAt, solutionAt),
    minutesToResolve: minutesBetween(reportedAt, resolvedAt),
  };
}
