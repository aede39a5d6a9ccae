// R-SEC-2, the whole matrix: EVERY operation of the served OpenAPI document × every role, no key,
// a bad key and a revoked key, against the real stack (dev server, worker, app with paging and
// detection mounted), asserting the exact status. The operations come from `/openapi.json`, which
// `openapi.test.ts` proves lists every Express route: a new route appears here by itself and
// fails until ACCESS below says who may call it and what a valid call answers.
import { join } from 'node:path';
import { readDetectionConfig } from '../../config/detection';
import { readRoster } from '../../config/env';
import { ROLES, ROLE_PERMISSIONS, type Permission, type Role } from '../../domain/roles';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { ApiKeyStore } from '../../api/api-keys';
import { API_OPERATIONS } from '../../api/openapi';

type Access = 'public' | 'any-key' | readonly Permission[];

/**
 * Who may call each operation (the spec this test holds the app to) and the status a valid call
 * answers on this stack: unknown incidents answer 404 to everyone allowed to ask, so the statuses
 * do not depend on the order the cases run in.
 */
const ACCESS: Record<string, { access: Access; ok: number; query?: string }> = {
  reportIncident: { access: ['incidents:report'], ok: 201 },
  listArchivedIncidents: { access: ['incidents:read', 'incidents:read-own'], ok: 200 },
  markTypicalCase: { access: ['cases:write'], ok: 404 },
  findCases: { access: ['cases:read'], ok: 200 },
  listDrillScenarios: { access: ['drills:run'], ok: 200 },
  startDrill: { access: ['drills:run'], ok: 201 },
  getDrillReport: { access: ['drills:run'], ok: 404 },
  getIncident: { access: ['incidents:read', 'incidents:read-own'], ok: 404 },
  reclassifyIncident: { access: ['incidents:act', 'incidents:reclassify'], ok: 404 },
  getIncidentHistory: { access: ['incidents:read', 'incidents:read-own'], ok: 404 },
  acknowledgeIncident: { access: ['incidents:act'], ok: 404 },
  recordProgress: { access: ['incidents:act'], ok: 404 },
  recordContact: { access: ['incidents:act'], ok: 404 },
  recordSolution: { access: ['incidents:act'], ok: 404 },
  addNote: { access: ['incidents:act'], ok: 404 },
  resolveIncident: { access: ['incidents:act'], ok: 404 },
  health: { access: 'public', ok: 200 },
  openApiDocument: { access: 'public', ok: 200 },
  dashboard: { access: 'public', ok: 200 },
  dashboardAsset: { access: 'public', ok: 200 },
  whoIsOnCall: { access: ['oncall:read'], ok: 200 },
  // Signed by Twilio, not by a key: unsigned, they answer 403 whoever sends them.
  twilioSms: { access: 'public', ok: 403 },
  twilioVoice: { access: 'public', ok: 403 },
  twilioVoiceGather: { access: 'public', ok: 403 },
  twilioVoiceGet: { access: 'public', ok: 403 },
  // Signed link: a forged token answers 403 whoever follows it.
  acknowledgeByLink: { access: 'public', ok: 403 },
  submitSignal: { access: ['signals:write'], ok: 200 },
  // An event never posted: 404 for whoever may read decisions.
  getSignalDecision: { access: ['signals:write', 'incidents:read'], ok: 404 },
  recordHeartbeat: { access: ['signals:write'], ok: 202 },
  getHeartbeat: { access: ['incidents:read'], ok: 200 },
  getSystemIncident: { access: ['incidents:read'], ok: 404 },
  completeRestoreStep: { access: ['incidents:act'], ok: 404 },
  declareRecovered: { access: ['incidents:act'], ok: 404 },
  getMonthlyReview: { access: ['reports:read'], ok: 200, query: '?month=2026-10' },
  whoAmI: { access: 'any-key', ok: 200 },
  listApiKeys: { access: ['keys:admin'], ok: 200 },
  createApiKey: { access: ['keys:admin'], ok: 201 },
  rotateApiKey: { access: ['keys:admin'], ok: 404 },
  revokeApiKey: { access: ['keys:admin'], ok: 404 },
};

/** Path values for which a valid call has a fixed answer (see ACCESS). */
const PATH_VALUES: Record<string, string> = {
  id: 'INC-000000000000',
  token: 'forged-token',
  system: 'claims-core',
  component: 'claims-core',
  step: 'claim-query',
  file: 'style.css',
  source: 'email',
  sourceEventId: 'MAIL-MATRIX-NEVER-SENT',
};
const KEY_ID = 'key_0000000000000000';

type Credential = Role | 'no key' | 'bad key' | 'revoked key';
const CREDENTIALS: readonly Credential[] = [...ROLES, 'no key', 'bad key', 'revoked key'];

interface Operation {
  method: string;
  path: string;
  operationId: string;
  security: unknown[];
  'x-permissions'?: Permission[];
  parameters?: { name: string; in: string; example?: string }[];
  requestBody?: { content: Record<string, { example?: unknown }> };
}

let stack: ApiStack;
let operations: Operation[];
const secrets = {} as Record<Credential, string | undefined>;

