/**
 * The contract of the detection workflows (signal intake, cause clusters, system incidents,
 * heartbeats) shared by the API, the worker, the activities and the tests: every signal, query
 * and update definition and their payload types. No side effects on import.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Detection, SignalEvent } from '../domain/detection';
import type { HeartbeatSettingsView, SystemSettingsView } from '../domain/detection-config';
import type { IncidentReport, Severity, TriageReason, TriageResult } from '../domain/types';
import type { IncidentLink, IncidentStatus } from './contracts';

// ---- signal intake: one workflow per (source, source event id) --------------------------------

export interface SignalIntakeInput {
  event: SignalEvent;
  /** When the API received the event (ISO). */
  receivedAt: string;
}

interface DecisionBase {
  /** The event's reference as linked on incidents (`ticket:TCK-1`). */
  eventRef: string;
  /** Rule and evidence behind the decision (R-CAT-X). */
  reasons: TriageReason[];
}

/** What the engine made of one event; the answer to `POST /signals`, the same for every retry. */
export type SignalDecision =
  | (DecisionBase & {
      decision: 'opened';
      incidentId: string;
      triage: TriageResult;
      /** Set when this complaint took its cause over the group threshold (R-CAT-COMP). */
      groupIncidentId?: string;
    })
  | (DecisionBase & { decision: 'attached'; incidentId: string; reason: string })
  | (DecisionBase & {
      decision: 'none';
      reason: string;
      /** A payout close to its limit (R-T-BREACH "close to due"); claims specialists were warned. */
      warning?: Extract<Detection, { kind: 'none' }>['warning'];
    });

/** Returns the decision once it is made (update-with-start makes this the POST's answer). */
export const decisionUpdate = defineUpdate<SignalDecision>('decision');
export const decisionQuery = defineQuery<SignalDecision | undefined>('decision');

/** A cluster's or system workflow's answer to the intake that asked it where an event belongs. */
export interface RouteReply {
  eventRef: string;
  /** `group`: attached to the cause's group incident; `individual`: the intake opens or finds its own; `system`: handled by the system incident. */
  route: 'group' | 'individual' | 'system';
  incidentId?: string;
  /** For `system`: whether this alert opened the system incident or attached to it. */
  decision?: 'opened' | 'attached';
  triage?: TriageResult;
  /** Distinct complaining customers of the cause in the window, this one included (R-CAT-COMP). */
  distinctCustomers?: number;
  /** The group incident this complaint's arrival opened, if it did. */
  groupIncidentId?: string;
  reason: string;
}
export const routeReplySignal = defineSignal<[RouteReply]>('routeReply');

// ---- cause clusters: one workflow per cause key (R-CAT-COMP) -----------------------------------

export interface ClusterSettings {
  /** The sliding window distinct customers are counted in. */
  windowMs: number;
  /** More than this many distinct customers in the window make a group complaint. */
  threshold: number;
  /** How often an open group incident is checked for resolution when the window is empty. */
  statusCheckMs: number;
}

export interface ClusterComplaint {
  eventRef: string;
  /** Hashed customer reference for counting (R-SEC-1); absent: the complaint is routed but not counted. */
  customerKey?: string;
  /** Opaque references linked to the group incident. */
  customerRef?: string;
  claimId?: string;
  /** The intake workflow to answer with a {@link RouteReply}; absent: no answer is sent. */
  replyTo?: string;
  drill: boolean;
  settings: ClusterSettings;
}
export const complaintSignal = defineSignal<[ClusterComplaint]>('complaint');

/** The intake opened (or found) the individual incident of a complaint routed `individual`. */
export interface ComplaintIncident {
  eventRef: string;
  incidentId: string;
}
export const complaintIncidentSignal = defineSignal<[ComplaintIncident]>('complaintIncident');

export interface ClusterEntry {
  eventRef: string;
  customerKey?: string;
  customerRef?: string;
  claimId?: string;
  /** Workflow time the complaint reached the cluster (ISO); the window slides over it. */
  at: string;
  route: 'group' | 'individual';
  incidentId?: string;
  groupIncidentId?: string;
}

export interface GroupEpisode {
  incidentId: string;
  /** The workflow time the threshold was crossed (ISO); with the cause it keys the one incident. */
  startedAt: string;
  customersAtOpening: number;
  /** Individual complaint incidents linked to the group. */
  linkedIncidents: string[];
  closedAt?: string;
}

export interface CauseClusterState {
  causeKey: string;
  causeLabel: string;
  entries: ClusterEntry[];
  group?: GroupEpisode;
  pastGroups: GroupEpisode[];
  settings: ClusterSettings;
}

export interface CauseClusterInput {
  causeKey: string;
  causeLabel: string;
  settings: ClusterSettings;
  carried?: CauseClusterState;
  /** Complaints and complaint incidents that arrived but were not handled when the last run continued as new. */
  pending?: { inbox: ClusterComplaint[]; incidents: ComplaintIncident[] };
  /** Past this many history events a busy run continues as new (default 2000; tests set it low). */
  busyContinueAfterEvents?: number;
}

