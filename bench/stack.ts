/**
 * The system under test: `npm start`'s embedded default (scripts/start.ts: the Temporal dev
 * server on SQLite, the worker and the API as child processes), run exactly as a user runs it,
 * on free ports of 127.0.0.1, with its database, outbox and ledger in a fresh folder.
 *
 * With `temporal: 'postgres'` (BENCH_TEMPORAL=postgres) a real Temporal server on PostgreSQL is
 * started first in the same folder (bench/postgres-temporal.ts) and start.ts is given its
 * address as TEMPORAL_ADDRESS, so it starts no dev server: the same worker and API on another
 * persistence. The stack's "server" figure is then that server and every PostgreSQL process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../scripts/dev-server';
import { ensureTemporalBinaries } from '../scripts/temporal-binaries';
import { startPostgresTemporal, type PostgresTemporal } from './postgres-temporal';
import { childrenOf, commandLine, type SampleTarget } from './proc';

export const repositoryRoot = resolve(__dirname, '..');

export interface StackOptions {
  /** A name for the folder and the log. */
  label: string;
  /** The response policy (POLICY_FILE); the plan's figures when omitted. */
  policy?: Record<string, unknown>;
  /** Extra environment for start.ts and so for the worker and the API (tuning switches). */
  env?: Record<string, string>;
  /** Keep the folder (database, outbox, log) after `stop()`. */
  keep?: boolean;
  /** The Temporal service: the dev server start.ts runs (default), or a Temporal server on PostgreSQL. */
  temporal?: TemporalKind;
}

export type TemporalKind = 'dev' | 'postgres';

export interface StackPids {
  start: number;
  /** The Temporal server process (the dev server, or the Temporal server on PostgreSQL). */
  server: number;
  worker: number;
  api: number;
}

export interface Stack {
  folder: string;
  baseUrl: string;
  port: number;
  /** gRPC address of the dev server. */
  temporalAddress: string;
  outboxFile: string;
  logFile: string;
  pids: StackPids;
  /**
   * What the usage samplers measure as server, worker and API: with PostgreSQL, "server" is a
   * group of the Temporal server and every PostgreSQL process (bench/proc.ts, ProcessGroup).
   */
  usageTargets: { server: SampleTarget; worker: number; api: number };
  /** Which persistence the Temporal service runs on, for the report. */
  persistence: string;
  /** The environment start.ts ran with, minus the inherited part and the keys (for the report). */
  settings: Record<string, string>;
  /** `Authorization` headers for the API keys the stack was started with (R-SEC-2), by role. */
  auth: Record<BenchRole, Record<string, string>>;
  stop(): Promise<void>;
}

/** The roles the benchmark calls the API as: support reports, integration signals, manager reads. */
export type BenchRole = 'support' | 'integration' | 'manager';

/** A fresh key per role, adopted by `npm start` from `API_KEY_<ROLE>` (scripts/local-keys.ts). */
function benchKeys(): Record<BenchRole, string> {
  const key = () => `cie_${randomBytes(32).toString('base64url')}`;
  return { support: key(), integration: key(), manager: key() };
}

const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 90_000;

/** Every stack still running, so an interrupted benchmark can take them down. */
const running = new Set<{ kill(): void }>();
process.on('exit', () => {
  for (const stack of running) stack.kill();
});

