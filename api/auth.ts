/**
 * Authentication and authorisation (R-SEC-2). Callers present an API key as
 * `Authorization: Bearer cie_…`; `authenticateRequests(store)` (mounted once, before the routes)
 * resolves it to a principal — key id, owner, role — and every route that needs one names its
 * permission with `requirePermission(p)`:
 *
 *     router.get('/reports/monthly', requirePermission('reports:read'), handler)
 *
 * Answers: 401 with `WWW-Authenticate: Bearer` for a missing, malformed, unknown or revoked key;
 * 403 naming the missing permission for a valid key without it. The actor of every action is
 * the key's owner and role (`actorOf(req)`): there is no header a caller can set to be someone
 * else.
 *
 * Public on purpose (no `requirePermission`): `/healthz`, `/openapi.json`, the Twilio webhooks
 * and signed acknowledgement links (each carries its own signature), the codec endpoint (its own
 * bearer token) and the static dashboard shell (its data comes from the API, with a key).
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { ROLES, hasPermission, permissionsOf, type Permission, type Principal } from '../domain/roles';
import type { Actor } from '../workflows/contracts';
import { UnknownKeyError, ownerSchema, type ApiKeyStore } from './api-keys';
import { HttpError, validationError } from './errors';

/** What the app needs to authenticate callers: the key store. */
export interface AuthDependencies {
  keys: ApiKeyStore;
}

type Authentication = { principal: Principal } | { problem: string };

const authentications = new WeakMap<Request, Authentication>();

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/**
 * Reads the `Authorization` header of every request and remembers who (if anyone) it proves.
 * It answers nothing itself: public routes ignore it, protected routes ask `requirePermission`.
 */
export function authenticateRequests(deps: AuthDependencies): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (header === undefined) {
      authentications.set(req, { problem: 'an API key is required: send Authorization: Bearer <key>' });
      return next();
    }
    const presented = BEARER.exec(header)?.[1];
    if (!presented) {
      authentications.set(req, { problem: 'the Authorization header must be: Bearer <key>' });
      return next();
    }
    let principal: Principal | undefined;
    try {
      principal = deps.keys.authenticate(presented);
    } catch (err) {
      return next(err);
    }
    authentications.set(req, principal ? { principal } : { problem: 'the API key is unknown or revoked' });
    next();
  };
}

function unauthorized(res: Response, message: string): void {
  res.set('WWW-Authenticate', 'Bearer realm="claims-incidents"').status(401).json({ error: message });
}

/** The principal of an authenticated request; 401 when there is none. */
export function principalOf(req: Request): Principal {
  const authentication = authentications.get(req);
  if (authentication && 'principal' in authentication) return authentication.principal;
  throw new HttpError(401, authentication?.problem ?? 'an API key is required: send Authorization: Bearer <key>');
}

/** The actor recorded on the timeline for this request: the key's owner and role (R-SEC-2). */
export function actorOf(req: Request): Actor {
  const { owner, role } = principalOf(req);
  return { name: owner, role };
}

/**
 * Lets the request through when its key grants any of `permissions`; else 401 (no valid key)
 * or 403 naming the permission needed.
 */
export function requirePermission(...permissions: [Permission, ...Permission[]]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const authentication = authentications.get(req);
    if (!authentication) {
      // The app was built without `authenticateRequests`: refuse rather than let anyone in.
      return unauthorized(res, 'an API key is required: send Authorization: Bearer <key>');
    }
    if ('problem' in authentication) return unauthorized(res, authentication.problem);
    const { role } = authentication.principal;
    if (permissions.some((permission) => hasPermission(role, permission))) return next();
    res.status(403).json({
      error: `the ${role} role lacks the permission ${permissions.join(' or ')}`,
      permission: permissions[0],
      role,
    });
  };
}

export const createKeyBodySchema = z.object({ owner: ownerSchema, role: z.enum(ROLES) }).strict();
export const keyIdSchema = z.string().regex(/^key_[0-9a-f]{16}$/, 'not a key id');

function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'path'): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/**
 * `GET /me` (any valid key) and the key administration routes (`keys:admin`):
 * `GET /admin/keys`, `POST /admin/keys`, `POST /admin/keys/:id/rotate`, `DELETE /admin/keys/:id`.
 * A secret is shown once, in the answer that creates or rotates it; listings never carry
 * secrets or hashes.
 */
export function createAuthRouter(auth: AuthDependencies | undefined): Router {
  const router = express.Router();
  const admin = requirePermission('keys:admin');
  // Without a store no request is authenticated, so `admin` lets none through to `keys()`.
  const deps = {
    get keys(): ApiKeyStore {
      if (!auth) throw new HttpError(401, 'no API keys are configured');
      return auth.keys;
    },
  };

  router.get('/me', (req, res) => {
    const principal = principalOf(req);
    res.json({ id: principal.keyId, owner: principal.owner, role: principal.role, permissions: permissionsOf(principal.role) });
  });

  router.get('/admin/keys', admin, (_req, res) => {
    const keys = deps.keys.list();
    res.json({ keys, count: keys.length });
  });

  router.post('/admin/keys', admin, (req, res) => {
    const { owner, role } = parse(createKeyBodySchema, req.body, 'body');
    const { key, secret } = deps.keys.create(owner, role);
    // The audit trail of who may do what (R-SEC-2): ids, roles and owners, never a secret.
    console.log(`api key ${key.id} (${key.role}, owner ${key.owner}) created by ${principalOf(req).owner}`);
    res.status(201).location(`/admin/keys/${key.id}`).json({ ...key, key: secret });
  });

  const keyIdOf = (req: Request): string => parse(keyIdSchema, req.params.id, 'path');
  const notFound = (err: unknown): never => {
    if (err instanceof UnknownKeyError) throw new HttpError(404, 'no such key');
    throw err;
  };

  router.post('/admin/keys/:id/rotate', admin, (req, res) => {
    const id = keyIdOf(req);
    const current = deps.keys.get(id);
    if (!current) throw new HttpError(404, 'no such key');
    if (current.revokedAt !== undefined) throw new HttpError(409, 'the key is revoked; create a new one');
    try {
      const { key, secret } = deps.keys.rotate(id);
      console.log(`api key ${key.id} (${key.role}, owner ${key.owner}) rotated by ${principalOf(req).owner}`);
      res.json({ ...key, key: secret });
    } catch (err) {
      notFound(err);
    }
  });

  router.delete('/admin/keys/:id', admin, (req, res) => {
    const id = keyIdOf(req);
    try {
      const revoked = deps.keys.revoke(id);
      console.log(`api key ${revoked.id} (${revoked.role}, owner ${revoked.owner}) revoked by ${principalOf(req).owner}`);
      res.json(revoked);
    } catch (err) {
      notFound(err);
    }
  });

  return router;
}
