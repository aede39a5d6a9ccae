/**
 * Detection: turns one monitoring event (a ticket, a chat, a hotline transcript, an e-mail, a
 * system alert, a claim-status record, an internal report; R-DET-1, R-DET-4) into a decision:
 * no incident (and why), or an incident report plus how it correlates with others — the one
 * system incident of a component (R-SYS-4), the group-complaint cluster of a cause (R-CAT-COMP),
 * or the open incident of the same claim or customer (duplicates).
 *
 * Pure and deterministic: no I/O, no clock (the caller passes the instant to measure at), no
 * Temporal or Express. Text is judged by the triage lexicons themselves (`domain/triage.ts`), so
 * negation ("没有拖延", "no delay") and thanks for a fix ("感谢…解决") are handled in one place;
 * a deployment's own words are read as known lexicon terms ({@link DetectionConfig} aliases).
 *
 * Every decision carries its reasons, each naming a rule id (R-…) and its evidence (R-CAT-X):
 * lexicon terms, measured working days and thresholds, never text copied from the event.
 */
import type { WorkingCalendar } from './calendar';
import { CAUSE_FIELDS, type DetectionConfig, type CauseField } from './detection-config';
import type { Policy } from './policy';
import { triage } from './triage';
import type { Category, IncidentReport, ReportCause, ReportFacts, Severity, TriageReason, TriageResult } from './types';

/** The sources `POST /signals` accepts (R-DET-1, R-DET-4); `support` is `POST /incidents`' own (R-DET-3). */
export const DETECTION_SOURCES = ['ticket', 'chat', 'hotline', 'email', 'system-alert', 'claim-status', 'internal-report'] as const;
export type DetectionSource = (typeof DETECTION_SOURCES)[number];

/** Sources that carry customers' or staff's own words, judged by the trigger lexicons (R-DET-2). */
export const TEXT_SOURCES: readonly DetectionSource[] = ['ticket', 'chat', 'hotline', 'email'];

export type CauseFields = Partial<Record<CauseField, string>>;

/** A claims-system alert (R-DET-1, R-CAT-SYS). */
export interface AlertDetails {
  /** The component the alert is about; its one open system incident collects every alert (R-SYS-4). */
  component: string;
  status: 'firing' | 'resolved';
  severity: 'critical' | 'warning' | 'info';
  /** Claims and customers the failure touches; linked to the system incident (R-SYS-4, R-SYS-3). */
  affectedClaims?: string[];
  affectedCustomers?: string[];
}

/** A claim-status record from the claims system (R-CAT-TIME, R-DET-2 "a claim untouched for too long"). */
export interface ClaimStatusDetails {
  /** `in-review`: no decision yet; `decided`: decided, payout not yet received; `paid` / `closed`: done. */
  stage: 'in-review' | 'decided' | 'paid' | 'closed';
  /** When the claim was decided (the payout clock starts here). */
  decidedAt?: string;
  /** The last time anyone worked on the claim. */
  lastActivityAt?: string;
  /** The payout batch the claim waits in, and when that batch was due to run. */
  batch?: { id: string; scheduledAt: string };
}

/** An internal report form (R-DET-4); latent-risk reporters are recorded (R-DET-5). */
export interface InternalReportDetails {
  kind: 'fault' | 'process-block' | 'latent-risk';
  department: string;
}

/** One event as `POST /signals` accepts it, validated at the edge. */
export interface SignalEvent {
  source: DetectionSource;
  /** The source's own id; with `source` it makes the event idempotent. */
  sourceEventId: string;
  /** When the event happened at the source; the receipt time when absent. */
  occurredAt?: string;
  title?: string;
  text?: string;
  claimId?: string;
  /** Opaque customer reference (R-SEC-1: never a name, phone or ID number). */
  customerRef?: string;
  cause?: CauseFields;
  alert?: AlertDetails;
  claimStatus?: ClaimStatusDetails;
  internal?: InternalReportDetails;
  /** The staff member or integration that sent it (R-SEC-2); required for internal reports. */
  reporter?: string;
  drill?: boolean;
}

