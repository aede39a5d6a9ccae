// R-SEC-2, the keys themselves: stored hashed in a 0600 file, compared in constant time, rotated
// and revoked through the API or the command-line store while the API keeps running (no
// restart), and never shown again after the answer that created them. No Temporal needed: the
// key routes and `/me` answer before the engine is asked.
import * as crypto from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { ApiKeyStore } from '../../api/api-keys';
import { createApp } from '../../api/app';
import { ROLE_PERMISSIONS } from '../../domain/roles';
import { prepareLocalKeys } from '../../scripts/local-keys';
import { createTestKeys, type TestKeys } from '../support/api-keys';

/** Never called: nothing in this file reaches the engine. */
const client = {} as unknown as Client;

let keys: TestKeys;
let server: Server;
let base: string;

beforeAll(async () => {
  keys = createTestKeys();
  server = createApp({ client, namespace: 'default', temporalUiUrl: 'http://localhost:8233', auth: { keys: keys.store } }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function call(method: string, path: string, key: string | undefined, body?: unknown) {
  const response = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : undefined };
}

test('GET /me says who the key belongs to and what its role may do', async () => {
  const me = await call('GET', '/me', keys.keys.support);
  expect(me.status).toBe(200);
  expect(me.body).toEqual({ id: keys.ids.support, owner: 'test-support', role: 'support', permissions: [...ROLE_PERMISSIONS.support] });
  const none = await call('GET', '/me', undefined);
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
});

test('the key file holds hashes only, mode 0600, and listings never carry a secret or a hash', async () => {
  const file = readFileSync(keys.store.path, 'utf8');
  for (const secret of Object.values(keys.keys)) {
    expect(secret).toMatch(/^cie_[A-Za-z0-9_-]{43}$/);
    expect(file).not.toContain(secret);
    expect(file).not.toContain(secret.slice(4));
    expect(file).toContain(crypto.createHash('sha256').update(secret).digest('hex'));
  }
  expect(statSync(keys.store.path).mode & 0o777).toBe(0o600);

  const listed = await call('GET', '/admin/keys', keys.keys.admin);
  expect(listed.status).toBe(200);
  expect(listed.body.count).toBeGreaterThanOrEqual(5);
  for (const secret of Object.values(keys.keys)) expect(listed.text).not.toContain(secret);
  expect(listed.text).not.toMatch(/[0-9a-f]{64}/);
  expect(listed.text).not.toContain('sha256');
});

test('every lookup compares the hash with every stored one by timingSafeEqual, without stopping at a match', () => {
  // The module object the store's `require('node:crypto')` gets (the namespace import is a copy).
  const spy = jest.spyOn(jest.requireActual<typeof crypto>('node:crypto'), 'timingSafeEqual');
  try {
    const stored = keys.store.list().length;
    // The first key in the file matches: a short-circuiting compare would stop after one.
    expect(keys.store.authenticate(keys.keys.support)?.role).toBe('support');
    expect(spy).toHaveBeenCalledTimes(stored);
    spy.mockClear();
    expect(keys.store.authenticate(`cie_${'B'.repeat(43)}`)).toBeUndefined();
    expect(spy).toHaveBeenCalledTimes(stored);
  } finally {
    spy.mockRestore();
  }
});

test('created, rotated and revoked through /admin/keys: each counts at the next request, no restart', async () => {
  const created = await call('POST', '/admin/keys', keys.keys.admin, { owner: 'agent-zhou', role: 'support' });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe(`/admin/keys/${created.body.id}`);
  const first = created.body.key as string;
  expect((await call('GET', '/me', first)).body).toMatchObject({ owner: 'agent-zhou', role: 'support' });

  const rotated = await call('POST', `/admin/keys/${created.body.id}/rotate`, keys.keys.admin);
  expect(rotated.status).toBe(200);
  const second = rotated.body.key as string;
  expect(second).not.toBe(first);
  expect((await call('GET', '/me', first)).status).toBe(401);
  expect((await call('GET', '/me', second)).body).toMatchObject({ id: created.body.id, owner: 'agent-zhou', role: 'support' });

  const revoked = await call('DELETE', `/admin/keys/${created.body.id}`, keys.keys.admin);
  expect(revoked.status).toBe(200);
  expect(revoked.body.revokedAt).toEqual(expect.any(String));
  expect((await call('GET', '/me', second)).status).toBe(401);
  expect((await call('POST', `/admin/keys/${created.body.id}/rotate`, keys.keys.admin)).status).toBe(409);

  // Only an administrator manages keys; a manager may not mint itself one.
  const refused = await call('POST', '/admin/keys', keys.keys.manager, { owner: 'me', role: 'admin' });
  expect(refused.status).toBe(403);
  expect(refused.body.permission).toBe('keys:admin');
  const invalid = await call('POST', '/admin/keys', keys.keys.admin, { owner: '', role: 'root' });
  expect(invalid.status).toBe(400);
  expect([...new Set(invalid.body.fields.map((f: { field: string }) => f.field))].sort()).toEqual(['owner', 'role']);
});

test('a change made by another process on the same file (npm run keys) counts without a restart', async () => {
  const cli = new ApiKeyStore({ path: keys.store.path });
  const { key, secret } = cli.create('integration-crm', 'integration');
  expect((await call('GET', '/me', secret)).body).toMatchObject({ id: key.id, role: 'integration' });
  const rotated = cli.rotate(key.id);
  expect((await call('GET', '/me', secret)).status).toBe(401);
  expect((await call('GET', '/me', rotated.secret)).status).toBe(200);
  cli.revoke(key.id);
  expect((await call('GET', '/me', rotated.secret)).status).toBe(401);
});

test('npm start: one local key per role on the first start, none printed again, environment keys adopted', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'local-keys-')), 'api-keys.json');
  const first = prepareLocalKeys(path, {});
  expect(Object.keys(first.generated).sort()).toEqual(['admin', 'integration', 'manager', 'oncall', 'support']);
  const store = new ApiKeyStore({ path });
  expect(store.authenticate(first.generated.manager!)).toMatchObject({ owner: 'local-manager', role: 'manager' });
  const second = prepareLocalKeys(path, {});
  expect(second.generated).toEqual({});
  expect(second.existing).toHaveLength(5);
  const given = `cie_${crypto.randomBytes(32).toString('base64url')}`;
  const third = prepareLocalKeys(path, { API_KEY_ONCALL: given });
  expect(third.adopted).toEqual(['oncall']);
  expect(store.authenticate(given)).toMatchObject({ owner: 'local-oncall', role: 'oncall' });
  expect(readFileSync(path, 'utf8')).not.toContain(given);
  expect(() => prepareLocalKeys(path, { API_KEY_ADMIN: 'not-a-key' })).toThrow(/cie_/);
});
