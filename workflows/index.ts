export { incidentWorkflow } from './incident';
export { pagingWorkflow } from './paging';
