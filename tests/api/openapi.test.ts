// The API's contract and input limits (issue 6, "Inputs"): `/openapi.json` describes every route
// the app mounts, from the schemas that validate requests; a client over its rate limit gets 429
// with Retry-After; every answer carries the security headers. No Temporal needed: nothing here
// reaches the engine (validation, limits and the document answer first).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type express from 'express';
import { createApp, type AppDependencies } from '../../api/app';
import { SECURITY_HEADERS } from '../../api/limits';
import { API_OPERATIONS, buildOpenApiDocument } from '../../api/openapi';
import { readDetectionConfig } from '../../config/detection';
import { readDrillScenarios } from '../../config/drills';
import { apiLimits, readEnvironment, readRoster } from '../../config/env';
import { createTestKeys } from '../support/api-keys';
import { testArchive } from '../support/archive';

/** Never called: every request in this file is answered before the engine is asked. */
const client = {} as unknown as Client;
const keys = createTestKeys();
const fullDependencies: AppDependencies = {
  client,
  auth: { keys: keys.store },
  namespace: 'default',
  temporalUiUrl: 'http://localhost:8233',
  paging: { roster: readRoster(join(__dirname, '..', '..', 'config', 'roster.example.json')) },
  detection: readDetectionConfig(undefined),
  drills: { scenarios: readDrillScenarios(), roster: readRoster(join(__dirname, '..', '..', 'config', 'roster.example.json')) },
  archive: testArchive().store,
};

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every `METHOD /path` the app answers, walking mounted routers, in OpenAPI path form. */
function routesOf(app: express.Express): string[] {
  const walk = (stack: Layer[]): string[] =>
    stack.flatMap((layer) => {
      if (layer.route) {
        const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
        return Object.keys(layer.route.methods)
          .filter((method) => method !== '_all')
          .map((method) => `${method.toUpperCase()} ${path}`);
      }
      return layer.handle.stack ? walk(layer.handle.stack) : [];
    });
  return walk((app as unknown as { router: { stack: Layer[] } }).router.stack).sort();
}

type Document = { openapi: string; paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>> };

function documentedOf(document: Document): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

