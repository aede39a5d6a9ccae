import { z } from 'zod';

/**
 * R-T-CAL: the working-day calendar. "Working days" follow the mainland-China calendar —
 * weekends and public holidays are off, make-up working days (调休) are on — counted in a
 * time zone (Asia/Shanghai by default). Deadlines such as "investigation within 15 working
 * days" (R-T-COMPLAINT) and "payout late after 15 working days" (R-CAT-TIME) are computed here.
 *
 * Pure: no I/O, no clock, no Node built-ins, so workflows may import it. The holiday data is
 * read and validated at start-up by `config/calendar.ts` and handed in.
 */

/** The holiday data a calendar is built from; every date is a local date, `YYYY-MM-DD`. */
export interface CalendarData {
  /** Days off: public holidays and the days bridged to them (weekend days in a block may be listed). */
  holidays: string[];
  /** Make-up working days (调休): Saturdays or Sundays that are worked. */
  workdays: string[];
  /**
   * The years the data covers. Outside them the calendar knows no holidays and counts
   * Monday–Friday only, so a deployment must add each year once it is announced.
   */
  years?: number[];
  /** Covered years whose dates are not yet official (derived, to be replaced by a notice). */
  provisional?: number[];
}

/** A year and a local date `YYYY-MM-DD` that exists in the Gregorian calendar. */
const yearSchema = z.number().int().min(1900).max(2999);
const localDateSchema = z.string().refine((value) => parseLocalDate(value) !== undefined, {
  error: (issue) => `must be an existing date YYYY-MM-DD, got ${JSON.stringify(issue.input)}`,
});

/**
 * Validates holiday data, including the consistency a typo would break: a make-up working day
 * must fall on a weekend (a weekday is a working day anyway), no date may be both a holiday and
 * a make-up working day, and when `years` is given every date must lie in one of them.
 */
export const calendarDataSchema = z
  .object({
    name: z.string().optional(),
    source: z.string().optional(),
    notes: z.array(z.string()).optional(),
    years: z.array(yearSchema).min(1).optional(),
    provisional: z.array(yearSchema).optional(),
    holidays: z.array(localDateSchema),
    workdays: z.array(localDateSchema),
  })
  .superRefine((data, ctx) => {
    const holidays = new Set(data.holidays);
    const years = data.years === undefined ? undefined : new Set(data.years);
    const report = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const checkYear = (date: string, path: (string | number)[]) => {
      if (years !== undefined && !years.has(Number(date.slice(0, 4)))) {
        report(path, `${date} lies outside years [${data.years?.join(', ')}]`);
      }
    };
    data.holidays.forEach((date, index) => checkYear(date, ['holidays', index]));
    data.workdays.forEach((date, index) => {
      const path = ['workdays', index];
      checkYear(date, path);
      const day = parseLocalDate(date);
      if (day !== undefined && !isWeekend(day)) {
        report(path, `${date} is a weekday; a make-up working day (调休) is a Saturday or Sunday`);
      }
      if (holidays.has(date)) {
        report(path, `${date} is listed both as a holiday and as a make-up working day`);
      }
    });
    data.provisional?.forEach((provisionalYear, index) => {
      if (years === undefined || !years.has(provisionalYear)) {
        report(['provisional', index], `${provisionalYear} is not one of years`);
      }
    });
  });

/** Working-day arithmetic in one time zone, over one set of holiday data (R-T-CAL). */
export interface WorkingCalendar {
  /** IANA time zone whose local dates decide what a "day" is. */
  timeZone: string;
  /** Whether the local date of `at` is a working day. */
  isWorkingDay(at: Date): boolean;
  /**
   * The deadline `days` working days after `from`.
   *
   * - `from` on a working day: the same local time of day on the `days`-th working day after
   *   `from`'s local date (raised Tue 10:00, 15 working days → 10:00 on the 15th working day).
   *   Every working day in between is counted whole.
   * - `from` on a non-working day: the end (24:00 local, i.e. the next local midnight) of the
   *   `days`-th working day after `from`'s local date. Nothing can be worked on a day off, so
   *   the clock starts when the next working day starts and runs `days` whole working days;
   *   keeping the time of day instead would hand a case raised Saturday 23:00 a deadline of
   *   Monday 23:00, short of one full working day. The rule also makes the deadline never move
   *   earlier when `from` moves later: Sunday 23:59 and Monday 00:00 both give Tuesday 00:00.
   * - `days` = 0 returns `from` unchanged.
   *
   * A local time that does not exist on the target date (a daylight-saving gap, in zones that
   * have one) moves forward by the gap; an ambiguous one takes its earlier instant.
   *
   * @throws RangeError when `days` is not a non-negative integer or `from` is an invalid Date.
   */
  addWorkingDays(from: Date, days: number): Date;
  /**
   * Whole working days elapsed from `from` to `to`: the largest n with
   * `addWorkingDays(from, n) <= to`, and 0 when `to` is not after `from`. The deadline instant
   * itself counts, so "late after 15 working days" is `workingDaysBetween(decision, now) >= 15`,
   * which holds exactly from `addWorkingDays(decision, 15)` on.
   *
   * @throws RangeError when either Date is invalid.
   */
  workingDaysBetween(from: Date, to: Date): number;
  /** The local date of `at` in `timeZone`, `YYYY-MM-DD`. */
  localDate(at: Date): string;
}

