/**
 * One workflow per cause key (R-CAT-COMP): counts the distinct customers complaining about the
 * cause in a sliding window and, when more than the threshold have, opens ONE major
 * group-complaint incident, links the individual complaints to it, and routes later complaints
 * to it instead of opening new ones. Management is paged by the incident workflow itself
 * (R-SEV-MAJOR, R-LINE-MGMT).
 *
 * Exact under concurrency by construction: complaints arrive as signals (signal-with-start, so
 * the first one creates the workflow), the workflow handles them one at a time in arrival order,
 * and the count lives in its durable state. 50 complaints in one second are 50 signals in one
 * history: the one that crosses the threshold opens the group before the next is routed.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { DetectionActivities } from '../activities/detection';
import { workflowNowMs } from './clock';
import {
  clusterStateQuery,
  complaintIncidentSignal,
  complaintSignal,
  routeReplySignal,
  type CauseClusterInput,
  type CauseClusterState,
  type CauseClusterView,
  type ClusterComplaint,
  type ClusterEntry,
  type ComplaintIncident,
  type LinkInput,
  type RouteReply,
} from './detection-contracts';

const activities = proxyActivities<DetectionActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** A run continues as new past this many history events (Temporal's own suggestion also counts). */
const CONTINUE_AS_NEW_AFTER_EVENTS = 5000;

/**
 * Issue 7, the correlated burst at 10,000: a run that never fell quiet never continued as new.
 * Under a steady stream of complaints the loop always found more work, so a cause's run grew to
 * 6,500 events and 2 MB (every complaint is a signal and its answer two events more), and every
 * signal rewrote a run state that kept growing with them; a run evicted from the worker's cache
 * replayed all of it. Since this patch a busy run continues as new past `busyContinueAfterEvents`
 * (2,000 by default) and carries what arrived but was not handled yet. Histories recorded before
 * it replay as they ran.
 */
const BUSY_CONTINUE_PATCH = 'cluster-continues-while-busy';
const BUSY_CONTINUE_AFTER_EVENTS = 2000;

