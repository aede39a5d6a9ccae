/**
 * A drill's report (R-REV-4): who was paged, who acknowledged and how fast, which deadlines
 * held and which were missed — per incident and per participant — read from the drill
 * incidents' own timelines, so every figure traces back to an entry a manager can check in the
 * incident's history. Anyone paged who is not a participant is listed (it should never happen).
 *
 * Pure: the caller reads the drill and its incidents and passes them in.
 */
import { incidentMilestones } from './incident-timing';
import type { ReviewIncident } from './monthly-review';

/** The drill as its workflow keeps it (`DrillState` in the contracts). */
export interface DrillRecord {
  id: string;
  scenario: { id: string; title: { zh: string; en: string } };
  participants: string[];
  startedBy: string;
  startedAt: string;
  status: 'running' | 'finished';
  finishedAt?: string;
  /** The incidents started so far, in scenario order. */
  incidents: { id: string; title: string; reportedAt: string }[];
}

export interface DrillIncidentReport {
  id: string;
  title: string;
  reportedAt: string;
  category: string | null;
  severity: string | null;
  status: ReviewIncident['status'] | 'unknown';
  /** Every page that went out (or was refused), in order, with minutes from the report. */
  pages: { personId: string; channel: string; at: string; minutesAfterReport: number; delivered: boolean }[];
  /** The people paged, in the order they were first paged. */
  paged: string[];
  acknowledged: { by: string; at: string; minutes: number } | null;
  minutesToContact: number | null;
  minutesToSolution: number | null;
  minutesToResolve: number | null;
  deadlines: { id: string; kind: string; dueAt: string; state: 'held' | 'missed' | 'pending'; closedAt: string | null }[];
  escalations: number;
}

export interface ParticipantReport {
  personId: string;
  /** Incidents that paged them, and how soon after each report they were first paged. */
  pagedIncidents: number;
  /** Incidents they acknowledged (the acknowledging actor is the person, or the key's owner). */
  acknowledged: number;
  fastestAcknowledgeMinutes: number | null;
}

export interface DrillReport {
  drill: DrillRecord;
  incidents: DrillIncidentReport[];
  participants: ParticipantReport[];
  /** People paged who are not participants: the drill's promise broken if ever non-empty. */
  pagedOutsideParticipants: string[];
  totals: {
    incidents: number;
    acknowledged: number;
    medianMinutesToAcknowledge: number | null;
    deadlinesHeld: number;
    deadlinesMissed: number;
    deadlinesPending: number;
  };
}

const MINUTE = 60_000;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The incident's report; `undefined` incidents (unreadable) are reported with what the drill knows. */
function incidentReport(entry: DrillRecord['incidents'][number], incident: (ReviewIncident & { acknowledgedBy?: string }) | undefined): DrillIncidentReport {
  if (!incident) {
    return {
      id: entry.id, title: entry.title, reportedAt: entry.reportedAt, category: null, severity: null, status: 'unknown',
      pages: [], paged: [], acknowledged: null, minutesToContact: null, minutesToSolution: null, minutesToResolve: null, deadlines: [], escalations: 0,
    };
  }
  const start = Date.parse(incident.reportedAt);
  const ordered = [...incident.timeline].sort((a, b) => a.seq - b.seq);
  const pages = ordered
    .filter((e) => (e.type === 'paged' || e.type === 'page-failed') && typeof e.data?.personId === 'string')
    .map((e) => ({
      personId: String(e.data!.personId),
      channel: String(e.data!.channel ?? ''),
      at: e.at,
      minutesAfterReport: Math.round(((Date.parse(e.at) - start) / MINUTE) * 100) / 100,
      delivered: e.type === 'paged',
    }));
  const times = incidentMilestones(incident.reportedAt, incident.timeline);
  const ackEntry = ordered.find((e) => e.type === 'acknowledged');
  return {
    id: incident.id,
    title: incident.report.title,
    reportedAt: incident.reportedAt,
    category: incident.category ?? null,
    severity: incident.severity ?? null,
    status: incident.status,
    pages,
    paged: [...new Set(pages.map((p) => p.personId))],
    acknowledged: ackEntry && times.minutesToAcknowledge !== null
      ? { by: incident.acknowledgedBy ?? ackEntry.actor, at: ackEntry.at, minutes: times.minutesToAcknowledge }
      : null,
    minutesToContact: times.minutesToContact,
    minutesToSolution: times.minutesToSolution,
    minutesToResolve: times.minutesToResolve,
    deadlines: incident.deadlines.map((d) => ({
      id: d.id,
      kind: d.kind,
      dueAt: d.dueAt,
      state: d.state === 'met' ? 'held' : d.state === 'breached' ? 'missed' : 'pending',
      closedAt: d.closedAt ?? null,
    })),
    escalations: ordered.filter((e) => e.type === 'escalated').length,
  };
}

/**
 * The report of `drill` from its incidents' current records (`incidents` in any order; one
 * missing is reported as unknown, never silently dropped).
 */
export function buildDrillReport(drill: DrillRecord, incidents: readonly (ReviewIncident & { acknowledgedBy?: string })[]): DrillReport {
  const byId = new Map(incidents.map((incident) => [incident.id, incident]));
  const reports = drill.incidents.map((entry) => incidentReport(entry, byId.get(entry.id)));
  const participants = drill.participants.map((personId): ParticipantReport => {
    const acknowledged = reports.filter((r) => r.acknowledged?.by === personId);
    const fastest = acknowledged.map((r) => r.acknowledged!.minutes);
    return {
      personId,
      pagedIncidents: reports.filter((r) => r.paged.includes(personId)).length,
      acknowledged: acknowledged.length,
      fastestAcknowledgeMinutes: fastest.length ? Math.min(...fastest) : null,
    };
  });
  const allDeadlines = reports.flatMap((r) => r.deadlines);
  const ackMinutes = reports.flatMap((r) => (r.acknowledged ? [r.acknowledged.minutes] : []));
  return {
    drill,
    incidents: reports,
    participants,
    pagedOutsideParticipants: [...new Set(reports.flatMap((r) => r.paged))].filter((id) => !drill.participants.includes(id)),
    totals: {
      incidents: reports.length,
      acknowledged: ackMinutes.length,
      medianMinutesToAcknowledge: median(ackMinutes),
      deadlinesHeld: allDeadlines.filter((d) => d.state === 'held').length,
      deadlinesMissed: allDeadlines.filter((d) => d.state === 'missed').length,
      deadlinesPending: allDeadlines.filter((d) => d.state === 'pending').length,
    },
  };
}
