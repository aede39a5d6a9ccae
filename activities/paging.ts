import { createHmac } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { maskContact, maskPersonalData, renderPage } from '../domain/message';
import type { PagingTarget } from '../domain/policy';
import { findPerson, wallClock, whoIsOnCall, type Roster } from '../domain/roster';
import type { Line } from '../domain/types';
import type { FirstPages, NotificationRequest, PageContent, PagedPerson } from '../workflows/contracts';
import type { Channels, Delivery } from './channels';
import type { Notifier } from './outbox';

/**
 * A durable record of pages, so that a retried send (a worker that died, an activity that timed
 * out) does not page the same person for the same step on the same channel twice.
 * `begin` claims a key before the send and `complete` records the provider's acceptance; a sent
 * key is never sent again, and a key claimed by a live attempt is not sent by another.
 *
 * A claim never completed by a worker that has since died is ambiguous: the process died either
 * before the provider accepted the page or in the moment between the acceptance and the record.
 * SMTP and Twilio take no idempotency key. An SMS is looked up in Twilio's message log and sent
 * only if it is not there; an e-mail or a call (whose log does not keep what was said) is sent
 * again: a page is never lost, and only a crash in that narrow moment can repeat one (an e-mail
 * with the same Message-ID).
 */
export interface SentLedger {
  /**
   * `'claimed'` when the key was free and is now claimed; `'unconfirmed'` when a process that has
   * since died claimed it and never recorded the outcome (now claimed again: the caller checks
   * the provider's log where there is one, else sends again); `false` when it was sent, or is
   * claimed by an attempt still running.
   */
  begin(key: string): Promise<false | 'claimed' | 'unconfirmed'>;
  complete(key: string, providerId: string): Promise<void>;
  /** Ends an attempt on an unconfirmed claim without an outcome: the next `begin` answers `'unconfirmed'` again. */
  leaveUnconfirmed(key: string): Promise<void>;
  /** When the unconfirmed claim on `key` was first taken (the provider cannot have it from before). */
  claimedAt(key: string): Promise<Date | undefined>;
  /**
   * Releases a claim whose send failed before reaching the provider, so a retry may send; the
   * reason (masked) is kept, so the attempt that finally delivers can report the failed ones.
   */
  release(key: string, error?: string): Promise<void>;
  /** The failed attempts released for this key so far, oldest first (across worker restarts). */
  failures(key: string): Promise<FailedAttempt[]>;
}

/** A send attempt the provider refused (the timeline shows it with the page that followed). */
export interface FailedAttempt {
  at: string;
  error: string;
}

interface LedgerLine {
  key: string;
  state: 'claimed' | 'sent' | 'released';
  providerId?: string;
  error?: string;
  /** A claim taken over from a process that died before recording the send. */
  resend?: boolean;
  at: string;
}

/** How long `begin` waits for the outcome of a claim an attempt of this process holds (longer than any send's own time-out). */
const LIVE_CLAIM_WAIT_MS = 60_000;

/**
 * The embedded default: an append-only JSON-lines file (one worker host). A deployment running
 * workers on several hosts points `SENT_LEDGER_FILE` at shared storage or replaces this class.
 */
