// R-REV-5: the incident workflow writes its record to the archive as it changes (after triage,
// after each action) and in full when it closes; an archive that fails for a while delays no
// deadline (R-T-CONTACT still breaches on time) and catches up when it is back.
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { acknowledgeUpdate, contactUpdate, noteUpdate, resolveUpdate, solutionUpdate } from '../../workflows/contracts';
import type { ArchiveStore } from '../../activities/archive-store';
import { SqliteArchiveStore } from '../../activities/archive-store';
import { temporaryArchivePath } from '../activities/archive-fixtures';
import { HOUR, MINUTE, system, teardownEnvironment, waitFor, withHarness, type Harness } from './harness';

afterAll(teardownEnvironment);

/** The real store with its writes going through `upsertIncident` (a switch, a counter). */
function withWrites(real: ArchiveStore, upsertIncident: ArchiveStore['upsertIncident']): ArchiveStore {
  return {
    upsertIncident,
    getIncident: (id) => real.getIncident(id),
    listIncidents: (filter) => real.listIncidents(filter),
    listSummaries: (filter) => real.listSummaries(filter),
    markCase: (id, input) => real.markCase(id, input),
    findCases: (filter) => real.findCases(filter),
    applyRetention: (now, years) => real.applyRetention(now, years),
    backupTo: (path) => real.backupTo(path),
    close: () => real.close(),
  };
}

/**
 * Runs `body` against the real store with every write the incident makes counted: its last seq,
 * its status and the server's clock when it came.
 */
async function withCountedWrites(
  body: (h: Harness, writes: { lastSeq: number; status: string; serverMs: number }[], real: ArchiveStore) => Promise<void>,
): Promise<void> {
  const real = await SqliteArchiveStore.open({ path: temporaryArchivePath() });
  const writes: { lastSeq: number; status: string; serverMs: number }[] = [];
  let serverClock: () => Promise<number> = async () => 0;
  const counting = withWrites(real, async (snapshot, at) => {
    writes.push({ lastSeq: Math.max(...snapshot.state.timeline.map((e) => e.seq)), status: snapshot.state.status, serverMs: await serverClock() });
    return real.upsertIncident(snapshot, at);
  });
  try {
    await withHarness(
      async (h) => {
        serverClock = () => h.env.currentTimeMs();
        await body(h, writes, real);
      },
      { archive: counting },
    );
  } finally {
    await real.close();
  }
}

test('the archive holds the record after triage, after each action, and in full at close', () =>
  withHarness(async (h) => {
    const { handle, triage } = await h.start();
    const archived = () => h.archive.getIncident(triage.id);
    const afterTriage = await waitFor(archived, (a) => a !== undefined && a.lastSeq >= 2);
    expect(afterTriage).toMatchObject({ status: 'triggered', category: triage.triage.category, severity: triage.triage.severity });

    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    await waitFor(archived, (a) => a?.status === 'acknowledged');
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'called the customer' }] });
    await waitFor(archived, (a) => a?.contactedAt !== null && a?.contactedAt !== undefined);

    await handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid out' }] });
    const final = await handle.result();
    const closed = await h.archive.getIncident(triage.id);
    // The final snapshot is written before the workflow completes: the full state, timeline included.
    expect(closed?.status).toBe('resolved');
    expect(closed?.state).toEqual(final);
    expect(closed?.lastSeq).toBe(Math.max(...final.timeline.map((e) => e.seq)));
    expect(closed?.closedAt).toBe(final.timeline.find((e) => e.type === 'resolved')?.at);
  }));

test('an archive that is down delays no deadline, and catches up when it is back', async () => {
  const real = await SqliteArchiveStore.open({ path: temporaryArchivePath() });
  let down = true;
  let refused = 0;
  // The real store behind a switch: writes fail while `down`, as an unreachable database would.
  const flaky = withWrites(real, (snapshot, at) => {
    if (down) {
      refused += 1;
      return Promise.reject(new Error('archive unreachable'));
    }
    return real.upsertIncident(snapshot, at);
  });
  try {
    await withHarness(
      async (h) => {
        const { handle, triage } = await h.start();
        await waitFor(async () => refused, (n) => n >= 1);
        // R-T-CONTACT: 30 minutes without contact breaches and escalates, archive or not.
        await h.env.sleep(31 * MINUTE);
        const state = await waitFor(() => h.state(handle), (s) => s.deadlines.some((d) => d.id === 'contact' && d.state === 'breached'));
        expect(state.escalationLevel).toBeGreaterThanOrEqual(1);
        expect(await real.getIncident(triage.id)).toBeUndefined();

        down = false;
        // Retries back off to at most 5 minutes (a workflow timer): one such wait later it is in.
        await h.env.sleep(6 * MINUTE);
        const caughtUp = await waitFor(
          () => real.getIncident(triage.id),
          (a) => a !== undefined && a.deadlines.some((d) => d.id === 'contact' && d.state === 'breached'),
          20_000,
        );
        expect(caughtUp?.escalationLevel).toBeGreaterThanOrEqual(1);
      },
      { archive: flaky },
    );
  } finally {
    await real.close();
  }
}, 120_000);

