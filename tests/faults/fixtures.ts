/**
 * Shared inputs of the fault suite: a roster with one person on call per line, each reached on
 * one channel (so every page is one message on one provider), and reports from the labelled
 * triage corpus, so incidents of every category and tier are in flight at once.
 */
import { TRIAGE_CORPUS } from '../domain/triage-corpus';
import type { IncidentReport } from '../../domain/types';

const weekly = (participants: string[]) => ({
  schedules: [{ handoff: { weekday: 1, time: '09:00' }, start: '2025-01-06', participants }],
});

export const FAULT_PEOPLE = {
  /** R-LINE-1: SMS through Twilio. */
  csLin: { id: 'cs-lin', name: 'Lin Xiao', mobile: '+8613900000101', rules: [{ channel: 'sms', afterMinutes: 0 }] },
  /** R-LINE-2: e-mail through SMTP. */
  claimsHe: { id: 'claims-he', name: 'He Jing', email: 'he.jing@example.com', mobile: '+8613900000102', rules: [{ channel: 'email', afterMinutes: 0 }] },
  /** R-LINE-3: a call through Twilio. */
  techSun: { id: 'tech-sun', name: 'Sun Hao', mobile: '+8613900000103', rules: [{ channel: 'voice', afterMinutes: 0 }] },
  /** R-LINE-MGMT: SMS. */
  mgmtGao: { id: 'mgmt-gao', name: 'Gao Ming', email: 'gao.ming@example.com', mobile: '+8613900000104', rules: [{ channel: 'sms', afterMinutes: 0 }] },
} as const;

export const FAULT_ROSTER = {
  people: Object.values(FAULT_PEOPLE),
  teams: {
    'customer-service': weekly([FAULT_PEOPLE.csLin.id]),
    claims: weekly([FAULT_PEOPLE.claimsHe.id]),
    technology: weekly([FAULT_PEOPLE.techSun.id]),
    management: weekly([FAULT_PEOPLE.mgmtGao.id]),
  },
};

/** One step to the incident's lines, waiting `stepMinutes` for an acknowledgement, no repeat. */
export function singleStepPaging(stepMinutes: number) {
  const tier = { steps: [{ targets: [{ lines: true }], escalateAfterMinutes: stepMinutes }], repeat: 0 };
  return { language: 'en', minor: tier, general: tier, major: tier };
}

/** The i-th report: the corpus in turn, each a separate (non-drill) incident. */
export function faultReport(i: number): IncidentReport {
  const item = TRIAGE_CORPUS[i % TRIAGE_CORPUS.length]!;
  return { ...item.report, drill: false };
}
