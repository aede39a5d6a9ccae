/**
 * The HTTP API, thin: validate, call the incident workflow through the contracts, map the
 * result. `createApp(deps)` builds it; `api/server.ts` listens.
 */
import { createHash, randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import type { IncidentReport } from '../domain/types';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { incidentWorkflow } from '../workflows/incident';
import {
  TASK_QUEUE,
  acknowledgeUpdate,
  contactUpdate,
  noteUpdate,
  progressUpdate,
  reclassifyUpdate,
  resolveUpdate,
  solutionUpdate,
  stateQuery,
  triageUpdate,
  type Actor,
  type IncidentState,
  type TriageResponse,
} from '../workflows/contracts';
import { HttpError, errorHandler, toHttpError, validationError } from './errors';
import { createCodecRouter, type CodecRouterDependencies } from './codec';
import { createHistoryRouter } from './history';
import { limits, type LimitsOptions } from './limits';
import { buildOpenApiDocument } from './openapi';
import { createOnCallRouter } from './oncall';
import { createSignalsRouter } from './signals';
import type { DetectionConfig } from '../domain/detection-config';
import { createWebhooksRouter, type PagingApiDependencies } from './webhooks';
import {
  actorHeadersSchema,
  emptyBodySchema,
  incidentIdSchema,
  listQuerySchema,
  patchBodySchema,
  progressBodySchema,
  reportBodySchema,
  resolveBodySchema,
  textBodySchema,
} from './schemas';

export interface AppDependencies {
  client: Client;
  namespace: string;
  taskQueue?: string;
  /** Base URL of the Temporal Web UI, for links to each incident's workflow. */
  temporalUiUrl: string;
  /** How long one request may wait on Temporal before answering 503 (ms). */
  temporalTimeoutMs?: number;
  /** Acknowledge from the page (Twilio webhooks, e-mail links) and `GET /oncall`; off when unset. */
  paging?: PagingApiDependencies;
  /** Web UI codec endpoint (R-SEC-1): POST /codec/encode|decode, bearer token; off when unset. */
  codecEndpoint?: CodecRouterDependencies;
  /** Detection intake: POST /signals, heartbeats, system incidents (R-DET-*, R-SYS-*); off when unset. */
  detection?: DetectionConfig;
  /** Security headers always; a per-client rate limit when `limits.rateLimit` is set (off by default). */
  limits?: LimitsOptions;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `INC-` + 12 base-32 characters: random, or derived from an idempotency key. No personal data (R-SEC-1). */
export function incidentIdFor(idempotencyKey?: string): string {
  const bytes = idempotencyKey
    ? createHash('sha256').update(`incident:${idempotencyKey}`).digest()
    : randomBytes(12);
  let id = '';
  for (let i = 0; i < 12; i++) id += CROCKFORD[bytes[i]! % 32];
  return `INC-${id}`;
}

/**
 * Opens an incident and answers with its triage (update-with-start: one round trip). With an
 * idempotency key the incident id is derived from it, so a retry (even after resolution)
 * returns the same incident and never opens a second one.
 */
export async function openIncident(
  client: Client,
  taskQueue: string,
  report: IncidentReport,
  idempotencyKey?: string,
): Promise<TriageResponse> {
  const id = incidentIdFor(idempotencyKey);
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof incidentWorkflow>('incidentWorkflow', {
    workflowId: id,
    taskQueue,
    args: [{ id, report, reportedAt: new Date().toISOString() }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A resolved incident is never reopened by a retried report: the retry gets it back.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  try {
    return await client.workflow.executeUpdateWithStart(triageUpdate, { startWorkflowOperation });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const state = await client.workflow.getHandle(id).query(stateQuery);
    return {
      id,
      status: state.status,
      triage: { category: state.category!, severity: state.severity!, lines: state.lines, reasons: state.reasons },
      deadlines: state.deadlines,
    };
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'header' | 'path'): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

export function createApp(deps: AppDependencies): express.Express {
  const { client, namespace } = deps;
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const timeoutMs = deps.temporalTimeoutMs ?? 15_000;
  const app = express();
  app.disable('x-powered-by');
  // Before the body parser: a throttled client's body is never read, and a 413 carries the headers.
  app.use(limits(deps.limits));
  // Before the JSON parser: codec batches (whole histories) exceed the API's 64 kB body limit.
  if (deps.codecEndpoint) app.use(createCodecRouter(deps.codecEndpoint));
  app.use(express.json({ limit: '64kb' }));

  /** Every call to Temporal is bounded: an unreachable cluster answers 503, never a hang. */
  const bounded = <T>(fn: () => Promise<T>): Promise<T> => client.connection.withDeadline(Date.now() + timeoutMs, fn);

  const links = (id: string) => ({
    self: `/incidents/${id}`,
    temporalUi: `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${id}`,
  });

  function actorOf(req: Request): Actor {
    const headers = parse(actorHeadersSchema, { 'x-actor': req.get('x-actor'), 'x-role': req.get('x-role') }, 'header');
    return { name: headers['x-actor'], role: headers['x-role'] };
  }

  function handleFor(req: Request): WorkflowHandle<typeof incidentWorkflow> {
    const id = parse(incidentIdSchema, req.params.id, 'path');
    return client.workflow.getHandle<typeof incidentWorkflow>(id);
  }

  async function stateOf(handle: WorkflowHandle<typeof incidentWorkflow>): Promise<IncidentState> {
    return bounded(() => handle.query(stateQuery));
  }

  /**
   * An update on an incident whose workflow has ended answers 409 (it is resolved), not 404.
   */
  async function act(req: Request, res: Response, run: (handle: WorkflowHandle<typeof incidentWorkflow>, actor: Actor) => Promise<IncidentState>) {
    const handle = handleFor(req);
    const actor = actorOf(req);
    try {
      const state = await bounded(() => run(handle, actor));
      res.json({ ...state, _links: links(state.id) });
    } catch (err) {
      const http = toHttpError(err);
      // An action that fails on an incident whose workflow has ended (even one that ended while
      // the action was in flight) is refused because the incident is resolved.
      if (http.status !== 400 && http.status !== 403) {
        const description = await bounded(() => handle.describe()).catch(() => undefined);
        if (description && description.status.name !== 'RUNNING') {
          throw new HttpError(409, `the incident is already resolved (its workflow is ${description.status.name.toLowerCase()})`);
        }
      }
      throw http;
    }
  }

  // ---- intake --------------------------------------------------------------------------------

  app.post('/incidents', async (req, res) => {
    const body = parse(reportBodySchema, req.body, 'body');
    const headerKey = req.get('idempotency-key');
    if (headerKey !== undefined && (headerKey.trim() === '' || headerKey.length > 200)) {
      throw new HttpError(400, 'invalid header: Idempotency-Key must be 1–200 characters', {
        fields: [{ field: 'Idempotency-Key', message: 'must be 1–200 characters' }],
      });
    }
    const { idempotencyKey: bodyKey, ...report } = body;
    const triage = await bounded(() => openIncident(client, taskQueue, report, headerKey ?? bodyKey));
    res.status(201).location(`/incidents/${triage.id}`).json({ ...triage, _links: links(triage.id) });
  });

  // ---- reading -------------------------------------------------------------------------------

  app.get('/incidents', async (req, res) => {
    const query = parse(listQuerySchema, req.query, 'query');
    // Only enum values and validated timestamps reach the visibility query: nothing to inject.
    const clauses = [`WorkflowType = 'incidentWorkflow'`];
    if (query.status) clauses.push(`IncidentStatus = '${query.status}'`);
    if (query.category) clauses.push(`IncidentCategory = '${query.category}'`);
    if (query.severity) clauses.push(`IncidentSeverity = '${query.severity}'`);
    if (query.drill) clauses.push(`IncidentDrill = ${query.drill}`);
    if (query.from) clauses.push(`StartTime >= '${new Date(query.from).toISOString()}'`);
    if (query.to) clauses.push(`StartTime < '${new Date(query.to).toISOString()}'`);
    const incidents = await bounded(async () => {
      const found: Record<string, unknown>[] = [];
      for await (const info of client.workflow.list({ query: clauses.join(' AND '), pageSize: Math.min(query.limit, 1000) })) {
        const attribute = (name: string) => info.searchAttributes?.[name]?.[0];
        found.push({
          id: info.workflowId,
          status: attribute('IncidentStatus') ?? 'triggered',
          category: attribute('IncidentCategory') ?? null,
          severity: attribute('IncidentSeverity') ?? null,
          drill: attribute('IncidentDrill') ?? false,
          reportedAt: info.startTime.toISOString(),
          closedAt: info.closeTime?.toISOString() ?? null,
          _links: links(info.workflowId),
        });
        if (found.length >= query.limit) break;
      }
      return found;
    });
    res.json({ incidents, count: incidents.length });
  });

  app.get('/incidents/:id', async (req, res) => {
    const state = await stateOf(handleFor(req));
    res.json({ ...state, _links: links(state.id) });
  });

  app.use(createHistoryRouter({ client, namespace, temporalUiUrl: deps.temporalUiUrl, bounded }));

  // ---- actions -------------------------------------------------------------------------------

  app.post('/incidents/:id/acknowledge', (req, res) => {
    parse(emptyBodySchema, req.body, 'body');
    return act(req, res, (handle, actor) => handle.executeUpdate(acknowledgeUpdate, { args: [{ actor }] }));
  });

  app.post('/incidents/:id/progress', (req, res) => {
    const body = parse(progressBodySchema, req.body, 'body');
    return act(req, res, (handle, actor) => handle.executeUpdate(progressUpdate, { args: [{ actor, ...body }] }));
  });

  const textActions = {
    contact: contactUpdate,
    solution: solutionUpdate,
    notes: noteUpdate,
  } as const;
  for (const [path, update] of Object.entries(textActions)) {
    app.post(`/incidents/:id/${path}`, (req, res) => {
      const { text } = parse(textBodySchema, req.body, 'body');
      return act(req, res, (handle, actor) => handle.executeUpdate(update, { args: [{ actor, text }] }));
    });
  }

  app.post('/incidents/:id/resolve', (req, res) => {
    const { summary } = parse(resolveBodySchema, req.body, 'body');
    return act(req, res, (handle, actor) => handle.executeUpdate(resolveUpdate, { args: [{ actor, summary }] }));
  });

  app.patch('/incidents/:id', (req, res) => {
    const body = parse(patchBodySchema, req.body, 'body');
    return act(req, res, (handle, actor) => handle.executeUpdate(reclassifyUpdate, { args: [{ actor, ...body }] }));
  });

  // ---- health --------------------------------------------------------------------------------

  app.get('/healthz', async (_req, res) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = { api: { ok: true } };
    try {
      await client.connection.withDeadline(Date.now() + 3000, () => client.workflowService.getSystemInfo({}));
      checks.temporal = { ok: true };
    } catch (err) {
      checks.temporal = { ok: false, detail: (err as Error).message };
    }
    if (checks.temporal.ok) {
      try {
        const described = await client.connection.withDeadline(Date.now() + 3000, () =>
          client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: 1 }, taskQueueType: 1 }),
        );
        const recent = (described.pollers ?? []).filter((p) => {
          const seconds = Number(p.lastAccessTime?.seconds ?? 0);
          return Date.now() / 1000 - seconds < 120;
        });
        checks.worker = recent.length > 0 ? { ok: true, detail: `${recent.length} poller(s)` } : { ok: false, detail: 'no worker polling' };
      } catch (err) {
        checks.worker = { ok: false, detail: (err as Error).message };
      }
    } else {
      checks.worker = { ok: false, detail: 'unknown: Temporal unreachable' };
    }
    const ok = Object.values(checks).every((c) => c.ok);
    res.status(ok ? 200 : 503).json({ ok, checks });
  });

  // ---- the contract ----------------------------------------------------------------------------

  const openApiDocument = buildOpenApiDocument({ features: { paging: Boolean(deps.paging), detection: Boolean(deps.detection) } });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  // ---- paging: acknowledge from the page, who is on call -------------------------------------

  if (deps.paging) {
    app.use(createOnCallRouter(deps.paging));
    app.use(createWebhooksRouter({ ...deps.paging, client, bounded }));
  }

  if (deps.detection) app.use(createSignalsRouter({ client, taskQueue, bounded, detection: deps.detection }));

  app.use((_req, res) => {
    res.status(404).json({ error: 'no such endpoint' });
  });
  app.use(errorHandler);
  return app;
}
