import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCalendarData } from '../../config/calendar';
import { createCalendar, type CalendarData } from '../../domain/calendar';

/** An instant given as Asia/Shanghai wall-clock time (UTC+08:00, no daylight saving since 1991). */
const shanghai = (local: string) => new Date(`${local}+08:00`);

const data = readCalendarData();
const calendar = createCalendar(data);

describe('R-T-CAL shipped mainland-China calendar', () => {
  test('R-T-CAL: covers 2025–2027, with 2027 marked provisional until its notice is published', () => {
    expect(data.years).toEqual([2025, 2026, 2027]);
    expect(data.provisional).toEqual([2027]);
    expect(calendar.timeZone).toBe('Asia/Shanghai');
  });

  test.each([
    ['2025-01-24', true, 'Friday before the break'],
    ['2025-01-25', false, 'Saturday'],
    ['2025-01-26', true, 'Sunday make-up working day'],
    ['2025-01-27', true, 'Monday'],
    ['2025-01-28', false, 'Spring Festival eve'],
    ['2025-01-29', false, 'Spring Festival'],
    ['2025-02-03', false, 'Spring Festival, Monday'],
    ['2025-02-04', false, 'last day of the break, Tuesday'],
    ['2025-02-05', true, 'first day back'],
    ['2025-02-08', true, 'Saturday make-up working day'],
    ['2025-02-09', false, 'Sunday'],
  ])('R-T-CAL: 2025 Spring Festival — %s is working day: %s (%s)', (date, working) => {
    expect(calendar.isWorkingDay(shanghai(`${date}T12:00`))).toBe(working);
  });

  test.each([
    ['2025-09-27', false, 'Saturday'],
    ['2025-09-28', true, 'Sunday make-up working day'],
    ['2025-09-30', true, 'Tuesday before the break'],
    ['2025-10-01', false, 'National Day'],
    ['2025-10-06', false, 'Mid-Autumn, Monday'],
    ['2025-10-08', false, 'last day of the break, Wednesday'],
    ['2025-10-09', true, 'first day back'],
    ['2025-10-11', true, 'Saturday make-up working day'],
    ['2025-10-12', false, 'Sunday'],
  ])('R-T-CAL: 2025 National Day and Mid-Autumn — %s is working day: %s (%s)', (date, working) => {
    expect(calendar.isWorkingDay(shanghai(`${date}T12:00`))).toBe(working);
  });

  test.each([
    ['2026-01-02', false, 'New Year bridge, Friday'],
    ['2026-01-04', true, 'Sunday make-up working day'],
    ['2026-02-14', true, 'Saturday make-up working day'],
    ['2026-02-16', false, 'Spring Festival eve'],
    ['2026-02-23', false, 'last day of the break, Monday'],
    ['2026-02-24', true, 'first day back'],
    ['2026-02-28', true, 'Saturday make-up working day'],
    ['2026-04-06', false, 'Qingming in lieu, Monday'],
    ['2026-05-05', false, 'Labour Day break, Tuesday'],
    ['2026-05-09', true, 'Saturday make-up working day'],
    ['2026-06-19', false, 'Dragon Boat, Friday'],
    ['2026-09-20', true, 'Sunday make-up working day'],
    ['2026-09-25', false, 'Mid-Autumn, Friday'],
    ['2026-10-07', false, 'last day of National Day, Wednesday'],
    ['2026-10-08', true, 'first day back'],
    ['2026-10-10', true, 'Saturday make-up working day'],
  ])('R-T-CAL: 2026 holidays — %s is working day: %s (%s)', (date, working) => {
    expect(calendar.isWorkingDay(shanghai(`${date}T12:00`))).toBe(working);
  });

  test('R-T-CAL: an ordinary weekend is off and the weekdays around it are on', () => {
    expect(calendar.isWorkingDay(shanghai('2025-03-14T12:00'))).toBe(true);
    expect(calendar.isWorkingDay(shanghai('2025-03-15T12:00'))).toBe(false);
    expect(calendar.isWorkingDay(shanghai('2025-03-16T12:00'))).toBe(false);
    expect(calendar.isWorkingDay(shanghai('2025-03-17T12:00'))).toBe(true);
  });
});

