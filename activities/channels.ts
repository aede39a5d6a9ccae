import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import type { NodemailerError } from 'nodemailer';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type TwilioResponse from 'twilio/lib/http/response';
import { maskContact, maskPersonalData, type PageLanguage } from '../domain/message';

/**
 * The three ways a person is paged, each behind a small interface, and the adapters that
 * implement them (SMTP via nodemailer, Twilio SMS and voice, and a local outbox file).
 *
 * Every channel keeps the same retry contract, so the activity around it needs no
 * provider knowledge:
 * - resolves once the provider has accepted the message (not when it is read);
 * - a transient failure (connection refused or reset, timeout, HTTP 5xx, 429, SMTP 4xx) throws
 *   a plain `Error`, and Temporal retries the activity under its retry policy;
 * - a permanent failure of this *contact* (a number Twilio calls invalid or unreachable,
 *   a mailbox the SMTP server says does not exist) throws
 *   `ApplicationFailure.nonRetryable(message, 'InvalidContact')`: retrying cannot help, and the
 *   workflow branches on the type (next rule, next person, escalate);
 * - a failure an operator must fix (bad credentials, a sender the provider refuses) throws a
 *   plain `Error` too: it keeps retrying until fixed or until the activity's timeout, and is
 *   never blamed on the person being paged;
 * - error messages never carry a phone number or address in clear (R-SEC-1).
 */

/** The failure type for a contact that can never be reached on this channel. */
export const INVALID_CONTACT = 'InvalidContact';

/** What a provider answered when it accepted a message. */
export interface Delivery {
  /** The provider's id for the message (SMTP Message-ID, Twilio SM…/CA… sid, outbox id). */
  providerId: string;
}

export interface EmailMessage {
  /** One address. */
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Derived from workflow id + step + recipient + channel; the same key means the same message. */
  idempotencyKey: string;
}

/**
 * Sends one e-mail. Retry contract as above: SMTP down or 4xx → plain `Error`; the server
 * rejecting the recipient with a 5xx (550 mailbox unknown, 553 bad address) →
 * non-retryable `InvalidContact`. The idempotency key becomes the Message-ID, so a resend of the
 * same key is recognisably the same message.
 */
export interface EmailSender {
  send(message: EmailMessage): Promise<Delivery>;
}

export interface SmsMessage {
  /** E.164, e.g. +8613800000000. */
  to: string;
  body: string;
  idempotencyKey: string;
}

/**
 * Sends one SMS. Retry contract as above: network errors, HTTP 5xx and 429 → plain `Error`;
 * a number the provider rejects as invalid or unreachable (Twilio 21211, 21614, …) →
 * non-retryable `InvalidContact`.
 */
export interface SmsSender {
  send(message: SmsMessage): Promise<Delivery>;
  /**
   * Looks in the provider's message log for this very message (same recipient, same body,
   * created at or after `since`, the moment its send was claimed): asked before sending again a
   * message whose earlier send was cut off by a crash, so it is sent only if it never went out.
   * Optional: a sender without a log sends again.
   */
  findSent?(message: SmsMessage, since: Date): Promise<Delivery | undefined>;
}

/** Either a URL Twilio fetches TwiML from, or the TwiML itself. */
export type VoiceCall = { to: string; idempotencyKey: string } & (
  | { twimlUrl: string; twiml?: undefined }
  | { twiml: string; twimlUrl?: undefined }
);

/**
 * Places one call that reads the page. Resolves when the call is queued, not answered:
 * whether someone picked up arrives later through the status callback or an ack. Retry
 * contract as for `SmsSender`.
 */
export interface VoiceCaller {
  call(call: VoiceCall): Promise<Delivery>;
}

// ——— shared helpers ———

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL_ADDRESS = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function invalidContact(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(maskPersonalData(message), INVALID_CONTACT);
}

/**
 * Remembers recent sends by idempotency key, so that a retry after a send which did go through
 * (an activity timeout that fired while the provider was still answering) returns the first
 * result instead of paging twice. Process-local and bounded: across workers or restarts a
 * provider without idempotency support (SMTP, Twilio Messages/Calls) stays at-least-once.
 */
