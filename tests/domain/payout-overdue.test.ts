// R-CAT-TIME measured in working days (R-T-CAL): a payout is late at the contractual limit (15
// working days), warned before it (R-T-BREACH "close to due"), a batch run more than 3 working
// days late is its own rule, and an open claim untouched too long is flagged (R-DET-2).
import { readCalendarData } from '../../config/calendar';
import { createCalendar } from '../../domain/calendar';
import { detect, measureClaim, type Detection, type SignalEvent } from '../../domain/detection';
import { parseDetectionConfig } from '../../domain/detection-config';
import { DEFAULT_POLICY, parsePolicy } from '../../domain/policy';

const calendar = createCalendar(readCalendarData(), 'Asia/Shanghai');
const config = parseDetectionConfig({});

function claimEvent(at: string, claimStatus: SignalEvent['claimStatus']): SignalEvent {
  return { source: 'claim-status', sourceEventId: `CS-${at}`, occurredAt: at, claimId: 'CLM-2026-0916', claimStatus };
}

function run(event: SignalEvent, policy = DEFAULT_POLICY): Detection {
  return detect(event, { config, policy, calendar, receivedAt: new Date(event.occurredAt!) });
}

// Decided Wednesday 16 September 2026, 10:00 Shanghai. Ahead: Sunday 20 September is a make-up
// working day (调休), 25–27 September is Mid-Autumn, 1–7 October National Day, Saturday 10
// October a make-up working day. The 15th working day is Tuesday 13 October: 27 calendar days.
const decided = { stage: 'decided' as const, decidedAt: '2026-09-16T10:00:00+08:00' };

describe('overdue payouts across the National Day holiday (R-CAT-TIME, R-T-CAL)', () => {
  test.each([
    ['2026-09-30T10:00:00+08:00', 10],
    ['2026-10-07T18:00:00+08:00', 10], // the whole holiday counts nothing
    ['2026-10-08T10:00:00+08:00', 11],
    ['2026-10-10T10:00:00+08:00', 13], // Saturday, but a make-up working day
    ['2026-10-11T10:00:00+08:00', 13], // Sunday
    ['2026-10-13T09:59:00+08:00', 14],
    ['2026-10-13T10:00:00+08:00', 15],
  ])('at %s the payout has waited %i working days', (at, days) => {
    expect(measureClaim(decided, new Date(at), calendar).sinceDecision).toBe(days);
  });

  test('no alarm during the holiday, a warning before the limit, an incident at it', () => {
    expect(run(claimEvent('2026-10-07T18:00:00+08:00', decided))).toMatchObject({ kind: 'none', reason: expect.stringMatching(/^within limits: 10 of 15/) });

    const warned = run(claimEvent('2026-10-09T10:00:00+08:00', decided));
    expect(warned).toMatchObject({
      kind: 'none',
      warning: { claimId: 'CLM-2026-0916', elapsedWorkingDays: 12, limitWorkingDays: 15, dueAt: '2026-10-13T02:00:00.000Z' },
    });
    expect(warned.reasons).toEqual([{ rule: 'R-T-BREACH', evidence: 'payout pending 12 working days >= warning at 12' }]);

    const justBefore = run(claimEvent('2026-10-13T09:59:00+08:00', decided));
    expect(justBefore.kind).toBe('none');

    const late = run(claimEvent('2026-10-13T10:00:00+08:00', decided));
    expect(late.kind).toBe('incident');
    if (late.kind !== 'incident') return;
    expect(late.triage).toMatchObject({ category: 'timeliness', severity: 'general' });
    expect(late.report.facts).toMatchObject({ claimId: 'CLM-2026-0916', daysSinceDecision: 15 });
    expect(late.reasons).toContainEqual({ rule: 'R-CAT-TIME', evidence: 'payout pending 15 working days >= payoutLimitWorkingDays=15' });
    expect(late.correlation).toEqual({ kind: 'duplicate', subject: { kind: 'claim', ref: 'CLM-2026-0916' } });
  });

  test('a calendar-day count would have raised it a fortnight early', () => {
    // 15 calendar days after the decision is 1 October: 10 working days, not late.
    expect(run(claimEvent('2026-10-01T10:00:00+08:00', decided)).kind).toBe('none');
  });

  test('the limit and the warning lead come from the policy and the detection config', () => {
    const patient = parsePolicy({ triage: { payoutLimitWorkingDays: 17 } });
    expect(run(claimEvent('2026-10-13T10:00:00+08:00', decided), patient)).toMatchObject({ kind: 'none', warning: { elapsedWorkingDays: 15, limitWorkingDays: 17 } });
    const early = parseDetectionConfig({ payout: { warningWorkingDays: 6 } });
    const detection = detect(claimEvent('2026-10-08T10:00:00+08:00', decided), { config: early, policy: DEFAULT_POLICY, calendar, receivedAt: new Date() });
    expect(detection).toMatchObject({ kind: 'none', warning: { elapsedWorkingDays: 11 } });
  });

  test('a paid claim is never late', () => {
    expect(run(claimEvent('2026-12-01T10:00:00+08:00', { ...decided, stage: 'paid' })).kind).toBe('none');
  });
});

describe('a batch run more than 3 working days late is its own rule (R-CAT-TIME)', () => {
  const batch = (scheduledAt: string) => ({ ...decided, batch: { id: 'PB-0929', scheduledAt } });

  test('scheduled the day before National Day: 3 working days late on 9 October is not more than 3; 4 on 10 October is', () => {
    // 29 Sep 02:00 → 30 Sep (1), [1–7 Oct off], 8 Oct (2), 9 Oct (3), Saturday 10 Oct 调休 (4).
    expect(run(claimEvent('2026-10-09T03:00:00+08:00', batch('2026-09-29T02:00:00+08:00'))).kind).toBe('none');
    const late = run(claimEvent('2026-10-10T03:00:00+08:00', batch('2026-09-29T02:00:00+08:00')));
    expect(late.kind).toBe('incident');
    if (late.kind !== 'incident') return;
    expect(late.report.facts.batchDelayDays).toBe(4);
    // One incident per batch: every claim of it correlates to the batch, not to itself.
    expect(late.correlation).toEqual({ kind: 'duplicate', subject: { kind: 'batch', ref: 'PB-0929' } });
    expect(late.triage).toMatchObject({ category: 'timeliness', severity: 'major' });
  });
});

describe('a claim untouched too long is flagged (R-DET-2)', () => {
  test('5 working days without activity, holidays excluded', () => {
    const inReview = (lastActivityAt: string) => ({ stage: 'in-review' as const, lastActivityAt });
    // Last touched Tuesday 29 September: 30 Sep (1), 8 Oct (2), 9 Oct (3), 10 Oct (4), 12 Oct (5).
    expect(run(claimEvent('2026-10-10T18:00:00+08:00', inReview('2026-09-29T17:00:00+08:00'))).kind).toBe('none');
    const flagged = run(claimEvent('2026-10-12T18:00:00+08:00', inReview('2026-09-29T17:00:00+08:00')));
    expect(flagged.kind).toBe('incident');
    if (flagged.kind !== 'incident') return;
    expect(flagged.triage.category).toBe('timeliness');
    expect(flagged.reasons).toContainEqual({ rule: 'R-DET-2', evidence: 'claim untouched 5 working days >= untouchedWorkingDays=5' });
  });
});