export interface CauseClusterView {
  causeLabel: string;
  /** Distinct customers in the window now (R-CAT-COMP). */
  distinctCustomers: number;
  complaints: number;
  threshold: number;
  group?: GroupEpisode;
  pastGroups: GroupEpisode[];
}
export const clusterStateQuery = defineQuery<CauseClusterView>('clusterState');

// ---- system incidents: one workflow per component (R-SYS-*) ------------------------------------

/** R-SYS-2 checklist and R-SYS-3 texts, from the detection config. */
export type SystemSettings = SystemSettingsView;

export interface SystemAlert {
  eventRef: string;
  replyTo?: string;
  /** The report that opens the system incident when none is open. */
  report: IncidentReport;
  severity: Severity;
  claims: string[];
  customers: string[];
  settings: SystemSettings;
}
export const systemAlertSignal = defineSignal<[SystemAlert]>('systemAlert');

/** The component is back (heartbeats resumed, or a person says so): resolve and tell customers (R-SYS-3). */
export interface SystemRecovered {
  by: string;
  reason: string;
}
export const systemRecoveredSignal = defineSignal<[SystemRecovered]>('systemRecovered');

export interface RestoreStepInput {
  step: string;
  actor: { name: string; role: string };
  note?: string;
}
export interface RestoreStepRecord {
  step: string;
  label: string;
  at: string;
  actor: string;
  /** R-SYS-2: recorded before the core step (claim query) was restored. */
  beforeCore: boolean;
}
/** Records a restore step (R-SYS-2); rejects unknown steps and steps when no incident is open. */
export const restoreStepUpdate = defineUpdate<SystemIncidentView, [RestoreStepInput]>('restoreStep');

export interface SystemEpisode {
  incidentId: string;
  openedAt: string;
  claims: string[];
  customers: string[];
  /** Customers told about the offline alternative (R-SYS-3). */
  notified: string[];
  steps: RestoreStepRecord[];
  resolvedAt?: string;
}

export interface SystemIncidentState {
  component: string;
  current?: SystemEpisode;
  past: SystemEpisode[];
  settings?: SystemSettings;
}

export interface SystemIncidentInput {
  component: string;
  carried?: SystemIncidentState;
}

export interface SystemIncidentView {
  component: string;
  current?: SystemEpisode & { pendingSteps: string[] };
  past: { incidentId: string; openedAt: string; resolvedAt?: string; claims: number; customers: number }[];
}
export const systemStateQuery = defineQuery<SystemIncidentView>('systemState');

// ---- heartbeats: one workflow per monitored system (R-DET-1) ------------------------------------

export type HeartbeatSettings = HeartbeatSettingsView;

export interface Beat {
  settings: HeartbeatSettings;
}
export const beatSignal = defineSignal<[Beat]>('beat');

export interface HeartbeatState {
  system: string;
  status: 'healthy' | 'silent';
  beats: number;
  lastBeatAt: string;
  silentSince?: string;
  incidentId?: string;
  outages: { silentSince: string; recoveredAt?: string; incidentId?: string }[];
  settings: HeartbeatSettings;
}

export interface HeartbeatInput {
  system: string;
  settings: HeartbeatSettings;
  carried?: HeartbeatState;
}
export const heartbeatStateQuery = defineQuery<HeartbeatState>('heartbeatState');

// ---- claim watches: one workflow per decided, unpaid claim (R-CAT-TIME, R-T-BREACH) ------------

/** A claim's payout clock; each instant is re-measured through a claim-status event of its own. */
export interface ClaimWatchSchedule {
  claimId: string;
  decidedAt: string;
  warnAt: string;
  dueAt: string;
  drill: boolean;
  /** The synthetic claim-status events the watch sends at each instant, with their intake workflow ids. */
  warnEvent: SignalEvent;
  warnWorkflowId: string;
  dueEvent: SignalEvent;
  dueWorkflowId: string;
}

export interface ClaimWatchInput {
  schedule: ClaimWatchSchedule;
}

/** A newer claim-status record: a new schedule (re-decided), or the payout settled (paid, closed). */
export const claimRescheduledSignal = defineSignal<[ClaimWatchSchedule]>('claimRescheduled');
export const claimSettledSignal = defineSignal<[{ stage: 'paid' | 'closed' | 'overdue'; at: string }]>('claimSettled');

export interface ClaimWatchState {
  schedule: ClaimWatchSchedule;
  warned: boolean;
  due: boolean;
  settled?: { stage: string; at: string };
  decisions: SignalDecision[];
}
export const claimWatchStateQuery = defineQuery<ClaimWatchState>('claimWatchState');

// ---- activity payloads shared with workflows ---------------------------------------------------

export type LinkInput = { kind: IncidentLink['kind']; ref: string; reason: string };

/** What happened to an update sent to an incident. */
export type IncidentOutcome = 'done' | 'closed' | 'missing';

export type { IncidentStatus };
