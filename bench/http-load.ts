/**
 * The load generator: N distinct POSTs, at most `concurrency` in flight, each on its own
 * connection from one `http.Agent` (keep-alive, `maxSockets = concurrency`), retried with the
 * same Idempotency-Key when the server sheds load (429/503, honouring Retry-After) or the
 * connection fails. Every attempt's status and latency is kept; nothing is sampled.
 */
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface BurstOptions {
  url: string;
  count: number;
  concurrency: number;
  /** The JSON body of request `index`. */
  body(index: number): unknown;
  /** The Idempotency-Key of request `index` (the same on every retry of it). */
  key(index: number): string;
  headers?: Record<string, string>;
  /** Statuses that end a request successfully. */
  accepted: readonly number[];
  /** The client gives up on one attempt after this long without an answer (counted as `timeout`). */
  attemptTimeoutMs: number;
  maxAttempts: number;
  /** No attempt starts after this long from the burst's start. */
  deadlineMs: number;
  /** Keep connections open between a request's attempts (client connection reuse). */
  keepAlive: boolean;
  /** Request `index` is not sent before `index * startIntervalMs` (0: all at once). */
  startIntervalMs?: number;
  /** Called with each accepted answer's parsed body. */
  onAccepted?(index: number, body: unknown): void;
  /** Progress, once a second. */
  onProgress?(done: number, inFlight: number): void;
}

export interface RequestOutcome {
  index: number;
  attempts: number;
  firstStatus: string;
  /** The first attempt's latency, send to answer. */
  firstLatencyMs: number;
  /** The final attempt's status (an accepted status, or the last failure). */
  finalStatus: string;
  ok: boolean;
  /** From the first send to the accepted answer, retries and their waits included. */
  acceptLatencyMs?: number;
  /** When it was accepted, ms after the burst started. */
  acceptedAtMs?: number;
}

export interface BurstResult {
  startedAtEpochMs: number;
  /** Until the last request ended (accepted or given up). */
  durationMs: number;
  outcomes: RequestOutcome[];
  /** Every attempt's status: HTTP codes, or `timeout`, `ECONNRESET`, … */
  attemptStatuses: Record<string, number>;
  /** 429/503 answers, and how many of them carried Retry-After. */
  shed: number;
  shedWithRetryAfter: number;
  retries: number;
  socketsOpened: number;
  peakInFlight: number;
  /** Latency of every attempt, by status. */
  attemptLatencies: Record<string, number[]>;
  /**
   * The API's own time for every answered attempt, by status (its `Server-Timing: app;dur=…`):
   * from the request reaching the app to its answer, without the client's connect and queueing.
   */
  serverLatencies: Record<string, number[]>;
}

interface Attempt {
  status: string;
  latencyMs: number;
  retryAfterSeconds?: number;
  serverMs?: number;
  body?: string;
}

const SHED = new Set(['429', '503']);
const NETWORK_RETRY_MS = 1_000;

