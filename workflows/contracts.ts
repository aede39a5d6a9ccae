/**
 * The one contract between the API, the worker, the workflows and the tests: the task queue,
 * every update/query definition and their payload types. No side effects on import.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  Category,
  IncidentReport,
  Line,
  Severity,
  TriageReason,
  TriageResult,
} from '../domain/types';
import type { Deadline, ResponsePlan } from '../domain/deadlines';
import type { PagingStep } from '../domain/policy';
import type { DrillRecord } from '../domain/drill-report';

export type { Deadline, ResponsePlan };

export const TASK_QUEUE = 'claims-incidents';

/** Custom search attributes (registered on the dev server by `npm start`); no personal data (R-SEC-1). */
export const SEARCH_ATTRIBUTES = {
  IncidentCategory: 'Keyword',
  IncidentSeverity: 'Keyword',
  IncidentStatus: 'Keyword',
  IncidentDrill: 'Bool',
  /** The short code people reply with (`ACK 4821`); only meaningful while the incident is open. */
  IncidentAckCode: 'Keyword',
  /**
   * The id of the API key that reported the incident (`key_…`, never a name): set by the API at
   * start so support staff can list the incidents they reported (R-SEC-2).
   */
  IncidentReportedBy: 'Keyword',
} as const;

export const categoryKey = defineSearchAttributeKey('IncidentCategory', SearchAttributeType.KEYWORD);
export const severityKey = defineSearchAttributeKey('IncidentSeverity', SearchAttributeType.KEYWORD);
export const statusKey = defineSearchAttributeKey('IncidentStatus', SearchAttributeType.KEYWORD);
export const drillKey = defineSearchAttributeKey('IncidentDrill', SearchAttributeType.BOOL);
export const ackCodeKey = defineSearchAttributeKey('IncidentAckCode', SearchAttributeType.KEYWORD);
export const reportedByKey = defineSearchAttributeKey('IncidentReportedBy', SearchAttributeType.KEYWORD);

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

/** Who did something (R-SEC-2). `role` gates what they may do (R-SEV-UP). */
export interface Actor {
  name: string;
  role: 'support' | 'oncall' | 'manager' | 'admin' | 'integration' | 'system';
}

/** A timeline entry's type: a closed set (R-SYNC: one timeline everyone reads). */
export type TimelineType =
  | 'reported'
  | 'triaged'
  | 'notified'
  | 'acknowledged'
  | 'contacted'
  | 'solution'
  | 'progress'
  | 'note'
  | 'reclassified'
  | 'severity-changed'
  | 'deadline-warning'
  | 'deadline-met'
  | 'deadline-breached'
  | 'escalated'
  | 'linked'
  | 'customer-notified'
  | 'paging-step'
  | 'paged'
  | 'page-failed'
  | 'unreachable'
  | 'resolved';

