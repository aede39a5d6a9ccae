/**
 * The fault suite's stack, all real parts: the Temporal dev server on a SQLite file (on a fixed
 * port, so it can be killed and started again on the same address and database), the in-process
 * SMTP server, the Twilio fake, and the worker as a separate process (`worker-process.ts`) that
 * can be SIGKILLed and started again; the API as a separate process where a scenario needs it.
 * Every file (policy, roster, sent ledger, outbox, logs) lives in one temporary folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { findFreePort, startDevServer, type DevServer } from '../../scripts/dev-server';
import { dataConverterFor, generatePayloadKeyEntry, readPayloadCodec } from '../../config/payload-codec';
import { parsePolicy, type Policy } from '../../domain/policy';
import { parseRoster, type Roster } from '../../domain/roster';
import { stateQuery, type IncidentState } from '../../workflows/contracts';
import { getWorkflowBundle, BUNDLE_PATH_VARIABLE } from '../support/bundle';
import { SmtpTestServer } from '../support/smtp';
import { TwilioFake } from '../support/twilio-fake';

const root = resolve(__dirname, '..', '..');
export const ACCOUNT_SID = 'AC' + 'f4'.repeat(16);
export const AUTH_TOKEN = 'fault-suite-auth-token-0123456789';
export const TWILIO_NUMBER = '+15005550006';

export interface FaultStackOptions {
  /** The policy document (parsed like a POLICY_FILE). */
  policy: unknown;
  roster: unknown;
  /** A label for the temporary folder and logs. */
  name: string;
}

