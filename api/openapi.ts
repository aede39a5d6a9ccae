/**
 * The API's OpenAPI 3.1 document, served at `GET /openapi.json` (issue 6, "Inputs"). Request
 * bodies, query strings, path parameters and validated headers are generated from the very zod
 * schemas the handlers parse with, so the document cannot drift from what is enforced; a test
 * walks the Express router and proves every route is described here.
 *
 * Responses are described by shape (the fields a caller relies on, others allowed), with the
 * error answers every route shares: 400 naming each bad field, 404, 409, 403, 413, 429 and
 * 503 with `Retry-After`.
 */
import { z } from 'zod';
import { dashboardAssetSchema } from './dashboard';
import { historyQuerySchema } from './history';
import { archiveListQuerySchema, caseBodySchema, caseQuerySchema } from './archive';
import { monthlyQuerySchema } from './reports';
import { drillBodySchema, drillIdSchema, drillReportQuerySchema } from './drills';
import { onCallQuerySchema } from './oncall';
import { PERMISSIONS, ROLES, type Permission } from '../domain/roles';
import { createKeyBodySchema, keyIdSchema } from './auth';
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
import { recoveredBodySchema, restoreStepBodySchema, signalBodySchema, signalRefSchema, systemParamSchema } from './signal-schemas';
import { voiceQuerySchema } from './webhooks';

type JsonSchema = Record<string, unknown>;

/** Which part of the app mounts a route: the paging and detection routers are optional. */
export type ApiFeature = 'core' | 'paging' | 'detection' | 'drills' | 'archive';

type ResponseKey = 'badRequest' | 'forbidden' | 'notFound' | 'conflict' | 'gone' | 'tooLarge' | 'unavailable';