export class FileSentLedger implements SentLedger {
  private state: Promise<Map<string, LedgerLine['state']>> | undefined;
  private readonly failed = new Map<string, FailedAttempt[]>();
  /** Keys this process claimed: a claim read from the file and not among them was left by a dead process. */
  private readonly claimedHere = new Set<string>();
  /** When each key was claimed after it was last free. */
  private readonly claimTimes = new Map<string, string>();
  /** Waiters for the outcome of a claim an attempt of this process holds (see `begin`). */
  private readonly settling = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  private load(): Promise<Map<string, LedgerLine['state']>> {
    this.state ??= readFile(this.path, 'utf8').then(
      (text) => {
        const map = new Map<string, LedgerLine['state']>();
        for (const line of text.split('\n')) {
          if (!line) continue;
          try {
            const entry = JSON.parse(line) as LedgerLine;
            if (entry.state === 'claimed' && map.get(entry.key) !== 'claimed') this.claimTimes.set(entry.key, entry.at);
            map.set(entry.key, entry.state);
            if (entry.state === 'released') this.noteFailure(entry.key, { at: entry.at, error: entry.error ?? 'send failed' });
          } catch {
            // A torn last line from a crash mid-write: the claim it held was never acted on.
          }
        }
        return map;
      },
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return new Map();
        throw err;
      },
    );
    return this.state;
  }

  private write(entry: LedgerLine): Promise<void> {
    const next = this.tail.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      await appendFile(this.path, JSON.stringify(entry) + '\n');
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  async begin(key: string): Promise<false | 'claimed' | 'unconfirmed'> {
    const map = await this.load();
    // A claim an attempt of this process still holds: that attempt's outcome decides. A page it
    // sends is not sent again; one it fails to send is sent by this attempt. (Answering "already
    // sent" at once would lose the page when the first attempt then fails: a local activity that
    // timed out while its send went on, and the ordinary activity that took over, issue 7.) An
    // attempt that holds its claim past LIVE_CLAIM_WAIT_MS is taken for stuck: sent again.
    const deadline = Date.now() + LIVE_CLAIM_WAIT_MS;
    while (map.get(key) === 'claimed' && this.claimedHere.has(key) && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.settled(key), new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
      clearTimeout(timer);
    }
    const seen = map.get(key);
    if (seen === 'sent') return false;
    const at = new Date().toISOString();
    if (seen !== 'claimed') this.claimTimes.set(key, at);
    map.set(key, 'claimed');
    this.claimedHere.add(key);
    await this.write({ key, state: 'claimed', at, ...(seen === 'claimed' ? { resend: true } : {}) });
    return seen === 'claimed' ? 'unconfirmed' : 'claimed';
  }

  /** Resolves when the claim on `key` held here is completed, released or left unconfirmed. */
  private settled(key: string): Promise<void> {
    let waiting = this.settling.get(key);
    if (!waiting) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      waiting = { promise, resolve };
      this.settling.set(key, waiting);
    }
    return waiting.promise;
  }

  private settle(key: string): void {
    this.claimedHere.delete(key);
    this.settling.get(key)?.resolve();
    this.settling.delete(key);
  }

  async complete(key: string, providerId: string): Promise<void> {
    (await this.load()).set(key, 'sent');
    this.settle(key);
    await this.write({ key, state: 'sent', providerId, at: new Date().toISOString() });
  }

  async leaveUnconfirmed(key: string): Promise<void> {
    this.settle(key);
  }

  async claimedAt(key: string): Promise<Date | undefined> {
    await this.load();
    const at = this.claimTimes.get(key);
    return at === undefined ? undefined : new Date(at);
  }

  async release(key: string, error?: string): Promise<void> {
    const at = new Date().toISOString();
    (await this.load()).set(key, 'released');
    this.settle(key);
    this.noteFailure(key, { at, error: error ?? 'send failed' });
    await this.write({ key, state: 'released', at, ...(error === undefined ? {} : { error }) });
  }

  async failures(key: string): Promise<FailedAttempt[]> {
    await this.load();
    return [...(this.failed.get(key) ?? [])];
  }

  private noteFailure(key: string, attempt: FailedAttempt): void {
    const list = this.failed.get(key) ?? [];
    list.push(attempt);
    this.failed.set(key, list);
  }
}

/** An in-memory ledger for tests. */
export class MemorySentLedger implements SentLedger {
  readonly entries = new Map<string, LedgerLine['state']>();
  private readonly failed = new Map<string, FailedAttempt[]>();
  private readonly unconfirmed = new Set<string>();
  async begin(key: string): Promise<false | 'claimed' | 'unconfirmed'> {
    if (this.unconfirmed.delete(key)) return 'unconfirmed';
    const seen = this.entries.get(key);
    if (seen === 'claimed' || seen === 'sent') return false;
    this.entries.set(key, 'claimed');
    return 'claimed';
  }
  async leaveUnconfirmed(key: string) {
    this.unconfirmed.add(key);
  }
  async claimedAt() {
    return undefined;
  }
  async complete(key: string) {
    this.entries.set(key, 'sent');
  }
  async release(key: string, error?: string) {
    this.entries.set(key, 'released');
    this.failed.set(key, [...(this.failed.get(key) ?? []), { at: new Date().toISOString(), error: error ?? 'send failed' }]);
  }
  async failures(key: string) {
    return [...(this.failed.get(key) ?? [])];
  }
}

/** The attempt number of the running activity (1 outside an activity, e.g. in a unit test). */
function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/**
 * Asks the provider's log about an unconfirmed claim: found, the send is recorded; not found (or
 * no log), the caller sends; the log unreachable, the claim stays unconfirmed for the retry.
 */
async function lookUp(
  ledger: SentLedger,
  key: string,
  find: (since: Date) => Promise<Delivery | undefined> | undefined,
): Promise<Delivery | undefined> {
  let found: Delivery | undefined;
  try {
    // Without a claim time nothing proves a match is this send and not an earlier one alike.
    const since = await ledger.claimedAt(key);
    found = since ? await find(since) : undefined;
  } catch (err) {
    await ledger.leaveUnconfirmed(key);
    throw err;
  }
  if (found) await ledger.complete(key, found.providerId);
  return found;
}

