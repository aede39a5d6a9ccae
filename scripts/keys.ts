/**
 * `npm run keys -- <command>`: API key administration from the command line (R-SEC-2), on the
 * same key file the API reads (`API_KEYS_FILE`, default `data/api-keys.json`). The running API
 * sees every change at its next request: no restart.
 *
 *   npm run keys -- create --owner agent-li --role support   # prints the key, once
 *   npm run keys -- list
 *   npm run keys -- rotate key_0123456789abcdef               # prints the new key, once
 *   npm run keys -- revoke key_0123456789abcdef
 */
import { parseArgs } from 'node:util';
import { ApiKeyStore } from '../api/api-keys';
import { readEnvironment } from '../config/env';
import { ROLES, isRole } from '../domain/roles';

const USAGE = `usage: npm run keys -- create --owner <name> --role <${ROLES.join('|')}>
       npm run keys -- list
       npm run keys -- rotate <key id>
       npm run keys -- revoke <key id>`;

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { owner: { type: 'string' }, role: { type: 'string' }, file: { type: 'string' } },
    allowPositionals: true,
  });
  const [command, id] = positionals;
  const store = new ApiKeyStore({ path: values.file ?? readEnvironment().API_KEYS_FILE });
  switch (command) {
    case 'create': {
      if (!values.owner || !isRole(values.role)) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
      }
      const { key, secret } = store.create(values.owner, values.role);
      process.stdout.write(`${key.id} ${key.role} ${key.owner}\n${secret}\n(shown once: only its hash is stored in ${store.path})\n`);
      return 0;
    }
    case 'list':
      for (const key of store.list()) {
        const state = key.revokedAt ? `revoked ${key.revokedAt}` : key.rotatedAt ? `rotated ${key.rotatedAt}` : 'active';
        process.stdout.write(`${key.id}  ${key.role.padEnd(11)}  ${key.owner}  created ${key.createdAt}  ${state}\n`);
      }
      return 0;
    case 'rotate':
    case 'revoke': {
      if (!id) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
      }
      if (command === 'rotate') {
        const { key, secret } = store.rotate(id);
        process.stdout.write(`${key.id} ${key.role} ${key.owner}\n${secret}\n(the old secret no longer works)\n`);
      } else {
        const key = store.revoke(id);
        process.stdout.write(`${key.id} revoked at ${key.revokedAt}\n`);
      }
      return 0;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`keys: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
