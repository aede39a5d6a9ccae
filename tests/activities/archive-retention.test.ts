// R-REV-5: records are kept at least 3 years. The retention job deletes a resolved record only
// once the configured number of full calendar years has passed since it closed — never an open
// one, a younger one, or a typical case — proven with a fake clock around the exact boundary.
import { SqliteArchiveStore, addYears, retentionExpired } from '../../activities/archive-store';
import { incidentState, temporaryArchivePath } from './archive-fixtures';

/** A resolved incident whose `resolved` entry is at exactly `closedAt`. */
function closedAt(id: string, closed: string) {
  const state = incidentState({ id, reportedAt: new Date(Date.parse(closed) - 2 * 60_000).toISOString(), steps: ['resolved'] });
  return state;
}

async function withStore(run: (store: SqliteArchiveStore) => Promise<void>): Promise<void> {
  const store = await SqliteArchiveStore.open({ path: temporaryArchivePath() });
  try {
    await run(store);
  } finally {
    await store.close();
  }
}

describe('archive retention (R-REV-5)', () => {
  test('3 years minus 1 s is kept; 3 years plus 1 s is deleted', () =>
    withStore(async (store) => {
      const closed = '2023-06-15T08:00:00.000Z';
      await store.upsertIncident({ state: closedAt('INC-BOUNDARY', closed) });
      const threeYears = Date.parse('2026-06-15T08:00:00.000Z');

      expect(await store.applyRetention(new Date(threeYears - 1000), 3)).toEqual({ deleted: [], kept: 1 });
      expect(await store.getIncident('INC-BOUNDARY')).toBeDefined();

      expect(await store.applyRetention(new Date(threeYears + 1000), 3)).toEqual({ deleted: ['INC-BOUNDARY'], kept: 0 });
      expect(await store.getIncident('INC-BOUNDARY')).toBeUndefined();
    }));

  test('a record closed on 29 February is kept until 1 March three years on', () =>
    withStore(async (store) => {
      await store.upsertIncident({ state: closedAt('INC-LEAP', '2024-02-29T12:00:00.000Z') });
      // 28 February 2027 is not yet three full years.
      expect((await store.applyRetention(new Date('2027-02-28T23:59:59.000Z'), 3)).deleted).toEqual([]);
      expect((await store.applyRetention(new Date('2027-03-01T11:59:59.000Z'), 3)).deleted).toEqual([]);
      expect((await store.applyRetention(new Date('2027-03-01T12:00:01.000Z'), 3)).deleted).toEqual(['INC-LEAP']);
      expect(addYears(new Date('2024-02-29T12:00:00.000Z'), 3).toISOString()).toBe('2027-03-01T12:00:00.000Z');
    }));

  test('a record closed just before a leap day counts the leap day in its three years', () => {
    // Closed 1 March 2025; the period ends 1 March 2028, after 29 February 2028.
    expect(retentionExpired('2025-03-01T00:00:00.000Z', new Date('2028-02-29T23:59:59.000Z'), 3)).toBe(false);
    expect(retentionExpired('2025-03-01T00:00:00.000Z', new Date('2028-03-01T00:00:00.000Z'), 3)).toBe(true);
  });

  test('open incidents, typical cases and younger records are never deleted; a longer period is honoured', () =>
    withStore(async (store) => {
      const old = '2019-01-01T00:00:00.000Z';
      await store.upsertIncident({ state: incidentState({ id: 'INC-OPEN-OLD', reportedAt: old, steps: ['acknowledged'] }) });
      await store.upsertIncident({ state: closedAt('INC-CASE-OLD', '2019-02-01T00:00:00.000Z') });
      await store.markCase('INC-CASE-OLD', { lessons: 'call the hospital first', markedBy: 'manager-li', markedAt: '2019-03-01T00:00:00.000Z' });
      await store.upsertIncident({ state: closedAt('INC-OLD', '2020-01-01T00:00:00.000Z') });
      await store.upsertIncident({ state: closedAt('INC-YOUNG', '2025-01-01T00:00:00.000Z') });

      const now = new Date('2026-11-22T00:00:00.000Z');
      // Seven years configured: the 2020 record is not due yet.
      expect((await store.applyRetention(now, 7)).deleted).toEqual([]);
      expect((await store.applyRetention(now, 3)).deleted).toEqual(['INC-OLD']);
      const left = (await store.listSummaries()).map((i) => i.id).sort();
      expect(left).toEqual(['INC-CASE-OLD', 'INC-OPEN-OLD', 'INC-YOUNG']);
    }));

  test('a period under 3 years is refused', () =>
    withStore(async (store) => {
      await store.upsertIncident({ state: closedAt('INC-X', '2020-01-01T00:00:00.000Z') });
      await expect(store.applyRetention(new Date('2026-11-22T00:00:00.000Z'), 2)).rejects.toThrow(/at least 3 \(R-REV-5\)/);
      await expect(store.applyRetention(new Date('2026-11-22T00:00:00.000Z'), 3.5)).rejects.toThrow(/whole number/);
      expect(await store.getIncident('INC-X')).toBeDefined();
    }));
});