/** What "the same cause" is for one event (R-CAT-COMP). `key` is hashed before it names anything. */
export interface Cause {
  key: string;
  label: string;
  from: 'fields' | 'text';
}

/** Whose incident a duplicate attaches to: the claim, else the customer; a payout batch for batch delays. */
export interface Subject {
  kind: 'claim' | 'customer' | 'batch';
  ref: string;
}

export type Correlation =
  /** R-SYS-4: every alert about one component goes to its one open system incident. */
  | { kind: 'system'; component: string; claims: string[]; customers: string[] }
  /** R-CAT-COMP: complaints about one cause are counted together; more than the threshold is a group. */
  | { kind: 'cluster'; cause: Cause; subject?: Subject }
  /** Everything else: the same subject, category and cause within the window is one incident. */
  | { kind: 'duplicate'; subject?: Subject; cause?: Cause };

/** A payout close to its contractual limit (R-T-BREACH: "close to due", 临近超期). */
export interface PayoutWarning {
  claimId: string;
  elapsedWorkingDays: number;
  limitWorkingDays: number;
  /** The instant the payout becomes late: `decidedAt` plus the limit in working days (R-T-CAL). */
  dueAt: string;
}

export type Detection =
  | { kind: 'none'; reason: string; reasons: TriageReason[]; warning?: PayoutWarning }
  | {
      kind: 'incident';
      report: IncidentReport;
      /** The triage of `report`: the incident workflow's own triage of the same report agrees. */
      triage: TriageResult;
      correlation: Correlation;
      reasons: TriageReason[];
      /** R-DET-5: who reported a latent risk, to be recorded on the incident for the review. */
      latentRiskReporter?: string;
    };

export interface DetectionContext {
  config: DetectionConfig;
  policy: Policy;
  calendar: WorkingCalendar;
  /** When the engine received the event; measurements use `occurredAt` when the event has one. */
  receivedAt: Date;
}

/** Decides what one event means (R-DET-*, R-CAT-*); see the module comment. */
export function detect(event: SignalEvent, context: DetectionContext): Detection {
  const detection = detectBySource(event, context);
  if (detection.kind === 'incident') {
    // R-REV-2: the cause the event correlated by goes on the report, for the monthly review.
    const cause = causeOfCorrelation(detection.correlation);
    if (cause !== undefined) detection.report.facts.cause = cause;
  }
  return detection;
}

function detectBySource(event: SignalEvent, context: DetectionContext): Detection {
  switch (event.source) {
    case 'system-alert':
      return detectAlert(event, context);
    case 'claim-status':
      return detectClaimStatus(event, context);
    case 'internal-report':
      return detectInternalReport(event, context);
    default:
      return detectText(event, context);
  }
}

/** The cause a correlation names: the cause of a cluster or duplicate, the component of a system incident. */
function causeOfCorrelation(correlation: Correlation): ReportCause | undefined {
  if (correlation.kind === 'system') return { key: `system:${correlation.component}`, label: `system ${correlation.component}` };
  return correlation.cause === undefined ? undefined : { key: correlation.cause.key, label: correlation.cause.label };
}

// ---------------------------------------------------------------------------------------------
// Text: tickets, chats, hotline transcripts, e-mails (R-DET-1, R-DET-2)

const CATEGORY_RULE = /^R-CAT-(TIME|INFO|COMP|SYS)$/;

/**
 * The category triage settled on, or undefined when no category reached its minimum score and
 * triage fell back to a routine matter. Triage states which in its R-CAT-X reason
 * ("category complaint (scores: …)" or "no category reaches score …").
 */
export function settledCategory(result: TriageResult): Category | undefined {
  for (const reason of result.reasons) {
    if (reason.rule !== 'R-CAT-X') continue;
    if (reason.evidence.startsWith('no category reaches')) return undefined;
    if (reason.evidence.startsWith(`category ${result.category} `)) return result.category;
  }
  return undefined;
}

