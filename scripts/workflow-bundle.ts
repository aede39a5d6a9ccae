/**
 * The workflow code, bundled by webpack into one file named by a hash of its sources (and the
 * locked SDK), under the OS temp folder; unchanged sources reuse the file.
 *
 * Used by the Jest global setup (once per run) and by the worker: `worker.ts` runs this file in a
 * short-lived child process (`tsx scripts/workflow-bundle.ts` prints the path), so webpack's few
 * hundred MiB are never part of the long-running worker's memory (issue 7: worker RSS). Set
 * `WORKFLOW_BUNDLE_PATH` to a prepared bundle to skip it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';

export const BUNDLE_PATH_VARIABLE = 'WORKFLOW_BUNDLE_PATH';

const root = resolve(__dirname, '..');
const workflowsEntry = join(root, 'workflows', 'index.ts');
/**
 * The bundle's options. `preloadModules` (issue 7, worker memory): the workflow modules, and all
 * they import (the domain's pure functions, the SDK's workflow API), are evaluated once when the
 * worker's V8 context is made and shared, deep-frozen, by every workflow in it, instead of once
 * per workflow. They hold no module-level state (no `let`, no module-level collection that
 * changes): each workflow's state lives in its own function's scope and in the SDK's activator,
 * which the SDK swaps per workflow. Measured by bench/workflow-memory.ts (bench/RESULTS.md).
 */
export const WORKFLOW_BUNDLE_OPTIONS = { workflowsPath: workflowsEntry, preloadModules: [workflowsEntry] };

/** Everything the bundle is built from: workflow code imports only these folders at run time. */
const sourceFolders = ['workflows', 'domain'].map((folder) => join(root, folder));
/** Pins the SDK that bundles (and is bundled with) the workflows. */
const lockFile = join(root, 'package-lock.json');
/** One checkout's bundles share this prefix, so teardown prunes only its own stale files. */
const bundlePrefix = `claims-incident-workflows-${hash(root).slice(0, 8)}-`;

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
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: new DefaultLogger('WARN') });
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

/** Hash of the bundled sources' paths and contents, of the locked SDK versions and of the bundle's options (this file). */
function sourceHash(): string {
  const digest = createHash('sha256');
  for (const file of [...sourceFolders.flatMap(listFiles), lockFile, __filename].filter(existsSync).sort()) {
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

if (require.main === module) {
  prepareWorkflowBundle().then(
    (path) => process.stdout.write(`${path}\n`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
