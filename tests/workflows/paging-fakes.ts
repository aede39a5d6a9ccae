/** Typed fakes for the paging side: a recording channel set and a small test roster. */
import { ApplicationFailure } from '@temporalio/common';
import type { Channels, EmailMessage, SmsMessage, VoiceCall } from '../../activities/channels';
import { MemorySentLedger } from '../../activities/paging';
import { parseRoster, type Roster } from '../../domain/roster';

export interface SentPage {
  channel: 'email' | 'sms' | 'voice';
  to: string;
  key: string;
  text: string;
  at: number;
}

/** Records every send; an address in `invalid` fails permanently like a real provider would. */
export class RecordingChannels implements Channels {
  readonly sent: SentPage[] = [];
  readonly invalid = new Set<string>();
  /** Throw a transient error after recording the send (a crash between send and record). */
  crashAfterSend = new Set<string>();
  /** Refuse sends to this address with a transient error, this many times (a provider outage). */
  readonly transient = new Map<string, number>();
  /** Sends to this address wait for the promise (a slow provider); `holding` says one is waiting. */
  readonly held = new Map<string, Promise<void>>();
  holding = 0;
  constructor(private readonly now: () => number = () => Date.now()) {}

  private async hold(to: string): Promise<void> {
    const until = this.held.get(to);
    if (!until) return;
    this.holding += 1;
    await until;
    this.holding -= 1;
  }

  private record(channel: SentPage['channel'], to: string, key: string, text: string) {
    if (this.invalid.has(to)) throw ApplicationFailure.nonRetryable(`invalid ${channel} contact`, 'InvalidContact');
    const refusals = this.transient.get(`${channel}:${to}`) ?? 0;
    if (refusals > 0) {
      this.transient.set(`${channel}:${to}`, refusals - 1);
      throw new Error(`${channel} provider unavailable`);
    }
    this.sent.push({ channel, to, key, text, at: this.now() });
    if (this.crashAfterSend.delete(key)) throw new Error('worker died after the send');
    return { providerId: `${channel}-${this.sent.length}` };
  }
  email = { send: async (m: EmailMessage) => (await this.hold(m.to), this.record('email', m.to, m.idempotencyKey, `${m.subject}\n${m.text}`)) };
  sms = { send: async (m: SmsMessage) => (await this.hold(m.to), this.record('sms', m.to, m.idempotencyKey, m.body)) };
  voice = { call: async (c: VoiceCall) => (await this.hold(c.to), this.record('voice', c.to, c.idempotencyKey, 'twiml' in c ? (c.twiml ?? '') : '')) };

  to(address: string) {
    return this.sent.filter((s) => s.to === address);
  }
}

const person = (id: string, n: number, rules: { channel: 'email' | 'sms' | 'voice'; afterMinutes: number }[]) => ({
  id,
  name: id,
  email: `${id}@example.com`,
  mobile: `+86138000000${String(n).padStart(2, '0')}`,
  rules,
});

export const MOBILE = (n: number) => `+86138000000${String(n).padStart(2, '0')}`;

/**
 * One person on call per line, always (a rotation of one that started long ago), except
 * claims, which hands off every Monday 09:00 Asia/Shanghai between claims-a and claims-b.
 */
export function testRoster(overrides: { claimsHandoff?: { weekday: number; time: string } } = {}): Roster {
  const always = (id: string) => ({ schedules: [{ handoff: { weekday: 1, time: '09:00' }, start: '2020-01-01', participants: [id] }] });
  return parseRoster({
    people: [
      person('cs-1', 1, [{ channel: 'sms', afterMinutes: 0 }, { channel: 'voice', afterMinutes: 2 }]),
      person('claims-a', 2, [{ channel: 'sms', afterMinutes: 0 }, { channel: 'email', afterMinutes: 0 }, { channel: 'voice', afterMinutes: 2 }]),
      person('claims-b', 3, [{ channel: 'sms', afterMinutes: 0 }, { channel: 'voice', afterMinutes: 2 }]),
      person('tech-1', 4, [{ channel: 'sms', afterMinutes: 0 }]),
      person('mgr-1', 5, [{ channel: 'sms', afterMinutes: 0 }, { channel: 'email', afterMinutes: 1 }]),
    ],
    teams: {
      'customer-service': always('cs-1'),
      claims: {
        schedules: [
          { handoff: overrides.claimsHandoff ?? { weekday: 1, time: '09:00' }, start: '2020-01-06', participants: ['claims-a', 'claims-b'] },
        ],
      },
      technology: always('tech-1'),
      management: always('mgr-1'),
    },
  });
}

/** A ledger whose record of a matching send fails once: the worker died between send and record. */
export class CrashingLedger extends MemorySentLedger {
  crashed: string[] = [];
  constructor(private readonly crashOn: (key: string) => boolean) {
    super();
  }
  override async complete(key: string): Promise<void> {
    if (this.crashOn(key) && !this.crashed.includes(key)) {
      this.crashed.push(key);
      throw new Error('worker died after the send, before recording it');
    }
    return super.complete(key);
  }
}
