import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

/**
 * An in-process, Twilio-compatible HTTP fake for the two REST calls the engine makes:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` and `…/Calls.json`. It checks what
 * Twilio checks (HTTP Basic auth, the account in the path, required form parameters, E.164
 * numbers), answers in Twilio's JSON shapes, records every request, and can be told to fail.
 *
 * Point the real twilio-node client at it with `TwilioConfig.apiBaseUrl = fake.baseUrl`.
 */

export interface TwilioFakeOptions {
  accountSid: string;
  authToken: string;
}

export interface RecordedTwilioRequest {
  method: string;
  path: string;
  /** The AccountSid in the path, if the path had one. */
  accountSid?: string;
  resource?: 'Messages' | 'Calls';
  /** Whether Basic auth matched the configured SID and token. */
  authorized: boolean;
  headers: IncomingMessage['headers'];
  /** The form-encoded body, decoded. */
  params: Record<string, string>;
  /** The status the fake answered. */
  status: number;
}

/** A message or call the fake accepted (status `queued`). */
export interface TwilioFakeResource {
  sid: string;
  kind: 'message' | 'call';
  to: string;
  from: string;
  params: Record<string, string>;
  /** The JSON the fake answered on creation (what a list of the resource shows). */
  json?: Record<string, unknown>;
}

