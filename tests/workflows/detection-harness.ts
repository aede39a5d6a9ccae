/**
 * The detection workflows on the time-skipping server: the real cluster, system and heartbeat
 * workflows and the real routing activities (signal-with-start between workflows), with a typed
 * recording fake for everything that touches incidents or customers.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createDetectionActivities, type DetectionActivities } from '../../activities/detection';
import { readCalendarData } from '../../config/calendar';
import { createCalendar, type CalendarData } from '../../domain/calendar';
import { parseDetectionConfig, type DetectionConfig } from '../../domain/detection-config';
import { DEFAULT_POLICY } from '../../domain/policy';
import type { IncidentReport, TriageResult } from '../../domain/types';
import type { LinkInput } from '../../workflows/detection-contracts';
import { getWorkflowBundle } from '../support/bundle';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { RecordingNotifier } from './harness';

export { waitFor, MINUTE, HOUR, DAY } from './harness';

const fakeTriage = (category: TriageResult['category'], severity: TriageResult['severity']): TriageResult => ({
  category,
  severity,
  lines: severity === 'major' ? ['customer-service', 'claims', 'management'] : ['technology'],
  reasons: [],
});

/** What the fake incident side saw, in order. */
export class IncidentRecorder {
  readonly groups: Array<{ incidentId: string; causeKey: string; episodeStart: string; distinctCustomers: number }> = [];
  readonly systems: Array<{ incidentId: string; component: string; episodeStart: string }> = [];
  readonly links = new Map<string, LinkInput[]>();
  readonly notes = new Map<string, string[]>();
  readonly resolved = new Set<string>();
  readonly notices: Array<{ incidentId: string; kind: string; customers: string[] }> = [];
  /** Individual incidents opened or found for events (the duplicate path). */
  readonly individual: Array<{ incidentId: string; report: IncidentReport; eventRef: string }> = [];

  linksOf(incidentId: string): LinkInput[] {
    return this.links.get(incidentId) ?? [];
  }
}

export interface DetectionHarness {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  recorder: IncidentRecorder;
  detection: DetectionConfig;
  activities: DetectionActivities;
  notifier: RecordingNotifier;
}

export interface DetectionHarnessOptions {
  detection?: unknown;
  calendarData?: CalendarData;
}

/**
 * Runs `body` on a time-skipping server of its own: these workflows live on (timers, open
 * groups), and one test's leftovers must not hold the next test's clock.
 */
export async function withDetectionHarness<T>(body: (h: DetectionHarness) => Promise<T>, options: DetectionHarnessOptions = {}): Promise<T> {
  const env = await createTimeSkippingEnv();
  try {
    return await runHarness(env, body, options);
  } finally {
    await env.teardown();
  }
}

async function runHarness<T>(env: TestWorkflowEnvironment, body: (h: DetectionHarness) => Promise<T>, options: DetectionHarnessOptions): Promise<T> {
  const taskQueue = `detect-${randomUUID()}`;
  const detection = parseDetectionConfig(options.detection ?? {});
  const recorder = new IncidentRecorder();
  const notifier = new RecordingNotifier();
  const real = createDetectionActivities({
    client: env.client,
    taskQueue,
    policy: DEFAULT_POLICY,
    calendar: createCalendar(options.calendarData ?? readCalendarData()),
    detection,
    notifier,
    customerNotices: { send: async () => ({ duplicate: false }) },
  });
  const attach = (incidentId: string, links: LinkInput[]): 'done' | 'closed' => {
    if (recorder.resolved.has(incidentId)) return 'closed';
    const known = recorder.links.get(incidentId) ?? [];
    for (const link of links) if (!known.some((l) => l.kind === link.kind && l.ref === link.ref)) known.push(link);
    recorder.links.set(incidentId, known);
    return 'done';
  };
  const activities: DetectionActivities = {
    ...real,
    async openGroupIncident(input) {
      const existing = recorder.groups.find((g) => g.causeKey === input.causeKey && g.episodeStart === input.episodeStart);
      const incidentId = existing?.incidentId ?? `INC-GROUP${String(recorder.groups.length + 1).padStart(7, '0')}`;
      if (!existing) recorder.groups.push({ incidentId, causeKey: input.causeKey, episodeStart: input.episodeStart, distinctCustomers: input.distinctCustomers });
      return { incidentId, triage: fakeTriage('complaint', 'major') };
    },
    async openSystemIncident(input) {
      const existing = recorder.systems.find((s) => s.component === input.component && s.episodeStart === input.episodeStart);
      const incidentId = existing?.incidentId ?? `INC-SYSTEM${String(recorder.systems.length + 1).padStart(6, '0')}`;
      if (!existing) recorder.systems.push({ incidentId, component: input.component, episodeStart: input.episodeStart });
      return { incidentId, triage: fakeTriage('system', 'general') };
    },
    async attachToIncident(input) {
      return attach(input.incidentId, input.links);
    },
    async linkToGroup(input) {
      return attach(input.groupIncidentId, input.incidentIds.map((ref) => ({ kind: 'incident' as const, ref, reason: 'complaint' })));
    },
    async noteIncident(input) {
      recorder.notes.set(input.incidentId, [...(recorder.notes.get(input.incidentId) ?? []), input.text]);
      return 'done';
    },
    async resolveIncident(input) {
      recorder.resolved.add(input.incidentId);
      return 'done';
    },
    async incidentStatus(input) {
      return recorder.resolved.has(input.incidentId) ? 'resolved' : 'triggered';
    },
    async notifyCustomers(input) {
      recorder.notices.push({ incidentId: input.incidentId, kind: input.kind, customers: input.customers });
      return { sent: input.customers.length, duplicates: 0 };
    },
    async noteLinkedIncidents() {
      return 0;
    },
    async openOrAttachIncident(input) {
      const incidentId = `INC-DUP${String(recorder.individual.length + 1).padStart(8, '0')}`;
      recorder.individual.push({ incidentId, report: input.report, eventRef: input.eventRef });
      return { decision: 'opened', incidentId, triage: fakeTriage('timeliness', 'general'), reason: 'new incident' };
    },
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await getWorkflowBundle(),
    activities,
  });
  return worker.runUntil(() => body({ env, taskQueue, recorder, detection, activities, notifier }));
}
