/**
 * The dashboard's one way to the API. The API key the viewer typed is kept in sessionStorage
 * (this tab only, gone when it closes) and sent as `Authorization: Bearer <key>` on every data
 * call, never in a URL. The API names the actor of every action from the key (R-SEC-2). A 401
 * means the key was rejected (unknown, revoked, rotated): the page forgets it and asks again.
 */

const KEY_STORAGE = 'claims-dashboard.key';

export class ApiError extends Error {
  constructor(status, message, fields = []) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

export function storedKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function signOut() {
  sessionStorage.removeItem(KEY_STORAGE);
}

let onKeyRejected = () => undefined;

/** Called whenever the API answers 401: the key is wrong, revoked or expired. */
export function whenKeyRejected(callback) {
  onKeyRejected = callback;
}

function headersFor(accept, hasBody) {
  const headers = { accept };
  const key = storedKey();
  if (key) headers.authorization = `Bearer ${key}`;
  if (hasBody) headers['content-type'] = 'application/json';
  return headers;
}

async function send(method, path, body, accept) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: headersFor(accept, body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new ApiError(0, err instanceof Error ? err.message : String(err));
  }
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  let fields = [];
  try {
    const problem = await response.json();
    if (typeof problem.error === 'string') message = problem.error;
    if (Array.isArray(problem.fields)) fields = problem.fields;
  } catch {
    // not JSON: the status line says enough
  }
  if (response.status === 401) onKeyRejected();
  throw new ApiError(response.status, message, fields);
}

/** JSON in, JSON out; throws ApiError (status 0 when the API cannot be reached). */
export async function api(method, path, body) {
  const response = await send(method, path, body, 'application/json');
  return response.status === 204 ? undefined : response.json();
}

/** A page the API renders (the monthly review's HTML), as text. */
export async function apiText(path) {
  const response = await send('GET', path, undefined, 'text/html');
  return response.text();
}

/** Who the viewer is: `GET /me` with the key (its id, owner, role and permissions). */
export async function whoAmI() {
  const me = await api('GET', '/me');
  return { id: me.id, name: me.owner, role: me.role, permissions: Array.isArray(me.permissions) ? me.permissions : [] };
}

/**
 * What the page offers, from the key's permissions (`domain/roles.ts`, R-SEC-2): the incident
 * actions with `incidents:act`; reclassifying with `incidents:reclassify` (R-CAT-X, R-SEV-UP: the
 * manager's). The API enforces the same; the page only leaves out buttons that would be refused.
 */
const ACTION_PERMISSIONS = {
  acknowledge: 'incidents:act',
  contact: 'incidents:act',
  solution: 'incidents:act',
  progress: 'incidents:act',
  note: 'incidents:act',
  resolve: 'incidents:act',
  reclassify: 'incidents:reclassify',
};

export function actionsFor(viewer) {
  return Object.keys(ACTION_PERMISSIONS).filter((action) => can(viewer, ACTION_PERMISSIONS[action]));
}

export function can(viewer, permission) {
  return viewer.permissions.includes(permission);
}
