/**
 * The monthly review (R-REV-1, R-REV-2, R-REV-4, R-DET-5) against a hand-built month: every
 * expected figure below is worked out by hand from the table in `review-month.ts`.
 */
import { computeMonthlyReview, distribution, monthPeriod } from '../../domain/monthly-review';
import { NOVEMBER, RUIJIN } from './review-month';

const review = computeMonthlyReview(NOVEMBER, { month: '2026-11', timeZone: 'Asia/Shanghai', dominantShare: 0.2 });

describe('what counts when: the month in Asia/Shanghai', () => {
  test('the month runs from 2026-11-01 00:00 to 2026-12-01 00:00 Shanghai time', () => {
    expect(review.period).toEqual({ from: '2026-10-31T16:00:00.000Z', to: '2026-11-30T16:00:00.000Z' });
    expect(monthPeriod('2026-12')).toEqual({ from: '2026-11-30T16:00:00.000Z', to: '2026-12-31T16:00:00.000Z' });
    expect(review.basis).toMatch(/belongs to the month .* in which it was reported/);
  });

  test('incidents reported on the boundary belong to the Shanghai month they were reported in', () => {
    const ids = review.incidents.map((incident) => incident.id);
    expect(ids).toEqual(expect.arrayContaining(['B1', 'B2']));
    expect(ids).not.toContain('B0'); // 2026-10-31 23:59:59 in Shanghai
    expect(ids).not.toContain('B3'); // 2026-12-01 00:00 in Shanghai
  });

  test('a malformed month is refused', () => {
    expect(() => computeMonthlyReview(NOVEMBER, { month: '2026-13' })).toThrow(RangeError);
    expect(() => monthPeriod('2026-1')).toThrow(/YYYY-MM/);
  });
});

describe('R-REV-1: counts by category and tier', () => {
  test('twelve mid-month incidents and the two on the boundaries are real; the drills are not', () => {
    const f = review.figures;
    expect(f.total).toBe(14);
    expect(f.byCategory).toEqual({ timeliness: 3, info: 4, complaint: 5, system: 2 });
    // minor: T3 I1 I2 B1 B2; general: C1–C4 T1 T2; major: C5 S1 S2.
    expect(f.bySeverity).toEqual({ minor: 5, general: 6, major: 3 });
    expect(f.byCategoryAndSeverity.complaint).toEqual({ minor: 0, general: 4, major: 1 });
    expect(f.byCategoryAndSeverity.timeliness).toEqual({ minor: 1, general: 2, major: 0 });
    expect(f.byCategoryAndSeverity.info).toEqual({ minor: 4, general: 0, major: 0 });
    expect(f.byCategoryAndSeverity.system).toEqual({ minor: 0, general: 0, major: 2 });
    expect(f.byStatus).toEqual({ triggered: 2, acknowledged: 5, resolved: 7 });
  });
});

