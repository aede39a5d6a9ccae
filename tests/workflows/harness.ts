/**
 * The workflow-test harness: the real incident workflow and real activities (triage, plan,
 * calendar) on the time-skipping server, with a typed recording fake for the one side effect
 * (notifications). One server per test file; one worker and task queue per test.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import { SqliteArchiveStore, type ArchiveStore } from '../../activities/archive-store';
import { defaultDetectionConfig } from '../../domain/detection-config';
import { temporaryArchivePath } from '../activities/archive-fixtures';
import type { Notifier } from '../../activities/outbox';
import { readCalendarData } from '../../config/calendar';
import { createCalendar, type CalendarData, type WorkingCalendar } from '../../domain/calendar';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../../domain/policy';
import type { IncidentReport } from '../../domain/types';
import { planResponse } from '../../domain/deadlines';
import { triage } from '../../domain/triage';
import type { incidentWorkflow } from '../../workflows/incident';
import { stateQuery, triageUpdate, type IncidentState, type NotificationRequest, type TriageResponse } from '../../workflows/contracts';
import { MemorySentLedger, type SentLedger } from '../../activities/paging';
import type { Roster } from '../../domain/roster';
import { RecordingChannels, testRoster } from './paging-fakes';
import { getWorkflowBundle } from '../support/bundle';
import { createTimeSkippingEnv } from '../support/time-skipping';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Records every notification, idempotently by key like the real channels. */
export class RecordingNotifier implements Notifier {
  readonly sent: NotificationRequest[] = [];
  readonly attempts: string[] = [];
  async deliver(request: NotificationRequest) {
    this.attempts.push(request.key);
    if (this.sent.some((s) => s.key === request.key)) return { duplicate: true, channel: 'recording' };
    this.sent.push(request);
    return { duplicate: false, channel: 'recording' };
  }
  ofKind(kind: NotificationRequest['kind']) {
    return this.sent.filter((s) => s.kind === kind);
  }
}

export function report(overrides: Partial<IncidentReport> = {}): IncidentReport {
  return {
    title: 'Customer disputes the payout amount and threatens to complain',
    description: 'The customer strongly disputes the reimbursement result and says she will file a complaint (投诉).',
    source: 'hotline',
    facts: { claimId: 'CLM-2026-000123' },
    reporter: 'agent-li',
    drill: false,
    ...overrides,
  };
}

export interface Harness {
  env: TestWorkflowEnvironment;
  notifier: RecordingNotifier;
  policy: Policy;
  calendar: WorkingCalendar;
  channels: RecordingChannels;
  ledger: SentLedger;
  roster: Roster;
  /** The incident archive the workflows write to (R-REV-5): a real SQLite file in a temp dir unless given. */
  archive: ArchiveStore;
  now(): Promise<Date>;
  /** Starts an incident reported now (server clock) and waits for its triage; a drill's `participants` (R-REV-4) if given. */
  /** `edge`: started as the API starts it since issue 7, with its triage and plan in the input. */
  start(r?: IncidentReport, options?: { participants?: string[]; edge?: boolean }): Promise<{ handle: WorkflowHandle<typeof incidentWorkflow>; triage: TriageResponse }>;
  state(handle: WorkflowHandle<typeof incidentWorkflow>): Promise<IncidentState>;
}

let envPromise: Promise<TestWorkflowEnvironment> | undefined;

/** The file's time-skipping server (created once, torn down by `teardownEnvironment`). */
export function environment(): Promise<TestWorkflowEnvironment> {
  const env = envPromise ?? createTimeSkippingEnv();
  envPromise = env;
  return env;
}

export async function teardownEnvironment(): Promise<void> {
  if (envPromise) await (await envPromise).teardown();
  envPromise = undefined;
}

export interface HarnessOptions {
  policy?: unknown;
  calendarData?: CalendarData;
  roster?: Roster;
  /** The sent ledger; in memory unless given (e.g. the embedded default's FileSentLedger). */
  ledger?: SentLedger;
  archive?: ArchiveStore;
}

