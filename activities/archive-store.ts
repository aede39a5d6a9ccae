/**
 * The incident archive (R-REV-5: every incident's record is kept at least 3 years, long after
 * Temporal's own retention has dropped its workflow history).
 *
 * One row per incident: the non-personal facts managers filter and count by sit in clear
 * columns (category, tier, status, drill, cause, the plan's milestones and deadline outcomes);
 * the full record (state with report text and timeline, linked incidents) is one AES-256-GCM
 * blob under the payload keys (R-SEC-1), key id stored beside it, so rotation works as for
 * Temporal payloads: the first key encrypts, every listed key decrypts.
 *
 * The embedded backend is a SQLite file written incrementally through Node's fs by a WASM
 * SQLite (`node-sqlite3-wasm`: no native build). Its VFS has no shared memory, so the journal
 * is a rollback journal (DELETE mode, synchronous FULL): a crash mid-write is rolled back on
 * the next open. Its file lock is a `<file>.lock` directory shared by every process that opens
 * the file (worker and API), so a busy database is retried here, and a lock left by a killed
 * process is cleared once it is clearly stale.
 *
 * `ArchiveStore` is the contract; a PostgreSQL store would implement the same interface.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Database } from 'node-sqlite3-wasm';
import type { Deadline } from '../domain/deadlines';
import type { Category, Severity } from '../domain/types';
import { maskPersonalData } from '../domain/message';
import type { PayloadKey } from '../config/payload-codec';
import type { IncidentState, IncidentStatus } from '../workflows/contracts';

/** What the incident workflow hands the archive: its whole state, as it is now. */
export interface IncidentSnapshot {
  state: IncidentState;
  /** The cause key and label derived from the report (R-CAT-COMP), when it names one. */
  cause?: { key: string; label: string };
}

/** A deadline's outcome, kept in clear: no personal data, and what the monthly review counts. */
export interface DeadlineOutcome {
  id: string;
  kind: Deadline['kind'];
  state: Deadline['state'];
  dueAt: string;
  closedAt: string | null;
}

/** The clear, non-personal facts of one archived incident. */
export interface ArchivedIncidentSummary {
  id: string;
  category: Category | null;
  severity: Severity | null;
  status: IncidentStatus;
  drill: boolean;
  causeKey: string | null;
  causeLabel: string | null;
  reportedAt: string;
  /** When it was resolved; null while open. */
  closedAt: string | null;
  acknowledgedAt: string | null;
  contactedAt: string | null;
  solutionAt: string | null;
  resolvedAt: string | null;
  deadlines: DeadlineOutcome[];
  escalationLevel: number;
  /** A digest of the reporter's name: who reported is countable, not readable. */
  reporterKey: string;
  runs: number;
  /** The last timeline entry's seq: what "newer" means between two snapshots. */
  lastSeq: number;
  /** When this snapshot was written. */
  updatedAt: string;
  /** Whether the full record is encrypted (false only where no payload keys are configured). */
  encrypted: boolean;
  /** Marked as a typical case (R-REV-3). */
  isCase: boolean;
}

/** One archived incident with its full record decrypted. */
export interface ArchivedIncident extends ArchivedIncidentSummary {
  state: IncidentState;
}

export interface IncidentFilter {
  status?: IncidentStatus;
  category?: Category;
  severity?: Severity;
  drill?: boolean;
  cause?: string;
  /** Reported at or after (ISO instant). */
  from?: string;
  /** Reported before (ISO instant). */
  to?: string;
  /** Case-insensitive text in the title, description, resolution or timeline (decrypted to match). */
  text?: string;
  /** No limit when unset. */
  limit?: number;
}

export type UpsertOutcome = 'inserted' | 'updated' | 'stale';

/** A typical case (R-REV-3): a resolved incident with the lessons learnt from it. */
export interface CaseRecord {
  incidentId: string;
  title: string;
  lessons: string;
  tags: string[];
  category: Category | null;
  causeKey: string | null;
  causeLabel: string | null;
  /** The incident's resolution summary, masked (R-SEC-1). */
  summary: string;
  markedBy: string;
  markedAt: string;
}