class RecentSends {
  private readonly entries = new Map<string, Promise<Delivery>>();

  constructor(private readonly capacity = 10_000) {}

  once(key: string, send: () => Promise<Delivery>): Promise<Delivery> {
    const existing = this.entries.get(key);
    if (existing) return existing;
    const pending = send();
    this.entries.set(key, pending);
    pending.catch(() => {
      if (this.entries.get(key) === pending) this.entries.delete(key);
    });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return pending;
  }
}

// ——— e-mail: nodemailer over SMTP ———

export interface NodemailerEmailConfig {
  /**
   * `smtp://user:pass@host:587` or `smtps://…:465`; nodemailer reads options from the query,
   * e.g. `?connectionTimeout=10000&greetingTimeout=5000&socketTimeout=20000`.
   */
  smtpUrl: string;
  /** The sender, `ops@example.com` or `"Claims On-Call" <ops@example.com>`. */
  from: string;
}

/** The domain part of the sender, for Message-IDs (`<hash@example.com>`). */
function senderDomain(from: string): string {
  return /@([^\s>]+)>?\s*$/.exec(from)?.[1] ?? 'claims-incidents.invalid';
}

export class NodemailerEmailSender implements EmailSender {
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;
  private readonly domain: string;
  private readonly recent = new RecentSends();

  constructor(private readonly config: NodemailerEmailConfig) {
    this.transport = nodemailer.createTransport(config.smtpUrl);
    this.domain = senderDomain(config.from);
  }

  send(message: EmailMessage): Promise<Delivery> {
    return this.recent.once(message.idempotencyKey, () => this.deliver(message));
  }

  private async deliver(message: EmailMessage): Promise<Delivery> {
    if (!EMAIL_ADDRESS.test(message.to)) {
      throw invalidContact(`not an e-mail address: ${maskContact(message.to)}`);
    }
    const messageId = `<${sha256(message.idempotencyKey).slice(0, 32)}@${this.domain}>`;
    try {
      const info = await this.transport.sendMail({
        from: this.config.from,
        to: message.to,
        subject: maskPersonalData(message.subject),
        text: maskPersonalData(message.text),
        ...(message.html === undefined ? {} : { html: maskPersonalData(message.html) }),
        messageId,
        headers: { 'X-Idempotency-Key': message.idempotencyKey },
      });
      return { providerId: typeof info.messageId === 'string' ? info.messageId : messageId };
    } catch (err) {
      throw smtpFailure(err, message.to);
    }
  }

  /** Closes pooled connections (none unless the URL asks for `?pool=true`). */
  close(): void {
    this.transport.close();
  }
}

/** Maps a nodemailer error onto the retry contract. */
function smtpFailure(err: unknown, to: string): Error {
  const error = (err ?? {}) as NodemailerError;
  const detail = maskPersonalData(error.message ?? String(err));
  const code = error.responseCode;
  const permanent = error.permanent ?? (code !== undefined && code >= 500 && code !== 503);
  // Only a recipient the server refuses for good is the contact's fault; a refused sender or
  // message is configuration, and 4xx replies are "try again later" by definition (RFC 5321).
  const recipientRejected =
    error.command === 'RCPT TO' &&
    permanent &&
    (error.rejectedErrors ?? [error]).every((rejected) => rejected.permanent ?? (rejected.responseCode ?? 0) >= 500);
  if (recipientRejected) {
    return invalidContact(`mailbox ${maskContact(to)} rejected (SMTP ${code ?? '5xx'}): ${detail}`);
  }
  return new Error(`SMTP send failed (${[error.code, code].filter(Boolean).join(' ') || 'error'}): ${detail}`);
}

