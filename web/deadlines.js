/**
 * Which deadline an incident is racing next, and the order of the list: breached ones first,
 * then by how soon their next deadline falls due (R-T-CONTACT, R-T-SOLUTION, R-T-DAILY,
 * R-T-BREACH). Pure functions of the incident's `deadlines` and the time, so the countdown can
 * tick every second without asking the API.
 */

/** The earliest pending deadline, or null when none is pending. */
export function nextDeadline(deadlines) {
  let next = null;
  for (const deadline of deadlines ?? []) {
    if (deadline.state !== 'pending') continue;
    if (!next || Date.parse(deadline.dueAt) < Date.parse(next.dueAt)) next = deadline;
  }
  return next;
}

/** Breached: a deadline was missed, or the next one is already past due (the engine will record it any moment). */
export function isBreached(deadlines, now) {
  const next = nextDeadline(deadlines);
  return (deadlines ?? []).some((deadline) => deadline.state === 'breached') || (next !== null && Date.parse(next.dueAt) <= now);
}

/** Breached first; then by the next deadline's due time (none last); then the oldest report first. */
export function compareIncidents(a, b, now) {
  const breached = Number(isBreached(b.deadlines, now)) - Number(isBreached(a.deadlines, now));
  if (breached !== 0) return breached;
  const dueA = nextDeadline(a.deadlines);
  const dueB = nextDeadline(b.deadlines);
  const byDue = (dueA ? Date.parse(dueA.dueAt) : Infinity) - (dueB ? Date.parse(dueB.dueAt) : Infinity);
  if (byDue !== 0 && !Number.isNaN(byDue)) return byDue;
  return Date.parse(a.reportedAt) - Date.parse(b.reportedAt);
}

/** Whole seconds left until `dueAt` (negative once past). */
export function secondsLeft(dueAt, now) {
  return Math.floor((Date.parse(dueAt) - now) / 1000);
}

const pad = (value) => String(value).padStart(2, '0');

/** `1d 02:03:04`, `02:03:04`, `03:04`; past due the same with a leading minus. */
export function formatCountdown(seconds) {
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.abs(seconds);
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const secs = rest - minutes * 60;
  const clock = hours > 0 || days > 0 ? `${pad(hours)}:${pad(minutes)}:${pad(secs)}` : `${pad(minutes)}:${pad(secs)}`;
  return `${sign}${days > 0 ? `${days}d ` : ''}${clock}`;
}
