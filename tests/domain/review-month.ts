/**
 * A hand-built November 2026 (Asia/Shanghai) for the monthly review (R-REV-1, R-REV-2, R-REV-4,
 * R-DET-5): every incident spelled out with its timeline, in minutes after its report, and its
 * deadlines, so each expected figure in `monthly-review.test.ts` can be worked out by hand.
 *
 *  id   category    tier     status        ack contact solution resolve  deadlines (contact/solution/reply)  escalations     cause
 *  C1   complaint   general  resolved        2    10      50      600    met/met/met                         —               hospital Ruijin (manual fields)
 *  C2   complaint   general  resolved        4    20      55     1440    met/met/met                         —               hospital Ruijin (manual fields)
 *  C3   complaint   general  acknowledged    6    25      70       —     met/missed/pending                  L1              hospital Ruijin (detected)
 *  C4   complaint   general  acknowledged    8    40      80       —     missed/missed/pending               L1 L2           disease oncology
 *  C5   complaint   major    resolved       10    15      45      300    met/met/met                         —               none
 *  T1   timeliness  general  resolved        3    12      30      120    met/met                             —               text payout-delay
 *  T2   timeliness  general  resolved        5    18      40      200    met/met                             —               text payout-delay
 *  T3   timeliness  minor    acknowledged    7    28      58       —     met/met                             —               none
 *  I1   info        minor    resolved        1     5       —       50    met/met (by resolve)                —               none
 *  I2   info        minor    acknowledged    9     —       —       —     missed/missed                       L1 L2           none   (latent-risk note, minor)
 *  S1   system      major    resolved       12    35      90     2000    missed/missed                       L1 L2           system claims-query (latent-risk note)
 *  S2   system      major    acknowledged   20     —       —       —     missed/missed                       L1 L2 manual    system claims-query
 *  B1   info        minor    triggered       —     —       —       —     pending/pending                     —               none   reported 2026-11-01 00:00 Shanghai
 *  B2   info        minor    triggered       —     —       —       —     pending/pending                     —               none   reported 2026-11-30 23:59:59 Shanghai
 *  Outside the month: B0 (2026-10-31 23:59:59 Shanghai), B3 (2026-12-01 00:00 Shanghai).
 *  Drills: D1 complaint general (hospital Ruijin, ack 500, resolved 700), D2 system major (ack 300, contact missed, L1).
 */
import { causeOfFields } from '../../domain/detection';
import type { ReviewIncident } from '../../domain/monthly-review';
import type { Category, ReportFacts, Severity } from '../../domain/types';

type Milestone = 'acknowledged' | 'contacted' | 'solution' | 'resolved';
type DeadlineSpec = [kind: 'contact' | 'solution' | 'complaint-reply', state: 'met' | 'breached' | 'pending'];

interface Spec {
  id: string;
  reportedAt: string;
  category: Category;
  severity: Severity;
  status: ReviewIncident['status'];
  title?: string;
  drill?: boolean;
  facts?: ReportFacts;
  at?: Partial<Record<Milestone, number>>;
  deadlines: DeadlineSpec[];
  /** Escalation levels reached by breaches, and whether a person asked to escalate. */
  escalations?: number[];
  manualEscalation?: boolean;
  notes?: string[];
}

const MINUTE = 60_000;
const DUE_MINUTES: Record<DeadlineSpec[0], number> = { contact: 30, solution: 60, 'complaint-reply': 24 * 60 };

/** A day in November 2026 at 10:00 Shanghai (02:00 UTC), one incident a day so none overlap. */
const day = (n: number) => `2026-11-${String(n).padStart(2, '0')}T02:00:00.000Z`;

export const RUIJIN = causeOfFields({ hospital: 'Ruijin Hospital' })!;