describe('R-REV-1: time to acknowledge, contact, solution and resolve', () => {
  test('acknowledge: 1 2 3 4 5 6 7 8 9 10 12 20 → median (6+7)/2 = 6.5, p90 = 11th of 12 = 12', () => {
    expect(review.figures.timeTo.acknowledge).toMatchObject({ count: 12, medianMinutes: 6.5, p90Minutes: 12 });
    expect(review.figures.timeTo.acknowledge.minutes).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 20]);
  });

  test('contact: 5 10 12 15 18 20 25 28 35 40 → median (18+20)/2 = 19, p90 = 9th of 10 = 35', () => {
    expect(review.figures.timeTo.contact).toMatchObject({ count: 10, medianMinutes: 19, p90Minutes: 35 });
  });

  test('solution: 30 40 45 50 55 58 70 80 90 → median 55, p90 = 9th of 9 = 90', () => {
    expect(review.figures.timeTo.solution).toMatchObject({ count: 9, medianMinutes: 55, p90Minutes: 90 });
  });

  test('resolve: 50 120 200 300 600 1440 2000 → median 300, p90 = 7th of 7 = 2000; open incidents have none yet', () => {
    expect(review.figures.timeTo.resolve).toMatchObject({ count: 7, medianMinutes: 300, p90Minutes: 2000 });
  });

  test('each incident carries the times it was measured from, the same ones its history shows', () => {
    const s1 = review.incidents.find((incident) => incident.id === 'S1')!;
    expect(s1).toMatchObject({ minutesToAcknowledge: 12, minutesToContact: 35, minutesToSolution: 90, minutesToResolve: 2000 });
    const b1 = review.incidents.find((incident) => incident.id === 'B1')!;
    expect(b1).toMatchObject({ minutesToAcknowledge: null, minutesToResolve: null });
  });

  test('an empty set has no median or p90; nearest-rank p90 of ten values is the ninth', () => {
    expect(distribution([])).toMatchObject({ count: 0, medianMinutes: null, p90Minutes: null });
    expect(distribution([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toMatchObject({ medianMinutes: 5.5, p90Minutes: 9 });
  });
});

describe('R-REV-1: deadlines met and missed by kind; escalations', () => {
  test('contact 8 met / 4 missed / 2 pending, solution 7 / 5 / 2, complaint reply 3 / 0 / 2', () => {
    const { byKind, total } = review.figures.deadlines;
    expect(byKind.contact).toEqual({ met: 8, missed: 4, pending: 2 });
    expect(byKind.solution).toEqual({ met: 7, missed: 5, pending: 2 });
    expect(byKind['complaint-reply']).toEqual({ met: 3, missed: 0, pending: 2 });
    expect(total).toEqual({ met: 18, missed: 9, pending: 6 });
  });

  test('escalations: C3 L1; C4, I2, S1 L1+L2; S2 L1+L2+manual → 10 in 5 incidents', () => {
    expect(review.figures.escalations).toEqual({ count: 10, incidents: 5, byLevel: { '1': 5, '2': 4, manual: 1 } });
  });
});

describe('R-REV-2: the most frequent causes, flagging any above the share', () => {
  const complaints = () => review.causes.find((c) => c.category === 'complaint')!;

  test('one hospital behind 3 of 5 complaints (60%) is flagged, whether given by hand or detected', () => {
    const [top] = complaints().causes;
    expect(top).toMatchObject({ key: RUIJIN.key, count: 3, share: 0.6, dominant: true, incidents: ['C1', 'C2', 'C3'] });
    expect(complaints()).toMatchObject({ incidents: 5, withoutCause: 1 });
  });

  test('a disease category at exactly 20% of complaints (1 of 5) is not above the share', () => {
    const oncology = complaints().causes.find((c) => c.label === 'diseaseCategory oncology');
    expect(oncology).toMatchObject({ count: 1, share: 0.2, dominant: false });
  });

  test('the share is configurable: at 70% the hospital is no longer flagged', () => {
    const strict = computeMonthlyReview(NOVEMBER, { month: '2026-11', dominantShare: 0.7 });
    expect(strict.causes.find((c) => c.category === 'complaint')!.causes[0]).toMatchObject({ count: 3, dominant: false });
  });

  test('system incidents count by component; a category without causes says so', () => {
    expect(review.causes.find((c) => c.category === 'system')!.causes).toEqual([
      expect.objectContaining({ key: 'system:claims-query', count: 2, share: 1, dominant: true }),
    ]);
    expect(review.causes.find((c) => c.category === 'info')).toMatchObject({ incidents: 4, withoutCause: 4, causes: [] });
  });
});

describe('R-DET-5: reward candidates', () => {
  test('a latent-risk reporter on a resolved major incident is a candidate; on a minor one, recorded but not', () => {
    expect(review.rewardCandidates).toEqual([
      expect.objectContaining({ incidentId: 'I2', reporter: 'dev-zhao', department: 'technology', eventRef: 'internal-report:IR-2', candidate: false }),
      expect.objectContaining({ incidentId: 'S1', reporter: 'dev-chen', eventRef: 'internal-report:IR-1', candidate: true, deadlinesMissed: 2 }),
    ]);
  });
});

describe('R-REV-4: drills are counted apart, never in the real figures', () => {
  test('the drills section holds the two drills with their own times', () => {
    expect(review.drills.incidents).toEqual(['D1', 'D2']);
    expect(review.drills.figures.total).toBe(2);
    expect(review.drills.figures.byCategory).toEqual({ timeliness: 0, info: 0, complaint: 1, system: 1 });
    // 300 and 500 → median 400: far from the real 6.5, which the drills did not move.
    expect(review.drills.figures.timeTo.acknowledge).toMatchObject({ count: 2, medianMinutes: 400 });
    expect(review.drills.figures.escalations.count).toBe(1);
  });

  test('a drill about the dominant hospital does not add to its count, and a drill reporter is no reward candidate', () => {
    expect(review.causes.find((c) => c.category === 'complaint')!.causes[0]!.incidents).not.toContain('D1');
    expect(review.rewardCandidates.map((c) => c.incidentId)).not.toContain('D2');
  });

  test('without its drills the month reviews the same', () => {
    const withoutDrills = computeMonthlyReview(NOVEMBER.filter((i) => !i.report.drill), { month: '2026-11' });
    expect(withoutDrills.figures).toEqual(review.figures);
    expect(withoutDrills.causes).toEqual(review.causes);
  });
});
