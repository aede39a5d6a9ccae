// R-REV-5: the daily retention run is a Temporal schedule the worker creates once (a second
// start finds it); a run, triggered here instead of waiting for 03:30, deletes only records
// closed more than the retention period ago. Real dev server, worker and archive file.
import { ARCHIVE_RETENTION_SCHEDULE_ID, ensureArchiveRetentionSchedule } from '../../activities/archive';
import { incidentState } from '../activities/archive-fixtures';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { TASK_QUEUE } from '../../workflows/contracts';

let stack: ApiStack;
beforeAll(async () => {
  stack = await startApiStack();
});
afterAll(() => stack?.stop());

test('the schedule exists once and its run applies the retention period', async () => {
  expect(await ensureArchiveRetentionSchedule(stack.client, TASK_QUEUE, 'Asia/Shanghai')).toBe('created');
  expect(await ensureArchiveRetentionSchedule(stack.client, TASK_QUEUE, 'Asia/Shanghai')).toBe('exists');
  const schedule = stack.client.schedule.getHandle(ARCHIVE_RETENTION_SCHEDULE_ID);
  const described = await schedule.describe();
  expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
  expect(described.spec.timezone).toBe('Asia/Shanghai');

  const store = stack.archive.store;
  const old = incidentState({ id: 'INC-OLD000000001', reportedAt: '2020-03-01T00:00:00.000Z', steps: ['resolved'] });
  const recent = incidentState({ id: 'INC-NEW000000001', reportedAt: new Date(Date.now() - 86_400_000).toISOString(), steps: ['resolved'] });
  const open = incidentState({ id: 'INC-OPEN00000001', reportedAt: '2020-03-01T00:00:00.000Z', steps: ['acknowledged'] });
  for (const state of [old, recent, open]) await store.upsertIncident({ state });

  await schedule.trigger();
  const end = Date.now() + 60_000;
  let runs = (await schedule.describe()).info.recentActions;
  while (runs.length === 0 && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    runs = (await schedule.describe()).info.recentActions;
  }
  const started = runs[0]!.action.workflow;
  const result = await stack.client.workflow.getHandle(started.workflowId, started.firstExecutionRunId).result();
  expect(result).toMatchObject({ deleted: ['INC-OLD000000001'], kept: 1 });
  expect((await store.listSummaries()).map((i) => i.id).sort()).toEqual(['INC-NEW000000001', 'INC-OPEN00000001']);
}, 120_000);