export function build(spec: Spec): ReviewIncident {
  const start = Date.parse(spec.reportedAt);
  const iso = (minutes: number) => new Date(start + minutes * MINUTE).toISOString();
  const entries: { at: number; type: string; actor: string; text: string; data?: Record<string, unknown> }[] = [
    { at: 0, type: 'reported', actor: 'agent-li', text: spec.title ?? `${spec.id} report` },
    { at: 0, type: 'triaged', actor: 'system', text: `${spec.category} / ${spec.severity}` },
  ];
  for (const [type, minutes] of Object.entries(spec.at ?? {})) {
    entries.push({ at: minutes, type, actor: 'oncall-wang', text: `${type} ${spec.id}` });
  }
  const breached = spec.deadlines.filter(([, state]) => state === 'breached');
  (spec.escalations ?? []).forEach((level, index) => {
    const kind = breached[index]?.[0] ?? 'contact';
    entries.push({ at: DUE_MINUTES[kind], type: 'deadline-breached', actor: 'system', text: `${kind} missed`, data: { deadline: kind } });
    entries.push({ at: DUE_MINUTES[kind], type: 'escalated', actor: 'system', text: `escalated to level ${level}`, data: { level, deadline: kind } });
  });
  if (spec.manualEscalation) entries.push({ at: 25, type: 'escalated', actor: 'oncall-wang', text: 'asked to escalate now', data: { manual: true } });
  for (const text of spec.notes ?? []) entries.push({ at: 1, type: 'note', actor: 'detection', text });
  entries.sort((a, b) => a.at - b.at);
  return {
    id: spec.id,
    status: spec.status,
    report: {
      title: spec.title ?? `${spec.id} report`,
      description: 'hand-built',
      source: 'support',
      facts: spec.facts ?? {},
      reporter: 'agent-li',
      drill: spec.drill ?? false,
    },
    reportedAt: spec.reportedAt,
    category: spec.category,
    severity: spec.severity,
    deadlines: spec.deadlines.map(([kind, state]) => ({
      id: kind,
      kind,
      dueAt: iso(DUE_MINUTES[kind]),
      warnAt: iso(DUE_MINUTES[kind] - 10),
      state,
      warned: state !== 'pending',
      ...(state === 'pending' ? {} : { closedAt: iso(DUE_MINUTES[kind]) }),
    })),
    escalationLevel: Math.max(0, ...(spec.escalations ?? [])),
    timeline: entries.map((entry, index) => ({
      seq: index + 1,
      at: iso(entry.at),
      type: entry.type,
      actor: entry.actor,
      text: entry.text,
      ...(entry.data ? { data: entry.data } : {}),
    })),
  };
}

const latentRisk = (who: string, ref: string) =>
  `R-DET-5 latent-risk reporter: ${who} (technology), report internal-report:${ref}. Reward candidate (1000–5000 CNY) if a major incident is handled well because of it.`;

