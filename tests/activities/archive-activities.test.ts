// The archive's activities: the cause an archived incident is grouped by is the monthly review's
// (R-REV-2), else a text cause (R-CAT-COMP); the retention run uses its clock and never accepts
// less than 3 years (R-REV-5).
import { causeOfReport, createArchiveActivities } from '../../activities/archive';
import { SqliteArchiveStore } from '../../activities/archive-store';
import { defaultDetectionConfig } from '../../domain/detection-config';
import { incidentState, temporaryArchivePath } from './archive-fixtures';

const detection = defaultDetectionConfig();

describe('the archive activities', () => {
  test('the cause: recorded on the report, else its cause fields, else a text cause, else none', () => {
    const base = incidentState().report;
    expect(causeOfReport({ ...base, facts: { cause: { key: 'fields:hospital=ruijin', label: 'hospital ruijin' } } }, 'INC-1', detection)?.key).toBe('fields:hospital=ruijin');
    expect(causeOfReport({ ...base, facts: { causeFields: { hospital: 'Ruijin Hospital' } } }, 'INC-1', detection)?.key).toMatch(/^fields:.*hospital=ruijin hospital/);
    expect(causeOfReport({ ...base, title: '理赔款未到账', description: '客户反映款项未到账', facts: {} }, 'INC-1', detection)?.key).toBe('text:payout-delay');
    expect(causeOfReport({ ...base, title: 'Question', description: 'A general question', facts: {} }, 'INC-1', detection)).toBeUndefined();
  });

  test('the retention run deletes by its clock, and refuses a period under 3 years at construction', async () => {
    const store = await SqliteArchiveStore.open({ path: temporaryArchivePath() });
    try {
      expect(() => createArchiveActivities({ store, detection, retentionYears: 2 })).toThrow(/at least 3/);
      const state = incidentState({ id: 'INC-CLOSED', reportedAt: '2022-01-01T00:00:00.000Z', steps: ['resolved'] });
      const activities = createArchiveActivities({ store, detection, retentionYears: 3, now: () => new Date('2026-11-22T00:00:00.000Z') });
      expect(await activities.archiveIncident(state)).toEqual({ outcome: 'inserted', lastSeq: 3 });
      expect(await activities.applyArchiveRetention()).toEqual({ at: '2026-11-22T00:00:00.000Z', deleted: ['INC-CLOSED'], kept: 0 });
    } finally {
      await store.close();
    }
  });
});
