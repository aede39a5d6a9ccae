/**
 * Runs the Temporal CLI dev server (`temporal server start-dev`) as a child process: the embedded
 * default behind `npm start`, and the real server behind the integration tests. It persists to a
 * SQLite file in WAL mode when given one, and it guarantees that the project's custom search
 * attributes (`SEARCH_ATTRIBUTES`) exist with the declared types before it reports ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../workflows/contracts';
import { ensureTemporalBinaries } from './temporal-binaries';

export interface DevServerOptions {
  /** SQLite file to persist to (its folder is created). Omitted: state lives in memory only. */
  dbFile?: string;
  /** Address the gRPC front end and the Web UI bind to. Default `127.0.0.1`. */
  ip?: string;
  /** gRPC port. `0` or omitted: a free port is chosen. */
  port?: number;
  /** Web UI port; `false` runs headless. `0` or omitted: a free port is chosen. */
  uiPort?: number | false;
  /** Namespace to create and register the search attributes on. Default `default`. */
  namespace?: string;
  /** File the server's output is appended to. Omitted: the output is kept in memory for errors. */
  logFile?: string;
  /**
   * Run the server in its own process group, so a terminal's Ctrl-C reaches only the parent,
   * which then decides the order of shutdown. Default false (the server dies with the group).
   */
  detached?: boolean;
  /** How long to wait for the server to answer before giving up. Default 60 s. */
  readyTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DevServer {
  /** `host:port` of the gRPC front end, as a client's `address`. */
  address: string;
  namespace: string;
  /** Web UI, unless headless. */
  uiUrl?: string;
  pid: number;
  /** Settles when the server process exits, whether through `stop()` or not. */
  exited: Promise<ExitStatus>;
  /** The last lines the server printed, for error messages. */
  logTail(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. Safe to call more than once. */
  stop(): Promise<void>;
}

const { IndexedValueType } = temporal.api.enums.v1;

/** Every type name `temporal server start-dev --search-attribute` accepts, as the API's enum. */
const indexedValueTypes = {
  Text: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const satisfies Record<string, temporal.api.enums.v1.IndexedValueType>;

/** Fails to compile if `contracts.ts` names a type the dev server does not know. */
const declaredSearchAttributes: Readonly<Record<string, keyof typeof indexedValueTypes>> = SEARCH_ATTRIBUTES;

/** `SEARCH_ATTRIBUTES` as the operator service's `addSearchAttributes` wants them. */
export function searchAttributeIndexedTypes(): Record<string, temporal.api.enums.v1.IndexedValueType> {
  return Object.fromEntries(
    Object.entries(declaredSearchAttributes).map(([name, type]) => [name, indexedValueTypes[type]]),
  );
}

const STOP_GRACE_MS = 10_000;
const LOG_TAIL_BYTES = 4_000;

/**
 * The dev server exited before it was ready. With ports picked here that is most often a port
 * another process took between the probe and the server's bind (the CLI then panics at start-up).
 */
export class DevServerExitedEarly extends Error {
  override name = 'DevServerExitedEarly';
}

/** Starts the dev server and resolves once it answers on gRPC with the search attributes in place. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  // Ports picked here are probed free, then bound by the server a moment later: when another
  // process took one meanwhile, the next attempt picks others. Ports given are tried once.
  const attempts = options.port || options.uiPort ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServerOnce(options);
    } catch (err) {
      if (!(err instanceof DevServerExitedEarly) || attempt >= attempts) throw err;
    }
  }
}

async function startDevServerOnce(options: DevServerOptions): Promise<DevServer> {
  const { temporal: executable } = ensureTemporalBinaries();
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const port = options.port || (await findFreePort(ip));
  const uiPort = options.uiPort === false ? undefined : options.uiPort || (await findFreePort(ip, [port]));
  const connectHost = hostForClients(ip);
  const address = `${connectHost}:${port}`;
  const uiUrl = uiPort === undefined ? undefined : `http://${connectHost}:${uiPort}`;

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', 'warn'];
  // Eager activity dispatch: an activity scheduled by a workflow task goes back to the worker in
  // the task's completion instead of through another poll, when the worker has a free slot.
  // Nothing is given up for it (the activity is in the history as before); measured in
  // bench/RESULTS.md: breach-page lateness p99 2.38 s without, 824 ms with, at 1,000 incidents.
  args.push('--dynamic-config-value', 'system.enableActivityEagerExecution=true');
  if (options.dbFile) {
    const dbFile = resolve(options.dbFile);
    mkdirSync(dirname(dbFile), { recursive: true });
    // WAL: the server's readers do not block its writer, and a crash loses no committed write.
    args.push('--db-filename', dbFile, '--sqlite-pragma', 'journal_mode=wal');
  }
  // `start-dev` registers these only when it creates the namespace; ensureSearchAttributes
  // below adds any that an older database file lacks.
  for (const [name, type] of Object.entries(declaredSearchAttributes)) args.push('--search-attribute', `${name}=${type}`);
  if (namespace !== 'default') args.push('--namespace', namespace);
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');

  const log = openLog(options.logFile);
  const child = spawn(executable, args, {
    stdio: ['ignore', log.stdio, log.stdio],
    detached: options.detached ?? false,
    env: serverEnvironment(),
  });
  log.attach(child);
  const pid = child.pid;
  if (pid === undefined) {
    log.close();
    throw new Error(`could not start ${executable}: ${await spawnError(child)}`);
  }
  // A failed kill() after a successful spawn is reported here; the exit path covers the rest.
  child.on('error', () => undefined);

  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    log.close();
    process.removeListener('exit', killOnParentExit);
  });
  // A parent that exits without calling stop() must not leave a server holding the port.
  function killOnParentExit(): void {
    if (!hasExited) child.kill('SIGKILL');
  }
  process.once('exit', killOnParentExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (hasExited) return;
      child.kill('SIGTERM');
      if (!(await exitsWithin(exited, STOP_GRACE_MS))) {
        child.kill('SIGKILL');
        await exited;
      }
    })();
    return stopping;
  };

  const server: DevServer = { address, namespace, uiUrl, pid, exited, logTail: log.tail, stop };
  try {
    await waitUntilReady(server, options.readyTimeoutMs ?? 60_000, () => hasExited);
  } catch (err) {
    await stop();
    throw err;
  }
  return server;
}

/**
 * Makes sure every attribute of `SEARCH_ATTRIBUTES` exists on the namespace with its declared
 * type, adding the missing ones. A name that exists with another type is a conflict the
 * operator must resolve (rename the attribute or start from a new database file).
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const wanted = searchAttributeIndexedTypes();
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const existing = customAttributes ?? {};
  const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const [name, type] of Object.entries(wanted)) {
    const current = existing[name];
    if (current === undefined) missing[name] = type;
    else if (current !== type) {
      throw new SearchAttributeConflict(
        `search attribute ${name} exists on namespace ${namespace} as ${typeName(current)}, ` +
          `but workflows/contracts.ts declares ${typeName(type)}; rename it or start from a new database file`,
      );
    }
  }
  if (Object.keys(missing).length === 0) return;
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
}

function typeName(type: temporal.api.enums.v1.IndexedValueType): string {
  return (IndexedValueType[type] ?? String(type)).replace('INDEXED_VALUE_TYPE_', '');
}

/** A search attribute registered with another type than `contracts.ts` declares. */
export class SearchAttributeConflict extends Error {
  override name = 'SearchAttributeConflict';
}

async function waitUntilReady(server: DevServer, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (hasExited()) {
      const status = await server.exited;
      throw new DevServerExitedEarly(
        `the Temporal dev server exited before it was ready (${describeExit(status)}); its last output:\n` +
          server.logTail(),
      );
    }
    // A lazy connection is ours to close even when the first call fails; without the default
    // retry interceptor, no retry is left pending on a channel this loop has already closed.
    const connection = Connection.lazy({ address: server.address, interceptors: [] });
    try {
      await connection.withDeadline(Date.now() + 2_000, async () => {
        await connection.workflowService.getSystemInfo({});
        await connection.workflowService.describeNamespace({ namespace: server.namespace });
      });
      await connection.withDeadline(Date.now() + 10_000, () => ensureSearchAttributes(connection, server.namespace));
      if (server.uiUrl) await fetch(server.uiUrl, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch (err) {
      lastError = err;
      // A conflicting search attribute will not fix itself by waiting.
      if (err instanceof SearchAttributeConflict) throw err;
    } finally {
      await connection.close();
    }
    await sleep(250);
  }
  throw new Error(
    `the Temporal dev server at ${server.address} was not ready within ${timeoutMs} ms ` +
      `(last error: ${lastError instanceof Error ? lastError.message : String(lastError)}); its last output:\n` +
      server.logTail(),
  );
}

/** Asks the OS for a port that is free right now (listen on 0, read it, close), other than `taken`. */
export async function findFreePort(host = '127.0.0.1', taken: readonly number[] = []): Promise<number> {
  for (;;) {
    const port = await probeFreePort(host);
    if (!taken.includes(port)) return port;
  }
}

function probeFreePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const bound = probe.address();
      const port = typeof bound === 'object' && bound ? bound.port : undefined;
      probe.close(() => (port ? resolvePort(port) : reject(new Error('no port was assigned'))));
    });
  });
}

