import { z } from 'zod';
import { LINES, type Line } from './types';

/**
 * Who is on call for each line (R-LINE-1, R-LINE-2, R-LINE-3, R-LINE-MGMT) and how each person
 * wants to be reached. The roster file is parsed once at start-up (`parseRoster`) and passed
 * down; `whoIsOnCall` and `onCallNow` are pure functions of the roster and an instant, so the
 * same question always gets the same answer whatever the machine's own time zone is.
 */

/** The ways a person can be paged; a closed set. */
export const CHANNELS = ['email', 'sms', 'voice'] as const;
export type Channel = (typeof CHANNELS)[number];

/** E.164: a plus, a country code and up to 15 digits in all, no separators. */
const E164 = /^\+[1-9]\d{6,14}$/;
const HOUR_MINUTE = /^([01]\d|2[0-3]):[0-5]\d$/;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function isCalendarDate(value: string): boolean {
  const match = CALENDAR_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** One step of a person's own notification plan: "SMS at once, a call after 2 minutes". */
const notificationRuleSchema = z
  .object({
    channel: z.enum(CHANNELS),
    /** Minutes after the page starts, if it is still not acknowledged. */
    afterMinutes: z.number().min(0),
  })
  .strict();

const personSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    email: z.email().optional(),
    mobile: z.string().regex(E164, 'must be an E.164 number such as +8613800000000').optional(),
    rules: z.array(notificationRuleSchema).min(1),
  })
  .strict();

const overrideSchema = z
  .object({
    personId: z.string().min(1),
    /** Start of the cover, inclusive; an ISO 8601 instant with its offset. */
    from: z.iso.datetime({ offset: true }),
    /** End of the cover, exclusive. */
    to: z.iso.datetime({ offset: true }),
  })
  .strict();

const scheduleSchema = z
  .object({
    /** Optional label for people reading the roster ("claims day rota"). */
    name: z.string().min(1).optional(),
    /** The IANA zone the hand-off time is read in (R-T-CAL: Asia/Shanghai by default). */
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
    /** When the rotation moves to the next participant each week, in `timeZone`. */
    handoff: z
      .object({
        /** ISO weekday: 1 is Monday, 7 is Sunday. */
        weekday: z.number().int().min(1).max(7),
        time: z.string().regex(HOUR_MINUTE, 'must be HH:MM (24-hour)'),
      })
      .strict(),
    /**
     * The rotation's anchor: the first hand-off on or after this date (in `timeZone`) starts
     * participant 0's week. Before that instant the rotation has no one on call.
     */
    start: z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD'),
    participants: z.array(z.string().min(1)).min(1),
    /** Temporary cover; an active override wins over the rotation (the latest listed wins among several). */
    overrides: z.array(overrideSchema).default([]),
  })
  .strict();

const teamSchema = z
  .object({
    schedules: z.array(scheduleSchema).min(1),
  })
  .strict();

export const rosterSchema = z
  .object({
    people: z.array(personSchema).min(1),
    /** One team per line; every line must be covered so no page goes to no one (R-LINE-MGMT). */
    teams: z.record(z.enum(LINES), teamSchema),
  })
  .strict()
  .superRefine((roster, ctx) => {
    const known = new Set<string>();
    roster.people.forEach((person, index) => {
      if (known.has(person.id)) {
        ctx.addIssue({ code: 'custom', path: ['people', index, 'id'], message: `duplicate person id '${person.id}'` });
      }
      known.add(person.id);
      person.rules.forEach((rule, ruleIndex) => {
        const missing = rule.channel === 'email' ? person.email === undefined : person.mobile === undefined;
        if (missing) {
          ctx.addIssue({
            code: 'custom',
            path: ['people', index, 'rules', ruleIndex, 'channel'],
            message: `rule uses ${rule.channel} but person '${person.id}' has no ${rule.channel === 'email' ? 'email' : 'mobile'}`,
          });
        }
      });
    });
    for (const line of LINES) {
      roster.teams[line]?.schedules.forEach((schedule, s) => {
        schedule.participants.forEach((personId, p) => {
          if (!known.has(personId)) {
            ctx.addIssue({
              code: 'custom',
              path: ['teams', line, 'schedules', s, 'participants', p],
              message: `unknown person id '${personId}'`,
            });
          }
        });
        schedule.overrides.forEach((override, o) => {
          if (!known.has(override.personId)) {
            ctx.addIssue({
              code: 'custom',
              path: ['teams', line, 'schedules', s, 'overrides', o, 'personId'],
              message: `unknown person id '${override.personId}'`,
            });
          }
          if (Date.parse(override.to) <= Date.parse(override.from)) {
            ctx.addIssue({
              code: 'custom',
              path: ['teams', line, 'schedules', s, 'overrides', o, 'to'],
              message: 'must be after from',
            });
          }
        });
      });
    }
  });

export type Roster = z.infer<typeof rosterSchema>;
export type Person = Roster['people'][number];
export type NotificationRule = Person['rules'][number];
export type Team = Roster['teams'][Line];
export type RotationSchedule = Team['schedules'][number];
export type ScheduleOverride = RotationSchedule['overrides'][number];

