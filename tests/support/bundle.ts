/**
 * The workflow code, bundled once per Jest run. Jest gives each test file its own module
 * registry, so a module-level cache alone would bundle once per file: the global setup bundles
 * into a file under the OS temp folder, named by a hash of the sources, and passes its path in
 * `WORKFLOW_BUNDLE_PATH`. Unchanged sources reuse the file across runs too.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';

/** What `Worker.create({ workflowBundle })` takes. */
export interface WorkflowBundle {
  code: string;
}

export const BUNDLE_PATH_VARIABLE = 'WORKFLOW_BUNDLE_PATH';

const root = resolve(__dirname, '..', '..');
const workflowsEntry = join(root, 'workflows', 'index.ts');
/** Everything the bundle is built from: workflow code imports only these folders at run time. */
const sourceFolders = ['workflows', 'domain'].map((folder) => join(root, folder));
/** Pins the SDK that bundles (and is bundled with) the workflows. */
const lockFile = join(root, 'package-lock.json');
/** One checkout's bundles share this prefix, so teardown prunes only its own stale files. */
const bundlePrefix = `claims-incident-workflows-${hash(root).slice(0, 8)}-`;

let cached: Promise<WorkflowBundle> | undefined;

/** The bundle for this run: the global setup's file when there is one, else bundled here. */
export function getWorkflowBundle(): Promise<WorkflowBundle> {
  cached ??= (async () => {
    const prepared = process.env[BUNDLE_PATH_VARIABLE];
    const path = prepared && existsSync(prepared) ? prepared : await prepareWorkflowBundle();
    return { code: await readFile(path, 'utf8') };
  })();
  return cached;
}

/**
 * Bundles the workflows into the temp folder unless a bundle of the same sources is already
 * there, and returns its path. Written to a side file and renamed, so a reader never sees half.
 */
export async function prepareWorkflowBundle(): Promise<string> {
  if (!existsSync(workflowsEntry)) {
    throw new Error(`cannot bundle the workflows: ${relative(root, workflowsEntry)} does not exist (it re-exports every workflow)`);
  }
  const path = join(tmpdir(), `${bundlePrefix}${sourceHash()}.js`);
  if (existsSync(path)) return path;
  const { code } = await bundleWorkflowCode({
    workflowsPath: workflowsEntry,
    logger: new DefaultLogger('WARN'),
  });
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, code);
  await rename(partial, path);
  return path;
}

/** Paths of this checkout's bundles other than `keep`, for the teardown to remove. */
export function staleBundlePaths(keep: string | undefined): string[] {
  return readdirSync(tmpdir())
    .filter((name) => name.startsWith(bundlePrefix))
    .map((name) => join(tmpdir(), name))
    .filter((path) => path !== keep);
}

/** Hash of the bundled sources' paths and contents, and of the locked SDK versions. */
function sourceHash(): string {
  const digest = createHash('sha256');
  for (const file of [...sourceFolders.flatMap(listFiles), lockFile].filter(existsSync).sort()) {
    digest.update(relative(root, file));
    digest.update('\0');
    digest.update(readFileSync(file));
    digest.update('\0');
  }
  return digest.digest('hex').slice(0, 16);
}

function listFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return listFiles(path);
    return entry.isFile() ? [path] : [];
  });
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