/** The archive writes that took an activity of their own (`archiveIncident` scheduled in the history). */
async function ownArchiveActivities(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'archiveIncident').length;
}

test('issue 7 (patches archive-settles, archive-with-step): the first write goes with the triage step, at once; a timeline that only grew waits for the growth pace or the next change of standing, which is written within seconds', () =>
  withCountedWrites(async (h, writes, real) => {
    const startedMs = await h.env.currentTimeMs();
    const { handle, triage } = await h.start();
    // Report and triage: written by the triage run's step activity, with no activity of its own
    // and no settle wait (before patch archive-with-step: an archiveIncident a second later).
    const paged = await waitFor(() => h.state(handle), (s) => s.timeline.filter((e) => e.type === 'paged').length >= 2);
    await h.env.sleep(2_000);
    const triagedSeq = paged.timeline.find((e) => e.type === 'triaged')!.seq;
    const firstPageSeq = paged.timeline.find((e) => e.type === 'paged')!.seq;
    await waitFor(() => real.getIncident(triage.id), (a) => (a?.lastSeq ?? 0) >= triagedSeq);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.lastSeq).toBeGreaterThanOrEqual(triagedSeq);
    // The step's pages were recorded after the write it carried: they wait, as any growth does.
    expect(writes[0]!.lastSeq).toBeLessThan(firstPageSeq);
    expect(writes[0]!.serverMs - startedMs).toBeLessThan(1_000);
    expect(await ownArchiveActivities(handle)).toBe(0);

    // The voice follow-up at 2 minutes only grows the timeline: it waits for the pace.
    await h.env.sleep(3 * MINUTE);
    const voiced = await waitFor(() => h.state(handle), (s) => s.timeline.some((e) => e.type === 'paged' && e.data?.channel === 'voice'));
    const voiceSeq = voiced.timeline.find((e) => e.type === 'paged' && e.data?.channel === 'voice')!.seq;
    expect(writes).toHaveLength(1);

    // An acknowledgement changes the incident's standing and starts no step: written by the
    // archive's own activity within seconds (at once here: the pages waiting were recorded more
    // than the settle wait before), with every entry that was waiting.
    const ackMs = await h.env.currentTimeMs();
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    await h.env.sleep(2_000);
    const acked = (await waitFor(async () => writes.filter((w) => w.status === 'acknowledged'), (w) => w.length > 0, 5_000))[0]!;
    expect(acked.lastSeq).toBeGreaterThan(voiceSeq);
    expect(acked.serverMs - ackMs).toBeLessThan(5_000);
    expect(writes.filter((w) => w.status === 'triggered')).toHaveLength(1);
    expect(await ownArchiveActivities(handle)).toBe(1);
  }));

test('issue 7 (patch archive-with-step): a breach is written by its own paging step, with the warning and the escalation', () =>
  withCountedWrites(async (h, writes, real) => {
    const { handle, triage } = await h.start();
    await waitFor(async () => writes.length, (n) => n >= 1);
    // R-T-CONTACT: nobody contacts the customer; warned before the 30 minutes, breached at them.
    await h.env.sleep(31 * MINUTE);
    const breached = await waitFor(() => h.state(handle), (s) => s.timeline.some((e) => e.type === 'deadline-breached' && e.data?.deadline === 'contact'));
    const escalatedSeq = breached.timeline.find((e) => e.type === 'escalated')!.seq;
    const archived = await waitFor(() => real.getIncident(triage.id), (a) => a?.deadlines.some((d) => d.id === 'contact' && d.state === 'breached') === true);
    expect(archived?.escalationLevel).toBe(1);
    expect(archived?.lastSeq).toBeGreaterThanOrEqual(escalatedSeq);
    expect(archived?.state.timeline.some((e) => e.type === 'deadline-warning')).toBe(true);
    // Neither the first write nor the breach's took an activity of its own.
    expect(await ownArchiveActivities(handle)).toBe(0);
  }), 120_000);

test('issue 7 (patch archive-with-step): a write the step could not make is made by the archive\'s own activity, with its retries', async () => {
  const real = await SqliteArchiveStore.open({ path: temporaryArchivePath() });
  let refusals = 1;
  // Which activity asked for each write, and whether the store took it.
  const attempts: { activity: string; ok: boolean }[] = [];
  // The first write (the one the triage step carries) fails once, as an unreachable database would.
  const flaky = withWrites(real, (snapshot, at) => {
    const activity = Context.current().info.activityType;
    if (refusals > 0) {
      refusals -= 1;
      attempts.push({ activity, ok: false });
      return Promise.reject(new Error('archive unreachable'));
    }
    attempts.push({ activity, ok: true });
    return real.upsertIncident(snapshot, at);
  });
  try {
    await withHarness(
      async (h) => {
        const { handle, triage } = await h.start();
        await h.env.sleep(5_000);
        const archived = await waitFor(() => real.getIncident(triage.id), (a) => a !== undefined);
        expect(archived?.status).toBe('triggered');
        expect(attempts).toEqual([
          { activity: 'openPagingStep', ok: false },
          { activity: 'archiveIncident', ok: true },
        ]);
        // The step's pages are out all the same.
        expect((await h.state(handle)).timeline.filter((e) => e.type === 'paged').length).toBeGreaterThanOrEqual(1);
      },
      { archive: flaky },
    );
  } finally {
    await real.close();
  }
});