// ——— SMS and voice: Twilio ———

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** The Twilio number (E.164) messages and calls come from. */
  from: string;
  /**
   * Sends every REST request to this origin instead of https://api.twilio.com (a local fake in
   * tests, an egress proxy in production). Path and query are kept; a path on the base URL is
   * prefixed.
   */
  apiBaseUrl?: string;
  /** Where Twilio reports delivery/call status, if the deployment has a webhook for it. */
  statusCallbackUrl?: string;
  /** Per-request timeout in ms (twilio-node's default is 30 s). */
  timeoutMs?: number;
}

/**
 * twilio-node's supported extension point for changing how requests are made is a custom
 * `httpClient` (its `advanced-examples/custom-http-client.md`); `edge`/`region` only rewrite
 * the host *within* twilio.com (`BaseTwilio.getHostname`), so they cannot point at a fake.
 * This subclass keeps everything the stock client does (Basic auth, form encoding, 429 backoff
 * if enabled) and only swaps the origin of each URI.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  private readonly base: URL;

  constructor(apiBaseUrl: string, options?: RequestClient.RequestClientOptions) {
    super(options);
    this.base = new URL(apiBaseUrl);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    return super.request<TData>({ ...opts, uri: this.rebase(opts.uri) });
  }

  /** `https://api.twilio.com/2010-04-01/…?x` → `<base origin><base path>/2010-04-01/…?x`. */
  rebase(uri: string): string {
    const original = new URL(uri);
    const prefix = this.base.pathname.replace(/\/+$/, '');
    return `${this.base.origin}${prefix}${original.pathname}${original.search}`;
  }
}

function createTwilioClient(config: TwilioConfig): twilio.Twilio {
  const options = config.timeoutMs === undefined ? {} : { timeout: config.timeoutMs };
  return twilio(config.accountSid, config.authToken, {
    ...options,
    // Retrying is Temporal's job: one attempt per activity attempt keeps the history honest.
    autoRetry: false,
    ...(config.apiBaseUrl === undefined ? {} : { httpClient: new BaseUrlRequestClient(config.apiBaseUrl, options) }),
  });
}

/**
 * Twilio error codes that mean "this number cannot be reached on this channel", so retrying is
 * pointless (https://www.twilio.com/docs/api/errors): 21211 invalid To number, 21214 To number
 * cannot be reached, 21217 number does not appear valid, 21610 recipient opted out (STOP),
 * 21612 To/From cannot be connected, 21614 not a mobile number, 13224 invalid number to call.
 */
export const TWILIO_INVALID_CONTACT_CODES: ReadonlySet<number> = new Set([
  21211, 21214, 21217, 21610, 21612, 21614, 13224,
]);

interface TwilioApiError {
  status: number;
  code?: number;
  message: string;
}

function isTwilioApiError(err: unknown): err is TwilioApiError {
  return err instanceof Error && typeof (err as Partial<TwilioApiError>).status === 'number';
}

/** Maps a twilio-node error (RestException, TwilioServiceException or a network error) onto the retry contract. */
function twilioFailure(err: unknown, what: string, to: string): Error {
  if (isTwilioApiError(err)) {
    const detail = `HTTP ${err.status}${err.code === undefined ? '' : `, Twilio ${err.code}`}: ${maskPersonalData(err.message)}`;
    if (err.code !== undefined && TWILIO_INVALID_CONTACT_CODES.has(err.code)) {
      return invalidContact(`${what} to ${maskContact(to)} rejected (${detail})`);
    }
    return new Error(`${what} failed (${detail})`);
  }
  const error = err as NodeJS.ErrnoException | undefined;
  const reason = [error?.code, maskPersonalData(error?.message ?? String(err))].filter(Boolean).join(' ');
  return new Error(`${what} failed: ${reason}`);
}

export class TwilioSmsSender implements SmsSender {
  private readonly client: twilio.Twilio;
  private readonly recent = new RecentSends();

  constructor(private readonly config: TwilioConfig) {
    this.client = createTwilioClient(config);
  }

  send(message: SmsMessage): Promise<Delivery> {
    return this.recent.once(message.idempotencyKey, () => this.deliver(message));
  }