export interface CaseInput {
  title?: string;
  lessons: string;
  tags?: string[];
  markedBy: string;
  markedAt: string;
}

export interface CaseFilter {
  category?: Category;
  cause?: string;
  /** Words in the title, lessons, tags or summary. */
  text?: string;
  limit?: number;
}

export interface RetentionOutcome {
  /** The ids deleted: resolved, not a case, closed at least `years` ago. */
  deleted: string[];
  /** Resolved records still inside the retention period (checked, not deleted). */
  kept: number;
}

/** R-REV-5: the shortest retention the archive accepts. */
export const MINIMUM_RETENTION_YEARS = 3;

/**
 * The archive. Every method may throw a plain `Error` when the store is unreachable or busy
 * beyond its own retries; callers (the archive activity) retry, so a write is never lost.
 */
export interface ArchiveStore {
  /**
   * Writes a snapshot, idempotently by incident id. A snapshot never replaces a newer one:
   * newer means a higher last timeline seq, then a higher run; an equal one overwrites.
   */
  upsertIncident(snapshot: IncidentSnapshot, writtenAt?: Date): Promise<UpsertOutcome>;
  getIncident(id: string): Promise<ArchivedIncident | undefined>;
  /** Newest reported first. */
  listIncidents(filter?: IncidentFilter): Promise<ArchivedIncident[]>;
  /** As `listIncidents`, without decrypting records (unless `text` needs them). */
  listSummaries(filter?: IncidentFilter): Promise<ArchivedIncidentSummary[]>;
  /** R-REV-3. Throws `ArchiveConflict` when the incident is not resolved, `ArchiveNotFound` when unknown. */
  markCase(incidentId: string, input: CaseInput): Promise<CaseRecord>;
  findCases(filter?: CaseFilter): Promise<CaseRecord[]>;
  /**
   * R-REV-5: deletes resolved records closed at least `years` calendar years before `now`
   * (never an open one, a younger one, or a typical case), for `years` ≥ 3 only.
   */
  applyRetention(now: Date, years: number): Promise<RetentionOutcome>;
  /** A consistent copy of the whole archive at `path` (R-SEC-3). */
  backupTo(path: string): Promise<void>;
  close(): Promise<void>;
}

/** An incident the archive does not hold. */
export class ArchiveNotFound extends Error {
  override name = 'ArchiveNotFound';
}
/** An action the archived incident's state does not allow (a case of an unresolved incident). */
export class ArchiveConflict extends Error {
  override name = 'ArchiveConflict';
}

// ---- record encryption (R-SEC-1) -------------------------------------------------------------

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ENCRYPTED = 'aes-256-gcm';
const CLEAR = 'clear';

/**
 * Encrypts the full record. The incident id and key id are the GCM additional data, so a blob
 * moved to another row or relabelled with another key id fails authentication.
 */
export class RecordCipher {
  private readonly byId: ReadonlyMap<string, Buffer>;

