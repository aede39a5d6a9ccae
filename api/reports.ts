/**
 * `GET /reports/monthly?month=2026-11`: the monthly review (R-REV-1, R-REV-2, R-REV-4,
 * R-DET-5) for managers — JSON by default, a flat CSV table (`format=csv` or
 * `Accept: text/csv`), or a printable, self-contained HTML page with server-drawn SVG charts
 * (`format=html` or `Accept: text/html`).
 *
 * Every figure is `computeMonthlyReview` over the month's incident records (domain/monthly-review.ts);
 * this module only fetches the records and renders. The records come from the archive when the
 * app is given one (so closed incidents past Temporal's retention still count, R-REV-5), else
 * from Temporal itself (every incident workflow that visibility still lists).
 */
import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { computeMonthlyReview, MONTH_PATTERN, type Distribution, type MonthlyReview, type ReviewFigures } from '../domain/monthly-review';
import { CATEGORIES, SEVERITIES, type Category, type Severity } from '../domain/types';
import { stateQuery, type IncidentState } from '../workflows/contracts';
import type { incidentWorkflow } from '../workflows/incident';
import { requirePermission } from './auth';
import { errorHandler, validationError } from './errors';
import { escapeHtml, sendPrintablePage, type Bounded, type Label } from './history';

/** Where the review's records come from: every incident reported in `[from, to)`, drills included. */
export interface ReportsDependencies {
  listIncidents(period: { from: string; to: string }): Promise<IncidentState[]>;
  /** The zone month boundaries are drawn in (R-T-CAL); the policy's zone. */
  timeZone?: string;
  /** R-REV-2: the share above which a cause is flagged (default 0.2). */
  dominantShare?: number;
}

export const monthlyQuerySchema = z
  .object({
    month: z.string().regex(MONTH_PATTERN, 'must be YYYY-MM, e.g. 2026-11'),
    format: z.enum(['json', 'csv', 'html']).optional(),
  })
  .strict();

// ---- records from Temporal (when no archive is wired) -----------------------------------------

/**
 * The month's incidents from Temporal: the current run of every incident workflow started since
 * `from` (a continued run starts later than its report, never earlier), each read through its
 * state query. Incidents reported after `to` are dropped by the review itself. Bounded to
 * `limit` incidents; the archive has no such bound.
 */
export function incidentsFromTemporal(client: Client, bounded: Bounded, limit = 5000): ReportsDependencies['listIncidents'] {
  return async ({ from }) => {
    const ids: string[] = [];
    const query = `WorkflowType = 'incidentWorkflow' AND ExecutionStatus != 'ContinuedAsNew' AND StartTime >= '${new Date(from).toISOString()}'`;
    await bounded(async () => {
      for await (const info of client.workflow.list({ query, pageSize: 500 })) {
        ids.push(info.workflowId);
        if (ids.length >= limit) break;
      }
    });
    const states: IncidentState[] = [];
    // A few at a time: each query needs a workflow task on a worker.
    for (let index = 0; index < ids.length; index += 8) {
      const batch = ids.slice(index, index + 8);
      const read = await bounded(() =>
        Promise.all(batch.map((id) => client.workflow.getHandle<typeof incidentWorkflow>(id).query(stateQuery).catch(() => undefined))),
      );
      for (const state of read) if (state) states.push(state);
    }
    return states;
  };
}

// ---- labels -----------------------------------------------------------------------------------

export const CATEGORY_LABELS: Record<Category, Label> = {
  timeliness: { zh: '时效类', en: 'Timeliness' },
  info: { zh: '信息类', en: 'Information' },
  complaint: { zh: '客户投诉类', en: 'Complaint' },
  system: { zh: '系统类', en: 'System' },
};
export const SEVERITY_LABELS: Record<Severity, Label> = {
  minor: { zh: '轻微', en: 'Minor' },
  general: { zh: '一般', en: 'General' },
  major: { zh: '重大', en: 'Major' },
};
export const DEADLINE_KIND_LABELS: Record<string, Label> = {
  contact: { zh: '联系客户', en: 'Contact' },
  solution: { zh: '初步方案', en: 'Solution' },
  progress: { zh: '进度更新', en: 'Progress update' },
  'complaint-reply': { zh: '投诉回复', en: 'Complaint reply' },
  'complaint-investigation': { zh: '投诉调查', en: 'Investigation' },
};
const STAGE_LABELS: Record<keyof ReviewFigures['timeTo'], Label> = {
  acknowledge: { zh: '确认', en: 'Acknowledge' },
  contact: { zh: '联系客户', en: 'Contact' },
  solution: { zh: '初步方案', en: 'Solution' },
  resolve: { zh: '解决', en: 'Resolve' },
};
const kindLabel = (kind: string): Label => DEADLINE_KIND_LABELS[kind] ?? { zh: kind, en: kind };

