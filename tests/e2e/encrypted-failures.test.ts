// R-SEC-1: failure messages are payloads too. With PAYLOAD_KEYS set, a failure whose message
// quotes a customer's name, phone number, ID number and diagnosis — raised in an activity (and
// retried) or in workflow code — reaches the Temporal server only as ciphertext: the raw history
// holds none of it, while a client with the codec reads the message back whole. The worker, the
// workflow bundle and the clients use the engine's own `dataConverterFor`.
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH, dataConverterFor, generatePayloadKeyEntry, readPayloadCodec } from '../../config/payload-codec';
import { startTestDevServer, type TestDevServer } from '../support/dev-server';
import type { FailingActivities } from './fixtures/failing-workflows';

const personalData = { name: '张三', phone: '13912345678', idNumber: '11010519491231002X', diagnosis: '胃癌' };
const text = `客户${personalData.name}（电话 ${personalData.phone}，身份证 ${personalData.idNumber}）诊断${personalData.diagnosis}`;

const codec = readPayloadCodec({ PAYLOAD_KEYS: generatePayloadKeyEntry('k1') })!;
const dataConverter = dataConverterFor(codec)!;

let server: TestDevServer;
let connection: Connection;
let nativeConnection: NativeConnection;
let worker: Worker;
let workerRun: Promise<void>;
let client: Client;
let rawClient: Client;

beforeAll(async () => {
  server = await startTestDevServer();
  nativeConnection = await NativeConnection.connect({ address: server.address });
  const activities: FailingActivities = {
    async lookUpCustomer(value) {
      throw new Error(`no customer record matches ${value}`);
    },
  };
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./fixtures/failing-workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  worker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue: 'encrypted-failures',
    workflowBundle: { code },
    activities,
    dataConverter,
  });
  workerRun = worker.run();
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: 'default', dataConverter });
  rawClient = new Client({ connection, namespace: 'default' });
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await connection?.close();
  await nativeConnection?.close();
  await server?.stop();
});

const { EventType } = temporal.api.enums.v1;

/** The history as the server stores it, and the types of its events. */
async function rawHistory(workflowId: string): Promise<{ raw: Buffer; types: number[] }> {
  const { history } = await rawClient.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
  return {
    raw: Buffer.from(temporal.api.history.v1.History.encode(history!).finish()),
    types: (history?.events ?? []).map((event) => Number(event.eventType)),
  };
}

function expectNoPersonalData(raw: Buffer): void {
  for (const value of Object.values(personalData)) {
    expect({ value, found: raw.includes(Buffer.from(value, 'utf8')) }).toEqual({ value, found: false });
  }
  expect(raw.toString('latin1')).toContain('Encoded failure');
}

test('an activity failure quoting personal data is ciphertext in the raw history; the codec client reads it', async () => {
  const handle = await client.workflow.start('failingActivityWorkflow', { taskQueue: 'encrypted-failures', workflowId: 'failing-activity-1', args: [text] });
  const error = await handle.result().catch((err: unknown) => err);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const activityFailure = (error as WorkflowFailedError).cause;
  expect(activityFailure).toBeInstanceOf(ActivityFailure);
  expect((activityFailure as ActivityFailure).cause?.message).toBe(`no customer record matches ${text}`);

  const { raw, types } = await rawHistory('failing-activity-1');
  expect(types).toContain(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
  expect(types).toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
  expectNoPersonalData(raw);
});

test('a workflow failure quoting personal data is ciphertext in the raw history; the codec client reads it', async () => {
  const handle = await client.workflow.start('failingWorkflow', { taskQueue: 'encrypted-failures', workflowId: 'failing-workflow-1', args: [text] });
  const error = await handle.result().catch((err: unknown) => err);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause?.message).toBe(`cannot open an incident for ${text}`);
  const { raw, types } = await rawHistory('failing-workflow-1');
  expect(types).toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
  expectNoPersonalData(raw);
});
