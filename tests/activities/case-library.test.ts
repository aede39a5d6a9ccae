// R-REV-3: a resolved incident can be marked as a typical case with its lessons; cases are
// searchable by category, cause and text (Chinese and English), and personal data in what is
// searchable is masked (R-SEC-1).
import { ArchiveConflict, ArchiveNotFound, SqliteArchiveStore } from '../../activities/archive-store';
import { PERSONAL, incidentState, payloadKey, temporaryArchivePath } from './archive-fixtures';

describe('the case library (R-REV-3)', () => {
  let store: SqliteArchiveStore;
  beforeEach(async () => {
    store = await SqliteArchiveStore.open({ path: temporaryArchivePath(), keys: [payloadKey('k1')] });
    await store.upsertIncident({
      state: incidentState({ id: 'INC-DISPUTE', category: 'complaint', steps: ['resolved'], resolution: '与瑞金医院核对账单后全额赔付' }),
      cause: { key: 'fields:hospital=ruijin', label: 'hospital ruijin' },
    });
    await store.upsertIncident({
      state: incidentState({ id: 'INC-BATCH', category: 'timeliness', steps: ['resolved'], resolution: 'batch job rerun, payouts released' }),
      cause: { key: 'text:batch-delay', label: 'batch delay' },
    });
    await store.upsertIncident({ state: incidentState({ id: 'INC-OPEN', steps: ['acknowledged'] }) });
  });
  afterEach(() => store.close());

  test('only a resolved incident can become a case', async () => {
    await expect(store.markCase('INC-OPEN', { lessons: 'x', markedBy: 'm', markedAt: '2026-11-22T00:00:00.000Z' })).rejects.toBeInstanceOf(ArchiveConflict);
    await expect(store.markCase('INC-NONE', { lessons: 'x', markedBy: 'm', markedAt: '2026-11-22T00:00:00.000Z' })).rejects.toBeInstanceOf(ArchiveNotFound);
  });

  test('cases are found by category, cause and text; marking again updates the case', async () => {
    await store.markCase('INC-DISPUTE', {
      title: '医院账单争议',
      lessons: `先联系医院核对账单，再回复客户 ${PERSONAL.phone}`,
      tags: ['hospital', 'billing'],
      markedBy: 'manager-li',
      markedAt: '2026-11-20T00:00:00.000Z',
    });
    await store.markCase('INC-BATCH', { lessons: 'Watch the nightly batch; rerun before 09:00.', markedBy: 'manager-li', markedAt: '2026-11-21T00:00:00.000Z' });

    expect((await store.findCases()).map((c) => c.incidentId)).toEqual(['INC-BATCH', 'INC-DISPUTE']);
    expect((await store.findCases({ category: 'complaint' })).map((c) => c.incidentId)).toEqual(['INC-DISPUTE']);
    expect((await store.findCases({ cause: 'text:batch-delay' })).map((c) => c.incidentId)).toEqual(['INC-BATCH']);
    // Text: title, lessons, tags and the (masked) resolution summary; substrings, any case.
    expect((await store.findCases({ text: 'nightly BATCH' })).map((c) => c.incidentId)).toEqual(['INC-BATCH']);
    expect((await store.findCases({ text: '核对账单' })).map((c) => c.incidentId)).toEqual(['INC-DISPUTE']);
    expect((await store.findCases({ text: '赔付' })).map((c) => c.incidentId)).toEqual(['INC-DISPUTE']);
    expect((await store.findCases({ text: 'payouts released' })).map((c) => c.incidentId)).toEqual(['INC-BATCH']);
    expect(await store.findCases({ text: 'hospital', category: 'timeliness' })).toEqual([]);
    // FTS syntax in the query is just text.
    expect(await store.findCases({ text: '"batch" OR NEAR(' })).toEqual([]);

    const [dispute] = await store.findCases({ cause: 'fields:hospital=ruijin' });
    expect(dispute).toMatchObject({ title: '医院账单争议', tags: ['hospital', 'billing'], causeLabel: 'hospital ruijin', markedBy: 'manager-li' });
    expect(dispute?.lessons).not.toContain(PERSONAL.phone);
    // A case without a title takes the incident's.
    expect((await store.findCases({ cause: 'text:batch-delay' }))[0]?.title).toBe('Payout late for outpatient claim');

    await store.markCase('INC-BATCH', { lessons: 'Alert on batch lag over 1 hour.', markedBy: 'manager-wang', markedAt: '2026-11-22T00:00:00.000Z' });
    expect(await store.findCases({ text: 'nightly' })).toEqual([]);
    expect((await store.findCases({ text: 'batch lag' }))[0]?.markedBy).toBe('manager-wang');
    expect((await store.getIncident('INC-BATCH'))?.isCase).toBe(true);
  });
});
