import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_CONTACT, NodemailerEmailSender, type EmailSender } from '../../activities/channels';
import { renderPage } from '../../domain/message';
import { SmtpTestServer } from '../support/smtp';

/** E-mail pages through nodemailer to a real SMTP server in-process. */
describe('NodemailerEmailSender', () => {
  let smtp: SmtpTestServer;
  let sender: NodemailerEmailSender;

  beforeAll(async () => {
    smtp = await SmtpTestServer.start();
  });
  afterAll(async () => {
    await smtp.stop();
  });
  beforeEach(async () => {
    await smtp.start();
    smtp.messages.length = 0;
    sender = new NodemailerEmailSender({ smtpUrl: smtp.url, from: '"Claims On-Call" <oncall@example.com>' });
  });
  afterEach(() => sender.close());

  const page = renderPage({
    incidentId: 'INC-20250501-0001',
    ackCode: '4821',
    category: 'system',
    severity: 'major',
    kind: 'page',
    dueSummary: '联系客户 10:30 前到期',
    drill: true,
  });

  it('delivers the rendered page with an idempotent Message-ID and key header', async () => {
    const key = 'incident-INC-20250501-0001/page/0/li.xiaoming/email';
    const channel: EmailSender = sender;
    const delivery = await channel.send({ to: 'li.xiaoming@example.com', subject: page.subject, text: page.text, idempotencyKey: key });

    const [mail] = await smtp.waitForMessages(1);
    const expectedId = `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@example.com>`;
    expect(delivery.providerId).toBe(expectedId);
    expect(mail?.headers.get('message-id')).toBe(expectedId);
    expect(mail?.headers.get('x-idempotency-key')).toBe(key);
    expect(mail?.envelope).toEqual({ from: 'oncall@example.com', to: ['li.xiaoming@example.com'] });
    expect(mail?.subject).toBe('[演练]【重大·系统类】新事件 INC-20250501-0001');
    expect(mail?.text).toBe(page.text);
    expect(mail?.text).toContain('回复 ACK 4821 确认');
  });

  it('sends html alongside text when given', async () => {
    await sender.send({
      to: 'zhao.yutong@example.com',
      subject: page.subject,
      text: page.text,
      html: '<p>回复 <b>ACK 4821</b> 确认</p>',
      idempotencyKey: 'k-html',
    });
    const [mail] = await smtp.waitForMessages(1);
    expect(mail?.headers.get('content-type')).toMatch(/^multipart\/alternative/);
    expect(mail?.html).toBe('<p>回复 <b>ACK 4821</b> 确认</p>');
    expect(mail?.text).toBe(page.text);
  });

  it('masks customer personal data that reaches the channel (R-SEC-1)', async () => {
    await sender.send({
      to: 'li.xiaoming@example.com',
      subject: '客户 13812341234 投诉',
      text: '客户手机 13812341234，身份证 11010519491231002X，邮箱 customer.name@example.org',
      idempotencyKey: 'k-mask',
    });
    const [mail] = await smtp.waitForMessages(1);
    expect(mail?.subject).toBe('客户 138****1234 投诉');
    expect(mail?.text).toBe('客户手机 138****1234，身份证 110***********002X，邮箱 c***e@example.org');
    expect(mail?.raw).not.toContain('13812341234');
  });

  it('sends a key once even when asked twice (a retry after a send that went through)', async () => {
    const message = { to: 'li.xiaoming@example.com', subject: 's', text: 't', idempotencyKey: 'k-once' };
    const [first, second] = await Promise.all([sender.send(message), sender.send(message)]);
    expect(second).toEqual(first);
    await smtp.waitForMessages(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(smtp.messages).toHaveLength(1);
  });

  it('fails for good with InvalidContact when the server says the mailbox is unknown (550)', async () => {
    smtp.refuseRecipient('gone@example.com', 550, '5.1.1 Mailbox unknown');
    const error = await sender
      .send({ to: 'gone@example.com', subject: 's', text: 't', idempotencyKey: 'k-550' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as ApplicationFailure).type).toBe(INVALID_CONTACT);
    expect((error as ApplicationFailure).message).toContain('550');
    expect((error as ApplicationFailure).message).not.toContain('gone@example.com');
    expect(smtp.messages).toHaveLength(0);
  });

  it('fails for good without calling the server when the address is malformed', async () => {
    const error = await sender.send({ to: 'not-an-address', subject: 's', text: 't', idempotencyKey: 'k-bad' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe(INVALID_CONTACT);
  });

  it('asks for a retry when the server defers the recipient (450)', async () => {
    smtp.refuseRecipient('busy@example.com', 450, '4.2.1 Mailbox busy, try later');
    const error = await sender.send({ to: 'busy@example.com', subject: 's', text: 't', idempotencyKey: 'k-450' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
  });

  it('asks for a retry while SMTP is down, and delivers once it is back', async () => {
    await smtp.stop();
    const message = { to: 'li.xiaoming@example.com', subject: page.subject, text: page.text, idempotencyKey: 'k-down' };
    const error = await sender.send(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect((error as Error).message).toMatch(/SMTP send failed \((ESOCKET|ECONNECTION|ETIMEDOUT)/);

    await smtp.start();
    await expect(sender.send(message)).resolves.toHaveProperty('providerId');
    expect(await smtp.waitForMessages(1)).toHaveLength(1);
  });
});