interface AliasReading {
  /** The text with each alias replaced by the lexicon term it means. */
  text: string;
  used: Array<{ term: string; means: string }>;
}

/** How a lexicon term reads as plain text: `~` gaps closed, `*` endings dropped. */
function plainTerm(term: string): string {
  return /[\u3400-\u9fff]/.test(term) ? term.replace(/~/g, '') : term.replace(/\s*~\s*/g, ' ').replace(/\*/g, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A term as a pattern: Chinese as a substring, English as whole words, both case-insensitive. */
function termPattern(term: string): RegExp {
  const normalised = term.normalize('NFKC').toLowerCase();
  return /[\u3400-\u9fff]/.test(normalised)
    ? new RegExp(escapeRegExp(normalised), 'g')
    : new RegExp(`(?<![a-z0-9])${escapeRegExp(normalised).replace(/\s+/g, '\\s+')}(?![a-z0-9])`, 'g');
}

/** Reads a deployment's own words as known lexicon terms (config `lexicon.aliases`). */
function readAliases(text: string, config: DetectionConfig): AliasReading {
  let out = text.normalize('NFKC').toLowerCase();
  const used: AliasReading['used'] = [];
  const aliases = [...config.lexicon.aliases].sort((a, b) => b.term.length - a.term.length);
  for (const alias of aliases) {
    const pattern = termPattern(alias.term);
    if (!pattern.test(out)) continue;
    out = out.replace(termPattern(alias.term), plainTerm(alias.means).toLowerCase());
    used.push({ term: alias.term, means: alias.means });
  }
  return { text: out, used };
}

/** Lexicon terms triage counted, from its reasons (`keyword "拖延"`). */
function assertedTerms(result: TriageResult): Set<string> {
  const terms = new Set<string>();
  for (const reason of result.reasons) {
    if (!CATEGORY_RULE.test(reason.rule) && reason.rule !== 'R-SEV-MAJOR') continue;
    const match = /^keyword "([^"]+)"/.exec(reason.evidence);
    if (match?.[1] !== undefined) terms.add(match[1]);
  }
  return terms;
}

function titleOf(event: SignalEvent): string {
  if (event.title !== undefined && event.title.trim() !== '') return event.title.trim();
  return `${event.source} ${event.sourceEventId}`;
}

function descriptionOf(event: SignalEvent): string {
  if (event.text !== undefined && event.text.trim() !== '') return event.text.trim();
  return titleOf(event);
}

/** The structured facts every report from an event carries (opaque references only, R-SEC-1). */
function baseFacts(event: SignalEvent): ReportFacts {
  const facts: ReportFacts = {};
  if (event.claimId !== undefined) facts.claimId = event.claimId;
  if (event.customerRef !== undefined) facts.customerRef = event.customerRef;
  return facts;
}

function reportOf(event: SignalEvent, title: string, description: string, facts: ReportFacts): IncidentReport {
  return {
    title,
    description,
    source: event.source,
    facts,
    reporter: event.reporter ?? `detection:${event.source}`,
    drill: event.drill ?? false,
  };
}

/**
 * Triage of an event's words with the deployment's aliases read as lexicon terms. When an alias
 * counted, the report gets a closing line naming the term it was read as, so the incident's own
 * triage of the report (which knows no aliases) reaches the same decision.
 */
