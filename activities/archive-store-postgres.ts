/**
 * The incident archive on PostgreSQL (`DATABASE_URL`): the same `ArchiveStore` contract, the
 * same clear columns and the same encrypted records as the SQLite file (see
 * `archive-store.ts`), for deployments that run the worker and the API on several machines.
 *
 * Migrations run once per database under an advisory lock (worker and API may start
 * together) and are recorded in `schema_version`. Case text search is `ILIKE` over the masked
 * case columns (no extension needed); snapshots are compared inside the upsert itself, so two
 * writers racing can never put an older snapshot over a newer one.
 */
import pg from 'pg';
import type { PayloadKey } from '../config/payload-codec';
import {
  MINIMUM_RETENTION_YEARS,
  RecordCipher,
  SqliteArchiveStore,
  addYears,
  caseRecordFor,
  retentionExpired,
  searchableText,
  summaryColumns,
  summaryOfRow,
  type ArchiveStore,
  type ArchivedIncident,
  type ArchivedIncidentSummary,
  type CaseFilter,
  type CaseInput,
  type CaseRecord,
  type IncidentFilter,
  type IncidentRow,
  type IncidentSnapshot,
  type RetentionOutcome,
  type UpsertOutcome,
} from './archive-store';
import type { Category } from '../domain/types';
import type { IncidentState } from '../workflows/contracts';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE incidents (
     id TEXT PRIMARY KEY,
     category TEXT,
     severity TEXT,
     status TEXT NOT NULL,
     drill BOOLEAN NOT NULL,
     cause_key TEXT,
     cause_label TEXT,
     reported_at TEXT NOT NULL,
     reported_month TEXT NOT NULL,
     closed_at TEXT,
     acknowledged_at TEXT,
     contacted_at TEXT,
     solution_at TEXT,
     resolved_at TEXT,
     deadlines JSONB NOT NULL,
     escalation_level INTEGER NOT NULL,
     reporter_key TEXT NOT NULL,
     runs INTEGER NOT NULL,
     last_seq INTEGER NOT NULL,
     updated_at TEXT NOT NULL,
     record_encoding TEXT NOT NULL,
     record_key_id TEXT,
     record BYTEA NOT NULL
   );
   CREATE INDEX incidents_by_month ON incidents (reported_month, drill);
   CREATE INDEX incidents_by_reported ON incidents (reported_at);
   CREATE INDEX incidents_by_category ON incidents (category, reported_at);
   CREATE INDEX incidents_by_cause ON incidents (cause_key, reported_at);
   CREATE INDEX incidents_by_closed ON incidents (status, closed_at);
   CREATE TABLE cases (
     incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
     title TEXT NOT NULL,
     lessons TEXT NOT NULL,
     tags JSONB NOT NULL,
     category TEXT,
     cause_key TEXT,
     cause_label TEXT,
     summary TEXT NOT NULL,
     marked_by TEXT NOT NULL,
     marked_at TEXT NOT NULL
   );
   CREATE INDEX cases_by_category ON cases (category);
   CREATE INDEX cases_by_cause ON cases (cause_key);`,
];

/** Serialises migrations between processes starting at once. */
const MIGRATION_LOCK = 4_826_031;

const SUMMARY_COLUMNS = `i.id, i.category, i.severity, i.status, i.drill, i.cause_key, i.cause_label, i.reported_at, i.closed_at,
  i.acknowledged_at, i.contacted_at, i.solution_at, i.resolved_at, i.deadlines, i.escalation_level, i.reporter_key, i.runs,
  i.last_seq, i.updated_at, i.record_encoding, i.record_key_id, (c.incident_id IS NOT NULL) AS is_case`;

interface CaseRow {
  incident_id: string;
  title: string;
  lessons: string;
  tags: string[];
  category: string | null;
  cause_key: string | null;
  cause_label: string | null;
  summary: string;
  marked_by: string;
  marked_at: string;
}

export interface PostgresArchiveOptions {
  /** `postgres://user:password@host:5432/database` */
  connectionString: string;
  keys?: readonly PayloadKey[];
  /** Connections kept open (default 5). */
  poolSize?: number;
}

export class PostgresArchiveStore implements ArchiveStore {
  private readonly pool: pg.Pool;
  private readonly cipher: RecordCipher;
  private readonly keys: readonly PayloadKey[];
  private migrated: Promise<void> | undefined;