function failureText(err: unknown): string {
  return maskPersonalData(err instanceof Error ? err.message : String(err)).slice(0, 300);
}

/** Signs one-click acknowledgement links for e-mail pages (verified by the API's `/ack/:token`). */
export function signAckToken(secret: string, payload: { incidentId: string; personId: string; expiresAt: number }): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = createHmac('sha256', secret).update(body).digest('base64url');
  return `${body}.${signature}`;
}

export interface PagingDependencies {
  roster: Roster;
  channels: Channels;
  ledger: SentLedger;
  /** Public base URL of the API (webhooks, e-mail acknowledgement links); none: no links. */
  publicBaseUrl?: string;
  ackLinkSecret?: string;
  ackLinkTtlMinutes?: number;
  /** Deadlines in pages are shown in this zone (R-T-CAL). */
  timeZone?: string;
  clock?: () => Date;
}

const DEADLINE_NAMES: Record<'zh' | 'en', Record<string, string>> = {
  zh: { contact: '联系客户', solution: '初步方案', progress: '进度更新', 'complaint-reply': '投诉回复', 'complaint-investigation': '投诉调查' },
  en: { contact: 'contact', solution: 'solution', progress: 'progress update', 'complaint-reply': 'complaint reply', 'complaint-investigation': 'investigation' },
};

/** "联系客户 11-22 10:30 前到期" / "contact due 11-22 10:30", in the deployment's zone. */
export function describeDue(content: PageContent, timeZone = 'Asia/Shanghai'): string {
  if (!content.due) return content.lang === 'zh' ? '无待办时限' : 'no open deadline';
  // The roster's wall clock, on its one formatter per zone (issue 7: a new Intl.DateTimeFormat for
  // every page was the worker's largest activity item in its CPU profile, 2.8 s per 1,000 incidents).
  const wall = new Date(wallClock(Date.parse(content.due.dueAt), timeZone));
  const two = (n: number) => String(n).padStart(2, '0');
  const when = `${two(wall.getUTCMonth() + 1)}-${two(wall.getUTCDate())} ${two(wall.getUTCHours())}:${two(wall.getUTCMinutes())}`;
  const kind = content.due.deadline.replace(/-\d+$/, '');
  const name = DEADLINE_NAMES[content.lang][kind] ?? content.due.deadline;
  if (content.kind === 'breach') return content.lang === 'zh' ? `${name}已于 ${when} 超期` : `${name} missed (due ${when})`;
  return content.lang === 'zh' ? `${name} ${when} 前到期` : `${name} due ${when}`;
}

