/**
 * A real archive for a test stack: a SQLite file in a fresh temp dir (R-REV-5), with the given
 * payload keys, and the activity dependencies that write to it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveDependencies } from '../../activities/archive';
import { SqliteArchiveStore } from '../../activities/archive-store';
import type { PayloadKey } from '../../config/payload-codec';
import { defaultDetectionConfig } from '../../domain/detection-config';

export interface TestArchive {
  path: string;
  store: SqliteArchiveStore;
  dependencies: ArchiveDependencies;
}

export function testArchive(keys?: readonly PayloadKey[]): TestArchive {
  const path = join(mkdtempSync(join(tmpdir(), 'archive-')), 'archive.sqlite');
  const store = new SqliteArchiveStore({ path, ...(keys ? { keys } : {}) });
  return { path, store, dependencies: { store, detection: defaultDetectionConfig(), retentionYears: 3 } };
}
