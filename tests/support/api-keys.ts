/**
 * A real key store for tests (R-SEC-2): a fresh file in a temporary folder with one key per
 * role, owned by `test-<role>`, so tests call the API as each role does.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyStore } from '../../api/api-keys';
import { ROLES, type Role } from '../../domain/roles';

export interface TestKeys {
  store: ApiKeyStore;
  /** The secret of each role's key. */
  keys: Record<Role, string>;
  /** The id of each role's key. */
  ids: Record<Role, string>;
  /** `Authorization` headers for a role's key. */
  as(role: Role): Record<string, string>;
}

export function createTestKeys(path = join(mkdtempSync(join(tmpdir(), 'api-keys-')), 'api-keys.json')): TestKeys {
  const store = new ApiKeyStore({ path });
  const keys = {} as Record<Role, string>;
  const ids = {} as Record<Role, string>;
  for (const role of ROLES) {
    const { key, secret } = store.create(`test-${role}`, role);
    keys[role] = secret;
    ids[role] = key.id;
  }
  return { store, keys, ids, as: (role) => ({ authorization: `Bearer ${keys[role]}` }) };
}