  constructor(options: PostgresArchiveOptions) {
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 5 });
    // An idle connection dropped by the server is replaced on the next query; never crash the process.
    this.pool.on('error', () => undefined);
    this.keys = options.keys ?? [];
    this.cipher = new RecordCipher(this.keys);
  }

  static async open(options: PostgresArchiveOptions): Promise<PostgresArchiveStore> {
    const store = new PostgresArchiveStore(options);
    try {
      await store.schemaVersion();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  async schemaVersion(): Promise<number> {
    await this.prepare();
    const { rows } = await this.pool.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_version');
    return rows[0]?.version ?? 0;
  }

  private prepare(): Promise<void> {
    this.migrated ??= this.migrate().catch((err: unknown) => {
      this.migrated = undefined;
      throw err;
    });
    return this.migrated;
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      const { rows } = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_version');
      const current = rows[0]?.version ?? 0;
      for (const [index, sql] of MIGRATIONS.entries()) {
        const version = index + 1;
        if (version <= current) continue;
        await client.query(sql);
        await client.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)', [version, new Date().toISOString()]);
      }
    });
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    await this.prepare();
    return (await this.pool.query<R>(sql, values)).rows;
  }

  async upsertIncident(snapshot: IncidentSnapshot, writtenAt = new Date()): Promise<UpsertOutcome> {
    const columns = summaryColumns(snapshot);
    const record = this.cipher.seal(columns.id, JSON.stringify(snapshot.state));
    const values: Record<string, unknown> = {
      ...columns,
      drill: columns.drill === 1,
      updated_at: writtenAt.toISOString(),
      record_encoding: record.encoding,
      record_key_id: record.keyId,
      record: Buffer.from(record.data),
    };
    const names = Object.keys(values);
    // Newer = higher last seq, then higher run; an equal snapshot overwrites (a retry).
    const rows = await this.query<{ inserted: boolean }>(
      `INSERT INTO incidents (${names.join(', ')}) VALUES (${names.map((_n, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${names.filter((n) => n !== 'id').map((n) => `${n} = EXCLUDED.${n}`).join(', ')}
       WHERE (incidents.last_seq, incidents.runs) <= (EXCLUDED.last_seq, EXCLUDED.runs)
       RETURNING (xmax = 0) AS inserted`,
      names.map((n) => values[n] ?? null),
    );
    const row = rows[0];
    if (!row) return 'stale';
    return row.inserted ? 'inserted' : 'updated';
  }

  private fullOf(row: IncidentRow): ArchivedIncident {
    const state = JSON.parse(this.cipher.open(row.id, row.record_encoding, row.record_key_id, row.record ?? new Uint8Array())) as IncidentState;
    return { ...summaryOfRow(row), state };
  }

  async getIncident(id: string): Promise<ArchivedIncident | undefined> {
    const [row] = await this.query<IncidentRow>(
      `SELECT ${SUMMARY_COLUMNS}, i.record FROM incidents i LEFT JOIN cases c ON c.incident_id = i.id WHERE i.id = $1`,
      [id],
    );
    return row ? this.fullOf(row) : undefined;
  }

  private rowsFor(filter: IncidentFilter, withRecord: boolean): Promise<IncidentRow[]> {
    const clauses: string[] = [];
    const values: unknown[] = [];
    const where = (clause: string, value: unknown) => {
      values.push(value);
      clauses.push(clause.replace('?', `$${values.length}`));
    };
    if (filter.status) where('i.status = ?', filter.status);
    if (filter.category) where('i.category = ?', filter.category);
    if (filter.severity) where('i.severity = ?', filter.severity);
    if (filter.drill !== undefined) where('i.drill = ?', filter.drill);
    if (filter.cause) where('i.cause_key = ?', filter.cause);
    if (filter.from) where('i.reported_at >= ?', new Date(filter.from).toISOString());
    if (filter.to) where('i.reported_at < ?', new Date(filter.to).toISOString());
    const limit = filter.limit !== undefined && !filter.text ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : '';
    return this.query<IncidentRow>(
      `SELECT ${SUMMARY_COLUMNS}${withRecord || filter.text ? ', i.record' : ''} FROM incidents i LEFT JOIN cases c ON c.incident_id = i.id` +
        `${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY i.reported_at DESC, i.id${limit}`,
      values,
    );
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<ArchivedIncident[]> {
    const text = filter.text?.trim().toLowerCase();
    const found: ArchivedIncident[] = [];
    for (const row of await this.rowsFor(filter, true)) {
      const full = this.fullOf(row);
      if (text && !searchableText(full.state).includes(text)) continue;
      found.push(full);
      if (filter.limit !== undefined && found.length >= filter.limit) break;
    }
    return found;
  }

  async listSummaries(filter: IncidentFilter = {}): Promise<ArchivedIncidentSummary[]> {
    if (filter.text?.trim()) return (await this.listIncidents(filter)).map(({ state: _state, ...summary }) => summary);
    return (await this.rowsFor(filter, false)).map((row) => summaryOfRow(row));
  }

  async markCase(incidentId: string, input: CaseInput): Promise<CaseRecord> {
    const record = caseRecordFor(incidentId, await this.getIncident(incidentId), input);
    await this.query(
      `INSERT INTO cases (incident_id, title, lessons, tags, category, cause_key, cause_label, summary, marked_by, marked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (incident_id) DO UPDATE SET title = EXCLUDED.title, lessons = EXCLUDED.lessons, tags = EXCLUDED.tags,
         category = EXCLUDED.category, cause_key = EXCLUDED.cause_key, cause_label = EXCLUDED.cause_label,
         summary = EXCLUDED.summary, marked_by = EXCLUDED.marked_by, marked_at = EXCLUDED.marked_at`,
      [incidentId, record.title, record.lessons, JSON.stringify(record.tags), record.category, record.causeKey, record.causeLabel, record.summary, record.markedBy, record.markedAt],
    );
    return record;
  }

  async findCases(filter: CaseFilter = {}): Promise<CaseRecord[]> {
    const clauses: string[] = [];
    const values: unknown[] = [];
    if (filter.category) {
      values.push(filter.category);
      clauses.push(`c.category = $${values.length}`);
    }
    if (filter.cause) {
      values.push(filter.cause);
      clauses.push(`c.cause_key = $${values.length}`);
    }
    // Every word must appear in the title, lessons, tags or summary (any case).
    for (const word of (filter.text ?? '').normalize('NFKC').split(/\s+/u).filter(Boolean)) {
      values.push(`%${word.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
      const p = `$${values.length}`;
      clauses.push(`(c.title ILIKE ${p} OR c.lessons ILIKE ${p} OR c.tags::text ILIKE ${p} OR c.summary ILIKE ${p})`);
    }
    const limit = filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : '';
    const rows = await this.query<CaseRow>(
      `SELECT * FROM cases c${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY c.marked_at DESC, c.incident_id${limit}`,
      values,
    );
    return rows.map((row) => ({
      incidentId: row.incident_id,
      title: row.title,
      lessons: row.lessons,
      tags: row.tags,
      category: row.category as Category | null,
      causeKey: row.cause_key,
      causeLabel: row.cause_label,
      summary: row.summary,
      markedBy: row.marked_by,
      markedAt: row.marked_at,
    }));
  }

  async applyRetention(now: Date, years: number): Promise<RetentionOutcome> {
    if (!Number.isInteger(years) || years < MINIMUM_RETENTION_YEARS) {
      throw new Error(`archive retention must be a whole number of years, at least ${MINIMUM_RETENTION_YEARS} (R-REV-5); got ${years}`);
    }
    await this.prepare();
    const coarse = addYears(now, -years);
    coarse.setUTCDate(coarse.getUTCDate() + 2);
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ id: string; closed_at: string }>(
        `SELECT i.id, i.closed_at FROM incidents i
         WHERE i.status = 'resolved' AND i.closed_at IS NOT NULL AND i.closed_at < $1
           AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.incident_id = i.id)
         FOR UPDATE`,
        [coarse.toISOString()],
      );
      const deleted = rows.filter((row) => retentionExpired(row.closed_at, now, years)).map((row) => row.id).sort();
      if (deleted.length > 0) await client.query(`DELETE FROM incidents WHERE id = ANY($1) AND status = 'resolved'`, [deleted]);
      const kept = await client.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM incidents WHERE status = 'resolved'`);
      return { deleted, kept: kept.rows[0]?.n ?? 0 };
    });
  }

  /**
   * R-SEC-3: a consistent copy as an archive *file* (one repeatable-read snapshot copied into a
   * fresh SQLite archive, records sealed again under the current key); the same keys read it. For a
   * PostgreSQL-native backup use `pg_dump`.
   */
  async backupTo(path: string): Promise<void> {
    await this.prepare();
    const copy = new SqliteArchiveStore({ path, keys: this.keys });
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const incidents = await client.query<IncidentRow & { record: Buffer }>(`SELECT ${SUMMARY_COLUMNS}, i.record FROM incidents i LEFT JOIN cases c ON c.incident_id = i.id`);
      const cases = await client.query<CaseRow>('SELECT * FROM cases');
      await client.query('COMMIT');
      for (const row of incidents.rows) {
        const full = this.fullOf(row);
        await copy.upsertIncident({ state: full.state, ...(row.cause_key ? { cause: { key: row.cause_key, label: row.cause_label ?? '' } } : {}) }, new Date(row.updated_at));
      }
      for (const row of cases.rows) {
        await copy.markCase(row.incident_id, { title: row.title, lessons: row.lessons, tags: row.tags, markedBy: row.marked_by, markedAt: row.marked_at });
      }
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
      await copy.close();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
