// POST /signals against the real dev server and a real worker: idempotent events, duplicates,
// group complaints (R-CAT-COMP) including a 50-complaint burst, system incidents fed by a silent
// heartbeat and by alerts (R-SYS-*, R-DET-1), payout measurement (R-CAT-TIME), latent-risk
// reporters (R-DET-5).
import { readOutboxEntries } from '../../activities/channels';
import { whoIsOnCall } from '../../domain/roster';
import { readCustomerNotices } from '../../activities/customer-notices';
import { causeClusterWorkflowId } from '../../domain/correlation-keys';
import { stateQuery, type IncidentState } from '../../workflows/contracts';
import { clusterStateQuery } from '../../workflows/detection-contracts';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { authenticateRequests } from '../../api/auth';
import { errorHandler } from '../../api/errors';
import { createSignalsRouter } from '../../api/signals';
import { eventually, startDetectionStack, type DetectionStack } from './detection-stack';

let stack: DetectionStack;
/** The technician's own on-call key: the restore steps are recorded as theirs (R-SEC-2). */
let techChen: Record<string, string>;

beforeAll(async () => {
  stack = await startDetectionStack({
    systems: {
      'test-core': { intervalSeconds: 1, graceSeconds: 1, autoResolve: true, aliases: ['测试核心'] },
    },
  });
  techChen = { authorization: `Bearer ${stack.keys.store.create('tech-chen', 'oncall').secret}` };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** Posts an event the way a feed would: a 503 is retried with the same event (the retry changes nothing). */
async function post(event: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  for (let attempt = 1; ; attempt += 1) {
    const answer = await stack.call('POST', '/signals', event);
    if (answer.status !== 503 || attempt === 5) return answer;
  }
}

const incident = (id: string): Promise<IncidentState> => stack.client.workflow.getHandle(id).query(stateQuery);

function complaint(sourceEventId: string, customerRef: string, cause: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    source: 'hotline',
    sourceEventId,
    title: '客户投诉理赔结果',
    text: '客户来电投诉：门诊费用被拒赔，对审核结果强烈不满，要求重新审核。',
    customerRef,
    claimId: `CLM-${customerRef}`,
    cause,
    reporter: 'agent-li',
    ...extra,
  };
}

test('posting the same event twice changes nothing: same answer, same incident, nothing added', async () => {
  const event = {
    source: 'ticket',
    sourceEventId: 'TCK-IDEMP-1',
    title: 'Payout delayed',
    text: 'Customer says the payout for her claim is delayed for weeks and nobody replies.',
    claimId: 'CLM-IDEMP-1',
    customerRef: 'CUST-IDEMP-1',
  };
  const first = await stack.call('POST', '/signals', event);
  expect(first.status).toBe(201);
  expect(first.body).toMatchObject({ decision: 'opened', eventRef: 'ticket:TCK-IDEMP-1' });
  expect(first.body.triage.category).toBe('timeliness');
  const before = await incident(first.body.incidentId);

  const again = await stack.call('POST', '/signals', event);
  expect(again.status).toBe(201);
  expect(again.body).toEqual(first.body);
  const after = await incident(first.body.incidentId);
  expect(after.links).toEqual(before.links);
  // Paging runs keep writing their own entries; what detection writes did not change.
  const detectionEntries = (state: IncidentState) => state.timeline.filter((e) => e.actor === 'detection' || e.type === 'reported');
  expect(detectionEntries(after)).toEqual(detectionEntries(before));

  // Concurrent retries of one new event: one decision for all.
  const racing = { ...event, sourceEventId: 'TCK-IDEMP-2', claimId: 'CLM-IDEMP-2', customerRef: 'CUST-IDEMP-2' };
  const answers = await Promise.all(Array.from({ length: 5 }, () => stack.call('POST', '/signals', racing)));
  expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
  expect(answers[0]!.body.decision).toBe('opened');
});

test('a second event about the same claim and cause attaches to the open incident', async () => {
  const first = await stack.call('POST', '/signals', {
    source: 'chat',
    sourceEventId: 'CHAT-DUP-1',
    text: '我的赔款已经拖延一个月了，还没到账。',
    claimId: 'CLM-DUP-1',
    customerRef: 'CUST-DUP-1',
  });
  expect(first.body.decision).toBe('opened');
  const second = await stack.call('POST', '/signals', {
    source: 'email',
    sourceEventId: 'MAIL-DUP-1',
    text: 'The payout for my claim is still delayed, please pay.',
    claimId: 'CLM-DUP-1',
    customerRef: 'CUST-DUP-1',
  });
  expect(second.status).toBe(200);
  expect(second.body).toMatchObject({ decision: 'attached', incidentId: first.body.incidentId });
  const state = await incident(first.body.incidentId);
  expect(state.links.filter((l) => l.kind === 'event').map((l) => l.ref)).toEqual(['chat:CHAT-DUP-1', 'email:MAIL-DUP-1']);
});

test('no incident, and why: a negated trigger word, a thank-you, an informational alert', async () => {
  const negated = await stack.call('POST', '/signals', { source: 'chat', sourceEventId: 'CHAT-NONE-1', text: '客户确认赔款没有拖延，只是咨询到账时间。' });
  expect(negated.status).toBe(200);
  expect(negated.body.decision).toBe('none');
  expect(negated.body.reason).toMatch(/拖延.*not counted: negated by "没有"/);
  const thanks = await stack.call('POST', '/signals', { source: 'email', sourceEventId: 'MAIL-NONE-1', text: 'Thank you for fixing the error on my invoice so quickly!' });
  expect(thanks.body.decision).toBe('none');
  const info = await stack.call('POST', '/signals', {
    source: 'system-alert',
    sourceEventId: 'ALERT-NONE-1',
    title: 'disk 61%',
    alert: { component: 'claims-core', status: 'firing', severity: 'info' },
  });
  expect(info.body).toMatchObject({ decision: 'none' });
});

test('six complaints from six customers about one cause within a day: one major group incident, six linked complaints, management paged', async () => {
  const cause = { product: 'MED-OUTPATIENT-2026', reasonCode: 'R-OUTPATIENT-CAP' };
  const answers = [];
  for (let i = 1; i <= 6; i += 1) {
    answers.push((await stack.call('POST', '/signals', complaint(`HL-GRP6-${i}`, `CUST-GRP6-${i}`, cause))).body);
  }
  expect(answers.map((a) => a.decision)).toEqual(['opened', 'opened', 'opened', 'opened', 'opened', 'opened']);
  const complaintIncidents = answers.map((a) => a.incidentId as string);
  expect(new Set(complaintIncidents).size).toBe(6);
  const groupId = answers[5].groupIncidentId as string;
  expect(groupId).toMatch(/^INC-/);
  expect(answers.slice(0, 5).every((a) => a.groupIncidentId === undefined)).toBe(true);

  const group = await eventually(
    () => incident(groupId),
    (s) => s.links.filter((l) => l.kind === 'incident').length === 6,
  );
  expect(group).toMatchObject({ category: 'complaint', severity: 'major' });
  expect(group.lines).toContain('management');
  expect(group.links.filter((l) => l.kind === 'incident').map((l) => l.ref).sort()).toEqual([...complaintIncidents].sort());
  expect(group.links.filter((l) => l.kind === 'customer')).toHaveLength(6);
  // Each complaint links back to its group (R-SYNC).
  for (const id of complaintIncidents) {
    await eventually(() => incident(id), (s) => s.links.some((l) => l.kind === 'incident' && l.ref === groupId));
  }
  // R-LINE-MGMT: the incident workflow pages management for a major incident.
  const management = whoIsOnCall(stack.roster, 'management', new Date()).map((o) => o.personId);
  expect(management.length).toBeGreaterThan(0);
  await eventually(
    () => incident(groupId),
    (s) => s.timeline.some((e) => e.type === 'paged' && management.includes(String(e.data?.personId))),
  );

  // A seventh complaint attaches to the group instead of opening its own incident.
  const seventh = await stack.call('POST', '/signals', complaint('HL-GRP6-7', 'CUST-GRP6-7', cause));
  expect(seventh.body).toMatchObject({ decision: 'attached', incidentId: groupId });
  const cluster = await stack.client.workflow
    .getHandle(causeClusterWorkflowId(`fields:product=med-outpatient-2026|claimType=*|reasonCode=r-outpatient-cap|hospital=*|diseaseCategory=*`))
    .query(clusterStateQuery);
  expect(cluster).toMatchObject({ distinctCustomers: 7, threshold: 5 });
  expect(cluster.group?.incidentId).toBe(groupId);
});

test('50 complaints about one cause in the same second: exactly one group incident; retrying all 50 changes nothing', async () => {
  const cause = { hospital: 'Test General Hospital', reasonCode: 'R-BURST' };
  const events = Array.from({ length: 50 }, (_, i) => complaint(`HL-BURST-${i}`, `CUST-BURST-${i}`, cause));
  const started = performance.now();
  const answers = (await Promise.all(events.map((e) => post(e)))).map((a) => a.body);
  const elapsed = performance.now() - started;
  console.log(`50 concurrent complaints answered in ${elapsed.toFixed(0)} ms`);

  const opened = answers.filter((a) => a.decision === 'opened');
  const attached = answers.filter((a) => a.decision === 'attached');
  expect(opened).toHaveLength(6);
  expect(attached).toHaveLength(44);
  const groupIds = new Set([...opened.map((a) => a.groupIncidentId).filter(Boolean), ...attached.map((a) => a.incidentId)]);
  expect(groupIds.size).toBe(1);
  const [groupId] = [...groupIds] as string[];

  const causeKey = 'fields:product=*|claimType=*|reasonCode=r-burst|hospital=test general hospital|diseaseCategory=*';
  const cluster = await stack.client.workflow.getHandle(causeClusterWorkflowId(causeKey)).query(clusterStateQuery);
  expect(cluster.distinctCustomers).toBe(50);
  expect(cluster.group?.incidentId).toBe(groupId);
  expect(cluster.pastGroups).toHaveLength(0);

  const group = await eventually(
    () => incident(groupId!),
    (s) => s.links.filter((l) => l.kind === 'incident').length === 6 && s.links.filter((l) => l.kind === 'customer').length === 50,
  );
  expect(group.severity).toBe('major');

  const retried = (await Promise.all(events.map((e) => post(e)))).map((a) => a.body);
  expect(retried).toEqual(answers);
  const after = await stack.client.workflow.getHandle(causeClusterWorkflowId(causeKey)).query(clusterStateQuery);
  expect(after.distinctCustomers).toBe(50);
  expect(after.complaints).toBe(50);
  expect((await incident(groupId!)).links.length).toBe(group.links.length);
}, 120_000);

test('a silent heartbeat opens one system incident; alerts about the component attach to it; beats resuming resolve it', async () => {
  expect((await stack.call('POST', '/heartbeats/unknown-system')).status).toBe(404);
  expect((await stack.call('POST', '/heartbeats/test-core')).status).toBe(202);
  const silent = await eventually(
    async () => (await stack.call('GET', '/heartbeats/test-core')).body,
    (s) => s.status === 'silent' && s.incidentId !== undefined,
    15_000,
  );
  const incidentId = silent.incidentId as string;
  const opened = await incident(incidentId);
  expect(opened.category).toBe('system');
  expect(opened.timeline.some((e) => e.type === 'note' && e.text.startsWith('R-SYS-2 restore checklist'))).toBe(true);

  const alert = await stack.call('POST', '/signals', {
    source: 'system-alert',
    sourceEventId: 'ALERT-CORE-1',
    title: 'test-core 503 errors',
    text: 'Claims API returns 503 for all requests.',
    alert: { component: 'test-core', status: 'firing', severity: 'critical', affectedClaims: ['CLM-SYS-1', 'CLM-SYS-2'], affectedCustomers: ['CUST-SYS-1', 'CUST-SYS-2'] },
  });
  expect(alert.body).toMatchObject({ decision: 'attached', incidentId });
  const customerReport = await stack.call('POST', '/signals', {
    source: 'chat',
    sourceEventId: 'CHAT-SYS-1',
    text: '测试核心系统打不开，无法提交理赔。',
    customerRef: 'CUST-SYS-3',
  });
  expect(customerReport.body).toMatchObject({ decision: 'attached', incidentId });
  const linked = await incident(incidentId);
  expect(linked.links.filter((l) => l.kind === 'claim').map((l) => l.ref)).toEqual(['CLM-SYS-1', 'CLM-SYS-2']);
  expect(linked.links.filter((l) => l.kind === 'customer').map((l) => l.ref)).toEqual(['CUST-SYS-1', 'CUST-SYS-2', 'CUST-SYS-3']);

  // R-SYS-3: affected customers hear of the offline alternative, once each.
  const offline = await eventually(() => readCustomerNotices(stack.noticesPath), (n) => n.filter((x) => x.kind === 'offline-alternative').length === 3);
  expect(new Set(offline.map((n) => n.customerRef))).toEqual(new Set(['CUST-SYS-1', 'CUST-SYS-2', 'CUST-SYS-3']));

  // R-SYS-2: restore steps are recorded; a step before the core one is flagged.
  const early = await stack.call('POST', '/systems/test-core/restore-steps/document-upload', {}, techChen);
  expect(early.status).toBe(200);
  expect(early.body.current.steps[0]).toMatchObject({ step: 'document-upload', beforeCore: true });
  const core = await stack.call('POST', '/systems/test-core/restore-steps/claim-query', { note: 'read replica promoted' }, techChen);
  expect(core.body.current.pendingSteps).toEqual(['claim-submission', 'payout-run']);
  expect((await stack.call('POST', '/systems/test-core/restore-steps/nonsense', {}, techChen)).status).toBe(409);

  // Beats resume: the incident resolves itself and customers hear service is back.
  await stack.call('POST', '/heartbeats/test-core');
  const resolved = await eventually(() => incident(incidentId), (s) => s.status === 'resolved');
  expect(resolved.resolution).toMatch(/heartbeat:test-core/);
  await eventually(() => readCustomerNotices(stack.noticesPath), (n) => n.filter((x) => x.kind === 'service-restored').length === 3);
  // A live system keeps beating (on a loaded machine the short test interval may already have
  // passed again since the resumed beat).
  await stack.call('POST', '/heartbeats/test-core');
  const heartbeat = await eventually(async () => (await stack.call('GET', '/heartbeats/test-core')).body, (h) => h.status === 'healthy');
  expect(heartbeat.status).toBe('healthy');
  expect(heartbeat.outages[0]).toMatchObject({ incidentId });
  // Keep beating is not needed: stop here (the monitor would open a new incident after the next silence).
}, 60_000);

test('claim-status records: overdue payout opens a timeliness incident, a payout close to due only warns', async () => {
  const overdue = await stack.call('POST', '/signals', {
    source: 'claim-status',
    sourceEventId: 'CS-OVERDUE-1',
    occurredAt: '2026-03-20T10:00:00+08:00',
    claimId: 'CLM-OVERDUE-1',
    claimStatus: { stage: 'decided', decidedAt: '2026-02-20T10:00:00+08:00' },
  });
  expect(overdue.body.decision).toBe('opened');
  expect(overdue.body.triage).toMatchObject({ category: 'timeliness', severity: 'general' });
  expect(overdue.body.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'R-CAT-TIME' })]));

  const close = await stack.call('POST', '/signals', {
    source: 'claim-status',
    sourceEventId: 'CS-CLOSE-1',
    occurredAt: '2026-03-20T10:00:00+08:00',
    claimId: 'CLM-CLOSE-1',
    claimStatus: { stage: 'decided', decidedAt: '2026-03-02T10:00:00+08:00' },
  });
  expect(close.body).toMatchObject({ decision: 'none', warning: { claimId: 'CLM-CLOSE-1', limitWorkingDays: 15 } });
  await eventually(() => readOutboxEntries(stack.outboxPath), (entries) => entries.some((e) => e.key.startsWith('payout-warning:')));
});

