/**
 * One drill (R-REV-4): its scenario's incidents run the real process — the incident workflow
 * itself, with its deadlines, paging and escalations — as children marked `drill`, paged only to
 * the drill's participants. The drill keeps which incidents are its own, so its report can be
 * read from their timelines, and finishes when every one of them is resolved.
 */
import { ParentClosePolicy, setHandler, startChild } from '@temporalio/workflow';
import { workflowNow } from './clock';
import { incidentWorkflow } from './incident';
import { drillStateQuery, type DrillInput, type DrillState } from './contracts';

export async function drillWorkflow(input: DrillInput): Promise<DrillState> {
  const state: DrillState = {
    id: input.id,
    scenario: input.scenario,
    participants: input.participants,
    startedBy: input.startedBy,
    startedAt: workflowNow().toISOString(),
    status: 'running',
    incidents: [],
  };
  setHandler(drillStateQuery, () => state);

  const running: Promise<unknown>[] = [];
  for (const incident of input.incidents) {
    const reportedAt = workflowNow().toISOString();
    // Abandoned on close: an incident is its own record and outlives the drill that raised it.
    const child = await startChild(incidentWorkflow, {
      workflowId: incident.id,
      args: [{ id: incident.id, report: { ...incident.report, drill: true }, reportedAt, participants: input.participants }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    state.incidents.push({ id: incident.id, title: incident.report.title, reportedAt });
    running.push(child.result());
  }
  // A drill incident that fails or is terminated still ends the drill's wait for it.
  await Promise.allSettled(running);
  state.status = 'finished';
  state.finishedAt = workflowNow().toISOString();
  return state;
}
