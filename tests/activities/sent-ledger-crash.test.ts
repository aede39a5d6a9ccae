// The sent ledger across a worker crash (issue 6, "nothing lost, nothing twice"): a claim the dead
// worker never completed is unconfirmed for the next worker; an SMS is looked up in Twilio's
// message log before it is sent again, an e-mail is sent again rather than lost.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannels } from '../../activities/channels';
import { FileSentLedger, createPagingActivities } from '../../activities/paging';
import { parseRoster } from '../../domain/roster';
import type { PageContent } from '../../workflows/contracts';
import { SmtpTestServer } from '../support/smtp';
import { TwilioFake } from '../support/twilio-fake';

const ACCOUNT_SID = 'AC' + 'a1'.repeat(16);
const AUTH_TOKEN = 'ledger-crash-auth-token-012345';
const roster = parseRoster({
  people: [{ id: 'lead', name: 'Lead', email: 'lead@example.com', mobile: '+8613900000201', rules: [{ channel: 'sms', afterMinutes: 0 }] }],
  teams: Object.fromEntries(
    ['customer-service', 'claims', 'technology', 'management'].map((team) => [
      team,
      { schedules: [{ handoff: { weekday: 1, time: '09:00' }, start: '2025-01-06', participants: ['lead'] }] },
    ]),
  ),
});
const content: PageContent = { incidentId: 'INC-0000000000AB', ackCode: '4821', category: 'timeliness', severity: 'general', kind: 'page', drill: false, lang: 'en' };

let folder: string;
let twilio: TwilioFake;
let smtp: SmtpTestServer;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'ledger-crash-'));
  [twilio, smtp] = await Promise.all([TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }), SmtpTestServer.start()]);
});
afterAll(async () => {
  await Promise.all([twilio.stop(), smtp.stop()]);
  rmSync(folder, { recursive: true, force: true });
});

/** A worker's paging activities over the ledger file: a new call is a restarted worker. */
function worker(ledgerPath: string) {
  const channels = createChannels({
    outboxPath: join(folder, 'outbox.jsonl'),
    smtp: { smtpUrl: smtp.url, from: 'oncall@example.com' },
    twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550006', apiBaseUrl: twilio.baseUrl },
    log: () => undefined,
  });
  const ledger = new FileSentLedger(ledgerPath);
  return { ledger, activities: createPagingActivities({ roster, channels, ledger }) };
}

test('a claim left by a dead worker is unconfirmed for the next one, and only for it', async () => {
  const path = join(folder, 'claims.jsonl');
  const first = new FileSentLedger(path);
  expect(await first.begin('k1')).toBe('claimed');
  // The worker dies here. The next one reads the file:
  const second = new FileSentLedger(path);
  expect(await second.begin('k1')).toBe('unconfirmed');
  await second.complete('k1', 'SM1');
  expect(await second.begin('k1')).toBe(false);
  expect(await new FileSentLedger(path).begin('k1')).toBe(false);
  expect(readFileSync(path, 'utf8')).toContain('"resend":true');
});

test('issue 7: another attempt in the same live worker waits for the first one\'s outcome: not sent again when it was sent, sent when it failed', async () => {
  // A local activity that timed out while its send went on, and the ordinary activity that took
  // over (workflows/sends.ts): answering "already sent" at once would lose a page the first
  // attempt then failed to send.
  const ledger = new FileSentLedger(join(folder, 'live.jsonl'));
  expect(await ledger.begin('sent-by-the-first')).toBe('claimed');
  let answered: unknown = 'waiting';
  const second = ledger.begin('sent-by-the-first').then((claim) => (answered = claim));
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(answered).toBe('waiting');
  await ledger.complete('sent-by-the-first', 'SM1');
  expect(await second).toBe(false);

  expect(await ledger.begin('failed-by-the-first')).toBe('claimed');
  const retry = ledger.begin('failed-by-the-first');
  await ledger.release('failed-by-the-first', 'provider unavailable');
  expect(await retry).toBe('claimed');
  expect(await ledger.failures('failed-by-the-first')).toEqual([expect.objectContaining({ error: 'provider unavailable' })]);
});

test('an SMS the dead worker did send is found in the message log and not sent again', async () => {
  const path = join(folder, 'sms.jsonl');
  const key = 'INC-0000000000AB:triage:r0:s0:lead:sms';
  // The first worker sent it and died before recording it: its claim is all the ledger holds.
  const dead = worker(path);
  await dead.activities.deliverPage({ key, personId: 'lead', channel: 'sms', content });
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  writeFileSync(path, lines.filter((l) => !l.includes('"sent"')).join('\n') + '\n');
  expect(twilio.messages).toHaveLength(1);

  const restarted = worker(path);
  const result = await restarted.activities.deliverPage({ key, personId: 'lead', channel: 'sms', content });
  expect(result.duplicate).toBe(true);
  expect(result.providerId).toBe(twilio.messages[0]!.sid);
  expect(twilio.messages).toHaveLength(1);
});

test('an SMS the dead worker never sent is sent by the next one', async () => {
  const path = join(folder, 'unsent.jsonl');
  const key = 'INC-0000000000AB:breach-contact:r0:s0:lead:sms';
  const dead = new FileSentLedger(path);
  await dead.begin(key); // claimed, then the process died before the send
  const before = twilio.messages.length;
  const result = await worker(path).activities.deliverPage({ key, personId: 'lead', channel: 'sms', content: { ...content, kind: 'breach' } });
  expect(result.duplicate).toBe(false);
  expect(twilio.messages).toHaveLength(before + 1);
});

test('with the message log unreachable, the claim stays unconfirmed for the retry', async () => {
  const path = join(folder, 'log-down.jsonl');
  const key = 'INC-0000000000AB:breach-solution:r0:s0:lead:sms';
  await new FileSentLedger(path).begin(key);
  const restarted = worker(path);
  twilio.failNext(1, 503);
  await expect(restarted.activities.deliverPage({ key, personId: 'lead', channel: 'sms', content: { ...content, kind: 'breach' } })).rejects.toThrow(/message log/);
  expect(await restarted.ledger.begin(key)).toBe('unconfirmed');
});
