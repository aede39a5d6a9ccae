/**
 * `GET /incidents/:id/history`: the incident's record for managers and auditors (R-REV-5,
 * R-SEC-2) — its timeline in order, each entry with actor and time and a label people read,
 * a summary (class, status, deadlines, time to acknowledge / contact / solution / resolve),
 * and where to find the workflow behind it in the Temporal Web UI.
 *
 * Every fact comes from the workflow itself: the state query (timeline, deadlines, triage)
 * and the execution's description (its runs). Nothing is stored or inferred elsewhere, so an
 * auditor can check each line against the Temporal history it links to.
 *
 * JSON by default; a printable, self-contained HTML page with `?format=html` or
 * `Accept: text/html` (no scripts, no external assets, every value escaped). Neither prints
 * the report's free-text description or its facts (R-SEC-1): only what the timeline already
 * holds, where contacts are masked upstream.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { Deadline } from '../domain/deadlines';
import { incidentMilestones, type IncidentMilestones } from '../domain/incident-timing';
import type { incidentWorkflow } from '../workflows/incident';
import {
  stateQuery,
  type IncidentLink,
  type IncidentState,
  type TimelineEntry,
  type TimelineType,
} from '../workflows/contracts';
import { principalOf, requirePermission } from './auth';
import { errorHandler, toHttpError, validationError } from './errors';
import type { archiveApi } from './archive';
import { assertVisible } from './visibility';
import { incidentIdSchema } from './schemas';

/** Runs a call to Temporal within the API's deadline (answers 503 instead of hanging). */
export type Bounded = <T>(fn: () => Promise<T>) => Promise<T>;

export interface HistoryRouterDependencies {
  client: Client;
  namespace: string;
  /** Base URL of the Temporal Web UI, for links to the incident's workflow and each of its runs. */
  temporalUiUrl: string;
  bounded: Bounded;
  /** R-REV-5: the archive answers for an incident whose workflow Temporal no longer keeps. */
  archived?: ReturnType<typeof archiveApi>;
}

/** A label in both languages the claims team works in. */
export interface Label {
  zh: string;
  en: string;
}

/** What a reader looks for in a history: the stages of the plan, not the engine's event names. */
export type HistoryGroup =
  | 'report'
  | 'triage'
  | 'paging'
  | 'delivery'
  | 'acknowledgement'
  | 'contact'
  | 'solution'
  | 'update'
  | 'escalation'
  | 'deadline'
  | 'breach'
  | 'note'
  | 'link'
  | 'resolution';

export const GROUP_LABELS: Record<HistoryGroup, Label> = {
  report: { zh: '报告', en: 'Report' },
  triage: { zh: '分诊', en: 'Triage' },
  paging: { zh: '呼叫', en: 'Paging' },
  delivery: { zh: '送达', en: 'Delivery' },
  acknowledgement: { zh: '确认', en: 'Acknowledgement' },
  contact: { zh: '联系客户', en: 'Customer contact' },
  solution: { zh: '初步方案', en: 'Solution' },
  update: { zh: '进展更新', en: 'Updates' },
  escalation: { zh: '升级', en: 'Escalation' },
  deadline: { zh: '时限', en: 'Deadlines' },
  breach: { zh: '超时', en: 'Breaches' },
  note: { zh: '备注', en: 'Notes' },
  link: { zh: '关联', en: 'Links' },
  resolution: { zh: '解决', en: 'Resolution' },
};

/** Every timeline type has a group and a label: a `Record` over the closed set, so a new type fails to compile here. */
export const ENTRY_LABELS: Record<TimelineType, { group: HistoryGroup } & Label> = {
  reported: { group: 'report', zh: '报告', en: 'Reported' },
  triaged: { group: 'triage', zh: '分诊', en: 'Triaged' },
  reclassified: { group: 'triage', zh: '重新分类', en: 'Reclassified' },
  'severity-changed': { group: 'triage', zh: '级别变更', en: 'Severity changed' },
  'paging-step': { group: 'paging', zh: '呼叫步骤', en: 'Paging step' },
  unreachable: { group: 'paging', zh: '无人可达', en: 'Nobody reachable' },
  paged: { group: 'delivery', zh: '已呼叫', en: 'Paged' },
  'page-failed': { group: 'delivery', zh: '呼叫失败', en: 'Page failed' },
  notified: { group: 'delivery', zh: '已通知', en: 'Notified' },
  acknowledged: { group: 'acknowledgement', zh: '已确认', en: 'Acknowledged' },
  contacted: { group: 'contact', zh: '已联系客户', en: 'Customer contacted' },
  solution: { group: 'solution', zh: '初步方案', en: 'Initial solution' },
  progress: { group: 'update', zh: '进展更新', en: 'Progress update' },
  'customer-notified': { group: 'update', zh: '已告知客户', en: 'Customer notified' },
  escalated: { group: 'escalation', zh: '已升级', en: 'Escalated' },
  'deadline-warning': { group: 'deadline', zh: '时限预警', en: 'Deadline warning' },
  'deadline-met': { group: 'deadline', zh: '时限达成', en: 'Deadline met' },
  'deadline-breached': { group: 'breach', zh: '时限超时', en: 'Deadline breached' },
  note: { group: 'note', zh: '备注', en: 'Note' },
  linked: { group: 'link', zh: '已关联', en: 'Linked' },
  resolved: { group: 'resolution', zh: '已解决', en: 'Resolved' },
};

