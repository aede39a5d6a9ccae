// Issue 7, found by the correlated burst at 10,000: events that open incidents must not wait, in
// an activity slot, for an activity of the incident they open. With two activity slots and six
// events opening six incidents at once, every event is decided (before, each opening held a slot
// while its incident's triage activity waited for one, and the worker stopped).
import { eventually, startDetectionStack, type DetectionStack } from './detection-stack';

let stack: DetectionStack;

beforeAll(async () => {
  stack = await startDetectionStack({}, { maxConcurrentActivityTaskExecutions: 2 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

test('six events opening six incidents at once on a worker with two activity slots: all six opened, each once', async () => {
  const events = Array.from({ length: 6 }, (_, i) => ({
    source: 'ticket',
    sourceEventId: `TCK-SLOTS-${i}`,
    title: 'Payout delayed',
    text: 'Customer says the payout for her claim is delayed for weeks and nobody replies.',
    claimId: `CLM-SLOTS-${i}`,
    customerRef: `CUST-SLOTS-${i}`,
  }));
  const answers = await Promise.all(events.map((event) => stack.call('POST', '/signals', event)));
  expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
  expect(answers.map((a) => a.body.decision)).toEqual(Array(6).fill('opened'));
  const ids = answers.map((a) => a.body.incidentId as string);
  expect(new Set(ids).size).toBe(6);
  // Each incident is triaged and holds its event, once.
  for (const [i, id] of ids.entries()) {
    const state = await eventually(
      () => stack.client.workflow.getHandle(id).query<{ category?: string; links: { kind: string; ref: string }[] }>('state'),
      (s) => s.category !== undefined,
    );
    expect(state.category).toBe('timeliness');
    expect(state.links.filter((l) => l.kind === 'event').map((l) => l.ref)).toEqual([`ticket:TCK-SLOTS-${i}`]);
  }
}, 90_000);
