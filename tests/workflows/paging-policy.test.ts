// Escalation policies (paging): step delays, repeats, acknowledgement stopping the rest, a hand-off
// mid-incident, fallback to the next channel, nobody reachable, and no double page after a crash
// between send and record. R-T-BREACH, R-LINE-*, R-LINE-MGMT.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { getWorkflowBundle } from '../support/bundle';
import { acknowledgeUpdate, type IncidentState } from '../../workflows/contracts';
import { FileSentLedger } from '../../activities/paging';
import { CrashingLedger, MOBILE, testRoster } from './paging-fakes';
import { MINUTE, environment, report, system, teardownEnvironment, waitFor, withHarness, type Harness } from './harness';

afterAll(teardownEnvironment);

const general = report(); // a single customer's complaint: general tier, lines claims + customer service

function events(state: IncidentState, type: string, runKey = 'triage') {
  return state.timeline.filter((e) => e.type === type && e.data?.runKey === runKey);
}

/** The local activities in a history, by type, in the order their results were recorded. */
function localActivities(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): string[] {
  return history.events!.flatMap((e) => {
    const a = e.markerRecordedEventAttributes;
    if (a?.markerName !== 'core_local_activity') return [];
    const data = a.details?.data?.payloads?.[0]?.data;
    return [(JSON.parse(Buffer.from(data!).toString('utf8')) as { activity_type: string }).activity_type];
  });
}

async function stepsSeen(h: Harness, handle: Parameters<Harness['state']>[0], count: number) {
  return waitFor(() => h.state(handle), (s) => events(s, 'paging-step').length >= count);
}

const policy = {
  paging: {
    general: {
      steps: [
        { targets: [{ lines: true }], escalateAfterMinutes: 10 },
        { targets: [{ team: 'management' }], escalateAfterMinutes: 10 },
      ],
      repeat: 1,
    },
  },
};

test('steps wait their delay, people get follow-ups by their own rules, and the policy repeats', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start(general);
    let state = await stepsSeen(h, handle, 1);
    const first = events(state, 'paging-step')[0]!;
    expect(first.data).toMatchObject({ round: 0, step: 0 });
    expect(first.data?.people).toEqual(expect.arrayContaining(['cs-1']));
    await waitFor(async () => h.channels.to(MOBILE(1)), (s) => s.some((p) => p.channel === 'sms'));
    // cs-1's own rule: a voice call after 2 minutes without acknowledgement.
    await h.env.sleep(2 * MINUTE + 1000);
    await waitFor(async () => h.channels.to(MOBILE(1)), (s) => s.some((p) => p.channel === 'voice'));
    expect(h.channels.to(MOBILE(5))).toHaveLength(0); // management not yet
    await h.env.sleep(8 * MINUTE);
    state = await stepsSeen(h, handle, 2);
    expect(events(state, 'paging-step')[1]!.data).toMatchObject({ round: 0, step: 1, people: ['mgr-1'] });
    await waitFor(async () => h.channels.to(MOBILE(5)), (s) => s.length >= 1);
    // After the last step's wait the policy runs again (repeat 1), then stops.
    await h.env.sleep(10 * MINUTE + 1000);
    state = await stepsSeen(h, handle, 3);
    expect(events(state, 'paging-step')[2]!.data).toMatchObject({ round: 1, step: 0 });
    await h.env.sleep(25 * MINUTE);
    state = await waitFor(() => h.state(handle), (s) => !s.pagingRuns.includes(`${s.id}-paging-triage`));
    expect(events(state, 'paging-step')).toHaveLength(4);
  }, { policy });
});

test('an acknowledgement mid-policy stops the follow-ups and the later steps', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start(general);
    await stepsSeen(h, handle, 1);
    await h.env.sleep(MINUTE);
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    await h.env.sleep(30 * MINUTE);
    const state = await waitFor(() => h.state(handle), (s) => !s.pagingRuns.includes(`${s.id}-paging-triage`));
    expect(events(state, 'paging-step')).toHaveLength(1);
    expect(h.channels.sent.filter((p) => p.channel === 'voice')).toEqual([]); // the 2-minute calls never went
    // Management was never paged by this run (the contact deadline's breach pages them, R-T-BREACH).
    expect(h.channels.to(MOBILE(5)).filter((p) => p.key.includes(':triage:'))).toEqual([]);
  }, { policy });
});

