/**
 * Drills (R-REV-4), for managers (`drills:run`, R-SEC-2):
 *
 * - `GET /drills/scenarios`: the scenarios configured (`config/drills/*.json`).
 * - `POST /drills {scenario, participants}`: starts the drill's workflow (`workflows/drill.ts`),
 *   which raises the scenario's incidents through the real incident workflow, marked `drill` (every
 *   message says [DRILL]/[演练]) and paged only to the participants — roster person ids.
 * - `GET /drills/:id/report`: who was paged, who acknowledged and how fast, which deadlines held
 *   or were missed, per incident and per participant; JSON, or a printable HTML page.
 *
 * Drill incidents never count in the monthly review's real figures (domain/monthly-review.ts).
 */
import { randomBytes } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { scenarioReports, type DrillScenario } from '../config/drills';
import { buildDrillReport, type DrillReport } from '../domain/drill-report';
import { findPerson, type Roster } from '../domain/roster';
import type { drillWorkflow } from '../workflows/drill';
import type { incidentWorkflow } from '../workflows/incident';
import { TASK_QUEUE, drillStateQuery, stateQuery, type DrillInput, type IncidentState } from '../workflows/contracts';
import { incidentIdFor } from './app';
import { actorOf, requirePermission } from './auth';
import { HttpError, errorHandler, validationError } from './errors';
import { escapeHtml, historyQuerySchema, sendPrintablePage, wantsHtml, type Bounded } from './history';

export interface DrillsDependencies {
  /** The scenarios read and validated at start-up (`readDrillScenarios`). */
  scenarios: DrillScenario[];
  /** Participants must be people on it. */
  roster: Roster;
}

export interface DrillsRouterDependencies extends DrillsDependencies {
  client: Client;
  taskQueue?: string;
  bounded: Bounded;
}

export const drillIdSchema = z.string().regex(/^DRL-[0-9A-Z]{12}$/, 'not a drill id');
export const drillBodySchema = z
  .object({
    scenario: z.string().trim().min(1, 'must not be empty').max(64),
    participants: z.array(z.string().trim().min(1).max(64)).min(1, 'name at least one participant').max(50),
  })
  .strict();
/** `?format=json|html`, as the history's. */
export const drillReportQuerySchema = historyQuerySchema;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function newDrillId(): string {
  const bytes = randomBytes(12);
  let id = '';
  for (let i = 0; i < 12; i++) id += CROCKFORD[bytes[i]! % 32];
  return `DRL-${id}`;
}

function fieldError(field: string, message: string): HttpError {
  return new HttpError(400, `invalid body: ${field} ${message}`, { fields: [{ field, message }] });
}

// ---- the printable report ------------------------------------------------------------------------

const both = (zh: string, en: string) => `${escapeHtml(zh)} <span class="en">${escapeHtml(en)}</span>`;
const dash = (value: unknown) => (value === null || value === undefined ? '—' : escapeHtml(value));
const STATE_LABELS = { held: both('达成', 'held'), missed: both('超时', 'missed'), pending: both('未到期', 'pending') } as const;