export async function startStack(options: StackOptions): Promise<Stack> {
  const folder = mkdtempSync(join(tmpdir(), `claims-bench-${options.label}-`));
  let postgres: PostgresTemporal | undefined;
  if (options.temporal === 'postgres') {
    try {
      postgres = await startPostgresTemporal({ folder: join(folder, 'temporal'), label: options.label });
    } catch (err) {
      if (!options.keep) rmSync(folder, { recursive: true, force: true });
      throw err;
    }
  }
  const [port, grpcPort] = [await findFreePort(), await findFreePort()];
  const uiPort = await findFreePort('127.0.0.1', [port, grpcPort]);
  const settings: Record<string, string> = {
    PORT: String(port),
    // With PostgreSQL, start.ts uses that server and starts no dev server; TEMPORAL_DB_FILE
    // still names the folder its data files (payload keys, ack-link secret) go beside.
    ...(postgres
      ? { TEMPORAL_ADDRESS: postgres.address, TEMPORAL_NAMESPACE: postgres.namespace }
      : { TEMPORAL_DEV_PORT: String(grpcPort), TEMPORAL_UI_PORT: String(uiPort) }),
    TEMPORAL_DB_FILE: join(folder, 'temporal.sqlite'),
    OUTBOX_FILE: join(folder, 'outbox.jsonl'),
    SENT_LEDGER_FILE: join(folder, 'sent-ledger.jsonl'),
    // A fixed secret keeps the benchmark from writing one into the repository's data/.
    ACK_LINK_SECRET: 'benchmark-ack-link-secret-0123456789',
    ...options.env,
  };
  // BENCH_WORKER_PROFILE=<folder>: the worker writes V8 CPU profiles there (main thread and the
  // workflow threads) when it stops, to see where its time goes.
  let profile = process.env.BENCH_WORKER_PROFILE ? ` --cpu-prof --cpu-prof-dir=${process.env.BENCH_WORKER_PROFILE}` : '';
  // BENCH_WORKER_NODE_ARGS: Node flags for the worker alone (e.g. `--max-old-space-size=512`,
  // which its workflow thread takes as its heap limit too).
  if (process.env.BENCH_WORKER_NODE_ARGS) profile += ` ${process.env.BENCH_WORKER_NODE_ARGS}`;
  if (Object.keys(settings).some((name) => name.startsWith('WORKER_'))) {
    // Worker tuning without touching worker.ts: preloaded, it adds the options to Worker.create.
    settings.START_WORKER_CMD = `${process.execPath}${profile} --require ./bench/worker-tuning.cjs --import tsx worker.ts`;
  } else if (profile) {
    settings.START_WORKER_CMD = `${process.execPath}${profile} --import tsx worker.ts`;
  }
  if (settings.DEV_SERVER_EXTRA_ARGS && !postgres) {
    // The dev server's extra arguments (SQLite pragmas, dynamic config) through a wrapper of the CLI.
    settings.BENCH_TEMPORAL_CLI = ensureTemporalBinaries().temporal;
    settings.TEMPORAL_CLI_PATH = join(repositoryRoot, 'bench', 'temporal-cli.sh');
  }
  if (options.policy) {
    settings.POLICY_FILE = join(folder, 'policy.json');
    writeFileSync(settings.POLICY_FILE, JSON.stringify(options.policy, null, 2));
  }
  settings.API_KEYS_FILE = join(folder, 'api-keys.json');
  const keys = benchKeys();
  const keyEnvironment = Object.fromEntries(Object.entries(keys).map(([role, key]) => [`API_KEY_${role.toUpperCase()}`, key]));
  const logFile = join(folder, 'stack.log');
  const log = openSync(logFile, 'a');
  // The same command `npm start` runs (`exec tsx scripts/start.ts`), without npm in between.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: repositoryRoot,
    env: { ...withoutTemporalClientSettings(process.env), ...settings, ...keyEnvironment },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const startPid = child.pid;
  if (startPid === undefined) {
    await postgres?.stop();
    throw new Error('could not spawn scripts/start.ts');
  }
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const known = new Set<number>([startPid]);
  const killAll = () => {
    for (const pid of known) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };
  const handle = { kill: killAll };
  running.add(handle);

  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (hasExited) throw new Error(`scripts/start.ts exited before the stack was healthy; see ${logFile}`);
      if (Date.now() > deadline) throw new Error(`the stack was not healthy within ${READY_TIMEOUT_MS / 1000} s; see ${logFile}`);
      try {
        const health = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(5_000) });
        if (health.status === 200) break;
      } catch {
        // not listening yet
      }
      await sleep(500);
    }
    const pids = findPids(startPid, postgres?.temporalPid);
    for (const pid of [pids.server, pids.worker, pids.api]) if (pid !== postgres?.temporalPid) known.add(pid);

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        // Ctrl-C, as a user stops it: API, then worker, then server, in order.
        if (!hasExited) child.kill('SIGINT');
        const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS, false)]);
        if (!stopped) killAll();
        // Whatever start.ts left behind (it should leave nothing) goes too.
        for (const pid of [pids.server, pids.worker, pids.api]) {
          if (pid === postgres?.temporalPid) continue;
          try {
            process.kill(pid, 0);
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone, as it should be
          }
        }
        // Last, as start.ts stops its dev server last: the Temporal server, then PostgreSQL.
        await postgres?.stop();
        running.delete(handle);
        if (!options.keep) rmSync(folder, { recursive: true, force: true });
      })();
      return stopping;
    };
    return {
      folder,
      baseUrl,
      port,
      temporalAddress: postgres?.address ?? `127.0.0.1:${grpcPort}`,
      outboxFile: settings.OUTBOX_FILE!,
      logFile,
      pids,
      usageTargets: {
        server: postgres
          ? { parts: { temporal: () => [postgres.temporalPid], postgres: () => postgres.postgresPids() } }
          : pids.server,
        worker: pids.worker,
        api: pids.api,
      },
      persistence: postgres?.description ?? 'Temporal CLI dev server on a SQLite file (WAL), 1 history shard',
      settings,
      auth: {
        support: { authorization: `Bearer ${keys.support}` },
        integration: { authorization: `Bearer ${keys.integration}` },
        manager: { authorization: `Bearer ${keys.manager}` },
      },
      stop,
    };
  } catch (err) {
    killAll();
    await postgres?.stop();
    running.delete(handle);
    throw err;
  }
}

/**
 * The dev server, the worker and the API among start.ts's children, told apart by command line;
 * a Temporal server started outside start.ts is given.
 */
function findPids(startPid: number, serverPid?: number): StackPids {
  const found: Partial<StackPids> = { start: startPid, server: serverPid };
  for (const pid of childrenOf(startPid)) {
    const command = commandLine(pid);
    if (command.includes('start-dev')) found.server = pid;
    else if (command.includes('worker.ts')) found.worker = pid;
    else if (command.includes('api/server.ts')) found.api = pid;
  }
  if (!found.server || !found.worker || !found.api) {
    throw new Error(`could not find the stack's processes under pid ${startPid}: ${JSON.stringify(found)}`);
  }
  return found as StackPids;
}

/** The bench's own TEMPORAL_* client settings must not point the stack at another cluster. */
function withoutTemporalClientSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('TEMPORAL_')));
}