function judgeText(
  event: SignalEvent,
  facts: ReportFacts,
  context: DetectionContext,
  title = titleOf(event),
  description = descriptionOf(event),
): { report: IncidentReport; triage: TriageResult; aliasReasons: TriageReason[] } {
  const original = reportOf(event, title, description, facts);
  if (context.config.lexicon.aliases.length === 0) {
    return { report: original, triage: triage(original, context.policy.triage), aliasReasons: [] };
  }
  const readTitle = readAliases(title, context.config);
  const readDescription = readAliases(description, context.config);
  const read = { ...original, title: readTitle.text, description: readDescription.text };
  const result = triage(read, context.policy.triage);
  const asserted = assertedTerms(result);
  const counted = [...readTitle.used, ...readDescription.used].filter(
    (alias, index, all) => asserted.has(alias.means) && all.findIndex((a) => a.term === alias.term) === index,
  );
  if (counted.length === 0) return { report: original, triage: triage(original, context.policy.triage), aliasReasons: [] };
  const annotated = {
    ...original,
    description: `${description}\n[R-DET-2 lexicon] ${counted.map((alias) => `"${alias.term}" = ${plainTerm(alias.means)}`).join('; ')}`,
  };
  return {
    report: annotated,
    triage: triage(annotated, context.policy.triage),
    aliasReasons: counted.map((alias) => ({ rule: 'R-DET-2', evidence: `lexicon alias "${alias.term}" read as keyword "${alias.means}"` })),
  };
}

/** The rule reasons of a triage that show a trigger (R-DET-2) or a fact deciding it. */
function triggerReasons(result: TriageResult): TriageReason[] {
  return result.reasons.filter((reason) => CATEGORY_RULE.test(reason.rule) || reason.rule === 'R-SEV-MAJOR');
}

/**
 * Inquiries about what might happen are not reports of what did (R-DET-2): a clause that asks
 * (请问, 询问, 咨询, "asks", a closing question mark) about a hypothetical or future case (如果,
 * 是否, 多久, "will", "whether", "if") asserts nothing — "客户询问如果材料有误会不会影响理赔",
 * "Will the holiday delay my payout?". A question without such a marker ("怎么还没到账？",
 * "Why is my claim delayed again?") still counts: it reports a fact in the asking.
 */
const ZH_ASKING = /请问|询问|咨询|问一下|想问|想了解|了解一下/;
const ZH_HYPOTHETICAL = /如果|假如|万一|若是|是否|会不会|能不能|可不可以|多久|以后|将来|期间/;
const EN_ASKING = /(?<![a-z])(?:ask(?:s|ed|ing)?|wonder(?:s|ed|ing)?|want(?:s|ed)? to know|would like to know)(?![a-z])/;
const EN_HYPOTHETICAL = /(?<![a-z])(?:will|would|if|whether|in case|ever|during)(?![a-z])/;
const EN_QUESTION_START = /^\s*(?:will|would|can|could|do|does|is|are|should|may)(?![a-z])/;

/** Clauses of the text (split at clause punctuation), each with the mark that ended it. */
function clauses(text: string): Array<{ clause: string; end: string }> {
  const out: Array<{ clause: string; end: string }> = [];
  const pattern = /([^，,。；;！!？?\n]*)([，,。；;！!？?\n]|$)/g;
  for (const match of text.matchAll(pattern)) {
    const clause = match[1] ?? '';
    const end = match[2] ?? '';
    if (clause === '' && end === '') break;
    out.push({ clause, end });
  }
  return out;
}

function isInquiry(clause: string, end: string): boolean {
  const asked = end === '?' || end === '？';
  if (/[\u3400-\u9fff]/.test(clause)) return (asked || ZH_ASKING.test(clause)) && ZH_HYPOTHETICAL.test(clause);
  if (asked && EN_QUESTION_START.test(clause)) return true;
  return (asked || EN_ASKING.test(clause)) && EN_HYPOTHETICAL.test(clause);
}

/** The text without its inquiry clauses, and how many were left out. */
export function withoutInquiries(text: string): { text: string; dropped: number } {
  let dropped = 0;
  const kept = clauses(text.normalize('NFKC').toLowerCase()).map(({ clause, end }) => {
    if (clause.trim() !== '' && isInquiry(clause, end)) {
      dropped += 1;
      return end;
    }
    return clause + end;
  });
  return { text: kept.join(''), dropped };
}