// ---- CSV --------------------------------------------------------------------------------------

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading
 * `'`; numbers are written as numbers.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export const CSV_COLUMNS = ['scope', 'section', 'group', 'item', 'metric', 'value'] as const;
type CsvRow = [scope: 'real' | 'drill', section: string, group: string, item: string, metric: string, value: string | number | boolean | null];

function figureRows(scope: 'real' | 'drill', figures: ReviewFigures): CsvRow[] {
  const rows: CsvRow[] = [[scope, 'counts', 'all', 'all', 'incidents', figures.total]];
  for (const category of CATEGORIES) {
    rows.push([scope, 'counts', 'category', category, 'incidents', figures.byCategory[category]]);
    for (const severity of SEVERITIES) rows.push([scope, 'counts', 'category-severity', `${category}/${severity}`, 'incidents', figures.byCategoryAndSeverity[category][severity]]);
  }
  for (const severity of SEVERITIES) rows.push([scope, 'counts', 'severity', severity, 'incidents', figures.bySeverity[severity]]);
  for (const [status, count] of Object.entries(figures.byStatus)) rows.push([scope, 'counts', 'status', status, 'incidents', count]);
  for (const [stage, d] of Object.entries(figures.timeTo) as [string, Distribution][]) {
    rows.push([scope, 'time-to', 'stage', stage, 'count', d.count], [scope, 'time-to', 'stage', stage, 'median_minutes', d.medianMinutes], [scope, 'time-to', 'stage', stage, 'p90_minutes', d.p90Minutes]);
  }
  for (const [kind, tally] of Object.entries(figures.deadlines.byKind)) {
    rows.push([scope, 'deadlines', 'kind', kind, 'met', tally.met], [scope, 'deadlines', 'kind', kind, 'missed', tally.missed], [scope, 'deadlines', 'kind', kind, 'pending', tally.pending]);
  }
  rows.push([scope, 'deadlines', 'all', 'all', 'met', figures.deadlines.total.met], [scope, 'deadlines', 'all', 'all', 'missed', figures.deadlines.total.missed], [scope, 'deadlines', 'all', 'all', 'pending', figures.deadlines.total.pending]);
  rows.push([scope, 'escalations', 'all', 'all', 'count', figures.escalations.count], [scope, 'escalations', 'all', 'all', 'incidents', figures.escalations.incidents]);
  for (const [level, count] of Object.entries(figures.escalations.byLevel)) rows.push([scope, 'escalations', 'level', level, 'count', count]);
  return rows;
}

/**
 * The review as one flat table, a figure per row: `scope` (real or drill), `section` (review,
 * counts, time-to, deadlines, escalations, causes, reward-candidates), `group`, `item`, `metric`,
 * `value`. The first rows say which month, zone and counting basis the figures are of.
 */
export function renderReviewCsv(review: MonthlyReview): string {
  const rows: CsvRow[] = [...figureRows('real', review.figures)];
  for (const category of review.causes) {
    rows.push(['real', 'causes', category.category, '(no cause recorded)', 'count', category.withoutCause]);
    for (const cause of category.causes) {
      rows.push(['real', 'causes', category.category, cause.label, 'count', cause.count], ['real', 'causes', category.category, cause.label, 'share', cause.share], ['real', 'causes', category.category, cause.label, 'dominant', cause.dominant]);
    }
  }
  for (const candidate of review.rewardCandidates) {
    rows.push(['real', 'reward-candidates', candidate.incidentId, candidate.reporter, 'candidate', candidate.candidate]);
  }
  rows.push(...figureRows('drill', review.drills.figures));
  // What the table is of, as rows like any other, so the file stays one rectangular table.
  const meta: CsvRow[] = [
    ['real', 'review', 'month', review.month, 'time-zone', review.timeZone],
    ['real', 'review', 'month', review.month, 'from', review.period.from],
    ['real', 'review', 'month', review.month, 'to', review.period.to],
    ['real', 'review', 'month', review.month, 'basis', review.basis],
  ];
  return [CSV_COLUMNS.join(','), ...[...meta, ...rows].map((row) => row.map(csvCell).join(','))].join('\r\n') + '\r\n';
}

