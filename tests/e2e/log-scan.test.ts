// R-SEC-1, "never written to logs in clear": the engine as `npm start` runs it (dev server,
// worker and API as child processes, everything they print captured), paging for real through an
// in-process SMTP server and the Twilio fake, taken through a full incident whose report, notes
// and customer progress name a customer, her phone and ID numbers and her diagnosis — plus the
// usual mistakes (a report with an unknown personal field, an SMS to a number Twilio refuses for
// a while). Then every captured line, the outbox, the customer notices and every page sent (SMS
// and e-mail) are scanned: no phone number, no ID number, no name, no diagnosis in clear.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort } from '../../scripts/dev-server';
import { ROSTER_DOCUMENT } from '../api/paging-roster';
import { SmtpTestServer } from '../support/smtp';
import { TwilioFake } from '../support/twilio-fake';

const root = resolve(__dirname, '..', '..');
const folder = mkdtempSync(join(tmpdir(), 'log-scan-'));
const ACCOUNT_SID = 'AC' + '5'.repeat(32);
const AUTH_TOKEN = 'log-scan-auth-token-0123456789';

const customer = { name: '张三', phone: '13912345678', idNumber: '11010519491231002X', diagnosis: '胃癌' };
const keyOf = () => `cie_${randomBytes(32).toString('base64url')}`;
const keys = { support: keyOf(), oncall: keyOf(), manager: keyOf() };

/** Mainland mobile numbers (bare, +86, or spaced 3-4-4) and 18-character ID numbers, not inside longer digit runs. */
const PHONE = /(?<![\d])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![\d])/g;
const ID_NUMBER = /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g;

let engine: ChildProcess | undefined;
let output = '';
let smtp: SmtpTestServer;
let twilio: TwilioFake;
let base: string;

async function startEngine(env: Record<string, string>): Promise<ChildProcess> {
  const started = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const until = Date.now() + 120_000;
  while (Date.now() < until && started.exitCode === null) {
    const status = await fetch(`${base}/healthz`).then((r) => r.status).catch(() => 0);
    if (status === 200) return started;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`npm start did not become healthy:\n${output.slice(-3000)}`);
}

async function stopEngine(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

async function call(method: string, path: string, key: string, body?: unknown) {
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every clear occurrence of the customer's data or of any phone or ID number, with its line. */
function findings(where: string, text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const hits = [
      ...Object.values(customer).filter((value) => line.includes(value)),
      ...(line.match(PHONE) ?? []),
      ...(line.match(ID_NUMBER) ?? []),
    ];
    if (hits.length) found.push(`${where}: ${hits.join(', ')} in «${line.slice(0, 300)}»`);
  }
  return found;
}

beforeAll(async () => {
  [smtp, twilio] = await Promise.all([SmtpTestServer.start(), TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN })]);
  const rosterFile = join(folder, 'roster.json');
  writeFileSync(rosterFile, JSON.stringify(ROSTER_DOCUMENT));
  const [port, grpc, ui] = [await findFreePort(), await findFreePort(), await findFreePort()];
  base = `http://127.0.0.1:${port}`;
  engine = await startEngine({
    PORT: String(port),
    TEMPORAL_DEV_PORT: String(grpc),
    TEMPORAL_UI_PORT: String(ui),
    TEMPORAL_DB_FILE: join(folder, 'temporal.sqlite'),
    ROSTER_FILE: rosterFile,
    SMTP_URL: smtp.url,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE_URL: twilio.baseUrl,
    PUBLIC_BASE_URL: base,
    ACK_LINK_SECRET: 'log-scan-ack-link-secret-0123456789',
    OUTBOX_FILE: join(folder, 'outbox.jsonl'),
    SENT_LEDGER_FILE: join(folder, 'sent-ledger.jsonl'),
    CUSTOMER_NOTICES_FILE: join(folder, 'customer-notices.jsonl'),
    ARCHIVE_DATABASE: join(folder, 'archive.sqlite'),
    API_KEY_SUPPORT: keys.support,
    API_KEY_ONCALL: keys.oncall,
    API_KEY_MANAGER: keys.manager,
  });
}, 180_000);

afterAll(async () => {
  if (engine) await stopEngine(engine);
  await smtp?.stop();
  await twilio?.stop();
  rmSync(folder, { recursive: true, force: true });
});