test('a hand-off mid-incident pages the new on-call person at the next step', async () => {
  const env = await environment();
  const now = new Date(await env.currentTimeMs());
  // Claims hands off 15 minutes from now (Asia/Shanghai wall clock).
  const soon = new Date(now.getTime() + 15 * MINUTE);
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(soon);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  const roster = testRoster({ claimsHandoff: { weekday, time: `${get('hour')}:${get('minute')}` } });
  await withHarness(async (h) => {
    const { handle } = await h.start(general);
    await stepsSeen(h, handle, 1);
    await h.env.sleep(21 * MINUTE); // past the hand-off, into round 2's first step
    const state = await stepsSeen(h, handle, 3);
    const [before, , after] = events(state, 'paging-step');
    const claimsBefore = (before!.data?.people as string[]).filter((p) => p.startsWith('claims-'));
    const claimsAfter = (after!.data?.people as string[]).filter((p) => p.startsWith('claims-'));
    expect(claimsBefore).toHaveLength(1);
    expect(claimsAfter).toHaveLength(1);
    expect(claimsAfter[0]).not.toBe(claimsBefore[0]);
  }, { policy, roster });
});

test('a permanent failure moves to the person\'s next channel at once, and is on the timeline', async () => {
  await withHarness(async (h) => {
    h.channels.invalid.add(MOBILE(2)); // claims-a's mobile is invalid: SMS and voice fail for good
    const { handle } = await h.start(general);
    const state = await waitFor(
      () => h.state(handle),
      (s) => events(s, 'paged').some((e) => e.data?.personId === 'claims-a' && e.data?.channel === 'email'),
    );
    expect(events(state, 'page-failed').find((e) => e.data?.personId === 'claims-a')!.data).toMatchObject({ channel: 'sms', permanent: true });
    expect(h.channels.to('claims-a@example.com')).toHaveLength(1);
  }, { policy: { paging: { general: { steps: [{ targets: [{ person: 'claims-a' }], escalateAfterMinutes: 10 }] } } } });
});

test('when nobody in a step can be reached, the next step starts at once and management is told', async () => {
  await withHarness(async (h) => {
    h.channels.invalid.add(MOBILE(3)); // claims-b has only SMS and voice, both on this number
    const { handle } = await h.start(general);
    const state = await stepsSeen(h, handle, 2);
    expect(events(state, 'unreachable')).toHaveLength(1);
    expect(events(state, 'paging-step')[1]!.data?.people).toEqual(['mgr-1']);
    // No time passed: the 10-minute wait was skipped.
    expect(Date.parse(events(state, 'paging-step')[1]!.at) - Date.parse(events(state, 'paging-step')[0]!.at)).toBeLessThan(MINUTE);
    await waitFor(async () => h.notifier.ofKind('escalation'), (n) => n.length === 1 && n[0]!.lines.includes('management'));
  }, {
    policy: {
      paging: {
        general: {
          steps: [
            { targets: [{ person: 'claims-b' }], escalateAfterMinutes: 10 },
            { targets: [{ team: 'management' }], escalateAfterMinutes: 10 },
          ],
        },
      },
    },
  });
});

test('a worker dying between the send and its record does not page the person twice', async () => {
  const ledger = new CrashingLedger((key) => key.endsWith(':cs-1:sms'));
  await withHarness(async (h) => {
    const { handle } = await h.start(general);
    const state = await waitFor(
      () => h.state(handle),
      (s) => events(s, 'paged').some((e) => e.data?.personId === 'cs-1' && e.data?.channel === 'sms'),
    );
    expect(ledger.crashed).toHaveLength(1);
    expect(h.channels.to(MOBILE(1)).filter((p) => p.channel === 'sms')).toHaveLength(1);
    expect(events(state, 'paged').find((e) => e.data?.personId === 'cs-1')!.data).toMatchObject({ duplicate: true });
  }, { policy, ledger });
});

test('paging runs play inside the incident (patch paging-in-the-incident): no child workflow, no signal, each page once, the later sends in their workflow task, and the history replays', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start(general);
    const state = await waitFor(
      () => h.state(handle),
      (s) => events(s, 'paged').length >= 2 && s.pagingRuns.includes(`${s.id}-paging-triage`),
    );
    expect(events(state, 'paging-step')).toHaveLength(1);

    await h.env.sleep(2 * MINUTE + 1000);
    const after = await waitFor(() => h.state(handle), (s) => events(s, 'paged').filter((e) => e.data?.channel === 'voice').length === 2);
    const keys = h.channels.sent.map((p) => p.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(events(after, 'paged').filter((e) => e.data?.duplicate)).toEqual([]);

    // The incident's history: the run's activities are its own, no child run was started and no
    // paging signal came in (R-T-BREACH on time under load, issue 7). The triage step, sent in the
    // task that answers the report, is an ordinary activity (the archive's first write goes with
    // it since archive-with-step); the follow-ups are local activities, one after the other, in
    // the task their timer woke (patch sends-in-the-task); and it replays on a fresh worker (the
    // nondeterminism a restarted worker met when local activities overlapped or retried).
    const history = await handle.fetchHistory();
    const scheduled = history.events!.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled).toContain('openPagingStep');
    expect(scheduled).not.toContain('deliverPage');
    await expect(h.archive.getIncident(state.id)).resolves.toMatchObject({ status: 'triggered' });
    expect(history.events!.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toEqual([]);
    expect(history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes)).toEqual([]);
    await expect(h.env.client.workflow.getHandle(`${state.id}-paging-triage`).describe()).rejects.toThrow(/not found/i);
    expect(localActivities(history)).toEqual(['deliverPage', 'deliverPage']);
    await Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, history, state.id);
  }, { policy });
});

