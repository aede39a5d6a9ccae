/**
 * The HTTP API, thin: validate, call the incident workflow through the contracts, map the
 * result. `createApp(deps)` builds it; `api/server.ts` listens.
 */
import { createHash, randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import type { IncidentReport } from '../domain/types';
import type { WorkingCalendar } from '../domain/calendar';
import { planResponse } from '../domain/deadlines';
import type { Policy } from '../domain/policy';
import { triage } from '../domain/triage';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { incidentWorkflow } from '../workflows/incident';
import {
  TASK_QUEUE,
  acknowledgeUpdate,
  categoryKey,
  contactUpdate,
  drillKey,
  noteUpdate,
  progressUpdate,
  reclassifyUpdate,
  resolveUpdate,
  severityKey,
  solutionUpdate,
  stateQuery,
  reportedByKey,
  statusKey,
  triageUpdate,
  type Actor,
  type IncidentInput,
  type IncidentState,
  type TriageResponse,
} from '../workflows/contracts';
import { HttpError, errorHandler, toHttpError, validationError } from './errors';
import { actorOf, authenticateRequests, createAuthRouter, principalOf, requirePermission, type AuthDependencies } from './auth';
import { assertVisible, incidentReportedByClause } from './visibility';
import { AdmissionControl, type AdmissionOptions } from './admission';
import type { IntakeJournal, JournaledStart, StartOutcome } from './intake-journal';
import { createCodecRouter, type CodecRouterDependencies } from './codec';
import { createDashboardRouter } from './dashboard';
import { createHistoryRouter } from './history';
import { createReportsRouter, incidentsFromTemporal, type ReportsDependencies } from './reports';
import { createDrillsRouter, type DrillsDependencies } from './drills';
import { limits, type LimitsOptions } from './limits';
import { buildOpenApiDocument } from './openapi';
import { createOnCallRouter } from './oncall';
import { createSignalsRouter } from './signals';
import type { DetectionConfig } from '../domain/detection-config';
import { defaultDetectionConfig } from '../domain/detection-config';
import type { ArchiveStore } from '../activities/archive-store';
import { archiveApi, createArchiveRouter } from './archive';
import { createWebhooksRouter, type PagingApiDependencies } from './webhooks';
import {
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
  /**
   * API keys (R-SEC-2): every route but the public ones needs a key whose role grants its
   * permission. Without a key store every protected route answers 401: nothing is open by
   * default. The production entry points (`api/server.ts`, `npm start`) always pass one.
   */
  auth?: AuthDependencies;
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
  /**
   * The monthly review's records (R-REV-1): the archive's `listIncidents` when wired; else the
   * incidents Temporal still lists.
   */
  reports?: Partial<ReportsDependencies>;
  /** Drills (R-REV-4): the scenarios and the roster participants are chosen from; off when unset. */
  drills?: DrillsDependencies;
  /**
   * The incident archive (R-REV-5): `GET /incidents` lists from it, one incident and its history
   * fall back to it once the workflow is gone, and the case library lives in it (R-REV-3).
   */
  archive?: ArchiveStore;
  /**
   * Early load shedding for intake (reports and signals): a 503 with `Retry-After` at once when
   * the engine is saturated, instead of after `temporalTimeoutMs`. Off when unset (`api/server.ts`
   * turns it on from the environment).
   */
  admission?: AdmissionOptions | AdmissionControl;
  /**
   * Triage reports in the API with the worker's policy and calendar and start the workflow
   * with the result (one persisted start per report); the workflow triages itself when unset.
   */
  edgeTriage?: EdgeTriage;
  /**
   * The intake journal (api/intake-journal.ts; needs `edgeTriage`): a report is answered once its
   * start is on disk, 201 when the engine starts it within `intakeWaitMs`, else 202; the journal
   * starts it. Reports start on the request path when unset.
   */
  intakeJournal?: IntakeJournal<TriagedStart, TriageResponse>;
  /** How long a journaled report waits for its start before it is answered 202 (ms). Default 3000. */
  intakeWaitMs?: number;
  /** How long `POST /signals` waits for the decision before it answers 202 `pending` (ms); unset: until decided. */
  signalWaitMs?: number;
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
  edge?: EdgeTriage,
  /** The API key that reports it: the `IncidentReportedBy` search attribute (support reads its own, R-SEC-2). */
  reportedByKeyId?: string,
): Promise<TriageResponse> {
  const id = incidentIdFor(idempotencyKey);
  const reportedBy = reportedByKeyId ? [{ key: reportedByKey, value: reportedByKeyId }] : [];
  if (edge) return startTriagedIncident(client, taskQueue, id, report, edge, reportedByKeyId);
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof incidentWorkflow>('incidentWorkflow', {
    workflowId: id,
    taskQueue,
    args: [{ id, report, reportedAt: new Date().toISOString() }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A resolved incident is never reopened by a retried report: the retry gets it back.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    ...(reportedBy.length ? { typedSearchAttributes: reportedBy } : {}),
  });
  try {
    return await client.workflow.executeUpdateWithStart(triageUpdate, { startWorkflowOperation });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return existingIncident(client, id);
  }
}

/** A retried report's answer: the incident it opened before, as it stands now. */
async function existingIncident(client: Client, id: string): Promise<TriageResponse> {
  const state = await client.workflow.getHandle(id).query(stateQuery);
  return {
    id,
    status: state.status,
    triage: { category: state.category!, severity: state.severity!, lines: state.lines, reasons: state.reasons },
    deadlines: state.deadlines,
  };
}

/** What the API needs to triage a report itself: the worker's policy and calendar. */
export interface EdgeTriage {
  policy: Policy;
  calendar: WorkingCalendar;
}

/**
 * Triage at the edge (issue 7): triage and the response plan are pure functions of the report,
 * the policy and the calendar, so the API computes them and starts the workflow with them in
 * its input — one persisted start, no update, no activity and no workflow task on the request
 * path. The answer is the same as the triage update's; the workflow records the same triage
 * on its timeline when it runs. A retry with the same key finds the incident and answers its
 * current state, as before.
 */
async function startTriagedIncident(
  client: Client,
  taskQueue: string,
  id: string,
  report: IncidentReport,
  edge: EdgeTriage,
  reportedByKeyId?: string,
): Promise<TriageResponse> {
  const start = triagedStart(id, report, edge, reportedByKeyId);
  const outcome = await startTriaged(client, taskQueue, start);
  return outcome === 'existed' ? existingIncident(client, id) : triagedAnswer(start);
}

/** One triaged incident's start, as the intake journal records it (plain JSON). */
export interface TriagedStart {
  id: string;
  input: IncidentInput & { triaged: NonNullable<IncidentInput['triaged']> };
  /** The reporting API key's id (`IncidentReportedBy`). */
  reportedByKeyId?: string;
}

/** Triages a report at the edge: the start that opens its incident, with its deadlines from now. */
export function triagedStart(id: string, report: IncidentReport, edge: EdgeTriage, reportedByKeyId?: string, reportedAt = new Date()): TriagedStart {
  const result = triage(report, edge.policy.triage);
  const plan = planResponse(reportedAt, result.category, edge.policy, edge.calendar);
  return {
    id,
    input: { id, report, reportedAt: reportedAt.toISOString(), triaged: { triage: result, plan } },
    ...(reportedByKeyId ? { reportedByKeyId } : {}),
  };
}

/** What the API answers for a triaged start: what the workflow's triage records. */
export function triagedAnswer(start: TriagedStart): TriageResponse {
  const { triage: result, plan } = start.input.triaged;
  // Management joins the lines of a major incident (R-LINE-MGMT).
  const lines = result.severity === 'major' && !result.lines.includes('management') ? [...result.lines, 'management' as const] : result.lines;
  return { id: start.id, status: 'triggered', triage: { ...result, lines }, deadlines: plan.deadlines };
}

/** Starts a triaged incident; 'existed' when its workflow was there already (a retried report). */
export async function startTriaged(client: Client, taskQueue: string, start: TriagedStart): Promise<StartOutcome> {
  const { triage: result } = start.input.triaged;
  try {
    await client.workflow.start<typeof incidentWorkflow>('incidentWorkflow', {
      workflowId: start.id,
      taskQueue,
      args: [start.input],
      workflowIdConflictPolicy: 'FAIL',
      // A resolved incident is never reopened by a retried report: the retry gets it back.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // Listed with its triage at once, before its first workflow task runs.
      typedSearchAttributes: [
        { key: categoryKey, value: result.category },
        { key: severityKey, value: result.severity },
        { key: statusKey, value: 'triggered' },
        { key: drillKey, value: start.input.report.drill },
        ...(start.reportedByKeyId ? [{ key: reportedByKey, value: start.reportedByKeyId }] : []),
      ],
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'existed';
    throw err;
  }
}

/** The intake journal's dispatch: each recorded start, bounded like every call to Temporal. */
export function journalDispatch(client: Client, taskQueue = TASK_QUEUE, timeoutMs = 15_000): (entry: JournaledStart<TriagedStart>) => Promise<StartOutcome> {
  return (entry) => client.connection.withDeadline(Date.now() + timeoutMs, () => startTriaged(client, taskQueue, entry.start));
}

/** `promise`'s value if it settles within `ms`, else undefined (its timer cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
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
  // How long the app took over each answer (Server-Timing), so a client can tell the engine's time
  // from its own connect and queueing time (the benchmark reports both).
  app.use((_req, res, next) => {
    const received = process.hrtime.bigint();
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
      if (!this.headersSent) this.setHeader('Server-Timing', `app;dur=${(Number(process.hrtime.bigint() - received) / 1e6).toFixed(1)}`);
      return writeHead.apply(this, args);
    } as Response['writeHead'];
    next();
  });
  // Before the body parser: a throttled client's body is never read, and a 413 carries the headers.
  app.use(limits(deps.limits));
  // Before the JSON parser: codec batches (whole histories) exceed the API's 64 kB body limit.
  if (deps.codecEndpoint) app.use(createCodecRouter(deps.codecEndpoint));
  /** Intake is admitted only while the engine keeps up (see api/admission.ts); then bounded like any call. */
  const admission = deps.admission instanceof AdmissionControl ? deps.admission : deps.admission ? new AdmissionControl(deps.admission) : undefined;
  // A saturated engine refuses new intake before its body is read: under a burst, waiting for
  // bodies is most of a request's time in the API.
  if (admission) app.post(['/incidents', '/signals'], (_req, _res, next) => next(admission.refusal()));
  const journal = deps.intakeJournal;
  if (journal) app.post('/incidents', (_req, _res, next) => next(journal.refusal()));
  app.use(express.json({ limit: '64kb' }));
  // Who is calling (R-SEC-2): each protected route then names its permission.
  if (deps.auth) app.use(authenticateRequests(deps.auth));
  app.use(createAuthRouter(deps.auth));

  /** Every call to Temporal is bounded: an unreachable cluster answers 503, never a hang. */
  const bounded = <T>(fn: () => Promise<T>): Promise<T> => client.connection.withDeadline(Date.now() + timeoutMs, fn);
  const boundedIntake = <T>(fn: () => Promise<T>): Promise<T> => (admission ? admission.run(() => bounded(fn)) : bounded(fn));

  const intakeWaitMs = deps.intakeWaitMs ?? 3000;

  /**
   * A report through the intake journal: recorded on disk first (never lost from then on). While
   * the engine keeps up (the dispatcher has a free slot for it) the answer waits for the start and
   * is the 201 it always was; under a burst, or if the start takes longer than `intakeWaitMs`, it
   * is 202 with the same triage and deadlines, and the journal starts it. A retry of a report still
   * waiting gets its first answer again; one of a started incident, the incident as it stands.
   */
  async function journaledIntake(start: TriagedStart): Promise<{ status: 201 | 202; answer: TriageResponse }> {
    const refused = journal!.refusal();
    if (refused) throw refused;
    const keepsUp = journal!.backlog < journal!.concurrency;
    const recorded = await journal!.record({ id: start.id, start, answer: triagedAnswer(start) });
    if (recorded.kind === 'started') return { status: 201, answer: await bounded(() => existingIncident(client, start.id)) };
    const answer = recorded.kind === 'pending' ? recorded.answer : triagedAnswer(start);
    const started = keepsUp ? journal!.whenStarted(start.id) : undefined;
    if (!started) return { status: 202, answer };
    const outcome = await within(started, intakeWaitMs);
    if (outcome === undefined) return { status: 202, answer };
    if (outcome === 'existed') return { status: 201, answer: await bounded(() => existingIncident(client, start.id)) };
    return { status: 201, answer };
  }

  // A read or an action on an incident the journal has not started yet waits for its start (which
  // goes ahead of the queue), so a 202's Location works at once. Bounded like any engine call.
  if (journal) {
    app.use(async (req, _res, next) => {
      const id = /^\/incidents\/(INC-[0-9A-Z]{12})(?:\/|$)/.exec(req.path)?.[1];
      const started = id ? journal.whenStarted(id, { expedite: true }) : undefined;
      if (started && (await within(started, timeoutMs)) === undefined) {
        return next(new HttpError(503, `incident ${id} is accepted and waiting for the engine to start it; retry shortly`, { retryAfter: 2 }));
      }
      next();
    });
  }

  const links = (id: string) => ({
    self: `/incidents/${id}`,
    temporalUi: `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${id}`,
  });

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

  app.post('/incidents', requirePermission('incidents:report'), async (req, res) => {
    const principal = principalOf(req);
    const body = parse(reportBodySchema, req.body, 'body');
    const headerKey = req.get('idempotency-key');
    if (headerKey !== undefined && (headerKey.trim() === '' || headerKey.length > 200)) {
      throw new HttpError(400, 'invalid header: Idempotency-Key must be 1–200 characters', {
        fields: [{ field: 'Idempotency-Key', message: 'must be 1–200 characters' }],
      });
    }
    // R-SEC-2: the reporter is the key's owner, whatever the body says.
    const { idempotencyKey: bodyKey, reporter: _claimed, ...fields } = body;
    const report: IncidentReport = { ...fields, reporter: principal.owner };
    if (journal && deps.edgeTriage) {
      const { status, answer } = await journaledIntake(triagedStart(incidentIdFor(headerKey ?? bodyKey), report, deps.edgeTriage, principal.keyId));
      res.status(status).location(`/incidents/${answer.id}`).json({ ...answer, _links: links(answer.id) });
      return;
    }
    const triage = await boundedIntake(() => openIncident(client, taskQueue, report, headerKey ?? bodyKey, deps.edgeTriage, principal.keyId));
    res.status(201).location(`/incidents/${triage.id}`).json({ ...triage, _links: links(triage.id) });
  });

  // ---- reading -------------------------------------------------------------------------------

  const archived = deps.archive ? archiveApi({ archive: deps.archive, detection: deps.detection ?? defaultDetectionConfig(), links }) : undefined;

  app.get('/incidents', requirePermission('incidents:read', 'incidents:read-own'), async (req, res) => {
    // R-REV-5: with an archive, the list comes from it (closed incidents included).
    if (archived) return archived.listIncidents(req, res);
    const query = parse(listQuerySchema, req.query, 'query');
    // Only enum values, validated timestamps and key ids reach the visibility query: nothing to inject.
    // One row per incident: the runs a long-lived incident continued from (past its plan's continueAsNewAfterEvents) are left out.
    const clauses = [`WorkflowType = 'incidentWorkflow'`, `ExecutionStatus != 'ContinuedAsNew'`];
    const own = incidentReportedByClause(principalOf(req));
    if (own) clauses.push(own);
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

  app.get('/incidents/:id', requirePermission('incidents:read', 'incidents:read-own'), async (req, res) => {
    const handle = handleFor(req);
    let state: IncidentState;
    try {
      await assertVisible(principalOf(req), handle, bounded);
      state = await stateOf(handle);
    } catch (err) {
      // R-REV-5: the workflow is past Temporal's retention; the archive still has the record.
      const record = archived && toHttpError(err).status === 404 ? await archived.readable(principalOf(req), handle.workflowId) : undefined;
      if (!record || !archived) throw err;
      res.json({ ...archived.archivedView(record), cases: await archived.casesFor(record.state) });
      return;
    }
    res.json({ ...state, _links: links(state.id), ...(archived ? { cases: await archived.casesFor(state) } : {}) });
  });

  app.use(createHistoryRouter({ client, namespace, temporalUiUrl: deps.temporalUiUrl, bounded, ...(archived ? { archived } : {}) }));
  if (deps.archive) app.use(createArchiveRouter({ archive: deps.archive, detection: deps.detection ?? defaultDetectionConfig(), links }));
  // R-REV-1 / R-REV-5: the review reads the archive when there is one (closed incidents included).
  const archiveStore = deps.archive;
  const reportRecords: ReportsDependencies['listIncidents'] = archiveStore
    ? async (period) => (await archiveStore.listIncidents(period)).map((record) => record.state)
    : incidentsFromTemporal(client, bounded);
  app.use(createReportsRouter({ listIncidents: reportRecords, ...deps.reports }));
  if (deps.drills) app.use(createDrillsRouter({ ...deps.drills, client, taskQueue, bounded }));

  // ---- actions -------------------------------------------------------------------------------

  app.post('/incidents/:id/acknowledge', requirePermission('incidents:act'), (req, res) => {
    parse(emptyBodySchema, req.body, 'body');
    return act(req, res, (handle, actor) => handle.executeUpdate(acknowledgeUpdate, { args: [{ actor }] }));
  });

  app.post('/incidents/:id/progress', requirePermission('incidents:act'), (req, res) => {
    const body = parse(progressBodySchema, req.body, 'body');
    return act(req, res, (handle, actor) => handle.executeUpdate(progressUpdate, { args: [{ actor, ...body }] }));
  });

  const textActions = {
    contact: contactUpdate,
    solution: solutionUpdate,
    notes: noteUpdate,
  } as const;
  for (const [path, update] of Object.entries(textActions)) {
    app.post(`/incidents/:id/${path}`, requirePermission('incidents:act'), (req, res) => {
      const { text } = parse(textBodySchema, req.body, 'body');
      return act(req, res, (handle, actor) => handle.executeUpdate(update, { args: [{ actor, text }] }));
    });
  }

  app.post('/incidents/:id/resolve', requirePermission('incidents:act'), (req, res) => {
    const { summary } = parse(resolveBodySchema, req.body, 'body');
    return act(req, res, (handle, actor) => handle.executeUpdate(resolveUpdate, { args: [{ actor, summary }] }));
  });

  // Raising a tier is on-call work (R-SEV-UP); the workflow refuses a category change (R-CAT-X)
  // or a lower tier to anyone but a manager, by the key's role.
  app.patch('/incidents/:id', requirePermission('incidents:act', 'incidents:reclassify'), (req, res) => {
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

  const openApiDocument = buildOpenApiDocument({ features: { paging: Boolean(deps.paging), detection: Boolean(deps.detection), drills: Boolean(deps.drills), archive: Boolean(deps.archive) } });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  // ---- the managers' dashboard: a page and its assets, no data (its calls send the viewer's key)

  app.use(createDashboardRouter());

  // ---- paging: acknowledge from the page, who is on call -------------------------------------

  if (deps.paging) {
    app.use(createOnCallRouter(deps.paging));
    app.use(createWebhooksRouter({ ...deps.paging, client, bounded }));
  }

  if (deps.detection) app.use(createSignalsRouter({ client, taskQueue, bounded, boundedIntake, detection: deps.detection, ...(deps.signalWaitMs !== undefined ? { decisionWaitMs: deps.signalWaitMs } : {}) }));

  app.use((_req, res) => {
    res.status(404).json({ error: 'no such endpoint' });
  });
  app.use(errorHandler);
  return app;
}