test('issue 7 (patch archive-settle-timer): a change recorded while a write is in flight is written about a second after that write, with no further change to wake it', async () => {
  const real = await SqliteArchiveStore.open({ path: temporaryArchivePath() });
  const writes: { status: string; contacted: boolean; serverMs: number }[] = [];
  let serverClock: () => Promise<number> = async () => 0;
  // The acknowledgement's write is held until the test lets it go; the rest pass straight through.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let holding: (() => void) | undefined;
  const ackWriteStarted = new Promise<void>((resolve) => (holding = resolve));
  const gated = withWrites(real, async (snapshot, at) => {
    if (holding && snapshot.state.status === 'acknowledged') {
      const started = holding;
      holding = undefined;
      started();
      await held;
    }
    writes.push({ status: snapshot.state.status, contacted: snapshot.state.timeline.some((e) => e.type === 'contacted'), serverMs: await serverClock() });
    return real.upsertIncident(snapshot, at);
  });
  try {
    await withHarness(
      async (h) => {
        serverClock = () => h.env.currentTimeMs();
        const { handle, triage } = await h.start();
        await waitFor(async () => writes.length, (n) => n >= 1);
        await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
        await h.env.sleep(2_000);
        await ackWriteStarted;
        // The customer contacted while the acknowledgement's write is still in flight.
        await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'called the customer' }] });
        const contactMs = await h.env.currentTimeMs();
        release();
        await waitFor(async () => writes.filter((w) => w.status === 'acknowledged').length, (n) => n >= 1);
        expect(writes.find((w) => w.status === 'acknowledged')!.contacted).toBe(false);
        // The next thing the loop would wake for on its own is the solution's warning, most of an
        // hour away: two seconds are enough only because the finished write woke it.
        await h.env.sleep(2_000);
        const contacted = await waitFor(() => real.getIncident(triage.id), (a) => a?.contactedAt !== null && a?.contactedAt !== undefined, 10_000);
        expect(contacted?.contactedAt).toBeTruthy();
        const contactWrite = writes.find((w) => w.contacted)!;
        expect(contactWrite.serverMs - contactMs).toBeLessThan(60_000);
      },
      { archive: gated },
    );
  } finally {
    await real.close();
  }
});

test('issue 7 (patch archive-growth-hourly): a timeline that only grew is written an hour after the last write, not 5 minutes; a change of standing still within seconds', () =>
  withCountedWrites(async (h, writes, real) => {
    const { handle, triage } = await h.start();
    // Acknowledged (paging stops), contact and solution given: the contact and solution
    // deadlines are met, so nothing changes the incident's standing for a day (R-T-DAILY).
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'called the customer' }] });
    const solvedMs = await h.env.currentTimeMs();
    const solved = await handle.executeUpdate(solutionUpdate, { args: [{ actor: system, text: 'time extension' }] });
    const solvedSeq = Math.max(...solved.timeline.map((e) => e.seq));
    await h.env.sleep(2_000);
    await waitFor(() => real.getIncident(triage.id), (a) => (a?.lastSeq ?? 0) >= solvedSeq);
    // A change of standing (the solution deadline met) is written within seconds, as before.
    const lastWriteMs = writes[writes.length - 1]!.serverMs;
    expect(lastWriteMs - solvedMs).toBeLessThan(5_000);

    // A note only grows the timeline: not written at the old 5-minute pace...
    const noted = await handle.executeUpdate(noteUpdate, { args: [{ actor: system, text: 'waiting for the bank' }] });
    const noteSeq = Math.max(...noted.timeline.map((e) => e.seq));
    const writesBefore = writes.length;
    await h.env.sleep(10 * MINUTE);
    await h.state(handle);
    expect(writes).toHaveLength(writesBefore);
    expect((await real.getIncident(triage.id))?.lastSeq).toBeLessThan(noteSeq);

    // ...but an hour after the last write, with no other change to carry it.
    await h.env.sleep(HOUR);
    const caughtUp = await waitFor(() => real.getIncident(triage.id), (a) => (a?.lastSeq ?? 0) >= noteSeq);
    expect(caughtUp?.lastSeq).toBeGreaterThanOrEqual(noteSeq);
    expect(writes).toHaveLength(writesBefore + 1);
    expect(writes[writes.length - 1]!.serverMs - lastWriteMs).toBeGreaterThanOrEqual(HOUR - 5_000);
  }), 120_000);
