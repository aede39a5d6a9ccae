// Issue 7 / R-REV-5: the SQLite archive in a thread of its own (activities/archive-thread.ts).
// It answers as the in-process store does, in the order asked; the writes that queue while a
// transaction runs are committed together, each with its own outcome or error; its errors keep
// their class; and the owning thread's event loop turns while it writes.
import { SqliteArchiveStore, ArchiveConflict, ArchiveNotFound } from '../../activities/archive-store';
import { ThreadedArchiveStore } from '../../activities/archive-thread';
import type { IncidentState } from '../../workflows/contracts';
import { incidentState, payloadKey, temporaryArchivePath } from './archive-fixtures';

const idOf = (n: number) => `INC-THREAD${String(n).padStart(6, '0')}`;

describe('the archive in its own thread', () => {
  test('answers as the in-process store does, into the same file', async () => {
    const path = temporaryArchivePath();
    const keys = [payloadKey('k1')];
    const store = await ThreadedArchiveStore.open({ path, keys });
    const newer = incidentState({ steps: ['acknowledged', 'contacted', 'solution', 'resolved'], resolution: 'paid out' });
    try {
      expect(await store.upsertIncident({ state: incidentState() })).toBe('inserted');
      expect(await store.upsertIncident({ state: newer }, new Date('2026-11-02T02:00:00.000Z'))).toBe('updated');
      expect(await store.upsertIncident({ state: incidentState({ steps: ['acknowledged'] }) })).toBe('stale');
      const archived = await store.getIncident(newer.id);
      expect(archived).toMatchObject({ status: 'resolved', lastSeq: 6, updatedAt: '2026-11-02T02:00:00.000Z', encrypted: true });
      expect(archived?.state).toEqual(newer);
      expect((await store.listSummaries({ status: 'resolved' })).map((s) => s.id)).toEqual([newer.id]);
      expect(await store.markCase(newer.id, { title: 'late payout', lessons: 'check the bank file', tags: ['payout'], markedBy: 'lead', markedAt: '2026-11-03T00:00:00.000Z' })).toMatchObject({
        incidentId: newer.id,
        title: 'late payout',
      });
      expect((await store.findCases({ text: 'bank file' })).map((c) => c.incidentId)).toEqual([newer.id]);
    } finally {
      await store.close();
    }
    // The file the thread wrote, read in this thread after it closed (a restart).
    const reopened = await SqliteArchiveStore.open({ path, keys });
    try {
      expect((await reopened.getIncident(newer.id))?.state).toEqual(newer);
    } finally {
      await reopened.close();
    }
  });

  test('writes that queue together are one transaction, each with its own outcome', async () => {
    const store = await ThreadedArchiveStore.open({ path: temporaryArchivePath(), keys: [payloadKey('k1')] });
    try {
      const first = await store.writeStats();
      const writes = Array.from({ length: 40 }, (_, n) => store.upsertIncident({ state: incidentState({ id: idOf(n) }) }));
      // In the same group: a newer snapshot of incident 0, then an older one that must not replace it.
      writes.push(store.upsertIncident({ state: incidentState({ id: idOf(0), steps: ['acknowledged', 'contacted'] }) }));
      writes.push(store.upsertIncident({ state: incidentState({ id: idOf(0), steps: ['acknowledged'] }) }));
      const outcomes = await Promise.all(writes);
      expect(outcomes.slice(0, 40)).toEqual(Array(40).fill('inserted'));
      expect(outcomes.slice(40)).toEqual(['updated', 'stale']);
      const stats = await store.writeStats();
      expect(stats.writes - first.writes).toBe(42);
      // Sent in one turn of this thread's loop: far fewer transactions than writes (one, unless
      // the thread began the first before the rest arrived).
      expect(stats.batches - first.batches).toBeLessThanOrEqual(2);
      expect((await store.getIncident(idOf(0)))?.lastSeq).toBe(4);
      expect(await store.listSummaries()).toHaveLength(40);
    } finally {
      await store.close();
    }
  });

  test('a snapshot that cannot be written fails alone; the rest of its group is written', async () => {
    const store = await ThreadedArchiveStore.open({ path: temporaryArchivePath() });
    try {
      const noStatus = { ...incidentState({ id: idOf(2) }), status: null } as unknown as IncidentState;
      const noReport = { ...incidentState({ id: idOf(3) }), report: undefined } as unknown as IncidentState;
      const results = await Promise.allSettled([
        store.upsertIncident({ state: incidentState({ id: idOf(1) }) }),
        store.upsertIncident({ state: noStatus }),
        store.upsertIncident({ state: noReport }),
        store.upsertIncident({ state: incidentState({ id: idOf(4) }) }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/NOT NULL constraint failed: incidents\.status/);
      expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
      expect((await store.listSummaries()).map((s) => s.id).sort()).toEqual([idOf(1), idOf(4)]);
    } finally {
      await store.close();
    }
  });

  test('errors keep their class, and a read asked after a write sees it', async () => {
    const store = await ThreadedArchiveStore.open({ path: temporaryArchivePath() });
    try {
      await expect(store.markCase('INC-UNKNOWN00001', { title: 't', lessons: 'l', tags: [], markedBy: 'lead', markedAt: '2026-11-03T00:00:00.000Z' })).rejects.toBeInstanceOf(ArchiveNotFound);
      const open = incidentState({ id: idOf(5) });
      // Not awaited: the read is sent after the write and answered after it.
      const written = store.upsertIncident({ state: open });
      const read = store.getIncident(open.id);
      expect(await read).toMatchObject({ id: open.id, status: 'triggered' });
      expect(await written).toBe('inserted');
      await expect(store.markCase(open.id, { title: 't', lessons: 'l', tags: [], markedBy: 'lead', markedAt: '2026-11-03T00:00:00.000Z' })).rejects.toBeInstanceOf(ArchiveConflict);
      await expect(store.applyRetention(new Date(), 2)).rejects.toThrow(/at least 3/);
    } finally {
      await store.close();
    }
    await expect(store.getIncident(idOf(5))).rejects.toThrow(/archive is closed/);
  });

  test("this thread's event loop turns while the archive writes", async () => {
    const order: string[] = [];
    const writeAll = (store: { upsertIncident: ThreadedArchiveStore['upsertIncident'] }) =>
      Promise.all(Array.from({ length: 200 }, (_, n) => store.upsertIncident({ state: incidentState({ id: idOf(100 + n) }) })));
    const threaded = await ThreadedArchiveStore.open({ path: temporaryArchivePath() });
    try {
      const done = writeAll(threaded).then(() => order.push('threaded: written'));
      setImmediate(() => order.push('threaded: loop turned'));
      await done;
    } finally {
      await threaded.close();
    }
    // The in-process store holds the loop for the whole write: the loop turns only after it.
    const inProcess = await SqliteArchiveStore.open({ path: temporaryArchivePath() });
    try {
      const done = writeAll(inProcess).then(() => order.push('in process: written'));
      setImmediate(() => order.push('in process: loop turned'));
      await done;
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await inProcess.close();
    }
    expect(order).toEqual(['threaded: loop turned', 'threaded: written', 'in process: written', 'in process: loop turned']);
  });
});
