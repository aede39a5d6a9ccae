/**
 * The archive's activities: the incident workflow's snapshot writer (an ordinary activity since
 * patch archive-as-activity; a local activity before, see workflows/incident.ts) and the daily
 * retention run (R-REV-5).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { deriveCause } from '../domain/detection';
import { causeOfIncident } from '../domain/monthly-review';
import type { DetectionConfig } from '../domain/detection-config';
import type { IncidentReport } from '../domain/types';
import type { IncidentState } from '../workflows/contracts';
import { MINIMUM_RETENTION_YEARS, type ArchiveStore, type UpsertOutcome } from './archive-store';

export interface ArchiveDependencies {
  store: ArchiveStore;
  /** The cause definitions (R-CAT-COMP) the archived cause key is derived with. */
  detection: DetectionConfig;
  /** R-REV-5: at least 3. */
  retentionYears: number;
  /** The retention run's clock (tests inject one). */
  now?: () => Date;
}

/**
 * The cause an incident's report names: the one the monthly review counts (R-REV-2: recorded by
 * detection, or the cause fields of a manual report), else a configured text cause found in the
 * report's words (R-CAT-COMP). Its key is what the archive and the case library group by.
 */
export function causeOfReport(report: IncidentReport, id: string, detection: DetectionConfig): { key: string; label: string } | undefined {
  const recorded = causeOfIncident({ report });
  if (recorded) return recorded;
  const text = `${report.title}\n${report.description}`;
  const cause = deriveCause({ source: 'internal-report', sourceEventId: id, title: report.title, text }, text, detection);
  return cause ? { key: cause.key, label: cause.label } : undefined;
}

export function createArchiveActivities(deps: ArchiveDependencies) {
  if (!Number.isInteger(deps.retentionYears) || deps.retentionYears < MINIMUM_RETENTION_YEARS) {
    throw new Error(`archive retention must be at least ${MINIMUM_RETENTION_YEARS} whole years (R-REV-5); got ${deps.retentionYears}`);
  }
  const now = deps.now ?? (() => new Date());
  return {
    /**
     * Writes the incident's current state to the archive; idempotent, and an older snapshot
     * (a retry overtaken by a newer write) never replaces a newer one. A store that is down
     * throws, and the workflow's retry policy tries again for as long as it takes.
     */
    async archiveIncident(state: IncidentState): Promise<{ outcome: UpsertOutcome; lastSeq: number }> {
      const cause = causeOfReport(state.report, state.id, deps.detection);
      const outcome = await deps.store.upsertIncident({ state, ...(cause ? { cause } : {}) });
      return { outcome, lastSeq: state.timeline.reduce((max, entry) => Math.max(max, entry.seq), 0) };
    },

    /** R-REV-5: deletes records closed longer ago than the retention period (never younger, never open). */
    async applyArchiveRetention(): Promise<{ at: string; deleted: string[]; kept: number }> {
      const at = now();
      const outcome = await deps.store.applyRetention(at, deps.retentionYears);
      return { at: at.toISOString(), ...outcome };
    },
  };
}

/** The schedule that runs `archiveRetentionWorkflow` once a day (R-REV-5). */
export const ARCHIVE_RETENTION_SCHEDULE_ID = 'archive-retention';

/**
 * Creates the daily retention schedule unless it exists (every worker calls this at start;
 * the first one creates it). 03:30 in the policy's time zone, one run at a time, a missed run
 * caught up within a day.
 */
export async function ensureArchiveRetentionSchedule(client: Client, taskQueue: string, timeZone: string): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId: ARCHIVE_RETENTION_SCHEDULE_ID,
      spec: { calendars: [{ hour: 3, minute: 30 }], timezone: timeZone },
      action: { type: 'startWorkflow', workflowType: 'archiveRetentionWorkflow', workflowId: 'archive-retention-run', taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}
