/**
 * Jest global setup: bundles the workflow code once for the whole run and passes the file to
 * every test file through `WORKFLOW_BUNDLE_PATH` (see `bundle.ts`). When bundling fails, the run
 * goes on: suites that need no workflows still pass, and `getWorkflowBundle()` raises the same
 * error in those that do.
 */
import { BUNDLE_PATH_VARIABLE, prepareWorkflowBundle } from './bundle';

export default async function globalSetup(): Promise<void> {
  try {
    process.env[BUNDLE_PATH_VARIABLE] = await prepareWorkflowBundle();
  } catch (err) {
    delete process.env[BUNDLE_PATH_VARIABLE];
    const reason = err instanceof Error ? err.message : String(err);
    console.warn(`\nworkflow bundle not prepared (${reason}); suites that run workflows will fail with this error`);
  }
}