/** The paging side effects: who to page, and one page on one channel, exactly once. */
export function createPagingActivities(deps: PagingDependencies) {
  const clock = deps.clock ?? (() => new Date());
  return {
    /** Resolves a step's targets to people on call now (R-LINE-*): deduplicated, in target order. */
    async resolvePagingTargets(input: { targets: PagingTarget[]; lines: Line[]; at: string }): Promise<PagedPerson[]> {
      // The step's own time (the workflow clock), so a hand-off is judged when the step runs.
      const at = new Date(input.at);
      const ids: string[] = [];
      for (const target of input.targets) {
        if ('person' in target) ids.push(target.person);
        else {
          const teams = 'team' in target ? [target.team] : input.lines;
          for (const team of teams) ids.push(...whoIsOnCall(deps.roster, team, at).map((o) => o.personId));
        }
      }
      const people: PagedPerson[] = [];
      for (const id of new Set(ids)) {
        const person = findPerson(deps.roster, id);
        if (person) people.push({ id: person.id, name: person.name, rules: person.rules });
      }
      return people;
    },

    /**
     * Sends one page. Idempotent by `key` through the sent ledger: a retry after a crash
     * between the send and its record answers `duplicate` instead of paging again.
     * Throws `InvalidContact` (non-retryable) for a contact that can never work.
     */
    async deliverPage(input: {
      key: string;
      personId: string;
      channel: 'email' | 'sms' | 'voice';
      content: PageContent;
    }): Promise<{ to: string; providerId?: string; duplicate: boolean; attempt: number; failures: FailedAttempt[] }> {
      const person = findPerson(deps.roster, input.personId);
      const address = input.channel === 'email' ? person?.email : person?.mobile;
      if (!person || !address) {
        throw ApplicationFailure.nonRetryable(`${input.personId} has no ${input.channel} contact`, 'InvalidContact');
      }
      const to = maskContact(address);
      const attempt = currentAttempt();
      const claim = await deps.ledger.begin(input.key);
      if (!claim) return { to, duplicate: true, attempt, failures: [] };
      const ackUrl =
        deps.publicBaseUrl && deps.ackLinkSecret && input.channel === 'email'
          ? `${deps.publicBaseUrl.replace(/\/$/, '')}/ack/${signAckToken(deps.ackLinkSecret, {
              incidentId: input.content.incidentId,
              personId: person.id,
              expiresAt: clock().getTime() + (deps.ackLinkTtlMinutes ?? 24 * 60) * 60_000,
            })}`
          : undefined;
      const { due: _due, ...content } = input.content;
      const page = renderPage({
        ...content,
        dueSummary: describeDue(input.content, deps.timeZone),
        ...(ackUrl ? { ackUrl } : {}),
      });
      // A send cut off by a crash: if the provider's log shows it went out, it is not sent again.
      if (claim === 'unconfirmed' && input.channel === 'sms') {
        const found = await lookUp(deps.ledger, input.key, (since) =>
          deps.channels.sms.findSent?.({ to: address, body: page.sms, idempotencyKey: input.key }, since),
        );
        if (found) return { to, providerId: found.providerId, duplicate: true, attempt, failures: [] };
      }
      let providerId: string;
      try {
        if (input.channel === 'email') {
          ({ providerId } = await deps.channels.email.send({ to: address, subject: page.subject, text: page.text, idempotencyKey: input.key }));
        } else if (input.channel === 'sms') {
          ({ providerId } = await deps.channels.sms.send({ to: address, body: page.sms, idempotencyKey: input.key }));
        } else {
          const base = deps.publicBaseUrl?.replace(/\/$/, '');
          ({ providerId } = await deps.channels.voice.call(
            base
              ? {
                  to: address,
                  idempotencyKey: input.key,
                  twimlUrl: `${base}/webhooks/twilio/voice?incident=${encodeURIComponent(input.content.incidentId)}&lang=${input.content.lang}`,
                }
              : { to: address, idempotencyKey: input.key, twiml: voiceTwiml(page.voice, input.content.lang) },
          ));
        }
      } catch (err) {
        // The provider refused: nothing went out, so the claim is released and a retry may send.
        await deps.ledger.release(input.key, failureText(err));
        throw err;
      }
      // Past this point the page is out: if the worker dies before the record, the claim stays
      // and the retry answers `duplicate` instead of paging the person again.
      await deps.ledger.complete(input.key, providerId);
      // The attempts that failed before this one go to the timeline with the page (nothing silent).
      // The try that delivered counts them all, the incident's own first try included.
      const failures = await deps.ledger.failures(input.key);
      return { to, providerId, duplicate: false, attempt: Math.max(attempt, failures.length + 1), failures };
    },
  };
}

