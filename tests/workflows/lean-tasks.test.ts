// Issue 7 (R-REV-6), patch `lean-tasks`: a new incident's workflow tasks carry fewer commands —
// one patch marker for every earlier patch, its search attributes upserted at most once per task
// with their last values, and the main loop's wake-up timer kept while the time it wakes for
// stands. The deadlines it keeps (R-T-CONTACT) are the same; only the history is shorter.
import { temporal } from '@temporalio/proto';
import { acknowledgeUpdate, resolveUpdate } from '../../workflows/contracts';
import { MINUTE, system, teardownEnvironment, waitFor, withHarness } from './harness';

afterAll(teardownEnvironment);

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(String(t.seconds ?? 0)) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : 0;

/** The events of each workflow task's completion: from one WORKFLOW_TASK_COMPLETED to the next event that is not a command. */
function commandBatches(events: HistoryEvent[]): HistoryEvent[][] {
  const batches: HistoryEvent[][] = [];
  for (const event of events) {
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) batches.push([]);
    else if (batches.length > 0) batches[batches.length - 1]!.push(event);
  }
  return batches;
}

/** A JSON payload's value; `fetchHistory` gives its data as base64 text or as bytes. */
function decode(payload: temporal.api.common.v1.IPayload | null | undefined): unknown {
  const data: unknown = payload?.data;
  if (data === undefined || data === null) return undefined;
  return JSON.parse((typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data as Uint8Array)).toString('utf8'));
}

test('a new incident records one patch marker and upserts its search attributes at most once per task, with their last values', () =>
  withHarness(async (h) => {
    const { handle } = await h.start(undefined, { edge: true });
    await waitFor(() => h.state(handle), (s) => s.timeline.some((e) => e.type === 'paged'));
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid out' }] });
    await handle.result();
    const events = (await handle.fetchHistory()).events ?? [];

    // One marker (it was one per patch: six for a new incident) and one TemporalChangeVersion
    // upsert. Since patch sends-in-the-task that marker is its own, standing for archive-with-step,
    // archive-growth-hourly and lean-tasks too. (Its local activities' results are markers of another name.)
    const markers = events.filter(
      (e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.markerName === 'core_patch',
    );
    expect(markers).toHaveLength(1);
    expect(JSON.stringify(decode(markers[0]!.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]))).toContain('sends-in-the-task');
    const upserts = events.filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
    const fields = (e: HistoryEvent) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
    const versionUpserts = upserts.filter((e) => 'TemporalChangeVersion' in fields(e));
    expect(versionUpserts).toHaveLength(1);
    expect(decode(fields(versionUpserts[0]!)['TemporalChangeVersion'])).toEqual(['sends-in-the-task']);

    // The incident's own attributes: never twice in one task (its first task upserted twice).
    const own = (batch: HistoryEvent[]) =>
      batch.filter((e) => e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES && 'IncidentStatus' in fields(e));
    for (const batch of commandBatches(events)) expect(own(batch).length).toBeLessThanOrEqual(1);
    const statuses = upserts.filter((e) => 'IncidentStatus' in fields(e)).map((e) => decode(fields(e)['IncidentStatus']));
    // Every change of standing is there, the last one last; none repeats the one before.
    expect(statuses).toEqual(['triggered', 'acknowledged', 'resolved']);
  }));

test("the main loop's wake-up timer for the contact warning is started once and never cancelled while the pages and the archive come and go", () =>
  withHarness(async (h) => {
    const { handle } = await h.start(undefined, { edge: true });
    const state = await waitFor(() => h.state(handle), (s) => s.timeline.some((e) => e.type === 'paged') && s.deadlines.length > 0);
    const warnAt = Math.min(...state.deadlines.map((d) => Date.parse(d.warnAt)));
    // Until the warning, the loop turns for the triage step's activity, its archive write and
    // the follow-up pages, and wakes each time for the same warning time.
    await h.env.sleep(warnAt - Date.parse(state.reportedAt) + MINUTE);
    await waitFor(() => h.state(handle), (s) => s.timeline.some((e) => e.type === 'deadline-warning'));
    const events = (await handle.fetchHistory()).events ?? [];

    const started = events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
    const firesAt = (e: HistoryEvent) => millis(e.eventTime) + millis(e.timerStartedEventAttributes?.startToFireTimeout);
    const forWarning = started.filter((e) => Math.abs(firesAt(e) - warnAt) < 1000);
    expect(forWarning).toHaveLength(1);
    const id = forWarning[0]!.timerStartedEventAttributes?.timerId;
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_CANCELED && e.timerCanceledEventAttributes?.timerId === id)).toBe(false);
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED && e.timerFiredEventAttributes?.timerId === id)).toBe(true);

    await handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid out' }] });
    await handle.result();
  }));
