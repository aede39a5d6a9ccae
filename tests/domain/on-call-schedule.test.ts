import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onCallNow, parseRoster, whoIsOnCall, type Roster } from '../../domain/roster';
import { LINES } from '../../domain/types';

/** A roster where every line has the given schedules (people a, b, c exist). */
function rosterWith(schedules: unknown[], extraPeople: unknown[] = []): Roster {
  const person = (id: string) => ({
    id,
    name: `Person ${id.toUpperCase()}`,
    mobile: '+8613800000000',
    rules: [{ channel: 'sms', afterMinutes: 0 }],
  });
  return parseRoster({
    people: [person('a'), person('b'), person('c'), ...extraPeople],
    teams: Object.fromEntries(LINES.map((line) => [line, { schedules }])),
  });
}

const weekly = {
  handoff: { weekday: 1, time: '09:00' },
  start: '2025-01-06', // a Monday
  participants: ['a', 'b', 'c'],
};

/** 09:00 on a Monday in Asia/Shanghai is 01:00 UTC. */
const at = (iso: string) => new Date(iso);

describe('weekly rotation (R-LINE-*)', () => {
  const roster = rosterWith([weekly]);

  it('moves to the next participant each week and wraps around', () => {
    expect(whoIsOnCall(roster, 'claims', at('2025-01-08T12:00:00+08:00'))).toEqual([
      { personId: 'a', until: at('2025-01-13T09:00:00+08:00') },
    ]);
    expect(whoIsOnCall(roster, 'claims', at('2025-01-15T12:00:00+08:00'))[0]?.personId).toBe('b');
    expect(whoIsOnCall(roster, 'claims', at('2025-01-22T12:00:00+08:00'))[0]?.personId).toBe('c');
    expect(whoIsOnCall(roster, 'claims', at('2025-01-29T12:00:00+08:00'))[0]?.personId).toBe('a');
    // 52 weeks after the anchor: 52 mod 3 = 1.
    expect(whoIsOnCall(roster, 'claims', at('2026-01-07T12:00:00+08:00'))[0]?.personId).toBe('b');
  });

  it.each(['UTC', 'America/Los_Angeles', 'Asia/Shanghai'])(
    'hands off at exactly 09:00 Asia/Shanghai, with the machine set to %s',
    (machineZone) => {
      const saved = process.env.TZ;
      process.env.TZ = machineZone; // Node re-reads TZ on assignment
      try {
        const justBefore = at('2025-01-13T00:59:59.999Z');
        const handoff = at('2025-01-13T01:00:00.000Z');
        expect(whoIsOnCall(roster, 'claims', justBefore)).toEqual([{ personId: 'a', until: handoff }]);
        expect(whoIsOnCall(roster, 'claims', handoff)).toEqual([
          { personId: 'b', until: at('2025-01-20T01:00:00.000Z') },
        ]);
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    },
  );

  it('has no one on call before the first hand-off on or after the start date', () => {
    const late = rosterWith([{ ...weekly, start: '2025-01-08' }]); // a Wednesday: first hand-off Mon 13th
    expect(whoIsOnCall(late, 'claims', at('2025-01-10T12:00:00+08:00'))).toEqual([]);
    expect(whoIsOnCall(late, 'claims', at('2025-01-13T09:00:00+08:00'))).toEqual([
      { personId: 'a', until: at('2025-01-20T09:00:00+08:00') },
    ]);
  });

  it('reads the hand-off time in the schedule time zone, across a DST change', () => {
    const newYork = rosterWith([
      { timeZone: 'America/New_York', handoff: { weekday: 7, time: '09:00' }, start: '2025-03-02', participants: ['a', 'b'] },
    ]);
    // Sunday 2 March is EST (UTC-5); Sunday 9 March is the first EDT day (UTC-4).
    expect(whoIsOnCall(newYork, 'technology', at('2025-03-05T00:00:00Z'))).toEqual([
      { personId: 'a', until: at('2025-03-09T13:00:00Z') },
    ]);
    expect(whoIsOnCall(newYork, 'technology', at('2025-03-09T12:59:59Z'))[0]?.personId).toBe('a');
    expect(whoIsOnCall(newYork, 'technology', at('2025-03-09T13:00:00Z'))).toEqual([
      { personId: 'b', until: at('2025-03-16T13:00:00Z') },
    ]);
  });
});

describe('overrides', () => {
  it('win while active, and bound `until` by their end', () => {
    const roster = rosterWith([
      { ...weekly, overrides: [{ personId: 'c', from: '2025-01-08T18:00:00+08:00', to: '2025-01-09T09:00:00+08:00' }] },
    ]);
    expect(whoIsOnCall(roster, 'claims', at('2025-01-08T17:59:00+08:00'))).toEqual([
      { personId: 'a', until: at('2025-01-08T18:00:00+08:00') },
    ]);
    expect(whoIsOnCall(roster, 'claims', at('2025-01-08T18:00:00+08:00'))).toEqual([
      { personId: 'c', until: at('2025-01-09T09:00:00+08:00') },
    ]);
    expect(whoIsOnCall(roster, 'claims', at('2025-01-09T09:00:00+08:00'))).toEqual([
      { personId: 'a', until: at('2025-01-13T09:00:00+08:00') },
    ]);
  });

  it('cover across a hand-off, then the rotation resumes with the right week', () => {
    const roster = rosterWith([
      { ...weekly, overrides: [{ personId: 'c', from: '2025-01-10T00:00:00+08:00', to: '2025-01-15T00:00:00+08:00' }] },
    ]);
    expect(whoIsOnCall(roster, 'claims', at('2025-01-12T12:00:00+08:00'))).toEqual([
      { personId: 'c', until: at('2025-01-13T09:00:00+08:00') },
    ]);
    expect(whoIsOnCall(roster, 'claims', at('2025-01-13T12:00:00+08:00'))).toEqual([
      { personId: 'c', until: at('2025-01-15T00:00:00+08:00') },
    ]);
    expect(whoIsOnCall(roster, 'claims', at('2025-01-15T00:00:00+08:00'))[0]?.personId).toBe('b');
  });

  it('let the latest listed override win when several overlap, even someone outside the rotation', () => {
    const roster = rosterWith(
      [
        {
          ...weekly,
          overrides: [
            { personId: 'b', from: '2025-01-07T00:00:00+08:00', to: '2025-01-10T00:00:00+08:00' },
            { personId: 'stand-in', from: '2025-01-08T00:00:00+08:00', to: '2025-01-09T00:00:00+08:00' },
          ],
        },
      ],
      [{ id: 'stand-in', name: 'Stand-in', email: 'stand.in@example.com', rules: [{ channel: 'email', afterMinutes: 0 }] }],
    );
    expect(whoIsOnCall(roster, 'claims', at('2025-01-08T12:00:00+08:00'))).toEqual([
      { personId: 'stand-in', until: at('2025-01-09T00:00:00+08:00') },
    ]);
    expect(whoIsOnCall(roster, 'claims', at('2025-01-09T12:00:00+08:00'))).toEqual([
      { personId: 'b', until: at('2025-01-10T00:00:00+08:00') },
    ]);
  });
});

describe('several schedules per team', () => {
  it('pages everyone on call once, keeping the latest until', () => {
    const roster = rosterWith([
      weekly,
      { handoff: { weekday: 3, time: '10:00' }, start: '2025-01-01', participants: ['b', 'a'] },
    ]);
    // Thu 9 Jan: weekly has a (until Mon 13th 09:00); the Wednesday rota is in week 1 → a (until Wed 15th 10:00).
    expect(whoIsOnCall(roster, 'technology', at('2025-01-09T12:00:00+08:00'))).toEqual([
      { personId: 'a', until: at('2025-01-15T10:00:00+08:00') },
    ]);
    // Tue 14 Jan: weekly has b; the Wednesday rota still a.
    expect(whoIsOnCall(roster, 'technology', at('2025-01-14T12:00:00+08:00'))).toEqual([
      { personId: 'b', until: at('2025-01-20T09:00:00+08:00') },
      { personId: 'a', until: at('2025-01-15T10:00:00+08:00') },
    ]);
  });

  it('answers for every line at once', () => {
    const now = onCallNow(rosterWith([weekly]), at('2025-01-08T12:00:00+08:00'));
    expect(Object.keys(now).sort()).toEqual([...LINES].sort());
    expect(now.management).toEqual([{ personId: 'a', until: at('2025-01-13T09:00:00+08:00') }]);
  });
});

describe('parseRoster', () => {
  it('accepts the example roster and defaults the time zone to Asia/Shanghai', () => {
    const example = JSON.parse(readFileSync(join(__dirname, '../../config/roster.example.json'), 'utf8')) as unknown;
    const roster = parseRoster(example);
    expect(roster.teams.claims.schedules[0]?.timeZone).toBe('Asia/Shanghai');
    for (const line of LINES) expect(whoIsOnCall(roster, line, at('2025-06-01T12:00:00+08:00')).length).toBeGreaterThan(0);
  });

  it('names the field path of every unknown person id', () => {
    expect(() =>
      rosterWith([
        { ...weekly, participants: ['a', 'ghost'], overrides: [{ personId: 'phantom', from: '2025-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' }] },
      ]),
    ).toThrow(
      /teams\.customer-service\.schedules\.0\.participants\.1: unknown person id 'ghost'.*teams\.customer-service\.schedules\.0\.overrides\.0\.personId: unknown person id 'phantom'/,
    );
  });

  it('rejects a rule for a channel the person has no contact for, a bad zone and a missing line', () => {
    expect(() =>
      parseRoster({
        people: [{ id: 'a', name: 'A', email: 'a@example.com', rules: [{ channel: 'voice', afterMinutes: 2 }] }],
        teams: Object.fromEntries(LINES.map((line) => [line, { schedules: [{ ...weekly, participants: ['a'] }] }])),
      }),
    ).toThrow("people.0.rules.0.channel: rule uses voice but person 'a' has no mobile");
    expect(() => rosterWith([{ ...weekly, timeZone: 'Mars/Olympus' }])).toThrow(/timeZone: must be an IANA time zone/);
    expect(() => rosterWith([{ ...weekly, handoff: { weekday: 8, time: '25:00' } }])).toThrow(/handoff\.weekday.*handoff\.time/);
    expect(() =>
      parseRoster({
        people: [{ id: 'a', name: 'A', mobile: '+8613800000000', rules: [{ channel: 'sms', afterMinutes: 0 }] }],
        teams: { claims: { schedules: [{ ...weekly, participants: ['a'] }] } },
      }),
    ).toThrow(/teams\.management/);
  });
});
