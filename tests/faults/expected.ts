/**
 * What the fault suite expects to have been sent, derived from the policy, the roster and each
 * incident's final state (never hard-coded), and what the SMTP server and the Twilio fake
 * actually received, both reduced to one comparable signature per message:
 * `incident | person | channel | what`, where `what` is `page` (the triage run), `breach:<deadline>`
 * (a breach run, R-T-BREACH) or `warning:<deadline>` (a "due soon" notification).
 */
import { findPerson, whoIsOnCall, type Roster } from '../../domain/roster';
import type { Policy } from '../../domain/policy';
import type { Line } from '../../domain/types';
import type { IncidentState } from '../../workflows/contracts';
import type { ReceivedMail } from '../support/smtp';
import type { TwilioFakeResource } from '../support/twilio-fake';

export interface ExpectedPage {
  key: string;
  signature: string;
}

const INCIDENT_ID = /INC-[0-9A-Z]{12}/;

/** `what` of a send key: `<id>:<runKey>:r0:s0:<person>:<channel>` or `<id>:warning:warn-<deadline>:<person>:<channel>`. */
export function signatureOfKey(key: string): string {
  const parts = key.split(':');
  const [incident, run] = parts;
  const channel = parts[parts.length - 1]!;
  const person = parts[parts.length - 2]!;
  let what: string;
  if (run === 'warning') what = `warning:${parts[2]!.replace(/^warn-/, '')}`;
  else if (run?.startsWith('breach-')) what = `breach:${run.slice('breach-'.length)}`;
  else what = 'page';
  return signature(incident!, person, channel, channel === 'voice' ? 'call' : what);
}

function signature(incident: string, person: string, channel: string, what: string): string {
  return `${incident}|${person}|${channel}|${what}`;
}

function onCall(roster: Roster, lines: readonly Line[], at: Date): string[] {
  return [...new Set(lines.flatMap((line) => whoIsOnCall(roster, line, at).map((o) => o.personId)))];
}

/** Every rule of every person reached (the suite's rosters give each rule `afterMinutes: 0`). */
function pagesFor(roster: Roster, incident: string, runKey: string, people: string[]): ExpectedPage[] {
  return people.flatMap((id) =>
    (findPerson(roster, id)?.rules ?? []).map((rule) => {
      const key = `${incident}:${runKey}:r0:s0:${id}:${rule.channel}`;
      return { key, signature: signatureOfKey(key) };
    }),
  );
}

/**
 * The pages and notifications one incident should have produced, from its final state:
 * - the triage run's first step to the incident's lines (R-LINE-*), one page per person and rule;
 * - one breach run per breached deadline, to the next escalation level (R-T-BREACH; management
 *   too for major incidents);
 * - one "due soon" notification per warning on the timeline, to each line's on-call person on
 *   their first channel (a call becomes an SMS).
 * Only single-step, no-repeat tiers are derived here (the suite's policies use those).
 */
export function expectedPages(state: IncidentState, policy: Policy, roster: Roster, at: Date): ExpectedPage[] {
  const severity = state.severity!;
  const tier = policy.paging[severity];
  if (tier.steps.length !== 1 || tier.repeat !== 0) throw new Error('expectedPages derives single-step tiers only');
  const pages: ExpectedPage[] = [];
  const stepLines = tier.steps[0]!.targets.flatMap((t): Line[] => ('lines' in t ? state.lines : 'team' in t ? [t.team] : []));
  pages.push(...pagesFor(roster, state.id, 'triage', onCall(roster, stepLines, at)));

  const levels = policy.escalation[severity];
  const breached = state.deadlines.filter((d) => d.state === 'breached').sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  breached.forEach((deadline, index) => {
    const level = levels[Math.min(index + 1, levels.length - 1)]!;
    const lines = severity === 'major' ? [...new Set<Line>(['management', ...level])] : level;
    pages.push(...pagesFor(roster, state.id, `breach-${deadline.id}`, onCall(roster, lines, at)));
  });

  for (const entry of state.timeline.filter((e) => e.type === 'deadline-warning')) {
    const deadline = String(entry.data?.deadline);
    for (const id of onCall(roster, state.lines, at)) {
      const person = findPerson(roster, id)!;
      const rule = [...person.rules].sort((a, b) => a.afterMinutes - b.afterMinutes).find((r) => (r.channel === 'email' ? person.email : person.mobile));
      if (!rule) continue;
      const channel = rule.channel === 'voice' ? 'sms' : rule.channel;
      const key = `${state.id}:warning:warn-${deadline}:${id}:${channel}`;
      pages.push({ key, signature: signatureOfKey(key) });
    }
  }
  return pages;
}

/** The signature of an e-mail the SMTP server received: its idempotency key says it all. */
export function signatureOfMail(mail: ReceivedMail): string {
  const key = mail.headers.get('x-idempotency-key');
  if (!key) throw new Error(`an e-mail without X-Idempotency-Key: ${mail.subject}`);
  return signatureOfKey(key);
}

/**
 * The signature of an SMS or call the Twilio fake accepted. Twilio carries no idempotency key,
 * so the incident, the person (by number) and what it was about are read off the message: the
 * body of an SMS (English pages: "Deadline breached … contact missed", "Due soon (solution): …"),
 * the TwiML URL of a call (`?incident=`).
 */
export function signatureOfTwilio(resource: TwilioFakeResource, roster: Roster): string {
  const person = roster.people.find((p) => p.mobile === resource.to)?.id ?? `unknown ${resource.to}`;
  if (resource.kind === 'call') {
    const incident = new URL(resource.params.Url ?? 'http://x/').searchParams.get('incident') ?? 'unknown';
    return signature(incident, person, 'voice', 'call');
  }
  const body = resource.params.Body ?? '';
  const incident = INCIDENT_ID.exec(body)?.[0] ?? 'unknown';
  const warning = /Due soon \(([\w-]+)\)/.exec(body);
  const missed = /\b([a-z-]+) missed \(due/.exec(body);
  const what = warning ? `warning:${warning[1]}` : missed ? `breach:${missed[1]}` : 'page';
  return signature(incident, person, 'sms', what);
}

export interface PageTally {
  expected: number;
  sent: number;
  /** Expected signatures received more than once (the extra copies counted). */
  duplicated: number;
  /** Expected signatures never received. */
  missing: string[];
  /** Received signatures nobody expected. */
  unexpected: string[];
  duplicates: string[];
}

/** Compares expected signatures with received ones as multisets. */
export function tallyPages(expected: readonly string[], received: readonly string[]): PageTally {
  const want = new Map<string, number>();
  for (const s of expected) want.set(s, (want.get(s) ?? 0) + 1);
  const got = new Map<string, number>();
  for (const s of received) got.set(s, (got.get(s) ?? 0) + 1);
  const missing: string[] = [];
  const duplicates: string[] = [];
  const unexpected: string[] = [];
  let duplicated = 0;
  let sent = 0;
  for (const [s, n] of want) {
    const m = got.get(s) ?? 0;
    sent += Math.min(n, m);
    if (m < n) missing.push(s);
    if (m > n) {
      duplicated += m - n;
      duplicates.push(s);
    }
  }
  for (const s of got.keys()) if (!want.has(s)) unexpected.push(s);
  return { expected: expected.length, sent, duplicated, missing, unexpected, duplicates };
}
