export { incidentWorkflow } from './incident';