/**
 * Builds a calendar over `data` in `timeZone`. A day is a working day when it is Monday–Friday
 * and not a holiday, or when it is listed as a make-up working day. Local dates come from
 * `Intl.DateTimeFormat` in `timeZone`, never from the machine's zone or a fixed offset.
 *
 * @throws RangeError for an unknown time zone or a date in `data` that is not `YYYY-MM-DD`.
 */
export function createCalendar(data: CalendarData, timeZone = 'Asia/Shanghai'): WorkingCalendar {
  const zone = new ZoneClock(timeZone);
  const holidays = new Set(data.holidays.map(requireLocalDate));
  const workdays = new Set(data.workdays.map(requireLocalDate));
  const isWorkingDayNumber = (day: number): boolean =>
    workdays.has(day) || (!isWeekend(day) && !holidays.has(day));

  const addWorkingDays = (from: Date, days: number): Date => {
    requireValid(from);
    if (!Number.isInteger(days) || days < 0) {
      throw new RangeError(`working days must be a non-negative integer, got ${days}`);
    }
    if (days === 0) return new Date(from.getTime());
    const start = zone.wallClock(from.getTime());
    let day = start.day;
    for (let counted = 0; counted < days; ) {
      day += 1;
      if (isWorkingDayNumber(day)) counted += 1;
    }
    return isWorkingDayNumber(start.day)
      ? new Date(zone.instantAt(day, start.msOfDay))
      : new Date(zone.instantAt(day + 1, 0));
  };

  return {
    timeZone,
    isWorkingDay: (at) => isWorkingDayNumber(zone.wallClock(requireValid(at)).day),
    addWorkingDays,
    workingDaysBetween(from, to) {
      const fromMs = requireValid(from);
      const toMs = requireValid(to);
      if (toMs <= fromMs) return 0;
      const toDay = zone.wallClock(toMs).day;
      // Every working day after from's date up to to's date is a candidate; the last one
      // counts only once its deadline instant has been reached.
      let elapsed = 0;
      for (let day = zone.wallClock(fromMs).day + 1; day <= toDay; day += 1) {
        if (isWorkingDayNumber(day)) elapsed += 1;
      }
      while (elapsed > 0 && addWorkingDays(from, elapsed).getTime() > toMs) elapsed -= 1;
      return elapsed;
    },
    localDate: (at) => formatDayNumber(zone.wallClock(requireValid(at)).day),
  };
}

const DAY_MS = 86_400_000;

/** Local wall-clock reading of an instant: the civil date as a day number, and the time of day. */
interface WallClock {
  /** Days since 1970-01-01 in the proleptic Gregorian calendar. */
  day: number;
  msOfDay: number;
}

/** Converts between instants and wall-clock readings in one IANA time zone. */
class ZoneClock {
  private readonly formatter: Intl.DateTimeFormat;

  constructor(timeZone: string) {
    this.formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  wallClock(epochMs: number): WallClock {
    const wallMs = this.wallMs(epochMs);
    const day = Math.floor(wallMs / DAY_MS);
    return { day, msOfDay: wallMs - day * DAY_MS };
  }

  /**
   * The instant at which the local clock reads `msOfDay` on `day`. Where the reading occurs
   * twice the earlier instant wins; where it never occurs it moves forward by the gap.
   */
  instantAt(day: number, msOfDay: number): number {
    const wall = day * DAY_MS + msOfDay;
    const offsetBefore = this.offset(wall - DAY_MS);
    const offsetAfter = this.offset(wall + DAY_MS);
    const candidates = [wall - offsetBefore, wall - offsetAfter];
    const matches = candidates.filter((at) => this.wallMs(at) === wall);
    return matches.length > 0 ? Math.min(...matches) : wall - offsetBefore;
  }

  /** Local wall-clock time as milliseconds since 1970-01-01T00:00 local. */
  private wallMs(epochMs: number): number {
    const field = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.formatter.formatToParts(epochMs)) {
      if (part.type in field) field[part.type as keyof typeof field] = Number(part.value);
    }
    const subSecondMs = ((epochMs % 1000) + 1000) % 1000;
    const day = dayNumberFromCivil(field.year, field.month, field.day);
    const secondOfDay = (field.hour * 60 + field.minute) * 60 + field.second;
    return day * DAY_MS + secondOfDay * 1000 + subSecondMs;
  }

  /** Local time minus UTC at `epochMs`, in milliseconds. */
  private offset(epochMs: number): number {
    return this.wallMs(epochMs) - epochMs;
  }
}

function requireValid(at: Date): number {
  const epochMs = at.getTime();
  if (Number.isNaN(epochMs)) throw new RangeError('Invalid Date');
  return epochMs;
}

function requireLocalDate(date: string): number {
  const day = parseLocalDate(date);
  if (day === undefined) {
    throw new RangeError(`calendar date must be an existing YYYY-MM-DD: ${JSON.stringify(date)}`);
  }
  return day;
}

/** The day number of `YYYY-MM-DD`, or undefined when it is malformed or does not exist. */
function parseLocalDate(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const dayNumber = dayNumberFromCivil(year, month, day);
  return formatDayNumber(dayNumber) === date ? dayNumber : undefined;
}

function isWeekend(day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return weekday === 0 || weekday === 6;
}

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function dayNumberFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const leapDays = Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100);
  const dayOfEra = yearOfEra * 365 + leapDays + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function formatDayNumber(dayNumber: number): string {
  const date = new Date(dayNumber * DAY_MS);
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${year}-${month}-${day}`;
}