  /** `keys[0]` encrypts, every key decrypts; no keys: records are stored in clear (said in a column). */
  constructor(private readonly keys: readonly PayloadKey[] = []) {
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  get encrypts(): boolean {
    return this.keys.length > 0;
  }

  seal(incidentId: string, record: string): { encoding: string; keyId: string | null; data: Uint8Array } {
    const current = this.keys[0];
    if (!current) return { encoding: CLEAR, keyId: null, data: Buffer.from(record, 'utf8') };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    cipher.setAAD(Buffer.from(`${current.id}\u0000${incidentId}`, 'utf8'));
    const data = Buffer.concat([iv, cipher.update(record, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { encoding: ENCRYPTED, keyId: current.id, data };
  }

  open(incidentId: string, encoding: string, keyId: string | null, data: Uint8Array): string {
    const bytes = Buffer.from(data);
    if (encoding === CLEAR) return bytes.toString('utf8');
    if (encoding !== ENCRYPTED || keyId === null) throw new Error(`archived record of ${incidentId}: unknown encoding ${encoding}`);
    const key = this.byId.get(keyId);
    if (!key) throw new Error(`archived record of ${incidentId} is under key "${keyId}", which is not among the configured payload keys`);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${keyId}\u0000${incidentId}`, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`archived record of ${incidentId} failed authentication under key "${keyId}"`);
    }
  }
}

// ---- pure helpers -----------------------------------------------------------------------------

/** `date` plus `years` calendar years (UTC); 29 February rolls to 1 March in a common year. */
export function addYears(date: Date, years: number): Date {
  const result = new Date(date.getTime());
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
}

/** R-REV-5: a record closed at `closedAt` may go only once `years` full calendar years have passed. */
export function retentionExpired(closedAt: string, now: Date, years: number): boolean {
  return addYears(new Date(closedAt), years).getTime() <= now.getTime();
}

function firstAt(state: IncidentState, type: string): string | null {
  let found: { seq: number; at: string } | undefined;
  for (const entry of state.timeline) if (entry.type === type && (!found || entry.seq < found.seq)) found = entry;
  return found?.at ?? null;
}

function lastSeqOf(state: IncidentState): number {
  return state.timeline.reduce((max, entry) => Math.max(max, entry.seq), 0);
}

/** A digest of a reporter's name (the key owner the API records): countable and matchable, not readable. */
export function reporterKey(reporter: string): string {
  return createHash('sha256').update(`reporter\u0000${reporter}`).digest('hex').slice(0, 24);
}

/** The clear columns of a snapshot: nothing here may be personal data (R-SEC-1). */
export function summaryColumns(snapshot: IncidentSnapshot) {
  const { state } = snapshot;
  const resolvedAt = firstAt(state, 'resolved');
  return {
    id: state.id,
    category: state.category ?? null,
    severity: state.severity ?? null,
    status: state.status,
    drill: state.report.drill ? 1 : 0,
    cause_key: snapshot.cause?.key ?? null,
    cause_label: snapshot.cause?.label ?? null,
    reported_at: state.reportedAt,
    reported_month: state.reportedAt.slice(0, 7),
    closed_at: state.status === 'resolved' ? (resolvedAt ?? lastTimelineAt(state)) : null,
    acknowledged_at: firstAt(state, 'acknowledged'),
    contacted_at: firstAt(state, 'contacted'),
    solution_at: firstAt(state, 'solution'),
    resolved_at: resolvedAt,
    deadlines: JSON.stringify(
      state.deadlines.map((d): DeadlineOutcome => ({ id: d.id, kind: d.kind, state: d.state, dueAt: d.dueAt, closedAt: d.closedAt ?? null })),
    ),
    escalation_level: state.escalationLevel,
    reporter_key: reporterKey(state.report.reporter),
    runs: state.runs,
    last_seq: lastSeqOf(state),
  };
}

function lastTimelineAt(state: IncidentState): string {
  return state.timeline[state.timeline.length - 1]?.at ?? state.reportedAt;
}

/** Text a search matches against: the report, the resolution and every timeline entry. */
export function searchableText(state: IncidentState): string {
  return [state.report.title, state.report.description, state.resolution ?? '', ...state.timeline.map((e) => e.text)].join('\n').toLowerCase();
}

/** Words for FTS5 (trigram): each becomes a quoted substring phrase, so no user input is ever FTS syntax. */
function ftsQuery(text: string): string | undefined {
  const words = text
    .normalize('NFKC')
    .split(/[\s"'()*:^{}+\-,.;!?，。；：！？、]+/u)
    .filter((word) => word.length > 0);
  if (words.length === 0) return undefined;
  return words.map((word) => `"${word.replaceAll('"', '""')}"`).join(' AND ');
}

/**
 * The case a manager marks (R-REV-3): only of a resolved incident. Title, lessons, tags and
 * summary are searchable in clear, so personal data is masked first (R-SEC-1).
 */
export function caseRecordFor(incidentId: string, incident: ArchivedIncident | undefined, input: CaseInput): CaseRecord {
  if (!incident) throw new ArchiveNotFound(`no archived incident ${incidentId}`);
  if (incident.status !== 'resolved') {
    throw new ArchiveConflict(`only a resolved incident can be a typical case; ${incidentId} is ${incident.status}`);
  }
  return {
    incidentId,
    title: maskPersonalData(input.title?.trim() || incident.state.report.title),
    lessons: maskPersonalData(input.lessons.trim()),
    tags: (input.tags ?? []).map((tag) => maskPersonalData(tag.trim())).filter(Boolean),
    category: incident.category,
    causeKey: incident.causeKey,
    causeLabel: incident.causeLabel,
    summary: maskPersonalData(incident.state.resolution ?? ''),
    markedBy: input.markedBy,
    markedAt: input.markedAt,
  };
}

// ---- the SQLite store -------------------------------------------------------------------------

/** Each migration runs once, in order, inside one transaction; `schema_version` records it. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE incidents (
     id TEXT PRIMARY KEY,
     category TEXT,
     severity TEXT,
     status TEXT NOT NULL,
     drill INTEGER NOT NULL,
     cause_key TEXT,
     cause_label TEXT,
     reported_at TEXT NOT NULL,
     reported_month TEXT NOT NULL,
     closed_at TEXT,
     acknowledged_at TEXT,
     contacted_at TEXT,
     solution_at TEXT,
     resolved_at TEXT,
     deadlines TEXT NOT NULL,
     escalation_level INTEGER NOT NULL,
     reporter_key TEXT NOT NULL,
     runs INTEGER NOT NULL,
     last_seq INTEGER NOT NULL,
     updated_at TEXT NOT NULL,
     record_encoding TEXT NOT NULL,
     record_key_id TEXT,
     record BLOB NOT NULL
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
     tags TEXT NOT NULL,
     category TEXT,
     cause_key TEXT,
     cause_label TEXT,
     summary TEXT NOT NULL,
     marked_by TEXT NOT NULL,
     marked_at TEXT NOT NULL
   );
   CREATE INDEX cases_by_category ON cases (category);
   CREATE INDEX cases_by_cause ON cases (cause_key);
   CREATE VIRTUAL TABLE cases_text USING fts5 (incident_id UNINDEXED, title, lessons, tags, summary, tokenize = 'trigram');`,
];

/** An incidents row as either backend returns it. */
export interface IncidentRow {
  id: string;
  category: string | null;
  severity: string | null;
  status: string;
  drill: number | boolean;
  cause_key: string | null;
  cause_label: string | null;
  reported_at: string;
  closed_at: string | null;
  acknowledged_at: string | null;
  contacted_at: string | null;
  solution_at: string | null;
  resolved_at: string | null;
  deadlines: string | DeadlineOutcome[];
  escalation_level: number;
  reporter_key: string;
  runs: number;
  last_seq: number;
  updated_at: string;
  record_encoding: string;
  record_key_id: string | null;
  record?: Uint8Array;
  is_case: number | boolean;
}

interface CaseRow {
  incident_id: string;
  title: string;
  lessons: string;
  tags: string;
  category: string | null;
  cause_key: string | null;
  cause_label: string | null;
  summary: string;
  marked_by: string;
  marked_at: string;
}

type SqlValue = string | number | null | Uint8Array;

export interface SqliteArchiveOptions {
  /** The database file; created with its directory when missing. */
  path: string;
  /** The payload keys (`PAYLOAD_KEYS`), current first; records are stored in clear without them. */
  keys?: readonly PayloadKey[];
  /** How long an operation waits for another process's lock before failing (ms). */
  busyTimeoutMs?: number;
  /** A lock directory older than this is a crashed writer's and is removed (ms). */
  staleLockMs?: number;
}

/** The clear facts of a row, in either backend's row shape. */
export function summaryOfRow(row: IncidentRow): ArchivedIncidentSummary {
  return {
    id: row.id,
    category: row.category as Category | null,
    severity: row.severity as Severity | null,
    status: row.status as IncidentStatus,
    drill: row.drill === 1 || row.drill === true,
    causeKey: row.cause_key,
    causeLabel: row.cause_label,
    reportedAt: row.reported_at,
    closedAt: row.closed_at,
    acknowledgedAt: row.acknowledged_at,
    contactedAt: row.contacted_at,
    solutionAt: row.solution_at,
    resolvedAt: row.resolved_at,
    deadlines: (typeof row.deadlines === 'string' ? JSON.parse(row.deadlines) : row.deadlines) as DeadlineOutcome[],
    escalationLevel: row.escalation_level,
    reporterKey: row.reporter_key,
    runs: row.runs,
    lastSeq: row.last_seq,
    updatedAt: row.updated_at,
    encrypted: row.record_encoding !== CLEAR,
    isCase: row.is_case === 1 || row.is_case === true,
  };
}

const SUMMARY_COLUMNS = `i.id, i.category, i.severity, i.status, i.drill, i.cause_key, i.cause_label, i.reported_at, i.closed_at,
  i.acknowledged_at, i.contacted_at, i.solution_at, i.resolved_at, i.deadlines, i.escalation_level, i.reporter_key, i.runs,
  i.last_seq, i.updated_at, i.record_encoding, i.record_key_id, (c.incident_id IS NOT NULL) AS is_case`;

export class SqliteArchiveStore implements ArchiveStore {
  private readonly db: Database;
  private readonly cipher: RecordCipher;
  private readonly lockPath: string;
  private readonly busyTimeoutMs: number;
  private readonly staleLockMs: number;
  readonly path: string;
  /** The schema migration, run once before the first operation. */
  private migrated: Promise<void> | undefined;

  /**
   * Opens (creating when missing) the archive file at once; the schema is brought up to date
   * before the first operation. `open` does both and reports a bad file at start-up.
   */
  constructor(options: SqliteArchiveOptions) {
    this.path = resolve(options.path);
    mkdirSync(dirname(this.path), { recursive: true });
    this.cipher = new RecordCipher(options.keys ?? []);
    this.lockPath = `${this.path}.lock`;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 15_000;
    this.staleLockMs = options.staleLockMs ?? 30_000;
    this.db = new Database(this.path);
  }

  /** Opens the archive file and brings its schema up to date. */
  static async open(options: SqliteArchiveOptions): Promise<SqliteArchiveStore> {
    const store = new SqliteArchiveStore(options);
    try {
      await store.schemaVersion();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  /** The schema version the file is at (the number of migrations applied). */
  async schemaVersion(): Promise<number> {
    return this.locked(() => this.currentVersion());
  }

  private prepare(): Promise<void> {
    this.migrated ??= this.withLock(() => this.migrate()).catch((err: unknown) => {
      this.migrated = undefined;
      throw err;
    });
    return this.migrated;
  }

  private currentVersion(): number {
    const row = this.db.get('SELECT MAX(version) AS version FROM schema_version') as { version: number | null } | null;
    return row?.version ?? 0;
  }

  private migrate(): void {
    this.db.exec('PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const current = this.currentVersion();
    MIGRATIONS.forEach((sql, index) => {
      const version = index + 1;
      if (version <= current) return;
      this.transaction(() => {
        this.db.exec(sql);
        this.db.run('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)', [version, new Date().toISOString()]);
      });
    });
  }

  private transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /**
   * Runs `work` (synchronous, so it never interleaves with another call of this process),
   * retrying while another process holds the file's lock.
   */
  private async locked<T>(work: () => T): Promise<T> {
    await this.prepare();
    return this.withLock(work);
  }

  private async withLock<T>(work: () => T): Promise<T> {
    const started = Date.now();
    let pause = 5;
    for (;;) {
      try {
        return work();
      } catch (err) {
        if (!/database is locked|SQLITE_BUSY/i.test((err as Error).message)) throw err;
        this.clearStaleLock();
        if (Date.now() - started > this.busyTimeoutMs) {
          throw new Error(`archive ${this.path} is locked by another process for more than ${this.busyTimeoutMs} ms`);
        }
        await sleep(pause);
        pause = Math.min(pause * 2, 200);
      }
    }
  }

  /** A writer killed mid-transaction leaves its lock directory; its journal is rolled back on the next read. */
  private clearStaleLock(): void {
    try {
      const age = Date.now() - statSync(this.lockPath).mtimeMs;
      if (age > this.staleLockMs) rmSync(this.lockPath, { recursive: true, force: true });
    } catch {
      // No lock directory (any more).
    }
  }

  async upsertIncident(snapshot: IncidentSnapshot, writtenAt = new Date()): Promise<UpsertOutcome> {
    const columns = summaryColumns(snapshot);
    const record = this.cipher.seal(columns.id, JSON.stringify(snapshot.state));
    return this.locked(() =>
      this.transaction((): UpsertOutcome => {
        const existing = this.db.get('SELECT last_seq, runs FROM incidents WHERE id = ?', columns.id) as { last_seq: number; runs: number } | null;
        if (existing) {
          const older = columns.last_seq < existing.last_seq || (columns.last_seq === existing.last_seq && columns.runs < existing.runs);
          if (older) return 'stale';
        }
        const values: Record<string, SqlValue> = {
          ...columns,
          updated_at: writtenAt.toISOString(),
          record_encoding: record.encoding,
          record_key_id: record.keyId,
          record: record.data,
        };
        const names = Object.keys(values);
        this.db.run(
          `INSERT INTO incidents (${names.join(', ')}) VALUES (${names.map((n) => `:${n}`).join(', ')})
           ON CONFLICT (id) DO UPDATE SET ${names.filter((n) => n !== 'id').map((n) => `${n} = excluded.${n}`).join(', ')}`,
          Object.fromEntries(names.map((n) => [`:${n}`, values[n] ?? null])),
        );
        return existing ? 'updated' : 'inserted';
      }),
    );
  }

  private fullOf(row: IncidentRow): ArchivedIncident {
    const state = JSON.parse(this.cipher.open(row.id, row.record_encoding, row.record_key_id, row.record ?? new Uint8Array())) as IncidentState;
    return { ...summaryOfRow(row), state };
  }

  async getIncident(id: string): Promise<ArchivedIncident | undefined> {
    const row = await this.locked(
      () => this.db.get(`SELECT ${SUMMARY_COLUMNS}, i.record FROM incidents i LEFT JOIN cases c ON c.incident_id = i.id WHERE i.id = ?`, id) as IncidentRow | null,
    );
    return row ? this.fullOf(row) : undefined;
  }

  private query(filter: IncidentFilter, withRecord: boolean): Promise<IncidentRow[]> {
    const clauses: string[] = [];
    const values: SqlValue[] = [];
    const where = (clause: string, value: SqlValue) => {
      clauses.push(clause);
      values.push(value);
    };
    if (filter.status) where('i.status = ?', filter.status);
    if (filter.category) where('i.category = ?', filter.category);
    if (filter.severity) where('i.severity = ?', filter.severity);
    if (filter.drill !== undefined) where('i.drill = ?', filter.drill ? 1 : 0);
    if (filter.cause) where('i.cause_key = ?', filter.cause);
    if (filter.from) where('i.reported_at >= ?', new Date(filter.from).toISOString());
    if (filter.to) where('i.reported_at < ?', new Date(filter.to).toISOString());
    // Text matching needs the decrypted record, so the limit is applied after it.
    const limit = filter.limit !== undefined && !filter.text ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : '';
    const sql =
      `SELECT ${SUMMARY_COLUMNS}${withRecord || filter.text ? ', i.record' : ''} FROM incidents i LEFT JOIN cases c ON c.incident_id = i.id` +
      `${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY i.reported_at DESC, i.id${limit}`;
    return this.locked(() => this.db.all(sql, values) as unknown as IncidentRow[]);
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<ArchivedIncident[]> {
    const rows = await this.query(filter, true);
    const found: ArchivedIncident[] = [];
    const text = filter.text?.trim().toLowerCase();
    for (const row of rows) {
      const full = this.fullOf(row);
      if (text && !searchableText(full.state).includes(text)) continue;
      found.push(full);
      if (filter.limit !== undefined && found.length >= filter.limit) break;
    }
    return found;
  }

  async listSummaries(filter: IncidentFilter = {}): Promise<ArchivedIncidentSummary[]> {
    if (filter.text?.trim()) return (await this.listIncidents(filter)).map(({ state: _state, ...summary }) => summary);
    return (await this.query(filter, false)).map((row) => summaryOfRow(row));
  }

  async markCase(incidentId: string, input: CaseInput): Promise<CaseRecord> {
    const record = caseRecordFor(incidentId, await this.getIncident(incidentId), input);
    await this.locked(() =>
      this.transaction(() => {
        this.db.run(
          `INSERT INTO cases (incident_id, title, lessons, tags, category, cause_key, cause_label, summary, marked_by, marked_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (incident_id) DO UPDATE SET title = excluded.title, lessons = excluded.lessons, tags = excluded.tags,
             category = excluded.category, cause_key = excluded.cause_key, cause_label = excluded.cause_label,
             summary = excluded.summary, marked_by = excluded.marked_by, marked_at = excluded.marked_at`,
          [incidentId, record.title, record.lessons, JSON.stringify(record.tags), record.category, record.causeKey, record.causeLabel, record.summary, record.markedBy, record.markedAt],
        );
        this.db.run('DELETE FROM cases_text WHERE incident_id = ?', incidentId);
        this.db.run('INSERT INTO cases_text (incident_id, title, lessons, tags, summary) VALUES (?, ?, ?, ?, ?)', [
          incidentId,
          record.title,
          record.lessons,
          record.tags.join(' '),
          record.summary,
        ]);
      }),
    );
    return record;
  }

  async findCases(filter: CaseFilter = {}): Promise<CaseRecord[]> {
    const clauses: string[] = [];
    const values: SqlValue[] = [];
    if (filter.category) {
      clauses.push('c.category = ?');
      values.push(filter.category);
    }
    if (filter.cause) {
      clauses.push('c.cause_key = ?');
      values.push(filter.cause);
    }
    const text = filter.text?.trim();
    if (text) {
      // The trigram tokenizer matches substrings of 3+ characters, Chinese included; shorter
      // words fall back to LIKE over the same columns.
      const words = text.normalize('NFKC').split(/\s+/u).filter(Boolean);
      const long = words.filter((w) => [...w].length >= 3);
      const short = words.filter((w) => [...w].length < 3);
      const match = ftsQuery(long.join(' '));
      if (match) {
        clauses.push('c.incident_id IN (SELECT incident_id FROM cases_text WHERE cases_text MATCH ?)');
        values.push(match);
      }
      for (const word of short) {
        clauses.push(`(c.title LIKE ? ESCAPE '\\' OR c.lessons LIKE ? ESCAPE '\\' OR c.tags LIKE ? ESCAPE '\\' OR c.summary LIKE ? ESCAPE '\\')`);
        const pattern = `%${word.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
        values.push(pattern, pattern, pattern, pattern);
      }
    }
    const limit = filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : '';
    const rows = await this.locked(
      () =>
        this.db.all(
          `SELECT * FROM cases c${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY c.marked_at DESC, c.incident_id${limit}`,
          values,
        ) as unknown as CaseRow[],
    );
    return rows.map((row) => ({
      incidentId: row.incident_id,
      title: row.title,
      lessons: row.lessons,
      tags: JSON.parse(row.tags) as string[],
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
    // A coarse cut in SQL (two days of slack for leap days), the exact calendar rule in code.
    const coarse = addYears(now, -years);
    coarse.setUTCDate(coarse.getUTCDate() + 2);
    return this.locked(() =>
      this.transaction((): RetentionOutcome => {
        const candidates = this.db.all(
          `SELECT i.id, i.closed_at FROM incidents i
           WHERE i.status = 'resolved' AND i.closed_at IS NOT NULL AND i.closed_at < ?
             AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.incident_id = i.id)`,
          coarse.toISOString(),
        ) as { id: string; closed_at: string }[];
        const deleted = candidates.filter((row) => retentionExpired(row.closed_at, now, years)).map((row) => row.id);
        for (const id of deleted) this.db.run(`DELETE FROM incidents WHERE id = ? AND status = 'resolved'`, id);
        const remaining = this.db.get(`SELECT COUNT(*) AS n FROM incidents WHERE status = 'resolved'`) as { n: number };
        return { deleted, kept: remaining.n };
      }),
    );
  }

  async backupTo(path: string): Promise<void> {
    const target = resolve(path);
    mkdirSync(dirname(target), { recursive: true });
    await this.locked(() => this.db.run('VACUUM INTO ?', target));
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

/** The archive store for this process: the SQLite file at `path`. */
export function openArchiveStore(options: SqliteArchiveOptions): Promise<ArchiveStore> {
  return SqliteArchiveStore.open(options);
}
