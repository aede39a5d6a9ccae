/**
 * One workflow per monitored system (R-DET-1: monitoring runs 7x24). `POST /heartbeats/:system`
 * signals it (signal-with-start: the first beat starts monitoring). When no beat arrives within
 * the interval plus its grace, the system counts as silent and its component's system workflow
 * gets an alert, which opens (or attaches to) the component's one system incident (R-CAT-SYS,
 * R-SYS-4). When beats resume, and the system is configured to, the system workflow is told the
 * component recovered, which resolves the incident and tells customers service is back (R-SYS-3).
 *
 * One timer per interval, not per beat: the workflow sleeps until the last beat's deadline and
 * looks again, so frequent beats cost only their signals.
 */
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { DetectionActivities } from '../activities/detection';
import { workflowNow, workflowNowMs } from './clock';
import {
  beatSignal,
  heartbeatStateQuery,
  routeReplySignal,
  type HeartbeatInput,
  type HeartbeatState,
} from './detection-contracts';

const activities = proxyActivities<DetectionActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Beats are signals: a run continues as new well before its history gets long. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 3000;

export async function heartbeatWorkflow(input: HeartbeatInput): Promise<HeartbeatState> {
  const state: HeartbeatState = input.carried ?? {
    system: input.system,
    status: 'healthy',
    beats: 0,
    lastBeatAt: workflowNow().toISOString(),
    outages: [],
    settings: input.settings,
  };

  setHandler(beatSignal, (beat) => {
    state.beats += 1;
    state.lastBeatAt = workflowNow().toISOString();
    state.settings = beat.settings;
  });
  setHandler(heartbeatStateQuery, () => state);
  setHandler(routeReplySignal, (reply) => {
    const outage = state.outages.at(-1);
    if (reply.incidentId === undefined || outage === undefined) return;
    if (reply.eventRef === `heartbeat:${state.system}:${outage.silentSince}`) {
      outage.incidentId = reply.incidentId;
      if (state.status === 'silent') state.incidentId = reply.incidentId;
    }
  });

  const silenceDeadline = (): number => Date.parse(state.lastBeatAt) + state.settings.intervalMs + state.settings.graceMs;

  for (;;) {
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > CONTINUE_AS_NEW_AFTER_EVENTS) break;

    if (state.status === 'healthy') {
      const wait = silenceDeadline() - workflowNowMs();
      if (wait > 0) {
        // Wake at the deadline of the last beat seen; a later beat has moved it, so look again.
        await condition(() => false, wait);
        continue;
      }
      const silentSince = new Date(silenceDeadline()).toISOString();
      state.status = 'silent';
      state.silentSince = silentSince;
      state.outages.push({ silentSince });
      if (state.outages.length > 20) state.outages.shift();
      const beatsAtSilence = state.beats;
      await activities.reportHeartbeatSilence({ system: state.system, silentSince, settings: state.settings });
      await condition(() => state.beats > beatsAtSilence);
    } else {
      // Restored from continue-as-new while silent: wait for the next beat.
      const beatsNow = state.beats;
      await condition(() => state.beats > beatsNow);
    }

    // Beats resumed.
    const outage = state.outages.at(-1);
    if (outage) outage.recoveredAt = state.lastBeatAt;
    state.status = 'healthy';
    state.silentSince = undefined;
    state.incidentId = undefined;
    if (state.settings.autoResolve) {
      await activities.reportSystemRecovered({
        component: state.settings.component,
        by: `heartbeat:${state.system}`,
        reason: `heartbeats resumed at ${state.lastBeatAt}`,
      });
    }
  }

  await condition(allHandlersFinished);
  return continueAsNew<typeof heartbeatWorkflow>({ system: state.system, settings: state.settings, carried: state });
}
