import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OutboxChannel,
  createChannels,
  readOutboxEntries,
  type EmailSender,
  type SmsSender,
  type VoiceCaller,
} from '../../activities/channels';

/** The default channel when neither SMTP nor Twilio is configured: a masked JSON-lines outbox. */
describe('OutboxChannel', () => {
  let dir: string;
  let path: string;
  const clock = () => new Date('2025-05-01T02:30:00.000Z');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    path = join(dir, 'nested', 'pages.jsonl');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes one masked line per message, for every channel, and logs it masked', async () => {
    const logged: string[] = [];
    const outbox = new OutboxChannel({ path, clock, log: (line) => logged.push(line) });
    const email: EmailSender = outbox;
    const sms: SmsSender = outbox;
    const voice: VoiceCaller = outbox;

    await email.send({
      to: 'li.xiaoming@example.com',
      subject: '【重大·客户投诉类】新事件 INC-1',
      text: '客户 13812341234 投诉\n回复 ACK 4821 确认',
      idempotencyKey: 'INC-1/page/0/cs-li/email',
    });
    await sms.send({ to: '+8613800000001', body: '重大投诉 INC-1 新事件。回复 ACK 4821 确认', idempotencyKey: 'INC-1/page/0/cs-li/sms' });
    await voice.call({ to: '+8613800000001', twimlUrl: 'https://ops.example.com/voice/INC-1', idempotencyKey: 'INC-1/page/2/cs-li/voice' });

    const entries = await readOutboxEntries(path);
    expect(entries.map((e) => [e.channel, e.to])).toEqual([
      ['email', 'l***g@example.com'],
      ['sms', '+86138****0001'],
      ['voice', '+86138****0001'],
    ]);
    expect(entries[0]).toMatchObject({
      at: '2025-05-01T02:30:00.000Z',
      key: 'INC-1/page/0/cs-li/email',
      subject: '【重大·客户投诉类】新事件 INC-1',
      body: '客户 138****1234 投诉\n回复 ACK 4821 确认',
    });
    expect(entries[0]?.providerId).toMatch(/^outbox-email-[0-9a-f]{16}$/);
    const everything = JSON.stringify(entries) + logged.join('\n');
    expect(everything).not.toContain('13812341234');
    expect(everything).not.toContain('13800000001');
    expect(everything).not.toContain('li.xiaoming@');
    expect(logged).toEqual([
      '[outbox] email → l***g@example.com · 【重大·客户投诉类】新事件 INC-1',
      '[outbox] sms → +86138****0001 · 重大投诉 INC-1 新事件。回复 ACK 4821 确认',
      '[outbox] voice → +86138****0001 · https://ops.example.com/voice/INC-1',
    ]);
  });

  it('writes a key once, across restarts, answering the same id', async () => {
    const message = { to: '+8613800000001', body: 'page', idempotencyKey: 'INC-1/page/0/cs-li/sms' };
    const first = await new OutboxChannel({ path, log: () => undefined }).send(message);
    const again = await new OutboxChannel({ path, log: () => undefined }).send(message);
    expect(again).toEqual(first);
    expect(await readOutboxEntries(path)).toHaveLength(1);
  });

  it('is what createChannels uses for every channel when nothing is configured', () => {
    const channels = createChannels({ outboxPath: path, log: () => undefined });
    expect(channels.email).toBeInstanceOf(OutboxChannel);
    expect(channels.sms).toBe(channels.email);
    expect(channels.voice).toBe(channels.email);
  });
});
