/**
 * The monthly review (R-REV-1, R-REV-2): a month's incidents as the figures a manager improves
 * the process from — counts by category and tier, time to acknowledge, contact, solution and
 * resolve (median and p90), deadlines met and missed by kind, escalations, the most frequent
 * causes with any dominant one flagged, and the reward candidates of latent-risk reports
 * (R-DET-5). Drill incidents (R-REV-4) are counted in a section of their own and never in the
 * real figures.
 *
 * What counts when: an incident belongs to the month, in the review's time zone
 * (Asia/Shanghai by default, R-T-CAL), in which it was reported (`reportedAt`). Its figures are
 * read from its timeline and deadlines as they stand in the record given, so an incident still
 * open counts in the totals but has no time to resolve yet, and a pending deadline is neither
 * met nor missed. Every figure is recomputable from the incidents' timelines.
 *
 * Pure: no clock, no I/O, no Temporal or Express; the caller passes the incidents.
 */
import { causeOfFields } from './detection';
import { incidentMilestones, type IncidentMilestones } from './incident-timing';
import type { Deadline } from './deadlines';
import { CATEGORIES, SEVERITIES, type Category, type IncidentReport, type ReportCause, type Severity } from './types';

/** The incident fields the review reads; the workflow's `IncidentState` fits it. */
export interface ReviewIncident {
  id: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  report: IncidentReport;
  reportedAt: string;
  category?: Category;
  severity?: Severity;
  deadlines: Deadline[];
  escalationLevel: number;
  timeline: { seq: number; at: string; type: string; actor: string; text: string; data?: Record<string, unknown> }[];
}

export interface MonthlyReviewOptions {
  /** The month reviewed, `YYYY-MM`. */
  month: string;
  /** The zone the month's boundaries are drawn in (R-T-CAL). */
  timeZone?: string;
  /** R-REV-2: a cause whose share of its category is above this is flagged (0.2: more than 20%). */
  dominantShare?: number;
  /** How many causes each category lists, most frequent first (dominant ones are always listed). */
  topCauses?: number;
}

/** Median and p90 of one duration, in minutes, over the incidents that reached the stage. */
export interface Distribution {
  /** Incidents that reached the stage (the others are still open on it). */
  count: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
  /** Every value, ascending, for charts and checks. */
  minutes: number[];
}

export interface DeadlineTally {
  met: number;
  missed: number;
  pending: number;
}

export interface ReviewFigures {
  total: number;
  byCategory: Record<Category, number>;
  bySeverity: Record<Severity, number>;
  byCategoryAndSeverity: Record<Category, Record<Severity, number>>;
  byStatus: Record<ReviewIncident['status'], number>;
  timeTo: { acknowledge: Distribution; contact: Distribution; solution: Distribution; resolve: Distribution };
  /** Deadlines by kind (`contact`, `solution`, `progress`, `complaint-reply`, …): met, missed (breached), pending. */
  deadlines: { byKind: Record<string, DeadlineTally>; total: DeadlineTally };
  /** R-T-BREACH: escalations recorded on the timelines, by level reached (`manual`: a person asked to escalate). */
  escalations: { count: number; incidents: number; byLevel: Record<string, number> };
}

export interface CauseFigure {
  key: string;
  label: string;
  count: number;
  /** Share of all the category's incidents in the month (not only those with a known cause). */
  share: number;
  /** R-REV-2: above the configured share. */
  dominant: boolean;
  incidents: string[];
}

export interface CategoryCauses {
  category: Category;
  incidents: number;
  /** Incidents whose report carries no cause (no cause fields, no detected cause). */
  withoutCause: number;
  causes: CauseFigure[];
}

/** R-DET-5: a latent-risk reporter recorded on an incident, and whether it is a reward candidate. */
export interface RewardCandidate {
  incidentId: string;
  reporter: string;
  department: string;
  eventRef: string;
  category: Category | null;
  severity: Severity | null;
  status: ReviewIncident['status'];
  deadlinesMissed: number;
  /** A major incident, resolved: a manager judges whether it was handled well because of the report. */
  candidate: boolean;
  reason: string;
}