// ---- HTML and SVG charts ----------------------------------------------------------------------

const both = (label: Label) => `${escapeHtml(label.zh)} <span class="en">${escapeHtml(label.en)}</span>`;
const svgText = (label: Label) => `${escapeHtml(label.zh)} ${escapeHtml(label.en)}`;

const SEVERITY_COLOURS: Record<Severity, string> = { minor: '#9ecae1', general: '#4292c6', major: '#08306b' };
const MET = '#41ab5d';
const MISSED = '#cb181d';
const PENDING = '#bdbdbd';

interface BarRow {
  label: Label;
  segments: { value: number; colour: string; name: string }[];
  /** Highlighted (a dominant cause). */
  mark?: boolean;
}

/**
 * A horizontal bar chart as inline SVG: one bar per row, stacked segments, the total at the
 * bar's end, an optional dashed threshold line (R-REV-2's share). Labels are escaped.
 */
export function barChart(title: Label, rows: BarRow[], options: { max?: number; threshold?: { at: number; label: string }; unit?: string } = {}): string {
  const labelWidth = 220;
  const barWidth = 360;
  const rowHeight = 22;
  const top = 24;
  const height = top + rows.length * rowHeight + 16;
  const max = Math.max(options.max ?? 0, ...rows.map((row) => row.segments.reduce((sum, s) => sum + s.value, 0)), 1);
  const scale = (value: number) => (value / max) * barWidth;
  const bars = rows.map((row, index) => {
    const y = top + index * rowHeight;
    let x = labelWidth;
    const total = row.segments.reduce((sum, s) => sum + s.value, 0);
    const rects = row.segments
      .filter((s) => s.value > 0)
      .map((s) => {
        const width = scale(s.value);
        const rect = `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${width.toFixed(1)}" height="${rowHeight - 8}" fill="${s.colour}"><title>${escapeHtml(s.name)}: ${escapeHtml(s.value)}</title></rect>`;
        x += width;
        return rect;
      })
      .join('');
    const weight = row.mark ? ' font-weight="bold"' : '';
    return `<text x="${labelWidth - 6}" y="${y + rowHeight - 8}" text-anchor="end"${weight}>${svgText(row.label)}</text>${rects}`
      + `<text x="${(x + 4).toFixed(1)}" y="${y + rowHeight - 8}"${weight}>${escapeHtml(Math.round(total * 100) / 100)}${escapeHtml(options.unit ?? '')}</text>`;
  });
  const threshold = options.threshold
    ? `<line x1="${(labelWidth + scale(options.threshold.at)).toFixed(1)}" y1="${top - 4}" x2="${(labelWidth + scale(options.threshold.at)).toFixed(1)}" y2="${height - 12}" stroke="#cb181d" stroke-dasharray="4 3"/>`
      + `<text x="${(labelWidth + scale(options.threshold.at) + 3).toFixed(1)}" y="${top - 8}" fill="#cb181d">${escapeHtml(options.threshold.label)}</text>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="${labelWidth + barWidth + 80}" height="${height}" viewBox="0 0 ${labelWidth + barWidth + 80} ${height}" font-size="11" font-family="sans-serif">`
    + `<title>${svgText(title)}</title><text x="0" y="14" font-weight="bold">${svgText(title)}</text>${bars.join('')}${threshold}</svg>`;
}

/**
 * Every value of each stage as a dot on one logarithmic scale (minutes to acknowledge and days
 * to resolve fit on one axis), with the median (▲) and p90 (|) marked.
 */
