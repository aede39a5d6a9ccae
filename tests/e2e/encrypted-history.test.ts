// R-SEC-1: with PAYLOAD_KEYS set, the Temporal server holds no personal data in clear. A real dev
// server, a worker and an API with the AES-GCM codec; an incident whose report names a customer,
// a phone number, an ID number and a diagnosis. Read back with a client WITHOUT the codec, the
// raw history contains none of them; the codec client still reads the incident, and the Web
// UI's codec endpoint decrypts a payload for a caller with the token and for no one else.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCodecRouter } from '../../api/codec';
import { dataConverterFor, generatePayloadKeyEntry, readPayloadCodec } from '../../config/payload-codec';
import { stateQuery } from '../../workflows/contracts';
import { startApiStack, type ApiStack } from '../support/api-stack';

const personalData = {
  name: '张三',
  phone: '13912345678',
  idNumber: '11010519491231002X',
  diagnosis: '胃癌',
};

const codec = readPayloadCodec({ PAYLOAD_KEYS: `${generatePayloadKeyEntry('k2')},${generatePayloadKeyEntry('k1')}` })!;
const dataConverter = dataConverterFor(codec)!;
const authToken = 'codec-token-for-the-test-0123456789';
const uiOrigin = 'http://localhost:8233';

let stack: ApiStack;
let base: string;
let client: Client;
let rawClient: Client;

beforeAll(async () => {
  // The codec endpoint is mounted by createApp ahead of its 64 kB JSON parser.
  stack = await startApiStack({
    dataConverter,
    appDependencies: { temporalUiUrl: uiOrigin, codecEndpoint: { codec, authToken, corsOrigins: [uiOrigin] } },
  });
  base = stack.base;
  client = stack.client;
  rawClient = new Client({ connection: stack.connection, namespace: 'default' });
});

afterAll(() => stack?.stop());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Every byte of the history as the server stores and serves it, read as UTF-8 and as Latin-1. */
function searchableForms(history: temporal.api.history.v1.IHistory): string[] {
  const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  return [bytes.toString('utf8'), bytes.toString('latin1')];
}

test('the raw history holds no name, phone number, ID number or diagnosis; the codec client reads them all', async () => {
  const created = await post(
    '/incidents',
    {
      title: `客户${personalData.name}投诉理赔拒付`,
      description: `客户${personalData.name}（电话 ${personalData.phone}，身份证 ${personalData.idNumber}）诊断为${personalData.diagnosis}，理赔被拒，扬言向监管投诉。`,
      source: 'hotline',
      reporter: 'agent-li',
      facts: { claimId: 'CLM-2026-009001' },
    },
    { authorization: `Bearer ${stack.keys.support}` },
  );
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect(id).toMatch(/^INC-[0-9A-Z]{12}$/); // no personal data in the workflow id
  const noted = await post(`/incidents/${id}/notes`, { text: `已致电 ${personalData.phone} 联系${personalData.name}` }, { authorization: `Bearer ${stack.keys.oncall}` });
  expect(noted.status).toBe(200);

  // The codec client (as the API uses it) reads the incident in clear.
  const state = await client.workflow.getHandle(id).query(stateQuery);
  expect(state.report.description).toContain(personalData.idNumber);
  expect(state.report.description).toContain(personalData.diagnosis);

  // The same history, fetched by a client without the codec: ciphertext only.
  const { history } = await rawClient.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: id } });
  expect(history?.events?.length).toBeGreaterThan(5);
  const raw = Buffer.from(temporal.api.history.v1.History.encode(history!).finish());
  for (const value of Object.values(personalData)) expect(raw.includes(Buffer.from(value, 'utf8'))).toBe(false);
  for (const form of searchableForms(history!)) {
    for (const value of Object.values(personalData)) expect(form).not.toContain(value);
  }
  // …and the payloads in it are the codec's, not clear JSON.
  const input = history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');
  expect(Buffer.from(input.metadata!['encryption-key-id']!).toString()).toBe('k2');
  // The codec-less client cannot make sense of the state either.
  await expect(rawClient.workflow.getHandle(id).query(stateQuery)).rejects.toThrow();

  // The Web UI's codec endpoint: decrypts for a caller with the token…
  const asJson = {
    metadata: Object.fromEntries(Object.entries(input.metadata!).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    data: Buffer.from(input.data!).toString('base64'),
  };
  const decoded = await post('/codec/decode', { payloads: [asJson] }, { authorization: `Bearer ${authToken}`, origin: uiOrigin, 'x-namespace': 'default' });
  expect(decoded.status).toBe(200);
  expect(decoded.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  const clear = decoded.body.payloads[0] as { metadata: Record<string, string>; data: string };
  const value = defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(Object.entries(clear.metadata).map(([key, v]) => [key, Buffer.from(v, 'base64')])),
    data: Buffer.from(clear.data, 'base64'),
  });
  expect(JSON.stringify(value)).toContain(personalData.phone);

  // …and for no one else.
  expect((await post('/codec/decode', { payloads: [asJson] })).status).toBe(401);
  expect((await post('/codec/decode', { payloads: [asJson] }, { authorization: 'Bearer not-the-token' })).status).toBe(401);
  expect((await post('/codec/encode', { payloads: [] }, { authorization: 'Bearer not-the-token' })).status).toBe(401);

  // The endpoint round-trips through encode too (the UI encodes signal input it sends).
  const reencoded = await post('/codec/encode', { payloads: [clear] }, { authorization: `Bearer ${authToken}` });
  expect(reencoded.status).toBe(200);
  expect(Buffer.from(reencoded.body.payloads[0].data, 'base64').toString('utf8')).not.toContain(personalData.phone);
});

test('the codec endpoint answers the Web UI preflight, and is off (404) without a token configured', async () => {
  const preflight = await fetch(`${base}/codec/decode`, {
    method: 'OPTIONS',
    headers: { origin: uiOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);

  const off = express().use(createCodecRouter({ codec })).listen(0);
  try {
    const response = await fetch(`http://127.0.0.1:${(off.address() as AddressInfo).port}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${authToken}` },
      body: JSON.stringify({ payloads: [] }),
    });
    expect(response.status).toBe(404);
  } finally {
    off.close();
  }
});
