/**
 * Records the histories the replay test runs (`npx tsx tests/workflows/record-histories.ts`).
 * Re-record only on purpose: a recorded history is a promise that running incidents started
 * by that code still replay under the current workflow code. Name files to write only those
 * (`npx tsx tests/workflows/record-histories.ts first-pages-breach.pb`); the rest keep the
 * histories of the code that recorded them.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import {
  acknowledgeUpdate,
  contactUpdate,
  escalateUpdate,
  noteUpdate,
  progressUpdate,
  reclassifyUpdate,
  resolveUpdate,
  solutionUpdate,
} from '../../workflows/contracts';
import { MOBILE } from './paging-fakes';
import { DAY, MINUTE, manager, report, system, teardownEnvironment, waitFor, withHarness, type Harness } from './harness';

const out = join(__dirname, '..', 'fixtures', 'histories');

/** Histories are stored in the protobuf binary encoding the server itself uses. */
function encode(history: unknown): Uint8Array {
  const History = temporal.api.history.v1.History;
  return History.encode(History.fromObject(history as Record<string, unknown>)).finish();
}

const only = process.argv.slice(2);

function save(file: string, history: unknown): void {
  if (only.length > 0 && !only.includes(file)) return;
  writeFileSync(join(out, file), encode(history));
  console.log(`recorded ${file}`);
}

/**
 * The paging walk (patch paging-in-the-incident and after): the triage run's steps and
 * follow-ups, "escalate now", an acknowledgement, a breach after it (paged once), then the
 * resolution. Each fixture that records it holds the code paths of the day it was recorded.
 */
async function pagingWalk(h: Harness): Promise<unknown> {
  const { handle } = await h.start(report(), { edge: true });
  await h.env.sleep(3 * MINUTE);
  await waitFor(() => h.state(handle), (s) => s.timeline.some((e) => e.type === 'paged' && e.data?.channel === 'voice'));
  await handle.executeUpdate(escalateUpdate, { args: [{ actor: system }] });
  await waitFor(() => h.state(handle), (s) => s.timeline.filter((e) => e.type === 'paging-step').length >= 2);
  await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
  await h.env.sleep(30 * MINUTE);
  await waitFor(() => h.state(handle), (s) => s.timeline.some((e) => e.type === 'paged' && e.data?.runKey === 'breach-contact'));
  await handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid' }] });
  await handle.result();
  return handle.fetchHistory();
}

/** A complaint worked through every action, with a missed daily update. */
async function complaintWalk(h: Harness): Promise<unknown> {
  const { handle } = await h.start();
  await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
  await h.env.sleep(10 * MINUTE);
  await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'called' }] });
  await handle.executeUpdate(solutionUpdate, { args: [{ actor: system, text: 'extension' }] });
  await h.env.sleep(DAY + MINUTE);
  await waitFor(() => h.state(handle), (s) => s.escalationLevel === 1);
  await handle.executeUpdate(progressUpdate, { args: [{ actor: system, text: 'update' }] });
  await handle.executeUpdate(noteUpdate, { args: [{ actor: manager, text: 'review' }] });
  await handle.executeUpdate(reclassifyUpdate, { args: [{ actor: manager, severity: 'major', reason: 'press' }] });
  await handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid' }] });
  await handle.result();
  return handle.fetchHistory();
}

