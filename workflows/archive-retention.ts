/**
 * R-REV-5: one retention run over the incident archive, started daily by the Temporal schedule
 * `archive-retention` (created by the worker, see `ensureArchiveRetentionSchedule`). A schedule
 * rather than a timer in a process: it survives restarts, catches up a missed day, never runs
 * twice at once, and every run is in the workflow history for an audit.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { applyArchiveRetention } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function archiveRetentionWorkflow(): Promise<{ at: string; deleted: string[]; kept: number }> {
  return applyArchiveRetention();
}
