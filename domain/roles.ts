/**
 * Who may do what (R-SEC-2): the roles an API key carries and the permissions each role grants.
 * Pure data and functions: the API checks a permission per route (`requirePermission` in
 * `api/auth.ts`); the incident workflow still checks the role for the finer rules it owns
 * (R-CAT-X reclassify, R-SEV-UP lowering a tier), with the key's role as the actor's role.
 *
 * Permission names are stable strings: they appear in 403 answers, in the README's table and
 * in other components' routes, so renaming one is a breaking change.
 */

export const ROLES = ['support', 'oncall', 'manager', 'admin', 'integration'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  /** Report an incident (`POST /incidents`); the reporter is the key's owner. */
  'incidents:report',
  /** Read the incidents this key reported (list, one, history) — support staff follow up their own. */
  'incidents:read-own',
  /** Read every incident (list, one, history), system incidents and heartbeat watches. */
  'incidents:read',
  /**
   * Act on an incident: acknowledge, contact, solution, progress, notes, resolve, raise the
   * severity (R-SEV-UP: raising is open to on-call staff), restore steps of a system incident.
   */
  'incidents:act',
  /** Change the category (R-CAT-X) or lower the severity (R-SEV-UP): the manager role. */
  'incidents:reclassify',
  /** Who is on call (`GET /oncall`). */
  'oncall:read',
  /** Monthly reports, the archive of closed incidents. */
  'reports:read',
  /** Read the case library. */
  'cases:read',
  /** Turn an incident into a case for the library. */
  'cases:write',
  /** Start drills and read their reports. */
  'drills:run',
  /** Create, list, rotate and revoke API keys. */
  'keys:admin',
  /** Read and change the engine's configuration (roster, policy, detection). */
  'config:admin',
  /** Send monitored events (`POST /signals`) and heartbeats. */
  'signals:write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const INCIDENT_WORK: readonly Permission[] = ['incidents:read', 'incidents:act', 'oncall:read'];

/**
 * The permission table. Least privilege: a person with two jobs holds two keys.
 *
 * - `admin` manages keys and configuration and does NOT read incidents: the people who hand out
 *   access need not see customers' complaints, health data or claim facts (R-SEC-1), and a
 *   leaked admin key then exposes no personal data. An administrator who also handles
 *   incidents is given a second key with that role.
 * - `integration` is a machine's key: it sends signals and heartbeats and reads nothing back,
 *   so a monitoring system's credential cannot be used to browse incidents.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  support: ['incidents:report', 'incidents:read-own'],
  oncall: [...INCIDENT_WORK, 'cases:read'],
  manager: [
    'incidents:report',
    ...INCIDENT_WORK,
    'incidents:reclassify',
    'reports:read',
    'cases:read',
    'cases:write',
    'drills:run',
  ],
  admin: ['keys:admin', 'config:admin'],
  integration: ['signals:write'],
};

export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Who is asking: an API key's id, its owner and role (R-SEC-2: every action is attributable). */
export interface Principal {
  keyId: string;
  owner: string;
  role: Role;
}

/** What `visibleTo` needs to know about an incident: which key reported it, if a key did. */
export interface IncidentOwnership {
  reportedByKey?: string | undefined;
}

/**
 * Whether `principal` may read this incident: everyone with `incidents:read`; with only
 * `incidents:read-own`, the incidents that principal's key reported. One rule for the live list,
 * one incident, its history and (later) the archive.
 */
export function visibleTo(principal: Principal, incident: IncidentOwnership): boolean {
  if (hasPermission(principal.role, 'incidents:read')) return true;
  return hasPermission(principal.role, 'incidents:read-own') && incident.reportedByKey === principal.keyId;
}

/** Whether `principal` may read incidents only as far as `visibleTo` says (list filters use this). */
export function readsOnlyOwn(principal: Principal): boolean {
  return !hasPermission(principal.role, 'incidents:read') && hasPermission(principal.role, 'incidents:read-own');
}