export interface MonthlyReview {
  month: string;
  timeZone: string;
  /** The month as instants: from (inclusive) to (exclusive), UTC ISO. */
  period: { from: string; to: string };
  /** What counts when, stated with the figures. */
  basis: string;
  dominantShare: number;
  /** Real incidents only (R-REV-4: drills never count here). */
  figures: ReviewFigures;
  /** R-REV-2, real incidents only. */
  causes: CategoryCauses[];
  /** R-DET-5, real incidents only. */
  rewardCandidates: RewardCandidate[];
  /** R-REV-4: drill incidents of the month, counted apart. */
  drills: { figures: ReviewFigures; incidents: string[] };
  /** The incidents the figures cover, with the times they were measured from. */
  incidents: ReviewedIncident[];
}

export interface ReviewedIncident extends IncidentMilestones {
  id: string;
  drill: boolean;
  title: string;
  reportedAt: string;
  category: Category | null;
  severity: Severity | null;
  status: ReviewIncident['status'];
  escalationLevel: number;
  deadlinesMet: number;
  deadlinesMissed: number;
  cause: ReportCause | null;
}

export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

const BASIS =
  'An incident belongs to the month (in the review time zone) in which it was reported. Figures are read from its timeline ' +
  'and deadlines as recorded: an open incident counts in the totals but has no time to resolve yet; a pending deadline is ' +
  'neither met nor missed. Times are minutes from the report to the first acknowledgement, customer contact, initial ' +
  'solution and resolution; median is the middle value (the mean of the two middle ones for an even count), p90 the ' +
  'nearest-rank 90th percentile. Drill incidents (R-REV-4) are counted only in the drills section. ' +
  '事件按报告时间（复盘时区）归入月份；演练事件单独统计，不计入正式数据。';

/**
 * The review of `options.month`: incidents reported in other months are ignored, so the caller
 * may pass a wider set (e.g. an archive query padded by a day).
 *
 * @throws RangeError for a month that is not `YYYY-MM` or an unknown time zone.
 */
export function computeMonthlyReview(incidents: readonly ReviewIncident[], options: MonthlyReviewOptions): MonthlyReview {
  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  const dominantShare = options.dominantShare ?? 0.2;
  const topCauses = options.topCauses ?? 10;
  const period = monthPeriod(options.month, timeZone);
  const localMonth = monthOfInstant(timeZone);

  const inMonth = incidents
    .filter((incident) => localMonth(incident.reportedAt) === options.month)
    .sort((a, b) => a.reportedAt.localeCompare(b.reportedAt) || a.id.localeCompare(b.id));
  const real = inMonth.filter((incident) => !incident.report.drill);
  const drills = inMonth.filter((incident) => incident.report.drill);

  return {
    month: options.month,
    timeZone,
    period,
    basis: BASIS,
    dominantShare,
    figures: figuresOf(real),
    causes: causesOf(real, dominantShare, topCauses),
    rewardCandidates: real.flatMap(rewardCandidatesOf),
    drills: { figures: figuresOf(drills), incidents: drills.map((incident) => incident.id) },
    incidents: inMonth.map(reviewed),
  };
}

function reviewed(incident: ReviewIncident): ReviewedIncident {
  return {
    id: incident.id,
    drill: incident.report.drill,
    title: incident.report.title,
    reportedAt: incident.reportedAt,
    category: incident.category ?? null,
    severity: incident.severity ?? null,
    status: incident.status,
    escalationLevel: incident.escalationLevel,
    deadlinesMet: incident.deadlines.filter((d) => d.state === 'met').length,
    deadlinesMissed: incident.deadlines.filter((d) => d.state === 'breached').length,
    cause: causeOfIncident(incident) ?? null,
    ...incidentMilestones(incident.reportedAt, incident.timeline),
  };
}

// ---- figures --------------------------------------------------------------------------------

function zeroBy<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

