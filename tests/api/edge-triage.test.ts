/**
 * Triage at the edge (issue 7): the API triages a report with the worker's policy and calendar
 * and starts the workflow with the result — one persisted start per report, no update, no
 * activity on the request path. The answer, the workflow's own record and the classic
 * update-with-start path must agree (R-TRI-*, R-T-*).
 */
import { readCalendarData } from '../../config/calendar';
import { openIncident } from '../../api/app';
import { createCalendar } from '../../domain/calendar';
import { planResponse } from '../../domain/deadlines';
import { DEFAULT_POLICY } from '../../domain/policy';
import type { IncidentReport } from '../../domain/types';
import { TASK_QUEUE, type IncidentState } from '../../workflows/contracts';
import { startApiStack, type ApiStack } from '../support/api-stack';

const calendar = createCalendar(readCalendarData(), DEFAULT_POLICY.timeZone);

const systemDown = {
  title: '理赔系统宕机',
  description: '理赔查询系统全部无法访问，所有客户都查不到理赔进度，已经持续二十分钟',
  reporter: 'support-desk',
};

async function recorded(stack: ApiStack, id: string): Promise<IncidentState> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const res = await stack.call('GET', `/incidents/${id}`);
    if (res.status === 200 && (res.body as IncidentState).timeline.some((e) => e.type === 'triaged')) return res.body as IncidentState;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`incident ${id} never recorded its triage`);
}

describe('POST /incidents with triage at the edge', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack({ appDependencies: { edgeTriage: { policy: DEFAULT_POLICY, calendar } } });
  });

  afterAll(async () => {
    if (!stack) return;
    for await (const info of stack.client.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
      await stack.client.workflow.getHandle(info.workflowId).terminate('test over').catch(() => undefined);
    }
    await stack.stop();
  });

  test('answers the triage, starts one workflow with it, which records the same triage without a triage activity', async () => {
    const res = await stack.call('POST', '/incidents', systemDown, { 'idempotency-key': 'edge-system-down' });
    expect(res.status).toBe(201);
    const answer = res.body as { id: string; status: string; triage: { category: string; severity: string; lines: string[] }; deadlines: { id: string; dueAt: string }[] };
    expect(answer).toMatchObject({ status: 'triggered', triage: { category: 'system', severity: 'major' } });
    // R-LINE-MGMT: management is on every major incident, in the answer as on the timeline.
    expect(answer.triage.lines).toContain('management');

    // Listed with its triage from the start, before its first workflow task.
    const described = await stack.client.workflow.getHandle(answer.id).describe();
    expect(described.searchAttributes).toMatchObject({ IncidentCategory: ['system'], IncidentSeverity: ['major'] });

    const state = await recorded(stack, answer.id);
    expect(state.category).toBe(answer.triage.category);
    expect(state.severity).toBe(answer.triage.severity);
    expect([...state.lines].sort()).toEqual([...answer.triage.lines].sort());
    expect(state.deadlines.map((d) => [d.id, d.dueAt])).toEqual(answer.deadlines.map((d) => [d.id, d.dueAt]));

    const history = await stack.client.workflow.getHandle(answer.id).fetchHistory();
    const activities = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []));
    expect(activities).not.toContain('triageIncident');
    expect((history.events ?? []).some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
  });

  test('a retried report gets the same incident back, and exactly one workflow exists for it', async () => {
    const first = await stack.call('POST', '/incidents', { ...systemDown, title: '理赔系统宕机 (retry)' }, { 'idempotency-key': 'edge-retry' });
    expect(first.status).toBe(201);
    await recorded(stack, first.body.id as string);
    const again = await Promise.all([1, 2, 3].map(() => stack.call('POST', '/incidents', { ...systemDown, title: '理赔系统宕机 (retry)' }, { 'idempotency-key': 'edge-retry' })));
    for (const res of again) {
      expect(res.status).toBe(201);
      expect(res.body.id).toBe(first.body.id);
      expect(res.body.triage).toMatchObject({ category: first.body.triage.category, severity: first.body.triage.severity });
    }
    let runs = 0;
    for await (const info of stack.client.workflow.list({ query: `WorkflowId = '${first.body.id as string}'` })) {
      if (info.type === 'incidentWorkflow') runs += 1;
    }
    expect(runs).toBe(1);
  });

  test.each([
    ['a late payout', { title: '赔款超期未付', description: '客户的理赔款审核通过后已超过十个工作日仍未到账', reporter: 'desk' }],
    ['a complaint', { title: '客户投诉', description: '客户非常不满，要投诉到监管部门，说理赔被无理拒绝', reporter: 'desk' }],
    ['wrong claim data', { title: '理赔信息错误', description: '客户的理赔金额显示错误，银行账号信息也不对', reporter: 'desk' }],
  ])('%s is triaged at the edge exactly as the workflow triages it itself', async (name, report) => {
    const edge = await stack.call('POST', '/incidents', report, { 'idempotency-key': `edge-${name}` });
    expect(edge.status).toBe(201);
    // The classic path: update-with-start, the workflow's triage activity.
    const classic = await openIncident(stack.client, TASK_QUEUE, { ...report, source: 'support', drill: false, facts: {} } as IncidentReport, `classic-${name}`);
    expect(edge.body.triage).toEqual(classic.triage);
    const edgeState = await recorded(stack, edge.body.id as string);
    const classicState = await recorded(stack, classic.id);
    // Both follow the plan for their own report time (R-T-*; complaint deadlines in working days, R-T-CAL).
    for (const state of [edgeState, classicState]) {
      const plan = planResponse(new Date(state.reportedAt), state.category!, DEFAULT_POLICY, calendar);
      expect(state.deadlines.map((d) => [d.id, d.dueAt])).toEqual(plan.deadlines.map((d) => [d.id, d.dueAt]));
    }
    expect(edgeState.deadlines.map((d) => d.id)).toEqual(classicState.deadlines.map((d) => d.id));
  });
});