function detectText(event: SignalEvent, context: DetectionContext): Detection {
  const { report, triage: result, aliasReasons } = judgeText(event, baseFacts(event), context);
  // Whether there is an incident is decided without inquiry clauses; what it is, by the report's
  // own triage (the one the incident workflow repeats).
  const title = withoutInquiries(titleOf(event));
  const description = withoutInquiries(descriptionOf(event));
  const dropped = title.dropped + description.dropped;
  const decisive = dropped === 0 ? result : judgeText(event, baseFacts(event), context, title.text, description.text).triage;
  const category = settledCategory(decisive) === undefined ? undefined : settledCategory(result);
  if (category === undefined) {
    const discounted = decisive.reasons.filter((reason) => reason.rule === 'R-CAT-X' && reason.evidence.includes('not counted'));
    const inquiries = dropped > 0 ? [{ rule: 'R-DET-2', evidence: `${dropped} inquiry clause(s) about a hypothetical or future case not counted` }] : [];
    return {
      kind: 'none',
      reason:
        discounted.length + inquiries.length > 0
          ? `no trigger word asserted (R-DET-2): ${[...inquiries, ...discounted].map((reason) => reason.evidence).join('; ')}`
          : 'no trigger word or incident evidence (R-DET-2): a routine matter',
      reasons: [{ rule: 'R-DET-2', evidence: 'no category reached its minimum score' }, ...inquiries, ...discounted],
    };
  }
  const reasons = [
    { rule: 'R-DET-1', evidence: `monitored source "${event.source}"` },
    ...aliasReasons,
    ...triggerReasons(result),
  ];
  return {
    kind: 'incident',
    report,
    triage: result,
    correlation: correlate(event, category, `${report.title}\n${report.description}`, context.config),
    reasons,
  };
}

// ---------------------------------------------------------------------------------------------
// System alerts (R-DET-1, R-CAT-SYS, R-SYS-4)

