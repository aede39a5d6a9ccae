/**
 * The workflow code, bundled once per Jest run. Jest gives each test file its own module
 * registry, so a module-level cache alone would bundle once per file: the global setup bundles
 * into a file (`scripts/workflow-bundle.ts`) and passes its path in `WORKFLOW_BUNDLE_PATH`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { BUNDLE_PATH_VARIABLE, prepareWorkflowBundle } from '../../scripts/workflow-bundle';

export { BUNDLE_PATH_VARIABLE, prepareWorkflowBundle, staleBundlePaths } from '../../scripts/workflow-bundle';

/** What `Worker.create({ workflowBundle })` takes. */
export interface WorkflowBundle {
  code: string;
}

let cached: Promise<WorkflowBundle> | undefined;

/** The bundle for this run: the global setup's file when there is one, else bundled here. */
export function getWorkflowBundle(): Promise<WorkflowBundle> {
  cached ??= (async () => {
    const prepared = process.env[BUNDLE_PATH_VARIABLE];
    const path = prepared && existsSync(prepared) ? prepared : await prepareWorkflowBundle();
    return { code: await readFile(path, 'utf8') };
  })();
  return cached;
}
