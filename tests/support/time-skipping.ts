/**
 * The time-skipping test server (`env.sleep('31m')` passes in milliseconds), run from the
 * pinned binary that `install-temporal.mjs` installed rather than the SDK's own download, with
 * the search attributes of `contracts.ts` registered so workflows can upsert them.
 */
import {
  TestWorkflowEnvironment,
  type TimeSkippingTestWorkflowEnvironmentOptions,
} from '@temporalio/testing';
import { searchAttributeIndexedTypes } from '../../scripts/dev-server';
import { ensureTemporalBinaries } from '../../scripts/temporal-binaries';

export type TimeSkippingEnvOptions = Omit<TimeSkippingTestWorkflowEnvironmentOptions, 'server'>;

/** Starts a time-skipping environment; the caller tears it down with `env.teardown()`. */
export async function createTimeSkippingEnv(options: TimeSkippingEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  const { temporalTestServer } = ensureTemporalBinaries();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    ...options,
    server: { executable: { type: 'existing-path', path: temporalTestServer } },
  });
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: searchAttributeIndexedTypes(),
    });
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}