interface ApiOperation {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI form: `/incidents/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  feature: ApiFeature;
  pathParams?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  /** Documented only while this feature is off: the feature's own operation replaces it. */
  replacedBy?: Exclude<ApiFeature, 'core'>;
  /**
   * Who may call it (R-SEC-2): `public` (no key: health, this document, the dashboard shell,
   * signed webhooks and links), `any-key` (any valid key), or the permissions of which the
   * caller's role needs one — the same list the route passes to `requirePermission`.
   */
  access: 'public' | 'any-key' | readonly Permission[];
  idempotencyKey?: boolean;
  /** Twilio's webhooks: answered 403 without a valid `X-Twilio-Signature`. */
  twilio?: boolean;
  body?: { schema: z.ZodType; example: unknown; form?: boolean };
  /** Success answers: status → description, media type and shape. */
  ok: Record<string, { description: string; json?: JsonSchema; html?: boolean; xml?: boolean; location?: boolean; media?: string[] }>;
  errors: ResponseKey[];
}

// ---- response shapes (the fields callers rely on; more may come) -------------------------------

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const looseObject = (required: string[], properties: Record<string, JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  required,
  properties,
});
const links = looseObject(['self', 'temporalUi'], { self: { type: 'string' }, temporalUi: { type: 'string' } });
const statusSchema = { type: 'string', enum: ['triggered', 'acknowledged', 'resolved'] };

const COMPONENT_SCHEMAS: Record<string, JsonSchema> = {
  Error: looseObject(['error'], { error: { type: 'string' } }),
  ValidationError: looseObject(['error', 'fields'], {
    error: { type: 'string' },
    fields: {
      type: 'array',
      items: looseObject(['field', 'message'], { field: { type: 'string' }, message: { type: 'string' } }),
    },
  }),
  Incident: looseObject(['id', 'status', 'report', 'reportedAt', 'deadlines', 'timeline', 'ackCode', '_links'], {
    id: { type: 'string' },
    status: statusSchema,
    report: { type: 'object' },
    reportedAt: { type: 'string' },
    deadlines: { type: 'array' },
    timeline: { type: 'array' },
    ackCode: { type: 'string' },
    _links: links,
  }),
  Triage: looseObject(['id', 'status', 'triage', 'deadlines', '_links'], {
    id: { type: 'string' },
    status: statusSchema,
    triage: looseObject(['category', 'severity', 'lines', 'reasons']),
    deadlines: { type: 'array' },
    _links: links,
  }),
  IncidentList: looseObject(['incidents', 'count'], {
    incidents: {
      type: 'array',
      items: looseObject(['id', 'status', 'reportedAt', '_links'], { id: { type: 'string' }, _links: links }),
    },
    count: { type: 'integer', minimum: 0 },
  }),
  History: { type: 'object' },
  Case: looseObject(['incidentId', 'title', 'lessons', 'tags', 'summary', 'markedBy', 'markedAt'], {
    incidentId: { type: 'string' },
    title: { type: 'string' },
    lessons: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    category: { type: ['string', 'null'] },
    causeKey: { type: ['string', 'null'] },
    summary: { type: 'string' },
  }),
  MonthlyReview: looseObject(['month', 'timeZone', 'period', 'basis', 'figures', 'causes', 'rewardCandidates', 'drills', 'incidents'], {
    month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
    figures: { type: 'object' },
    drills: looseObject(['figures', 'incidents']),
  }),
  Health: looseObject(['ok', 'checks'], { ok: { type: 'boolean' }, checks: { type: 'object' } }),
  OnCall: looseObject(['at', 'teams'], { at: { type: 'string' }, teams: { type: 'array' } }),
  SignalDecision: looseObject(['decision'], { decision: { type: 'string', enum: ['opened', 'attached', 'none'] } }),
  SignalPending: looseObject(['decision', 'source', 'sourceEventId', '_links'], {
    decision: { const: 'pending' },
    source: { type: 'string' },
    sourceEventId: { type: 'string' },
  }),
  Accepted: looseObject(['accepted'], { accepted: { const: true } }),
  HeartbeatState: { type: 'object' },
  SystemState: { type: 'object' },
  OpenApiDocument: looseObject(['openapi', 'info', 'paths'], { openapi: { type: 'string' } }),
  Me: looseObject(['id', 'owner', 'role', 'permissions'], {
    id: { type: 'string' },
    owner: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    permissions: { type: 'array', items: { type: 'string', enum: [...PERMISSIONS] } },
  }),
  ApiKey: looseObject(['id', 'owner', 'role', 'createdAt'], {
    id: { type: 'string' },
    owner: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    createdAt: { type: 'string' },
    rotatedAt: { type: 'string' },
    revokedAt: { type: 'string' },
  }),
  ApiKeyWithSecret: looseObject(['id', 'owner', 'role', 'createdAt', 'key'], {
    id: { type: 'string' },
    key: { type: 'string', description: 'The secret: shown once, stored only as a hash.' },
  }),
  ApiKeyList: looseObject(['keys', 'count'], { keys: { type: 'array', items: ref('ApiKey') }, count: { type: 'integer', minimum: 0 } }),
};

const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } },
};
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

const COMPONENT_RESPONSES: Record<string, JsonSchema> = {
  badRequest: { description: 'Invalid input: each bad field is named in `fields`.', content: json(ref('ValidationError')) },
  unauthorized: {
    description: 'No API key, or an unknown or revoked one: send `Authorization: Bearer <key>` (R-SEC-2).',
    headers: { 'WWW-Authenticate': { description: '`Bearer realm="claims-incidents"`.', schema: { type: 'string' } } },
    content: json(ref('Error')),
  },
  forbidden: { description: 'The key’s role lacks the permission (named in the answer), or the workflow refuses the role (R-SEC-2, R-CAT-X, R-SEV-UP).', content: json(ref('Error')) },
  notFound: { description: 'No such incident, system or heartbeat.', content: json(ref('Error')) },
  conflict: { description: 'Not possible in the incident’s state (e.g. it is already resolved).', content: json(ref('Error')) },
  gone: { description: 'The link has expired.', content: { 'text/html': { schema: { type: 'string' } } } },
  tooLarge: { description: 'The body is larger than 64 kB.', content: json(ref('Error')) },
  tooManyRequests: {
    description: 'Rate limit of this API key (or client address) reached; only when a limit is configured.',
    headers: retryAfter,
    content: json(ref('Error')),
  },
  unavailable: {
    description: 'Temporal is unreachable or did not answer in time; retry after `Retry-After` seconds.',
    headers: retryAfter,
    content: json(ref('Error')),
  },
};

// ---- the operations -----------------------------------------------------------------------------

const incidentPath = { id: incidentIdSchema };
const textExample = { text: '已致电客户，说明复核流程，客户同意等待。' };
/** Checked inline in `POST /incidents` (1–200 characters); described here by the same bounds. */
const idempotencyKeySchema = z.string().min(1).max(200);
const twilioForm = z.record(z.string(), z.string());

const incidentAction = (path: string, operationId: string, summary: string, schema: z.ZodType, example: unknown): ApiOperation => ({
  method: 'post',
  path: `/incidents/{id}/${path}`,
  operationId,
  summary,
  tag: 'incidents',
  feature: 'core',
  access: ['incidents:act'],
  pathParams: incidentPath,
  body: { schema, example },
  ok: { '200': { description: 'The incident after the action.', json: ref('Incident') } },
  errors: ['badRequest', 'forbidden', 'notFound', 'conflict', 'tooLarge', 'unavailable'],
});

export const API_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'post',
    path: '/incidents',
    operationId: 'reportIncident',
    summary: 'Report an incident; answers with its triage. Idempotent with an Idempotency-Key.',
    tag: 'incidents',
    feature: 'core',
    access: ['incidents:report'],
    idempotencyKey: true,
    body: {
      schema: reportBodySchema,
      example: {
        title: '客户对理赔结果强烈质疑，扬言投诉',
        description: '客户来电称理赔金额计算错误，强烈质疑审核结果，表示将向监管投诉。',
        source: 'hotline',
        reporter: 'agent-li',
        facts: { claimId: 'CLM-2026-004211' },
      },
    },
    ok: {
      '201': { description: 'The incident opened (or the one this idempotency key opened before).', json: ref('Triage'), location: true },
      '202': {
        description:
          'Accepted under load: the report is on disk in the intake journal with its triage and deadlines, and the incident opens as soon as the engine takes it (its Location answers at once).',
        json: ref('Triage'),
        location: true,
      },
    },
    errors: ['badRequest', 'tooLarge', 'unavailable'],
  },
  {
    method: 'get',
    path: '/incidents',
    operationId: 'listIncidents',
    summary: 'Incidents by status, category, severity, drill and report time.',
    tag: 'incidents',
    feature: 'core',
    replacedBy: 'archive',
    access: ['incidents:read', 'incidents:read-own'],
    query: listQuerySchema,
    ok: { '200': { description: 'Matching incidents, newest first.', json: ref('IncidentList') } },
    errors: ['badRequest', 'unavailable'],
  },
  {
    method: 'get',
    path: '/incidents',
    operationId: 'listArchivedIncidents',
    summary: 'Incidents from the archive (R-REV-5: closed ones too, for 3 years and more) by status, category, severity, drill, report time, cause and text.',
    tag: 'incidents',
    feature: 'archive',
    access: ['incidents:read', 'incidents:read-own'],
    query: archiveListQuerySchema,
    ok: { '200': { description: 'Matching incidents, newest first, with their milestones and deadline outcomes.', json: ref('IncidentList') } },
    errors: ['badRequest', 'unavailable'],
  },
  {
    method: 'post',
    path: '/incidents/{id}/case',
    operationId: 'markTypicalCase',
    summary: 'Mark a resolved incident as a typical case with its lessons (R-REV-3); marking again updates it.',
    tag: 'cases',
    feature: 'archive',
    access: ['cases:write'],
    pathParams: incidentPath,
    body: { schema: caseBodySchema, example: { title: '医院账单争议', lessons: '先与医院核对账单，再答复客户。', tags: ['hospital', 'billing'] } },
    ok: { '201': { description: 'The case.', json: ref('Case'), location: true } },
    errors: ['badRequest', 'notFound', 'conflict', 'tooLarge', 'unavailable'],
  },
  {
    method: 'get',
    path: '/cases',
    operationId: 'findCases',
    summary: 'The case library (R-REV-3) by category, cause and text (title, lessons, tags, summary).',
    tag: 'cases',
    feature: 'archive',
    access: ['cases:read'],
    query: caseQuerySchema,
    ok: { '200': { description: 'Matching cases, newest first.', json: looseObject(['cases', 'count'], { cases: { type: 'array', items: ref('Case') }, count: { type: 'integer', minimum: 0 } }) } },
    errors: ['badRequest', 'unavailable'],
  },
  {
    method: 'get',
    path: '/incidents/{id}',
    operationId: 'getIncident',
    summary: 'One incident: state, deadlines, timeline.',
    tag: 'incidents',
    feature: 'core',
    access: ['incidents:read', 'incidents:read-own'],
    pathParams: incidentPath,
    ok: { '200': { description: 'The incident.', json: ref('Incident') } },
    errors: ['badRequest', 'notFound', 'unavailable'],
  },
  {
    method: 'patch',
    path: '/incidents/{id}',
    operationId: 'reclassifyIncident',
    summary: 'Change the category or severity, with a reason.',
    tag: 'incidents',
    feature: 'core',
    access: ['incidents:act', 'incidents:reclassify'],
    pathParams: incidentPath,
    body: { schema: patchBodySchema, example: { severity: 'major', reason: '涉及多名客户，升级为重大' } },
    ok: { '200': { description: 'The incident after reclassification.', json: ref('Incident') } },
    errors: ['badRequest', 'forbidden', 'notFound', 'conflict', 'tooLarge', 'unavailable'],
  },
  {
    method: 'get',
    path: '/incidents/{id}/history',
    operationId: 'getIncidentHistory',
    summary: 'The incident’s audit history: JSON, or a self-contained HTML page.',
    tag: 'incidents',
    feature: 'core',
    access: ['incidents:read', 'incidents:read-own'],
    pathParams: incidentPath,
    query: historyQuerySchema,
    ok: { '200': { description: 'The history.', json: ref('History'), html: true } },
    errors: ['badRequest', 'notFound', 'unavailable'],
  },
  {
    method: 'get',
    path: '/reports/monthly',
    operationId: 'getMonthlyReview',
    summary: 'The monthly review (R-REV-1, R-REV-2): JSON, a flat CSV table, or a printable HTML page with charts; drills apart.',
    tag: 'reports',
    feature: 'core',
    access: ['reports:read'],
    query: monthlyQuerySchema,
    ok: { '200': { description: 'The review of the month (Asia/Shanghai).', json: ref('MonthlyReview'), html: true, media: ['text/csv'] } },
    errors: ['badRequest', 'unavailable'],
  },
  {
    method: 'get',
    path: '/drills/scenarios',
    operationId: 'listDrillScenarios',
    summary: 'The drill scenarios configured (R-REV-4).',
    tag: 'drills',
    feature: 'drills',
    access: ['drills:run'],
    ok: { '200': { description: 'The scenarios.', json: looseObject(['scenarios'], { scenarios: { type: 'array' } }) } },
    errors: [],
  },
  {
    method: 'post',
    path: '/drills',
    operationId: 'startDrill',
    summary: 'Start a drill: its incidents run the real process, marked [DRILL], paged only to the participants (R-REV-4).',
    tag: 'drills',
    feature: 'drills',
    access: ['drills:run'],
    body: { schema: drillBodySchema, example: { scenario: 'claims-query-down', participants: ['tech-wu', 'mgmt-xu'] } },
    ok: { '201': { description: 'The drill started, with its incidents.', json: looseObject(['id', 'incidents', '_links']), location: true } },
    errors: ['badRequest', 'tooLarge', 'unavailable'],
  },
  {
    method: 'get',
    path: '/drills/{id}/report',
    operationId: 'getDrillReport',
    summary: 'The drill’s report: who was paged, who acknowledged and how fast, which deadlines held (JSON or HTML).',
    tag: 'drills',
    feature: 'drills',
    access: ['drills:run'],
    pathParams: { id: drillIdSchema },
    query: drillReportQuerySchema,
    ok: { '200': { description: 'The report.', json: looseObject(['drill', 'incidents', 'participants', 'totals']), html: true } },
    errors: ['badRequest', 'notFound', 'unavailable'],
  },
  incidentAction('acknowledge', 'acknowledgeIncident', 'Acknowledge: paging stops.', emptyBodySchema, {}),
  incidentAction('progress', 'recordProgress', 'A progress update, optionally sent to the customer.', progressBodySchema, {
    text: '复核已完成一半，预计明日答复客户。',
    customer: { channel: 'sms', address: '+8613800138000' },
  }),
  incidentAction('contact', 'recordContact', 'Record the first contact with the customer.', textBodySchema, textExample),
  incidentAction('solution', 'recordSolution', 'Record the agreed solution.', textBodySchema, { text: '重新核算理赔金额并补付差额。' }),
  incidentAction('notes', 'addNote', 'Add a note to the timeline.', textBodySchema, textExample),
  incidentAction('resolve', 'resolveIncident', 'Resolve, with a summary.', resolveBodySchema, { summary: '差额已补付，客户确认满意。' }),
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'Whether the API, Temporal and a worker are up; never rate limited.',
    tag: 'operations',
    feature: 'core',
    access: 'public',
    ok: {
      '200': { description: 'All up.', json: ref('Health') },
      '503': { description: 'Something is down; `checks` says what.', json: ref('Health') },
    },
    errors: [],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    summary: 'This document.',
    tag: 'operations',
    feature: 'core',
    access: 'public',
    ok: { '200': { description: 'The OpenAPI 3.1 document of this API.', json: ref('OpenApiDocument') } },
    errors: [],
  },
  {
    method: 'get',
    path: '/dashboard',
    operationId: 'dashboard',
    summary: 'The managers’ dashboard (a page; its data calls send the viewer’s key).',
    tag: 'operations',
    feature: 'core',
    access: 'public',
    ok: { '200': { description: 'The page.', html: true } },
    errors: [],
  },
  {
    method: 'get',
    path: '/dashboard/{file}',
    operationId: 'dashboardAsset',
    summary: 'A script or stylesheet of the dashboard (served from this API, never a CDN).',
    tag: 'operations',
    feature: 'core',
    access: 'public',
    pathParams: { file: dashboardAssetSchema },
    ok: { '200': { description: 'The file.', media: ['text/javascript', 'text/css'] } },
    errors: ['notFound'],
  },
  {
    method: 'get',
    path: '/oncall',
    operationId: 'whoIsOnCall',
    summary: 'Who is on call for each line, now or at `at`, with masked contacts.',
    tag: 'paging',
    feature: 'paging',
    access: ['oncall:read'],
    query: onCallQuerySchema,
    ok: { '200': { description: 'On call per line.', json: ref('OnCall') } },
    errors: ['badRequest'],
  },
  ...(['sms', 'voice', 'voice/gather'] as const).map(
    (kind): ApiOperation => ({
      method: 'post',
      path: `/webhooks/twilio/${kind}`,
      operationId: `twilio${kind === 'sms' ? 'Sms' : kind === 'voice' ? 'Voice' : 'VoiceGather'}`,
      summary: `Twilio ${kind} webhook (signed by Twilio); answers TwiML.`,
      tag: 'paging',
      feature: 'paging',
      access: 'public',
      twilio: true,
      ...(kind === 'sms' ? {} : { query: voiceQuerySchema }),
      body: { schema: twilioForm, example: { From: '+8613800138000', Body: 'ACK 4821' }, form: true },
      ok: { '200': { description: 'TwiML.', xml: true } },
      errors: ['badRequest', 'forbidden', 'tooLarge'],
    }),
  ),
  {
    method: 'get',
    path: '/webhooks/twilio/voice',
    operationId: 'twilioVoiceGet',
    summary: 'Twilio voice webhook by GET (signed by Twilio); answers TwiML.',
    tag: 'paging',
    feature: 'paging',
    access: 'public',
    twilio: true,
    query: voiceQuerySchema,
    ok: { '200': { description: 'TwiML.', xml: true } },
    errors: ['badRequest', 'forbidden'],
  },
  {
    method: 'get',
    path: '/ack/{token}',
    operationId: 'acknowledgeByLink',
    summary: 'Acknowledge from the signed link in a page e-mail; answers an HTML page.',
    tag: 'paging',
    feature: 'paging',
    access: 'public',
    pathParams: { token: z.string().min(1) },
    ok: { '200': { description: 'Acknowledged (or already acknowledged / resolved).', html: true } },
    errors: ['forbidden', 'notFound', 'conflict', 'gone', 'unavailable'],
  },
  {
    method: 'post',
    path: '/signals',
    operationId: 'submitSignal',
    summary: 'One monitored event; the engine opens, attaches or ignores it. Idempotent by (source, sourceEventId).',
    tag: 'detection',
    feature: 'detection',
    access: ['signals:write'],
    body: {
      schema: signalBodySchema,
      example: { source: 'ticket', sourceEventId: 'TCK-88412', text: '客户投诉理赔超过30天未处理，要求加急。', claimId: 'CLM-2026-004211' },
    },
    ok: {
      '201': { description: 'An incident was opened.', json: ref('SignalDecision'), location: true },
      '200': { description: 'Attached to an incident, or no incident needed (and why).', json: ref('SignalDecision') },
      '202': {
        description:
          'Accepted under load: the event is in the engine and is decided in turn (SIGNAL_WAIT_MS passed first). Its Location (`GET /signals/{source}/{sourceEventId}`) gives the decision; `Retry-After` says when to look.',
        json: ref('SignalPending'),
        location: true,
      },
    },
    errors: ['badRequest', 'tooLarge', 'unavailable'],
  },
  {
    method: 'get',
    path: '/signals/{source}/{sourceEventId}',
    operationId: 'getSignalDecision',
    summary: 'The decision on an event posted to POST /signals, the same answer a retry of the POST gets.',
    tag: 'detection',
    feature: 'detection',
    access: ['signals:write', 'incidents:read'],
    pathParams: signalRefSchema.shape,
    ok: {
      '201': { description: 'The event opened an incident.', json: ref('SignalDecision'), location: true },
      '200': { description: 'The event was attached to an incident, or needed none (and why).', json: ref('SignalDecision') },
      '202': { description: 'Still being decided; look again after `Retry-After`.', json: ref('SignalPending'), location: true },
    },
    errors: ['badRequest', 'notFound', 'unavailable'],
  },
  {
    method: 'post',
    path: '/heartbeats/{system}',
    operationId: 'recordHeartbeat',
    summary: 'A monitored system’s heartbeat (R-DET-1).',
    tag: 'detection',
    feature: 'detection',
    access: ['signals:write'],
    pathParams: { system: systemParamSchema },
    ok: { '202': { description: 'Beat accepted.', json: ref('Accepted') } },
    errors: ['badRequest', 'notFound', 'unavailable'],
  },
  {
    method: 'get',
    path: '/heartbeats/{system}',
    operationId: 'getHeartbeat',
    summary: 'The heartbeat watch of a monitored system.',
    tag: 'detection',
    feature: 'detection',
    access: ['incidents:read'],
    pathParams: { system: systemParamSchema },
    ok: { '200': { description: 'Last beat and whether it is overdue.', json: ref('HeartbeatState') } },
    errors: ['badRequest', 'notFound', 'unavailable'],
  },
  {
    method: 'get',
    path: '/systems/{component}',
    operationId: 'getSystemIncident',
    summary: 'The system incident of a component (R-SYS-2).',
    tag: 'detection',
    feature: 'detection',
    access: ['incidents:read'],
    pathParams: { component: systemParamSchema },
    ok: { '200': { description: 'The system incident’s view.', json: ref('SystemState') } },
    errors: ['badRequest', 'notFound', 'unavailable'],
  },
  {
    method: 'post',
    path: '/systems/{component}/restore-steps/{step}',
    operationId: 'completeRestoreStep',
    summary: 'Mark a restore step done (R-SYS-3).',
    tag: 'detection',
    feature: 'detection',
    access: ['incidents:act'],
    pathParams: { component: systemParamSchema, step: systemParamSchema },
    body: { schema: restoreStepBodySchema, example: { note: '已切换至备用库' } },
    ok: { '200': { description: 'The system incident’s view.', json: ref('SystemState') } },
    errors: ['badRequest', 'forbidden', 'notFound', 'conflict', 'tooLarge', 'unavailable'],
  },
  {
    method: 'post',
    path: '/systems/{component}/recovered',
    operationId: 'declareRecovered',
    summary: 'Declare the component recovered (R-SYS-3).',
    tag: 'detection',
    feature: 'detection',
    access: ['incidents:act'],
    pathParams: { component: systemParamSchema },
    body: { schema: recoveredBodySchema, example: { reason: '核心库已恢复，积压理赔处理完毕' } },
    ok: { '202': { description: 'Recovery accepted.', json: ref('Accepted') } },
    errors: ['badRequest', 'notFound', 'tooLarge', 'unavailable'],
  },
  {
    method: 'get',
    path: '/me',
    operationId: 'whoAmI',
    summary: 'The caller’s key: id, owner, role and permissions (R-SEC-2).',
    tag: 'access',
    feature: 'core',
    access: 'any-key',
    ok: { '200': { description: 'Who the key belongs to and what it may do.', json: ref('Me') } },
    errors: [],
  },
  {
    method: 'get',
    path: '/admin/keys',
    operationId: 'listApiKeys',
    summary: 'Every API key, revoked ones included; never a secret or a hash.',
    tag: 'access',
    feature: 'core',
    access: ['keys:admin'],
    ok: { '200': { description: 'The keys.', json: ref('ApiKeyList') } },
    errors: [],
  },
  {
    method: 'post',
    path: '/admin/keys',
    operationId: 'createApiKey',
    summary: 'A new key for an owner and role; the secret is in this answer only.',
    tag: 'access',
    feature: 'core',
    access: ['keys:admin'],
    body: { schema: createKeyBodySchema, example: { owner: 'agent-li', role: 'support' } },
    ok: { '201': { description: 'The key, with its secret (`key`) shown once.', json: ref('ApiKeyWithSecret'), location: true } },
    errors: ['badRequest', 'tooLarge'],
  },
  {
    method: 'post',
    path: '/admin/keys/{id}/rotate',
    operationId: 'rotateApiKey',
    summary: 'A new secret for the same key id, owner and role; the old secret stops working at once.',
    tag: 'access',
    feature: 'core',
    access: ['keys:admin'],
    pathParams: { id: keyIdSchema },
    ok: { '200': { description: 'The key, with its new secret (`key`) shown once.', json: ref('ApiKeyWithSecret') } },
    errors: ['badRequest', 'notFound', 'conflict'],
  },
  {
    method: 'delete',
    path: '/admin/keys/{id}',
    operationId: 'revokeApiKey',
    summary: 'Revoke a key for good (it stays listed with `revokedAt`).',
    tag: 'access',
    feature: 'core',
    access: ['keys:admin'],
    pathParams: { id: keyIdSchema },
    ok: { '200': { description: 'The revoked key.', json: ref('ApiKey') } },
    errors: ['badRequest', 'notFound'],
  },
];

// ---- generation ----------------------------------------------------------------------------------

/** JSON Schema 2020-12 of what a caller sends (`io: 'input'`: defaults make fields optional). */
function schemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Path values that exist on a fresh engine (the shipped detection defaults), so clients and fuzzers reach the handlers. */
const PATH_EXAMPLES: Record<string, string> = {
  id: 'INC-0123456789AB',
  system: 'claims-core',
  component: 'claims-core',
  step: 'claim-query',
};

function parametersOf(operation: ApiOperation): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  for (const [name, schema] of Object.entries(operation.pathParams ?? {})) {
    const example = PATH_EXAMPLES[name];
    parameters.push({ name, in: 'path', required: true, schema: schemaOf(schema), ...(example ? { example } : {}) });
  }
  if (operation.query) {
    const object = schemaOf(operation.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(object.properties ?? {})) {
      parameters.push({ name, in: 'query', required: object.required?.includes(name) ?? false, schema });
    }
  }
  if (operation.idempotencyKey) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'A retry with the same key returns the same incident and never opens a second one.',
      schema: schemaOf(idempotencyKeySchema),
    });
  }
  if (operation.twilio) {
    parameters.push({ name: 'X-Twilio-Signature', in: 'header', required: false, schema: { type: 'string' } });
  }
  return parameters;
}

function responsesOf(operation: ApiOperation): JsonSchema {
  const responses: JsonSchema = {};
  for (const [status, ok] of Object.entries(operation.ok)) {
    const content: JsonSchema = {};
    if (ok.json) content['application/json'] = { schema: ok.json };
    if (ok.html) content['text/html'] = { schema: { type: 'string' } };
    if (ok.xml) content['text/xml'] = { schema: { type: 'string' } };
    for (const media of ok.media ?? []) content[media] = { schema: { type: 'string' } };
    responses[status] = {
      description: ok.description,
      ...(ok.location ? { headers: { Location: { description: 'The incident’s URL.', schema: { type: 'string' } } } } : {}),
      content,
    };
  }
  const statusOf: Record<ResponseKey, string> = {
    badRequest: '400',
    forbidden: '403',
    notFound: '404',
    conflict: '409',
    gone: '410',
    tooLarge: '413',
    unavailable: '503',
  };
  for (const key of operation.errors) {
    let response: JsonSchema = { $ref: `#/components/responses/${key}` };
    // The pages and TwiML answer their errors in their own media type, never JSON.
    if (operation.twilio && key !== 'tooLarge') {
      response = { description: 'Unsigned request or bad query.', content: { 'text/plain': { schema: { type: 'string' } } } };
    } else if (operation.path === '/ack/{token}' && key !== 'gone') {
      response = { description: 'See the page.', content: { 'text/html': { schema: { type: 'string' } } } };
    }
    responses[statusOf[key]] = response;
  }
  if (operation.access !== 'public') {
    responses['401'] = { $ref: '#/components/responses/unauthorized' };
    if (operation.access !== 'any-key') responses['403'] = { $ref: '#/components/responses/forbidden' };
  }
  if (operation.path !== '/healthz') responses['429'] = { $ref: '#/components/responses/tooManyRequests' };
  return responses;
}