/** A small seeded generator (mulberry32), so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `read` until it answers something other than `undefined`. */
export async function waitFor<T>(read: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** One spawned process with its output in a log file. */
class ChildService {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  starts = 0;

  constructor(
    private readonly script: string,
    private readonly env: () => NodeJS.ProcessEnv,
    private readonly log: WriteStream,
    private readonly ready: RegExp,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 90_000): Promise<void> {
    if (this.running) return;
    const child = spawn(process.execPath, ['--import', 'tsx', this.script], { cwd: root, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.starts += 1;
    this.exited = new Promise((r) => child.once('exit', () => r()));
    let output = '';
    const ready = new Promise<void>((resolveReady, reject) => {
      const onData = (chunk: Buffer) => {
        this.log.write(chunk);
        output = (output + chunk.toString()).slice(-4000);
        if (this.ready.test(output)) resolveReady();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => reject(new Error(`${this.script} exited (${code ?? signal}) before it was ready:\n${output}`)));
      setTimeout(() => reject(new Error(`${this.script} not ready within ${timeoutMs} ms:\n${output}`)), timeoutMs).unref();
    });
    await ready;
  }

  /** SIGKILL (no goodbye: in-flight activities and sends are cut wherever they are), or SIGTERM. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill(signal);
    await this.exited;
  }
}

export class FaultStack {
  readonly folder: string;
  readonly policy: Policy;
  readonly roster: Roster;
  readonly smtp: SmtpTestServer;
  readonly twilio: TwilioFake;
  readonly client: Client;
  readonly ledgerPath: string;
  readonly worker: ChildService;
  readonly api: ChildService;
  readonly apiPort: number;
  private server: DevServer;
  private readonly logs: WriteStream[];
  private readonly extraApiEnvironment: NodeJS.ProcessEnv = {};

  private constructor(init: {
    folder: string;
    policy: Policy;
    roster: Roster;
    smtp: SmtpTestServer;
    twilio: TwilioFake;
    server: DevServer;
    client: Client;
    env: NodeJS.ProcessEnv;
    apiPort: number;
  }) {
    this.folder = init.folder;
    this.policy = init.policy;
    this.roster = init.roster;
    this.smtp = init.smtp;
    this.twilio = init.twilio;
    this.server = init.server;
    this.client = init.client;
    this.apiPort = init.apiPort;
    this.ledgerPath = String(init.env.SENT_LEDGER_FILE);
    const workerLog = createWriteStream(join(this.folder, 'worker.log'), { flags: 'a' });
    const apiLog = createWriteStream(join(this.folder, 'api.log'), { flags: 'a' });
    this.logs = [workerLog, apiLog];
    this.worker = new ChildService('tests/faults/worker-process.ts', () => init.env, workerLog, /worker ready/);
    this.api = new ChildService('api/server.ts', () => ({ ...init.env, ...this.extraApiEnvironment, PORT: String(init.apiPort) }), apiLog, /API listening/);
  }

  static async start(options: FaultStackOptions): Promise<FaultStack> {
    const folder = mkdtempSync(join(tmpdir(), `faults-${options.name}-`));
    const policy = parsePolicy(options.policy);
    const roster = parseRoster(options.roster);
    const policyFile = join(folder, 'policy.json');
    const rosterFile = join(folder, 'roster.json');
    writeFileSync(policyFile, JSON.stringify(options.policy));
    writeFileSync(rosterFile, JSON.stringify(options.roster));
    // The worker process reads the bundle the Jest run prepared, copied here: another Jest run in
    // the same checkout prunes older bundles from the temp folder, and the worker restarts later.
    const bundlePath = join(folder, 'workflows.js');
    writeFileSync(bundlePath, (await getWorkflowBundle()).code);
    const [port, apiPort] = [await findFreePort(), await findFreePort()];
    const [server, smtp, twilio] = await Promise.all([
      startDevServer({ dbFile: join(folder, 'temporal.sqlite'), logFile: join(folder, 'server.log'), uiPort: false, port }),
      SmtpTestServer.start(),
      TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }),
    ]);
    const payloadKeys = generatePayloadKeyEntry('faults');
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_')));
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
      [BUNDLE_PATH_VARIABLE]: bundlePath,
      POLICY_FILE: policyFile,
      ROSTER_FILE: rosterFile,
      SMTP_URL: smtp.url,
      MAIL_FROM: '"Claims On-Call" <oncall@example.com>',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: TWILIO_NUMBER,
      TWILIO_API_BASE_URL: twilio.baseUrl,
      // Calls fetch their TwiML from here (it carries the incident id); nothing listens.
      PUBLIC_BASE_URL: 'http://127.0.0.1:9',
      ACK_LINK_SECRET: 'fault-suite-ack-link-secret-0123456789',
      OUTBOX_FILE: join(folder, 'outbox.jsonl'),
      SENT_LEDGER_FILE: join(folder, 'sent-ledger.jsonl'),
      CUSTOMER_NOTICES_FILE: join(folder, 'customer-notices.jsonl'),
      ARCHIVE_DATABASE: join(folder, 'archive.sqlite'),
      // The API's accepted-but-not-started reports belong to this stack's engine (api/intake-journal.ts).
      INTAKE_JOURNAL_FILE: join(folder, 'intake-journal.sqlite'),
      PAYLOAD_KEYS: payloadKeys,
    };
    const connection = await Connection.connect({ address: server.address });
    const dataConverter = dataConverterFor(readPayloadCodec({ PAYLOAD_KEYS: payloadKeys }));
    const client = new Client({ connection, namespace: server.namespace, ...(dataConverter ? { dataConverter } : {}) });
    return new FaultStack({ folder, policy, roster, smtp, twilio, server, client, env, apiPort });
  }

  /** More environment for the API process (its key file, limits), from its next start. */
  apiEnvironment(env: NodeJS.ProcessEnv): void {
    Object.assign(this.extraApiEnvironment, env);
  }

  get address(): string {
    return this.server.address;
  }

  /** Kills the Temporal dev server (SIGKILL: no clean shutdown) and waits for it to be gone. */
  async killServer(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    process.kill(this.server.pid, signal);
    await this.server.exited;
  }

  /** Starts the dev server again on the same port and SQLite file. */
  async restartServer(): Promise<void> {
    const port = Number(this.server.address.split(':').pop());
    this.server = await startDevServer({ dbFile: join(this.folder, 'temporal.sqlite'), logFile: join(this.folder, 'server.log'), uiPort: false, port });
  }

  /**
   * The incident's state through the query (decoded with the payload keys). Right after a worker
   * is killed the server still sends queries to its sticky queue until that times out, so a
   * failed query is asked again a few times.
   */
  async state(id: string): Promise<IncidentState> {
    // Bounded by time, not by count: on a busy two-core machine a restarted worker may be
    // replaying a hundred histories before it can answer, and each query waits its own timeout.
    const giveUpAt = Date.now() + 120_000;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.workflow.getHandle(id).query(stateQuery);
      } catch (err) {
        if (Date.now() >= giveUpAt) {
          const cause = (err as { cause?: { message?: string } }).cause?.message;
          throw new Error(`state of ${id}: query failed ${attempt} times over 120 s; last: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
        }
        await sleep(Math.min(1000 * attempt, 5000));
      }
    }
  }

  /** Every SMS, call and e-mail the providers accepted, for the record. */
  get received(): number {
    return this.smtp.messages.length + this.twilio.accepted.length;
  }

  async stop(keepFolder = false): Promise<void> {
    await this.worker.stop('SIGKILL').catch(() => undefined);
    await this.api.stop('SIGKILL').catch(() => undefined);
    await this.client.connection.close().catch(() => undefined);
    await this.server.stop().catch(() => undefined);
    await this.smtp.stop().catch(() => undefined);
    await this.twilio.stop().catch(() => undefined);
    for (const log of this.logs) log.end();
    if (!keepFolder) rmSync(this.folder, { recursive: true, force: true });
  }
}