/** Parses a roster document (already JSON-decoded), naming each bad field by its path. */
export function parseRoster(input: unknown): Roster {
  const result = rosterSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid roster: ${problems.join('; ')}`);
  }
  return result.data;
}

/** The person with this id, if the roster has one. */
export function findPerson(roster: Roster, personId: string): Person | undefined {
  return roster.people.find((person) => person.id === personId);
}

/** One person on call, and the instant until which that answer is certain. */
export interface OnCall {
  personId: string;
  /**
   * The next hand-off or override boundary: the answer holds for the half-open interval
   * [at, until) and must be asked again at `until` (the same person may well continue).
   */
  until: Date;
}

/**
 * Who is on call for `team` at `at`: one entry per person, from every schedule of the team.
 * In each schedule an active override wins; otherwise participant
 * `floor(weeks since the anchor hand-off) mod n` is on. A person on call through several
 * schedules appears once, with the latest `until`. Empty when no schedule has anyone yet.
 */
export function whoIsOnCall(roster: Roster, team: Line, at: Date): OnCall[] {
  const byPerson = new Map<string, OnCall>();
  for (const schedule of roster.teams[team]?.schedules ?? []) {
    const onCall = scheduleOnCall(schedule, at);
    if (!onCall) continue;
    const seen = byPerson.get(onCall.personId);
    if (!seen || seen.until < onCall.until) byPerson.set(onCall.personId, onCall);
  }
  return [...byPerson.values()];
}

/** `whoIsOnCall` for every line at once. */
export function onCallNow(roster: Roster, at: Date): Record<Line, OnCall[]> {
  return Object.fromEntries(LINES.map((line) => [line, whoIsOnCall(roster, line, at)])) as Record<Line, OnCall[]>;
}

/** The answer of one schedule, or undefined before its anchor with no override active. */
export function scheduleOnCall(schedule: RotationSchedule, at: Date): OnCall | undefined {
  const instant = at.getTime();
  const handoffMinutes = minutesOfDay(schedule.handoff.time);
  const zone = schedule.timeZone;

  // The last hand-off at or before `at`: a hand-off at exactly `at` already belongs to the new week.
  const today = localDay(instant, zone);
  let handoffDay = today - ((isoWeekday(today) - schedule.handoff.weekday + 7) % 7);
  if (zonedInstant(handoffDay, handoffMinutes, zone) > instant) handoffDay -= 7;
  const nextHandoff = zonedInstant(handoffDay + 7, handoffMinutes, zone);

  const boundaries = [nextHandoff];
  let cover: ScheduleOverride | undefined;
  for (const override of schedule.overrides) {
    const from = Date.parse(override.from);
    const to = Date.parse(override.to);
    if (from > instant) boundaries.push(from);
    if (to > instant) boundaries.push(to);
    if (from <= instant && instant < to) cover = override;
  }

  const startDay = dayNumber(schedule.start);
  const anchorDay = startDay + ((schedule.handoff.weekday - isoWeekday(startDay) + 7) % 7);
  const anchor = zonedInstant(anchorDay, handoffMinutes, zone);
  if (anchor > instant) boundaries.push(anchor);
  const until = new Date(Math.min(...boundaries));

  if (cover) return { personId: cover.personId, until };
  if (handoffDay < anchorDay) return undefined;
  const weeks = (handoffDay - anchorDay) / 7;
  const personId = schedule.participants[weeks % schedule.participants.length];
  return personId === undefined ? undefined : { personId, until };
}

// ——— civil-time arithmetic through Intl (never the machine's own zone) ———

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

function minutesOfDay(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` civil date. */
function dayNumber(date: string): number {
  const [year, month, day] = date.split('-').map(Number);
  return Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1) / DAY_MS;
}

/** ISO weekday (1 Monday … 7 Sunday) of a day number; 1970-01-01 was a Thursday. */
function isoWeekday(day: number): number {
  return (((day + 3) % 7) + 7) % 7 + 1;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock reading in `timeZone` of an instant, expressed as if it were UTC milliseconds (one cached formatter per zone). */
export function wallClock(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
function offsetAt(instant: number, timeZone: string): number {
  const wholeSeconds = Math.floor(instant / 1000) * 1000;
  return wallClock(wholeSeconds, timeZone) - wholeSeconds;
}

/** The local civil day (as a day number) of an instant. */
function localDay(instant: number, timeZone: string): number {
  return Math.floor((instant + offsetAt(instant, timeZone)) / DAY_MS);
}

/**
 * The instant at which the wall clock in `timeZone` reads `minutes` past midnight on `day`.
 * Two passes settle the offset across a DST change; a time skipped by a spring-forward gap
 * resolves to the instant just after the gap.
 */
function zonedInstant(day: number, minutes: number, timeZone: string): number {
  const wall = day * DAY_MS + minutes * MINUTE_MS;
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  return second === first ? first : Math.max(first, second);
}
