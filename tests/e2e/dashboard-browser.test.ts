// The managers' dashboard in a real browser (issue 5): headless Debian Chromium driven by
// playwright-core against the real engine (Temporal dev server, worker, API). An incident is
// reported through the API; a manager signs in with a key, watches the incident's countdown
// tick down, opens it, acknowledges it and records the customer contact with the page's
// buttons, and sees the timeline gain both entries while the next deadline moves from the
// contact deadline (R-T-CONTACT, 30 min) to the solution deadline (R-T-SOLUTION, 60 min).
// A screenshot of the incident page is kept as artifacts/dashboard.png.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readRoster } from '../../config/env';
import { startApiStack, type ApiStack } from '../support/api-stack';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'artifacts');

jest.setTimeout(240_000);

let stack: ApiStack;
let browser: Browser;
let page: Page;
/** Everything the page reported going wrong: script errors, CSP violations, failed loads. */
const pageProblems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (Debian; .ci/run does this), ` +
        'or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
  stack = await startApiStack({
    appDependencies: { paging: { roster: readRoster(join(__dirname, '..', '..', 'config', 'roster.example.json')) } },
  });
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, locale: 'zh-CN' });
  page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 401/.test(message.text())) pageProblems.push(`console: ${message.text()}`);
  });
});

afterEach(() => {
  expect(pageProblems.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Whole seconds left on the countdown inside `scope`, as the page shows them. */
async function secondsShown(scope: string): Promise<number> {
  const value = await page.locator(`${scope} [data-testid="countdown"]`).first().getAttribute('data-seconds');
  return Number(value);
}

test('a manager watches an incident count down, acts on it from the page, and sees the timeline and next deadline change', async () => {
  const reported = await stack.call('POST', '/incidents', {
    title: '理赔款逾期未到账，客户催促',
    description: '客户反映理赔审核通过已二十天，款项仍未到账。',
    reporter: 'agent-wang',
    source: 'hotline',
  });
  expect(reported.status).toBe(201);
  const id: string = reported.body.id;

  // The shell is public; the data is not: a wrong key is refused and nothing is shown.
  await page.goto(`${stack.base}/dashboard`);
  await page.locator('input[name="key"]').fill('cie_not-a-real-key');
  await page.locator('.login button[type="submit"]').click();
  await page.locator('[data-testid="key-rejected"]').waitFor();
  expect(await page.locator('[data-testid="incident-list"]').count()).toBe(0);

  await page.locator('input[name="key"]').fill(stack.keys.manager);
  await page.locator('.login button[type="submit"]').click();
  await page.locator('[data-testid="viewer"]').waitFor();
  expect(await page.locator('[data-testid="viewer"]').textContent()).toContain('test-manager');
  // The key stays in this tab's session storage, never in the address.
  expect(await page.evaluate("sessionStorage.getItem('claims-dashboard.key')")).toBe(stack.keys.manager);
  expect(page.url()).not.toContain(stack.keys.manager);

  // Listed (visibility is eventually consistent: the list polls every 5 s) with a live countdown.
  const row = `tr[data-incident="${id}"]`;
  await page.locator(row).waitFor({ timeout: 60_000 });
  const first = await secondsShown(row);
  expect(first).toBeGreaterThan(25 * 60); // the contact deadline: 30 minutes from the report
  expect(first).toBeLessThanOrEqual(30 * 60);
  await page.waitForTimeout(2500);
  const second = await secondsShown(row);
  expect(second).toBeLessThan(first);
  expect(await page.locator(`${row} td`).nth(1).textContent()).toBe('联系客户');

  // The incident page: no action yet, the contact deadline is next.
  await page.locator(`${row} a[href="#/incidents/${id}"]`).click();
  const incidentPage = `[data-incident-page="${id}"]`;
  await page.locator(incidentPage).waitFor();
  await page.locator(`${incidentPage} tr[data-type="triaged"]`).waitFor();
  expect(await page.locator('[data-testid="next-deadline"]').getAttribute('data-kind')).toBe('contact');
  const beforeActions = await secondsShown('.next');
  // A manager may reclassify (R-CAT-X); every action of an open, unacknowledged incident is offered.
  const offered = await page.locator('.actions [data-action]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-action')));
  expect(offered).toEqual(['acknowledge', 'contact', 'solution', 'progress', 'note', 'resolve', 'reclassify']);

  await page.locator('[data-action="acknowledge"]').click();
  await page.locator(`${incidentPage} tr[data-type="acknowledged"]`).waitFor();
  await page.locator('[data-testid="incident-status"] .status-acknowledged').waitFor();
  expect(await page.locator('[data-action="acknowledge"]').count()).toBe(0);

  await page.locator('[data-action="contact"]').click();
  await page.locator('form[data-form="contact"] textarea').fill('已致电客户，说明到账时间，客户同意等待。');
  await page.locator('[data-submit="contact"]').click();
  await page.locator(`${incidentPage} tr[data-type="contacted"]`).waitFor();
  await page.locator('[data-testid="next-deadline"][data-kind="solution"]').waitFor();
  const afterContact = await secondsShown('.next');
  expect(afterContact).toBeGreaterThan(beforeActions + 25 * 60); // the solution deadline: 60 minutes from the report
  expect(await page.locator(`${incidentPage} tr[data-type="contacted"]`).textContent()).toContain('已致电客户');

  // The API holds the same facts, attributed to the key's owner (R-SEC-2).
  const state = await stack.call('GET', `/incidents/${id}`);
  expect(state.body.status).toBe('acknowledged');
  const entries = (state.body.timeline as { type: string; actor: string }[]).filter((e) => e.type === 'acknowledged' || e.type === 'contacted');
  expect(entries).toEqual([
    expect.objectContaining({ type: 'acknowledged', actor: 'test-manager' }),
    expect.objectContaining({ type: 'contacted', actor: 'test-manager' }),
  ]);
  expect(state.body.deadlines.find((d: { id: string }) => d.id === 'contact')).toMatchObject({ state: 'met', metBy: 'contact' });

  // Chinese by default; English at the switch (labels and the timeline's own entry labels).
  expect(await page.locator('h3').first().textContent()).toBe('操作');
  await page.locator('[data-testid="language"]').click();
  expect(await page.locator('h3').first().textContent()).toBe('Actions');
  expect(await page.locator(`${incidentPage} tr[data-type="contacted"] td`).nth(2).textContent()).toBe('Customer contacted');

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

  // Who is on call, from the same roster the worker pages with.
  await page.locator('nav a[href="#/oncall"]').click();
  await page.locator('[data-testid="oncall"]').waitFor();
  const onCall = await stack.call('GET', '/oncall');
  const firstPerson: string = onCall.body.teams.find((t: { onCall: unknown[] }) => t.onCall.length > 0).onCall[0].name;
  expect(await page.locator('[data-testid="oncall"]').textContent()).toContain(firstPerson);

  // The monthly review: the API's own page, charts included, in a sandboxed frame.
  await page.locator('nav a[href="#/review"]').click();
  const month = (reported.body.deadlines[0].dueAt as string).slice(0, 7); // this incident's month
  await page.locator('input[name="month"]').fill(month);
  await page.locator('.review button[type="submit"]').click();
  const review = await stack.call('GET', `/reports/monthly?month=${month}&format=html`, undefined, { accept: 'text/html' });
  expect(review.status).toBe(200);
  const frame = page.locator('[data-testid="review-frame"]');
  await frame.waitFor();
  expect(await frame.getAttribute('sandbox')).toBe(''); // the report's page runs no script here
  // The same review the API renders, charts included.
  await page.frameLocator('[data-testid="review-frame"]').locator('h1', { hasText: month }).waitFor();
  const charts = (review.body as string).match(/<svg\b/g)?.length ?? 0;
  expect(charts).toBeGreaterThan(0);
  const shownCharts = page.frameLocator('[data-testid="review-frame"]').locator('svg');
  await shownCharts.nth(charts - 1).waitFor();
  expect(await shownCharts.count()).toBe(charts);
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-review.png'), fullPage: true });
});

test('an on-call lead sees only the actions the role allows, the filters narrow the list, and a revoked key is rejected mid-session', async () => {
  const reported = await stack.call('POST', '/incidents', {
    title: '客户资料录入错误，理赔信息有误',
    description: '理赔系统中客户的银行账户信息录入错误，需要更正。',
    reporter: 'agent-zhou',
  });
  expect(reported.status).toBe(201);
  const id: string = reported.body.id;
  const { category, severity } = reported.body.triage as { category: string; severity: string };

  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-US' });
  const lead = await context.newPage();
  lead.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  await lead.goto(`${stack.base}/dashboard`);
  await lead.locator('input[name="key"]').fill(stack.keys.oncall);
  await lead.locator('.login button[type="submit"]').click();
  await lead.locator('[data-testid="viewer"]').waitFor();
  // oncall:read but not reports:read (domain/roles.ts): no monthly review in the menu.
  expect(await lead.locator('nav a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['#/incidents', '#/oncall']);

  const row = lead.locator(`tr[data-incident="${id}"]`);
  await row.waitFor({ timeout: 60_000 });
  // A filter that excludes the incident hides it; the filter it matches shows it again.
  const otherSeverity = ['major', 'general', 'minor'].find((s) => s !== severity)!;
  await lead.locator('select[name="severity"]').selectOption(otherSeverity);
  await row.waitFor({ state: 'detached' });
  await lead.locator('select[name="severity"]').selectOption(severity);
  await lead.locator('select[name="category"]').selectOption(category);
  await row.waitFor();

  // R-CAT-X / R-SEV-UP: changing the class is a manager's; the lead acts on everything else.
  await row.locator(`a[href="#/incidents/${id}"]`).click();
  await lead.locator(`[data-incident-page="${id}"] tr[data-type="triaged"]`).waitFor();
  const offered = await lead.locator('.actions [data-action]').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-action')));
  expect(offered).toEqual(['acknowledge', 'contact', 'solution', 'progress', 'note', 'resolve']);

  // The key is revoked by an administrator while the page is open: the next poll is refused.
  const revoked = await stack.call('DELETE', `/admin/keys/${stack.keyIds.oncall}`, undefined, { authorization: `Bearer ${stack.keys.admin}` });
  expect(revoked.status).toBe(200);
  await lead.locator('[data-testid="key-rejected"]').waitFor({ timeout: 15_000 });
  expect(await lead.evaluate("sessionStorage.getItem('claims-dashboard.key')")).toBeNull();
  await context.close();
});

test('the list order puts breached incidents first, then the soonest deadline (the page’s own module, in the browser)', async () => {
  await page.goto(`${stack.base}/dashboard`);
  const order = await page.evaluate(`(async () => {
    const { compareIncidents, formatCountdown } = await import('/dashboard/deadlines.js');
    const now = Date.parse('2026-11-22T10:00:00Z');
    const at = (minutes) => new Date(now + minutes * 60000).toISOString();
    const incident = (id, deadlines) => ({ id, reportedAt: at(-60), deadlines });
    const rows = [
      incident('later', [{ id: 'contact', kind: 'contact', dueAt: at(25), state: 'pending' }]),
      incident('none', [{ id: 'contact', kind: 'contact', dueAt: at(-30), state: 'met' }]),
      incident('missed-earlier', [{ id: 'contact', kind: 'contact', dueAt: at(-5), state: 'breached' }, { id: 'solution', kind: 'solution', dueAt: at(40), state: 'pending' }]),
      incident('sooner', [{ id: 'contact', kind: 'contact', dueAt: at(3), state: 'pending' }, { id: 'solution', kind: 'solution', dueAt: at(33), state: 'pending' }]),
      incident('past-due', [{ id: 'contact', kind: 'contact', dueAt: at(-1), state: 'pending' }]),
    ];
    return {
      ids: rows.sort((a, b) => compareIncidents(a, b, now)).map((row) => row.id),
      clocks: [formatCountdown(1799), formatCountdown(-61), formatCountdown(90061)],
    };
  })()`);
  expect(order).toEqual({
    ids: ['past-due', 'missed-earlier', 'sooner', 'later', 'none'],
    clocks: ['29:59', '-01:01', '1d 01:01:01'],
  });
});