function detectAlert(event: SignalEvent, context: DetectionContext): Detection {
  const alert = event.alert;
  if (alert === undefined) return { kind: 'none', reason: 'a system alert without alert details', reasons: [] };
  if (alert.status === 'resolved') {
    return {
      kind: 'none',
      reason: `alert for "${alert.component}" resolved: no new incident (recovery is recorded on the system incident)`,
      reasons: [{ rule: 'R-CAT-SYS', evidence: 'alert status resolved' }],
    };
  }
  if (alert.severity === 'info') {
    return {
      kind: 'none',
      reason: `informational alert for "${alert.component}": not a failure`,
      reasons: [{ rule: 'R-CAT-SYS', evidence: 'alert severity info' }],
    };
  }
  const claims = unique(alert.affectedClaims ?? []);
  const customers = unique(alert.affectedCustomers ?? []);
  const facts: ReportFacts = { ...baseFacts(event), system: alert.component };
  if (claims.length > 0) facts.affectedClaims = claims.length;
  const title = event.title?.trim() || `${alert.component} alert (${alert.severity})`;
  const { report, triage: result, aliasReasons } = judgeText(event, facts, context, title, descriptionOf({ ...event, title }));
  return {
    kind: 'incident',
    report,
    triage: result,
    correlation: { kind: 'system', component: alert.component, claims, customers },
    reasons: [
      { rule: 'R-DET-1', evidence: `system alert firing (${alert.severity}) for component "${alert.component}"` },
      { rule: 'R-SYS-4', evidence: `correlated by component "${alert.component}"` },
      ...aliasReasons,
      ...triggerReasons(result),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Claim status: overdue payouts, batch delays, untouched claims (R-CAT-TIME, R-DET-2, R-T-CAL)

/** What a claim-status record measures, in working days (R-T-CAL). */
export interface PayoutMeasurement {
  /** Working days since the decision, the payout still not received. */
  sinceDecision?: number;
  /** Working days the claim's payout batch is behind its scheduled run. */
  batchDelay?: number;
  /** Working days without any activity on an open claim. */
  idle?: number;
}

/** Measures a claim-status record at `at` in working days (R-T-CAL: weekends and holidays are off, 调休 counts). */
export function measureClaim(status: ClaimStatusDetails, at: Date, calendar: WorkingCalendar): PayoutMeasurement {
  const since = (iso: string | undefined): number | undefined =>
    iso === undefined ? undefined : calendar.workingDaysBetween(new Date(iso), at);
  const open = status.stage === 'in-review' || status.stage === 'decided';
  const measurement: PayoutMeasurement = {};
  if (status.stage === 'decided') {
    const sinceDecision = since(status.decidedAt);
    if (sinceDecision !== undefined) measurement.sinceDecision = sinceDecision;
    const batchDelay = since(status.batch?.scheduledAt);
    if (batchDelay !== undefined) measurement.batchDelay = batchDelay;
  }
  if (open) {
    const idle = since(status.lastActivityAt);
    if (idle !== undefined) measurement.idle = idle;
  }
  return measurement;
}

/** When a pending payout will be close to due and late (R-T-BREACH, R-CAT-TIME), in working days (R-T-CAL). */
export interface PayoutSchedule {
  decidedAt: string;
  warnAt: string;
  dueAt: string;
}

/**
 * The instants a decided, unpaid claim's payout turns "close to due" and late: the decision
 * plus (limit − warning lead) and plus the limit, in working days. Undefined for a claim that is
 * not waiting for its payout.
 */
export function payoutSchedule(status: ClaimStatusDetails, context: Omit<DetectionContext, 'receivedAt'>): PayoutSchedule | undefined {
  if (status.stage !== 'decided' || status.decidedAt === undefined) return undefined;
  const decided = new Date(status.decidedAt);
  const limit = context.policy.triage.payoutLimitWorkingDays;
  const warnFrom = Math.max(0, limit - context.config.payout.warningWorkingDays);
  return {
    decidedAt: decided.toISOString(),
    warnAt: context.calendar.addWorkingDays(decided, warnFrom).toISOString(),
    dueAt: context.calendar.addWorkingDays(decided, limit).toISOString(),
  };
}

function detectClaimStatus(event: SignalEvent, context: DetectionContext): Detection {
  const status = event.claimStatus;
  const claimId = event.claimId;
  if (status === undefined || claimId === undefined) {
    return { kind: 'none', reason: 'a claim-status record needs claimId and claimStatus', reasons: [] };
  }
  if (status.stage === 'paid' || status.stage === 'closed') {
    return { kind: 'none', reason: `claim ${status.stage}: nothing overdue`, reasons: [{ rule: 'R-CAT-TIME', evidence: `stage ${status.stage}` }] };
  }
  const at = new Date(event.occurredAt ?? context.receivedAt.toISOString());
  const measured = measureClaim(status, at, context.calendar);
  const limit = context.policy.triage.payoutLimitWorkingDays;
  const batchLimit = context.policy.triage.batchDelayWorkingDays;
  const untouchedLimit = context.config.payout.untouchedWorkingDays;
  const warnFrom = Math.max(0, limit - context.config.payout.warningWorkingDays);

  // A batch run delaying payouts by more than the limit is its own rule: one incident per batch.
  if (measured.batchDelay !== undefined && measured.batchDelay > batchLimit && status.batch !== undefined) {
    const facts: ReportFacts = { ...baseFacts(event), batchDelayDays: measured.batchDelay };
    const title = `赔款批次延迟支付 / payout batch delayed ${measured.batchDelay} working days`;
    const description = `Payout batch ${status.batch.id} was scheduled for ${status.batch.scheduledAt} and has not run: ${measured.batchDelay} working days late (limit ${batchLimit}, R-CAT-TIME).`;
    return claimIncident(event, context, facts, title, description, { kind: 'batch', ref: status.batch.id }, [
      { rule: 'R-CAT-TIME', evidence: `batch delay ${measured.batchDelay} working days > batchDelayWorkingDays=${batchLimit}` },
    ]);
  }
  if (measured.sinceDecision !== undefined && measured.sinceDecision >= limit) {
    const facts: ReportFacts = { ...baseFacts(event), daysSinceDecision: measured.sinceDecision };
    const title = `赔款逾期未付 / payout overdue: ${measured.sinceDecision} working days since the decision`;
    const description = `Claim decided ${status.decidedAt ?? '?'}; payout not received after ${measured.sinceDecision} working days (contractual limit ${limit}, R-CAT-TIME, R-T-CAL).`;
    return claimIncident(event, context, facts, title, description, { kind: 'claim', ref: claimId }, [
      { rule: 'R-CAT-TIME', evidence: `payout pending ${measured.sinceDecision} working days >= payoutLimitWorkingDays=${limit}` },
    ]);
  }
  if (measured.idle !== undefined && measured.idle >= untouchedLimit) {
    const title = `理赔案件长时间无更新 / claim untouched: no update for ${measured.idle} working days`;
    const description = `No activity on this open claim (stage ${status.stage}) since ${status.lastActivityAt ?? '?'}: ${measured.idle} working days (limit ${untouchedLimit}, R-DET-2).`;
    return claimIncident(event, context, baseFacts(event), title, description, { kind: 'claim', ref: claimId }, [
      { rule: 'R-DET-2', evidence: `claim untouched ${measured.idle} working days >= untouchedWorkingDays=${untouchedLimit}` },
    ]);
  }
  if (measured.sinceDecision !== undefined && measured.sinceDecision >= warnFrom && status.decidedAt !== undefined) {
    const dueAt = context.calendar.addWorkingDays(new Date(status.decidedAt), limit).toISOString();
    return {
      kind: 'none',
      reason: `payout close to due: ${measured.sinceDecision} of ${limit} working days since the decision, late from ${dueAt}`,
      reasons: [{ rule: 'R-T-BREACH', evidence: `payout pending ${measured.sinceDecision} working days >= warning at ${warnFrom}` }],
      warning: { claimId, elapsedWorkingDays: measured.sinceDecision, limitWorkingDays: limit, dueAt },
    };
  }
  const parts = [
    measured.sinceDecision !== undefined ? `${measured.sinceDecision} of ${limit} working days since the decision` : undefined,
    measured.batchDelay !== undefined ? `batch ${measured.batchDelay} of ${batchLimit} working days late` : undefined,
    measured.idle !== undefined ? `idle ${measured.idle} of ${untouchedLimit} working days` : undefined,
  ].filter((part): part is string => part !== undefined);
  return {
    kind: 'none',
    reason: `within limits: ${parts.join(', ') || 'nothing to measure'}`,
    reasons: [{ rule: 'R-CAT-TIME', evidence: parts.join(', ') || 'no dates to measure' }],
  };
}

function claimIncident(
  event: SignalEvent,
  context: DetectionContext,
  facts: ReportFacts,
  title: string,
  description: string,
  subject: Subject,
  measuredReasons: TriageReason[],
): Detection {
  const report = reportOf(event, title, description, facts);
  const result = triage(report, context.policy.triage);
  return {
    kind: 'incident',
    report,
    triage: result,
    correlation: { kind: 'duplicate', subject },
    reasons: [{ rule: 'R-DET-1', evidence: 'claim-status record' }, ...measuredReasons, ...triggerReasons(result)],
  };
}

// ---------------------------------------------------------------------------------------------
// Internal reports (R-DET-4, R-DET-5)

function detectInternalReport(event: SignalEvent, context: DetectionContext): Detection {
  const internal = event.internal;
  const facts = baseFacts(event);
  const { report, triage: result, aliasReasons } = judgeText(event, facts, context);
  const category = settledCategory(result) ?? result.category;
  const reasons: TriageReason[] = [
    { rule: 'R-DET-4', evidence: `internal report (${internal?.kind ?? 'fault'}) from ${internal?.department ?? 'a department'}: reported incidents are always opened` },
    ...aliasReasons,
    ...triggerReasons(result),
  ];
  const detection: Detection = {
    kind: 'incident',
    report,
    triage: result,
    correlation: correlate(event, category, `${report.title}\n${report.description}`, context.config),
    reasons,
  };
  if (internal?.kind === 'latent-risk' && event.reporter !== undefined) {
    detection.latentRiskReporter = event.reporter;
    reasons.push({ rule: 'R-DET-5', evidence: 'latent-risk reporter recorded for the review' });
  }
  return detection;
}

// ---------------------------------------------------------------------------------------------
// Correlation

/** The system a report names, through the monitored systems' aliases, in configuration order. */
export function componentNamed(text: string, config: DetectionConfig): string | undefined {
  const normalised = text.normalize('NFKC').toLowerCase();
  for (const [name, system] of Object.entries(config.systems)) {
    if (system.aliases.some((alias) => termPattern(alias).test(normalised))) return system.component ?? name;
  }
  return undefined;
}

function correlate(event: SignalEvent, category: Category, text: string, config: DetectionConfig): Correlation {
  const subject = subjectOf(event);
  if (category === 'system') {
    const component = event.alert?.component ?? componentNamed(text, config);
    if (component !== undefined) {
      return {
        kind: 'system',
        component,
        claims: event.claimId === undefined ? [] : [event.claimId],
        customers: event.customerRef === undefined ? [] : [event.customerRef],
      };
    }
  }
  const cause = deriveCause(event, text, config);
  if (category === 'complaint' && cause !== undefined) return subject ? { kind: 'cluster', cause, subject } : { kind: 'cluster', cause };
  const correlation: Correlation = { kind: 'duplicate' };
  if (subject !== undefined) correlation.subject = subject;
  if (cause !== undefined) correlation.cause = cause;
  return correlation;
}

/** The claim, else the customer, the event is about. */
export function subjectOf(event: SignalEvent): Subject | undefined {
  if (event.claimId !== undefined) return { kind: 'claim', ref: event.claimId };
  if (event.customerRef !== undefined) return { kind: 'customer', ref: event.customerRef };
  return undefined;
}

function normaliseValue(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

/**
 * The cause named by cause fields, read in the order of `fields` (absent ones as `*`), or
 * undefined when none is present. Detection and the monthly review (a manual report's
 * `facts.causeFields`, R-REV-2) derive the same key from the same values.
 */
export function causeOfFields(values: CauseFields, fields: readonly CauseField[] = CAUSE_FIELDS): Cause | undefined {
  const normalised = fields.map((field) => {
    const value = values[field];
    return value === undefined || value.trim() === '' ? undefined : normaliseValue(value);
  });
  if (normalised.every((value) => value === undefined)) return undefined;
  return {
    key: `fields:${fields.map((field, index) => `${field}=${normalised[index] ?? '*'}`).join('|')}`,
    label: fields
      .map((field, index) => (normalised[index] === undefined ? undefined : `${field} ${normalised[index]}`))
      .filter((part) => part !== undefined)
      .join(', '),
    from: 'fields',
  };
}

/**
 * "The same cause" (R-CAT-COMP), explicitly: the configured cause fields of the event, in the
 * configured order, absent ones as `*` — at least one must be present; else the first configured
 * text cause whose terms the text contains; else no cause (the event is never counted in a group).
 */
export function deriveCause(event: SignalEvent, text: string, config: DetectionConfig): Cause | undefined {
  const fromFields = causeOfFields(event.cause ?? {}, config.cause.fields);
  if (fromFields !== undefined) return fromFields;
  const normalised = text.normalize('NFKC').toLowerCase();
  for (const cause of config.cause.textCauses) {
    if (cause.terms.some((term) => termPattern(term).test(normalised))) {
      return { key: `text:${cause.key}`, label: cause.label, from: 'text' };
    }
  }
  return undefined;
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/** Severity order helper for callers that raise a tier on attachment (R-SEV-UP). */
export function severityOf(detection: Detection): Severity | undefined {
  return detection.kind === 'incident' ? detection.triage.severity : undefined;
}