export async function causeClusterWorkflow(input: CauseClusterInput): Promise<CauseClusterView> {
  const state: CauseClusterState = input.carried ?? {
    causeKey: input.causeKey,
    causeLabel: input.causeLabel,
    entries: [],
    pastGroups: [],
    settings: input.settings,
  };
  const inbox: ClusterComplaint[] = [...(input.pending?.inbox ?? [])];
  const incidents: ComplaintIncident[] = [...(input.pending?.incidents ?? [])];
  const replies: Array<{ to: string; reply: RouteReply }> = [];
  let drill = false;

  setHandler(complaintSignal, (complaint) => {
    inbox.push(complaint);
  });
  setHandler(complaintIncidentSignal, (incident) => {
    incidents.push(incident);
  });
  setHandler(clusterStateQuery, () => view());

  const now = (): number => workflowNowMs();

  function counted(): ClusterEntry[] {
    return state.entries.filter((entry) => entry.customerKey !== undefined);
  }

  function distinctCustomers(): number {
    return new Set(counted().map((entry) => entry.customerKey)).size;
  }

  function view(): CauseClusterView {
    return {
      causeLabel: state.causeLabel,
      distinctCustomers: distinctCustomers(),
      complaints: state.entries.length,
      threshold: state.settings.threshold,
      ...(state.group ? { group: state.group } : {}),
      pastGroups: state.pastGroups,
    };
  }

  /**
   * The window slides: complaints older than it stop counting (R-CAT-COMP "within 24 hours").
   * Entries are appended in arrival order (each stamped with the workflow clock), so the expired
   * ones are a prefix: found from the front, not by a scan of every entry for every complaint
   * (issue 7: a cluster of thousands of complaints replays in time, cold).
   */
  function prune(): void {
    const from = now() - state.settings.windowMs;
    let keep = 0;
    while (keep < state.entries.length && Date.parse(state.entries[keep]!.at) < from) keep++;
    if (keep > 0) state.entries = state.entries.slice(keep);
  }

  /** The entries by event reference, kept in step with `state.entries` (which only grows at its end between prunes). */
  let byRef = new Map<string, ClusterEntry>();
  let indexed: ClusterEntry[] | undefined;
  let indexedCount = 0;
  function entryFor(eventRef: string): ClusterEntry | undefined {
    if (indexed !== state.entries || indexedCount > state.entries.length) {
      indexed = state.entries;
      indexedCount = 0;
      byRef = new Map();
    }
    for (; indexedCount < state.entries.length; indexedCount++) {
      const entry = state.entries[indexedCount]!;
      if (!byRef.has(entry.eventRef)) byRef.set(entry.eventRef, entry);
    }
    return byRef.get(eventRef);
  }

  function answer(entry: ClusterEntry, to: string | undefined, reply: Omit<RouteReply, 'eventRef'>): void {
    if (to !== undefined) replies.push({ to, reply: { eventRef: entry.eventRef, ...reply } });
  }

  /** The group is resolved: its complaints were handled with it, so counting starts afresh. */
  function closeGroup(): void {
    if (!state.group) return;
    state.pastGroups.push({ ...state.group, closedAt: new Date(now()).toISOString() });
    if (state.pastGroups.length > 20) state.pastGroups.shift();
    log.info('group incident closed; counting starts afresh', { incident: state.group.incidentId });
    state.group = undefined;
    state.entries = [];
  }

  function groupLinks(entries: ClusterEntry[]): LinkInput[] {
    const links: LinkInput[] = [];
    for (const entry of entries) {
      links.push({ kind: 'event', ref: entry.eventRef, reason: `complaint about ${state.causeLabel} (R-CAT-COMP)` });
      if (entry.customerRef !== undefined) links.push({ kind: 'customer', ref: entry.customerRef, reason: 'complaining customer (R-CAT-COMP)' });
      if (entry.claimId !== undefined) links.push({ kind: 'claim', ref: entry.claimId, reason: 'claim of a complaining customer' });
    }
    return links;
  }

  /** Opens the one group incident of this episode and links every complaint known so far. */
  async function openGroup(): Promise<string> {
    const startedAt = new Date(now()).toISOString();
    const customers = distinctCustomers();
    const { incidentId } = await activities.openGroupIncident({
      causeKey: state.causeKey,
      causeLabel: state.causeLabel,
      episodeStart: startedAt,
      distinctCustomers: customers,
      windowHours: state.settings.windowMs / 3_600_000,
      threshold: state.settings.threshold,
      drill,
    });
    state.group = { incidentId, startedAt, customersAtOpening: customers, linkedIncidents: [] };
    await activities.attachToIncident({ incidentId, links: groupLinks(state.entries) });
    await linkIncidents(state.entries.map((entry) => entry.incidentId).filter((id): id is string => id !== undefined));
    return incidentId;
  }

  async function linkIncidents(incidentIds: string[]): Promise<void> {
    const group = state.group;
    if (!group) return;
    const linked = new Set(group.linkedIncidents);
    const fresh = [...new Set(incidentIds)].filter((id) => !linked.has(id));
    if (fresh.length === 0) return;
    const outcome = await activities.linkToGroup({ groupIncidentId: group.incidentId, incidentIds: fresh });
    if (outcome === 'done') group.linkedIncidents.push(...fresh);
    else closeGroup();
  }

  function entryOf(complaint: ClusterComplaint): ClusterEntry {
    return {
      eventRef: complaint.eventRef,
      at: new Date(now()).toISOString(),
      route: 'individual',
      ...(complaint.customerKey !== undefined ? { customerKey: complaint.customerKey } : {}),
      ...(complaint.customerRef !== undefined ? { customerRef: complaint.customerRef } : {}),
      ...(complaint.claimId !== undefined ? { claimId: complaint.claimId } : {}),
    };
  }

  /** Routes the complaints that arrived, in arrival order. */
  async function routeInbox(): Promise<void> {
    while (inbox.length > 0) {
      const complaint = inbox.shift()!;
      state.settings = complaint.settings;
      drill = complaint.drill;
      prune();
      const known = entryFor(complaint.eventRef);
      if (known) {
        // A redelivered signal (an activity retry): answer as before, count nothing.
        answer(known, complaint.replyTo, {
          route: known.route,
          ...(known.route === 'group' ? { incidentId: known.groupIncidentId } : {}),
          distinctCustomers: distinctCustomers(),
          reason: 'already routed',
        });
        continue;
      }
      const entry = entryOf(complaint);
      state.entries.push(entry);

      if (state.group) {
        // Later complaints attach to the open group incident instead of opening their own; the
        // ones already waiting go with this one in a single attachment.
        const batch = [{ complaint, entry }];
        while (inbox.length > 0) {
          const next = inbox[0]!;
          if (entryFor(next.eventRef)) break;
          inbox.shift();
          const nextEntry = entryOf(next);
          state.entries.push(nextEntry);
          batch.push({ complaint: next, entry: nextEntry });
        }
        const group = state.group;
        const outcome = await activities.attachToIncident({ incidentId: group.incidentId, links: groupLinks(batch.map((b) => b.entry)) });
        if (outcome === 'done') {
          // The whole batch is counted already: one count answers every complaint in it.
          const customers = distinctCustomers();
          for (const { complaint: routed, entry: attached } of batch) {
            attached.route = 'group';
            attached.groupIncidentId = group.incidentId;
            answer(attached, routed.replyTo, {
              route: 'group',
              incidentId: group.incidentId,
              distinctCustomers: customers,
              reason: `attached to the open group complaint about ${state.causeLabel} (R-CAT-COMP)`,
            });
          }
          continue;
        }
        // The group was resolved meanwhile: count afresh, these complaints first.
        closeGroup();
        inbox.unshift(...batch.map((b) => b.complaint));
        continue;
      }

      const customers = distinctCustomers();
      let groupIncidentId: string | undefined;
      if (customers > state.settings.threshold) {
        groupIncidentId = await openGroup();
      }
      answer(entry, complaint.replyTo, {
        route: 'individual',
        distinctCustomers: customers,
        ...(groupIncidentId !== undefined ? { groupIncidentId } : {}),
        reason:
          groupIncidentId !== undefined
            ? `${customers} distinct customers > ${state.settings.threshold}: group complaint opened (R-CAT-COMP)`
            : `${customers} of more than ${state.settings.threshold} distinct customers needed for a group complaint`,
      });
    }
  }

  /** Records the individual incidents the intakes opened and links them to an open group. */
  async function recordIncidents(): Promise<void> {
    if (incidents.length === 0) return;
    const arrived = incidents.splice(0, incidents.length);
    for (const incident of arrived) {
      const entry = entryFor(incident.eventRef);
      if (entry) entry.incidentId = incident.incidentId;
    }
    if (state.group) await linkIncidents(arrived.map((incident) => incident.incidentId));
  }

  async function sendReplies(): Promise<void> {
    const batch = replies.splice(0, replies.length);
    await Promise.all(
      batch.map(async ({ to, reply }) => {
        try {
          await getExternalWorkflowHandle(to).signal(routeReplySignal, reply);
        } catch (err) {
          // The asking intake is gone (terminated by an operator): nobody waits for the answer.
          log.warn('could not answer an intake', { to, error: String(err) });
        }
      }),
    );
  }

  const busy = (): boolean => inbox.length > 0 || incidents.length > 0 || replies.length > 0;
  let lastStatusCheck = now();

  const continueAsNewCarrying = (pending?: CauseClusterInput['pending']) =>
    continueAsNew<typeof causeClusterWorkflow>({
      causeKey: state.causeKey,
      causeLabel: state.causeLabel,
      settings: state.settings,
      carried: state,
      ...(pending ? { pending } : {}),
      ...(input.busyContinueAfterEvents !== undefined ? { busyContinueAfterEvents: input.busyContinueAfterEvents } : {}),
    });

  for (;;) {
    await routeInbox();
    await recordIncidents();
    await sendReplies();
    if (busy()) {
      const info = workflowInfo();
      const long = info.continueAsNewSuggested || info.historyLength > (input.busyContinueAfterEvents ?? BUSY_CONTINUE_AFTER_EVENTS);
      // Every answer is sent (replies is empty); what came meanwhile goes to the next run.
      if (long && replies.length === 0 && patched(BUSY_CONTINUE_PATCH)) {
        await condition(allHandlersFinished);
        return continueAsNewCarrying({ inbox: inbox.splice(0, inbox.length), incidents: incidents.splice(0, incidents.length) });
      }
      continue;
    }
    prune();

    if (state.group && now() - lastStatusCheck >= state.settings.statusCheckMs) {
      // A group incident resolved through the incident API ends the episode.
      lastStatusCheck = now();
      const status = await activities.incidentStatus({ incidentId: state.group.incidentId });
      if (status === 'resolved' || status === 'missing') closeGroup();
      continue;
    }

    const info = workflowInfo();
    const quiet = state.entries.length === 0 && !state.group;
    if (quiet || info.continueAsNewSuggested || info.historyLength > CONTINUE_AS_NEW_AFTER_EVENTS) {
      await condition(allHandlersFinished);
      // A signal that arrived meanwhile is handled before this run ends, never dropped.
      if (busy()) continue;
      if (quiet) return view();
      return continueAsNewCarrying();
    }

    const oldest = state.entries.reduce((min, entry) => Math.min(min, Date.parse(entry.at)), Infinity);
    const untilExpiry = Number.isFinite(oldest) ? oldest + state.settings.windowMs - now() + 1 : Infinity;
    const untilCheck = state.group ? lastStatusCheck + state.settings.statusCheckMs - now() : Infinity;
    await condition(busy, Math.max(1, Math.min(untilExpiry, untilCheck)));
  }
}