function figuresOf(incidents: readonly ReviewIncident[]): ReviewFigures {
  const byCategory = zeroBy(CATEGORIES);
  const bySeverity = zeroBy(SEVERITIES);
  const byCategoryAndSeverity = Object.fromEntries(CATEGORIES.map((c) => [c, zeroBy(SEVERITIES)])) as Record<Category, Record<Severity, number>>;
  const byStatus = zeroBy(['triggered', 'acknowledged', 'resolved'] as const);
  const durations = { acknowledge: [] as number[], contact: [] as number[], solution: [] as number[], resolve: [] as number[] };
  const byKind: Record<string, DeadlineTally> = {};
  const total: DeadlineTally = { met: 0, missed: 0, pending: 0 };
  const escalations = { count: 0, incidents: 0, byLevel: {} as Record<string, number> };

  for (const incident of incidents) {
    // An incident still in triage has no class yet: it counts in the total and its status only.
    if (incident.category) byCategory[incident.category] += 1;
    if (incident.severity) bySeverity[incident.severity] += 1;
    if (incident.category && incident.severity) byCategoryAndSeverity[incident.category][incident.severity] += 1;
    byStatus[incident.status] += 1;

    const times = incidentMilestones(incident.reportedAt, incident.timeline);
    if (times.minutesToAcknowledge !== null) durations.acknowledge.push(times.minutesToAcknowledge);
    if (times.minutesToContact !== null) durations.contact.push(times.minutesToContact);
    if (times.minutesToSolution !== null) durations.solution.push(times.minutesToSolution);
    if (times.minutesToResolve !== null) durations.resolve.push(times.minutesToResolve);

    for (const deadline of incident.deadlines) {
      const tally = (byKind[deadline.kind] ??= { met: 0, missed: 0, pending: 0 });
      const field = deadline.state === 'met' ? 'met' : deadline.state === 'breached' ? 'missed' : 'pending';
      tally[field] += 1;
      total[field] += 1;
    }

    const escalated = incident.timeline.filter((entry) => entry.type === 'escalated');
    if (escalated.length > 0) escalations.incidents += 1;
    for (const entry of escalated) {
      escalations.count += 1;
      const level = typeof entry.data?.level === 'number' ? String(entry.data.level) : 'manual';
      escalations.byLevel[level] = (escalations.byLevel[level] ?? 0) + 1;
    }
  }

  return {
    total: incidents.length,
    byCategory,
    bySeverity,
    byCategoryAndSeverity,
    byStatus,
    timeTo: {
      acknowledge: distribution(durations.acknowledge),
      contact: distribution(durations.contact),
      solution: distribution(durations.solution),
      resolve: distribution(durations.resolve),
    },
    deadlines: { byKind, total },
    escalations,
  };
}

/** Median (mean of the two middle values for an even count) and nearest-rank p90. */
export function distribution(values: readonly number[]): Distribution {
  const minutes = [...values].sort((a, b) => a - b);
  const n = minutes.length;
  if (n === 0) return { count: 0, medianMinutes: null, p90Minutes: null, minutes };
  const middle = Math.floor(n / 2);
  const median = n % 2 === 1 ? minutes[middle]! : (minutes[middle - 1]! + minutes[middle]!) / 2;
  const p90 = minutes[Math.ceil(0.9 * n) - 1]!;
  return { count: n, medianMinutes: Math.round(median * 100) / 100, p90Minutes: p90, minutes };
}

// ---- causes (R-REV-2) -----------------------------------------------------------------------

/**
 * The cause of an incident, for counting: the cause detection recorded on the report (a
 * complaint's cause fields or text cause, a system incident's component, a group complaint's
 * cause), else the cause fields a person gave on a manual report — the same key detection
 * derives from the same fields — else none.
 */
export function causeOfIncident(incident: Pick<ReviewIncident, 'report'>): ReportCause | undefined {
  const facts = incident.report.facts;
  if (facts.cause) return { key: facts.cause.key, label: facts.cause.label };
  const fromFields = facts.causeFields ? causeOfFields(facts.causeFields) : undefined;
  return fromFields ? { key: fromFields.key, label: fromFields.label } : undefined;
}

