// Issue 7 (detection at scale): one attempt of a detection activity ends its calls to Temporal
// by one deadline, before the activities' own 1-minute timeout, so an attempt the server has
// given up on does not keep its worker slot while Temporal runs the retry. Against the real dev
// server: the incident opens on a task queue no worker polls (a worker that is down), so the
// update that attaches the event, and the query that checks the incident after it, are never
// answered. Without the bound the attempt waits for them for as long as the server lets it.
import { Client, Connection } from '@temporalio/client';
import type { CustomerNoticeSender } from '../../activities/customer-notices';
import { CALL_BOUND_MS, createDetectionActivities } from '../../activities/detection';
import { readCalendarData } from '../../config/calendar';
import { createCalendar } from '../../domain/calendar';
import { defaultDetectionConfig } from '../../domain/detection-config';
import { DEFAULT_POLICY } from '../../domain/policy';
import { startTestDevServer, type TestDevServer } from '../support/dev-server';

const BOUND_MS = 2_000;

let server: TestDevServer;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  server = await startTestDevServer();
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
}, 120_000);

afterAll(async () => {
  await connection?.close();
  await server?.stop();
});

function activities(callBoundMs?: number) {
  return createDetectionActivities({
    client,
    taskQueue: 'no-worker-polls-this-queue',
    policy: DEFAULT_POLICY,
    calendar: createCalendar(readCalendarData(), DEFAULT_POLICY.timeZone),
    detection: defaultDetectionConfig(),
    notifier: { deliver: async () => ({ duplicate: false, channel: 'none' }) },
    customerNotices: {} as CustomerNoticeSender,
    ...(callBoundMs === undefined ? {} : { callBoundMs }),
  });
}

const input = (n: number) => ({
  report: {
    title: 'Payout delayed',
    description: 'The payout of the claim is three weeks late and nobody answers the customer.',
    source: 'ticket' as const,
    facts: { claimId: `CLM-BOUND-${n}` },
    reporter: 'detection',
    drill: false,
  },
  duplicateKeys: [`bound-test|${n}|${Date.now()}`],
  eventRef: `ticket:TCK-BOUND-${n}`,
  links: [],
  raiseSeverityTo: 'minor' as const,
});

test('the default bound is under the activities’ 1-minute start-to-close timeout', () => {
  expect(CALL_BOUND_MS).toBeLessThan(60_000);
});

test('an attempt whose update and query nobody answers ends at its bound, with a deadline error, and leaves the incident it opened', async () => {
  const started = Date.now();
  const outcome = await activities(BOUND_MS)
    .openOrAttachIncident(input(1))
    .then(
      () => 'resolved',
      (err: unknown) => err,
    );
  const elapsed = Date.now() - started;
  // Rejected (Temporal retries the activity), at the bound: every call of the attempt shares it.
  expect(outcome).toBeInstanceOf(Error);
  expect(String((outcome as Error).message) + String((outcome as Error).cause ?? '')).toMatch(/deadline|timeout/i);
  expect(elapsed).toBeGreaterThanOrEqual(BOUND_MS - 100);
  expect(elapsed).toBeLessThan(BOUND_MS + 8_000);
  // Nothing lost: the incident the attempt opened is there for the retry to attach to.
  const opened = [];
  for await (const execution of client.workflow.list({ query: `WorkflowType = 'incidentWorkflow' AND TaskQueue = 'no-worker-polls-this-queue'` })) opened.push(execution.status.name);
  expect(opened).toEqual(['RUNNING']);
}, 30_000);
