// Start-up settings of the archive: a retention under 3 years stops start-up naming the variable
// (R-REV-5); DATABASE_URL picks PostgreSQL, else the SQLite file; logs never show the password.
import { archiveStoreFor, describeArchive } from '../../activities/archive-backend';
import { SqliteArchiveStore } from '../../activities/archive-store';
import { PostgresArchiveStore } from '../../activities/archive-store-postgres';
import { readEnvironment } from '../../config/env';
import { temporaryArchivePath } from './archive-fixtures';

describe('archive settings', () => {
  test('ARCHIVE_RETENTION_YEARS below 3, or not a whole number, stops start-up naming it', () => {
    expect(() => readEnvironment({ ARCHIVE_RETENTION_YEARS: '2' })).toThrow(/ARCHIVE_RETENTION_YEARS: must be at least 3 years \(R-REV-5\)/);
    expect(() => readEnvironment({ ARCHIVE_RETENTION_YEARS: '3.5' })).toThrow(/ARCHIVE_RETENTION_YEARS/);
    expect(readEnvironment({}).ARCHIVE_RETENTION_YEARS).toBe(3);
    expect(readEnvironment({ ARCHIVE_RETENTION_YEARS: '7' }).ARCHIVE_RETENTION_YEARS).toBe(7);
    expect(readEnvironment({}).ARCHIVE_DATABASE).toBe('data/archive.sqlite');
    expect(() => readEnvironment({ DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
  });

  test('DATABASE_URL picks PostgreSQL, else the file; the description hides the password', async () => {
    const file = archiveStoreFor({ ARCHIVE_DATABASE: temporaryArchivePath() });
    expect(file).toBeInstanceOf(SqliteArchiveStore);
    await file.close();
    const url = 'postgres://archive:s3cret@db.internal:6543/incidents';
    const postgres = archiveStoreFor({ ARCHIVE_DATABASE: 'unused', DATABASE_URL: url });
    expect(postgres).toBeInstanceOf(PostgresArchiveStore);
    await postgres.close();
    expect(describeArchive({ ARCHIVE_DATABASE: 'unused', DATABASE_URL: url })).toBe('PostgreSQL db.internal:6543/incidents');
    expect(describeArchive({ ARCHIVE_DATABASE: 'data/archive.sqlite' })).toMatch(/^SQLite file \/.*data\/archive\.sqlite$/);
  });
});
