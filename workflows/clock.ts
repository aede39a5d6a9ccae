/**
 * The workflow clock. Inside the workflow sandbox `Date` is replaced by the workflow's own,
 * deterministic time (it replays identically), so this is the one sanctioned place workflows
 * read it; the lint rule that bans clock reads elsewhere in `workflows/` keeps it that way.
 */
export function workflowNow(): Date {
  // eslint-disable-next-line no-restricted-properties
  return new Date(Date.now());
}

export function workflowNowMs(): number {
  return workflowNow().getTime();
}