const STATUS_LABELS: Record<IncidentState['status'], Label> = {
  triggered: { zh: '待确认', en: 'Triggered' },
  acknowledged: { zh: '处理中', en: 'Acknowledged' },
  resolved: { zh: '已解决', en: 'Resolved' },
};

const DEADLINE_STATE_LABELS: Record<Deadline['state'], Label> = {
  pending: { zh: '未到期', en: 'Pending' },
  met: { zh: '已达成', en: 'Met' },
  breached: { zh: '已超时', en: 'Breached' },
};

export interface HistoryEntry extends TimelineEntry {
  group: HistoryGroup;
  label: Label;
}

export interface HistoryRun {
  runId: string;
  status?: string;
  startedAt?: string;
  closedAt?: string;
  temporalUi: string;
}

export interface IncidentHistory {
  /** Read from the archive: the workflow is past Temporal's retention (R-REV-5). */
  archived?: boolean;
  id: string;
  /** With the times of each stage (`domain/incident-timing.ts`): when, and minutes from the report. */
  summary: IncidentMilestones & {
    title: string;
    source: string;
    reporter: string;
    drill: boolean;
    category: string | null;
    severity: string | null;
    status: IncidentState['status'];
    statusLabel: Label;
    lines: string[];
    reasons: IncidentState['reasons'];
    escalationLevel: number;
    acknowledgedBy: string | null;
    resolution: string | null;
    reportedAt: string;
    deadlines: (Deadline & { stateLabel: Label })[];
    /** How many entries each group holds (pages sent, breaches, escalations, …). */
    counts: Partial<Record<HistoryGroup, number>>;
    links: IncidentLink[];
  };
  timeline: HistoryEntry[];
  workflow: {
    namespace: string;
    workflowId: string;
    status: string;
    /** Runs this incident continued through, as the state counts them (continue-as-new). */
    runCount: number;
    firstRunId: string | null;
    currentRunId: string;
    /** Every run of the chain Temporal's visibility knows of, oldest first. */
    runs: HistoryRun[];
    temporalUi: string;
  };
  _links: { self: string; incident: string; html: string; temporalUi: string };
}

export const historyQuerySchema = z.object({ format: z.enum(['json', 'html']).optional() });

/**
 * The history document: a pure function of the workflow's state and description, so every
 * figure (durations included) is recomputable from the timeline it carries.
 */
export function buildHistory(
  state: IncidentState,
  description: Pick<WorkflowExecutionDescription, 'runId' | 'status' | 'raw'>,
  runs: HistoryRun[],
  workflow: { namespace: string; temporalUi: string; runUi: (runId: string) => string },
): IncidentHistory {
  const timeline = [...state.timeline]
    .sort((a, b) => a.seq - b.seq)
    .map((entry): HistoryEntry => {
      const { group, zh, en } = ENTRY_LABELS[entry.type];
      return { ...entry, group, label: { zh, en } };
    });
  const milestones = incidentMilestones(state.reportedAt, timeline);
  const counts: Partial<Record<HistoryGroup, number>> = {};
  for (const entry of timeline) counts[entry.group] = (counts[entry.group] ?? 0) + 1;

  const currentRunId = description.runId;
  const firstRunId = description.raw.workflowExecutionInfo?.firstRunId || null;
  const knownRuns = runs.some((run) => run.runId === currentRunId)
    ? runs
    : [...runs, { runId: currentRunId, status: description.status.name, temporalUi: workflow.runUi(currentRunId) }];

  return {
    id: state.id,
    summary: {
      // Title only: the description is free text that may name the customer (R-SEC-1).
      title: state.report.title,
      source: state.report.source,
      reporter: state.report.reporter,
      drill: state.report.drill,
      category: state.category ?? null,
      severity: state.severity ?? null,
      status: state.status,
      statusLabel: STATUS_LABELS[state.status],
      lines: state.lines,
      reasons: state.reasons,
      escalationLevel: state.escalationLevel,
      acknowledgedBy: state.acknowledgedBy ?? null,
      resolution: state.resolution ?? null,
      reportedAt: state.reportedAt,
      ...milestones,
      deadlines: state.deadlines.map((deadline) => ({ ...deadline, stateLabel: DEADLINE_STATE_LABELS[deadline.state] })),
      counts,
      links: state.links,
    },
    timeline,
    workflow: {
      namespace: workflow.namespace,
      workflowId: state.id,
      status: description.status.name,
      runCount: state.runs,
      firstRunId,
      currentRunId,
      runs: knownRuns,
      temporalUi: workflow.temporalUi,
    },
    _links: {
      self: `/incidents/${state.id}/history`,
      incident: `/incidents/${state.id}`,
      html: `/incidents/${state.id}/history?format=html`,
      temporalUi: workflow.temporalUi,
    },
  };
}