const servers: Server[] = [];
async function serve(app: express.Express): Promise<string> {
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterAll(() => {
  for (const server of servers) server.close();
});

describe('/openapi.json', () => {
  test('is an OpenAPI 3.1 document of every route the app mounts, and of nothing else', async () => {
    const app = createApp(fullDependencies);
    const base = await serve(app);
    const response = await fetch(`${base}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as Document;
    expect(document.openapi).toBe('3.1.0');
    const routes = routesOf(app);
    expect(routes.length).toBeGreaterThanOrEqual(25);
    expect(documentedOf(document)).toEqual(routes);
    expect(document).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  test('an app without paging or detection documents only what it mounts', async () => {
    const app = createApp({ client, namespace: 'default', temporalUiUrl: 'http://localhost:8233', auth: { keys: keys.store } });
    const document = (await (await fetch(`${await serve(app)}/openapi.json`)).json()) as Document;
    expect(documentedOf(document)).toEqual(routesOf(app));
    expect(document.paths['/signals']).toBeUndefined();
    expect(document.paths['/oncall']).toBeUndefined();
  });

  test('each path template has its path parameters; every operation names its answers, errors included', () => {
    const document = buildOpenApiDocument() as unknown as Document;
    for (const [path, operations] of Object.entries(document.paths)) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, operation] of Object.entries(operations)) {
        const inPath = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
        expect({ operation: `${method} ${path}`, params: inPath }).toEqual({ operation: `${method} ${path}`, params: templated });
        expect(Object.keys(operation.responses).some((status) => status.startsWith('2'))).toBe(true);
      }
    }
    const report = document.paths['/incidents']!.post!;
    expect(Object.keys(report.responses)).toEqual(expect.arrayContaining(['201', '400', '413', '429', '503']));
    const acknowledge = document.paths['/incidents/{id}/acknowledge']!.post!;
    expect(Object.keys(acknowledge.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '404', '409', '503']));
    expect(JSON.stringify(buildOpenApiDocument())).toContain('"Retry-After"');
  });

  test('the request bodies are generated from the validating schemas: limits and enums included', () => {
    const document = buildOpenApiDocument() as unknown as {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: { properties: Record<string, Record<string, unknown>>; required: string[] } }> } }>>;
    };
    const report = document.paths['/incidents']!.post!.requestBody.content['application/json']!.schema;
    expect(report.required).toEqual(['title', 'description']);
    expect(report.properties.title).toMatchObject({ type: 'string', minLength: 1, maxLength: 200 });
    expect(report.properties.description).toMatchObject({ maxLength: 5000 });
    expect(report.properties.source!.enum).toContain('hotline');
  });

  test.each(API_OPERATIONS.filter((operation) => operation.body).map((operation) => [operation.operationId, operation] as const))(
    'the example request of %s validates against the schema the handler parses with',
    (_id, operation) => {
      const result = operation.body!.schema.safeParse(operation.body!.example);
      expect(result.error?.issues ?? []).toEqual([]);
    },
  );
});

describe('input limits', () => {
  test('every JSON answer carries the security headers, errors included', async () => {
    const base = await serve(createApp(fullDependencies));
    const answers = [
      await fetch(`${base}/openapi.json`),
      await fetch(`${base}/no-such-endpoint`),
      await fetch(`${base}/incidents`, { method: 'POST', headers: { 'content-type': 'application/json', ...keys.as('support') }, body: '{"title":""}' }),
      await fetch(`${base}/incidents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":""}' }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 404, 400, 401]);
    for (const answer of answers) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(answer.headers.get(name)).toBe(value);
      expect(answer.headers.get('x-powered-by')).toBeNull();
    }
    const invalid = (await answers[2]!.json()) as { fields: { field: string }[] };
    expect(invalid.fields.map((f) => f.field)).toEqual(expect.arrayContaining(['title', 'description']));
  });

  test('a body over 64 kB answers 413', async () => {
    const base = await serve(createApp(fullDependencies));
    const response = await fetch(`${base}/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x', description: 'y'.repeat(70_000), reporter: 'r' }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('the page and TwiML answers keep their own media types', async () => {
    const base = await serve(createApp(fullDependencies));
    const twiml = await fetch(`${base}/webhooks/twilio/sms`, { method: 'POST', body: new URLSearchParams({ Body: 'ACK 1234' }) });
    expect(twiml.status).toBe(403); // unsigned
    expect(twiml.headers.get('content-type')).toMatch(/^text\/plain/);
    const page = await fetch(`${base}/ack/not-a-token`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });

  test('a client over its rate limit gets 429 with Retry-After; other keys and health probes do not', async () => {
    let now = 1_000_000;
    const app = createApp({ ...fullDependencies, limits: { rateLimit: { perMinute: 2, clock: () => now } } });
    const base = await serve(app);
    // Keyed by the API key sent (valid or not: the limit runs before anything else reads it).
    const asKey = (key: string) => fetch(`${base}/openapi.json`, { headers: { authorization: `Bearer ${key}` } });

    expect((await asKey('key-a')).status).toBe(200);
    expect((await asKey('key-a')).status).toBe(200);
    const refused = await asKey('key-a');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30'); // 2 a minute: a token every 30 s
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    expect(((await refused.json()) as { error: string }).error).toMatch(/too many requests/);

    expect((await asKey('key-b')).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).not.toBe(429);

    now += 30_000;
    expect((await asKey('key-a')).status).toBe(200);
    expect((await asKey('key-a')).status).toBe(429);
  });

  test('without a configured limit nobody is throttled', async () => {
    const base = await serve(createApp(fullDependencies));
    const statuses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${base}/openapi.json`).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe('rate limit configuration', () => {
  test('off unless RATE_LIMIT_PER_MINUTE is set; the burst defaults to the per-minute figure', () => {
    expect(apiLimits(readEnvironment({}))).toEqual({});
    expect(apiLimits(readEnvironment({ RATE_LIMIT_PER_MINUTE: '120' }))).toEqual({ rateLimit: { perMinute: 120 } });
    expect(apiLimits(readEnvironment({ RATE_LIMIT_PER_MINUTE: '120', RATE_LIMIT_BURST: '20' }))).toEqual({ rateLimit: { perMinute: 120, burst: 20 } });
    expect(() => readEnvironment({ RATE_LIMIT_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
  });
});
