// Acknowledge and resolve from the page itself, against the real dev server and a real worker:
// Twilio's SMS and voice webhooks (signed the way Twilio signs them), the e-mail link, /oncall.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createApp, incidentIdFor } from '../../api/app';
import { createChannels, readOutboxEntries, type OutboxEntry } from '../../activities/channels';
import { MemorySentLedger, RosterNotifier, signAckToken, type PagingDependencies } from '../../activities/paging';
import { readCalendarData } from '../../config/calendar';
import { createCalendar } from '../../domain/calendar';
import { planResponse } from '../../domain/deadlines';
import { maskContact } from '../../domain/message';
import { DEFAULT_POLICY } from '../../domain/policy';
import type { Person } from '../../domain/roster';
import type { incidentWorkflow } from '../../workflows/incident';
import {
  TASK_QUEUE,
  ackCodeKey,
  categoryKey,
  severityKey,
  stateQuery,
  statusKey,
  type IncidentState,
} from '../../workflows/contracts';
import { createIncidentWorker } from '../../worker';
import { getWorkflowBundle } from '../support/bundle';
import { startTestDevServer } from '../support/dev-server';
import { inboundSmsParams, postTwilioWebhook, signTwilioWebhook } from '../support/twilio-fake';
import { PEOPLE, ROSTER } from './paging-roster';
import { testArchive } from '../support/archive';
import { createTestKeys } from '../support/api-keys';

/** Reports go in with a manager's key (R-SEC-2); the webhooks carry Twilio's signature instead. */
const keys = createTestKeys();

const ACCOUNT_SID = 'AC' + '5'.repeat(32);
const AUTH_TOKEN = 'webhook-test-auth-token-0123456789';
const TWILIO_NUMBER = '+15005550006';
const ACK_SECRET = 'ack-link-secret-for-the-webhook-tests';
const STRANGER = '+8613712345678';

let devServer: Awaited<ReturnType<typeof startTestDevServer>>;
let connection: Connection;
let nativeConnection: NativeConnection;
let worker: Worker;
let workerRun: Promise<void>;
let client: Client;
let http: Server;
let base: string;
const outboxPath = join(mkdtempSync(join(tmpdir(), 'twilio-webhooks-')), 'outbox.jsonl');

const complaint = {
  title: '客户对理赔结果强烈质疑，扬言投诉',
  description: '客户来电称理赔金额计算错误，强烈质疑审核结果，表示将向监管投诉。',
  source: 'hotline',
  reporter: 'agent-li',
};
const outage = {
  title: '理赔核心系统宕机，客户无法提交理赔',
  description: '理赔核心系统自 9:00 起无法访问，新理赔无法提交，约 120 件理赔受影响。',
  source: 'system-alert',
  reporter: 'monitor',
  facts: { system: 'claims-core', affectedClaims: 120 },
};

beforeAll(async () => {
  devServer = await startTestDevServer();
  // Listen first: the public base URL goes into the pages the worker sends.
  http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  nativeConnection = await NativeConnection.connect({ address: devServer.address });
  const paging: PagingDependencies = {
    roster: ROSTER,
    channels: createChannels({ outboxPath, log: () => undefined }),
    ledger: new MemorySentLedger(),
    publicBaseUrl: base,
    ackLinkSecret: ACK_SECRET,
  };
  worker = await createIncidentWorker({
    connection: nativeConnection,
    namespace: 'default',
    workflowBundle: await getWorkflowBundle(),
    dependencies: {
      policy: DEFAULT_POLICY,
      calendar: createCalendar(readCalendarData()),
      notifier: new RosterNotifier(paging),
      paging,
      archive: testArchive().dependencies,
    },
  });
  workerRun = worker.run();
  connection = await Connection.connect({ address: devServer.address });
  client = new Client({ connection, namespace: 'default' });
  const app = createApp({
    client,
    namespace: 'default',
    temporalUiUrl: 'http://localhost:8233',
    auth: { keys: keys.store },
    paging: { roster: ROSTER, twilioAuthToken: AUTH_TOKEN, publicBaseUrl: base, ackLinkSecret: ACK_SECRET },
  });
  http.on('request', app);
});

