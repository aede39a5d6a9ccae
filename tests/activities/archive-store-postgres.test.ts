// The archive on PostgreSQL (DATABASE_URL) keeps the SQLite file's promises: migrations once,
// newest snapshot wins (even between racing writers), records survive reconnecting, no personal
// data in the database's files in clear (R-SEC-1), the same filters, case search (R-REV-3) and
// retention boundary (R-REV-5), and a backup that is an archive file. Against a real PostgreSQL
// started from a temp dir for this file.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ArchiveConflict, SqliteArchiveStore } from '../../activities/archive-store';
import { PostgresArchiveStore } from '../../activities/archive-store-postgres';
import { startTestPostgres, type TestPostgres } from '../support/postgres';
import { PERSONAL, incidentState, payloadKey, temporaryArchivePath } from './archive-fixtures';

let server: TestPostgres;
let store: PostgresArchiveStore;
const keys = [payloadKey('k1')];

beforeAll(async () => {
  server = await startTestPostgres();
  store = await PostgresArchiveStore.open({ connectionString: server.url, keys });
}, 120_000);
afterAll(async () => {
  await store?.close();
  await server?.stop();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('migrations run once; a second process opening the database finds them done', async () => {
  expect(await store.schemaVersion()).toBe(1);
  const [a, b] = await Promise.all([
    PostgresArchiveStore.open({ connectionString: server.url, keys }),
    PostgresArchiveStore.open({ connectionString: server.url, keys }),
  ]);
  expect([await a.schemaVersion(), await b.schemaVersion()]).toEqual([1, 1]);
  await Promise.all([a.close(), b.close()]);
});

test('newest snapshot wins, also between writers racing; records survive reconnecting', async () => {
  const id = 'INC-PGRACE000001';
  const snapshots = [1, 2, 3, 4, 5].map((n) => incidentState({ id, steps: ['acknowledged', 'contacted', 'solution', 'progress', 'note'].slice(0, n) as never }));
  const other = await PostgresArchiveStore.open({ connectionString: server.url, keys });
  await Promise.all(snapshots.reverse().map((state, i) => (i % 2 ? other : store).upsertIncident({ state })));
  await other.close();
  expect((await store.getIncident(id))?.lastSeq).toBe(7);
  expect(await store.upsertIncident({ state: snapshots[4]! })).toBe('stale');

  const reconnected = await PostgresArchiveStore.open({ connectionString: server.url, keys });
  try {
    expect((await reconnected.getIncident(id))?.state).toEqual(snapshots[0]);
  } finally {
    await reconnected.close();
  }
});

test('no phone, ID number or name in the database files in clear (R-SEC-1)', async () => {
  await store.upsertIncident({ state: incidentState({ id: 'INC-PGSECRET0001' }) });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query('CHECKPOINT');
    const { rows } = await admin.query<{ record: Buffer }>(`SELECT record FROM incidents WHERE id = 'INC-PGSECRET0001'`);
    expect(rows[0]!.record.includes(Buffer.from(PERSONAL.phone))).toBe(false);
  } finally {
    await admin.end();
  }
  // Every table and WAL file of the cluster, as written to disk.
  for (const file of filesUnder(server.dataDir).filter((f) => /\/base\/|pg_wal\//.test(f))) {
    const bytes = readFileSync(file);
    for (const value of [PERSONAL.phone, PERSONAL.idNumber, PERSONAL.name]) {
      expect({ file, leaked: bytes.includes(Buffer.from(value, 'utf8')) }).toEqual({ file, leaked: false });
    }
  }
});

test('filters, text search, cases and the retention boundary behave as on the file', async () => {
  await store.upsertIncident({ state: incidentState({ id: 'INC-PGNOV0000001', reportedAt: '2025-11-03T00:00:00.000Z', category: 'complaint', title: 'Hospital billing dispute', steps: ['resolved'], resolution: '与医院核对账单后全额赔付' }), cause: { key: 'fields:hospital=ruijin', label: 'hospital ruijin' } });
  await store.upsertIncident({ state: incidentState({ id: 'INC-PGNOV0000002', reportedAt: '2025-11-05T00:00:00.000Z', drill: true }) });
  await store.upsertIncident({ state: incidentState({ id: 'INC-PGOCT0000001', reportedAt: '2025-10-31T23:59:59.000Z' }) });
  const november = await store.listIncidents({ from: '2025-11-01T00:00:00.000Z', to: '2025-12-01T00:00:00.000Z' });
  expect(november.map((i) => i.id)).toEqual(['INC-PGNOV0000002', 'INC-PGNOV0000001']);
  expect((await store.listSummaries({ drill: false, from: '2025-11-01T00:00:00.000Z', to: '2025-12-01T00:00:00.000Z' })).map((i) => i.id)).toEqual(['INC-PGNOV0000001']);
  expect((await store.listSummaries({ cause: 'fields:hospital=ruijin' })).map((i) => i.id)).toEqual(['INC-PGNOV0000001']);
  expect((await store.listSummaries({ text: 'BILLING dispute' })).map((i) => i.id)).toEqual(['INC-PGNOV0000001']);

  await expect(store.markCase('INC-PGNOV0000002', { lessons: 'x', markedBy: 'm', markedAt: '2026-11-22T00:00:00.000Z' })).rejects.toBeInstanceOf(ArchiveConflict);
  await store.markCase('INC-PGNOV0000001', { lessons: `先核对账单 ${PERSONAL.phone}`, tags: ['hospital'], markedBy: 'manager-li', markedAt: '2026-11-22T00:00:00.000Z' });
  expect((await store.findCases({ text: '核对 赔付' })).map((c) => c.incidentId)).toEqual(['INC-PGNOV0000001']);
  expect((await store.findCases({ category: 'complaint', cause: 'fields:hospital=ruijin' }))[0]?.lessons).not.toContain(PERSONAL.phone);
  expect(await store.findCases({ text: '100%' })).toEqual([]);

  const closed = incidentState({ id: 'INC-PGBOUNDARY01', reportedAt: '2023-06-15T07:58:00.000Z', steps: ['resolved'] });
  await store.upsertIncident({ state: closed });
  const closedAt = (await store.getIncident('INC-PGBOUNDARY01'))!.closedAt!;
  expect(closedAt).toBe('2023-06-15T08:00:00.000Z');
  const threeYears = Date.parse('2026-06-15T08:00:00.000Z');
  expect((await store.applyRetention(new Date(threeYears - 1000), 3)).deleted).toEqual([]);
  expect((await store.applyRetention(new Date(threeYears + 1000), 3)).deleted).toEqual(['INC-PGBOUNDARY01']);
  await expect(store.applyRetention(new Date(), 2)).rejects.toThrow(/at least 3/);
});

test('a backup is an archive file with the same records and cases (R-SEC-3)', async () => {
  const path = temporaryArchivePath();
  await store.backupTo(path);
  const copy = await SqliteArchiveStore.open({ path, keys });
  try {
    expect((await copy.listSummaries()).map((i) => i.id).sort()).toEqual((await store.listSummaries()).map((i) => i.id).sort());
    expect((await copy.getIncident('INC-PGNOV0000001'))?.state).toEqual((await store.getIncident('INC-PGNOV0000001'))?.state);
    expect((await copy.findCases()).map((c) => c.incidentId)).toEqual(['INC-PGNOV0000001']);
  } finally {
    await copy.close();
  }
});