export interface OpenApiOptions {
  /** Which optional routers are mounted; all when unset. */
  features?: Partial<Record<Exclude<ApiFeature, 'core'>, boolean>>;
  /** `servers[0].url`, when known. */
  serverUrl?: string;
}

/** The operations the app mounts with these features. */
export function operationsFor(options: OpenApiOptions = {}): ApiOperation[] {
  const on = (feature: ApiFeature) => feature === 'core' || options.features?.[feature] !== false;
  return API_OPERATIONS.filter((operation) => on(operation.feature) && !(operation.replacedBy && on(operation.replacedBy)));
}

/** The document, built once per app (the schemas do not change at run time). */
export function buildOpenApiDocument(options: OpenApiOptions = {}): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const operation of operationsFor(options)) {
    const parameters = parametersOf(operation);
    (paths[operation.path] ??= {})[operation.method] = {
      operationId: operation.operationId,
      summary: operation.summary,
      tags: [operation.tag],
      // Public operations override the document's default (a key) with none.
      security: operation.access === 'public' ? [] : [{ bearerAuth: [] }],
      ...(Array.isArray(operation.access) ? { 'x-permissions': operation.access } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(operation.body
        ? {
            requestBody: {
              required: true,
              content: {
                [operation.body.form ? 'application/x-www-form-urlencoded' : 'application/json']: {
                  schema: schemaOf(operation.body.schema),
                  example: operation.body.example,
                },
              },
            },
          }
        : {}),
      responses: responsesOf(operation),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Claims incident response engine',
      version: '0.1.0',
      description:
        'Incident response and escalation for medical-insurance claims. Bodies are at most 64 kB; ' +
        'every answer carries no-store and restrictive security headers; a per-client rate limit ' +
        '(API key, else client address) answers 429 with Retry-After when configured. Calls carry ' +
        '`Authorization: Bearer <API key>`; each operation names the permissions it needs in `x-permissions`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [
      { name: 'incidents', description: 'Report, read and act on incidents.' },
      { name: 'paging', description: 'Who is on call; acknowledging from the page.' },
      { name: 'detection', description: 'Monitored events, heartbeats and system incidents.' },
      { name: 'operations', description: 'Health and this document.' },
      { name: 'access', description: 'Who the caller is; API keys (administrators).' },
      { name: 'cases', description: 'The case library of typical incidents and their lessons (R-REV-3).' },
    ],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas: COMPONENT_SCHEMAS,
      responses: COMPONENT_RESPONSES,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'cie_ + 43 base64url characters',
          description: 'An API key (`npm run keys`, `POST /admin/keys`); its role decides what it may do (`x-permissions` per operation).',
        },
      },
    },
  };
}