export const NOVEMBER: ReviewIncident[] = [
  build({ id: 'C1', reportedAt: day(2), category: 'complaint', severity: 'general', status: 'resolved', facts: { causeFields: { hospital: 'Ruijin Hospital' } },
    at: { acknowledged: 2, contacted: 10, solution: 50, resolved: 600 }, deadlines: [['contact', 'met'], ['solution', 'met'], ['complaint-reply', 'met']] }),
  build({ id: 'C2', reportedAt: day(3), category: 'complaint', severity: 'general', status: 'resolved', facts: { causeFields: { hospital: ' ruijin  hospital ' } },
    at: { acknowledged: 4, contacted: 20, solution: 55, resolved: 1440 }, deadlines: [['contact', 'met'], ['solution', 'met'], ['complaint-reply', 'met']] }),
  build({ id: 'C3', reportedAt: day(4), category: 'complaint', severity: 'general', status: 'acknowledged', facts: { cause: { key: RUIJIN.key, label: RUIJIN.label } },
    at: { acknowledged: 6, contacted: 25, solution: 70 }, deadlines: [['contact', 'met'], ['solution', 'breached'], ['complaint-reply', 'pending']], escalations: [1] }),
  build({ id: 'C4', reportedAt: day(5), category: 'complaint', severity: 'general', status: 'acknowledged', facts: { causeFields: { diseaseCategory: 'Oncology' } },
    at: { acknowledged: 8, contacted: 40, solution: 80 }, deadlines: [['contact', 'breached'], ['solution', 'breached'], ['complaint-reply', 'pending']], escalations: [1, 2] }),
  build({ id: 'C5', reportedAt: day(6), category: 'complaint', severity: 'major', status: 'resolved',
    at: { acknowledged: 10, contacted: 15, solution: 45, resolved: 300 }, deadlines: [['contact', 'met'], ['solution', 'met'], ['complaint-reply', 'met']] }),
  build({ id: 'T1', reportedAt: day(7), category: 'timeliness', severity: 'general', status: 'resolved', facts: { cause: { key: 'text:payout-delay', label: 'Payout delayed' } },
    at: { acknowledged: 3, contacted: 12, solution: 30, resolved: 120 }, deadlines: [['contact', 'met'], ['solution', 'met']] }),
  build({ id: 'T2', reportedAt: day(8), category: 'timeliness', severity: 'general', status: 'resolved', facts: { cause: { key: 'text:payout-delay', label: 'Payout delayed' } },
    at: { acknowledged: 5, contacted: 18, solution: 40, resolved: 200 }, deadlines: [['contact', 'met'], ['solution', 'met']] }),
  build({ id: 'T3', reportedAt: day(9), category: 'timeliness', severity: 'minor', status: 'acknowledged',
    at: { acknowledged: 7, contacted: 28, solution: 58 }, deadlines: [['contact', 'met'], ['solution', 'met']] }),
  build({ id: 'I1', reportedAt: day(10), category: 'info', severity: 'minor', status: 'resolved',
    at: { acknowledged: 1, contacted: 5, resolved: 50 }, deadlines: [['contact', 'met'], ['solution', 'met']] }),
  build({ id: 'I2', reportedAt: day(11), category: 'info', severity: 'minor', status: 'acknowledged', notes: [latentRisk('dev-zhao', 'IR-2')],
    at: { acknowledged: 9 }, deadlines: [['contact', 'breached'], ['solution', 'breached']], escalations: [1, 2] }),
  build({ id: 'S1', reportedAt: day(12), category: 'system', severity: 'major', status: 'resolved', title: 'claims query down',
    facts: { cause: { key: 'system:claims-query', label: 'system claims-query' } }, notes: [latentRisk('dev-chen', 'IR-1')],
    at: { acknowledged: 12, contacted: 35, solution: 90, resolved: 2000 }, deadlines: [['contact', 'breached'], ['solution', 'breached']], escalations: [1, 2] }),
  build({ id: 'S2', reportedAt: day(13), category: 'system', severity: 'major', status: 'acknowledged',
    facts: { cause: { key: 'system:claims-query', label: 'system claims-query' } },
    at: { acknowledged: 20 }, deadlines: [['contact', 'breached'], ['solution', 'breached']], escalations: [1, 2], manualEscalation: true }),
  // The month's boundaries in Asia/Shanghai (UTC+8): 2026-11-01 00:00 local is 2026-10-31 16:00 UTC.
  build({ id: 'B1', reportedAt: '2026-10-31T16:00:00.000Z', category: 'info', severity: 'minor', status: 'triggered', deadlines: [['contact', 'pending'], ['solution', 'pending']] }),
  build({ id: 'B2', reportedAt: '2026-11-30T15:59:59.000Z', category: 'info', severity: 'minor', status: 'triggered', deadlines: [['contact', 'pending'], ['solution', 'pending']] }),
  build({ id: 'B0', reportedAt: '2026-10-31T15:59:59.000Z', category: 'complaint', severity: 'general', status: 'resolved', facts: { causeFields: { hospital: 'Ruijin Hospital' } },
    at: { acknowledged: 1 }, deadlines: [['contact', 'met']] }),
  build({ id: 'B3', reportedAt: '2026-11-30T16:00:00.000Z', category: 'complaint', severity: 'general', status: 'triggered', facts: { causeFields: { hospital: 'Ruijin Hospital' } },
    deadlines: [['contact', 'pending']] }),
  // Drills (R-REV-4): slow on purpose, so any leak into the real figures would move them.
  build({ id: 'D1', reportedAt: day(14), category: 'complaint', severity: 'general', status: 'resolved', drill: true, title: '[DRILL] seven customers, one hospital',
    facts: { causeFields: { hospital: 'Ruijin Hospital' } }, at: { acknowledged: 500, contacted: 20, resolved: 700 }, deadlines: [['contact', 'met']] }),
  build({ id: 'D2', reportedAt: day(15), category: 'system', severity: 'major', status: 'acknowledged', drill: true, title: '[DRILL] claims query down',
    notes: [latentRisk('dev-drill', 'IR-9')], at: { acknowledged: 300 }, deadlines: [['contact', 'breached']], escalations: [1] }),
];
