/**
 * Jest global teardown: keeps this run's workflow bundle for the next run (it is named by the
 * hash of its sources) and removes this checkout's older ones from the temp folder.
 */
import { rm } from 'node:fs/promises';
import { BUNDLE_PATH_VARIABLE, staleBundlePaths } from './bundle';

export default async function globalTeardown(): Promise<void> {
  const stale = staleBundlePaths(process.env[BUNDLE_PATH_VARIABLE]);
  await Promise.all(stale.map((path) => rm(path, { force: true })));
}
