/**
 * Which archive this process uses (R-REV-5): PostgreSQL when `DATABASE_URL` is set, else the
 * embedded SQLite file `ARCHIVE_DATABASE`. Built by the entry points (worker, API) only.
 */
import { resolve } from 'node:path';
import type { PayloadKey } from '../config/payload-codec';
import { SqliteArchiveStore, type ArchiveStore } from './archive-store';
import { PostgresArchiveStore } from './archive-store-postgres';

export interface ArchiveBackendSettings {
  DATABASE_URL?: string | undefined;
  ARCHIVE_DATABASE: string;
}

export function archiveStoreFor(settings: ArchiveBackendSettings, keys?: readonly PayloadKey[]): ArchiveStore {
  const withKeys = keys ? { keys } : {};
  return settings.DATABASE_URL
    ? new PostgresArchiveStore({ connectionString: settings.DATABASE_URL, ...withKeys })
    : new SqliteArchiveStore({ path: resolve(settings.ARCHIVE_DATABASE), ...withKeys });
}

/** Where the archive is, for start-up logs: never the database password. */
export function describeArchive(settings: ArchiveBackendSettings): string {
  if (!settings.DATABASE_URL) return `SQLite file ${resolve(settings.ARCHIVE_DATABASE)}`;
  const url = new URL(settings.DATABASE_URL);
  return `PostgreSQL ${url.hostname}:${url.port || '5432'}${url.pathname}`;
}
