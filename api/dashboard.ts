/**
 * The managers' dashboard (issue 5): a single page served by the API at `/dashboard`, with open
 * incidents and live countdowns to their next deadline, an incident page with its timeline and
 * the actions the viewer's role allows, who is on call, and the monthly review (R-REV-1).
 *
 * The front end is Preact + htm as plain ES modules: what is in `web/` is what the browser runs,
 * with no build step, and the two libraries are served from `node_modules` (nothing is fetched
 * from a network at run time). An import map names them; it is the page's only inline script
 * and the Content-Security-Policy allows it by its hash, nothing else inline.
 *
 * The page shell and its assets carry no incident data and need no key; every data call the page
 * makes sends the key the viewer typed (kept in sessionStorage, never in a URL).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';
import { z } from 'zod';
import { HttpError, errorHandler } from './errors';

const WEB_DIR = join(__dirname, '..', 'web');

/** A file of a package, found the way Node finds the package (works wherever npm put it). */
function packageFile(packageName: string, file: string): string {
  // Not `require.resolve('<name>/package.json')`: a package with an `exports` map that leaves it
  // out (htm) makes Node refuse that. Walk up from its entry point to its own package.json.
  let folder = dirname(require.resolve(packageName));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === packageName) return join(folder, file);
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`cannot find the folder of the package ${packageName}`);
    folder = parent;
  }
}

interface Asset {
  path: string;
  type: 'text/javascript' | 'text/css';
}

/** Everything the page loads, by the name it is served under: a closed set, nothing else is read. */
const ASSETS = {
  'app.js': { path: join(WEB_DIR, 'app.js'), type: 'text/javascript' },
  'api.js': { path: join(WEB_DIR, 'api.js'), type: 'text/javascript' },
  'deadlines.js': { path: join(WEB_DIR, 'deadlines.js'), type: 'text/javascript' },
  'i18n.js': { path: join(WEB_DIR, 'i18n.js'), type: 'text/javascript' },
  'style.css': { path: join(WEB_DIR, 'style.css'), type: 'text/css' },
  'preact.mjs': { path: packageFile('preact', 'dist/preact.mjs'), type: 'text/javascript' },
  'preact-hooks.mjs': { path: packageFile('preact', 'hooks/dist/hooks.mjs'), type: 'text/javascript' },
  'htm.mjs': { path: packageFile('htm', 'dist/htm.mjs'), type: 'text/javascript' },
} as const satisfies Record<string, Asset>;

export const DASHBOARD_ASSET_NAMES = Object.keys(ASSETS) as (keyof typeof ASSETS)[];
export const dashboardAssetSchema = z.enum(DASHBOARD_ASSET_NAMES as [keyof typeof ASSETS, ...(keyof typeof ASSETS)[]]);

/** The import map: `preact` and `preact/hooks` resolve to the copies served here. */
const IMPORT_MAP = JSON.stringify({
  imports: {
    preact: '/dashboard/preact.mjs',
    'preact/hooks': '/dashboard/preact-hooks.mjs',
    htm: '/dashboard/htm.mjs',
  },
});

/**
 * Scripts from this origin and the import map (by hash); styles from this origin, plus inline
 * styles for the monthly review's charts, which are shown in a sandboxed frame without scripts;
 * data from this origin only.
 */
function contentSecurityPolicy(importMap: string): string {
  const hash = createHash('sha256').update(importMap).digest('base64');
  return [
    "default-src 'none'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function renderShell(): string {
  const template = readFileSync(join(WEB_DIR, 'index.html'), 'utf8');
  return template.replace('<!--import-map-->', `<script type="importmap">${IMPORT_MAP}</script>`);
}

/** `GET /dashboard` (the page) and `GET /dashboard/:file` (its scripts and styles). */
export function createDashboardRouter(): Router {
  const shell = renderShell();
  const csp = contentSecurityPolicy(IMPORT_MAP);
  const bodies = new Map<string, { body: string; type: string }>(
    Object.entries(ASSETS).map(([name, asset]) => [name, { body: readFileSync(asset.path, 'utf8'), type: asset.type }]),
  );
  const router = express.Router();

  router.get('/dashboard', (_req, res) => {
    res.status(200).type('html').set('Content-Security-Policy', csp).send(shell);
  });

  router.get('/dashboard/:file', (req, res) => {
    const asset = bodies.get(req.params.file);
    if (!asset) throw new HttpError(404, `no such dashboard file: the page loads only ${DASHBOARD_ASSET_NAMES.join(', ')}`);
    res.status(200).type(`${asset.type}; charset=utf-8`).set('Content-Security-Policy', csp).send(asset.body);
  });

  router.use(errorHandler);
  return router;
}