export async function runBurst(options: BurstOptions): Promise<BurstResult> {
  const agent = new Agent({
    keepAlive: options.keepAlive,
    maxSockets: options.concurrency,
    maxFreeSockets: options.concurrency,
    scheduling: 'fifo',
  });
  const sockets = new WeakSet<object>();
  let socketsOpened = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let done = 0;
  const attemptStatuses: Record<string, number> = {};
  const attemptLatencies: Record<string, number[]> = {};
  const serverLatencies: Record<string, number[]> = {};
  let shed = 0;
  let shedWithRetryAfter = 0;
  let retries = 0;
  const outcomes: RequestOutcome[] = new Array(options.count);
  const target = new URL(options.url);

  const send = (index: number, payload: string): Promise<Attempt> =>
    new Promise((resolveAttempt) => {
      const started = performance.now();
      let settled = false;
      const finish = (attempt: Omit<Attempt, 'latencyMs'>) => {
        if (settled) return;
        settled = true;
        inFlight -= 1;
        resolveAttempt({ ...attempt, latencyMs: performance.now() - started });
      };
      inFlight += 1;
      peakInFlight = Math.max(peakInFlight, inFlight);
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            'idempotency-key': options.key(index),
            ...options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            const serverTiming = /\bapp;dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''));
            finish({
              ...(serverTiming ? { serverMs: Number(serverTiming[1]) } : {}),
              status: String(res.statusCode),
              body: Buffer.concat(chunks).toString('utf8'),
              ...(retryAfter !== undefined && Number.isFinite(Number(retryAfter)) ? { retryAfterSeconds: Number(retryAfter) } : {}),
            });
          });
          res.on('error', (err: NodeJS.ErrnoException) => finish({ status: err.code ?? 'response-error' }));
        },
      );
      req.on('socket', (socket) => {
        if (!sockets.has(socket)) {
          sockets.add(socket);
          socketsOpened += 1;
        }
      });
      req.setTimeout(options.attemptTimeoutMs, () => {
        finish({ status: 'timeout' });
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => finish({ status: err.code ?? 'request-error' }));
      req.end(payload);
    });

  const burstStart = performance.now();
  const startedAtEpochMs = Date.now();

  const run = async (index: number): Promise<void> => {
    const payload = JSON.stringify(options.body(index));
    const firstSend = performance.now();
    let first: Attempt | undefined;
    let last: Attempt | undefined;
    let attempts = 0;
    let ok = false;
    while (attempts < options.maxAttempts) {
      attempts += 1;
      if (attempts > 1) retries += 1;
      const attempt = await send(index, payload);
      first ??= attempt;
      last = attempt;
      attemptStatuses[attempt.status] = (attemptStatuses[attempt.status] ?? 0) + 1;
      (attemptLatencies[attempt.status] ??= []).push(attempt.latencyMs);
      if (attempt.serverMs !== undefined) (serverLatencies[attempt.status] ??= []).push(attempt.serverMs);
      if (options.accepted.includes(Number(attempt.status))) {
        ok = true;
        if (options.onAccepted && attempt.body) options.onAccepted(index, JSON.parse(attempt.body));
        break;
      }
      let waitMs: number;
      if (SHED.has(attempt.status)) {
        shed += 1;
        if (attempt.retryAfterSeconds !== undefined) shedWithRetryAfter += 1;
        // Jitter spreads the retries of a shed burst instead of returning them all at once.
        waitMs = (attempt.retryAfterSeconds ?? 1) * 1000 + Math.random() * 1000;
      } else if (/^\d+$/.test(attempt.status) && Number(attempt.status) < 500) {
        break; // a client error: retrying would not change it
      } else {
        waitMs = NETWORK_RETRY_MS + Math.random() * 1000;
      }
      if (performance.now() + waitMs - burstStart > options.deadlineMs) break;
      await sleep(waitMs);
    }
    const now = performance.now();
    outcomes[index] = {
      index,
      attempts,
      firstStatus: first!.status,
      firstLatencyMs: first!.latencyMs,
      finalStatus: last!.status,
      ok,
      ...(ok ? { acceptLatencyMs: now - firstSend, acceptedAtMs: now - burstStart } : {}),
    };
    done += 1;
  };

  const progress = options.onProgress
    ? setInterval(() => options.onProgress!(done, inFlight), 1_000)
    : undefined;
  let next = 0;
  const lanes = Array.from({ length: Math.min(options.concurrency, options.count) }, async () => {
    for (;;) {
      const index = next++;
      if (index >= options.count) return;
      const notBefore = (options.startIntervalMs ?? 0) * index;
      const wait = notBefore - (performance.now() - burstStart);
      if (wait > 0) await sleep(wait);
      await run(index);
    }
  });
  await Promise.all(lanes);
  if (progress) clearInterval(progress);
  const durationMs = performance.now() - burstStart;
  agent.destroy();
  return {
    startedAtEpochMs,
    durationMs,
    outcomes,
    attemptStatuses,
    shed,
    shedWithRetryAfter,
    retries,
    socketsOpened,
    peakInFlight,
    attemptLatencies,
    serverLatencies,
  };
}
