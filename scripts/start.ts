/**
 * `npm start`: the whole engine in one command. Unless `TEMPORAL_ADDRESS` names a Temporal
 * service to use, it starts the Temporal dev server persisting to `data/temporal.sqlite` (with
 * the Web UI), then the worker and the API against it, and says where each one is.
 *
 * Ctrl-C or SIGTERM stops the API, then the worker (letting it finish its tasks), then the
 * server, and exits 0. If any of them dies on its own, the rest are stopped and it exits 1
 * naming the one that died.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { dirname, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ackLinkSecret, readEnvironment, workerProcessEnvironment } from '../config/env';
import { localPayloadKeys } from '../config/payload-codec';
import { startDevServer, type DevServer, type ExitStatus } from './dev-server';
import { describeLocalKeys, prepareLocalKeys } from './local-keys';
import { repositoryRoot } from './temporal-binaries';

const port = z.coerce.number().int().min(1).max(65535);
/** A command line, split on spaces (no shell); `START_*_CMD` replace the real services in tests. */
const commandLine = z
  .string()
  .trim()
  .min(1)
  .transform((line) => line.split(/\s+/));

const startSettingsSchema = z.object({
  /** A Temporal service to use instead of starting the dev server. */
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /** The dev server's SQLite file; its log goes beside it as `temporal.log`. */
  TEMPORAL_DB_FILE: z.string().min(1).default('data/temporal.sqlite'),
  /** Set by the caller to point the incident links elsewhere; else the dev server's UI. */
  TEMPORAL_UI_URL: z.string().min(1).optional(),
  START_WORKER_CMD: commandLine.optional(),
  START_API_CMD: commandLine.optional(),
});

type StartSettings = z.infer<typeof startSettingsSchema>;

/** Validated once here; an empty variable counts as unset. */
function readStartSettings(env: NodeJS.ProcessEnv): StartSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = startSettingsSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

const API_STOP_GRACE_MS = 10_000;
/** The worker drains its in-flight tasks on SIGTERM; give it time before forcing it. */
const WORKER_STOP_GRACE_MS = 30_000;

const REPEATED_SIGNAL_MS = 1_000;
const API_READY_TIMEOUT_MS = 60_000;

/** A service this script runs and stops: the worker or the API. */
interface Service {
  name: string;
  child: ChildProcess;
  exited: Promise<ExitStatus>;
  hasExited(): boolean;
}

function say(message: string): void {
  process.stdout.write(`[start] ${message}\n`);
}

/** Runs `command` in its own process group (Ctrl-C reaches only this script, which orders the stop). */
function startService(name: string, command: string[], env: NodeJS.ProcessEnv): Service {
  const [file, ...args] = command;
  if (!file) throw new Error(`no command for the ${name}`);
  const child = spawn(file, args, { cwd: repositoryRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  prefixLines(child.stdout, process.stdout, name);
  prefixLines(child.stderr, process.stderr, name);
  let exitedAlready = false;
  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    // A command that cannot be started emits 'error' and no 'exit'.
    child.once('error', (err) => {
      process.stderr.write(`[${name}] could not run ${command.join(' ')}: ${err.message}\n`);
      resolveExit({ code: 127, signal: null });
    });
  });
  void exited.then(() => (exitedAlready = true));
  return { name, child, exited, hasExited: () => exitedAlready };
}

function prefixLines(input: NodeJS.ReadableStream | null, output: NodeJS.WritableStream, name: string): void {
  if (!input) return;
  createInterface({ input, crlfDelay: Infinity }).on('line', (line) => output.write(`[${name}] ${line}\n`));
}

/** SIGTERM to the service's process group, SIGKILL if it is still there after `graceMs`. */
async function stopService(service: Service, graceMs: number): Promise<void> {
  if (service.hasExited()) return;
  signalGroup(service.child, 'SIGTERM');
  const timer = new AbortController();
  const stopped = await Promise.race([
    service.exited.then(() => true),
    sleep(graceMs, false, { signal: timer.signal }).catch(() => false),
  ]);
  timer.abort();
  if (!stopped) {
    say(`the ${service.name} did not stop within ${graceMs / 1000} s; killing it`);
    signalGroup(service.child, 'SIGKILL');
    await service.exited;
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Relative to where the user ran the command, unless that is further away than the path itself. */
function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') ? path : fromHere;
}

function describeExit({ code, signal }: ExitStatus): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** Whether something accepts connections on localhost:`port` within `timeoutMs` (polled). */
async function waitForPort(port: number, timeoutMs: number, giveUp: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !giveUp()) {
    const open = await new Promise<boolean>((resolveProbe) => {
      const socket = connect({ port, host: 'localhost' });
      socket.once('connect', () => {
        socket.destroy();
        resolveProbe(true);
      });
      socket.once('error', () => {
        socket.destroy();
        resolveProbe(false);
      });
    });
    if (open) return true;
    await sleep(250);
  }
  return false;
}

