/**
 * The worker as its own process, for the fault suite: the same dependencies `worker.ts` builds
 * from the environment (policy, roster, SMTP, Twilio, sent ledger, payload keys), over the
 * workflow bundle the Jest run prepared once (`WORKFLOW_BUNDLE_PATH`), so a restart after a
 * SIGKILL takes seconds rather than a fresh bundle. Prints `worker ready` once it polls.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { CustomerNoticeOutbox } from '../../activities/customer-notices';
import { readDetectionConfig } from '../../config/detection';
import { readEnvironment, readTemporalTarget } from '../../config/env';
import { dataConverterFor, readPayloadCodec } from '../../config/payload-codec';
import { buildDependencies, createIncidentWorker } from '../../worker';
import { BUNDLE_PATH_VARIABLE } from '../support/bundle';

async function main(): Promise<void> {
  const environment = readEnvironment();
  const bundlePath = process.env[BUNDLE_PATH_VARIABLE];
  const target = readTemporalTarget();
  const connection = await NativeConnection.connect(target.connectionOptions);
  const dataConverter = dataConverterFor(readPayloadCodec(process.env));
  const worker = await createIncidentWorker({
    connection,
    namespace: target.namespace,
    dependencies: buildDependencies(),
    detection: readDetectionConfig(environment.DETECTION_FILE),
    customerNotices: new CustomerNoticeOutbox(resolve(environment.CUSTOMER_NOTICES_FILE)),
    ...(bundlePath ? { workflowBundle: { code: readFileSync(bundlePath, 'utf8') } } : {}),
    ...(dataConverter ? { dataConverter } : {}),
  });
  const running = worker.run();
  console.log('worker ready');
  await running;
  await connection.close();
}

main().catch((err: unknown) => {
  console.error('worker failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
