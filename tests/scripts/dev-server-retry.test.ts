/**
 * The dev server's start-up retry (scripts/dev-server.ts): a server that exits before it is ready
 * on ports picked here (most often a port another process took between the probe and the bind) is
 * started again on other ports, at most 3 times; on ports the caller gave, it is tried once.
 *
 * The CLI is a wrapper (TEMPORAL_CLI_PATH, which the installer honours) that counts its
 * `server start-dev` runs and exits at once for the first ones, then runs the real CLI.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTemporalBinaries } from '../../scripts/temporal-binaries';
import type * as DevServerModule from '../../scripts/dev-server';

jest.setTimeout(120_000);

const folder = mkdtempSync(join(tmpdir(), 'dev-server-retry-'));
const counter = join(folder, 'start-dev-runs');
const wrapper = join(folder, 'temporal');
const savedPath = process.env.TEMPORAL_CLI_PATH;

/** The module under test, loaded afresh so that it resolves the CLI with the wrapper in place. */
function loadWithWrapper(failFirst: number): typeof DevServerModule {
  const real = ensureTemporalBinaries().temporal;
  writeFileSync(counter, '');
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      'if [ "$1" = "server" ] && [ "$2" = "start-dev" ]; then',
      `  echo run >> ${JSON.stringify(counter)}`,
      `  if [ "$(wc -l < ${JSON.stringify(counter)})" -le ${failFirst} ]; then echo "bind: address already in use (simulated)" >&2; exit 1; fi`,
      'fi',
      `exec ${JSON.stringify(real)} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);
  process.env.TEMPORAL_CLI_PATH = wrapper;
  let loaded: typeof DevServerModule | undefined;
  jest.isolateModules(() => {
    loaded = jest.requireActual<typeof DevServerModule>('../../scripts/dev-server');
  });
  return loaded!;
}

const runs = () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length;

/** The error a start ended with; a server that started after all is stopped, so nothing is left running. */
async function failureOf(started: Promise<DevServerModule.DevServer>): Promise<unknown> {
  return started.then(
    async (server) => {
      await server.stop();
      return new Error(`the dev server started (${server.address}), after ${runs()} runs`);
    },
    (err: unknown) => err,
  );
}

afterAll(() => {
  if (savedPath === undefined) delete process.env.TEMPORAL_CLI_PATH;
  else process.env.TEMPORAL_CLI_PATH = savedPath;
  rmSync(folder, { recursive: true, force: true });
});

describe('startDevServer start-up retry', () => {
  test('two early exits on picked ports: the third attempt starts the server', async () => {
    const { startDevServer } = loadWithWrapper(2);
    const server = await startDevServer({ uiPort: false, logFile: join(folder, 'server.log') });
    try {
      expect(runs()).toBe(3);
      expect(server.address).toMatch(/:\d+$/);
    } finally {
      await server.stop();
    }
  });

  test('three early exits: the third is reported, naming the exit and the output', async () => {
    const { startDevServer, DevServerExitedEarly } = loadWithWrapper(3);
    const failure = await failureOf(startDevServer({ uiPort: false, logFile: join(folder, 'server.log') }));
    expect(failure).toBeInstanceOf(DevServerExitedEarly);
    expect((failure as Error).message).toMatch(/exited before it was ready[\s\S]*address already in use \(simulated\)/);
    expect(runs()).toBe(3);
  });

  test('a port the caller gave is tried once', async () => {
    const { startDevServer, DevServerExitedEarly } = loadWithWrapper(1);
    const failure = await failureOf(startDevServer({ port: 7233, uiPort: false, logFile: join(folder, 'server.log') }));
    expect(failure).toBeInstanceOf(DevServerExitedEarly);
    expect(runs()).toBe(1);
  });
});
