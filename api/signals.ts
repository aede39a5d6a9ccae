/**
 * Detection endpoints, thin: validate, call the detection workflows through their contracts,
 * map the result. Mounted into the app by `createSignalsRouter(deps)`.
 *
 * - `POST /signals`: one monitored event (R-DET-1, R-DET-4) → the engine's decision: `opened`
 *   (incident id and triage), `attached` (incident id) or `none` (why). Idempotent by
 *   (source, sourceEventId): the pair names the event's intake workflow, so a retry — however
 *   late, however concurrent — gets the first answer and changes nothing.
 * - `POST /heartbeats/:system`, `GET /heartbeats/:system`: monitored systems' beats (R-DET-1).
 * - `GET /systems/:component`, `POST /systems/:component/restore-steps/:step`,
 *   `POST /systems/:component/recovered`: the system incident's companion (R-SYS-2, R-SYS-3).
 */
import express, { type Request, type Router } from 'express';
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
import { recoveredBodySchema, restoreStepBodySchema, signalBodySchema, systemParamSchema } from './signal-schemas';

export interface SignalsRouterDependencies {
  client: Client;
  taskQueue?: string;
  /** The detection config, validated at start-up (monitored systems and their intervals). */
  detection: DetectionConfig;
  /** Bounds every call to Temporal (the app's `bounded`); 15 s by default. */
  bounded?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Bounds intake calls (new signals) and sheds them early when the engine is saturated; `bounded` when unset. */
  boundedIntake?: <T>(fn: () => Promise<T>) => Promise<T>;
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'header' | 'path'): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/** Sends one event through its intake workflow and returns the decision; the same for every retry. */
export async function submitSignal(client: Client, taskQueue: string, event: SignalEvent, receivedAt = new Date()): Promise<SignalDecision> {
  const workflowId = signalWorkflowId(event.source, event.sourceEventId);
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof signalIntakeWorkflow>('signalIntakeWorkflow', {
    workflowId,
    taskQueue,
    args: [{ event, receivedAt: receivedAt.toISOString() }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A finished intake is never run again for the same event: the retry reads its result.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  try {
    return await client.workflow.executeUpdateWithStart(decisionUpdate, { startWorkflowOperation });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return client.workflow.getHandle<typeof signalIntakeWorkflow>(workflowId).result();
  }
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

  router.post('/signals', requirePermission('signals:write'), async (req, res) => {
    const event: SignalEvent = parse(signalBodySchema, req.body, 'body');
    const decision = await boundedIntake(() => submitSignal(client, taskQueue, event));
    const status = decision.decision === 'opened' ? 201 : 200;
    if (decision.decision !== 'none') res.location(`/incidents/${decision.incidentId}`);
    res.status(status).json(decision);
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
