// GET /incidents without an archive reads Temporal's visibility, where an incident that continued
// as new (a long-lived incident past its plan's `continueAsNewAfterEvents`) has one execution per
// run. The list shows each incident once, as its current run stands.
import { startTriaged, triagedStart } from '../../api/app';
import { readCalendarData } from '../../config/calendar';
import { createCalendar } from '../../domain/calendar';
import { parsePolicy } from '../../domain/policy';
import type { IncidentReport } from '../../domain/types';
import { TASK_QUEUE, stateQuery, triageUpdate } from '../../workflows/contracts';
import { startApiStack, type ApiStack } from '../support/api-stack';

let stack: ApiStack;

beforeAll(async () => {
  // No archive: the list comes from visibility.
  stack = await startApiStack({ appDependencies: { archive: undefined } });
});

afterAll(() => stack?.stop());

test('an incident that continued as new is listed once, as its current run stands', async () => {
  const report: IncidentReport = {
    title: '客户对理赔结果强烈质疑',
    description: '客户来电称理赔金额计算错误，表示将投诉。',
    source: 'hotline',
    reporter: 'agent-li',
    facts: {},
    drill: false,
  };
  // A plan that continues as new past 100 events, with a paging step that ends at once (a run
  // inside the incident ends before the incident continues).
  const policy = parsePolicy({ continueAsNewAfterEvents: 100, paging: { general: { steps: [{ targets: [{ lines: true }], escalateAfterMinutes: 0 }], repeat: 0 } } });
  const id = `INC-LISTCONT${Date.now().toString(36).toUpperCase().slice(-4)}`;
  // Started as the API starts a report (triaged at the edge), with that plan in its input.
  expect(await startTriaged(stack.client, TASK_QUEUE, triagedStart(id, report, { policy, calendar: createCalendar(readCalendarData()) }))).not.toBe('existed');
  const handle = stack.client.workflow.getHandle(id);
  await handle.executeUpdate(triageUpdate);
  for (let i = 1; i <= 40; i++) {
    expect((await stack.call('POST', `/incidents/${id}/notes`, { text: `note ${i}` })).status).toBe(200);
  }
  // Continued as new: a second run, and the first closed as ContinuedAsNew in visibility.
  let runs = 0;
  for (let i = 0; i < 100 && runs < 2; i++) {
    runs = (await stack.client.workflow.count(`WorkflowId = '${id}'`)).count;
    if (runs < 2) await new Promise((r) => setTimeout(r, 200));
  }
  expect(runs).toBeGreaterThanOrEqual(2);
  expect((await handle.query(stateQuery)).runs).toBeGreaterThanOrEqual(2);

  const listed = (await stack.call('GET', '/incidents?limit=1000')).body.incidents as { id: string; status: string; closedAt: string | null }[];
  const rows = listed.filter((row) => row.id === id);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 'triggered', closedAt: null });
}, 120_000);
