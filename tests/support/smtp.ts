import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * An in-process SMTP server (the `smtp-server` package) on 127.0.0.1 for integration tests: it
 * collects every message, can refuse chosen recipients with a 5xx (or 4xx) reply, and can be
 * stopped and started again on the same port to simulate the mail server being down.
 *
 * mailparser is not a dependency, so messages are decoded by the small MIME reader below: enough
 * for what nodemailer writes (RFC 2047 headers, base64 / quoted-printable bodies, one level of
 * multipart/alternative), not a general parser.
 */

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** Header values by lower-case name, unfolded and RFC 2047-decoded (the last one wins). */
  headers: Map<string, string>;
  subject: string;
  text: string;
  html?: string;
  raw: string;
}

interface Refusal {
  code: number;
  message: string;
}

export class SmtpTestServer {
  readonly messages: ReceivedMail[] = [];
  private readonly refusals = new Map<string, Refusal>();
  private server: SMTPServer | undefined;
  private waiters: Array<() => void> = [];

  private constructor(private portNumber: number) {}

  /** Starts a server on a free port. */
  static async start(): Promise<SmtpTestServer> {
    const smtp = new SmtpTestServer(0);
    await smtp.start();
    return smtp;
  }

  get port(): number {
    return this.portNumber;
  }

  /** The URL to hand to `NodemailerEmailSender` (short timeouts so "down" fails fast). */
  get url(): string {
    return `smtp://127.0.0.1:${this.portNumber}/?connectionTimeout=2000&greetingTimeout=2000&socketTimeout=5000`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Refuse RCPT TO for this address: 550 "Mailbox unknown" unless told otherwise. */
  refuseRecipient(address: string, code = 550, message = '5.1.1 Mailbox unknown'): void {
    this.refusals.set(address.toLowerCase(), { code, message });
  }

  /** (Re)starts listening, on the same port after a `stop()`. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 100,
      onRcptTo: (address, _session, callback) => {
        const refusal = this.refusals.get(address.address.toLowerCase());
        if (!refusal) return callback();
        callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const mailFrom = session.envelope.mailFrom;
          this.messages.push({
            envelope: {
              from: mailFrom === false ? '' : mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            ...parseMessage(raw),
            raw,
          });
          const waiters = this.waiters;
          this.waiters = [];
          waiters.forEach((wake) => wake());
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.portNumber, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.portNumber = (server.server.address() as AddressInfo).port;
    server.on('error', () => undefined);
    this.server = server;
  }

  /** Stops listening and drops open connections; `start()` brings it back on the same port. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once at least `count` messages have arrived. */
  async waitForMessages(count: number, timeoutMs = 5000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} messages, got ${this.messages.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages;
  }
}

// ——— a minimal MIME reader ———

function splitHeadAndBody(raw: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  if (!match) return { head: raw, body: '' };
  return { head: raw.slice(0, match.index), body: raw.slice(match.index + match[0].length) };
}

function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, encoding: string, text: string) => {
      if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
      return decodeQuotedPrintable(text.replace(/_/g, ' '));
    });
}

function parseHeaders(head: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), decodeEncodedWords(line.slice(colon + 1).trim()));
  }
  return headers;
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const input = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < input.length; i += 1) {
    const char = input[i] ?? '';
    const hex = input.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

function parseMessage(raw: string): Omit<ReceivedMail, 'envelope' | 'raw'> {
  const { head, body } = splitHeadAndBody(raw);
  const headers = parseHeaders(head);
  const parts = collectParts(headers, body);
  const text = parts.find((p) => p.type === 'text/plain')?.content ?? '';
  const html = parts.find((p) => p.type === 'text/html')?.content;
  return {
    headers,
    subject: headers.get('subject') ?? '',
    text: text.replace(/\r\n/g, '\n').replace(/\n$/, ''),
    ...(html === undefined ? {} : { html }),
  };
}

function collectParts(headers: Map<string, string>, body: string): Array<{ type: string; content: string }> {
  const contentType = headers.get('content-type') ?? 'text/plain';
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) return [];
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((chunk) => !chunk.startsWith('--'))
      .flatMap((chunk) => {
        const part = splitHeadAndBody(chunk.replace(/^\r?\n/, ''));
        return collectParts(parseHeaders(part.head), part.body.replace(/\r?\n$/, ''));
      });
  }
  return [{ type, content: decodeBody(body, headers.get('content-transfer-encoding')) }];
}
