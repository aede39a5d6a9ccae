/**
 * The API key store (R-SEC-2): one JSON file (`API_KEYS_FILE`, default `data/api-keys.json`,
 * mode 0600) holding, per key, its id, owner, role, dates and the SHA-256 of the secret — never
 * the secret itself. A key is `cie_` + 32 random bytes in base64url (256 bits): a plain SHA-256
 * is enough to store it, because nobody can guess such a secret from its hash (a slow password
 * hash only matters for low-entropy secrets people choose).
 *
 * Every write goes to a temporary file in the same folder, is flushed, and replaces the file by
 * rename: a reader sees the old file or the new one, never half of one. Every reader re-reads
 * the file when its identity (inode, size, mtime) changed, so a key created, rotated or revoked
 * by another process (`npm run keys`, a second API instance) counts at the next request,
 * without a restart. Two writers racing each keep their own change only if they do not
 * interleave; key administration is rare and done by one person at a time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ROLES, type Principal, type Role } from '../domain/roles';

/** What every key starts with, so a leaked one is recognisable (secret scanners, log review). */
export const KEY_PREFIX = 'cie_';
const SECRET_BYTES = 32;
const KEY_PATTERN = /^cie_[A-Za-z0-9_-]{43}$/;

const storedKeySchema = z.object({
  id: z.string().regex(/^key_[0-9a-f]{16}$/),
  owner: z.string().min(1).max(100),
  role: z.enum(ROLES),
  /** SHA-256 of the whole key, hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  rotatedAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
const keyFileSchema = z.object({ version: z.literal(1), keys: z.array(storedKeySchema) });

export type StoredKey = z.infer<typeof storedKeySchema>;
/** A key as administrators see it: everything but the hash. */
export type ApiKeyInfo = Omit<StoredKey, 'sha256'>;

/** An owner names a person or a system; shown on the timeline, so it is short and printable. */
export const ownerSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'at most 100 characters')
  // Spelled as code points, not \p{Cc}: the OpenAPI document carries the pattern, and fuzzers
  // and clients must be able to read it.
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .regex(/^[^\u0000-\u001f\u007f-\u009f]+$/, 'must not contain control characters');

function sha256(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

function newSecret(): string {
  return KEY_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

function info({ sha256: _hash, ...rest }: StoredKey): ApiKeyInfo {
  return rest;
}

export class UnknownKeyError extends Error {
  constructor(readonly id: string) {
    super(`no such key: ${id}`);
  }
}

interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface ApiKeyStoreOptions {
  /** The key file; created (with its folder) on the first write. */
  path: string;
  /** Milliseconds since the epoch, for the dates on each key. */
  clock?: () => number;
}

export class ApiKeyStore {
  readonly path: string;
  private readonly clock: () => number;
  private keys: StoredKey[] = [];
  private identity: FileIdentity | undefined;

  constructor(options: ApiKeyStoreOptions) {
    this.path = resolve(options.path);
    this.clock = options.clock ?? Date.now;
    this.refresh();
  }

  /** Re-reads the file if it changed since the last read (a `stat`, nothing more, when it did not). */
  private refresh(): void {
    let stat;
    try {
      stat = statSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.keys = [];
      this.identity = undefined;
      return;
    }
    const identity = { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs };
    if (this.identity && this.identity.ino === identity.ino && this.identity.size === identity.size && this.identity.mtimeMs === identity.mtimeMs) {
      return;
    }
    const parsed = keyFileSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
    if (!parsed.success) {
      throw new Error(`API_KEYS_FILE ${this.path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    this.keys = parsed.data.keys;
    this.identity = identity;
  }

  private write(keys: StoredKey[]): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ version: 1, keys }, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
    this.identity = undefined;
    this.refresh();
  }

  /**
   * The principal a presented key belongs to, or `undefined` (unknown, malformed or revoked).
   * The presented key's hash is compared with EVERY stored hash by `timingSafeEqual`, without
   * stopping at a match: the time taken says nothing about which bytes, or which key, matched.
   */
  authenticate(presented: string): Principal | undefined {
    this.refresh();
    const digest = sha256(presented);
    let found: StoredKey | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(digest, Buffer.from(key.sha256, 'hex')) && !found) found = key;
    }
    if (!found || found.revokedAt !== undefined || !KEY_PATTERN.test(presented)) return undefined;
    return { keyId: found.id, owner: found.owner, role: found.role };
  }

  list(): ApiKeyInfo[] {
    this.refresh();
    return this.keys.map(info);
  }

  get(id: string): ApiKeyInfo | undefined {
    this.refresh();
    const key = this.keys.find((k) => k.id === id);
    return key ? info(key) : undefined;
  }

  /** A new key; the secret is returned once and never stored. */
  create(owner: string, role: Role): { key: ApiKeyInfo; secret: string } {
    this.refresh();
    const secret = newSecret();
    const stored: StoredKey = {
      id: `key_${randomBytes(8).toString('hex')}`,
      owner: ownerSchema.parse(owner),
      role,
      sha256: sha256(secret).toString('hex'),
      createdAt: new Date(this.clock()).toISOString(),
    };
    this.write([...this.keys, stored]);
    return { key: info(stored), secret };
  }

  /**
   * Makes sure `secret` (a key given from outside, e.g. `API_KEY_MANAGER` for `npm start`) is a
   * key of `owner` with `role`: added if absent, left alone if present. Only its hash is kept.
   */
  adopt(owner: string, role: Role, secret: string): ApiKeyInfo {
    if (!KEY_PATTERN.test(secret)) throw new Error(`a key must be ${KEY_PREFIX} followed by 43 base64url characters`);
    this.refresh();
    const hash = sha256(secret).toString('hex');
    const existing = this.keys.find((k) => k.sha256 === hash);
    if (existing) {
      if (existing.revokedAt !== undefined) throw new Error(`key ${existing.id} is revoked; give another`);
      if (existing.role !== role) throw new Error(`key ${existing.id} has the role ${existing.role}, not ${role}`);
      return info(existing);
    }
    const stored: StoredKey = {
      id: `key_${randomBytes(8).toString('hex')}`,
      owner: ownerSchema.parse(owner),
      role,
      sha256: hash,
      createdAt: new Date(this.clock()).toISOString(),
    };
    this.write([...this.keys, stored]);
    return info(stored);
  }

  /** A new secret for the same id, owner and role; the old secret stops working at once. */
  rotate(id: string): { key: ApiKeyInfo; secret: string } {
    this.refresh();
    const existing = this.keys.find((k) => k.id === id);
    if (!existing) throw new UnknownKeyError(id);
    if (existing.revokedAt !== undefined) throw new Error(`key ${id} is revoked; create a new one`);
    const secret = newSecret();
    const rotated: StoredKey = { ...existing, sha256: sha256(secret).toString('hex'), rotatedAt: new Date(this.clock()).toISOString() };
    this.write(this.keys.map((k) => (k.id === id ? rotated : k)));
    return { key: info(rotated), secret };
  }

  /** Revokes a key for good (it stays listed, with `revokedAt`, for the audit). Idempotent. */
  revoke(id: string): ApiKeyInfo {
    this.refresh();
    const existing = this.keys.find((k) => k.id === id);
    if (!existing) throw new UnknownKeyError(id);
    if (existing.revokedAt !== undefined) return info(existing);
    const revoked: StoredKey = { ...existing, revokedAt: new Date(this.clock()).toISOString() };
    this.write(this.keys.map((k) => (k.id === id ? revoked : k)));
    return info(revoked);
  }
}