function tsxCommand(entry: string): string[] {
  // `node --import tsx` is `tsx <entry>` without the extra wrapper process between us and it.
  return [process.execPath, '--import', 'tsx', entry];
}

async function main(): Promise<number> {
  const settings = readStartSettings(process.env);
  const environment = readEnvironment(process.env);

  let server: DevServer | undefined;
  const services: Service[] = [];

  let signalled = false;
  let firstSignalAt = 0;
  let requestStop!: () => void;
  const stopRequested = new Promise<void>((resolveStop) => (requestStop = resolveStop));
  const onSignal = (signal: NodeJS.Signals): void => {
    // One Ctrl-C can arrive twice (from the terminal and relayed by npm or tsx): only a
    // second one a moment later means "stop waiting".
    if (signalled && Date.now() - firstSignalAt < REPEATED_SIGNAL_MS) return;
    if (signalled) {
      say(`${signal} again: killing everything now`);
      for (const service of services) signalGroup(service.child, 'SIGKILL');
      if (server) {
        try {
          process.kill(server.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      process.exit(1);
    }
    signalled = true;
    firstSignalAt = Date.now();
    say(`${signal}: stopping the API, then the worker${server ? ', then the Temporal dev server' : ''}`);
    requestStop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Should this script die without stopping them, take the services down with it.
  process.on('exit', () => {
    for (const service of services) if (!service.hasExited()) signalGroup(service.child, 'SIGKILL');
  });

  /** API first, server last: nothing is left talking to a part that is already gone. */
  const stopAll = async (): Promise<void> => {
    const byName = (name: string) => services.find((service) => service.name === name);
    const api = byName('api');
    const worker = byName('worker');
    if (api) await stopService(api, API_STOP_GRACE_MS);
    if (worker) await stopService(worker, WORKER_STOP_GRACE_MS);
    if (server) await server.stop();
  };

  let address = settings.TEMPORAL_ADDRESS;
  let uiUrl = settings.TEMPORAL_UI_URL;
  if (!address) {
    const dbFile = resolve(repositoryRoot, settings.TEMPORAL_DB_FILE);
    const logFile = resolve(dirname(dbFile), 'temporal.log');
    say(`starting the Temporal dev server (state in ${displayPath(dbFile)}, log in ${displayPath(logFile)})`);
    try {
      server = await startDevServer({
        dbFile,
        logFile,
        port: settings.TEMPORAL_DEV_PORT,
        uiPort: settings.TEMPORAL_UI_PORT,
        namespace: settings.TEMPORAL_NAMESPACE,
        detached: true,
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      process.stderr.write(
        `[start] the Temporal dev server did not start: ${reason}\n` +
          `[start] if a Temporal service already runs there, set TEMPORAL_ADDRESS to use it, ` +
          `or TEMPORAL_DEV_PORT / TEMPORAL_UI_PORT to pick other ports\n`,
      );
      return signalled ? 0 : 1;
    }
    address = server.address;
    uiUrl ??= server.uiUrl;
    if (signalled) {
      await stopAll();
      return 0;
    }
  }

  // Every data file the engine keeps lives beside the dev server's database unless named: the
  // archive is encrypted under the payload keys kept there, and the sent ledger and the outbox
  // belong to the incidents in that database (a fresh database with an old ledger could take
  // a new incident's page for one already sent). With the default that folder is data/.
  const dataFolder = dirname(resolve(repositoryRoot, settings.TEMPORAL_DB_FILE));
  const beside = (variable: string, file: string): string => {
    const named = process.env[variable];
    return named ? resolve(repositoryRoot, named) : resolve(dataFolder, file);
  };
  const outboxFile = beside('OUTBOX_FILE', 'outbox.jsonl');
  // R-SEC-2: the API always asks for keys; on the embedded default they live beside the
  // database (as the payload keys do), one per role generated on the first start.
  const apiKeysFile = beside('API_KEYS_FILE', 'api-keys.json');
  const keyLines = describeLocalKeys(prepareLocalKeys(apiKeysFile, process.env), displayPath(apiKeysFile));
  const childEnvironment: NodeJS.ProcessEnv = {
    ...process.env,
    API_KEYS_FILE: apiKeysFile,
    OUTBOX_FILE: outboxFile,
    SENT_LEDGER_FILE: beside('SENT_LEDGER_FILE', 'sent-ledger.jsonl'),
    CUSTOMER_NOTICES_FILE: beside('CUSTOMER_NOTICES_FILE', 'customer-notices.jsonl'),
    ...(process.env.DATABASE_URL ? {} : { ARCHIVE_DATABASE: beside('ARCHIVE_DATABASE', 'archive.sqlite') }),
    // The reports accepted and not yet started belong to this database's engine too (api/intake-journal.ts).
    INTAKE_JOURNAL_FILE: process.env.INTAKE_JOURNAL_FILE === 'off' ? 'off' : beside('INTAKE_JOURNAL_FILE', 'intake-journal.sqlite'),
    ACK_LINK_SECRET: ackLinkSecret(environment, resolve(dataFolder, 'ack-link.secret')),
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: settings.TEMPORAL_NAMESPACE,
    ...(uiUrl ? { TEMPORAL_UI_URL: uiUrl } : {}),
    // R-SEC-1: payloads encrypted by default, with a key generated once and kept beside the
    // dev server's database (data/payload-keys), as the history it encrypts is.
    PAYLOAD_KEYS: process.env.PAYLOAD_KEYS || localPayloadKeys(resolve(dataFolder, 'payload-keys')),
  };
  const workerEnvironment = { ...childEnvironment, ...workerProcessEnvironment(environment, process.env) };
  services.push(startService('worker', settings.START_WORKER_CMD ?? tsxCommand('worker.ts'), workerEnvironment));
  services.push(startService('api', settings.START_API_CMD ?? tsxCommand('api/server.ts'), childEnvironment));

  // The summary goes last, once the API answers, so it is not lost above the services' start-up output.
  const printSummary = (apiAnswers: boolean): void => {
    say(`Temporal gRPC    ${address}${server ? ' (dev server)' : ''}, namespace ${settings.TEMPORAL_NAMESPACE}`);
    if (uiUrl) say(`Temporal Web UI  ${uiUrl}`);
    say(`API              http://localhost:${environment.PORT}${apiAnswers ? '' : ' (not answering yet)'}`);
    say(`Dashboard        http://localhost:${environment.PORT}/dashboard (sign in with a manager's or on-call key)`);
    say(`Outbox           ${displayPath(outboxFile)} (tail -f it to watch notifications)`);
    for (const line of keyLines) say(line);
    say('Ctrl-C stops everything');
  };
  say('starting the worker and the API');
  void waitForPort(environment.PORT, API_READY_TIMEOUT_MS, () => signalled || services.some((service) => service.hasExited())).then(
    (answered) => {
      if (!signalled && !services.some((service) => service.hasExited())) printSummary(answered);
    },
  );

  // Whichever comes first: a signal, or a part exiting on its own.
  const parts = [
    ...services.map((service) => service.exited.then((status) => ({ name: `the ${service.name}`, status }))),
    ...(server ? [server.exited.then((status) => ({ name: 'the Temporal dev server', status }))] : []),
  ];
  const died = await Promise.race([Promise.race(parts), stopRequested.then(() => undefined)]);
  if (died && !signalled) {
    process.stderr.write(`[start] ${died.name} exited unexpectedly (${describeExit(died.status)}); stopping the rest\n`);
    if (died.name === 'the Temporal dev server' && server) process.stderr.write(`${server.logTail()}\n`);
    await stopAll();
    return 1;
  }
  await stopAll();
  say('stopped');
  return 0;
}

main().then(
  (exitCode) => process.exit(exitCode),
  (err: unknown) => {
    process.stderr.write(`[start] ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
