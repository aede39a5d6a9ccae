/**
 * Detection endpoints, thin: validate, call the detection workflows through their contracts,
 * map the result. Mounted into the app by `createSignalsRouter(deps)`.
 *
 * - `POST /signals`: one monitored event (R-DET-1, R-DET-4) → the engine's decision: `opened`
 *   (incident id and triage), `attached` (incident id) or `none` (why). Idempotent by
 *   (source, sourceEventId): the pair names the event's intake workflow, so a retry — however
 *   late, however concurrent — gets the first answer and changes nothing. When the decision takes
 *   longer than `decisionWaitMs` (a burst), the answer is 202 `pending` with a Location: the event
 *   is in Temporal already (its intake workflow has started) and is decided in turn.
 * - `GET /signals/:source/:sourceEventId`: that decision, or 202 `pending` while it is being made.
 * - `POST /heartbeats/:system`, `GET /heartbeats/:system`: monitored systems' beats (R-DET-1).
 * - `GET /systems/:component`, `POST /systems/:component/restore-steps/:step`,
 *   `POST /systems/:component/recovered`: the system incident's companion (R-SYS-2, R-SYS-3).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { heartbeatWorkflowId, signalWorkflowId, systemWorkflowId } from '../domain/correlation-keys';
import { heartbeatSettingsOf, type DetectionConfig } from '../domain/detection-config';
import type { SignalEvent } from '../domain/detection';
import { TASK_QUEUE } from '../workflows/contracts';
import {
  beatSignal,
  decisionUpdate,
  heartbeatStateQuery,
  restoreStepUpdate,
  systemRecoveredSignal,
  systemStateQuery,
  type Beat,
  type SignalDecision,
} from '../workflows/detection-contracts';
import type { heartbeatWorkflow } from '../workflows/heartbeat';
import type { signalIntakeWorkflow } from '../workflows/signal-intake';
import { HttpError, validationError } from './errors';
import { actorOf, requirePermission } from './auth';
import { recoveredBodySchema, restoreStepBodySchema, signalBodySchema, signalRefSchema, systemParamSchema } from './signal-schemas';

/** A pending decision's `Retry-After` (s): most events of a burst are decided within seconds. */
const PENDING_RETRY_AFTER_S = 2;

export interface SignalsRouterDependencies {
  client: Client;
  taskQueue?: string;
  /** The detection config, validated at start-up (monitored systems and their intervals). */
  detection: DetectionConfig;
  /** Bounds every call to Temporal (the app's `bounded`); 15 s by default. */
  bounded?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Bounds intake calls (new signals) and sheds them early when the engine is saturated; `bounded` when unset. */
  boundedIntake?: <T>(fn: () => Promise<T>) => Promise<T>;
  /**
   * How long `POST /signals` waits for the decision of an event it has started before it answers
   * 202 `pending` (ms; SIGNAL_WAIT_MS). Unset: it waits for the decision (within `boundedIntake`).
   */
  decisionWaitMs?: number;
}

/** The answer while an event's decision is being made: the event is in the engine, decided in turn. */
interface PendingDecision {
  decision: 'pending';
  source: string;
  sourceEventId: string;
  _links: { self: string };
}

/** Where an event's decision is read (`GET /signals/:source/:sourceEventId`). */
function signalPath(source: string, sourceEventId: string): string {
  return `/signals/${encodeURIComponent(source)}/${encodeURIComponent(sourceEventId)}`;
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'header' | 'path'): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/** The start of an event's intake workflow: one per (source, sourceEventId), joined while it runs. */
function intakeStart(taskQueue: string, event: SignalEvent, receivedAt: Date) {
  return {
    workflowId: signalWorkflowId(event.source, event.sourceEventId),
    taskQueue,
    args: [{ event, receivedAt: receivedAt.toISOString() }] as Parameters<typeof signalIntakeWorkflow>,
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    // A finished intake is never run again for the same event: the retry reads its result.
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
  };
}

/** Sends one event through its intake workflow and returns the decision; the same for every retry. */
export async function submitSignal(client: Client, taskQueue: string, event: SignalEvent, receivedAt = new Date()): Promise<SignalDecision> {
  const start = intakeStart(taskQueue, event, receivedAt);
  const workflowId = start.workflowId;
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof signalIntakeWorkflow>('signalIntakeWorkflow', start);
  try {
    return await client.workflow.executeUpdateWithStart(decisionUpdate, { startWorkflowOperation });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return client.workflow.getHandle<typeof signalIntakeWorkflow>(workflowId).result();
  }
}

/**
 * Issue 7, the correlated burst: `submitSignal`, waiting at most `waitMs` for the decision. A
 * slower decision is answered `undefined` (the caller's 202) once the event's intake workflow is
 * known to exist, so the event is decided whatever happens to this request, instead of the request
 * waiting out the API's bound and being retried (each retry added an update, and a workflow task,
 * to an intake that was still deciding). The same event again finds the same workflow (running or
 * finished) and never counts twice. The wait is the update's own (the server answers when the
 * decision is published), not a poll of the workflow's history.
 */
export async function submitSignalWithin(
  client: Client,
  taskQueue: string,
  event: SignalEvent,
  waitMs: number,
  receivedAt = new Date(),
): Promise<SignalDecision | undefined> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), waitMs);
  try {
    return await client.connection.withAbortSignal(abort.signal, () => submitSignal(client, taskQueue, event, receivedAt));
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  // Whether the abandoned call had started the intake or not, this start makes sure it runs.
  const start = intakeStart(taskQueue, event, receivedAt);
  const workflowId = start.workflowId;
  try {
    await client.workflow.start<typeof signalIntakeWorkflow>('signalIntakeWorkflow', start);
  } catch (err) {
    // Decided and closed meanwhile: its result is the answer.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return client.workflow.getHandle<typeof signalIntakeWorkflow>(workflowId).result();
  }
  return undefined;
}

