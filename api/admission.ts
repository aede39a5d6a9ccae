/**
 * Admission control for intake (issue 7: "the API sheds load with 429/503 and `Retry-After`
 * rather than timing out; an accepted report is never lost").
 *
 * Without it a saturated engine is discovered only when a request has waited out the API's
 * bound on Temporal (15 s), so every report in a burst waits 15 s to be told to come back, and
 * each retry adds work to an engine that is already behind. Here each intake request is
 * admitted only if the wait it would meet looks short: by Little's law the wait in a queue is
 * the number waiting divided by the rate they leave at, so the expected wait is the requests
 * now in flight divided by the completion rate over the last few seconds. Above the bound, the
 * request is answered 503 at once, and nothing is started for it — so a shed report is never
 * half-accepted; the client retries with the same Idempotency-Key. Its `Retry-After` is when
 * there will be room for it: the queue ahead drained to the bound, and the requests shed before
 * it admitted one by one at the rate requests complete, so shed requests come back spread out
 * rather than all at once.
 *
 * Only intake (reports, signals) is shed. Acknowledgements and actions on open incidents are
 * never refused by admission control: the on-call lead's `ACK` at 3 a.m. must not lose to a
 * burst of new reports.
 */
import { HttpError } from './errors';

export interface AdmissionOptions {
  /** Shed when the expected wait of a new request exceeds this (ms). Default 5000. */
  maxExpectedWaitMs?: number;
  /** Never shed while fewer than this many are in flight (no rate is known at a cold start). Default 32. */
  minInFlight?: number;
  /** Shed whatever the rate when this many are already in flight. Default 2000. */
  maxInFlight?: number;
  /** Window over which the completion rate is measured (ms). Default 10000. */
  windowMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface AdmissionSnapshot {
  inFlight: number;
  /** Completions per second over the window. */
  ratePerSecond: number;
  /** In flight ÷ rate, in ms (Infinity when nothing completed in the window). */
  expectedWaitMs: number;
  admitted: number;
  shed: number;
}

export class AdmissionControl {
  private readonly maxExpectedWaitMs: number;
  private readonly minInFlight: number;
  private readonly maxInFlight: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private inFlight = 0;
  /** Completion times within the window, oldest first (a queue: `head` is its start). */
  private completions: number[] = [];
  private head = 0;
  private admitted = 0;
  private shed = 0;
  /** When the oldest request still in flight was admitted, to judge a window with no completions. */
  private readonly started = new Map<number, number>();
  private nextTicket = 0;
  /** When the next shed request is told to come back (ms): shed requests are spaced at the completion rate. */
  private nextSlotAt = 0;

  constructor(options: AdmissionOptions = {}) {
    this.maxExpectedWaitMs = options.maxExpectedWaitMs ?? 5000;
    this.minInFlight = options.minInFlight ?? 32;
    this.maxInFlight = options.maxInFlight ?? 2000;
    this.windowMs = options.windowMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Runs `fn` if the request is admitted; otherwise throws a 503 `HttpError` with `retryAfter`
   * (seconds) without calling it.
   */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const refused = this.refusal();
    if (refused) throw refused;
    this.admitted += 1;
    const ticket = this.nextTicket++;
    this.started.set(ticket, this.now());
    this.inFlight += 1;
    try {
      return await fn();
    } finally {
      this.inFlight -= 1;
      this.started.delete(ticket);
      this.completions.push(this.now());
    }
  }

  /**
   * The 503 a new intake request gets now, or `undefined` when it would be admitted. The app asks
   * before reading the request's body (under a burst, waiting for bodies is most of the time),
   * and `run` asks again.
   */
  refusal(): HttpError | undefined {
    const verdict = this.decide();
    if (!verdict.shed) return undefined;
    this.shed += 1;
    return new HttpError(503, 'the engine is saturated; retry after the given time with the same Idempotency-Key', {
      retryAfter: verdict.retryAfterSeconds,
    });
  }

  snapshot(): AdmissionSnapshot {
    const rate = this.rate();
    return {
      inFlight: this.inFlight,
      ratePerSecond: rate,
      expectedWaitMs: this.expectedWait(rate),
      admitted: this.admitted,
      shed: this.shed,
    };
  }

  private decide(): { shed: false } | { shed: true; retryAfterSeconds: number } {
    if (this.inFlight < this.minInFlight) return { shed: false };
    const { rate, spanMs } = this.measure();
    const expected = this.expectedWait(rate);
    if (this.inFlight < this.maxInFlight && expected <= this.maxExpectedWaitMs) return { shed: false };
    // Never sooner than 1 s, never past a minute.
    const clamp = (ms: number) => Math.min(60, Math.max(1, Math.ceil(ms / 1000)));
    // Nothing completes: no rate to pace by; come back after the bound.
    if (!Number.isFinite(expected) || rate <= 0) return { shed: true, retryAfterSeconds: clamp(this.maxExpectedWaitMs) };
    // Come back when there will be room: once the queue ahead has drained to the bound, and after
    // the requests shed before this one, which come back one by one at the rate requests complete.
    // Told the same time, a burst's shed requests all came back in the same second, were shed
    // again, and the last waited a minute for an engine that had long been idle (bench/RESULTS.md).
    const now = this.now();
    const room = Math.max(0, expected - this.maxExpectedWaitMs);
    if (spanMs < this.windowMs / 2) {
      // A rate measured over less than half its window is the start of a burst, when completions are
      // still gathering pace and the rate reads low: no further ahead than the bound, unspaced.
      return { shed: true, retryAfterSeconds: clamp(Math.min(room, this.maxExpectedWaitMs)) };
    }
    const slot = Math.max(now + room, this.nextSlotAt);
    this.nextSlotAt = Math.min(slot + 1000 / rate, now + 60_000);
    return { shed: true, retryAfterSeconds: clamp(slot - now) };
  }

  /** Completions per second over the window (or over the time since the first completion, if shorter). */
  private rate(): number {
    return this.measure().rate;
  }

  /** The completion rate, and the span it was measured over (ms; under half the window at the start of a burst). */
  private measure(): { rate: number; spanMs: number } {
    const now = this.now();
    const from = now - this.windowMs;
    while (this.head < this.completions.length && this.completions[this.head]! < from) this.head += 1;
    if (this.head > 4096 && this.head * 2 > this.completions.length) {
      this.completions = this.completions.slice(this.head);
      this.head = 0;
    }
    const count = this.completions.length - this.head;
    if (count === 0) return { rate: 0, spanMs: 0 };
    const spanMs = Math.max(1000, Math.min(this.windowMs, now - this.completions[this.head]!));
    return { rate: (count * 1000) / spanMs, spanMs };
  }

  private expectedWait(rate: number): number {
    if (this.inFlight === 0) return 0;
    if (rate > 0) return (this.inFlight * 1000) / rate;
    // Nothing completed in the window: the wait is at least what the oldest request has waited.
    let oldest = Infinity;
    for (const at of this.started.values()) oldest = Math.min(oldest, at);
    const waited = this.now() - oldest;
    return waited > this.maxExpectedWaitMs ? Infinity : waited;
  }
}