describe('R-T-CAL local dates come from the calendar time zone', () => {
  test('R-T-CAL: an instant late in the UTC day is already the next day in Asia/Shanghai', () => {
    // Monday 27 Jan 16:30 UTC is 00:30 on Spring Festival eve in Shanghai.
    const eve = new Date('2025-01-27T16:30:00Z');
    expect(calendar.localDate(eve)).toBe('2025-01-28');
    expect(calendar.isWorkingDay(eve)).toBe(false);
    // Wednesday 8 Oct 16:00 UTC, still a holiday in UTC terms, is the first day back.
    const back = new Date('2025-10-08T16:00:00Z');
    expect(calendar.localDate(back)).toBe('2025-10-09');
    expect(calendar.isWorkingDay(back)).toBe(true);
  });

  test('R-T-CAL: deadlines count from the Shanghai date, not the UTC date', () => {
    // Thu 13 Mar 20:00 UTC is Fri 14 Mar 04:00 in Shanghai: one working day later is Monday.
    expect(calendar.addWorkingDays(new Date('2025-03-13T20:00:00Z'), 1)).toEqual(
      shanghai('2025-03-17T04:00'),
    );
    // Mon 27 Jan 17:00 UTC is 01:00 on the eve (a holiday): due at the end of Wed 5 Feb.
    expect(calendar.addWorkingDays(new Date('2025-01-27T17:00:00Z'), 1)).toEqual(
      shanghai('2025-02-06T00:00'),
    );
  });

  test("R-T-CAL: answers do not depend on the machine's time zone", () => {
    const original = process.env.TZ;
    const from = shanghai('2025-01-21T10:00');
    const expected = calendar.addWorkingDays(from, 15);
    try {
      process.env.TZ = 'America/Los_Angeles';
      expect(calendar.localDate(new Date('2025-01-27T16:30:00Z'))).toBe('2025-01-28');
      expect(calendar.addWorkingDays(from, 15)).toEqual(expected);
      process.env.TZ = 'Pacific/Kiritimati';
      expect(createCalendar(data).addWorkingDays(from, 15)).toEqual(expected);
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });

  test('R-T-CAL: another time zone decides the day by its own clock and keeps local time across DST', () => {
    const newYork = createCalendar(data, 'America/New_York');
    expect(newYork.timeZone).toBe('America/New_York');
    // 28 Jan 03:00 UTC is a Shanghai holiday but still Monday evening in New York.
    const instant = new Date('2025-01-28T03:00:00Z');
    expect(newYork.localDate(instant)).toBe('2025-01-27');
    expect(newYork.isWorkingDay(instant)).toBe(true);
    expect(calendar.isWorkingDay(instant)).toBe(false);
    // Fri 7 Mar 10:00 EST (UTC-5) + 1 working day = Mon 10 Mar 10:00 EDT (UTC-4), clocks having
    // moved on Sunday: the same wall-clock time, not the same offset.
    expect(newYork.addWorkingDays(new Date('2025-03-07T15:00:00Z'), 1)).toEqual(
      new Date('2025-03-10T14:00:00Z'),
    );
  });
});

describe('R-T-CAL addWorkingDays', () => {
  test('R-T-CAL: a complaint raised Tue 10:00 before Spring Festival is due 15 working days later at 10:00', () => {
    // Working days counted: 22, 23, 24, Sun 26 (make-up), 27 Jan; 5, 6, 7, Sat 8 (make-up),
    // 10–14 Feb; Mon 17 Feb is the 15th. Weekends alone would give Tue 11 Feb.
    expect(calendar.addWorkingDays(shanghai('2025-01-21T10:00'), 15)).toEqual(
      shanghai('2025-02-17T10:00'),
    );
  });

  test('R-T-CAL: 15 working days across the 2025 National Day break use both make-up days', () => {
    // 24, 25, 26, Sun 28 (make-up), 29, 30 Sep; 9, 10, Sat 11 (make-up), 13–17 Oct; Mon 20 Oct.
    expect(calendar.addWorkingDays(shanghai('2025-09-23T10:00'), 15)).toEqual(
      shanghai('2025-10-20T10:00'),
    );
  });

  test('R-T-CAL: 15 working days across the 2026 Spring Festival', () => {
    // 11, 12, 13, Sat 14 (make-up) Feb; 24–27 Feb, Sat 28 (make-up); 2–6 Mar; Mon 9 Mar.
    expect(calendar.addWorkingDays(shanghai('2026-02-10T10:00'), 15)).toEqual(
      shanghai('2026-03-09T10:00'),
    );
  });

  test('R-T-CAL: counting crosses the year boundary into the New Year holiday and its make-up Sunday', () => {
    const friday = shanghai('2025-12-26T15:00');
    expect(calendar.addWorkingDays(friday, 3)).toEqual(shanghai('2025-12-31T15:00'));
    expect(calendar.addWorkingDays(friday, 4)).toEqual(shanghai('2026-01-04T15:00'));
    // Into the provisional 2027 data: 1 Jan 2027 is a Friday holiday.
    expect(calendar.addWorkingDays(shanghai('2026-12-31T09:00'), 1)).toEqual(
      shanghai('2027-01-04T09:00'),
    );
  });

  test('R-T-CAL: raised on a non-working day, the deadline is the end of the n-th working day', () => {
    // Saturday before Spring Festival: the next working day is the make-up Sunday.
    expect(calendar.addWorkingDays(shanghai('2025-01-25T15:00'), 1)).toEqual(
      shanghai('2025-01-27T00:00'),
    );
    // During the break: working days resume on Wed 5 Feb.
    expect(calendar.addWorkingDays(shanghai('2025-01-31T11:00'), 1)).toEqual(
      shanghai('2025-02-06T00:00'),
    );
    expect(calendar.addWorkingDays(shanghai('2025-01-31T11:00'), 15)).toEqual(
      shanghai('2025-02-25T00:00'),
    );
    // Saturday 23:00 still gets all of Monday, not Monday 23:00.
    expect(calendar.addWorkingDays(shanghai('2025-03-15T23:00'), 1)).toEqual(
      shanghai('2025-03-18T00:00'),
    );
  });

  test('R-T-CAL: the deadline never moves earlier as the start moves later over a weekend', () => {
    const starts = ['2025-03-14T23:59', '2025-03-15T00:00', '2025-03-16T23:59', '2025-03-17T00:00'];
    const due = starts.map((start) => calendar.addWorkingDays(shanghai(start), 1).getTime());
    expect(due).toEqual([...due].sort((a, b) => a - b));
    expect(new Date(due[2] ?? NaN)).toEqual(shanghai('2025-03-18T00:00'));
    expect(new Date(due[3] ?? NaN)).toEqual(shanghai('2025-03-18T00:00'));
  });

  test('R-T-CAL: zero working days is the start itself; negative, fractional or invalid input is refused', () => {
    const holiday = shanghai('2025-10-03T09:30');
    expect(calendar.addWorkingDays(holiday, 0)).toEqual(holiday);
    expect(() => calendar.addWorkingDays(holiday, -1)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays(holiday, 1.5)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays(new Date(Number.NaN), 1)).toThrow(RangeError);
  });
});

describe('R-T-CAL workingDaysBetween', () => {
  test('R-T-CAL: a payout decided before Spring Festival is late from the 15th working day on', () => {
    const decision = shanghai('2025-01-21T10:00');
    expect(calendar.workingDaysBetween(decision, shanghai('2025-02-17T09:59'))).toBe(14);
    expect(calendar.workingDaysBetween(decision, shanghai('2025-02-17T10:00'))).toBe(15);
    expect(calendar.workingDaysBetween(decision, shanghai('2025-02-17T23:00'))).toBe(15);
    expect(calendar.workingDaysBetween(decision, shanghai('2025-02-18T10:00'))).toBe(16);
  });

  test('R-T-CAL: holidays and weekends elapse without counting', () => {
    expect(
      calendar.workingDaysBetween(shanghai('2025-09-30T18:00'), shanghai('2025-10-08T23:00')),
    ).toBe(0);
    expect(
      calendar.workingDaysBetween(shanghai('2025-09-30T18:00'), shanghai('2025-10-09T18:00')),
    ).toBe(1);
  });

  test('R-T-CAL: from a non-working day a working day counts once it has fully passed', () => {
    const saturday = shanghai('2025-03-15T15:00');
    expect(calendar.workingDaysBetween(saturday, shanghai('2025-03-17T23:59'))).toBe(0);
    expect(calendar.workingDaysBetween(saturday, shanghai('2025-03-18T00:00'))).toBe(1);
  });

  test('R-T-CAL: nothing has elapsed when the end is not after the start', () => {
    const from = shanghai('2025-06-10T10:00');
    expect(calendar.workingDaysBetween(from, from)).toBe(0);
    expect(calendar.workingDaysBetween(from, shanghai('2025-06-03T10:00'))).toBe(0);
    expect(calendar.workingDaysBetween(from, shanghai('2025-06-10T17:00'))).toBe(0);
  });

  test('R-T-CAL: "late" agrees with the deadline for any start, including holidays and make-up days', () => {
    const step = 7 * 3_600_000 + 13 * 60_000; // 7 h 13 min walks through every hour of the day
    for (let at = shanghai('2025-01-20T00:00').getTime(); at < shanghai('2026-03-10T00:00').getTime(); at += step) {
      const from = new Date(at);
      for (const days of [1, 3, 15]) {
        const due = calendar.addWorkingDays(from, days);
        expect(calendar.workingDaysBetween(from, due)).toBe(days);
        expect(calendar.workingDaysBetween(from, new Date(due.getTime() - 1))).toBe(days - 1);
      }
    }
  });
});

describe('R-T-CAL calendar data validation', () => {
  let directory: string;
  const valid: CalendarData = {
    years: [2025],
    holidays: ['2025-01-01', '2025-01-28'],
    workdays: ['2025-01-26'],
  };
  const writeCalendar = (content: unknown): string => {
    const file = path.join(directory, 'calendar.json');
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'working-days-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  test('R-T-CAL: a valid file loads', () => {
    expect(readCalendarData(writeCalendar(valid))).toEqual(valid);
  });

  test.each([
    ['a weekday listed as a make-up working day', { workdays: ['2025-02-07'] }, /workdays\[0\]: 2025-02-07 is a weekday/],
    ['a date that does not exist', { holidays: ['2025-01-01', '2025-02-30'] }, /holidays\[1\]: must be an existing date/],
    ['a date not written YYYY-MM-DD', { holidays: ['2025-1-1'] }, /holidays\[0\]: must be an existing date/],
    ['a date both off and on', { workdays: ['2025-02-08'], holidays: ['2025-02-08'] }, /workdays\[0\]: 2025-02-08 is listed both/],
    ['a date outside the declared years', { holidays: ['2026-01-01'] }, /holidays\[0\]: 2026-01-01 lies outside years/],
    ['a provisional year that is not covered', { provisional: [2027] }, /provisional\[0\]: 2027 is not one of years/],
    ['a missing list', { workdays: undefined }, /workdays: /],
  ])('R-T-CAL: a file with %s is refused, naming the file and the field', (_, change, message) => {
    const file = writeCalendar({ ...valid, ...change });
    expect(() => readCalendarData(file)).toThrow(message);
    expect(() => readCalendarData(file)).toThrow(file);
  });

  test('R-T-CAL: unreadable or malformed files are refused, naming the file', () => {
    const broken = writeCalendar('{ "holidays": [');
    expect(() => readCalendarData(broken)).toThrow(`Calendar file ${broken} could not be read as JSON`);
    const missing = path.join(directory, 'missing.json');
    expect(() => readCalendarData(missing)).toThrow(missing);
  });

  test('R-T-CAL: a calendar refuses malformed dates and unknown time zones', () => {
    expect(() => createCalendar({ holidays: ['2025-13-01'], workdays: [] })).toThrow(RangeError);
    expect(() => createCalendar(valid, 'Asia/Nowhere')).toThrow(RangeError);
  });
});