export function createSignalsRouter(deps: SignalsRouterDependencies): Router {
  const { client, detection } = deps;
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const bounded = deps.bounded ?? (<T>(fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + 15_000, fn));
  const boundedIntake = deps.boundedIntake ?? bounded;
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));


  function monitored(req: Request): { system: string; settings: NonNullable<ReturnType<typeof heartbeatSettingsOf>> } {
    const system = parse(systemParamSchema, req.params.system, 'path');
    const settings = heartbeatSettingsOf(detection, system);
    if (settings === undefined) throw new HttpError(404, `no monitored system "${system}" (configure it under systems in DETECTION_FILE)`);
    return { system, settings };
  }

  // ---- intake ----------------------------------------------------------------------------------

  function answerDecision(res: Response, decision: SignalDecision | undefined, source: string, sourceEventId: string): void {
    if (decision === undefined) {
      const self = signalPath(source, sourceEventId);
      const pending: PendingDecision = { decision: 'pending', source, sourceEventId, _links: { self } };
      res.status(202).location(self).set('Retry-After', String(PENDING_RETRY_AFTER_S)).json(pending);
      return;
    }
    const status = decision.decision === 'opened' ? 201 : 200;
    if (decision.decision !== 'none') res.location(`/incidents/${decision.incidentId}`);
    res.status(status).json(decision);
  }

  router.post('/signals', requirePermission('signals:write'), async (req, res) => {
    const event: SignalEvent = parse(signalBodySchema, req.body, 'body');
    const waitMs = deps.decisionWaitMs;
    const decision =
      waitMs === undefined
        ? await boundedIntake(() => submitSignal(client, taskQueue, event))
        : await boundedIntake(() => submitSignalWithin(client, taskQueue, event, waitMs));
    answerDecision(res, decision, event.source, event.sourceEventId);
  });

  router.get('/signals/:source/:sourceEventId', requirePermission('signals:write', 'incidents:read'), async (req, res) => {
    const { source, sourceEventId } = parse(signalRefSchema, req.params, 'path');
    const handle = client.workflow.getHandle<typeof signalIntakeWorkflow>(signalWorkflowId(source, sourceEventId));
    let status: string;
    try {
      status = (await bounded(() => handle.describe())).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(404, `no event ${sourceEventId} from ${source} has been received`);
      throw err;
    }
    // Running: still deciding (no worker is asked; the decision is the workflow's result).
    answerDecision(res, status === 'RUNNING' ? undefined : await bounded(() => handle.result()), source, sourceEventId);
  });

  // ---- heartbeats (R-DET-1) --------------------------------------------------------------------

  router.post('/heartbeats/:system', requirePermission('signals:write'), async (req, res) => {
    const { system, settings } = monitored(req);
    const beat: Beat = { settings };
    await bounded(() =>
      client.workflow.signalWithStart<typeof heartbeatWorkflow, [Beat]>('heartbeatWorkflow', {
        workflowId: heartbeatWorkflowId(system),
        taskQueue,
        args: [{ system, settings }],
        signal: beatSignal,
        signalArgs: [beat],
      }),
    );
    res.status(202).json({ system, accepted: true });
  });

  router.get('/heartbeats/:system', requirePermission('incidents:read'), async (req, res) => {
    const { system } = monitored(req);
    try {
      res.json(await bounded(() => client.workflow.getHandle(heartbeatWorkflowId(system)).query(heartbeatStateQuery)));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(404, `no heartbeat received yet from "${system}"`);
      throw err;
    }
  });

  // ---- system incidents (R-SYS-2, R-SYS-3, R-SYS-4) ----------------------------------------------

  router.get('/systems/:component', requirePermission('incidents:read'), async (req, res) => {
    const component = parse(systemParamSchema, req.params.component, 'path');
    try {
      res.json(await bounded(() => client.workflow.getHandle(systemWorkflowId(component)).query(systemStateQuery)));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(404, `no system incident has been opened for "${component}"`);
      throw err;
    }
  });

  router.post('/systems/:component/restore-steps/:step', requirePermission('incidents:act'), async (req, res) => {
    const component = parse(systemParamSchema, req.params.component, 'path');
    const step = parse(systemParamSchema, req.params.step, 'path');
    const { note } = parse(restoreStepBodySchema, req.body, 'body');
    const actor = actorOf(req);
    const view = await bounded(() =>
      client.workflow
        .getHandle(systemWorkflowId(component))
        .executeUpdate(restoreStepUpdate, { args: [{ step, actor, ...(note ? { note } : {}) }] }),
    );
    res.json(view);
  });

  router.post('/systems/:component/recovered', requirePermission('incidents:act'), async (req, res) => {
    const component = parse(systemParamSchema, req.params.component, 'path');
    const { reason } = parse(recoveredBodySchema, req.body, 'body');
    const actor = actorOf(req);
    try {
      await bounded(() => client.workflow.getHandle(systemWorkflowId(component)).signal(systemRecoveredSignal, { by: actor.name, reason }));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(404, `no open system incident for "${component}"`);
      throw err;
    }
    res.status(202).json({ component, accepted: true });
  });

  return router;
}