/** Runs `body` with a worker polling a fresh task queue; the worker stops when `body` ends. */
export async function withHarness<T>(body: (h: Harness) => Promise<T>, options: HarnessOptions = {}): Promise<T> {
  const env = await environment();
  const policy = options.policy ? parsePolicy(options.policy) : DEFAULT_POLICY;
  const calendar = createCalendar(options.calendarData ?? readCalendarData(), policy.timeZone);
  const notifier = new RecordingNotifier();
  const channels = new RecordingChannels(() => Date.now());
  const ledger = options.ledger ?? new MemorySentLedger();
  const roster = options.roster ?? testRoster();
  const taskQueue = `test-${randomUUID()}`;
  const archive = options.archive ?? (await SqliteArchiveStore.open({ path: temporaryArchivePath() }));
  const started: WorkflowHandle<typeof incidentWorkflow>[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await getWorkflowBundle(),
    activities: createActivities({
      policy,
      calendar,
      notifier,
      paging: { roster, channels, ledger, timeZone: policy.timeZone },
      archive: { store: archive, detection: defaultDetectionConfig(), retentionYears: 3 },
    }),
  });
  const harness: Harness = {
    env,
    notifier,
    policy,
    calendar,
    channels,
    ledger,
    roster,
    archive,
    now: async () => new Date(await env.currentTimeMs()),
    async start(r = report(), options = {}) {
      const id = `INC-${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
      const reportedAt = new Date(await env.currentTimeMs()).toISOString();
      const handle = await env.client.workflow.start<typeof incidentWorkflow>('incidentWorkflow', {
        taskQueue,
        workflowId: id,
        args: [
          {
            id,
            report: r,
            reportedAt,
            ...(options.participants ? { participants: options.participants } : {}),
            ...(options.edge ? { triaged: edgeTriage(r, reportedAt, policy, calendar) } : {}),
          },
        ],
      });
      started.push(handle);
      const triage = await handle.executeUpdate(triageUpdate);
      return { handle, triage };
    },
    state: (handle) => handle.query(stateQuery),
  };
  // The time-skipping server never skips time past work nobody polls for: terminate this
  // test's incidents before its worker stops, so the next test's clock can move.
  return worker.runUntil(async () => {
    try {
      return await body(harness);
    } finally {
      // Every paging run of every incident: those the incident still lists, and the children the
      // server holds for it (a run abandoned on close is not in the state any more).
      const runs = await Promise.all(
        started.map(async (handle) => {
          const listed = await handle
            .query(stateQuery)
            .then((state) => state.pagingRuns)
            .catch(() => [] as string[]);
          const pending = await handle
            .describe()
            .then((d) => (d.raw.pendingChildren ?? []).map((c) => c.workflowId ?? '').filter(Boolean))
            .catch(() => [] as string[]);
          return [...listed, ...pending];
        }),
      );
      const children = [...new Set(runs.flat())].map((id) => env.client.workflow.getHandle(id));
      // A workflow task or an activity still running when its workflow is terminated keeps the
      // time-skipping server's clock locked for the rest of the file (the worker's completion is
      // refused: "Task not found when completing"), so let what is in flight finish first: idle
      // on two reads in a row. Bounded, for a run that never settles.
      const settleBy = Date.now() + 5000;
      for (let idleReads = 0; idleReads < 2 && Date.now() < settleBy; ) {
        const busy = await Promise.all(
          [...started, ...children].map((handle) =>
            handle
              .describe()
              .then((d) => d.status.name === 'RUNNING' && ((d.raw.pendingActivities ?? []).length > 0 || Boolean(d.raw.pendingWorkflowTask)))
              .catch(() => false),
          ),
        );
        idleReads = busy.includes(true) ? 0 : idleReads + 1;
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all(
        [...started, ...children].map((handle) => handle.terminate('test finished').catch(() => undefined)),
      );
      if (!options.archive) await archive.close();
    }
  });
}

/** The triage and plan the API computes at the edge (api/app.ts `startTriagedIncident`). */
function edgeTriage(r: IncidentReport, reportedAt: string, policy: Policy, calendar: WorkingCalendar) {
  const result = triage(r, policy.triage);
  return { triage: result, plan: planResponse(new Date(reportedAt), result.category, policy, calendar) };
}

export const system = { name: 'lead-wang', role: 'oncall' as const };
export const manager = { name: 'manager-zhao', role: 'manager' as const };

/**
 * Polls `read` until `done` holds (a timer's effects land a workflow task after the clock
 * moves). Fails with the last value seen after `timeoutMs` of real time.
 */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > until) throw new Error(`condition not reached; last value: ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}
