// R-REV-5: an incident whose workflow Temporal no longer keeps (deleted here, as its retention
// would) is still listed, readable and has its history, from the archive the workflow wrote as it
// changed and in full when it closed. R-REV-3: a resolved incident becomes a typical case, found
// by cause and text, and linked from a new incident of the same cause. R-SEC-1: the archive file
// holds no phone, ID number or name in clear. Real dev server, worker, API and SQLite file.
import { readFileSync } from 'node:fs';
import { WorkflowNotFoundError } from '@temporalio/common';
import { payloadKey } from '../activities/archive-fixtures';
import { startApiStack, type ApiStack } from '../support/api-stack';

const PHONE = '13912345678';
const ID_NUMBER = '31010419800101234X';
const NAME = '李秀英';

let stack: ApiStack;
beforeAll(async () => {
  stack = await startApiStack({ archiveKeys: [payloadKey('k1')] });
});
afterAll(() => stack?.stop());

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`${what}: not reached; last ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function report(description: string): Promise<string> {
  const opened = await stack.call('POST', '/incidents', { title: '客户投诉理赔款未到账', description, source: 'hotline' });
  expect(opened.status).toBe(201);
  return opened.body.id as string;
}

test('a closed incident outlives its workflow in the archive, and becomes a case new incidents link to', async () => {
  const id = await report(`客户${NAME}（电话 ${PHONE}，身份证 ${ID_NUMBER}）称理赔款未到账，已等待两周。`);
  // Written as it changes: after triage, then after each action.
  await until(() => stack.archive.store.getIncident(id), (a) => a !== undefined, 'archived after triage');
  expect((await stack.call('POST', `/incidents/${id}/acknowledge`, {})).status).toBe(200);
  expect((await stack.call('POST', `/incidents/${id}/contact`, { text: '已致电客户说明进度' })).status).toBe(200);
  await until(() => stack.archive.store.getIncident(id), (a) => a?.contactedAt !== null && a?.status === 'acknowledged', 'archived after contact');
  // R-REV-3: only a resolved incident can be a case.
  expect((await stack.call('POST', `/incidents/${id}/case`, { lessons: 'too early' })).status).toBe(409);
  expect((await stack.call('POST', `/incidents/${id}/resolve`, { summary: '款项已补发，客户确认到账' })).status).toBe(200);
  const handle = stack.client.workflow.getHandle(id);
  await handle.result();
  const final = await stack.archive.store.getIncident(id);
  expect(final).toMatchObject({ status: 'resolved', causeKey: 'text:payout-delay', encrypted: true });

  // Temporal's retention, simulated: the workflow is deleted from the server.
  await stack.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: id } });
  await until(
    () => handle.describe().then(() => 'present', (err: unknown) => (err instanceof WorkflowNotFoundError ? 'gone' : `error ${String(err)}`)),
    (v) => v === 'gone',
    'workflow deleted',
    // The dev server runs its deletion task about half a minute after the request.
    120_000,
  );

  const listed = await stack.call('GET', '/incidents?status=resolved');
  expect(listed.status).toBe(200);
  expect(listed.body.source).toBe('archive');
  expect(listed.body.incidents).toEqual(
    expect.arrayContaining([expect.objectContaining({ id, status: 'resolved', causeKey: 'text:payout-delay', closedAt: final?.closedAt })]),
  );
  expect((await stack.call('GET', '/incidents?cause=text:payout-delay&q=补发')).body.incidents.map((i: { id: string }) => i.id)).toEqual([id]);
  expect((await stack.call('GET', '/incidents?q=no-such-words')).body.count).toBe(0);

  const read = await stack.call('GET', `/incidents/${id}`);
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({ id, archived: true, status: 'resolved', resolution: '款项已补发，客户确认到账' });
  expect(read.body.timeline.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['reported', 'triaged', 'acknowledged', 'contacted', 'resolved']));

  const history = await stack.call('GET', `/incidents/${id}/history`);
  expect(history.status).toBe(200);
  expect(history.body).toMatchObject({ id, archived: true, summary: { status: 'resolved' } });
  expect(history.body.timeline.length).toBe(final?.state.timeline.length);
  const page = await stack.call('GET', `/incidents/${id}/history?format=html`);
  expect(page.status).toBe(200);
  expect(String(page.body)).toContain(id);

  // R-REV-3: the case, found by cause and text, and linked from a new incident of the same cause.
  const marked = await stack.call('POST', `/incidents/${id}/case`, { lessons: '批处理失败时当天人工补发，并主动告知客户', tags: ['payout'] });
  expect(marked.status).toBe(201);
  expect(marked.body).toMatchObject({ incidentId: id, causeKey: 'text:payout-delay', title: '客户投诉理赔款未到账', markedBy: expect.any(String) });
  expect((await stack.call('GET', '/cases?q=人工补发')).body.cases.map((c: { incidentId: string }) => c.incidentId)).toEqual([id]);
  expect((await stack.call('GET', '/cases?cause=text:payout-delay&category=complaint')).body.count).toBeLessThanOrEqual(1);
  expect((await stack.call('GET', '/cases?q=nothing-like-this')).body.count).toBe(0);

  const next = await report('另一位客户反映理赔款未到账。');
  const linked = await stack.call('GET', `/incidents/${next}`);
  expect(linked.status).toBe(200);
  expect(linked.body.archived).toBeUndefined();
  expect(linked.body.cases).toEqual([{ id, title: '客户投诉理赔款未到账', _links: expect.objectContaining({ self: `/incidents/${id}` }) }]);

  // R-SEC-1: personal data never reaches the file in clear.
  const bytes = readFileSync(stack.archive.path);
  for (const value of [PHONE, ID_NUMBER, NAME]) expect(bytes.includes(Buffer.from(value, 'utf8'))).toBe(false);
}, 240_000);

test('bad input names the field; unknown incidents are 404; cases need the manager role', async () => {
  const badQuery = await stack.call('GET', '/incidents?q=');
  expect(badQuery.status).toBe(400);
  expect(JSON.stringify(badQuery.body)).toContain('q');
  const badBody = await stack.call('POST', '/incidents/INC-000000000000/case', { lessons: '' });
  expect(badBody.status).toBe(400);
  expect(JSON.stringify(badBody.body)).toContain('lessons');
  expect((await stack.call('POST', '/incidents/INC-000000000000/case', { lessons: 'x' })).status).toBe(404);
  expect((await stack.call('GET', '/incidents/INC-000000000000')).status).toBe(404);
  expect((await stack.call('GET', '/cases?category=nonsense')).status).toBe(400);
  const asOnCall = await stack.call('POST', '/incidents/INC-000000000000/case', { lessons: 'x' }, { authorization: `Bearer ${stack.keys.oncall}` });
  expect(asOnCall.status).toBe(403);
});
