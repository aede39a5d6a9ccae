export { incidentWorkflow } from './incident';
export { signalIntakeWorkflow } from './signal-intake';
export { causeClusterWorkflow } from './cause-cluster';
export { systemIncidentWorkflow } from './system-incident';
export { heartbeatWorkflow } from './heartbeat';
export { pagingWorkflow } from './paging';
export { claimWatchWorkflow } from './claim-watch';
export { archiveRetentionWorkflow } from './archive-retention';