  /** Twilio's message log (newest first) to this number from ours, matched on the body as sent. */
  async findSent(message: SmsMessage, since: Date): Promise<Delivery | undefined> {
    if (!E164.test(message.to)) return undefined;
    const body = maskPersonalData(message.body);
    // Twilio's dates have whole seconds (and its clock is not ours): a little slack.
    const from = since.getTime() - 2_000;
    try {
      // Newest first; a busy on-call number can have many messages since the claim.
      const recent = await this.client.messages.list({ to: message.to, from: this.config.from, pageSize: 1000, limit: 1000 });
      const found = recent.find((m) => m.body === body && m.dateCreated.getTime() >= from);
      return found ? { providerId: found.sid } : undefined;
    } catch (err) {
      throw twilioFailure(err, 'Twilio message log', message.to);
    }
  }

  private async deliver(message: SmsMessage): Promise<Delivery> {
    if (!E164.test(message.to)) throw invalidContact(`not an E.164 number: ${maskContact(message.to)}`);
    try {
      const created = await this.client.messages.create({
        to: message.to,
        from: this.config.from,
        body: maskPersonalData(message.body),
        ...(this.config.statusCallbackUrl === undefined ? {} : { statusCallback: this.config.statusCallbackUrl }),
      });
      return { providerId: created.sid };
    } catch (err) {
      throw twilioFailure(err, 'Twilio SMS', message.to);
    }
  }
}

export class TwilioVoiceCaller implements VoiceCaller {
  private readonly client: twilio.Twilio;
  private readonly recent = new RecentSends();

  constructor(private readonly config: TwilioConfig) {
    this.client = createTwilioClient(config);
  }

  call(call: VoiceCall): Promise<Delivery> {
    return this.recent.once(call.idempotencyKey, () => this.place(call));
  }

  private async place(call: VoiceCall): Promise<Delivery> {
    if (!E164.test(call.to)) throw invalidContact(`not an E.164 number: ${maskContact(call.to)}`);
    try {
      const created = await this.client.calls.create({
        to: call.to,
        from: this.config.from,
        ...(call.twimlUrl === undefined ? { twiml: maskPersonalData(call.twiml) } : { url: call.twimlUrl }),
        ...(this.config.statusCallbackUrl === undefined ? {} : { statusCallback: this.config.statusCallbackUrl }),
      });
      return { providerId: created.sid };
    } catch (err) {
      throw twilioFailure(err, 'Twilio call', call.to);
    }
  }
}

/**
 * TwiML that reads a page aloud twice in the page's language; with `gatherUrl`, pressing 1
 * posts `Digits=1` there (the lead's voice webhook turns that into an acknowledgement).
 */
export function pageTwiml(input: { say: string; lang: PageLanguage; gatherUrl?: string }): string {
  const response = new twilio.twiml.VoiceResponse();
  const voice =
    input.lang === 'zh'
      ? ({ language: 'cmn-CN', voice: 'Polly.Zhiyu' } as const)
      : ({ language: 'en-US', voice: 'Polly.Joanna' } as const);
  const prompt = input.lang === 'zh' ? '确认请按 1。' : 'Press 1 to acknowledge.';
  const target = input.gatherUrl
    ? response.gather({ numDigits: 1, action: input.gatherUrl, method: 'POST', timeout: 5 })
    : response;
  for (let round = 0; round < 2; round += 1) {
    target.say(voice, maskPersonalData(input.say));
    if (input.gatherUrl) target.say(voice, prompt);
    target.pause({ length: 1 });
  }
  return response.toString();
}

// ——— outbox: the default when no provider is configured ———

export type OutboxChannelName = 'email' | 'sms' | 'voice';

/** One line of the outbox file; personal data is masked (R-SEC-1). */
export interface OutboxEntry {
  at: string;
  channel: OutboxChannelName;
  key: string;
  /** Masked recipient. */
  to: string;
  subject?: string;
  /** Masked text (e-mail text, SMS body, or the call's TwiML / TwiML URL). */
  body: string;
  providerId: string;
}

export interface OutboxChannelConfig {
  /** The JSON-lines file, e.g. `data/outbox-pages.jsonl`. */
  path: string;
  log?: (line: string) => void;
  clock?: () => Date;
}

