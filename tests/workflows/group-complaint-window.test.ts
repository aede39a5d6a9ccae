// R-CAT-COMP: more than 5 distinct customers about one cause within 24 hours is a group
// complaint. The window slides: complaints older than 24 hours stop counting.
import { causeClusterWorkflowId, customerKey } from '../../domain/correlation-keys';
import { DEFAULT_POLICY } from '../../domain/policy';
import { clusterStateQuery, complaintSignal, type ClusterComplaint, type ClusterSettings } from '../../workflows/detection-contracts';
import type { causeClusterWorkflow } from '../../workflows/cause-cluster';
import { HOUR, MINUTE, waitFor, withDetectionHarness, type DetectionHarness } from './detection-harness';

const settings: ClusterSettings = { windowMs: 24 * HOUR, threshold: DEFAULT_POLICY.triage.groupComplaintCustomers, statusCheckMs: 10 * MINUTE };

async function complain(h: DetectionHarness, causeKey: string, customer: string, eventId: string): Promise<void> {
  const complaint: ClusterComplaint = {
    eventRef: `hotline:${eventId}`,
    customerKey: customerKey(customer),
    customerRef: customer,
    drill: false,
    settings,
  };
  await h.env.client.workflow.signalWithStart<typeof causeClusterWorkflow, [ClusterComplaint]>('causeClusterWorkflow', {
    workflowId: causeClusterWorkflowId(causeKey),
    taskQueue: h.taskQueue,
    args: [{ causeKey, causeLabel: 'reasonCode r-window', settings }],
    signal: complaintSignal,
    signalArgs: [complaint],
  });
}

const cluster = (h: DetectionHarness, causeKey: string) =>
  h.env.client.workflow.getHandle(causeClusterWorkflowId(causeKey)).query(clusterStateQuery);

test('complaints older than 24 hours stop counting: 3 + (25 h later) 3 is no group, 3 more within the day is one', async () => {
  await withDetectionHarness(async (h) => {
    const cause = 'fields:reasonCode=r-window-1';
    for (const customer of ['A', 'B', 'C']) await complain(h, cause, `CUST-W1-${customer}`, `W1-${customer}`);
    await waitFor(() => cluster(h, cause), (c) => c.distinctCustomers === 3);

    await h.env.sleep(25 * HOUR);
    for (const customer of ['D', 'E', 'F']) await complain(h, cause, `CUST-W1-${customer}`, `W1-${customer}`);
    const afterSlide = await waitFor(() => cluster(h, cause), (c) => c.complaints === 3);
    expect(afterSlide.distinctCustomers).toBe(3);
    expect(h.recorder.groups).toHaveLength(0);

    await h.env.sleep(2 * HOUR);
    for (const customer of ['G', 'H', 'I']) await complain(h, cause, `CUST-W1-${customer}`, `W1-${customer}`);
    const grouped = await waitFor(() => cluster(h, cause), (c) => c.group !== undefined && c.complaints === 6);
    expect(h.recorder.groups).toHaveLength(1);
    // The sixth distinct customer crossed "more than 5": the group opened with 6, D–I.
    expect(h.recorder.groups[0]).toMatchObject({ distinctCustomers: 6 });
    expect(grouped.group?.customersAtOpening).toBe(6);
    const customers = h.recorder.linksOf(grouped.group!.incidentId).filter((l) => l.kind === 'customer').map((l) => l.ref);
    expect(customers.sort()).toEqual(['CUST-W1-D', 'CUST-W1-E', 'CUST-W1-F', 'CUST-W1-G', 'CUST-W1-H', 'CUST-W1-I']);
  });
});

