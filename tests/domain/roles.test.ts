// R-SEC-2, the rule itself: which role may do what, and which incidents a caller may read.
import { PERMISSIONS, ROLES, ROLE_PERMISSIONS, hasPermission, visibleTo, type Principal } from '../../domain/roles';

const as = (role: Principal['role'], keyId = `key_${'1'.repeat(16)}`): Principal => ({ keyId, owner: `x-${role}`, role });

test('R-SEC-2: support reads only the incidents its key reported; oncall and manager read all; admin and integration none', () => {
  const own = { reportedByKey: `key_${'1'.repeat(16)}` };
  const other = { reportedByKey: `key_${'2'.repeat(16)}` };
  const bySignal = {};
  expect([own, other, bySignal].map((incident) => visibleTo(as('support'), incident))).toEqual([true, false, false]);
  for (const role of ['oncall', 'manager'] as const) expect([own, other, bySignal].every((incident) => visibleTo(as(role), incident))).toBe(true);
  for (const role of ['admin', 'integration'] as const) expect([own, other, bySignal].some((incident) => visibleTo(as(role), incident))).toBe(false);
});

test('R-SEV-UP / R-CAT-X: only a manager may reclassify; only admin manages keys; integration only writes signals', () => {
  expect(ROLES.filter((role) => hasPermission(role, 'incidents:reclassify'))).toEqual(['manager']);
  expect(ROLES.filter((role) => hasPermission(role, 'keys:admin'))).toEqual(['admin']);
  expect(ROLE_PERMISSIONS.integration).toEqual(['signals:write']);
  expect(ROLE_PERMISSIONS.admin.some((permission) => permission.startsWith('incidents:'))).toBe(false);
});

test('every permission is granted to some role, and every role grants only known permissions', () => {
  const granted = new Set(ROLES.flatMap((role) => ROLE_PERMISSIONS[role]));
  expect([...PERMISSIONS].filter((permission) => !granted.has(permission))).toEqual([]);
  for (const role of ROLES) for (const permission of ROLE_PERMISSIONS[role]) expect(PERMISSIONS).toContain(permission);
});
