// The dashboard's shell (issue 5): `/dashboard` and its files are served by the API itself,
// public (the page holds no data), with a Content-Security-Policy that lets in this origin's
// scripts and the one inline import map, by its hash; nothing is loaded from anywhere else.
// No Temporal needed: nothing here reaches the engine (the data calls are the browser test's).
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import { DASHBOARD_ASSET_NAMES } from '../../api/dashboard';
import { createTestKeys } from '../support/api-keys';

/** Never called: every request in this file is answered before the engine is asked. */
const client = {} as unknown as Client;
let server: Server;
let base: string;

beforeAll(async () => {
  server = createApp({ client, namespace: 'default', temporalUiUrl: 'http://localhost:8233', auth: { keys: createTestKeys().store } }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
});

test('the page is public and allows only its own scripts and its import map, by hash', async () => {
  const response = await fetch(`${base}/dashboard`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  const page = await response.text();
  const importMap = /<script type="importmap">([^<]*)<\/script>/.exec(page)?.[1];
  expect(importMap).toBeDefined();
  const hash = createHash('sha256').update(importMap!).digest('base64');
  const csp = response.headers.get('content-security-policy')!;
  expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
  expect(csp).toContain("connect-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  // Every other script is a module from this origin.
  const sources = [...page.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
  expect(sources).toEqual(['/dashboard/app.js']);
  expect(Object.values(JSON.parse(importMap!).imports as Record<string, string>).every((url) => url.startsWith('/dashboard/'))).toBe(true);
  // Public shell, protected data: the same request without a key is refused for incidents.
  expect((await fetch(`${base}/incidents`)).status).toBe(401);
});

test('every file the page loads is served from the API with its media type, and loads nothing from a network', async () => {
  for (const name of DASHBOARD_ASSET_NAMES) {
    const response = await fetch(`${base}/dashboard/${name}`);
    expect({ name, status: response.status }).toEqual({ name, status: 200 });
    expect(response.headers.get('content-type')).toMatch(name.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    const body = await response.text();
    // Preact names the SVG/MathML/XHTML namespaces; no other URL appears in what the page runs.
    const urls = [...body.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((m) => m[0]).filter((url) => !url.startsWith('http://www.w3.org/'));
    expect({ name, urls }).toEqual({ name, urls: [] });
    expect(body).not.toMatch(/\bimport\s*\(?\s*["']https?:/);
  }
});

test('a file the page does not load is 404, whatever the path tries', async () => {
  for (const path of ['/dashboard/server.ts', '/dashboard/..%2Fpackage.json', '/dashboard/%2e%2e%2fapi%2fapp.ts', '/dashboard/index.html']) {
    const response = await fetch(`${base}${path}`);
    expect({ path, status: response.status }).toEqual({ path, status: 404 });
  }
});