/** Left paging, then quiet for an hour but for a note (patch archive-growth-hourly and after). */
async function growthWalk(h: Harness): Promise<unknown> {
  const { handle } = await h.start(report(), { edge: true });
  await h.env.sleep(40 * MINUTE);
  await waitFor(() => h.state(handle), (s) => s.timeline.some((e) => e.type === 'paged' && e.data?.runKey === 'breach-contact'));
  await handle.executeUpdate(noteUpdate, { args: [{ actor: system, text: 'waiting for the bank' }] });
  await h.env.sleep(65 * MINUTE);
  await h.state(handle);
  await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
  await handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid' }] });
  await handle.result();
  return handle.fetchHistory();
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  await withHarness(async (h) => {
    save('complaint-worked-through.pb', await complaintWalk(h));

    // A major system incident left alone: warnings, breaches, escalations.
    const major = await h.start(
      report({
        title: '理赔核心系统宕机',
        description: '理赔核心系统无法访问，大面积影响理赔提交。',
        source: 'system-alert',
        facts: { system: 'claims-core', affectedClaims: 300 },
      }),
    );
    await h.env.sleep(2 * 60 * MINUTE);
    await waitFor(() => h.state(major.handle), (s) => s.escalationLevel >= 2);
    await major.handle.executeUpdate(reclassifyUpdate, { args: [{ actor: manager, category: 'info', reason: 'test' }] });
    await major.handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'restored' }] });
    await major.handle.result();
    save('major-system-breaches.pb', await major.handle.fetchHistory());

    // Triaged at the edge (the API's path since issue 7): the triage comes in the input, not from an activity.
    const edge = await h.start(report({ title: '赔款超期未付', description: '客户的理赔款审核通过后已超过十个工作日仍未到账' }), { edge: true });
    await edge.handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    await h.env.sleep(40 * MINUTE);
    await waitFor(() => h.state(edge.handle), (s) => s.deadlines.some((d) => d.state === 'breached'));
    await edge.handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid' }] });
    await edge.handle.result();
    save('edge-triaged.pb', await edge.handle.fetchHistory());

    // Issue 7: every paging run's first pages sent by the incident itself (a local activity),
    // then the run started with them; a breach and its run the same way, then a stop.
    const first = await h.start(report({ title: '赔款超期未付', description: '客户的理赔款审核通过后已超过十个工作日仍未到账' }), { edge: true });
    await h.env.sleep(40 * MINUTE);
    await waitFor(() => h.state(first.handle), (s) => s.timeline.some((e) => e.type === 'paged' && e.data?.runKey === 'breach-contact'));
    await first.handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    await first.handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid' }] });
    await first.handle.result();
    save('first-pages-breach.pb', await first.handle.fetchHistory());

    // Issue 7: paging runs played inside the incident (patch paging-in-the-incident): the triage
    // run's steps and follow-ups, "escalate now", an acknowledgement, a breach after it (paged
    // once), then the resolution.
    save('paging-in-the-incident.pb', await pagingWalk(h));

    // Issue 7: the same walk with each step opened by one activity (patch one-activity-per-step)
    // and the archive's writes settling (patch archive-settles).
    save('one-activity-per-step.pb', await pagingWalk(h));

    // Issue 7: the same walk with the settle wait on a timer of its own, never cancelled (patch
    // archive-settle-timer).
    save('archive-settle-timer.pb', await pagingWalk(h));

    // Issue 7: both walks with one marker for the earlier patches, one search-attribute upsert
    // per task and the loop's wake-up timer kept while its time stands (patch lean-tasks).
    save('lean-tasks.pb', await pagingWalk(h));
    save('lean-tasks-complaint.pb', await complaintWalk(h));

    // Issue 7: an acknowledgement that came while the triage step was being opened by its
    // activity (cs-1's SMS held back), recorded after the step's pages (patch ack-after-opening-step).
    let release!: () => void;
    h.channels.held.set(MOBILE(1), new Promise<void>((resolve) => (release = resolve)));
    const opening = await h.start(report(), { edge: true });
    await waitFor(async () => h.channels.holding, (n) => n === 1);
    const acknowledging = opening.handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    h.channels.held.delete(MOBILE(1));
    await acknowledging;
    await opening.handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid' }] });
    await opening.handle.result();
    save('ack-after-opening-step.pb', await opening.handle.fetchHistory());

    // Issue 7: an incident nobody acknowledges pages for 40 minutes (steps, follow-ups, the
    // contact warning and breach, the breach's pages), then an hour passes with one note: its
    // pages and the note are written with the breach and an hour later, not every 5 minutes
    // (patch archive-growth-hourly); then the complaint walk on the same code. The same walk
    // recorded by the code before that patch (be5acbb, this function copied in) is
    // lean-tasks-growth.pb: its archive written every 5 minutes, 12 writes against 5 here.
    save('archive-growth-hourly.pb', await growthWalk(h));
    save('archive-growth-hourly-complaint.pb', await complaintWalk(h));

    // Issue 7: the same two walks with the first write and each breach's write carried by the
    // paging step opened in the same task (patch archive-with-step), and the paging walk (steps,
    // follow-ups, "escalate now", an acknowledgement, a breach after it).
    save('archive-with-step.pb', await growthWalk(h));
    save('archive-with-step-complaint.pb', await complaintWalk(h));
    save('archive-with-step-paging.pb', await pagingWalk(h));

    // Issue 7: the same three walks with every send after the triage task a local activity in
    // the workflow task that asked for it (patch sends-in-the-task): steps, follow-ups, warnings,
    // breaches, notifications, each answer a marker.
    save('sends-in-the-task.pb', await growthWalk(h));
    save('sends-in-the-task-complaint.pb', await complaintWalk(h));
    save('sends-in-the-task-paging.pb', await pagingWalk(h));
  });
  await withHarness(
    async (h) => {
      // A run that continues as new.
      const { handle } = await h.start();
      const firstRunId = (await handle.describe()).runId;
      for (let i = 0; i < 40; i++) await handle.executeUpdate(noteUpdate, { args: [{ actor: system, text: `n${i}` }] });
      await waitFor(() => h.state(handle), (s) => s.runs >= 2);
      const first = h.env.client.workflow.getHandle(handle.workflowId, firstRunId);
      save('continued-as-new.pb', await first.fetchHistory());
    },
    // Since patch paging-in-the-incident the run continues as new once its paging run is over.
    { policy: { continueAsNewAfterEvents: 100, paging: { general: { steps: [{ targets: [{ lines: true }], escalateAfterMinutes: 0 }], repeat: 0 } } } },
  );
  await teardownEnvironment();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