/** A wildcard bind address is reachable by clients on loopback. */
function hostForClients(ip: string): string {
  if (ip === '0.0.0.0') return '127.0.0.1';
  if (ip === '::') return '[::1]';
  return ip.includes(':') ? `[${ip}]` : ip;
}

/**
 * The server needs none of the TEMPORAL_* client settings (address, namespace, profile); the
 * CLI would read some of them as defaults for its own flags, so they are left out.
 */
function serverEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_')));
}

interface ServerLog {
  stdio: 'pipe' | number;
  attach(child: ChildProcess): void;
  tail(): string;
  close(): void;
}

/** Output goes straight to the log file when there is one, else into a bounded memory buffer. */
function openLog(logFile: string | undefined): ServerLog {
  if (logFile) {
    const path = resolve(logFile);
    mkdirSync(dirname(path), { recursive: true });
    let fd: number | undefined = openSync(path, 'a');
    return {
      stdio: fd,
      attach: () => {
        // The child holds its own copy of the descriptor.
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
      },
      tail: () => readFileTail(path),
      close: () => {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
      },
    };
  }
  let buffer = '';
  const keep = (chunk: Buffer): void => {
    buffer = (buffer + chunk.toString('utf8')).slice(-LOG_TAIL_BYTES);
  };
  return {
    stdio: 'pipe',
    attach: (child) => {
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
    },
    tail: () => buffer,
    close: () => undefined,
  };
}

function readFileTail(path: string): string {
  try {
    const size = statSync(path).size;
    const length = Math.min(size, LOG_TAIL_BYTES);
    const bytes = Buffer.alloc(length);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, bytes, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    return bytes.toString('utf8');
  } catch {
    return `(could not read ${path})`;
  }
}

/** Whether `exited` settles within `ms`; the timer is cleared either way so it holds no process open. */
async function exitsWithin(exited: Promise<ExitStatus>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const timedOut = sleep(ms, false, { signal: timer.signal }).catch(() => false);
  const result = await Promise.race([exited.then(() => true), timedOut]);
  timer.abort();
  return result;
}

function spawnError(child: ChildProcess): Promise<string> {
  return new Promise((resolveMessage) => child.once('error', (err) => resolveMessage(err.message)));
}

function describeExit({ code, signal }: ExitStatus): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}
