// R-REV-5 / R-SEC-1: the archive keeps every incident's record in a SQLite file, written as it
// changes (never an older snapshot over a newer one), readable after a restart, with personal
// data only inside AES-256-GCM blobs under the payload keys (rotation: old keys still decrypt).
import { existsSync, mkdirSync, readFileSync, rmdirSync, utimesSync } from 'node:fs';
import { SqliteArchiveStore } from '../../activities/archive-store';
import { PERSONAL, incidentState, payloadKey, temporaryArchivePath } from './archive-fixtures';

describe('the incident archive (R-REV-5)', () => {
  test('a snapshot is written as the incident changes and in full when it closes', async () => {
    const store = await SqliteArchiveStore.open({ path: temporaryArchivePath(), keys: [payloadKey('k1')] });
    try {
      expect(await store.schemaVersion()).toBe(1);
      expect(await store.upsertIncident({ state: incidentState() })).toBe('inserted');
      let archived = await store.getIncident('INC-TEST00000001');
      expect(archived).toMatchObject({ status: 'triggered', lastSeq: 2, closedAt: null, category: 'timeliness', encrypted: true });

      const closed = incidentState({ steps: ['acknowledged', 'contacted', 'solution', 'resolved'], resolution: 'paid out, apology sent' });
      closed.links.push({ kind: 'incident', ref: 'INC-OTHER0000001', at: closed.reportedAt, actor: 'system', reason: 'same cause' });
      expect(await store.upsertIncident({ state: closed, cause: { key: 'text:outpatient-ratio', label: 'outpatient ratio' } })).toBe('updated');
      archived = await store.getIncident('INC-TEST00000001');
      expect(archived).toMatchObject({
        status: 'resolved',
        lastSeq: 6,
        causeKey: 'text:outpatient-ratio',
        acknowledgedAt: '2026-11-02T01:02:00.000Z',
        contactedAt: '2026-11-02T01:03:00.000Z',
        solutionAt: '2026-11-02T01:04:00.000Z',
        resolvedAt: '2026-11-02T01:05:00.000Z',
        closedAt: '2026-11-02T01:05:00.000Z',
        deadlines: [{ id: 'contact', kind: 'contact', state: 'met', dueAt: '2026-11-02T01:30:00.000Z', closedAt: null }],
      });
      // The full record: state, report text, timeline and linked incidents.
      expect(archived?.state).toEqual(closed);
    } finally {
      await store.close();
    }
  });

  test('an older snapshot arriving late never replaces a newer one', async () => {
    const store = await SqliteArchiveStore.open({ path: temporaryArchivePath() });
    try {
      const newer = incidentState({ steps: ['acknowledged', 'contacted'] });
      const older = incidentState({ steps: ['acknowledged'] });
      expect(await store.upsertIncident({ state: newer })).toBe('inserted');
      expect(await store.upsertIncident({ state: older })).toBe('stale');
      expect((await store.getIncident(newer.id))?.lastSeq).toBe(4);
      // Same last seq from an earlier run (a retried write from before continue-as-new) is older too.
      expect(await store.upsertIncident({ state: { ...newer, runs: 2 } })).toBe('updated');
      expect(await store.upsertIncident({ state: { ...newer, runs: 1 } })).toBe('stale');
      expect((await store.getIncident(newer.id))?.runs).toBe(2);
      // The same snapshot twice (an activity retry) is harmless.
      expect(await store.upsertIncident({ state: { ...newer, runs: 2 } })).toBe('updated');
    } finally {
      await store.close();
    }
  });

  test('records survive closing and reopening the file (a process restart)', async () => {
    const path = temporaryArchivePath();
    const keys = [payloadKey('k1')];
    const first = await SqliteArchiveStore.open({ path, keys });
    await first.upsertIncident({ state: incidentState({ id: 'INC-RESTART00001', steps: ['resolved'] }) });
    await first.close();

    const second = await SqliteArchiveStore.open({ path, keys });
    try {
      expect(await second.schemaVersion()).toBe(1);
      const archived = await second.getIncident('INC-RESTART00001');
      expect(archived?.status).toBe('resolved');
      expect(archived?.state.report.description).toContain(PERSONAL.phone);
    } finally {
      await second.close();
    }
  });

  test('the file holds no phone, ID number or name in clear; old keys still decrypt after rotation (R-SEC-1)', async () => {
    const path = temporaryArchivePath();
    const k1 = payloadKey('k1');
    const k2 = payloadKey('k2');
    const before = await SqliteArchiveStore.open({ path, keys: [k1] });
    await before.upsertIncident({ state: incidentState({ id: 'INC-OLDKEY000001' }) });
    await before.close();

    const rotated = await SqliteArchiveStore.open({ path, keys: [k2, k1] });
    try {
      await rotated.upsertIncident({ state: incidentState({ id: 'INC-NEWKEY000001' }) });
      const bytes = readFileSync(path);
      for (const value of [PERSONAL.phone, PERSONAL.idNumber, PERSONAL.name, 'Payout late for outpatient']) {
        expect(bytes.includes(Buffer.from(value, 'utf8'))).toBe(false);
      }
      expect((await rotated.getIncident('INC-OLDKEY000001'))?.state.report.description).toContain(PERSONAL.idNumber);
      expect((await rotated.getIncident('INC-NEWKEY000001'))?.state.report.reporter).toBe(PERSONAL.name);
    } finally {
      await rotated.close();
    }

    // Without the key a record was written under, reading it fails loudly, naming the key.
    const withoutOld = await SqliteArchiveStore.open({ path, keys: [k2] });
    try {
      await expect(withoutOld.getIncident('INC-OLDKEY000001')).rejects.toThrow(/key "k1"/);
    } finally {
      await withoutOld.close();
    }
  });

  test('without payload keys the record is stored in clear and says so', async () => {
    const path = temporaryArchivePath();
    const store = await SqliteArchiveStore.open({ path });
    try {
      await store.upsertIncident({ state: incidentState() });
      expect((await store.getIncident('INC-TEST00000001'))?.encrypted).toBe(false);
      expect(readFileSync(path).includes(Buffer.from(PERSONAL.phone))).toBe(true);
    } finally {
      await store.close();
    }
  });

  test('lists filter by month, category, severity, drill, cause and text, newest first', async () => {
    const store = await SqliteArchiveStore.open({ path: temporaryArchivePath(), keys: [payloadKey('k1')] });
    try {
      await store.upsertIncident({ state: incidentState({ id: 'INC-OCT', reportedAt: '2026-10-31T23:59:59.000Z' }) });
      await store.upsertIncident({
        state: incidentState({ id: 'INC-NOV-COMPLAINT', reportedAt: '2026-11-03T00:00:00.000Z', category: 'complaint', title: 'Hospital billing dispute' }),
        cause: { key: 'fields:hospital=ruijin', label: 'hospital ruijin' },
      });
      await store.upsertIncident({ state: incidentState({ id: 'INC-NOV-DRILL', reportedAt: '2026-11-05T00:00:00.000Z', drill: true, severity: 'major' }) });
      await store.upsertIncident({ state: incidentState({ id: 'INC-DEC', reportedAt: '2026-12-01T00:00:00.000Z' }) });

      const november = await store.listIncidents({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
      expect(november.map((i) => i.id)).toEqual(['INC-NOV-DRILL', 'INC-NOV-COMPLAINT']);
      expect(november[0]?.state.report.drill).toBe(true);
      const real = await store.listIncidents({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', drill: false });
      expect(real.map((i) => i.id)).toEqual(['INC-NOV-COMPLAINT']);
      expect((await store.listSummaries({ category: 'complaint' })).map((i) => i.id)).toEqual(['INC-NOV-COMPLAINT']);
      expect((await store.listSummaries({ severity: 'major' })).map((i) => i.id)).toEqual(['INC-NOV-DRILL']);
      expect((await store.listSummaries({ cause: 'fields:hospital=ruijin' })).map((i) => i.id)).toEqual(['INC-NOV-COMPLAINT']);
      // Text search reads the encrypted records (report text, resolution, timeline).
      expect((await store.listSummaries({ text: 'billing DISPUTE' })).map((i) => i.id)).toEqual(['INC-NOV-COMPLAINT']);
      expect((await store.listSummaries({ limit: 2 })).map((i) => i.id)).toEqual(['INC-DEC', 'INC-NOV-DRILL']);
    } finally {
      await store.close();
    }
  });

  test('another process holding the file is waited for; a lock left by a killed one is cleared', async () => {
    const path = temporaryArchivePath();
    const store = await SqliteArchiveStore.open({ path, staleLockMs: 5_000, busyTimeoutMs: 10_000 });
    try {
      // The WASM VFS locks the file with a `<file>.lock` directory, shared by every process.
      mkdirSync(`${path}.lock`);
      setTimeout(() => rmdirSync(`${path}.lock`), 300);
      const started = Date.now();
      expect(await store.upsertIncident({ state: incidentState() })).toBe('inserted');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);

      // A writer killed mid-transaction leaves its lock behind: old enough, it is removed.
      mkdirSync(`${path}.lock`);
      const longAgo = new Date(Date.now() - 60_000);
      utimesSync(`${path}.lock`, longAgo, longAgo);
      expect((await store.getIncident('INC-TEST00000001'))?.lastSeq).toBe(2);
      expect(existsSync(`${path}.lock`)).toBe(false);
    } finally {
      await store.close();
    }
  });

  test('a backup copy (VACUUM INTO) opens as an archive with the same records (R-SEC-3)', async () => {
    const keys = [payloadKey('k1')];
    const store = await SqliteArchiveStore.open({ path: temporaryArchivePath(), keys });
    const backupPath = temporaryArchivePath();
    try {
      await store.upsertIncident({ state: incidentState({ steps: ['resolved'] }) });
      await store.backupTo(backupPath);
    } finally {
      await store.close();
    }
    const copy = await SqliteArchiveStore.open({ path: backupPath, keys });
    try {
      expect((await copy.getIncident('INC-TEST00000001'))?.status).toBe('resolved');
    } finally {
      await copy.close();
    }
  });
});
