/**
 * The archive over HTTP (R-REV-5, R-REV-3): incident lists that cover closed incidents long
 * after Temporal's retention, an archived incident when its workflow is gone, and the case
 * library. Reads the `ArchiveStore` the worker writes; no Temporal call here.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { causeOfReport } from '../activities/archive';
import {
  ArchiveConflict,
  ArchiveNotFound,
  reporterKey,
  type ArchiveStore,
  type ArchivedIncident,
  type ArchivedIncidentSummary,
  type CaseRecord,
} from '../activities/archive-store';
import type { DetectionConfig } from '../domain/detection-config';
import { readsOnlyOwn, type Principal } from '../domain/roles';
import { CATEGORIES } from '../domain/types';
import type { IncidentState } from '../workflows/contracts';
import { principalOf, requirePermission } from './auth';
import { HttpError, validationError } from './errors';
import { incidentIdSchema, listQuerySchema } from './schemas';

/** `GET /incidents` over the archive: the live list's filters plus cause and text. */
export const archiveListQuerySchema = listQuerySchema
  .extend({
    /** A cause key (R-CAT-COMP), e.g. `text:outpatient-ratio`. */
    cause: z.string().trim().min(1).max(300).optional(),
    /** Words in the report, resolution or timeline (matched case-insensitively). */
    q: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export const caseBodySchema = z
  .object({
    lessons: z.string().trim().min(1).max(10_000),
    title: z.string().trim().min(1).max(200).optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
  })
  .strict();

export const caseQuerySchema = z
  .object({
    category: z.enum(CATEGORIES).optional(),
    cause: z.string().trim().min(1).max(300).optional(),
    q: z.string().trim().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'path'): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

export interface ArchiveApiDependencies {
  archive: ArchiveStore;
  /** The cause definitions, for the cause key of an incident not archived yet. */
  detection: DetectionConfig;
  links: (id: string) => Record<string, string>;
}

/** Whether `principal` may read this archived incident: support staff read the ones they reported (R-SEC-2). */
export function archivedVisibleTo(principal: Principal, incident: Pick<ArchivedIncidentSummary, 'reporterKey'>): boolean {
  return !readsOnlyOwn(principal) || incident.reporterKey === reporterKey(principal.owner);
}

/** A case as a link from an incident. */
function caseLink(record: CaseRecord) {
  return { id: record.incidentId, title: record.title, _links: { self: `/incidents/${record.incidentId}`, cases: `/cases?cause=${encodeURIComponent(record.causeKey ?? '')}` } };
}

/** The API's view of the archive, shared by the app's incident routes and this router. */
export function archiveApi(deps: ArchiveApiDependencies) {
  const { archive } = deps;

  /**
   * R-REV-3: typical cases of the same cause (the same category when the incident names no
   * cause), computed on read; never the incident itself.
   */
  async function casesFor(state: IncidentState) {
    const archived = await archive.getIncident(state.id).catch(() => undefined);
    const cause = archived?.causeKey ?? causeOfReport(state.report, state.id, deps.detection)?.key;
    const found = cause
      ? await archive.findCases({ cause, limit: 10 })
      : state.category
        ? await archive.findCases({ category: state.category, limit: 10 })
        : [];
    return found.filter((record) => record.incidentId !== state.id).map(caseLink);
  }

  function archivedView(record: ArchivedIncident) {
    return { ...record.state, archived: true, archivedAt: record.updatedAt, _links: deps.links(record.id) };
  }

  /** An archived incident the principal may read, or undefined. */
  async function readable(principal: Principal, id: string): Promise<ArchivedIncident | undefined> {
    const record = await archive.getIncident(id);
    return record && archivedVisibleTo(principal, record) ? record : undefined;
  }

  /**
   * `GET /incidents` from the archive, so closed incidents older than Temporal's retention still
   * appear; the live list's filters plus cause and text. The app's list route calls this.
   */
  async function listIncidents(req: Request, res: Response): Promise<void> {
    const query = parse(archiveListQuerySchema, req.query, 'query');
    const principal = principalOf(req);
    const own = readsOnlyOwn(principal);
    const found = await archive.listSummaries({
      ...(query.status ? { status: query.status } : {}),
      ...(query.category ? { category: query.category } : {}),
      ...(query.severity ? { severity: query.severity } : {}),
      ...(query.drill ? { drill: query.drill === 'true' } : {}),
      ...(query.cause ? { cause: query.cause } : {}),
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
      ...(query.q ? { text: query.q } : {}),
      // Own-only readers are filtered after the query, so it may not stop early for them.
      ...(own ? {} : { limit: query.limit }),
    });
    const incidents = found
      .filter((incident) => !own || archivedVisibleTo(principal, incident))
      .slice(0, query.limit)
      .map(({ reporterKey: _reporter, ...incident }) => ({ ...incident, _links: deps.links(incident.id) }));
    res.json({ incidents, count: incidents.length, source: 'archive' });
  }

  return { casesFor, archivedView, readable, listIncidents };
}

/** The case library (R-REV-3): `POST /incidents/:id/case` (managers), `GET /cases`. */
export function createArchiveRouter(deps: ArchiveApiDependencies): Router {
  const { archive } = deps;
  const router = express.Router();

  router.post('/incidents/:id/case', requirePermission('cases:write'), async (req, res) => {
    const id = parse(incidentIdSchema, req.params.id, 'path');
    const body = parse(caseBodySchema, req.body, 'body');
    const principal = principalOf(req);
    try {
      const record = await archive.markCase(id, {
        lessons: body.lessons,
        ...(body.title ? { title: body.title } : {}),
        ...(body.tags ? { tags: body.tags } : {}),
        markedBy: principal.owner,
        markedAt: new Date().toISOString(),
      });
      res.status(201).location(`/cases?cause=${encodeURIComponent(record.causeKey ?? '')}`).json({ ...record, _links: deps.links(id) });
    } catch (err) {
      if (err instanceof ArchiveNotFound) throw new HttpError(404, 'no such incident in the archive (it is written within seconds of each change)');
      if (err instanceof ArchiveConflict) throw new HttpError(409, err.message);
      throw err;
    }
  });

  router.get('/cases', requirePermission('cases:read'), async (req, res) => {
    const query = parse(caseQuerySchema, req.query, 'query');
    const cases = await archive.findCases({
      ...(query.category ? { category: query.category } : {}),
      ...(query.cause ? { cause: query.cause } : {}),
      ...(query.q ? { text: query.q } : {}),
      limit: query.limit,
    });
    res.json({ cases: cases.map((record) => ({ ...record, _links: { incident: `/incidents/${record.incidentId}` } })), count: cases.length });
  });

  return router;
}