function causesOf(incidents: readonly ReviewIncident[], dominantShare: number, topCauses: number): CategoryCauses[] {
  return CATEGORIES.flatMap((category): CategoryCauses[] => {
    const ofCategory = incidents.filter((incident) => incident.category === category);
    if (ofCategory.length === 0) return [];
    const byKey = new Map<string, CauseFigure>();
    let withoutCause = 0;
    for (const incident of ofCategory) {
      const cause = causeOfIncident(incident);
      if (!cause) {
        withoutCause += 1;
        continue;
      }
      const figure = byKey.get(cause.key) ?? { key: cause.key, label: cause.label, count: 0, share: 0, dominant: false, incidents: [] };
      figure.count += 1;
      figure.incidents.push(incident.id);
      byKey.set(cause.key, figure);
    }
    const causes = [...byKey.values()]
      .map((figure) => {
        const share = figure.count / ofCategory.length;
        return { ...figure, share: Math.round(share * 10_000) / 10_000, dominant: share > dominantShare };
      })
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
      .filter((figure, index) => index < topCauses || figure.dominant);
    return [{ category, incidents: ofCategory.length, withoutCause, causes }];
  });
}

// ---- reward candidates (R-DET-5) ------------------------------------------------------------

/**
 * The note signal intake records on an incident opened from a latent-risk report
 * (`workflows/signal-intake.ts`): "R-DET-5 latent-risk reporter: <who> (<department>), report <ref>."
 */
const LATENT_RISK_NOTE = /^R-DET-5 latent-risk reporter: (.+?) \((.*?)\), report (\S+?)\./;

function rewardCandidatesOf(incident: ReviewIncident): RewardCandidate[] {
  const missed = incident.deadlines.filter((d) => d.state === 'breached').length;
  return incident.timeline
    .filter((entry) => entry.type === 'note')
    .flatMap((entry) => {
      const match = LATENT_RISK_NOTE.exec(entry.text);
      if (!match) return [];
      const candidate = incident.severity === 'major' && incident.status === 'resolved';
      return [
        {
          incidentId: incident.id,
          reporter: match[1]!,
          department: match[2]!,
          eventRef: match[3]!,
          category: incident.category ?? null,
          severity: incident.severity ?? null,
          status: incident.status,
          deadlinesMissed: missed,
          candidate,
          reason: candidate
            ? `major incident resolved with ${missed} deadline(s) missed: a manager decides whether it was handled well because of the report (1000–5000 CNY)`
            : `not a candidate: ${incident.severity !== 'major' ? `severity ${incident.severity ?? 'unknown'}, not major` : 'not resolved yet'}`,
        },
      ];
    });
}

// ---- months in a time zone ------------------------------------------------------------------

/** `YYYY-MM` of an instant in `timeZone`. */
function monthOfInstant(timeZone: string): (iso: string) => string {
  const formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' });
  return (iso) => {
    const parts = formatter.formatToParts(new Date(iso));
    const year = parts.find((p) => p.type === 'year')?.value ?? '';
    const month = parts.find((p) => p.type === 'month')?.value ?? '';
    return `${year}-${month}`;
  };
}

/** Wall-clock time minus UTC at `epochMs` in `timeZone`, in ms. */
function zoneOffset(timeZone: string, epochMs: number): number {
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const field: Record<string, number> = {};
  for (const part of formatter.formatToParts(epochMs)) field[part.type] = Number(part.value);
  const wall = Date.UTC(field.year!, field.month! - 1, field.day!, field.hour!, field.minute!, field.second!);
  return wall - Math.floor(epochMs / 1000) * 1000;
}

/** The instant local midnight begins the first day of a month in `timeZone`. */
function monthStart(year: number, month: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, 1);
  let instant = wall - zoneOffset(timeZone, wall);
  // Once more at the candidate, for a zone whose offset differs a day earlier.
  instant = wall - zoneOffset(timeZone, instant);
  return instant;
}

/**
 * The month `YYYY-MM` in `timeZone` as UTC instants, from inclusive to exclusive.
 *
 * @throws RangeError for a malformed month or an unknown time zone.
 */
export function monthPeriod(month: string, timeZone = 'Asia/Shanghai'): { from: string; to: string } {
  const match = MONTH_PATTERN.exec(month);
  if (!match) throw new RangeError(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
  const year = Number(match[1]);
  const number = Number(match[2]);
  const next = number === 12 ? { year: year + 1, month: 1 } : { year, month: number + 1 };
  return {
    from: new Date(monthStart(year, number, timeZone)).toISOString(),
    to: new Date(monthStart(next.year, next.month, timeZone)).toISOString(),
  };
}
