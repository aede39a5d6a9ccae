/**
 * What the benchmark asks the engine afterwards: how many incident workflows exist (visibility
 * count) and which ids they have, through the Temporal client; an incident's state, through
 * the API.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { IncidentState } from '../workflows/contracts';

/**
 * Every incident's execution, once: the runs an incident continued from are left out (a
 * long-lived incident continues as new past its plan's `continueAsNewAfterEvents`), so a second
 * execution of one id is a duplicate.
 */
export const INCIDENT_EXECUTIONS = `WorkflowType = 'incidentWorkflow' AND ExecutionStatus != 'ContinuedAsNew'`;

export interface EngineClient {
  client: Client;
  close(): Promise<void>;
}

export async function connectEngine(address: string): Promise<EngineClient> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection }), close: () => connection.close() };
}

/**
 * The visibility count of `query`, once it has stopped changing (visibility trails the
 * workflows by a moment) or `timeoutMs` has passed; `expected` ends the wait early once reached.
 */
export async function settledCount(client: Client, query: string, expected: number, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stableFor = 0;
  for (;;) {
    const { count } = await client.workflow.count(query);
    if (count === expected && last === count) return count;
    stableFor = count === last ? stableFor + 1 : 0;
    last = count;
    if (stableFor >= 5 || Date.now() > deadline) return count;
    await sleep(1_000);
  }
}

/** Every workflow id matching `query`, and how many executions each has. */
export async function executionsById(client: Client, query: string): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for await (const info of client.workflow.list({ query, pageSize: 1000 })) {
    ids.set(info.workflowId, (ids.get(info.workflowId) ?? 0) + 1);
  }
  return ids;
}

/**
 * An incident's state as `GET /incidents/:id` answers it (the state query, through the API,
 * which decodes whatever payload codec the stack runs with).
 */
export async function incidentState(baseUrl: string, id: string, auth: Record<string, string>): Promise<IncidentState> {
  const res = await fetch(`${baseUrl}/incidents/${encodeURIComponent(id)}`, { headers: auth, signal: AbortSignal.timeout(60_000) });
  if (res.status !== 200) throw new Error(`GET /incidents/${id} answered ${res.status}`);
  return (await res.json()) as IncidentState;
}

/** Runs `task` over `items`, `concurrency` at a time. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (;;) {
        const index = next++;
        if (index >= items.length) return;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}

export interface HistoryProfile {
  workflows: number;
  /** Mean history events per workflow, and of them: workflow tasks, activities, signals, timers. */
  events: number;
  workflowTasks: number;
  activities: number;
  signalsReceived: number;
  signalsSent: number;
  timers: number;
  childrenStarted: number;
  updates: number;
}

/** What a workflow costs the engine, from its history: the profile of where the work goes. */
export async function historyProfile(client: Client, ids: readonly string[]): Promise<HistoryProfile> {
  const totals: Record<string, number> = {};
  let found = 0;
  for (const id of ids) {
    try {
      const history = await client.workflow.getHandle(id).fetchHistory();
      found += 1;
      for (const event of history.events ?? []) {
        const name = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'unknown';
        totals[name] = (totals[name] ?? 0) + 1;
        totals.all = (totals.all ?? 0) + 1;
      }
    } catch {
      // gone or not started: left out
    }
  }
  const mean = (name: string) => (found ? (totals[name] ?? 0) / found : 0);
  return {
    workflows: found,
    events: mean('all'),
    workflowTasks: mean('EVENT_TYPE_WORKFLOW_TASK_COMPLETED'),
    activities: mean('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED'),
    signalsReceived: mean('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED'),
    signalsSent: mean('EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'),
    timers: mean('EVENT_TYPE_TIMER_STARTED'),
    childrenStarted: mean('EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED'),
    updates: mean('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED'),
  };
}
