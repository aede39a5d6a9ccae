/**
 * Input limits the API holds every caller to, before any handler runs: security headers on
 * every answer, and a per-client rate limit answered with 429 and `Retry-After` (issue 6,
 * "Inputs"). Body size (64 kB) and string lengths are held by `express.json` and the schemas.
 */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';

export interface RateLimitOptions {
  /** Sustained requests per minute per client (the bucket refills at this rate). */
  perMinute: number;
  /** Requests a client may send at once before being slowed; `perMinute` when unset. */
  burst?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
}

export interface LimitsOptions {
  /** Off when unset: the engine's own tests and the load benchmark are never throttled. */
  rateLimit?: RateLimitOptions;
}

/** Paths a rate limit never applies to: health probes must see the truth, not a 429. */
const UNLIMITED_PATHS = new Set(['/healthz']);

/** At most this many clients are remembered; full (idle) buckets are dropped first. */
const MAX_TRACKED_CLIENTS = 10_000;

/**
 * Headers every answer carries. JSON needs no scripts, frames or sources of any kind, so the
 * CSP allows nothing; the HTML pages (`/incidents/:id/history`, `/ack/:token`) set their own,
 * which replaces this one. `no-store`: incident data is personal data (R-SEC-1) and must not
 * sit in shared or browser caches.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
};

export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  };
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per client, in process: the API key sent (`Authorization: Bearer …`, R-SEC-2;
 * remembered by its hash, never in clear), so a key is limited wherever it calls from; else the
 * client's IP. A refused request answers 429 with `Retry-After` in whole seconds: when the next
 * token will be there.
 */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  if (!(options.perMinute > 0)) throw new Error('rate limit: perMinute must be positive');
  const capacity = Math.max(1, options.burst ?? options.perMinute);
  const perMs = options.perMinute / 60_000;
  const clock = options.clock ?? Date.now;
  const buckets = new Map<string, Bucket>();

  function refill(bucket: Bucket, now: number): void {
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
  }

  function forgetIdle(now: number): void {
    for (const [key, bucket] of buckets) {
      refill(bucket, now);
      if (bucket.tokens >= capacity) buckets.delete(key);
    }
    // Still full of active clients: forget the oldest rather than grow without bound.
    for (const key of buckets.keys()) {
      if (buckets.size < MAX_TRACKED_CLIENTS) break;
      buckets.delete(key);
    }
  }

  return (req, res, next) => {
    if (UNLIMITED_PATHS.has(req.path)) return next();
    const apiKey = /^Bearer[ ]+(\S+)/i.exec(req.get('authorization') ?? '')?.[1];
    const key = apiKey ? `key:${createHash('sha256').update(apiKey).digest('base64url')}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
    const now = clock();
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= MAX_TRACKED_CLIENTS) forgetIdle(now);
      bucket = { tokens: capacity, updatedAt: now };
      buckets.set(key, bucket);
    } else {
      refill(bucket, now);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return next();
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    res
      .status(429)
      .set('Retry-After', String(retryAfterSeconds))
      .json({ error: `too many requests: at most ${options.perMinute} a minute per client; retry in ${retryAfterSeconds} s` });
  };
}

/** Headers, then the rate limit (if configured), in that order: a 429 carries the headers too. */
export function limits(options: LimitsOptions = {}): RequestHandler[] {
  return [securityHeaders(), ...(options.rateLimit ? [rateLimit(options.rateLimit)] : [])];
}
