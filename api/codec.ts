/**
 * Codec endpoint for the Temporal Web UI (R-SEC-1): the UI posts the encrypted payloads it shows
 * to `POST /codec/decode` and gets them back in clear, so people with the token can read an
 * incident's history while the Temporal server only ever stores ciphertext. `POST /codec/encode`
 * is the other half of the protocol (the UI uses it for signals and resets sent from the UI).
 *
 * Protocol (docs.temporal.io "Codec Server", samples-typescript `encryption/src/codec-server.ts`):
 * body `{ "payloads": [{ "metadata": { key: base64 }, "data": base64 }] }` in and out,
 * `Content-Type: application/json`, CORS preflight from the Web UI origin. Configure the UI's
 * codec endpoint as `<API base URL>/codec`.
 *
 * Every request must carry `Authorization: Bearer <token>`; without a token configured the
 * router serves nothing (the routes answer 404 as any unknown path does).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';

export interface CodecRouterDependencies {
  /** The same codec the worker and the API's client use. */
  codec: PayloadCodec;
  /** The bearer token callers must present; the endpoint is off when unset. */
  authToken?: string;
  /** Origins allowed to call from a browser: the Temporal Web UI's, e.g. `http://localhost:8233`. */
  corsOrigins?: readonly string[];
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const bodySchema = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), base64).nullish(),
        data: base64.nullish(),
      }),
    )
    .max(1_000),
});

type JsonPayload = z.infer<typeof bodySchema>['payloads'][number];

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: metadata ? Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')])) : {},
    data: data ? Buffer.from(data, 'base64') : new Uint8Array(),
  };
}

function toJson({ metadata, data }: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
  };
}

/** Constant-time comparison of the presented token with the configured one (hashed to equal length). */
function tokenMatches(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The `/codec` routes; mount with `app.use(createCodecRouter(…))` before the JSON 404 handler. */
export function createCodecRouter(deps: CodecRouterDependencies): Router {
  const router = express.Router();
  const { authToken } = deps;
  if (!authToken) return router;
  const allowedOrigins = new Set(deps.corsOrigins ?? []);

  const cors = (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    if (origin && allowedOrigins.has(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    }
    if (req.method === 'OPTIONS') {
      res.sendStatus(204);
      return;
    }
    next();
  };

  const authenticate = (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    if (!match?.[1] || !tokenMatches(match[1], authToken)) {
      res.set('WWW-Authenticate', 'Bearer realm="codec"').status(401).json({ error: 'unauthorized', message: 'a valid bearer token is required' });
      return;
    }
    next();
  };

  const handle = (direction: 'encode' | 'decode') => async (req: Request, res: Response): Promise<void> => {
    const parsed = bodySchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'validation', message: 'body must be { "payloads": [{ "metadata": {…base64}, "data": base64 }] }' });
      return;
    }
    const payloads = parsed.data.payloads.map(fromJson);
    try {
      const result = await deps.codec[direction](payloads);
      res.json({ payloads: result.map(toJson) });
    } catch (err) {
      // The codec's messages name key ids and failure kinds, never payload contents.
      res.status(400).json({ error: 'codec', message: err instanceof Error ? err.message : String(err) });
    }
  };

  router.options(['/codec/encode', '/codec/decode'], cors);
  router.post('/codec/encode', cors, authenticate, express.json({ limit: '4mb' }), handle('encode'));
  router.post('/codec/decode', cors, authenticate, express.json({ limit: '4mb' }), handle('decode'));
  return router;
}
