/**
 * A small roster for the paging API tests: one person on call per line at any time (customer
 * service rotates between two), so who gets paged never depends on the day the tests run.
 */
import { parseRoster, type Person, type Roster } from '../../domain/roster';

export const PEOPLE = {
  /** R-LINE-1, week A. */
  csLin: { id: 'cs-lin', name: '林晓 (Lin Xiao)', mobile: '+8613900000001', rules: [{ channel: 'sms', afterMinutes: 0 }] },
  /** R-LINE-1, week B. */
  csMa: { id: 'cs-ma', name: '马丽 (Ma Li)', mobile: '+8613900000005', rules: [{ channel: 'sms', afterMinutes: 0 }] },
  /** R-LINE-2: the claims on-call lead, paged by SMS and e-mail at once. */
  claimsHe: {
    id: 'claims-he',
    name: '何静 (He Jing)',
    email: 'he.jing@example.com',
    mobile: '+8613900000002',
    rules: [
      { channel: 'sms', afterMinutes: 0 },
      { channel: 'email', afterMinutes: 0 },
    ],
  },
  /** R-LINE-3: called at once. */
  techSun: {
    id: 'tech-sun',
    name: '孙浩 (Sun Hao)',
    mobile: '+8613900000003',
    rules: [
      { channel: 'voice', afterMinutes: 0 },
      { channel: 'sms', afterMinutes: 0 },
    ],
  },
  /** R-LINE-MGMT. */
  mgmtGao: {
    id: 'mgmt-gao',
    name: '高明 (Gao Ming)',
    email: 'gao.ming@example.com',
    mobile: '+8613900000004',
    rules: [
      { channel: 'sms', afterMinutes: 0 },
      { channel: 'email', afterMinutes: 0 },
    ],
  },
} satisfies Record<string, Person>;

const weekly = (participants: string[]) => ({
  schedules: [{ handoff: { weekday: 1, time: '09:00' }, start: '2025-01-06', participants }],
});

/** The roster document, as a roster file would hold it. */
export const ROSTER_DOCUMENT = {
  people: Object.values(PEOPLE),
  teams: {
    'customer-service': weekly([PEOPLE.csLin.id, PEOPLE.csMa.id]),
    claims: weekly([PEOPLE.claimsHe.id]),
    technology: weekly([PEOPLE.techSun.id]),
    management: weekly([PEOPLE.mgmtGao.id]),
  },
};

export const ROSTER: Roster = parseRoster(ROSTER_DOCUMENT);
