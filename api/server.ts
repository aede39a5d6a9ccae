/**
 * The API process: `npm run api`. Connects lazily, so it starts (and answers 503) even while
 * Temporal is down, and picks the connection up as soon as Temporal is back.
 */
import { Client, Connection } from '@temporalio/client';
import {
  ackLinkSecret,
  apiLimits,
  intakeAdmission,
  readEnvironment,
  readPolicy,
  readRoster,
  readTemporalTarget,
  twilioConfig,
  type Environment,
} from '../config/env';
import { readCalendarData } from '../config/calendar';
import { readDetectionConfig } from '../config/detection';
import { readDrillScenarios } from '../config/drills';
import { createCalendar } from '../domain/calendar';
import { dataConverterFor, readCodecEndpointSettings, readPayloadCodec, readPayloadKeys } from '../config/payload-codec';
import { archiveStoreFor } from '../activities/archive-backend';
import { ApiKeyStore } from './api-keys';
import { createApp, journalDispatch, type TriagedStart } from './app';
import { IntakeJournal } from './intake-journal';
import type { TriageResponse } from '../workflows/contracts';
import type { PagingApiDependencies } from './webhooks';

/**
 * The paging endpoints' dependencies from the environment: the same roster, Twilio auth token,
 * public base URL, link secret and page language the worker pages with (`worker.ts`).
 */
export function pagingApiDependencies(environment: Environment): PagingApiDependencies {
  const policy = readPolicy(environment.POLICY_FILE);
  const twilio = twilioConfig(environment);
  return {
    roster: readRoster(environment.ROSTER_FILE),
    ackLinkSecret: ackLinkSecret(environment),
    language: policy.paging.language,
    timeZone: policy.timeZone,
    ...(twilio ? { twilioAuthToken: twilio.authToken } : {}),
    ...(environment.PUBLIC_BASE_URL ? { publicBaseUrl: environment.PUBLIC_BASE_URL } : {}),
  };
}

async function main(): Promise<void> {
  const environment = readEnvironment();
  const target = readTemporalTarget();
  const connection = Connection.lazy(target.connectionOptions);
  // R-SEC-1: the same payload codec as the worker, or it could not read what the workflows return.
  const codec = readPayloadCodec(process.env);
  const dataConverter = dataConverterFor(codec);
  const client = new Client({ connection, namespace: target.namespace, ...(dataConverter ? { dataConverter } : {}) });
  const policy = readPolicy(environment.POLICY_FILE);
  const admission = intakeAdmission(environment);
  // R-REV-5: the archive file the worker writes; lists, cases and retired incidents read it.
  const payloadKeys = readPayloadKeys(process.env);
  const archive = archiveStoreFor(environment, payloadKeys);
  // Issue 7: reports are accepted once on disk and started from there (api/intake-journal.ts);
  // what an earlier run of the API accepted and did not start is started now.
  const journal =
    environment.INTAKE_JOURNAL_FILE === 'off'
      ? undefined
      : new IntakeJournal<TriagedStart, TriageResponse>({
          path: environment.INTAKE_JOURNAL_FILE,
          dispatch: journalDispatch(client),
          ...(payloadKeys ? { payloadKeys } : {}),
          concurrency: environment.INTAKE_JOURNAL_CONCURRENCY,
          maxBacklog: environment.INTAKE_JOURNAL_MAX_BACKLOG,
        });
  if (journal && journal.backlog > 0) console.log(`intake journal: ${journal.backlog} accepted reports from an earlier run are being started`);
  const app = createApp({
    client,
    namespace: target.namespace,
    // R-SEC-2: always enforced; keys are made with `npm run keys` (or printed by `npm start`).
    auth: { keys: new ApiKeyStore({ path: environment.API_KEYS_FILE }) },
    temporalUiUrl: environment.TEMPORAL_UI_URL,
    paging: pagingApiDependencies(environment),
    detection: readDetectionConfig(environment.DETECTION_FILE),
    // R-REV-4: scenarios validated now, so a bad file stops start-up rather than a drill.
    drills: { scenarios: readDrillScenarios(environment.DRILLS_DIR), roster: readRoster(environment.ROSTER_FILE) },
    // Month boundaries of the review in the policy's zone (R-T-CAL).
    reports: { timeZone: policy.timeZone },
    limits: apiLimits(environment),
    archive,
    ...(admission ? { admission } : {}),
    ...(journal ? { intakeJournal: journal, intakeWaitMs: environment.INTAKE_WAIT_MS } : {}),
    signalWaitMs: environment.SIGNAL_WAIT_MS,
    // Reports are triaged here with the worker's policy and calendar (the same files), issue 7.
    edgeTriage: { policy, calendar: createCalendar(readCalendarData(environment.CALENDAR_FILE), policy.timeZone) },
    ...(codec ? { codecEndpoint: { codec, ...readCodecEndpointSettings(process.env, environment.TEMPORAL_UI_URL) } } : {}),
  });
  // A burst of connections waits in the kernel's accept queue (up to net.core.somaxconn) while the
  // event loop is busy, instead of overflowing Node's default of 511 and being reset.
  const server = app.listen({ port: environment.PORT, backlog: 4096 }, () => {
    console.log(`API listening on http://localhost:${environment.PORT} (Temporal ${target.address}, namespace ${target.namespace})`);
  });
  // Clients that come back after a 503's Retry-After (up to 60 s) reuse their connection: keep it
  // open longer than that, or the server closes it just as the retry is sent (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const stop = () => {
    server.close(() => {
      // The journal first: starts in flight finish (or stay in the file) before the connection goes.
      void Promise.allSettled([journal?.close()])
        .then(() => Promise.allSettled([connection.close(), archive.close()]))
        .finally(() => process.exit(0));
    });
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('api failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
