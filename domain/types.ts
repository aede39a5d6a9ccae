/**
 * The engine's nouns as closed sets. Every other module speaks in these types; none of them
 * imports Temporal or Express, so the domain is testable on its own.
 */
import type { CauseField } from './detection-config';

/** R-CAT-TIME, R-CAT-INFO, R-CAT-COMP, R-CAT-SYS. */
export const CATEGORIES = ['timeliness', 'info', 'complaint', 'system'] as const;
export type Category = (typeof CATEGORIES)[number];

/** R-SEV-MAJOR, R-SEV-GENERAL, R-SEV-MINOR, ordered from least to most severe. */
export const SEVERITIES = ['minor', 'general', 'major'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** R-LINE-1 customer service, R-LINE-2 claims specialists, R-LINE-3 technology, R-LINE-MGMT. */
export const LINES = ['customer-service', 'claims', 'technology', 'management'] as const;
export type Line = (typeof LINES)[number];

/** Where a report came from (R-DET-1, R-DET-3, R-DET-4). */
export const SOURCES = [
  'support',
  'ticket',
  'chat',
  'hotline',
  'email',
  'system-alert',
  'claim-status',
  'internal-report',
] as const;
export type Source = (typeof SOURCES)[number];

/** `-1` below, `0` equal, `1` above: severities compare by their place in SEVERITIES. */
export function compareSeverity(a: Severity, b: Severity): number {
  return Math.sign(SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b));
}

/** Structured facts a report may carry; every field is optional and none is personal data. */
export interface ReportFacts {
  /** Claim reference (an internal number, not a personal identifier). */
  claimId?: string;
  /** Opaque customer reference; never a name, phone or ID number (R-SEC-1). */
  customerRef?: string;
  /** Working days since the claim decision without a payout (R-CAT-TIME). */
  daysSinceDecision?: number;
  /** Days by which a batch run has delayed payouts (R-CAT-TIME: more than 3 is an incident). */
  batchDelayDays?: number;
  /** How many claims the problem touches (bulk impact raises the tier, R-SEV-MAJOR). */
  affectedClaims?: number;
  /** How many distinct customers complain about the same cause (R-CAT-COMP group complaint). */
  complainingCustomers?: number;
  /** The system that failed, for system incidents (R-CAT-SYS). */
  system?: string;
  /** Whether data was lost or tampered with (R-CAT-INFO / R-CAT-SYS, R-SEV-MAJOR). */
  dataLoss?: boolean;
  /** Press or public-opinion risk (R-SEV-MAJOR). */
  mediaRisk?: boolean;
  /**
   * What the report is about, in the cause vocabulary of `POST /signals` (hospital, disease
   * category, product, claim type, reason code): given by a person on a manual report; the
   * monthly review derives the report's cause from it (R-REV-2). Categories, never diagnoses.
   */
  causeFields?: Partial<Record<CauseField, string>>;
  /** The cause detection derived for the event (R-CAT-COMP, R-SYS-4), recorded for the monthly review (R-REV-2). */
  cause?: ReportCause;
}

/** A cause as the review counts it: `key` says which cause, `label` is what a manager reads. */
export interface ReportCause {
  key: string;
  label: string;
}

/** What a reporter sends in: free text (Chinese or English) plus optional structured facts. */
export interface IncidentReport {
  title: string;
  description: string;
  source: Source;
  facts: ReportFacts;
  /** Who raised it (R-SEC-2: every action is attributable). */
  reporter: string;
  /** Drill incidents run the real process but are marked and kept out of statistics (R-REV-4). */
  drill: boolean;
}

/** One reason a triage decision was made: which rule matched on what evidence (R-CAT-X). */
export interface TriageReason {
  rule: string;
  evidence: string;
}

export interface TriageResult {
  category: Category;
  severity: Severity;
  lines: Line[];
  reasons: TriageReason[];
}
