// R-REV-4: a drill's notices (warnings, breaches, resolutions, "management informed") reach its
// participants only, through the real roster notifier and outbox channel; without participants
// the same notice goes to the lines' on-call people as before.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannels, readOutboxEntries } from '../../activities/channels';
import { MemorySentLedger, RosterNotifier } from '../../activities/paging';
import { readRoster } from '../../config/env';
import { whoIsOnCall } from '../../domain/roster';
import type { NotificationRequest } from '../../workflows/contracts';

const roster = readRoster(join(__dirname, '..', '..', 'config', 'roster.example.json'));
const at = new Date('2026-11-23T02:00:00.000Z'); // a Monday, 10:00 in Shanghai
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drill-notices-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function notifier() {
  const outboxPath = join(dir, 'outbox.jsonl');
  return { outboxPath, notifier: new RosterNotifier({ roster, channels: createChannels({ outboxPath, log: () => undefined }), ledger: new MemorySentLedger(), clock: () => at }) };
}

const request = (key: string, extra: Partial<NotificationRequest> = {}): NotificationRequest => ({
  key,
  incidentId: 'INC-DRILL0000001',
  kind: 'warning',
  lines: ['management', 'claims'],
  drill: true,
  subject: '[DRILL] Due soon (contact)',
  body: '[DRILL] contact is due soon.',
  ...extra,
});

test('with participants: only they are notified, whoever is on call', async () => {
  const onCall = ['management', 'claims'].flatMap((line) => whoIsOnCall(roster, line as 'management' | 'claims', at).map((o) => o.personId));
  const participants = roster.people.map((p) => p.id).filter((id) => !onCall.includes(id)).slice(0, 2);
  const { outboxPath, notifier: n } = notifier();
  const result = await n.deliver(request('drill:warn-contact', { participants }));
  expect(result.recipients.map((r) => r.split(' ')[0]).sort()).toEqual([...participants].sort());
  const entries = await readOutboxEntries(outboxPath);
  expect(entries).toHaveLength(2);
  for (const entry of entries) expect(`${entry.subject ?? ''} ${entry.body}`).toContain('[DRILL]');
});

test('without participants: the lines’ on-call people, as for a real incident', async () => {
  const onCall = ['management', 'claims'].flatMap((line) => whoIsOnCall(roster, line as 'management' | 'claims', at).map((o) => o.personId));
  const { notifier: n } = notifier();
  const result = await n.deliver(request('real:warn-contact', { drill: false }));
  expect(result.recipients.map((r) => r.split(' ')[0]).sort()).toEqual([...new Set(onCall)].sort());
});