beforeAll(async () => {
  stack = await startApiStack({
    appDependencies: {
      paging: { roster: readRoster(join(__dirname, '..', '..', 'config', 'roster.example.json')), ackLinkSecret: 'role-matrix-link-secret-0123456789' },
      detection: readDetectionConfig(undefined),
    },
  });
  const store = new ApiKeyStore({ path: stack.keysPath });
  const revoked = store.create('former-manager', 'manager');
  store.revoke(revoked.key.id);
  for (const role of ROLES) secrets[role] = stack.keys[role];
  secrets['no key'] = undefined;
  secrets['bad key'] = `cie_${'A'.repeat(43)}`;
  secrets['revoked key'] = revoked.secret;
  // A heartbeat on record, so reading it answers 200 whichever case runs first.
  expect((await stack.call('POST', '/heartbeats/claims-core', undefined, { authorization: `Bearer ${stack.keys.integration}` })).status).toBe(202);

  const document = (await stack.call('GET', '/openapi.json', undefined, { authorization: '' })).body as { paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> };
  operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({ ...operation, method: method.toUpperCase(), path })),
  );
});

afterAll(() => stack?.stop());

function expectedStatus(entry: { access: Access; ok: number }, credential: Credential): number {
  if (entry.access === 'public') return entry.ok;
  if (credential === 'no key' || credential === 'bad key' || credential === 'revoked key') return 401;
  if (entry.access === 'any-key') return entry.ok;
  return entry.access.some((permission) => ROLE_PERMISSIONS[credential].includes(permission)) ? entry.ok : 403;
}

function requestOf(operation: Operation): { path: string; body?: unknown; form?: boolean } {
  const query = ACCESS[operation.operationId]?.query ?? '';
  const path =
    operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (operation.path.startsWith('/admin/keys/')) return KEY_ID;
    return PATH_VALUES[name] ?? operation.parameters?.find((p) => p.name === name)?.example ?? 'x';
  }) + query;
  const content = operation.requestBody?.content;
  if (!content) return { path };
  const [media, { example }] = Object.entries(content)[0]!;
  if (operation.operationId === 'submitSignal') {
    // A thank-you needs no incident: 200 `none`, the same for every retry.
    return { path, body: { source: 'email', sourceEventId: 'MAIL-MATRIX-1', text: 'Thank you for fixing my invoice so quickly!' } };
  }
  return { path, body: example, form: media === 'application/x-www-form-urlencoded' };
}

async function send(operation: Operation, credential: Credential): Promise<number> {
  const { path, body, form } = requestOf(operation);
  const secret = secrets[credential];
  const headers: Record<string, string> = { authorization: secret ? `Bearer ${secret}` : '' };
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return (await stack.call(operation.method, path, new URLSearchParams(body as Record<string, string>).toString(), headers)).status;
  }
  return (await stack.call(operation.method, path, body, headers)).status;
}

test('every documented operation has its access decided here, and the document declares the same', () => {
  const documented = Object.fromEntries(
    operations.map((operation) => {
      const access: Access = operation.security.length === 0 ? 'public' : (operation['x-permissions'] ?? 'any-key');
      return [operation.operationId, access];
    }),
  );
  const decided = Object.fromEntries(Object.keys(documented).map((id) => [id, ACCESS[id]?.access ?? 'undecided: add it to ACCESS']));
  expect(documented).toEqual(decided);
  expect(operations.length).toBeGreaterThanOrEqual(30);
  // No stale entries: each one names an operation of the full document (every optional router on).
  const everyOperation = new Set(API_OPERATIONS.map((operation) => operation.operationId));
  expect(Object.keys(ACCESS).filter((id) => !everyOperation.has(id))).toEqual([]);
});

test('the full matrix: every operation × every role, no key, a bad key and a revoked key answers the exact status', async () => {
  const actual: Record<string, Record<Credential, number>> = {};
  const expected: Record<string, Record<Credential, number>> = {};
  let cases = 0;
  for (const operation of operations) {
    const entry = ACCESS[operation.operationId];
    if (!entry) continue; // the test above names it
    const name = `${operation.method} ${operation.path}`;
    actual[name] = {} as Record<Credential, number>;
    expected[name] = {} as Record<Credential, number>;
    for (const credential of CREDENTIALS) {
      actual[name][credential] = await send(operation, credential);
      expected[name][credential] = expectedStatus(entry, credential);
      cases += 1;
    }
  }
  console.log(`role matrix: ${Object.keys(actual).length} operations × ${CREDENTIALS.length} credentials = ${cases} cases`);
  expect(actual).toEqual(expected);
}, 300_000);

test('a 401 carries the Bearer challenge; a 403 names the missing permission', async () => {
  const none = await stack.call('GET', '/incidents', undefined, { authorization: '' });
  expect(none.status).toBe(401);
  expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
  const malformed = await stack.call('GET', '/incidents', undefined, { authorization: 'Basic dXNlcjpwYXNz' });
  expect(malformed.status).toBe(401);
  const forbidden = await stack.call('GET', '/incidents', undefined, { authorization: `Bearer ${stack.keys.integration}` });
  expect(forbidden.status).toBe(403);
  expect(forbidden.body).toMatchObject({ permission: 'incidents:read', role: 'integration' });
  expect(forbidden.body.error).toMatch(/incidents:read/);
});