// ---- the printable page -----------------------------------------------------------------------

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

const both = (label: Label) => `${escapeHtml(label.zh)} <span class="en">${escapeHtml(label.en)}</span>`;
const orDash = (value: unknown) => (value === null || value === undefined || value === '' ? '—' : escapeHtml(value));

const PRINT_CSS = `
  :root { color-scheme: light; }
  body { font: 13px/1.5 "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; color: #111; margin: 24px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  h2 { font-size: 15px; margin: 24px 0 8px; border-bottom: 1px solid #999; }
  .en { color: #555; font-size: 0.9em; }
  .meta { color: #444; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 1px solid #bbb; padding: 4px 6px; text-align: left; vertical-align: top; }
  th { background: #eee; }
  table.summary th { width: 22%; }
  td.data code { white-space: pre-wrap; word-break: break-all; font-size: 11px; }
  tr.breach td { background: #fde8e8; }
  .nowrap { white-space: nowrap; }
  a { color: #0645ad; }
  @page { size: A4; margin: 15mm; }
  @media print {
    body { margin: 0; }
    a { color: inherit; text-decoration: none; }
    a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 10px; word-break: break-all; }
    thead { display: table-header-group; }
    tr, h2 { break-inside: avoid; page-break-inside: avoid; }
  }
`;

