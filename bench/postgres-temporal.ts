/**
 * A real Temporal server on PostgreSQL, for the benchmark's `BENCH_TEMPORAL=postgres`: the
 * comparison of the embedded default (the CLI's dev server on one SQLite file) with the kind of
 * persistence a production cluster runs on, on the same machine.
 *
 * - PostgreSQL: a fresh cluster (`initdb`) in `<folder>/pg`, as the `postgres` user when run as
 *   root (initdb refuses root), trust authentication, TCP on 127.0.0.1 and a free port, its
 *   unix socket in `<folder>/pg-socket`. Durable defaults, stated in the config it gets:
 *   `fsync = on`, `synchronous_commit = on`, `full_page_writes = on` (a commit returns once its
 *   WAL is on disk, as on a real cluster). Databases `temporal` and `temporal_visibility`, the
 *   schemas set up and updated by the module's own SQL tool from the versioned folders that ship
 *   in the module (`schema/postgresql/v12/{temporal,visibility}/versioned`).
 * - Temporal: `temporal-server` built from `go.temporal.io/server` (scripts/install-temporal-server.sh),
 *   every service in one process, plugin `postgres12` for both stores, 4 history shards, free
 *   ports on 127.0.0.1. Dynamic config: the two values the CLI's dev server sets over the
 *   server's defaults (`history.hostLevelCacheMaxSize` 8096, `frontend.namespaceRPS.visibility`
 *   100), so persistence is what differs. Namespace `default` (retention 1 day) and the
 *   project's search attributes are registered, and it is ready once a probe workflow carrying
 *   every search attribute starts and is found by a visibility query on them.
 *
 * Logs: `<folder>/temporal-server.log`, `<folder>/postgres.log`, `<folder>/schema.log`.
 * `stop()` terminates the server, then `pg_ctl stop -m fast`. Should this process exit without
 * it, an 'exit' handler kills the server and shuts PostgreSQL down (SIGQUIT to the postmaster).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { SEARCH_ATTRIBUTES } from '../workflows/contracts';
import { ensureSearchAttributes, findFreePort } from '../scripts/dev-server';
import { childrenOf } from './proc';

const repositoryRoot = resolve(__dirname, '..');
const installScript = join(repositoryRoot, 'scripts', 'install-temporal-server.sh');

export interface PostgresTemporalOptions {
  /** Where the database, the configs and the logs go (created; must be empty or absent). */
  folder: string;
  /** A name for messages. */
  label: string;
  /** Namespace to register. Default `default`. */
  namespace?: string;
  /** How long to wait for the server to be ready. Default 180 s. */
  readyTimeoutMs?: number;
}

export interface PostgresTemporal {
  /** `host:port` of the frontend's gRPC, as a client's `address`. */
  address: string;
  namespace: string;
  /** The Temporal server and every PostgreSQL process alive now (postmaster and its children). */
  pids(): number[];
  /** The Temporal server alone. */
  temporalPid: number;
  /** The postmaster and its children, alive now. */
  postgresPids(): number[];
  /** One line for reports: versions and the settings that matter for the comparison. */
  description: string;
  stop(): Promise<void>;
}

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  /** The module's `schema` folder. */
  schema: string;
}

let binaries: TemporalServerBinaries | undefined;

/** Runs the install script (it builds once, then only prints the paths) and reads its last lines. */
export function ensureTemporalServer(): TemporalServerBinaries {
  if (binaries) return binaries;
  const output = execFileSync('bash', [installScript], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = (name: string): string => {
    const match = new RegExp(`^${name}: (.+)$`, 'm').exec(output);
    if (!match?.[1]) throw new Error(`${installScript} did not print "${name}: …"; it printed:\n${output}`);
    return match[1].trim();
  };
  binaries = { server: line('temporal-server'), sqlTool: line('temporal-sql-tool'), schema: line('temporal-schema') };
  return binaries;
}

/** The persistence in one line, for reports: versions and the settings that matter for the comparison. */
export function describePostgresTemporal(): string {
  const { server } = ensureTemporalServer();
  const serverVersion = execFileSync(server, ['--version'], { encoding: 'utf8' }).trim().replace(/^temporal version /, '');
  const postgresVersion = execFileSync(postgresBinary('postgres'), ['--version'], { encoding: 'utf8' }).trim().replace(/^postgres \(PostgreSQL\) /, '');
  return (
    `Temporal Server ${serverVersion} (go.temporal.io/server, all services in one process, 4 history shards) on ` +
    `PostgreSQL ${postgresVersion} (fsync on, synchronous_commit on)`
  );
}

/** initdb, pg_ctl and postgres: on PATH (here /usr/local/bin), else the newest /usr/lib/postgresql/<n>/bin. */
function postgresBinary(name: 'initdb' | 'pg_ctl' | 'postgres'): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  for (const version of ['17', '16', '15', '14', '13', '12']) {
    const candidate = `/usr/lib/postgresql/${version}/bin/${name}`;
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`no ${name} on PATH or under /usr/lib/postgresql/*/bin`);
}

const isRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function postgresIds(): { uid: number; gid: number } {
  const line = execFileSync('id', ['postgres'], { encoding: 'utf8' });
  const uid = /uid=(\d+)/.exec(line)?.[1];
  const gid = /gid=(\d+)/.exec(line)?.[1];
  if (!uid || !gid) throw new Error(`could not read the postgres user's ids from: ${line}`);
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * The postgres user must reach its folders: every folder above them that this process owns
 * and that others cannot traverse (mkdtemp's 0700) gets the execute bit for others (0701;
 * nothing in it becomes readable).
 */
function allowTraversal(folder: string): void {
  const uid = process.getuid?.();
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    const stat = statSync(dir);
    if (stat.uid === uid && (stat.mode & 0o001) === 0) chmodSync(dir, (stat.mode & 0o7777) | 0o001);
    if (dirname(dir) === dir) return;
  }
}

const STOP_GRACE_MS = 30_000;

export async function startPostgresTemporal(options: PostgresTemporalOptions): Promise<PostgresTemporal> {
  const folder = resolve(options.folder);
  const namespace = options.namespace ?? 'default';
  const { server: serverBinary, sqlTool, schema } = ensureTemporalServer();
  mkdirSync(folder, { recursive: true });
  const dataDir = join(folder, 'pg');
  const socketDir = join(folder, 'pg-socket');
  const postgresLog = join(folder, 'postgres.log');
  const schemaLog = join(folder, 'schema.log');
  const serverLog = join(folder, 'temporal-server.log');
  mkdirSync(dataDir, { mode: 0o700 });
  mkdirSync(socketDir, { mode: 0o700 });
  writeFileSync(postgresLog, '');
  if (isRoot) {
    const { uid, gid } = postgresIds();
    for (const path of [dataDir, socketDir, postgresLog]) chownSync(path, uid, gid);
    allowTraversal(folder);
  }

  const ip = '127.0.0.1';
  const taken: number[] = [];
  const port = async (): Promise<number> => {
    const free = await findFreePort(ip, taken);
    taken.push(free);
    return free;
  };
  const pgPort = await port();

  const run = (command: string, args: string[], what: string): string => {
    const [file, fullArgs] = asPostgres(command, args);
    try {
      return execFileSync(file, fullArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: folder });
    } catch (err) {
      const detail = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${what} failed (${file} ${fullArgs.join(' ')}): ${detail.stderr || detail.stdout || detail.message}`);
    }
  };

  // ---- PostgreSQL ------------------------------------------------------------------------------
  // --no-sync skips only initdb's final flush of the new files; the running server syncs as configured.
  run(postgresBinary('initdb'), ['-D', dataDir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C', '--no-sync'], 'initdb');
  appendFileSync(
    join(dataDir, 'postgresql.conf'),
    [
      '',
      '# bench/postgres-temporal.ts: the benchmark\'s Temporal persistence.',
      "listen_addresses = '127.0.0.1'",
      `port = ${pgPort}`,
      `unix_socket_directories = '${socketDir}'`,
      '# Durable, as a real cluster runs: a commit waits for its WAL to reach the disk.',
      'fsync = on',
      'synchronous_commit = on',
      'full_page_writes = on',
      'max_connections = 200',
      '',
    ].join('\n'),
  );
  const pgCtl = postgresBinary('pg_ctl');
  run(pgCtl, ['-D', dataDir, '-l', postgresLog, '-w', '-t', '60', 'start'], 'pg_ctl start');
  const postmasterPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

  let server: ChildProcess | undefined;
  let serverExited = true;
  let pgRunning = true;
  const postgresPids = (): number[] => (pgRunning && isAlive(postmasterPid) ? [postmasterPid, ...childrenOf(postmasterPid)] : []);
  const stopPostgres = (): void => {
    if (!pgRunning) return;
    pgRunning = false;
    try {
      run(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop'], 'pg_ctl stop');
    } catch {
      signal(postmasterPid, 'SIGQUIT');
    }
  };
  // Nothing left running should this process exit without stop(): kill, then immediate shutdown.
  const onExit = (): void => {
    if (server && !serverExited) signal(server.pid, 'SIGKILL');
    if (pgRunning) signal(postmasterPid, 'SIGQUIT');
  };
  process.on('exit', onExit);

  try {
    // ---- schemas -------------------------------------------------------------------------------
    const versioned = (store: string) => join(schema, 'postgresql', 'v12', store, 'versioned');
    for (const [database, store] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ] as const) {
      if (!existsSync(versioned(store))) throw new Error(`no schema folder ${versioned(store)}`);
      const base = ['--plugin', 'postgres12', '--ep', ip, '-p', String(pgPort), '-u', 'postgres', '--db', database];
      for (const args of [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '-d', versioned(store)]]) {
        const output = execFileSync(sqlTool, [...base, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: withoutPrefixes(process.env, ['SQL_', 'TEMPORAL_']) });
        appendFileSync(schemaLog, `$ temporal-sql-tool ${[...base, ...args].join(' ')}\n${output}\n`);
      }
    }

    // ---- Temporal server -----------------------------------------------------------------------
    const ports = {
      frontend: await port(),
      frontendHttp: await port(),
      history: await port(),
      matching: await port(),
      worker: await port(),
      // The membership table keeps ports as smallint: they must be below 32768, under the
      // kernel's ephemeral range, so they are picked there instead of asked from the OS.
      frontendMembership: await lowPort(ip, taken),
      historyMembership: await lowPort(ip, taken),
      matchingMembership: await lowPort(ip, taken),
      workerMembership: await lowPort(ip, taken),
    };
    const dynamicConfigFile = join(folder, 'dynamic-config.yaml');
    writeFileSync(
      dynamicConfigFile,
      [
        '# The values the Temporal CLI dev server sets over the server defaults (its devserver/server.go).',
        'history.hostLevelCacheMaxSize:',
        '  - value: 8096',
        'frontend.namespaceRPS.visibility:',
        '  - value: 100',
        '',
      ].join('\n'),
    );
    const configFile = join(folder, 'temporal-server.yaml');
    writeFileSync(configFile, serverConfig({ ip, pgPort, ports, dynamicConfigFile }));
    const log = openSync(serverLog, 'a');
    server = spawn(serverBinary, ['--config-file', configFile, '--allow-no-auth', 'start'], {
      cwd: folder,
      // Its own process group: a terminal's Ctrl-C reaches the bench, which stops things in order.
      detached: true,
      stdio: ['ignore', log, log],
      env: withoutPrefixes(process.env, ['TEMPORAL_', 'SQL_']),
    });
    closeSync(log);
    serverExited = false;
    const exited = new Promise<void>((resolveExit) => server!.once('exit', () => resolveExit()));
    void exited.then(() => (serverExited = true));
    server.on('error', () => undefined);
    const temporalPid = server.pid;
    if (temporalPid === undefined) throw new Error(`could not start ${serverBinary}`);
    const address = `${ip}:${ports.frontend}`;

    await waitUntilReady(address, namespace, options.readyTimeoutMs ?? 180_000, () => serverExited, serverLog);

    const stopServer = async (): Promise<void> => {
      if (serverExited) return;
      signal(temporalPid, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS, false)]);
      if (!stopped) {
        signal(temporalPid, 'SIGKILL');
        await exited;
      }
    };
    let stopping: Promise<void> | undefined;
    return {
      address,
      namespace,
      temporalPid,
      pids: () => [...(serverExited ? [] : [temporalPid]), ...postgresPids()],
      postgresPids,
      description: describePostgresTemporal(),
      stop: () => {
        stopping ??= (async () => {
          await stopServer();
          stopPostgres();
          process.removeListener('exit', onExit);
        })();
        return stopping;
      },
    };
  } catch (err) {
    if (server && !serverExited) signal(server.pid, 'SIGKILL');
    stopPostgres();
    process.removeListener('exit', onExit);
    throw new Error(`${options.label}: Temporal on PostgreSQL did not start: ${err instanceof Error ? err.message : String(err)} (logs in ${folder})`);
  }
}

interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
}

/** The server config: the shape of the module's config/development-postgres12.yaml, on our ports, without archival or metrics. */
function serverConfig({ ip, pgPort, ports, dynamicConfigFile }: { ip: string; pgPort: number; ports: ServerPorts; dynamicConfigFile: string }): string {
  const store = (database: string, maxConns: number) => [
    '      sql:',
    '        pluginName: "postgres12"',
    `        databaseName: "${database}"`,
    `        connectAddr: "${ip}:${pgPort}"`,
    '        connectProtocol: "tcp"',
    '        user: "postgres"',
    '        password: ""',
    `        maxConns: ${maxConns}`,
    `        maxIdleConns: ${maxConns}`,
    '        maxConnLifetime: "1h"',
  ];
  const service = (name: string, grpc: number, membership: number, http?: number) => [
    `  ${name}:`,
    '    rpc:',
    `      grpcPort: ${grpc}`,
    `      membershipPort: ${membership}`,
    '      bindOnLocalHost: true',
    ...(http ? [`      httpPort: ${http}`] : []),
  ];
  return [
    'log:',
    '  stdout: true',
    '  level: warn',
    '',
    'persistence:',
    '  defaultStore: postgres-default',
    '  visibilityStore: postgres-visibility',
    '  numHistoryShards: 4',
    '  datastores:',
    '    postgres-default:',
    ...store('temporal', 20),
    '    postgres-visibility:',
    // 10, not the development file's 2: every start, search-attribute change and close writes visibility.
    ...store('temporal_visibility', 10),
    '',
    'global:',
    '  membership:',
    '    maxJoinDuration: 30s',
    `    broadcastAddress: "${ip}"`,
    '',
    'services:',
    ...service('frontend', ports.frontend, ports.frontendMembership, ports.frontendHttp),
    ...service('history', ports.history, ports.historyMembership),
    ...service('matching', ports.matching, ports.matchingMembership),
    ...service('worker', ports.worker, ports.workerMembership),
    '',
    'clusterMetadata:',
    '  enableGlobalNamespace: false',
    '  failoverVersionIncrement: 10',
    '  masterClusterName: "active"',
    '  currentClusterName: "active"',
    '  clusterInformation:',
    '    active:',
    '      enabled: true',
    '      initialFailoverVersion: 1',
    '      rpcName: "frontend"',
    `      rpcAddress: "${ip}:${ports.frontend}"`,
    `      httpAddress: "${ip}:${ports.frontendHttp}"`,
    '',
    'dcRedirectionPolicy:',
    '  policy: "noop"',
    '',
    'publicClient:',
    `  hostPort: "${ip}:${ports.frontend}"`,
    '',
    'dynamicConfigClient:',
    `  filepath: "${dynamicConfigFile}"`,
    '  pollInterval: "10s"',
    '',
  ].join('\n');
}

const ALREADY_EXISTS = 6;

/** A value of each search attribute type, for the readiness probe. */
const probeValues = {
  Text: 'probe',
  Keyword: 'probe',
  Int: 0,
  Double: 0,
  Bool: false,
  Datetime: new Date(0),
  KeywordList: ['probe'],
} as const;

const sdkTypes = {
  Text: SearchAttributeType.TEXT,
  Keyword: SearchAttributeType.KEYWORD,
  Int: SearchAttributeType.INT,
  Double: SearchAttributeType.DOUBLE,
  Bool: SearchAttributeType.BOOL,
  Datetime: SearchAttributeType.DATETIME,
  KeywordList: SearchAttributeType.KEYWORD_LIST,
} as const;

function probeSearchAttributes(): SearchAttributePair[] {
  return Object.entries(SEARCH_ATTRIBUTES as Record<string, keyof typeof sdkTypes>).map(
    ([name, type]) => ({ key: defineSearchAttributeKey(name, sdkTypes[type]), value: probeValues[type] }) as unknown as SearchAttributePair,
  );
}

/** A visibility query that matches only a workflow carrying every probe value. */
function probeQuery(workflowId: string): string {
  const literal = (type: keyof typeof sdkTypes): string => {
    const value = probeValues[type];
    if (typeof value === 'string') return `'${value}'`;
    if (Array.isArray(value)) return `'${value[0]}'`;
    if (value instanceof Date) return `'${value.toISOString()}'`;
    return String(value);
  };
  return [
    `WorkflowId = '${workflowId}'`,
    ...Object.entries(SEARCH_ATTRIBUTES as Record<string, keyof typeof sdkTypes>)
      .filter(([, type]) => type !== 'Text')
      .map(([name, type]) => `${name} = ${literal(type)}`),
  ].join(' AND ');
}

/**
 * Ready = the frontend answers, namespace `default` exists (registered here, retention 1 day),
 * the search attributes exist, and a workflow started with every one of them is found by a
 * visibility query on them (the namespace caches of the frontend and history hold them).
 */
async function waitUntilReady(address: string, namespace: string, timeoutMs: number, hasExited: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let registered = false;
  let attempt = 0;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`the Temporal server exited; its log ${logFile} ends:\n${tail(logFile)}`);
    const connection = Connection.lazy({ address, interceptors: [] });
    try {
      await connection.withDeadline(Date.now() + 5_000, () => connection.workflowService.getSystemInfo({}));
      if (!registered) {
        try {
          await connection.withDeadline(Date.now() + 10_000, () =>
            connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') }),
          );
        } catch (err) {
          if (!(isGrpcServiceError(err) && err.code === ALREADY_EXISTS)) throw err;
        }
        registered = true;
      }
      await connection.withDeadline(Date.now() + 10_000, () => ensureSearchAttributes(connection, namespace));
      const client = new Client({ connection, namespace });
      const workflowId = `bench-readiness-probe-${Date.now()}-${attempt++}`;
      const handle = await client.workflow.start('benchReadinessProbe', {
        workflowId,
        taskQueue: 'bench-readiness-probe',
        typedSearchAttributes: probeSearchAttributes(),
      });
      try {
        const query = probeQuery(workflowId);
        for (let i = 0; ; i++) {
          const { count } = await client.workflow.count(query);
          if (count >= 1) break;
          if (i >= 40) throw new Error(`the probe workflow was not found by "${query}" within 10 s`);
          await sleep(250);
        }
      } finally {
        await handle.terminate('readiness probe').catch(() => undefined);
        await connection.workflowService
          .deleteWorkflowExecution({ namespace, workflowExecution: { workflowId, runId: handle.firstExecutionRunId } })
          .catch(() => undefined);
      }
      return;
    } catch (err) {
      lastError = err;
    } finally {
      await connection.close();
    }
    await sleep(500);
  }
  throw new Error(
    `the Temporal server at ${address} was not ready within ${timeoutMs / 1000} s ` +
      `(last error: ${lastError instanceof Error ? lastError.message : String(lastError)}); its log ends:\n${tail(logFile)}`,
  );
}

/** A free port in 20000–32767 (tried at random, bound and closed to check), other than `taken`; added to `taken`. */
async function lowPort(host: string, taken: number[]): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = 20_000 + Math.floor(Math.random() * (32_768 - 20_000));
    if (taken.includes(candidate)) continue;
    const free = await new Promise<boolean>((resolveProbe) => {
      const probe = createServer();
      probe.unref();
      probe.once('error', () => resolveProbe(false));
      probe.listen(candidate, host, () => probe.close(() => resolveProbe(true)));
    });
    if (free) {
      taken.push(candidate);
      return candidate;
    }
  }
  throw new Error('no free port below 32768 after 200 tries');
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-4_000);
  } catch {
    return `(could not read ${path})`;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

function withoutPrefixes(env: NodeJS.ProcessEnv, prefixes: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !prefixes.some((prefix) => name.startsWith(prefix))));
}