export interface TimelineEntry {
  seq: number;
  at: string;
  type: TimelineType;
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

export interface IncidentState {
  id: string;
  status: IncidentStatus;
  report: IncidentReport;
  reportedAt: string;
  category?: Category;
  severity?: Severity;
  lines: Line[];
  reasons: TriageReason[];
  deadlines: Deadline[];
  escalationLevel: number;
  acknowledgedBy?: string;
  resolution?: string;
  timeline: TimelineEntry[];
  /** How many runs this incident's workflow has continued through (history limits). */
  runs: number;
  /** Events, claims, customers and incidents attached to this one (R-SYS-4, R-CAT-COMP). */
  links: IncidentLink[];
  /** The code on every page of this incident (`ACK 4821`). */
  ackCode: string;
  /** Paging runs (child workflow ids) still to be stopped on acknowledgement or resolution. */
  pagingRuns: string[];
  /** A drill incident's participants (R-REV-4): its only recipients; see {@link IncidentInput.participants}. */
  participants?: string[];
}

/**
 * Something attached to an incident instead of opening another: a detection event, an affected
 * claim or customer, or another incident (a complaint linked to its group incident).
 */
export interface IncidentLink {
  kind: 'event' | 'claim' | 'customer' | 'incident';
  /** Opaque reference: source event id, claim id, customer reference or incident id (no personal data). */
  ref: string;
  at: string;
  actor: string;
  /** Why it was attached (rule and evidence, R-CAT-X). */
  reason: string;
}

export interface AttachInput extends ActionBase {
  links: { kind: IncidentLink['kind']; ref: string; reason: string }[];
  /** Raise the tier with this attachment (R-SEV-UP: only upward, automatically). */
  raiseSeverityTo?: Severity;
}

/** The workflow's start argument; `carried` is set only by continue-as-new. */
export interface IncidentInput {
  id: string;
  report: IncidentReport;
  reportedAt: string;
  carried?: { state: IncidentState; plan: ResponsePlan; nextSeq: number };
  /**
   * Drill participants (R-REV-4): roster person ids. When set, every page and notification of
   * the incident goes to them only — never to the real on-call — whatever the step's targets.
   */
  participants?: string[];
  /**
   * The triage and response plan when the starter computed them (the API does, from
   * `domain/triage.ts` and `domain/deadlines.ts` with the same policy and calendar), so the
   * workflow skips its triage activity. Fixed in the history like an activity result.
   */
  triaged?: { triage: TriageResult; plan: ResponsePlan };
}

export interface TriageResponse {
  id: string;
  status: IncidentStatus;
  triage: TriageResult;
  deadlines: Deadline[];
}

export interface ActionBase {
  actor: Actor;
}
export interface NoteInput extends ActionBase {
  text: string;
}

/**
 * A progress update that is also sent to the customer (R-T-DAILY, R-SYNC): rendered from the
 * policy's template for the incident's category, by SMS or e-mail, and recorded (masked).
 */
export interface ProgressInput extends NoteInput {
  customer?: { channel: 'sms' | 'email'; address: string };
}
export interface ResolveInput extends ActionBase {
  summary: string;
}
export interface ReclassifyInput extends ActionBase {
  category?: Category;
  severity?: Severity;
  reason: string;
}

/** Returns the triage once it is done (update-with-start makes this the POST's answer). */
export const triageUpdate = defineUpdate<TriageResponse>('triage');
export const acknowledgeUpdate = defineUpdate<IncidentState, [ActionBase]>('acknowledge');
export const contactUpdate = defineUpdate<IncidentState, [NoteInput]>('contact');
export const solutionUpdate = defineUpdate<IncidentState, [NoteInput]>('solution');
export const progressUpdate = defineUpdate<IncidentState, [ProgressInput]>('progress');
export const noteUpdate = defineUpdate<IncidentState, [NoteInput]>('note');
export const resolveUpdate = defineUpdate<IncidentState, [ResolveInput]>('resolve');
export const reclassifyUpdate = defineUpdate<IncidentState, [ReclassifyInput]>('reclassify');
/** Attaches links; links already attached (same kind and ref) are ignored, so retries are safe. */
export const attachUpdate = defineUpdate<IncidentState, [AttachInput]>('attach');

/**
 * What `attachLinksUpdate` answers: the incident's standing and its first event, not the whole
 * state. A group complaint gathers thousands of links; answering each attachment with every link
 * and timeline entry wrote the whole state into the history again for every batch (issue 7, the
 * correlated burst), so the history grew with the square of the complaints.
 */
export interface AttachReply {
  status: IncidentStatus;
  category?: Category;
  severity?: Severity;
  lines: Line[];
  reasons: TriageReason[];
  /** The ref of the incident's first `event` link: whoever's event it is opened the incident. */
  firstEventRef?: string;
  /** Links now on the incident, and how many this attachment added. */
  links: number;
  added: number;
}

/** `attachUpdate`'s action, answered with an {@link AttachReply} (detection's attachments). */
export const attachLinksUpdate = defineUpdate<AttachReply, [AttachInput]>('attach-links');
export const stateQuery = defineQuery<IncidentState>('state');

/** The failure type an update validator throws for an action the state does not allow (API: 409). */
export const INVALID_TRANSITION = 'InvalidTransition';
/** The failure type for an action the actor's role may not take (API: 403). */
export const FORBIDDEN = 'Forbidden';

// ---- paging (escalation policies) ------------------------------------------------------------

/** A person a paging step reaches, with their own notification rules ("SMS at once, voice after 2 min"). */
export interface PagedPerson {
  id: string;
  name: string;
  rules: { channel: 'email' | 'sms' | 'voice'; afterMinutes: number }[];
}

/** What a page says: no personal data, only the incident's id, class and what is due (R-SEC-1). */
export interface PageContent {
  incidentId: string;
  ackCode: string;
  category: Category;
  severity: Severity;
  kind: 'page' | 'breach';
  /** The next open deadline (or the one missed, for a breach page); rendered in local time. */
  due?: { deadline: string; dueAt: string };
  drill: boolean;
  lang: 'zh' | 'en';
}

export interface PagingInput {
  incidentId: string;
  /** Names this run within the incident: `triage`, `breach-contact`, … (part of every send key). */
  runKey: string;
  steps: PagingStep[];
  repeat: number;
  /** The incident's responsible lines, for `{ lines: true }` targets. */
  lines: Line[];
  content: PageContent;
  /** Already acknowledged: page once per person, no follow-ups, no further steps. */
  acknowledged: boolean;
  /**
   * The first step as the incident already played it (issue 7: the first pages leave in the
   * incident's own workflow task): the people it resolved to, and the send keys that went out.
   * The run does not resolve, send or report those again; it sends what is left of the step.
   */
  first?: { people: PagedPerson[]; sent: string[] };
}

/** What the incident's own first pages of a run did (`sendFirstPages`). */
export interface FirstPages {
  people: PagedPerson[];
  /** The pages a provider took (or had taken before), as the run would report them. */
  paged: (Extract<PagingEvent, { type: 'paged' }> & { key: string })[];
  /** Sends refused for good (`InvalidContact`) when a step opened (`openPagingStep`): not tried again. */
  invalid?: { key: string; error: string }[];
}

/** What a paging run reports back to its incident's timeline. */
export type PagingEvent =
  | { type: 'step'; runKey: string; round: number; step: number; people: string[] }
  | {
      type: 'paged';
      runKey: string;
      personId: string;
      channel: string;
      to: string;
      duplicate: boolean;
      /** Which attempt delivered it, and the attempts the provider refused before (shown on the timeline). */
      attempt?: number;
      failures?: { at: string; error: string }[];
    }
  | { type: 'page-failed'; runKey: string; personId: string; channel: string; error: string; permanent: boolean }
  | { type: 'unreachable'; runKey: string; round: number; step: number }
  | { type: 'finished'; runKey: string; reason: 'acknowledged' | 'exhausted' };

export const pagingEventSignal = defineSignal<[PagingEvent]>('pagingEvent');
/** Stops a paging run: the incident was acknowledged or resolved. */
export const stopPagingSignal = defineSignal<[{ reason: string }]>('stopPaging');
/** Skips the current step's wait (a voice keypress "2": escalate now). */
export const escalateNowSignal = defineSignal<[{ actor: string }]>('escalateNow');
/** A person asks to escalate at once (voice keypress 2, or the API). */
export const escalateUpdate = defineUpdate<IncidentState, [ActionBase]>('escalate');

/** A notification the workflow asks the channels to deliver; `key` makes delivery idempotent. */
export interface NotificationRequest {
  key: string;
  incidentId: string;
  kind: 'page' | 'warning' | 'breach' | 'escalation' | 'resolved';
  lines: Line[];
  drill: boolean;
  subject: string;
  body: string;
  /** A drill's participants (R-REV-4): the only recipients, instead of the lines' on-call. */
  participants?: string[];
}

// ---- drills (R-REV-4) ------------------------------------------------------------------------

/** A drill's start argument: the API resolves the scenario into reports and incident ids. */
export interface DrillInput {
  id: string;
  scenario: DrillRecord['scenario'];
  /** Roster person ids: every page and notification of the drill's incidents goes to them only. */
  participants: string[];
  startedBy: string;
  /** Each report has `drill: true`: marked in every message, kept out of real statistics. */
  incidents: { id: string; report: IncidentReport }[];
}

/** What the drill workflow keeps: the drill report's record (`domain/drill-report.ts`). */
export type DrillState = DrillRecord;

export const drillStateQuery = defineQuery<DrillState>('drillState');