test('a full incident naming a customer leaves no phone number, ID number, name or diagnosis in any log, outbox or page', async () => {
  // A report as the hotline writes it: everything about the customer in the text.
  const created = await call('POST', '/incidents', keys.support, {
    title: `客户${customer.name}投诉理赔拒付，扬言向监管投诉`,
    description: `客户${customer.name}（电话 ${customer.phone}，身份证 ${customer.idNumber}）诊断为${customer.diagnosis}，理赔被拒，情绪激动，扬言向监管投诉并联系媒体。`,
    source: 'hotline',
    facts: { claimId: 'CLM-2026-009001', mediaRisk: true },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  // A report with a personal field the schema does not know: refused, and the value not echoed.
  const refused = await call('POST', '/incidents', keys.support, { title: 'x', description: 'y', facts: { phone: customer.phone } });
  expect(refused.status).toBe(400);
  expect(JSON.stringify(refused.body)).not.toContain(customer.phone);

  // The pages go out by SMS and e-mail (the roster's on-call people).
  await waitFor(() => twilio.messages.length > 0 && smtp.messages.length > 0, 'the first SMS and e-mail pages');

  // On-call work, with the customer's data in what people type.
  expect((await call('POST', `/incidents/${id}/acknowledge`, keys.oncall, {})).status).toBe(200);
  expect((await call('POST', `/incidents/${id}/contact`, keys.oncall, { text: `已致电 ${customer.phone} 联系${customer.name}` })).status).toBe(200);
  expect((await call('POST', `/incidents/${id}/notes`, keys.oncall, { text: `身份证 ${customer.idNumber}，病情：${customer.diagnosis}` })).status).toBe(200);
  // Progress to the customer by SMS while Twilio fails for a while: retried, then delivered.
  twilio.failNext(2, 500);
  const progress = await call('POST', `/incidents/${id}/progress`, keys.oncall, {
    text: `复核中，${customer.name}的材料已齐`,
    customer: { channel: 'sms', address: `+86${customer.phone}` },
  });
  expect(progress.status).toBe(200);
  await waitFor(() => twilio.messages.some((m) => m.to === `+86${customer.phone}`), 'the customer progress SMS');
  expect((await call('PATCH', `/incidents/${id}`, keys.manager, { severity: 'minor', reason: `${customer.name}已接受方案` })).status).toBe(200);
  expect((await call('POST', `/incidents/${id}/resolve`, keys.oncall, { summary: `已为${customer.name}补付差额` })).status).toBe(200);
  await waitFor(async () => (await call('GET', `/incidents/${id}`, keys.manager)).body.timeline.some((e: { type: string }) => e.type === 'resolved'), 'the resolution');

  // The history page and the listing are read too (they log nothing personal either).
  expect((await call('GET', `/incidents/${id}/history`, keys.manager)).status).toBe(200);
  await stopEngine(engine!);
  engine = undefined;

  const problems = [
    ...findings('log', output),
    ...(['outbox.jsonl', 'customer-notices.jsonl'] as const).flatMap((file) =>
      existsSync(join(folder, file)) ? findings(file, readFileSync(join(folder, file), 'utf8')) : [],
    ),
    // Pages to on-call people: subject and text (their own number is only the address).
    ...smtp.messages.flatMap((mail, i) => findings(`e-mail ${i}`, `${mail.subject}\n${mail.text}`)),
    ...twilio.messages.filter((m) => m.to !== `+86${customer.phone}`).flatMap((m, i) => findings(`page SMS ${i}`, m.params.Body ?? '')),
    // The customer's own SMS may go to her number, but says nothing else about her.
    ...twilio.messages
      .filter((m) => m.to === `+86${customer.phone}`)
      .flatMap((m, i) => findings(`customer SMS ${i}`, m.params.Body ?? '').filter((hit) => !hit.includes(customer.name))),
  ];
  console.log(`log scan: ${output.split('\n').length} log lines, ${smtp.messages.length} e-mails, ${twilio.messages.length} SMS scanned`);
  expect(problems).toEqual([]);
  // The scan saw a real run: the worker and the API both spoke, and pages went out.
  expect(output).toMatch(/\[worker\]/);
  expect(output).toMatch(/\[api\]/);
}, 300_000);