afterAll(async () => {
  http?.closeAllConnections();
  http?.close();
  worker?.shutdown();
  await workerRun;
  await connection?.close();
  await nativeConnection?.close();
  await devServer?.stop();
});

// ——— helpers ———

async function waitFor<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function stateOf(id: string): Promise<IncidentState> {
  return client.workflow.getHandle<typeof incidentWorkflow>(id).query(stateQuery);
}

/**
 * Opens an incident over the API; waits until visibility lists its code (replies search by it).
 * Codes are random 4-digit numbers and earlier tests leave incidents open, so two of this file's
 * incidents can share one (then a bare "ACK <code>" is rightly answered as ambiguous). The tests
 * that use open() are about one incident, so a draw that collides is terminated and drawn again.
 */
async function open(report: object): Promise<IncidentState> {
  for (let draw = 1; ; draw++) {
    const response = await fetch(`${base}/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...keys.as('manager') },
      body: JSON.stringify(report),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const state = await stateOf(id);
    let shared = false;
    await waitUntilListed(state.ackCode, (ids) => {
      shared = ids.some((other) => other !== id);
      return ids.includes(id);
    });
    if (!shared) return state;
    if (draw >= 5) throw new Error(`five draws in a row shared an ack code with an open incident (last ${state.ackCode})`);
    await client.workflow.getHandle(id).terminate('test: ack code shared with another open incident');
  }
}

async function waitUntilListed(code: string, done: (ids: string[]) => boolean): Promise<void> {
  const query = `IncidentAckCode = '${code}' AND IncidentStatus != 'resolved' AND ExecutionStatus = 'Running'`;
  await waitFor(async () => {
    const ids: string[] = [];
    for await (const info of client.workflow.list({ query })) ids.push(info.workflowId);
    return done(ids) ? true : undefined;
  }, `visibility for code ${code}`);
}

/** An SMS reply as Twilio posts it; answers the status and the text of the TwiML reply. */
async function reply(from: string, body: string): Promise<{ status: number; message: string; xml: string }> {
  const params = inboundSmsParams({ accountSid: ACCOUNT_SID, from, to: TWILIO_NUMBER, body });
  const response = await postTwilioWebhook(`${base}/webhooks/twilio/sms`, params, AUTH_TOKEN);
  const xml = await response.text();
  return { status: response.status, message: /<Message>([\s\S]*)<\/Message>/.exec(xml)?.[1] ?? '', xml };
}

function acknowledgement(state: IncidentState) {
  return state.timeline.find((entry) => entry.type === 'acknowledged');
}

async function outboxPage(id: string, personId: string, channel: OutboxEntry['channel']): Promise<OutboxEntry> {
  return waitFor(
    async () => (await readOutboxEntries(outboxPath)).find((e) => e.channel === channel && e.key.startsWith(`${id}:triage:`) && e.key.includes(`:${personId}:`)),
    `the ${channel} page to ${personId}`,
  );
}

/**
 * Starts an incident workflow whose state is given, as continue-as-new would: the only way to
 * give two open incidents the same code on purpose (real codes are random). The 5-digit code
 * cannot collide with the random 4-digit ones.
 */
async function startWithCode(template: IncidentState, code: string, pagedBy?: Person): Promise<string> {
  const id = incidentIdFor();
  const { acknowledgedBy: _ignored, ...rest } = template;
  const timeline = template.timeline.filter((e) => e.type === 'reported' || e.type === 'triaged');
  if (pagedBy?.mobile) {
    timeline.push({
      seq: 50,
      at: new Date().toISOString(),
      type: 'paged',
      actor: 'system',
      text: `${pagedBy.id} via sms`,
      data: { type: 'paged', runKey: 'triage', personId: pagedBy.id, channel: 'sms', to: maskContact(pagedBy.mobile), duplicate: false },
    });
  }
  const state: IncidentState = { ...rest, id, ackCode: code, status: 'triggered', pagingRuns: [], timeline };
  const plan = planResponse(new Date(state.reportedAt), state.category!, DEFAULT_POLICY, createCalendar(readCalendarData()));
  await client.workflow.start('incidentWorkflow', {
    workflowId: id,
    taskQueue: TASK_QUEUE,
    args: [{ id, report: state.report, reportedAt: state.reportedAt, carried: { state, plan, nextSeq: 100 } }],
    typedSearchAttributes: [
      { key: statusKey, value: 'triggered' },
      { key: ackCodeKey, value: code },
      { key: categoryKey, value: state.category! },
      { key: severityKey, value: state.severity! },
    ],
  });
  return id;
}

// ——— SMS ———

test('webhooks refuse with 403 any request whose X-Twilio-Signature does not validate, and change nothing', async () => {
  const incident = await open(complaint);
  const url = `${base}/webhooks/twilio/sms`;
  const params = inboundSmsParams({ accountSid: ACCOUNT_SID, from: PEOPLE.claimsHe.mobile, to: TWILIO_NUMBER, body: `ACK ${incident.ackCode}` });

  const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
  expect(unsigned.status).toBe(403);
  expect((await postTwilioWebhook(url, params, 'not-the-auth-token-0123456789')).status).toBe(403);
  // Signed for one body, sent with another (ACK turned into RES on the way).
  const tampered = { ...params, Body: `RES ${incident.ackCode}` };
  expect((await postTwilioWebhook(url, tampered, AUTH_TOKEN, signTwilioWebhook(AUTH_TOKEN, url, params))).status).toBe(403);
  // Signed for another URL.
  expect((await postTwilioWebhook(url, params, AUTH_TOKEN, signTwilioWebhook(AUTH_TOKEN, `${base}/elsewhere`, params))).status).toBe(403);

  const voiceUrl = `${base}/webhooks/twilio/voice?incident=${incident.id}&lang=zh`;
  expect((await fetch(voiceUrl)).status).toBe(403);
  // A signature for another incident's call does not open this one.
  const other = signTwilioWebhook(AUTH_TOKEN, `${base}/webhooks/twilio/voice?incident=INC-000000000000&lang=zh`, {});
  expect((await fetch(voiceUrl, { headers: { 'x-twilio-signature': other } })).status).toBe(403);
  const gather = `${base}/webhooks/twilio/voice/gather?incident=${incident.id}&lang=zh`;
  expect((await postTwilioWebhook(gather, { Digits: '1' }, 'not-the-auth-token-0123456789')).status).toBe(403);

  expect((await stateOf(incident.id)).status).toBe('triggered');
});

test('ACK and RES replies, as people type them, acknowledge and resolve as the roster person; repeats say what already happened', async () => {
  const incident = await open(complaint);
  const lead = PEOPLE.claimsHe;
  // The lead was paged by SMS with the code to reply with.
  const page = await outboxPage(incident.id, lead.id, 'sms');
  expect(page.body).toContain(`ACK ${incident.ackCode}`);

  const ack = await reply(lead.mobile, `  ack#${incident.ackCode} 收到，马上处理`);
  expect(ack.status).toBe(200);
  expect(ack.xml).toMatch(/^<\?xml[^>]*\?><Response><Message>/);
  expect(ack.message).toContain(`已确认事件 ${incident.id}`);
  expect(ack.message).toContain(lead.name);
  let state = await stateOf(incident.id);
  expect(state).toMatchObject({ status: 'acknowledged', acknowledgedBy: lead.name });
  expect(acknowledgement(state)?.actor).toBe(lead.name);

  // Full-width letters, space and digits, as a Chinese input method types them.
  const fullWidth = (text: string) => text.replace(/[0-9A-Z ]/g, (c) => (c === ' ' ? '\u3000' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));
  const again = await reply(lead.mobile, fullWidth(`ACK ${incident.ackCode}`));
  expect(again.status).toBe(200);
  expect(again.message).toBe(`事件 ${incident.id} 已由 ${lead.name} 确认，无需重复确认。`);

  const resolved = await reply(lead.mobile, `解决 ${incident.ackCode}`);
  expect(resolved.message).toBe(`事件 ${incident.id} 已由 ${lead.name} 标记为解决。`);
  state = await stateOf(incident.id);
  expect(state.status).toBe('resolved');
  expect(state.resolution).toBe(`resolved by SMS reply from ${lead.name}`);
  expect(state.timeline.find((e) => e.type === 'resolved')?.actor).toBe(lead.name);

  // A resolved incident's code no longer matches anything open.
  await waitUntilListed(incident.ackCode, (ids) => !ids.includes(incident.id));
  const late = await reply(lead.mobile, `RES ${incident.ackCode}`);
  expect(late.status).toBe(200);
  expect(late.message).toContain(`未找到确认码 ${incident.ackCode} 对应的未结事件`);
});

test('a number not on the roster acts under its masked number; unknown codes and other texts get an answer, never an error', async () => {
  const incident = await open(complaint);
  const ack = await reply(STRANGER, `确认 ${incident.ackCode}`);
  expect(ack.message).toContain(`已确认事件 ${incident.id}（+86137****5678）`);
  const state = await stateOf(incident.id);
  expect(acknowledgement(state)?.actor).toBe('+86137****5678');
  expect(JSON.stringify(state)).not.toContain(STRANGER.slice(1));
  // Resolving closes the incident for everyone: a number not on the roster may not.
  const resolveAttempt = await reply(STRANGER, `RES ${incident.ackCode}`);
  expect(resolveAttempt.message).toBe('仅值班名单中的人员可以通过短信解决事件。');
  expect((await stateOf(incident.id)).status).toBe('acknowledged');

  const unknown = await reply(PEOPLE.claimsHe.mobile, 'ACK 99999');
  expect(unknown.status).toBe(200);
  expect(unknown.message).toBe('未找到确认码 99999 对应的未结事件，请核对通知中的确认码。');
  const chatter = await reply(PEOPLE.claimsHe.mobile, '收到，谢谢');
  expect(chatter.status).toBe(200);
  expect(chatter.message).toContain('确认请回复 ACK 加确认码');
  const noSuchIncident = await reply(PEOPLE.claimsHe.mobile, 'ack inc-000000000000');
  expect(noSuchIncident.message).toBe('未找到事件 INC-000000000000。');
});

test('a code shared by several open incidents acknowledges the one that paged the sender; otherwise the reply asks for the incident id', async () => {
  const template = await stateOf((await open(complaint)).id);
  const code = '73519';
  const pagedTheLead = await startWithCode(template, code, PEOPLE.claimsHe);
  const pagedSomeoneElse = await startWithCode(template, code, PEOPLE.csLin);
  await waitUntilListed(code, (ids) => ids.includes(pagedTheLead) && ids.includes(pagedSomeoneElse));

  // A stranger is told to name the incident, and is not told which incidents exist.
  const stranger = await reply(STRANGER, `ACK ${code}`);
  expect(stranger.message).toBe(`确认码 ${code} 对应多个未结事件，请回复 ACK 加事件编号，如 ACK INC-XXXXXXXXXXXX。`);
  // Someone on the roster whom neither paged gets the candidates listed.
  const manager = await reply(PEOPLE.mgmtGao.mobile, `RES ${code}`);
  expect(manager.message).toContain([pagedTheLead, pagedSomeoneElse].sort().join('、'));
  expect((await stateOf(pagedTheLead)).status).toBe('triggered');
  expect((await stateOf(pagedSomeoneElse)).status).toBe('triggered');

  const lead = await reply(PEOPLE.claimsHe.mobile, `ACK ${code}`);
  expect(lead.message).toContain(`已确认事件 ${pagedTheLead}`);
  expect((await stateOf(pagedTheLead)).acknowledgedBy).toBe(PEOPLE.claimsHe.name);
  expect((await stateOf(pagedSomeoneElse)).status).toBe('triggered');

  const byId = await reply(PEOPLE.csLin.mobile, `ack ${pagedSomeoneElse.toLowerCase()}`);
  expect(byId.message).toContain(`已确认事件 ${pagedSomeoneElse}（${PEOPLE.csLin.name}）`);
  expect((await stateOf(pagedSomeoneElse)).acknowledgedBy).toBe(PEOPLE.csLin.name);
});

// ——— voice ———

test('a page call reads the incident without personal data; 2 escalates now, 1 acknowledges', async () => {
  const incident = await open(outage);
  expect(incident).toMatchObject({ category: 'system', severity: 'major' });
  const engineer = PEOPLE.techSun;
  // The page call's TwiML URL is the voice webhook (PUBLIC_BASE_URL is set).
  const call = await outboxPage(incident.id, engineer.id, 'voice');
  const twimlUrl = `${base}/webhooks/twilio/voice?incident=${incident.id}&lang=zh`;
  expect(call.body).toBe(twimlUrl);

  // Twilio fetches it with a POST carrying the call's parameters.
  const callParams = { AccountSid: ACCOUNT_SID, CallSid: 'CA' + '1'.repeat(32), From: TWILIO_NUMBER, To: engineer.mobile, CallStatus: 'in-progress', Direction: 'outbound-api', ApiVersion: '2010-04-01' };
  const read = await postTwilioWebhook(twimlUrl, callParams, AUTH_TOKEN);
  expect(read.status).toBe(200);
  expect(read.headers.get('content-type')).toMatch(/^text\/xml/);
  const twiml = await read.text();
  const gatherUrl = `${base}/webhooks/twilio/voice/gather?incident=${incident.id}&lang=zh`;
  expect(twiml).toContain(`<Gather numDigits="1" action="${gatherUrl.replace('&', '&amp;')}" method="POST"`);
  expect(twiml).toContain('重大，系统类事件');
  expect(twiml).toContain(`确认码 ${incident.ackCode.split('').join(' ')}`);
  expect(twiml).toContain('如需立即升级，请按 2。');
  expect(twiml).not.toMatch(/\d{7,}/);
  // GET, as a number configured for GET would fetch it, reads the same.
  const viaGet = await fetch(twimlUrl, { headers: { 'x-twilio-signature': signTwilioWebhook(AUTH_TOKEN, twimlUrl, {}) } });
  expect(await viaGet.text()).toBe(twiml);

  const press = async (digits: string) => {
    const response = await postTwilioWebhook(gatherUrl, { ...callParams, Digits: digits }, AUTH_TOKEN);
    expect(response.status).toBe(200);
    return response.text();
  };
  expect(await press('7')).toContain(`<Redirect method="POST">${twimlUrl.replace('&', '&amp;')}</Redirect>`);
  expect(await press('2')).toContain('已升级，正在通知下一级值班人员。');
  let state = await stateOf(incident.id);
  expect(state.timeline.find((e) => e.type === 'escalated' && e.data?.manual)).toMatchObject({ actor: engineer.name });
  expect(state.status).toBe('triggered');

  expect(await press('1')).toContain('已确认，后续通知已停止。');
  state = await stateOf(incident.id);
  expect(state).toMatchObject({ status: 'acknowledged', acknowledgedBy: engineer.name });
  expect(await press('2')).toContain(`该事件已由 ${engineer.name} 确认。`);

  // A later call (another person's follow-up) says it is handled and offers no keys.
  const after = await (await postTwilioWebhook(twimlUrl, callParams, AUTH_TOKEN)).text();
  expect(after).toContain(`该事件已由 ${engineer.name} 确认。`);
  expect(after).not.toContain('<Gather');
});

// ——— e-mail links ———

test('the link in an e-mail page acknowledges as its person once; expired → 410; forged, altered or orphaned → 403', async () => {
  const incident = await open(complaint);
  const other = await open(complaint);
  const lead = PEOPLE.claimsHe;
  const email = await outboxPage(incident.id, lead.id, 'email');
  const link = /确认链接：(\S+)/.exec(email.body)?.[1];
  expect(link).toMatch(new RegExp(`^${base}/ack/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
  const token = link!.slice(`${base}/ack/`.length);

  // Altered to name another incident, keeping the signature: refused, the other stays open.
  const payload = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { incidentId: string };
  expect(payload.incidentId).toBe(incident.id);
  const altered = `${Buffer.from(JSON.stringify({ ...payload, incidentId: other.id })).toString('base64url')}.${token.split('.')[1]}`;
  const alteredAnswer = await fetch(`${base}/ack/${altered}`);
  expect(alteredAnswer.status).toBe(403);
  expect((await stateOf(other.id)).status).toBe('triggered');

  const forged = signAckToken('some-other-secret-0123456789', { incidentId: other.id, personId: lead.id, expiresAt: Date.now() + 60_000 });
  expect((await fetch(`${base}/ack/${forged}`)).status).toBe(403);
  expect((await fetch(`${base}/ack/not-a-token`)).status).toBe(403);
  const orphaned = signAckToken(ACK_SECRET, { incidentId: other.id, personId: 'left-the-company', expiresAt: Date.now() + 60_000 });
  expect((await fetch(`${base}/ack/${orphaned}`)).status).toBe(403);
  const expired = signAckToken(ACK_SECRET, { incidentId: other.id, personId: lead.id, expiresAt: Date.now() - 1 });
  const expiredAnswer = await fetch(`${base}/ack/${expired}`);
  expect(expiredAnswer.status).toBe(410);
  expect(await expiredAnswer.text()).toContain('该确认链接已过期');
  expect((await stateOf(other.id)).status).toBe('triggered');

  const clicked = await fetch(link!);
  expect(clicked.status).toBe(200);
  expect(clicked.headers.get('content-type')).toMatch(/^text\/html/);
  expect(clicked.headers.get('cache-control')).toBe('no-store');
  expect(clicked.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await clicked.text()).toContain(`已确认事件 ${incident.id}（${lead.name}）`);
  const state = await stateOf(incident.id);
  expect(state).toMatchObject({ status: 'acknowledged', acknowledgedBy: lead.name });

  const replayed = await fetch(link!);
  expect(replayed.status).toBe(200);
  expect(await replayed.text()).toContain(`事件 ${incident.id} 已由 ${lead.name} 确认，无需重复确认。`);
  expect((await stateOf(incident.id)).timeline.filter((e) => e.type === 'acknowledged')).toHaveLength(1);
});

// ——— who is on call ———

test('GET /oncall names who is on call for each line, how they are paged (masked) and until when', async () => {
  // Wednesday 10:00 in Shanghai: customer service is in week A of its rotation.
  const response = await fetch(`${base}/oncall?at=2026-03-04T10:00:00%2B08:00`, { headers: keys.as('oncall') });
  expect(response.status).toBe(200);
  const text = await response.text();
  const body = JSON.parse(text) as { at: string; teams: { team: string; onCall: unknown[] }[] };
  expect(body.at).toBe('2026-03-04T02:00:00.000Z');
  expect(body.teams.map((t) => t.team)).toEqual(['customer-service', 'claims', 'technology', 'management']);
  const nextHandoff = '2026-03-09T01:00:00.000Z'; // Monday 09:00 in Shanghai
  expect(body.teams[0]!.onCall).toEqual([
    { personId: 'cs-lin', name: PEOPLE.csLin.name, until: nextHandoff, channels: [{ channel: 'sms', afterMinutes: 0, to: '+86139****0001' }] },
  ]);
  expect(body.teams[1]!.onCall).toEqual([
    {
      personId: 'claims-he',
      name: PEOPLE.claimsHe.name,
      until: nextHandoff,
      channels: [
        { channel: 'sms', afterMinutes: 0, to: '+86139****0002' },
        { channel: 'email', afterMinutes: 0, to: 'h***g@example.com' },
      ],
    },
  ]);
  // R-SEC-1: no number or address in full.
  for (const person of Object.values(PEOPLE)) {
    expect(text).not.toContain(person.mobile.slice(1));
    if ('email' in person) expect(text).not.toContain(person.email);
  }
  // The next week, the rotation has moved on.
  const nextWeek = (await (await fetch(`${base}/oncall?at=${encodeURIComponent(nextHandoff)}`, { headers: keys.as('oncall') })).json()) as typeof body;
  expect(nextWeek.teams[0]!.onCall).toMatchObject([{ personId: 'cs-ma' }]);

  const now = (await (await fetch(`${base}/oncall`, { headers: keys.as('oncall') })).json()) as typeof body;
  expect(Math.abs(Date.parse(now.at) - Date.now())).toBeLessThan(60_000);
  expect((await fetch(`${base}/oncall?at=yesterday`, { headers: keys.as('oncall') })).status).toBe(400);
});