test('the window is sliding, not a calendar day: 3 at 09:00 and 3 at 08:00 the next day make a group', async () => {
  await withDetectionHarness(async (h) => {
    const cause = 'fields:reasonCode=r-window-2';
    for (const customer of ['A', 'B', 'C']) await complain(h, cause, `CUST-W2-${customer}`, `W2-${customer}`);
    await waitFor(() => cluster(h, cause), (c) => c.distinctCustomers === 3);
    await h.env.sleep(23 * HOUR);
    for (const customer of ['D', 'E']) await complain(h, cause, `CUST-W2-${customer}`, `W2-${customer}`);
    // The same customer twice counts once (distinct customers).
    await complain(h, cause, 'CUST-W2-D', 'W2-D-again');
    await waitFor(() => cluster(h, cause), (c) => c.complaints === 6);
    expect(h.recorder.groups).toHaveLength(0);
    expect((await cluster(h, cause)).distinctCustomers).toBe(5);
    await complain(h, cause, 'CUST-W2-F', 'W2-F');
    await waitFor(() => cluster(h, cause), (c) => c.group !== undefined);
    expect(h.recorder.groups).toHaveLength(1);

    // Later complaints attach to the group; none opens a second one.
    await complain(h, cause, 'CUST-W2-G', 'W2-G');
    await waitFor(() => cluster(h, cause), (c) => c.complaints === 8);
    // The cluster counts the complaint first and links it to the group's incident after, by activity.
    const groupId = h.recorder.groups[0]!.incidentId;
    const links = await waitFor(async () => h.recorder.linksOf(groupId), (ls) => ls.some((l) => l.ref === 'CUST-W2-G'));
    expect(links.filter((l) => l.ref === 'CUST-W2-G')).toHaveLength(1);
    expect(h.recorder.groups).toHaveLength(1);
  });
});

test('a resolved group ends its episode: the next complaints count afresh and a new group needs six new customers', async () => {
  await withDetectionHarness(async (h) => {
    const cause = 'fields:reasonCode=r-window-3';
    for (const customer of ['A', 'B', 'C', 'D', 'E', 'F']) await complain(h, cause, `CUST-W3-${customer}`, `W3-${customer}`);
    const first = await waitFor(() => cluster(h, cause), (c) => c.group !== undefined);
    h.recorder.resolved.add(first.group!.incidentId);
    await complain(h, cause, 'CUST-W3-G', 'W3-G');
    const after = await waitFor(() => cluster(h, cause), (c) => c.pastGroups.length === 1);
    expect(after.group).toBeUndefined();
    expect(after.distinctCustomers).toBe(1);
    expect(h.recorder.groups).toHaveLength(1);
  });
});

test('issue 7: a cause that never falls quiet continues as new while busy, carrying what is waiting; every complaint counted once, one group', async () => {
  await withDetectionHarness(async (h) => {
    const cause = 'fields:reasonCode=r-busy-1';
    const id = causeClusterWorkflowId(cause);
    const send = (n: number) => {
      const customer = `CUST-B1-${n}`;
      // Each answer goes to an intake, as in production (here none exists: the answer is logged and dropped).
      const complaint: ClusterComplaint = {
        eventRef: `hotline:B1-${n}`,
        customerKey: customerKey(customer),
        customerRef: customer,
        replyTo: `signal-intake-b1-${n}`,
        drill: false,
        settings,
      };
      return h.env.client.workflow.signalWithStart<typeof causeClusterWorkflow, [ClusterComplaint]>('causeClusterWorkflow', {
        workflowId: id,
        taskQueue: h.taskQueue,
        // A low bound, so that a few dozen complaints make a run long (the default is 2,000 events).
        args: [{ causeKey: cause, causeLabel: 'reasonCode r-busy-1', settings, busyContinueAfterEvents: 30 }],
        signal: complaintSignal,
        signalArgs: [complaint],
      });
    };
    const firstRunId = (await send(0)).signaledRunId;
    // Waves sent while the cluster is still routing the last: it is never quiet in between.
    for (let wave = 0; wave < 4; wave++) await Promise.all(Array.from({ length: 15 }, (_, i) => send(1 + wave * 15 + i)));
    // A repeated complaint (an activity retry's signal) is answered, not counted again.
    await send(7);
    // Waited for on the activities' record, not by querying a cluster that may be continuing as
    // new (the time-skipping server can leave a query to a run that just ended unanswered).
    const customers = () => (h.recorder.groups[0] ? h.recorder.linksOf(h.recorder.groups[0].incidentId).filter((l) => l.kind === 'customer') : []);
    const links = await waitFor(async () => customers(), (ls) => ls.length >= 61);
    expect(links.map((l) => l.ref).sort()).toEqual(Array.from({ length: 61 }, (_, n) => `CUST-B1-${n}`).sort());
    expect(h.recorder.groups).toHaveLength(1);
    expect((await h.env.client.workflow.getHandle(id, firstRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
    // Each query bounded and retried, for the same reason.
    const view = await waitFor(
      () => h.env.client.connection.withDeadline(Date.now() + 5_000, () => cluster(h, cause)).catch(() => undefined),
      (v) => v?.complaints === 61,
      30_000,
    );
    expect(view!.distinctCustomers).toBe(61);
  });
});