/**
 * Every channel at once, for deployments (and drills, and local runs) without SMTP or Twilio:
 * each message is appended as one JSON line to a file and echoed to the log, masked. The file
 * is its own ledger: a key already written is not written again and answers the same id, so
 * this channel is idempotent across restarts. It never fails permanently.
 */
export class OutboxChannel implements EmailSender, SmsSender, VoiceCaller {
  private readonly log: (line: string) => void;
  private readonly clock: () => Date;
  private keys: Promise<Set<string>> | undefined;

  constructor(private readonly config: OutboxChannelConfig) {
    this.log = config.log ?? ((line) => console.log(line));
    this.clock = config.clock ?? (() => new Date());
  }

  send(message: EmailMessage | SmsMessage): Promise<Delivery> {
    return 'subject' in message
      ? this.append('email', message.idempotencyKey, message.to, message.text, message.subject)
      : this.append('sms', message.idempotencyKey, message.to, message.body);
  }

  call(call: VoiceCall): Promise<Delivery> {
    return this.append('voice', call.idempotencyKey, call.to, call.twimlUrl ?? call.twiml ?? '');
  }

  private loadKeys(): Promise<Set<string>> {
    this.keys ??= readFile(this.config.path, 'utf8').then(
      (text) =>
        new Set(
          text
            .split('\n')
            .filter(Boolean)
            .map((line) => {
              const entry = JSON.parse(line) as OutboxEntry;
              return ledgerKey(entry.channel, entry.key);
            }),
        ),
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return new Set<string>();
        throw err;
      },
    );
    return this.keys;
  }

  private async append(
    channel: OutboxChannelName,
    key: string,
    to: string,
    body: string,
    subject?: string,
  ): Promise<Delivery> {
    const providerId = `outbox-${channel}-${sha256(key).slice(0, 16)}`;
    const keys = await this.loadKeys();
    const ledger = ledgerKey(channel, key);
    if (keys.has(ledger)) return { providerId };
    keys.add(ledger);
    const entry: OutboxEntry = {
      at: this.clock().toISOString(),
      channel,
      key,
      to: maskContact(to),
      ...(subject === undefined ? {} : { subject: maskPersonalData(subject) }),
      body: maskPersonalData(body),
      providerId,
    };
    try {
      await mkdir(dirname(this.config.path), { recursive: true });
      await appendFile(this.config.path, JSON.stringify(entry) + '\n');
    } catch (err) {
      keys.delete(ledger);
      throw err;
    }
    const headline = entry.subject ?? entry.body.split('\n')[0] ?? '';
    this.log(`[outbox] ${channel} → ${entry.to} · ${headline}`);
    return { providerId };
  }
}

function ledgerKey(channel: OutboxChannelName, key: string): string {
  return `${channel}\u0000${key}`;
}

/** Reads every entry of an outbox file (for people and tests). */
export async function readOutboxEntries(path: string): Promise<OutboxEntry[]> {
  try {
    const text = await readFile(path, 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as OutboxEntry);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

// ——— composition ———

export interface ChannelsConfig {
  /** Where the outbox writes whatever has no real provider configured. */
  outboxPath: string;
  smtp?: NodemailerEmailConfig;
  twilio?: TwilioConfig;
  log?: (line: string) => void;
}

export interface Channels {
  email: EmailSender;
  sms: SmsSender;
  voice: VoiceCaller;
}

/** Real adapters where configured, the outbox for the rest (the default when nothing is). */
export function createChannels(config: ChannelsConfig): Channels {
  const outbox = new OutboxChannel({ path: config.outboxPath, ...(config.log ? { log: config.log } : {}) });
  return {
    email: config.smtp ? (new NodemailerEmailSender(config.smtp) satisfies EmailSender) : outbox,
    sms: config.twilio ? (new TwilioSmsSender(config.twilio) satisfies SmsSender) : outbox,
    voice: config.twilio ? (new TwilioVoiceCaller(config.twilio) satisfies VoiceCaller) : outbox,
  };
}