/** The history as one self-contained page: inline CSS only, no scripts, every value escaped. */
export function renderHistoryHtml(history: IncidentHistory, generatedAt: Date): string {
  const s = history.summary;
  const row = (label: Label, value: string) => `<tr><th>${both(label)}</th><td>${value}</td></tr>`;
  const minutes = (value: number | null) => (value === null ? '—' : `${escapeHtml(value)} min`);

  const summaryRows = [
    row({ zh: '标题', en: 'Title' }, escapeHtml(s.title)),
    row({ zh: '来源 / 报告人', en: 'Source / reporter' }, `${escapeHtml(s.source)} / ${escapeHtml(s.reporter)}`),
    row({ zh: '类别', en: 'Category' }, orDash(s.category)),
    row({ zh: '级别', en: 'Severity' }, orDash(s.severity)),
    row({ zh: '状态', en: 'Status' }, both(s.statusLabel)),
    row({ zh: '负责条线', en: 'Lines' }, orDash(s.lines.join(', '))),
    row({ zh: '分诊依据', en: 'Triage reasons' }, s.reasons.length
      ? `<ul>${s.reasons.map((r) => `<li>${escapeHtml(r.rule)}: ${escapeHtml(r.evidence)}</li>`).join('')}</ul>`
      : '—'),
    row({ zh: '升级层级', en: 'Escalation level' }, escapeHtml(s.escalationLevel)),
    row({ zh: '确认人', en: 'Acknowledged by' }, orDash(s.acknowledgedBy)),
    row({ zh: '报告时间', en: 'Reported at' }, escapeHtml(s.reportedAt)),
    row({ zh: '确认时间', en: 'Acknowledged at' }, `${orDash(s.acknowledgedAt)} (${minutes(s.minutesToAcknowledge)})`),
    row({ zh: '联系客户时间', en: 'Contacted at' }, `${orDash(s.contactedAt)} (${minutes(s.minutesToContact)})`),
    row({ zh: '初步方案时间', en: 'Solution at' }, `${orDash(s.solutionAt)} (${minutes(s.minutesToSolution)})`),
    row({ zh: '解决时间', en: 'Resolved at' }, `${orDash(s.resolvedAt)} (${minutes(s.minutesToResolve)})`),
    row({ zh: '解决说明', en: 'Resolution' }, orDash(s.resolution)),
    row({ zh: '演练', en: 'Drill' }, s.drill ? '是 <span class="en">yes</span>' : '否 <span class="en">no</span>'),
  ].join('\n');

  const deadlineRows = s.deadlines
    .map((d) => `<tr${d.state === 'breached' ? ' class="breach"' : ''}><td>${escapeHtml(d.id)}</td><td>${escapeHtml(d.kind)}</td>`
      + `<td class="nowrap">${escapeHtml(d.dueAt)}</td><td>${both(d.stateLabel)}</td><td class="nowrap">${orDash(d.closedAt)}</td>`
      + `<td>${orDash(d.metBy)}</td></tr>`)
    .join('\n');

  const timelineRows = history.timeline
    .map((e) => `<tr${e.group === 'breach' ? ' class="breach"' : ''}><td>${escapeHtml(e.seq)}</td><td class="nowrap">${escapeHtml(e.at)}</td>`
      + `<td>${both(GROUP_LABELS[e.group])}<br>${both(e.label)}</td><td>${escapeHtml(e.actor)}</td><td>${escapeHtml(e.text)}</td>`
      + `<td class="data">${e.data ? `<code>${escapeHtml(JSON.stringify(e.data))}</code>` : ''}</td></tr>`)
    .join('\n');

  const linkRows = s.links
    .map((l) => `<tr><td>${escapeHtml(l.kind)}</td><td>${escapeHtml(l.ref)}</td><td class="nowrap">${escapeHtml(l.at)}</td>`
      + `<td>${escapeHtml(l.actor)}</td><td>${escapeHtml(l.reason)}</td></tr>`)
    .join('\n');

  const w = history.workflow;
  const runItems = w.runs
    .map((r) => `<li><a href="${escapeHtml(r.temporalUi)}">${escapeHtml(r.runId)}</a>`
      + `${r.status ? ` — ${escapeHtml(r.status)}` : ''}${r.startedAt ? `, ${escapeHtml(r.startedAt)}` : ''}</li>`)
    .join('');

  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(history.id)} 事件记录 Incident history</title>
<style>${PRINT_CSS}</style>
</head>
<body>
<h1>事件记录 <span class="en">Incident history</span> — ${escapeHtml(history.id)}</h1>
<p class="meta">${escapeHtml(s.title)}${s.drill ? ' <strong>[DRILL]</strong>' : ''}</p>
<p class="meta">时间均为 UTC（ISO 8601）<span class="en">All times are UTC (ISO 8601)</span>。
导出时间 <span class="en">Exported at</span> ${escapeHtml(generatedAt.toISOString())}</p>

<h2>概要 <span class="en">Summary</span></h2>
<table class="summary">
${summaryRows}
</table>

<h2>时限 <span class="en">Deadlines</span></h2>
<table>
<thead><tr><th>${both({ zh: '编号', en: 'Id' })}</th><th>${both({ zh: '类型', en: 'Kind' })}</th><th>${both({ zh: '到期', en: 'Due' })}</th>`
    + `<th>${both({ zh: '状态', en: 'State' })}</th><th>${both({ zh: '关闭于', en: 'Closed at' })}</th><th>${both({ zh: '达成方式', en: 'Met by' })}</th></tr></thead>
<tbody>
${deadlineRows}
</tbody>
</table>

<h2>时间线 <span class="en">Timeline</span></h2>
<table class="timeline">
<thead><tr><th>#</th><th>${both({ zh: '时间', en: 'Time' })}</th><th>${both({ zh: '事项', en: 'Event' })}</th>`
    + `<th>${both({ zh: '操作人', en: 'Actor' })}</th><th>${both({ zh: '内容', en: 'Text' })}</th><th>${both({ zh: '数据', en: 'Data' })}</th></tr></thead>
<tbody>
${timelineRows}
</tbody>
</table>
${s.links.length ? `
<h2>关联 <span class="en">Links</span></h2>
<table>
<thead><tr><th>${both({ zh: '类型', en: 'Kind' })}</th><th>${both({ zh: '引用', en: 'Reference' })}</th><th>${both({ zh: '时间', en: 'Time' })}</th>`
    + `<th>${both({ zh: '操作人', en: 'Actor' })}</th><th>${both({ zh: '原因', en: 'Reason' })}</th></tr></thead>