test('R-DET-5: a latent-risk report opens an incident that records its reporter', async () => {
  const report = await stack.call('POST', '/signals', {
    source: 'internal-report',
    sourceEventId: 'IR-RISK-1',
    title: '批处理脚本存在数据丢失风险',
    text: '夜间批处理脚本没有校验，若中途失败可能导致理赔记录丢失。',
    internal: { kind: 'latent-risk', department: 'technology' },
    reporter: 'engineer-zhou',
  });
  expect(report.body.decision).toBe('opened');
  const state = await incident(report.body.incidentId);
  expect(state.timeline.some((e) => e.type === 'note' && e.text.includes('R-DET-5') && e.text.includes('engineer-zhou'))).toBe(true);
});

test('400 names each bad field', async () => {
  const bad = await stack.call('POST', '/signals', { source: 'fax', sourceEventId: 'has spaces' });
  expect(bad.status).toBe(400);
  expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['source', 'sourceEventId']));
  const missing = await stack.call('POST', '/signals', { source: 'claim-status', sourceEventId: 'CS-1' });
  expect(missing.body.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['claimStatus', 'claimId']));
});

test('issue 7: a decision slower than SIGNAL_WAIT_MS is answered 202 pending with its Location; the Location and a retry give the one decision', async () => {
  // The same engine, behind a router that waits 0 ms for decisions: every new event is a burst's.
  const app = express();
  app.use(express.json());
  app.use(authenticateRequests({ keys: stack.keys.store }));
  app.use(createSignalsRouter({ client: stack.client, detection: stack.detection, decisionWaitMs: 0 }));
  app.use(errorHandler);
  const server = app.listen(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, body?: unknown, role: 'integration' | 'oncall' = 'integration') => {
    const response = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...stack.keys.as(role) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  try {
    const event = complaint('HL-PENDING-1', 'CUST-PENDING-1', { hospital: 'Pending Hospital', reasonCode: 'R-PENDING' });
    const accepted = await call('POST', '/signals', event);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ decision: 'pending', source: 'hotline', sourceEventId: 'HL-PENDING-1', _links: { self: '/signals/hotline/HL-PENDING-1' } });
    expect(accepted.headers.get('location')).toBe('/signals/hotline/HL-PENDING-1');
    expect(accepted.headers.get('retry-after')).toBe('2');

    // The event is in the engine: its Location gives the decision once it is made.
    const decided = await eventually(() => call('GET', '/signals/hotline/HL-PENDING-1'), (a) => a.status !== 202);
    expect(decided.status).toBe(201);
    expect(decided.body).toMatchObject({ decision: 'opened', eventRef: 'hotline:HL-PENDING-1' });
    expect(decided.headers.get('location')).toBe(`/incidents/${decided.body.incidentId}`);
    // A retry of the POST (even through the waiting router) is the same decision, and opens nothing more.
    const retried = await post(event);
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(decided.body);
    expect((await call('POST', '/signals', event)).body).toEqual(decided.body);
    const state = await incident(decided.body.incidentId);
    expect(state.links.filter((l) => l.kind === 'event').map((l) => l.ref)).toEqual(['hotline:HL-PENDING-1']);
    // On-call staff read decisions too (incidents:read).
    expect((await call('GET', '/signals/hotline/HL-PENDING-1', undefined, 'oncall')).body).toEqual(decided.body);

    const unknown = await call('GET', '/signals/hotline/HL-NEVER-POSTED');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/HL-NEVER-POSTED/);
    const bad = await call('GET', '/signals/carrier-pigeon/X-1');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/source/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