/** The drill report as one self-contained page: inline CSS only, no scripts, every value escaped. */
export function renderDrillReportHtml(report: DrillReport, generatedAt: Date): string {
  const d = report.drill;
  const incidents = report.incidents
    .map((i) => {
      const pages = i.pages.map((p) => `<li>${escapeHtml(p.personId)} · ${escapeHtml(p.channel)} · +${escapeHtml(p.minutesAfterReport)} min${p.delivered ? '' : ' ✗'}</li>`).join('');
      const deadlines = i.deadlines
        .map((x) => `<tr class="${x.state}"><td>${escapeHtml(x.id)}</td><td>${escapeHtml(x.dueAt)}</td><td>${STATE_LABELS[x.state]}</td><td>${dash(x.closedAt)}</td></tr>`)
        .join('');
      return `<h3>${escapeHtml(i.id)} — ${escapeHtml(i.title)}</h3>
<p>${escapeHtml(i.category ?? '—')} / ${escapeHtml(i.severity ?? '—')} · ${escapeHtml(i.status)} · ${both('报告', 'reported')} ${escapeHtml(i.reportedAt)}</p>
<p>${both('确认', 'Acknowledged')}: ${i.acknowledged ? `${escapeHtml(i.acknowledged.by)}, +${escapeHtml(i.acknowledged.minutes)} min` : '—'} ·
${both('联系', 'contact')} ${dash(i.minutesToContact)} · ${both('方案', 'solution')} ${dash(i.minutesToSolution)} · ${both('解决', 'resolve')} ${dash(i.minutesToResolve)} · ${both('升级', 'escalations')} ${i.escalations}</p>
<p>${both('已呼叫', 'Paged')}:</p><ul>${pages || '<li>—</li>'}</ul>
<table><thead><tr><th>${both('时限', 'Deadline')}</th><th>${both('到期', 'Due')}</th><th>${both('结果', 'Outcome')}</th><th>${both('关闭于', 'Closed at')}</th></tr></thead><tbody>${deadlines}</tbody></table>`;
    })
    .join('\n');
  const people = report.participants
    .map((p) => `<tr><td>${escapeHtml(p.personId)}</td><td>${p.pagedIncidents}</td><td>${p.acknowledged}</td><td>${dash(p.fastestAcknowledgeMinutes)}</td></tr>`)
    .join('');
  const t = report.totals;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>演练报告 Drill report ${escapeHtml(d.id)}</title>
<style>
  body { font: 13px/1.5 "Noto Sans CJK SC", "PingFang SC", system-ui, sans-serif; margin: 24px; color: #111; }
  h1 { font-size: 20px; } h2 { font-size: 15px; border-bottom: 1px solid #999; } h3 { font-size: 13px; margin-top: 18px; }
  .en { color: #555; font-size: 0.9em; } table { border-collapse: collapse; } th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; }
  th { background: #eee; } tr.missed td { background: #fde8e8; } .warn { color: #b00; font-weight: bold; }
  @page { size: A4; margin: 15mm; } @media print { body { margin: 0; } }
</style>
</head>
<body>
<h1>[演练] 演练报告 <span class="en">[DRILL] Drill report</span> — ${escapeHtml(d.id)}</h1>
<p>${escapeHtml(d.scenario.title.zh)} <span class="en">${escapeHtml(d.scenario.title.en)}</span></p>
<p>${both('发起人', 'Started by')} ${escapeHtml(d.startedBy)} · ${escapeHtml(d.startedAt)} · ${escapeHtml(d.status)} · ${both('导出时间', 'Exported')} ${escapeHtml(generatedAt.toISOString())}</p>
<p>${both('事件', 'Incidents')} ${t.incidents} · ${both('已确认', 'acknowledged')} ${t.acknowledged} · ${both('确认中位数', 'median to acknowledge')} ${dash(t.medianMinutesToAcknowledge)} min ·
${both('时限达成', 'deadlines held')} ${t.deadlinesHeld} · ${both('超时', 'missed')} ${t.deadlinesMissed} · ${both('未到期', 'pending')} ${t.deadlinesPending}</p>
${report.pagedOutsideParticipants.length ? `<p class="warn">${both('呼叫了非参与者', 'Paged outside the participants')}: ${escapeHtml(report.pagedOutsideParticipants.join(', '))}</p>` : ''}
<h2>${both('参与者', 'Participants')}</h2>
<table><thead><tr><th>${both('人员', 'Person')}</th><th>${both('被呼叫事件', 'Incidents paged')}</th><th>${both('确认事件', 'Acknowledged')}</th><th>${both('最快确认（分钟）', 'Fastest ack (min)')}</th></tr></thead><tbody>${people}</tbody></table>
<h2>${both('演练事件', 'Drill incidents')}</h2>
${incidents}
</body>
</html>
`;
}

// ---- the routes ------------------------------------------------------------------------------------

export function createDrillsRouter(deps: DrillsRouterDependencies): Router {
  const { client, bounded } = deps;
  const taskQueue = deps.taskQueue ?? TASK_QUEUE;
  const router = express.Router();
  const allowed = requirePermission('drills:run');

  router.get('/drills/scenarios', allowed, (_req, res) => {
    res.json({ scenarios: deps.scenarios.map((s) => ({ id: s.id, title: s.title, description: s.description, incidents: scenarioReports(s, '-').length })) });
  });

  router.post('/drills', allowed, async (req, res) => {
    const body = drillBodySchema.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error, 'body');
    const scenario = deps.scenarios.find((s) => s.id === body.data.scenario);
    if (!scenario) throw fieldError('scenario', `unknown scenario; one of: ${deps.scenarios.map((s) => s.id).join(', ')}`);
    const participants = [...new Set(body.data.participants)];
    participants.forEach((id, index) => {
      if (!findPerson(deps.roster, id)) throw fieldError(`participants.${index}`, `${id} is not on the roster`);
    });
    const actor = actorOf(req);
    const id = newDrillId();
    const input: DrillInput = {
      id,
      scenario: { id: scenario.id, title: scenario.title },
      participants,
      startedBy: actor.name,
      incidents: scenarioReports(scenario, actor.name).map((report, index) => ({ id: incidentIdFor(`drill:${id}:${index}`), report })),
    };
    try {
      await bounded(() => client.workflow.start<typeof drillWorkflow>('drillWorkflow', { workflowId: id, taskQueue, args: [input] }));
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    res
      .status(201)
      .location(`/drills/${id}/report`)
      .json({
        id,
        scenario: input.scenario,
        participants,
        startedBy: actor.name,
        incidents: input.incidents.map((i) => ({ id: i.id, title: i.report.title, _links: { self: `/incidents/${i.id}` } })),
        _links: { report: `/drills/${id}/report`, html: `/drills/${id}/report?format=html` },
      });
  });

  router.get('/drills/:id/report', allowed, async (req, res) => {
    const parsed = drillIdSchema.safeParse(req.params.id);
    if (!parsed.success) throw validationError(parsed.error, 'path');
    const html = wantsHtml(req);
    const drill = await bounded(() => client.workflow.getHandle<typeof drillWorkflow>(parsed.data).query(drillStateQuery)).catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(404, 'no such drill');
      throw err;
    });
    const incidents = await bounded(() =>
      Promise.all(
        drill.incidents.map((i) =>
          client.workflow.getHandle<typeof incidentWorkflow>(i.id).query(stateQuery).catch((): IncidentState | undefined => undefined),
        ),
      ),
    );
    const report = buildDrillReport(drill, incidents.filter((i): i is IncidentState => i !== undefined));
    if (html) {
      sendPrintablePage(res, renderDrillReportHtml(report, new Date()));
      return;
    }
    res.json(report);
  });

  router.use(errorHandler);
  return router;
}