<tbody>
${linkRows}
</tbody>
</table>` : ''}

<h2>工作流 <span class="en">Workflow</span></h2>
<table class="summary">
${row({ zh: 'Temporal 界面', en: 'Temporal Web UI' }, `<a href="${escapeHtml(w.temporalUi)}">${escapeHtml(w.temporalUi)}</a>`)}
${row({ zh: '命名空间 / 工作流', en: 'Namespace / workflow' }, `${escapeHtml(w.namespace)} / ${escapeHtml(w.workflowId)}`)}
${row({ zh: '工作流状态', en: 'Workflow status' }, escapeHtml(w.status))}
${row({ zh: '运行次数', en: 'Runs' }, escapeHtml(w.runCount))}
${row({ zh: '运行编号', en: 'Run ids' }, `<ul>${runItems}</ul>`)}
</table>
</body>
</html>
`;
}

// ---- the route ----------------------------------------------------------------------------------

/** Answers a printable page: self-contained by construction, and held to it (no scripts, no external assets). */
export function sendPrintablePage(res: Response, html: string): void {
  res
    .status(200)
    .type('html')
    .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    .set('X-Content-Type-Options', 'nosniff')
    .send(html);
}

/** `?format=html|json` (400 for another), else the `Accept` header: JSON unless HTML is preferred. */
export function wantsHtml(req: Request): boolean {
  const query = historyQuerySchema.safeParse(req.query);
  if (!query.success) throw validationError(query.error, 'query');
  if (query.data.format) return query.data.format === 'html';
  return req.accepts(['json', 'html']) === 'html';
}

/**
 * The history route, with the API's error mapping (400 malformed id or format, 404 unknown
 * incident, 503 Temporal unreachable) so it answers the same wherever it is mounted.
 */
export function createHistoryRouter(deps: HistoryRouterDependencies): Router {
  const { client, namespace, bounded } = deps;
  const uiBase = `${deps.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows`;
  const router = express.Router();

  router.get('/incidents/:id/history', requirePermission('incidents:read', 'incidents:read-own'), async (req, res) => {
    const parsedId = incidentIdSchema.safeParse(req.params.id);
    if (!parsedId.success) throw validationError(parsedId.error, 'path');
    const id = parsedId.data;
    const html = wantsHtml(req);
    const handle = client.workflow.getHandle<typeof incidentWorkflow>(id);
    let history: IncidentHistory;
    try {
      const [state, description] = await bounded(() => Promise.all([handle.query(stateQuery), handle.describe()]));
      await assertVisible(principalOf(req), handle, bounded, description);
      const runs = await bounded(() => runsOf(client, id, (runId) => `${uiBase}/${id}/${runId}`)).catch(() => []);
      history = buildHistory(state, description, runs, {
        namespace,
        temporalUi: `${uiBase}/${id}`,
        runUi: (runId) => `${uiBase}/${id}/${runId}`,
      });
    } catch (err) {
      // R-REV-5: past Temporal's retention the archived record is the history (no runs to link).
      const record = deps.archived && toHttpError(err).status === 404 ? await deps.archived.readable(principalOf(req), id) : undefined;
      if (!record) throw err;
      const archivedRun = { runId: 'archived', status: { name: 'ARCHIVED' }, raw: {} } as unknown as Parameters<typeof buildHistory>[1];
      history = {
        ...buildHistory(record.state, archivedRun, [], { namespace, temporalUi: `${uiBase}/${id}`, runUi: () => `${uiBase}/${id}` }),
        archived: true,
      };
      history.workflow.runs = [];
    }
    if (html) {
      sendPrintablePage(res, renderHistoryHtml(history, new Date()));
      return;
    }
    res.json(history);
  });

  router.use(errorHandler);
  return router;
}

/**
 * Every run of the incident's continue-as-new chain, oldest first, from visibility (eventually
 * consistent: the current run is added from the description if it is not listed yet). The id is
 * validated before it reaches the query, so nothing can be injected.
 */
async function runsOf(client: Client, id: string, runUi: (runId: string) => string): Promise<HistoryRun[]> {
  const runs: HistoryRun[] = [];
  for await (const info of client.workflow.list({ query: `WorkflowId = '${id}'`, pageSize: 100 })) {
    runs.push({
      runId: info.runId,
      status: info.status.name,
      startedAt: info.startTime.toISOString(),
      closedAt: info.closeTime?.toISOString(),
      temporalUi: runUi(info.runId),
    });
    if (runs.length >= 1000) break;
  }
  return runs.sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
}
