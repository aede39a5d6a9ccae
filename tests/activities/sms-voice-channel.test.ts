import twilio from 'twilio';
import { ApplicationFailure } from '@temporalio/common';
import {
  BaseUrlRequestClient,
  INVALID_CONTACT,
  TwilioSmsSender,
  TwilioVoiceCaller,
  pageTwiml,
  type SmsSender,
  type TwilioConfig,
  type VoiceCaller,
} from '../../activities/channels';
import { renderPage } from '../../domain/message';
import { TwilioFake, inboundSmsParams, signTwilioWebhook } from '../support/twilio-fake';

const ACCOUNT_SID = 'AC' + '0'.repeat(31) + '1';
const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
const FROM = '+15005550006';
const ON_CALL = '+8613800000001';

/** What a thrown value is, in the terms the workflow branches on. */
function classify(error: unknown): 'invalid-contact' | 'retryable' | 'other' {
  if (error instanceof ApplicationFailure) {
    return error.nonRetryable && error.type === INVALID_CONTACT ? 'invalid-contact' : 'other';
  }
  return error instanceof Error ? 'retryable' : 'other';
}

/** SMS and voice pages through the real twilio-node client, pointed at a local Twilio fake. */
describe('Twilio SMS and voice channels', () => {
  let fake: TwilioFake;
  let config: TwilioConfig;

  beforeAll(async () => {
    fake = await TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    config = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiBaseUrl: fake.baseUrl, timeoutMs: 5000 };
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  const page = renderPage({
    incidentId: 'INC-20250501-0001',
    ackCode: '4821',
    category: 'complaint',
    severity: 'major',
    kind: 'page',
    dueSummary: '联系客户 10:30 前到期',
    drill: false,
  });

  describe('SMS', () => {
    it('posts the page to the account Messages resource with Basic auth and form parameters', async () => {
      const sms = new TwilioSmsSender(config) satisfies SmsSender;
      const delivery = await sms.send({ to: ON_CALL, body: page.sms, idempotencyKey: 'INC-1/page/0/cs-li/sms' });

      expect(delivery.providerId).toMatch(/^SM[0-9a-f]{32}$/);
      expect(fake.requests).toHaveLength(1);
      const [request] = fake.requests;
      expect(request).toMatchObject({
        method: 'POST',
        path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
        accountSid: ACCOUNT_SID,
        resource: 'Messages',
        authorized: true,
        status: 201,
        params: { To: ON_CALL, From: FROM, Body: page.sms },
      });
      expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(request?.headers['user-agent']).toMatch(/^twilio-node\//);
      expect(fake.messages.map((m) => m.sid)).toEqual([delivery.providerId]);
    });

    it('masks customer personal data in the body (R-SEC-1)', async () => {
      const sms = new TwilioSmsSender(config);
      await sms.send({ to: ON_CALL, body: '客户 13812341234 投诉，回复 ACK 4821 确认', idempotencyKey: 'k-mask' });
      expect(fake.messages[0]?.params.Body).toBe('客户 138****1234 投诉，回复 ACK 4821 确认');
    });

    it('sends a key once even when asked twice', async () => {
      const sms = new TwilioSmsSender(config);
      const message = { to: ON_CALL, body: page.sms, idempotencyKey: 'k-once' };
      const first = await sms.send(message);
      await expect(sms.send(message)).resolves.toEqual(first);
      expect(fake.messages).toHaveLength(1);
    });

    it('fails for good with InvalidContact when Twilio answers 21211, and never shows the number', async () => {
      fake.rejectNumber('+8613800009999', 21211);
      const sms = new TwilioSmsSender(config);
      const error = await sms.send({ to: '+8613800009999', body: page.sms, idempotencyKey: 'k-21211' }).catch((e: unknown) => e);
      expect(classify(error)).toBe('invalid-contact');
      expect((error as Error).message).toContain('21211');
      expect((error as Error).message).not.toContain('13800009999');
      expect(fake.requests.map((r) => r.status)).toEqual([400]);
    });

    it('fails for good on 21614 (not a mobile number) too', async () => {
      fake.rejectNumber('+862112345678', 21614);
      const error = await new TwilioSmsSender(config)
        .send({ to: '+862112345678', body: page.sms, idempotencyKey: 'k-21614' })
        .catch((e: unknown) => e);
      expect(classify(error)).toBe('invalid-contact');
    });

    it('fails for good without calling Twilio when the number is not E.164', async () => {
      const error = await new TwilioSmsSender(config)
        .send({ to: '138 0000 0001', body: page.sms, idempotencyKey: 'k-format' })
        .catch((e: unknown) => e);
      expect(classify(error)).toBe('invalid-contact');
      expect(fake.requests).toHaveLength(0);
    });

    it.each([500, 503] as const)('asks for a retry on HTTP %i, and succeeds on the next attempt', async (status) => {
      fake.failNext(1, status);
      const sms = new TwilioSmsSender(config);
      const message = { to: ON_CALL, body: page.sms, idempotencyKey: `k-${status}` };
      const error = await sms.send(message).catch((e: unknown) => e);
      expect(classify(error)).toBe('retryable');
      expect((error as Error).message).toContain(`HTTP ${status}`);
      await expect(sms.send(message)).resolves.toHaveProperty('providerId');
      expect(fake.requests.map((r) => r.status)).toEqual([status, 201]);
    });

    it('treats wrong credentials as an operator problem (retryable), not the contact’s', async () => {
      const error = await new TwilioSmsSender({ ...config, authToken: 'wrong' })
        .send({ to: ON_CALL, body: page.sms, idempotencyKey: 'k-401' })
        .catch((e: unknown) => e);
      expect(classify(error)).toBe('retryable');
      expect((error as Error).message).toContain('HTTP 401, Twilio 20003');
      expect(fake.requests[0]).toMatchObject({ authorized: false, status: 401 });
    });

    it('is refused when the account in the path is not the authenticated one', async () => {
      const other = 'AC' + '0'.repeat(31) + '2';
      const response = await fetch(`${fake.baseUrl}/2010-04-01/Accounts/${other}/Messages.json`, {
        method: 'POST',
        headers: {
          authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64'),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ To: ON_CALL, From: FROM, Body: 'x' }).toString(),
      });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: 20404, status: 404 });
      expect(fake.requests[0]).toMatchObject({ accountSid: other, authorized: true, status: 404 });
      expect(fake.messages).toHaveLength(0);
    });

    it('asks for a retry when Twilio cannot be reached at all', async () => {
      const down = await TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
      await down.stop();
      const error = await new TwilioSmsSender({ ...config, apiBaseUrl: down.baseUrl })
        .send({ to: ON_CALL, body: page.sms, idempotencyKey: 'k-down' })
        .catch((e: unknown) => e);
      expect(classify(error)).toBe('retryable');
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
    });
  });

  describe('voice', () => {
    it('places a call that reads the page as TwiML, in Chinese, with press-1 to acknowledge', async () => {
      const voice = new TwilioVoiceCaller(config) satisfies VoiceCaller;
      const twiml = pageTwiml({ say: page.voice, lang: 'zh', gatherUrl: 'https://ops.example.com/twilio/voice/ack?code=4821' });
      const delivery = await voice.call({ to: ON_CALL, twiml, idempotencyKey: 'INC-1/page/1/cs-li/voice' });

      expect(delivery.providerId).toMatch(/^CA[0-9a-f]{32}$/);
      const [request] = fake.requests;
      expect(request).toMatchObject({
        path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`,
        resource: 'Calls',
        authorized: true,
        params: { To: ON_CALL, From: FROM, Twiml: twiml },
      });
      expect(twiml).toContain('<Gather numDigits="1" action="https://ops.example.com/twilio/voice/ack?code=4821" method="POST" timeout="5">');
      expect(twiml).toContain('<Say language="cmn-CN" voice="Polly.Zhiyu">');
      expect(twiml).toContain('确认码 4 8 2 1');
      expect(twiml).toContain('确认请按 1。');
    });

    it('can hand Twilio a TwiML URL instead', async () => {
      await new TwilioVoiceCaller(config).call({
        to: ON_CALL,
        twimlUrl: 'https://ops.example.com/twilio/voice/page/INC-1',
        idempotencyKey: 'k-url',
      });
      expect(fake.calls[0]?.params).toMatchObject({ Url: 'https://ops.example.com/twilio/voice/page/INC-1' });
      expect(fake.calls[0]?.params.Twiml).toBeUndefined();
    });

    it('fails for good on 21211 and asks for a retry on 500', async () => {
      fake.rejectNumber('+8613800009999');
      const voice = new TwilioVoiceCaller(config);
      const twiml = pageTwiml({ say: 'test', lang: 'en' });
      const invalid = await voice.call({ to: '+8613800009999', twiml, idempotencyKey: 'k-v1' }).catch((e: unknown) => e);
      expect(classify(invalid)).toBe('invalid-contact');
      fake.failNext(1, 500);
      const transient = await voice.call({ to: ON_CALL, twiml, idempotencyKey: 'k-v2' }).catch((e: unknown) => e);
      expect(classify(transient)).toBe('retryable');
    });
  });

  describe('base-URL override', () => {
    it('keeps path and query, and prefixes a path on the base URL', () => {
      const client = new BaseUrlRequestClient('http://127.0.0.1:9999/twilio/');
      expect(client.rebase('https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=20')).toBe(
        'http://127.0.0.1:9999/twilio/2010-04-01/Accounts/AC1/Messages.json?PageSize=20',
      );
    });
  });

  describe('webhook signing helper (for the SMS reply webhook tests)', () => {
    it('produces the signature twilio.validateRequest accepts, and only for the signed content', () => {
      const url = 'https://ops.example.com/twilio/sms?tenant=claims';
      const params = inboundSmsParams({ accountSid: ACCOUNT_SID, from: ON_CALL, to: FROM, body: 'ACK 4821' });
      const signature = signTwilioWebhook(AUTH_TOKEN, url, params);
      expect(twilio.validateRequest(AUTH_TOKEN, signature, url, params)).toBe(true);
      expect(twilio.validateRequest(AUTH_TOKEN, signature, url, { ...params, Body: 'ACK 9999' })).toBe(false);
      expect(twilio.validateRequest('other-token', signature, url, params)).toBe(false);
    });
  });
});
