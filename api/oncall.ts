/**
 * `GET /oncall`: who is on call for each line right now (R-LINE-1, R-LINE-2, R-LINE-3,
 * R-LINE-MGMT), how each of them will be paged, and until when that answer holds. Contacts are
 * masked (R-SEC-1): the page shows that a channel exists, never the number or address in full.
 * `?at=<ISO instant>` asks the same question for another moment (a hand-off, a holiday).
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { maskContact } from '../domain/message';
import { findPerson, onCallNow, type Roster } from '../domain/roster';
import { LINES, type Line } from '../domain/types';
import { requirePermission } from './auth';
import { validationError } from './errors';

export interface OnCallRouterDependencies {
  roster: Roster;
  clock?: () => Date;
}

export interface OnCallPerson {
  personId: string;
  name: string;
  /** The end of this answer: the next hand-off or override boundary (the person may continue). */
  until: string;
  /** The person's own rules, in order, each with its masked contact. */
  channels: { channel: 'email' | 'sms' | 'voice'; afterMinutes: number; to: string }[];
}

export interface OnCallAnswer {
  at: string;
  teams: { team: Line; onCall: OnCallPerson[] }[];
}

export const onCallQuerySchema = z.object({ at: z.iso.datetime({ offset: true }).optional() }).strict();

/** The `/oncall` answer for one instant: a pure function of the roster. */
export function describeOnCall(roster: Roster, at: Date): OnCallAnswer {
  const byLine = onCallNow(roster, at);
  return {
    at: at.toISOString(),
    teams: LINES.map((team) => ({
      team,
      onCall: byLine[team].flatMap(({ personId, until }) => {
        const person = findPerson(roster, personId);
        if (!person) return [];
        const channels = [...person.rules]
          .sort((a, b) => a.afterMinutes - b.afterMinutes)
          .flatMap((rule) => {
            const address = rule.channel === 'email' ? person.email : person.mobile;
            return address ? [{ channel: rule.channel, afterMinutes: rule.afterMinutes, to: maskContact(address) }] : [];
          });
        return [{ personId, name: person.name, until: until.toISOString(), channels }];
      }),
    })),
  };
}

export function createOnCallRouter(deps: OnCallRouterDependencies): Router {
  const clock = deps.clock ?? (() => new Date());
  const router = express.Router();
  router.get('/oncall', requirePermission('oncall:read'), (req, res) => {
    const query = onCallQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const at = query.data.at ? new Date(query.data.at) : clock();
    res.json(describeOnCall(deps.roster, at));
  });
  return router;
}