function voiceTwiml(say: string, lang: 'zh' | 'en'): string {
  const escaped = say.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<Response><Say language="${lang === 'zh' ? 'cmn-CN' : 'en-US'}">${escaped}</Say></Response>`;
}

export type PagingActivities = ReturnType<typeof createPagingActivities>;

/**
 * The first step of a paging run, played by the incident itself as a local activity (issue 7):
 * resolve the step's targets and send each person's first rule at once, under the very keys the
 * paging run would use. A page the provider refuses is left out of `paged`: the run sends it
 * with its retries (and the ledger keeps the refusal for its timeline entry).
 */
export function createFirstPageActivity(paging: PagingActivities) {
  const activities = {
    async sendFirstPages(input: {
      incidentId: string;
      runKey: string;
      targets: PagingTarget[];
      lines: Line[];
      at: string;
      content: PageContent;
    }): Promise<FirstPages> {
      // The first rule of each person in the run's first step: what an acknowledged step sends.
      return activities.openPagingStep({ ...input, stepKey: `${input.runKey}:r0:s0`, acknowledged: true });
    },

    /**
     * One paging step's start in one activity (issue 7, patch `one-activity-per-step`): resolve
     * the step's targets at `at` and send, at once and side by side, every rule of each person
     * that is due when the step starts (the first, and any other at 0 minutes; only the first
     * for an acknowledged run, which pages once). Keys are the paging run's own
     * (`<incident>:<stepKey>:<person>:<channel>`), so a page sent here is never sent twice by the
     * run. A page the provider refused is left out of `paged`: the run sends it with its own
     * retries and fallbacks (the ledger keeps the refusal for its timeline entry).
     */
    async openPagingStep(input: {
      incidentId: string;
      stepKey: string;
      runKey: string;
      targets: PagingTarget[];
      lines: Line[];
      at: string;
      content: PageContent;
      acknowledged: boolean;
    }): Promise<FirstPages> {
      const people = await paging.resolvePagingTargets({ targets: input.targets, lines: input.lines, at: input.at });
      const sends = people.flatMap((person) =>
        dueAtStepStart(person.rules, input.acknowledged).map((rule) => ({ person, rule, key: `${input.incidentId}:${input.stepKey}:${person.id}:${rule.channel}` })),
      );
      const invalid: NonNullable<FirstPages['invalid']> = [];
      // Side by side; the answer lists them in the order of the people and their rules.
      const results = await Promise.all(
        sends.map(async ({ person, rule, key }) => {
          try {
            const result = await paging.deliverPage({ key, personId: person.id, channel: rule.channel, content: input.content });
            return {
              type: 'paged' as const,
              key,
              runKey: input.runKey,
              personId: person.id,
              channel: rule.channel,
              to: result.to,
              duplicate: result.duplicate,
              attempt: result.attempt,
              failures: result.failures,
            };
          } catch (err) {
            // A contact that can never work is not tried again by the run; any other refusal is.
            if (err instanceof ApplicationFailure && err.type === 'InvalidContact') invalid.push({ key, error: err.message });
            return undefined;
          }
        }),
      );
      const paged = results.filter((page) => page !== undefined);
      return { people, paged, invalid };
    },
  };
  return activities;
}

/**
 * The rules a paging step sends the moment it starts: the first by time, and every other one at
 * 0 minutes (the paging run would send those at once too); only the first for an acknowledged
 * run. The same rule (person, channel) appears once: the run keys a send by channel.
 */
export function dueAtStepStart<R extends { channel: string; afterMinutes: number }>(rules: readonly R[], acknowledged: boolean): R[] {
  const sorted = [...rules].sort((a, b) => a.afterMinutes - b.afterMinutes);
  const due = acknowledged ? sorted.slice(0, 1) : sorted.filter((rule, index) => index === 0 || rule.afterMinutes <= 0);
  const channels = new Set<string>();
  return due.filter((rule) => !channels.has(rule.channel) && channels.add(rule.channel));
}

/**
 * Notifications that need no acknowledgement (warnings, resolutions, "management informed"):
 * each line's on-call people get them on their first channel, once per key and person.
 */
export class RosterNotifier implements Notifier {
  constructor(private readonly deps: PagingDependencies) {}

  async deliver(request: NotificationRequest): Promise<{ duplicate: boolean; channel: string; recipients: string[] }> {
    const at = (this.deps.clock ?? (() => new Date()))();
    // R-REV-4: a drill's notifications reach its participants only, never the real on-call.
    const ids = new Set(request.participants ?? request.lines.flatMap((line) => whoIsOnCall(this.deps.roster, line, at).map((o) => o.personId)));
    const recipients: string[] = [];
    let duplicates = 0;
    for (const id of ids) {
      const person = findPerson(this.deps.roster, id);
      const rule = person && [...person.rules].sort((a, b) => a.afterMinutes - b.afterMinutes).find((r) => (r.channel === 'email' ? person.email : person.mobile));
      if (!person || !rule) continue;
      const channel = rule.channel === 'voice' ? 'sms' : rule.channel; // an FYI is never a phone call
      const address = channel === 'email' ? person.email : person.mobile;
      if (!address) continue;
      const key = `${request.key}:${person.id}:${channel}`;
      const claim = await this.deps.ledger.begin(key);
      if (!claim) {
        duplicates += 1;
        continue;
      }
      // A send cut off by a crash that the provider's log shows went out is not sent again.
      if (claim === 'unconfirmed' && channel === 'sms') {
        const found = await lookUp(this.deps.ledger, key, (since) =>
          this.deps.channels.sms.findSent?.({ to: address, body: request.subject, idempotencyKey: key }, since),
        );
        if (found) {
          duplicates += 1;
          continue;
        }
      }
      try {
        const { providerId } =
          channel === 'email'
            ? await this.deps.channels.email.send({ to: address, subject: request.subject, text: request.body, idempotencyKey: key })
            : await this.deps.channels.sms.send({ to: address, body: request.subject, idempotencyKey: key });
        await this.deps.ledger.complete(key, providerId);
        recipients.push(`${person.id} (${channel})`);
      } catch (err) {
        await this.deps.ledger.release(key, failureText(err));
        const permanent = err instanceof ApplicationFailure && err.type === 'InvalidContact';
        if (!permanent) throw err;
      }
    }
    return { duplicate: recipients.length === 0 && duplicates > 0, channel: 'roster', recipients };
  }
}
