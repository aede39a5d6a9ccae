/**
 * API keys for `npm start` on the embedded default (R-SEC-2): a newcomer can call the API at
 * once. On the first start one key per role is generated (owners `local-support`, …) and
 * printed; they are stored hashed, so later starts can only say that they exist and how to make
 * new ones. A key given in the environment (`API_KEY_SUPPORT`, `API_KEY_ONCALL`,
 * `API_KEY_MANAGER`, `API_KEY_ADMIN`, `API_KEY_INTEGRATION`) is adopted instead (its hash
 * added to the store), which is how scripts and tests start the engine with a key they know.
 */
import { ApiKeyStore } from '../api/api-keys';
import { ROLES, type Role } from '../domain/roles';

export const LOCAL_OWNER_PREFIX = 'local-';

export function environmentKeyName(role: Role): string {
  return `API_KEY_${role.toUpperCase()}`;
}

export interface LocalKeys {
  /** Keys generated now, by role: printable this once. */
  generated: Partial<Record<Role, string>>;
  /** Roles whose key came from the environment. */
  adopted: Role[];
  /** Roles that already had a local key (from an earlier start). */
  existing: Role[];
}

export function prepareLocalKeys(path: string, env: NodeJS.ProcessEnv): LocalKeys {
  const store = new ApiKeyStore({ path });
  const result: LocalKeys = { generated: {}, adopted: [], existing: [] };
  const active = store.list().filter((key) => key.revokedAt === undefined);
  for (const role of ROLES) {
    const owner = `${LOCAL_OWNER_PREFIX}${role}`;
    const given = env[environmentKeyName(role)];
    if (given) {
      store.adopt(owner, role, given.trim());
      result.adopted.push(role);
    } else if (active.some((key) => key.owner === owner && key.role === role)) {
      result.existing.push(role);
    } else {
      result.generated[role] = store.create(owner, role).secret;
    }
  }
  return result;
}

/** What `npm start` prints about the keys: secrets only when just generated. */
export function describeLocalKeys(keys: LocalKeys, displayPath: string): string[] {
  const lines: string[] = [];
  const generated = Object.entries(keys.generated);
  if (generated.length) {
    lines.push(`API keys generated for this machine (shown ONCE; ${displayPath} keeps only their hashes):`);
    for (const [role, secret] of generated) lines.push(`  ${role.padEnd(12)} ${secret}`);
    lines.push(`  try: curl -H "Authorization: Bearer <key>" http://localhost:<port>/me`);
  }
  if (keys.adopted.length) lines.push(`API keys from the environment: ${keys.adopted.map((r) => environmentKeyName(r)).join(', ')}`);
  if (keys.existing.length) {
    lines.push(
      `API keys for ${keys.existing.join(', ')} exist in ${displayPath} (stored hashed, so they cannot be shown again); ` +
        `make another with: npm run keys -- create --owner <you> --role <role>`,
    );
  }
  return lines;
}