test('issue 7 (patch one-activity-per-step): a step opens with one activity that resolves its people and sends every page due at once; a refusal is retried by the run, an invalid contact is not tried twice', async () => {
  await withHarness(async (h) => {
    h.channels.transient.set(`sms:${MOBILE(2)}`, 1); // claims-a's SMS provider refuses once
    h.channels.invalid.add(MOBILE(1)); // cs-1's mobile can never work (SMS and voice)
    const { handle } = await h.start(general);
    const state = await waitFor(
      () => h.state(handle),
      (s) => events(s, 'paged').some((e) => e.data?.personId === 'claims-a' && e.data?.channel === 'sms'),
    );
    // claims-a's e-mail (0 minutes) went with the step; the refused SMS went on the run's retry.
    expect(h.channels.to('claims-a@example.com')).toHaveLength(1);
    expect(h.channels.to(MOBILE(2)).filter((p) => p.channel === 'sms')).toHaveLength(1);
    const sms = events(state, 'paged').find((e) => e.data?.personId === 'claims-a' && e.data?.channel === 'sms')!;
    expect(sms.data).toMatchObject({ attempt: 2 });
    expect(events(state, 'page-failed').filter((e) => e.data?.personId === 'claims-a')).toHaveLength(1);
    // cs-1's SMS failed for good at the step's opening: on the timeline once, never tried again;
    // nothing reached cs-1, so the next channel (voice, same number) was tried at once.
    const failed = await waitFor(() => h.state(handle), (s) => events(s, 'page-failed').filter((e) => e.data?.personId === 'cs-1').length >= 2);
    expect(events(failed, 'page-failed').filter((e) => e.data?.personId === 'cs-1').map((e) => [e.data?.channel, e.data?.permanent])).toEqual([
      ['sms', true],
      ['voice', true],
    ]);

    const history = await handle.fetchHistory();
    const scheduled = history.events!.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled.filter((name) => name === 'openPagingStep')).toHaveLength(1);
    expect(scheduled).not.toContain('resolvePagingTargets');
    // The run's own sends before the follow-ups fall due: claims-a's SMS retry and cs-1's voice,
    // each a local activity in the task that took the step's answer (patch sends-in-the-task).
    // The retry was taken at once; the invalid voice contact was refused for good, so no ordinary
    // activity tried either again.
    expect(scheduled).not.toContain('deliverPage');
    expect(localActivities(history)).toEqual(['deliverPage', 'deliverPage']);
    await Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, history, state.id);
  }, { policy: { paging: { general: { steps: [{ targets: [{ person: 'claims-a' }, { person: 'cs-1' }], escalateAfterMinutes: 10 }] } } } });
});

test('issue 7 (patch ack-after-opening-step): an acknowledgement that comes while a step is being opened is recorded after that step and its pages', async () => {
  await withHarness(async (h) => {
    // cs-1's SMS provider is slow: the step's activity has sent claims-a's pages and waits for it.
    let release!: () => void;
    h.channels.held.set(MOBILE(1), new Promise<void>((resolve) => (release = resolve)));
    const { handle } = await h.start(general);
    await waitFor(async () => h.channels.holding, (n) => n === 1);
    expect(h.channels.to('claims-a@example.com')).toHaveLength(1);
    // claims-a acknowledges from the e-mail that is already out, before the activity has answered.
    let answered = false;
    const acknowledging = handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: { ...system, name: 'claims-a' } }] }).then((s) => {
      answered = true;
      return s;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const answeredWhileHeld = answered;
    release();
    expect(answeredWhileHeld).toBe(false);
    const acked = await acknowledging;
    expect(acked.status).toBe('acknowledged');
    const ack = acked.timeline.find((e) => e.type === 'acknowledged')!;
    const step = events(acked, 'paging-step')[0]!;
    const paged = events(acked, 'paged');
    expect(paged.map((e) => `${e.data?.personId} ${e.data?.channel}`).sort()).toEqual(['claims-a email', 'claims-a sms', 'cs-1 sms']);
    expect(step.seq).toBeLessThan(ack.seq);
    expect(paged.every((e) => e.seq < ack.seq)).toBe(true);
    // And the run stopped there: no follow-up later.
    await h.env.sleep(15 * MINUTE);
    const later = await waitFor(() => h.state(handle), (s) => s.pagingRuns.length === 0);
    expect(events(later, 'paging-step')).toHaveLength(1);
    expect(h.channels.sent.filter((p) => p.channel === 'voice')).toHaveLength(0);
  }, { policy: { paging: { general: { steps: [{ targets: [{ person: 'claims-a' }, { person: 'cs-1' }], escalateAfterMinutes: 10 }] } } } });
});