export function distributionChart(title: Label, timeTo: ReviewFigures['timeTo']): string {
  const labelWidth = 160;
  const axis = 420;
  const rowHeight = 30;
  const top = 28;
  const stages = Object.entries(timeTo) as [keyof ReviewFigures['timeTo'], Distribution][];
  const max = Math.max(1, ...stages.flatMap(([, d]) => d.minutes));
  const x = (minutes: number) => labelWidth + (Math.log10(1 + Math.max(0, minutes)) / Math.log10(1 + max)) * axis;
  const height = top + stages.length * rowHeight + 24;
  const rows = stages.map(([stage, d], index) => {
    const y = top + index * rowHeight + 12;
    const dots = d.minutes.map((m) => `<circle cx="${x(m).toFixed(1)}" cy="${y}" r="3" fill="#4292c6" fill-opacity="0.6"><title>${escapeHtml(m)} min</title></circle>`).join('');
    const median = d.medianMinutes === null ? '' : `<path d="M${x(d.medianMinutes).toFixed(1)} ${y + 5} l-4 7 h8 z" fill="#08306b"><title>median ${escapeHtml(d.medianMinutes)} min</title></path>`;
    const p90 = d.p90Minutes === null ? '' : `<line x1="${x(d.p90Minutes).toFixed(1)}" y1="${y - 8}" x2="${x(d.p90Minutes).toFixed(1)}" y2="${y + 8}" stroke="#cb181d" stroke-width="2"><title>p90 ${escapeHtml(d.p90Minutes)} min</title></line>`;
    const summary = d.count === 0 ? '—' : `n=${d.count} · P50 ${d.medianMinutes} · P90 ${d.p90Minutes} min`;
    return `<text x="${labelWidth - 6}" y="${y + 4}" text-anchor="end">${svgText(STAGE_LABELS[stage])}</text>`
      + `<line x1="${labelWidth}" y1="${y}" x2="${labelWidth + axis}" y2="${y}" stroke="#ddd"/>${dots}${median}${p90}`
      + `<text x="${labelWidth + axis + 6}" y="${y + 4}" font-size="10">${escapeHtml(summary)}</text>`;
  });
  const axisY = height - 14;
  const TICKS: [number, string][] = [[0, '0'], [10, '10 min'], [60, '1 h'], [24 * 60, '1 d'], [7 * 24 * 60, '7 d'], [30 * 24 * 60, '30 d']];
  const ticks = TICKS.filter(([minutes]) => minutes <= max).map(
    ([minutes, label]) => `<line x1="${x(minutes).toFixed(1)}" y1="${top}" x2="${x(minutes).toFixed(1)}" y2="${axisY - 10}" stroke="#eee"/>`
      + `<text x="${x(minutes).toFixed(1)}" y="${axisY}" font-size="10" text-anchor="middle">${label}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="${labelWidth + axis + 190}" height="${height}" viewBox="0 0 ${labelWidth + axis + 190} ${height}" font-size="11" font-family="sans-serif">`
    + `<title>${svgText(title)}</title><text x="0" y="14" font-weight="bold">${svgText(title)}</text>${rows.join('')}`
    + ticks.join('') + '</svg>';
}

function categoryRows(figures: ReviewFigures): BarRow[] {
  return CATEGORIES.map((category) => ({
    label: CATEGORY_LABELS[category],
    segments: SEVERITIES.map((severity) => ({
      value: figures.byCategoryAndSeverity[category][severity],
      colour: SEVERITY_COLOURS[severity],
      name: `${SEVERITY_LABELS[severity].zh} ${SEVERITY_LABELS[severity].en}`,
    })),
  }));
}

function deadlineRows(figures: ReviewFigures): BarRow[] {
  return Object.entries(figures.deadlines.byKind).map(([kind, tally]) => ({
    label: kindLabel(kind),
    segments: [
      { value: tally.met, colour: MET, name: '达成 met' },
      { value: tally.missed, colour: MISSED, name: '超时 missed' },
      { value: tally.pending, colour: PENDING, name: '未到期 pending' },
    ],
  }));
}

function legend(items: { colour: string; label: Label }[]): string {
  return `<p class="legend">${items.map((item) => `<span><i style="background:${item.colour}"></i>${both(item.label)}</span>`).join(' ')}</p>`;
}

function figuresTables(figures: ReviewFigures): string {
  const countRows = CATEGORIES.map((category) => `<tr><th>${both(CATEGORY_LABELS[category])}</th>${SEVERITIES.map((s) => `<td>${figures.byCategoryAndSeverity[category][s]}</td>`).join('')}<td><strong>${figures.byCategory[category]}</strong></td></tr>`).join('');
  const timeRows = (Object.entries(figures.timeTo) as [keyof ReviewFigures['timeTo'], Distribution][])
    .map(([stage, d]) => `<tr><th>${both(STAGE_LABELS[stage])}</th><td>${d.count}</td><td>${d.medianMinutes ?? '—'}</td><td>${d.p90Minutes ?? '—'}</td></tr>`)
    .join('');
  const deadlineRowsHtml = Object.entries(figures.deadlines.byKind)
    .map(([kind, t]) => `<tr><th>${both(kindLabel(kind))}</th><td>${t.met}</td><td class="${t.missed ? 'missed' : ''}">${t.missed}</td><td>${t.pending}</td></tr>`)
    .join('');
  const levels = Object.entries(figures.escalations.byLevel).map(([level, count]) => `${escapeHtml(level === 'manual' ? '手动 manual' : `L${level}`)}: ${count}`).join(' · ');
  return `<table><thead><tr><th>${both({ zh: '类别', en: 'Category' })}</th>${SEVERITIES.map((s) => `<th>${both(SEVERITY_LABELS[s])}</th>`).join('')}<th>${both({ zh: '合计', en: 'Total' })}</th></tr></thead>
<tbody>${countRows}<tr><th>${both({ zh: '合计', en: 'Total' })}</th>${SEVERITIES.map((s) => `<td>${figures.bySeverity[s]}</td>`).join('')}<td><strong>${figures.total}</strong></td></tr></tbody></table>
<h3>${both({ zh: '响应时间（分钟）', en: 'Time to (minutes)' })}</h3>
<table><thead><tr><th></th><th>${both({ zh: '件数', en: 'Count' })}</th><th>${both({ zh: '中位数', en: 'Median' })}</th><th>P90</th></tr></thead><tbody>${timeRows}</tbody></table>
<h3>${both({ zh: '时限达成情况', en: 'Deadlines' })}</h3>
<table><thead><tr><th></th><th>${both({ zh: '达成', en: 'Met' })}</th><th>${both({ zh: '超时', en: 'Missed' })}</th><th>${both({ zh: '未到期', en: 'Pending' })}</th></tr></thead><tbody>${deadlineRowsHtml}</tbody></table>
<p>${both({ zh: '升级', en: 'Escalations' })}: ${figures.escalations.count} (${both({ zh: '涉及事件', en: 'incidents' })} ${figures.escalations.incidents}) ${levels ? `— ${levels}` : ''}</p>`;
}

const PAGE_CSS = `
  body { font: 13px/1.5 "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; color: #111; margin: 24px; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 24px 0 8px; border-bottom: 1px solid #999; } h3 { font-size: 13px; margin: 14px 0 6px; }
  .en { color: #555; font-size: 0.9em; } .meta { color: #444; }
  table { border-collapse: collapse; margin: 6px 0; } th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; } th { background: #eee; }
  td.missed, tr.dominant td { background: #fde8e8; } svg.chart { display: block; margin: 8px 0; max-width: 100%; height: auto; }
  .legend span { margin-right: 12px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
  section.drills { border: 2px dashed #999; padding: 4px 12px; margin-top: 24px; }
  @page { size: A4; margin: 15mm; } @media print { body { margin: 0; } h2, table, svg { break-inside: avoid; } }
`;

/** The review as one printable page: inline CSS and SVG only, no scripts, every value escaped. */
export function renderReviewHtml(review: MonthlyReview, generatedAt: Date): string {
  const f = review.figures;
  const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;
  const causeSections = review.causes
    .map((category) => {
      const rows = category.causes
        .map((cause) => `<tr${cause.dominant ? ' class="dominant"' : ''}><td>${escapeHtml(cause.label)}</td><td>${cause.count}</td><td>${percent(cause.share)}</td>`
          + `<td>${cause.dominant ? '⚠ 高频 <span class="en">dominant</span>' : ''}</td></tr>`)
        .join('');
      const chart = category.causes.length
        ? barChart(
            { zh: `${CATEGORY_LABELS[category.category].zh}原因占比`, en: `${CATEGORY_LABELS[category.category].en}: share of causes` },
            category.causes.map((cause) => ({ label: { zh: cause.label, en: '' }, mark: cause.dominant, segments: [{ value: cause.share * 100, colour: cause.dominant ? MISSED : '#4292c6', name: cause.label }] })),
            { max: 100, unit: '%', threshold: { at: review.dominantShare * 100, label: percent(review.dominantShare) } },
          )
        : '';
      return `<h3>${both(CATEGORY_LABELS[category.category])} — ${category.incidents} ${both({ zh: '件', en: 'incidents' })}, ${both({ zh: '无原因记录', en: 'no cause recorded' })} ${category.withoutCause}</h3>${chart}
<table><thead><tr><th>${both({ zh: '原因', en: 'Cause' })}</th><th>${both({ zh: '件数', en: 'Count' })}</th><th>${both({ zh: '占比', en: 'Share' })}</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
    })
    .join('\n');
  const rewardRows = review.rewardCandidates
    .map((c) => `<tr><td>${escapeHtml(c.incidentId)}</td><td>${escapeHtml(c.reporter)}</td><td>${escapeHtml(c.department)}</td><td>${escapeHtml(c.severity ?? '—')}</td>`
      + `<td>${escapeHtml(c.status)}</td><td>${c.candidate ? '是 <span class="en">yes</span>' : '否 <span class="en">no</span>'}</td><td>${escapeHtml(c.reason)}</td></tr>`)
    .join('');
  const incidentRows = review.incidents
    .map((i) => `<tr><td>${escapeHtml(i.id)}</td><td>${i.drill ? '演练 DRILL' : ''}</td><td class="nowrap">${escapeHtml(i.reportedAt)}</td><td>${escapeHtml(i.title)}</td>`
      + `<td>${escapeHtml(i.category ?? '—')}</td><td>${escapeHtml(i.severity ?? '—')}</td><td>${escapeHtml(i.status)}</td>`
      + `<td>${escapeHtml(i.minutesToAcknowledge ?? '—')}</td><td>${escapeHtml(i.minutesToContact ?? '—')}</td><td>${escapeHtml(i.minutesToSolution ?? '—')}</td><td>${escapeHtml(i.minutesToResolve ?? '—')}</td>`
      + `<td>${i.deadlinesMet}/${i.deadlinesMissed}</td><td>${escapeHtml(i.cause?.label ?? '—')}</td></tr>`)
    .join('');
  const severityLegend = legend(SEVERITIES.map((s) => ({ colour: SEVERITY_COLOURS[s], label: SEVERITY_LABELS[s] })));
  const deadlineLegend = legend([
    { colour: MET, label: { zh: '达成', en: 'Met' } },
    { colour: MISSED, label: { zh: '超时', en: 'Missed' } },
    { colour: PENDING, label: { zh: '未到期', en: 'Pending' } },
  ]);
  const d = review.drills.figures;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(review.month)} 月度复盘 Monthly review</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<h1>月度复盘 <span class="en">Monthly review</span> — ${escapeHtml(review.month)}</h1>
<p class="meta">${escapeHtml(review.timeZone)} · ${escapeHtml(review.period.from)} – ${escapeHtml(review.period.to)} (UTC) · 生成时间 <span class="en">Generated</span> ${escapeHtml(generatedAt.toISOString())}</p>
<p class="meta">${escapeHtml(review.basis)}</p>

<h2>事件数量 <span class="en">Incidents by category and tier</span> (R-REV-1)</h2>
${barChart({ zh: '按类别与级别', en: 'By category and tier' }, categoryRows(f))}
${severityLegend}
${figuresTables(f)}

<h2>响应时间分布 <span class="en">Time-to distributions</span></h2>
${distributionChart({ zh: '从报告起的分钟数', en: 'Minutes from the report' }, f.timeTo)}

<h2>时限 <span class="en">Deadlines met and missed</span></h2>
${barChart({ zh: '按时限类型', en: 'By deadline kind' }, deadlineRows(f))}
${deadlineLegend}

<h2>高频原因 <span class="en">Most frequent causes</span> (R-REV-2)</h2>
<p class="meta">超过同类事件 ${escapeHtml(percent(review.dominantShare))} 的原因标记为高频 <span class="en">Causes above ${escapeHtml(percent(review.dominantShare))} of their category are flagged.</span></p>
${causeSections || '<p>—</p>'}

<h2>奖励候选 <span class="en">Reward candidates</span> (R-DET-5)</h2>
${rewardRows ? `<table><thead><tr><th>${both({ zh: '事件', en: 'Incident' })}</th><th>${both({ zh: '报告人', en: 'Reporter' })}</th><th>${both({ zh: '部门', en: 'Department' })}</th><th>${both({ zh: '级别', en: 'Tier' })}</th><th>${both({ zh: '状态', en: 'Status' })}</th><th>${both({ zh: '候选', en: 'Candidate' })}</th><th>${both({ zh: '说明', en: 'Why' })}</th></tr></thead><tbody>${rewardRows}</tbody></table>` : '<p>—</p>'}

<section class="drills">
<h2>演练（不计入正式统计） <span class="en">Drills (kept out of the figures above)</span> (R-REV-4)</h2>
<p>${d.total} ${both({ zh: '件演练事件', en: 'drill incidents' })}: ${escapeHtml(review.drills.incidents.join(', ') || '—')}</p>
${d.total ? `${barChart({ zh: '演练：按类别与级别', en: 'Drills: by category and tier' }, categoryRows(d))}${figuresTables(d)}` : ''}
</section>

<h2>事件清单 <span class="en">Incidents of the month</span></h2>
<table><thead><tr><th>${both({ zh: '编号', en: 'Id' })}</th><th></th><th>${both({ zh: '报告时间', en: 'Reported' })}</th><th>${both({ zh: '标题', en: 'Title' })}</th><th>${both({ zh: '类别', en: 'Category' })}</th><th>${both({ zh: '级别', en: 'Tier' })}</th><th>${both({ zh: '状态', en: 'Status' })}</th>`
    + `<th>${both({ zh: '确认', en: 'Ack' })}</th><th>${both({ zh: '联系', en: 'Contact' })}</th><th>${both({ zh: '方案', en: 'Solution' })}</th><th>${both({ zh: '解决', en: 'Resolve' })}</th><th>${both({ zh: '达成/超时', en: 'Met/missed' })}</th><th>${both({ zh: '原因', en: 'Cause' })}</th></tr></thead>
<tbody>${incidentRows}</tbody></table>
</body>
</html>
`;
}

// ---- the route ----------------------------------------------------------------------------------

function formatOf(req: Request, requested: 'json' | 'csv' | 'html' | undefined): 'json' | 'csv' | 'html' {
  if (requested) return requested;
  const accepted = req.accepts(['json', 'csv', 'html']);
  return accepted === 'csv' || accepted === 'html' ? accepted : 'json';
}

/** `GET /reports/monthly` for managers (`reports:read`, R-SEC-2). */
export function createReportsRouter(deps: ReportsDependencies): Router {
  const router = express.Router();
  router.get('/reports/monthly', requirePermission('reports:read'), async (req, res) => {
    const query = monthlyQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const { month } = query.data;
    const format = formatOf(req, query.data.format);
    const timeZone = deps.timeZone ?? 'Asia/Shanghai';
    // The review asks for its own month's instants; records outside it are dropped by the review.
    const period = computeMonthlyReview([], { month, timeZone }).period;
    const incidents = await deps.listIncidents(period);
    const review = computeMonthlyReview(incidents, { month, timeZone, ...(deps.dominantShare === undefined ? {} : { dominantShare: deps.dominantShare }) });
    if (format === 'csv') {
      res.status(200).type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="monthly-review-${month}.csv"`).send(renderReviewCsv(review));
      return;
    }
    if (format === 'html') {
      sendPrintablePage(res, renderReviewHtml(review, new Date()));
      return;
    }
    res.json(review);
  });
  router.use(errorHandler);
  return router;
}