/** Twilio's REST error body: `{ code, message, more_info, status }`. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/;

function sid(prefix: 'SM' | 'CA'): string {
  return prefix + randomBytes(16).toString('hex');
}

function twilioError(status: number, code: number, message: string): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

export class TwilioFake {
  readonly requests: RecordedTwilioRequest[] = [];
  readonly accepted: TwilioFakeResource[] = [];
  private failures: number[] = [];
  private outage: 500 | 503 | undefined;
  private readonly rejected = new Map<string, number>();

  private constructor(
    private readonly options: TwilioFakeOptions,
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  /** Starts a fake on 127.0.0.1 on a free port. */
  static async start(options: TwilioFakeOptions): Promise<TwilioFake> {
    const holder: { fake?: TwilioFake } = {};
    const server = createServer((req, res) => {
      void holder.fake?.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    holder.fake = new TwilioFake(options, server, `http://127.0.0.1:${port}`);
    return holder.fake;
  }

  /** The next `count` API requests answer `status` (500 or 503) with Twilio's error body. */
  failNext(count: number, status: 500 | 503 = 500): void {
    for (let i = 0; i < count; i += 1) this.failures.push(status);
  }

  /** Every API request answers `status` with Twilio's error body until `endOutage()`: Twilio down for a while. */
  startOutage(status: 500 | 503 = 500): void {
    this.outage = status;
  }

  endOutage(): void {
    this.outage = undefined;
  }

  /** Every request to this number answers 400 with `code` (21211 Invalid 'To' Phone Number by default). */
  rejectNumber(number: string, code = 21211): void {
    this.rejected.set(number, code);
  }

  /** Accepted messages (SMS). */
  get messages(): TwilioFakeResource[] {
    return this.accepted.filter((r) => r.kind === 'message');
  }

  /** Accepted calls. */
  get calls(): TwilioFakeResource[] {
    return this.accepted.filter((r) => r.kind === 'call');
  }

  /** Forgets recorded requests, accepted resources, injected failures and rejected numbers. */
  reset(): void {
    this.requests.length = 0;
    this.accepted.length = 0;
    this.failures = [];
    this.rejected.clear();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const raw = await readBody(req);
    const params = Object.fromEntries(new URLSearchParams(raw));
    const match = ACCOUNT_PATH.exec(url.pathname);
    const record: RecordedTwilioRequest = {
      method: req.method ?? '',
      path: url.pathname,
      ...(match?.[1] === undefined ? {} : { accountSid: decodeURIComponent(match[1]) }),
      ...(match?.[2] === undefined ? {} : { resource: match[2] as 'Messages' | 'Calls' }),
      authorized: this.authorized(req.headers.authorization),
      headers: req.headers,
      params,
      status: 0,
    };
    this.requests.push(record);
    const answer = (status: number, body: object): void => {
      record.status = status;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        ...(status === 401 ? { 'www-authenticate': 'Basic realm="Twilio API"' } : {}),
      });
      res.end(JSON.stringify(body));
    };

    if (!record.authorized) return answer(401, twilioError(401, 20003, 'Authenticate'));
    const isLog = match !== null && req.method === 'GET' && match[2] === 'Messages';
    if (!match || (req.method !== 'POST' && !isLog)) {
      return answer(404, twilioError(404, 20404, `The requested resource ${url.pathname} was not found`));
    }
    if (record.accountSid !== this.options.accountSid) {
      // Twilio refuses an account other than the one authenticated.
      return answer(404, twilioError(404, 20404, `The requested resource ${url.pathname} was not found`));
    }
    const failure = this.outage ?? this.failures.shift();
    if (failure !== undefined) {
      return answer(failure, twilioError(failure, failure === 503 ? 20503 : 20500, 'Service temporarily unavailable'));
    }
    if (isLog) {
      // The message log, newest first, filtered by To and From as Twilio filters it.
      const pageSize = Math.min(Number(url.searchParams.get('PageSize') ?? 50) || 50, 1000);
      const to = url.searchParams.get('To');
      const from = url.searchParams.get('From');
      const messages = this.messages
        .filter((m) => (!to || m.to === to) && (!from || m.from === from))
        .reverse()
        .slice(0, pageSize)
        .map((m) => m.json);
      return answer(200, { messages, end: messages.length - 1, first_page_uri: url.pathname, next_page_uri: null, page: 0, page_size: pageSize, previous_page_uri: null, start: 0, uri: url.pathname });
    }
    if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      return answer(400, twilioError(400, 20001, 'Content-Type must be application/x-www-form-urlencoded'));
    }

    const to = params.To;
    const from = params.From;
    if (!to) return answer(400, twilioError(400, 21604, "A 'To' phone number is required."));
    if (!from) return answer(400, twilioError(400, 21603, "A 'From' phone number is required."));
    const rejectedCode = this.rejected.get(to);
    if (!E164.test(to) || rejectedCode !== undefined) {
      const code = rejectedCode ?? 21211;
      const message = code === 21211 ? `Invalid 'To' Phone Number: ${to}` : `Twilio error ${code} for 'To' ${to}`;
      return answer(400, twilioError(400, code, message));
    }
    if (!E164.test(from)) return answer(400, twilioError(400, 21212, `Invalid From Number (caller ID): ${from}`));

    const now = new Date().toUTCString().replace('GMT', '+0000');
    const accountSid = this.options.accountSid;
    if (match[2] === 'Messages') {
      if (!params.Body) return answer(400, twilioError(400, 21602, 'Message body is required.'));
      const messageSid = sid('SM');
      const json = {
        sid: messageSid,
        account_sid: accountSid,
        api_version: '2010-04-01',
        body: params.Body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from,
        messaging_service_sid: null,
        num_media: '0',
        num_segments: '1',
        price: null,
        price_unit: 'USD',
        status: 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media.json` },
        to,
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}.json`,
      };
      this.accepted.push({ sid: messageSid, kind: 'message', to, from, params, json });
      return answer(201, json);
    }

    if (!params.Url && !params.Twiml && !params.ApplicationSid) {
      return answer(400, twilioError(400, 21205, 'Url parameter is required.'));
    }
    const callSid = sid('CA');
    this.accepted.push({ sid: callSid, kind: 'call', to, from, params });
    return answer(201, {
      sid: callSid,
      account_sid: accountSid,
      api_version: '2010-04-01',
      date_created: now,
      date_updated: now,
      direction: 'outbound-api',
      from,
      from_formatted: from,
      to,
      to_formatted: to,
      status: 'queued',
      uri: `/2010-04-01/Accounts/${accountSid}/Calls/${callSid}.json`,
    });
  }

  private authorized(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    return decoded === `${this.options.accountSid}:${this.options.authToken}`;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ——— signing webhooks the way Twilio does, for webhook tests ———

/**
 * The `X-Twilio-Signature` Twilio would send for a form-encoded webhook: base64 HMAC-SHA1, keyed
 * by the auth token, over the full URL followed by every POST parameter name and value sorted by
 * name. Delegates to twilio-node's own `getExpectedTwilioSignature`, the function
 * `twilio.validateRequest` checks against, so the two can never disagree.
 */
export function signTwilioWebhook(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** The parameters Twilio posts to an incoming-SMS webhook (a reply such as `ACK 4821`). */
export function inboundSmsParams(input: {
  accountSid: string;
  from: string;
  to: string;
  body: string;
}): Record<string, string> {
  const messageSid = sid('SM');
  return {
    ToCountry: 'CN',
    ToState: '',
    SmsMessageSid: messageSid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '',
    SmsSid: messageSid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: input.body,
    FromCountry: 'CN',
    To: input.to,
    ToZip: '',
    NumSegments: '1',
    MessageSid: messageSid,
    AccountSid: input.accountSid,
    From: input.from,
    ApiVersion: '2010-04-01',
  };
}

/**
 * Posts a webhook to `url` exactly as Twilio would: form-encoded parameters and a valid
 * `X-Twilio-Signature` (or the `signature` given, to test rejection). Returns the response.
 */
export async function postTwilioWebhook(
  url: string,
  params: Record<string, string>,
  authToken: string,
  signature = signTwilioWebhook(authToken, url, params),
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
      'user-agent': 'TwilioProxy/1.1',
    },
    body: new URLSearchParams(params).toString(),
  });
}