test('R-T-BREACH: a deadline missed after the acknowledgement still pages the next level, once and without follow-ups', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start(general);
    await stepsSeen(h, handle, 1);
    await h.env.sleep(MINUTE);
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    // The 30-minute contact deadline passes without a recorded contact (R-T-CONTACT).
    await h.env.sleep(31 * MINUTE);
    const state = await waitFor(
      () => h.state(handle),
      (s) => s.deadlines.some((d) => d.id === 'contact' && d.state === 'breached') && events(s, 'paged', 'breach-contact').length > 0,
    );
    expect(state.status).toBe('acknowledged');
    const breachPages = h.channels.sent.filter((p) => p.key.includes(':breach-contact:'));
    expect(breachPages.length).toBeGreaterThan(0);
    expect(breachPages.every((p) => p.channel !== 'voice')).toBe(true);
    // No follow-up later either: the run pages once when the incident is acknowledged.
    await h.env.sleep(15 * MINUTE);
    const later = await waitFor(() => h.state(handle), (s) => !s.pagingRuns.includes(`${s.id}-paging-breach-contact`));
    expect(h.channels.sent.filter((p) => p.key.includes(':breach-contact:'))).toHaveLength(breachPages.length);
    expect(events(later, 'paging-step', 'breach-contact')).toHaveLength(1);
  }, { policy });
});

test('issue 7 (patch sends-in-the-task): a follow-up whose local activity does not answer in time is sent by the ordinary activity, and a send that failed meanwhile is not lost', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'sends-in-task-'));
  // The embedded default's ledger file: the ordinary activity waits for the local attempt's outcome.
  const ledger = new FileSentLedger(join(folder, 'sent-ledger.jsonl'));
  try {
    await withHarness(async (h) => {
      const { handle } = await h.start(general);
      await waitFor(() => h.state(handle), (s) => events(s, 'paged').some((e) => e.data?.personId === 'cs-1' && e.data?.channel === 'sms'));
      // cs-1's voice call (their 2-minute rule) finds the provider slow, and then refusing.
      let refuse!: (err: Error) => void;
      h.channels.held.set(MOBILE(1), new Promise<void>((_resolve, reject) => (refuse = reject)));
      await h.env.sleep(2 * MINUTE + 1000);
      await waitFor(async () => h.channels.holding, (n) => n === 1);
      // Past the local activity's 3 s: the ordinary activity has taken over and waits for the claim.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      h.channels.held.delete(MOBILE(1));
      refuse(new Error('voice provider unavailable'));

      const state = await waitFor(() => h.state(handle), (s) => events(s, 'paged').some((e) => e.data?.personId === 'cs-1' && e.data?.channel === 'voice'));
      expect(h.channels.to(MOBILE(1)).filter((p) => p.channel === 'voice')).toHaveLength(1);
      const voice = events(state, 'paged').find((e) => e.data?.personId === 'cs-1' && e.data?.channel === 'voice')!;
      expect(voice.data).toMatchObject({ duplicate: false, attempt: 2 });
      // The refused attempt is on the timeline before the page, as every retried send's is.
      expect(events(state, 'page-failed').filter((e) => e.data?.channel === 'voice').map((e) => e.data?.error)).toEqual(['voice provider unavailable']);

      const history = await handle.fetchHistory();
      const scheduled = history.events!.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
      expect(scheduled.filter((name) => name === 'deliverPage')).toHaveLength(1);
      expect(localActivities(history)).toEqual(['deliverPage']);
      await Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, history, state.id);
    }, { policy: { paging: { general: { steps: [{ targets: [{ person: 'cs-1' }], escalateAfterMinutes: 10 }] } } }, ledger });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
