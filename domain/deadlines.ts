import type { WorkingCalendar } from './calendar';
import type { DeadlineKind, PagingPolicy, Policy } from './policy';
import type { Category, Line, Severity } from './types';

export type DeadlineState = 'pending' | 'met' | 'breached';

/** One timed promise the plan makes to the customer (R-T-*), with its warning (R-T-BREACH). */
export interface Deadline {
  /** Stable within an incident: `contact`, `solution`, `progress-1`, `complaint-reply`, … */
  id: string;
  kind: DeadlineKind;
  dueAt: string;
  warnAt: string;
  state: DeadlineState;
  warned: boolean;
  /** When it was met or breached. */
  closedAt?: string;
  /** The action that met it (`contact`, `solution`, `progress`, `resolve`). */
  metBy?: string;
}

/**
 * What the plan holds one incident to, fixed when it is triaged (and again when it is
 * reclassified). The workflow keeps this snapshot, so a policy change never alters the
 * deadlines of incidents already running (and never breaks their replay).
 */
export interface ResponsePlan {
  deadlines: Deadline[];
  /** R-T-DAILY: the interval between progress updates, in ms. */
  progressIntervalMs: number;
  /** The warning lead before each progress deadline, in ms. */
  progressWarningMs: number;
  /** R-T-BREACH / R-LINE-*: lines paged at each escalation level, per tier. */
  escalation: Record<Severity, Line[][]>;
  /** Continue-as-new threshold on a run's history length. */
  continueAsNewAfterEvents: number;
  /** The escalation policies (paging steps per tier) in force when the incident was raised. */
  paging: PagingPolicy;
}

const MINUTE = 60_000;

function deadlineAt(id: string, kind: DeadlineKind, due: Date, policy: Policy): Deadline {
  const warnAt = new Date(due.getTime() - policy.warningLeadMinutes[kind] * MINUTE);
  return { id, kind, dueAt: due.toISOString(), warnAt: warnAt.toISOString(), state: 'pending', warned: false };
}

/** The `n`-th progress deadline (R-T-DAILY), due one interval after `from`. */
export function progressDeadline(n: number, from: Date, plan: Pick<ResponsePlan, 'progressIntervalMs' | 'progressWarningMs'>): Deadline {
  const due = new Date(from.getTime() + plan.progressIntervalMs);
  return {
    id: `progress-${n}`,
    kind: 'progress',
    dueAt: due.toISOString(),
    warnAt: new Date(due.getTime() - plan.progressWarningMs).toISOString(),
    state: 'pending',
    warned: false,
  };
}

/**
 * The deadlines an incident raised at `reportedAt` is held to:
 * R-T-CONTACT (30 min), R-T-SOLUTION (1 h), the first R-T-DAILY update (1 day), and for
 * complaints R-T-COMPLAINT's 24-hour reply and 15-working-day investigation (R-T-CAL).
 */
export function planResponse(
  reportedAt: Date,
  category: Category,
  policy: Policy,
  calendar: WorkingCalendar,
): ResponsePlan {
  const d = policy.deadlines;
  const at = (minutes: number) => new Date(reportedAt.getTime() + minutes * MINUTE);
  const plan: ResponsePlan = {
    deadlines: [
      deadlineAt('contact', 'contact', at(d.contactMinutes), policy),
      deadlineAt('solution', 'solution', at(d.solutionMinutes), policy),
    ],
    progressIntervalMs: d.progressIntervalMinutes * MINUTE,
    progressWarningMs: policy.warningLeadMinutes.progress * MINUTE,
    escalation: policy.escalation,
    continueAsNewAfterEvents: policy.continueAsNewAfterEvents,
    paging: policy.paging,
  };
  plan.deadlines.push(progressDeadline(1, reportedAt, plan));
  if (category === 'complaint') {
    plan.deadlines.push(
      deadlineAt('complaint-reply', 'complaint-reply', at(d.complaintReplyMinutes), policy),
      deadlineAt(
        'complaint-investigation',
        'complaint-investigation',
        calendar.addWorkingDays(reportedAt, d.complaintInvestigationWorkingDays),
        policy,
      ),
    );
  }
  return plan;
}

/** Deadline ids that only complaints carry (dropped while pending if a complaint is reclassified away). */
export const COMPLAINT_DEADLINES = ['complaint-reply', 'complaint-investigation'] as const;
