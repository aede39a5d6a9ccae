// R-DET-1, R-CAT-SYS, R-SYS-4: a monitored system that goes silent past its interval opens one
// system incident; alerts about the component attach to it; beats resuming resolve it (R-SYS-3).
import { heartbeatSettingsOf } from '../../domain/detection-config';
import { heartbeatWorkflowId, systemWorkflowId } from '../../domain/correlation-keys';
import {
  beatSignal,
  heartbeatStateQuery,
  systemStateQuery,
  type Beat,
  type HeartbeatSettings,
} from '../../workflows/detection-contracts';
import type { heartbeatWorkflow } from '../../workflows/heartbeat';
import { MINUTE, waitFor, withDetectionHarness, type DetectionHarness } from './detection-harness';

const SECOND = 1000;

async function beat(h: DetectionHarness, system: string, settings: HeartbeatSettings): Promise<void> {
  await h.env.client.workflow.signalWithStart<typeof heartbeatWorkflow, [Beat]>('heartbeatWorkflow', {
    workflowId: heartbeatWorkflowId(system),
    taskQueue: h.taskQueue,
    args: [{ system, settings }],
    signal: beatSignal,
    signalArgs: [{ settings }],
  });
}

const heartbeat = (h: DetectionHarness, system: string) => h.env.client.workflow.getHandle(heartbeatWorkflowId(system)).query(heartbeatStateQuery);
const systemView = (h: DetectionHarness, component: string) => h.env.client.workflow.getHandle(systemWorkflowId(component)).query(systemStateQuery);

const config = { systems: { 'claims-core': { intervalSeconds: 60, graceSeconds: 30, aliases: [] } } };

test('regular beats open nothing; silence past interval + grace opens one system incident; long silence opens no second', async () => {
  await withDetectionHarness(async (h) => {
    const settings = heartbeatSettingsOf(h.detection, 'claims-core')!;
    for (let i = 0; i < 5; i += 1) {
      await beat(h, 'claims-core', settings);
      await h.env.sleep(60 * SECOND);
    }
    await beat(h, 'claims-core', settings);
    await h.env.sleep(85 * SECOND);
    expect((await heartbeat(h, 'claims-core')).status).toBe('healthy');
    expect(h.recorder.systems).toHaveLength(0);

    await h.env.sleep(10 * SECOND); // 95 s since the last beat > 60 s + 30 s
    const silent = await waitFor(() => heartbeat(h, 'claims-core'), (s) => s.status === 'silent' && s.incidentId !== undefined);
    expect(h.recorder.systems).toHaveLength(1);
    expect(silent.incidentId).toBe(h.recorder.systems[0]!.incidentId);
    expect(h.recorder.notes.get(silent.incidentId!)?.[0]).toMatch(/^R-SYS-2 restore checklist \(core functions first\): 1\. Claim query/);

    await h.env.sleep(30 * MINUTE);
    expect(h.recorder.systems).toHaveLength(1);

    // An alert about the component attaches to the open system incident, linking claims and customers.
    await h.activities.sendToSystem({
      component: 'claims-core',
      eventRef: 'system-alert:A-1',
      report: { title: 'claims-core 503', description: 'API 503', source: 'system-alert', facts: { system: 'claims-core' }, reporter: 'monitor', drill: false },
      severity: 'general',
      claims: ['CLM-1', 'CLM-2'],
      customers: ['CUST-1'],
      settings: settings.system,
    });
    const linked = await waitFor(() => systemView(h, 'claims-core'), (v) => (v.current?.claims.length ?? 0) === 2);
    expect(linked.current?.incidentId).toBe(silent.incidentId);
    expect(h.recorder.systems).toHaveLength(1);
    expect(h.recorder.linksOf(silent.incidentId!).map((l) => `${l.kind}:${l.ref}`)).toEqual(
      expect.arrayContaining(['event:system-alert:A-1', 'claim:CLM-1', 'claim:CLM-2', 'customer:CUST-1']),
    );
    await waitFor(async () => h.recorder.notices, (n) => n.some((x) => x.kind === 'offline-alternative' && x.customers.includes('CUST-1')));
  }, { detection: config });
});

test('beats resuming resolve the system incident (autoResolve) and tell customers service is back', async () => {
  await withDetectionHarness(async (h) => {
    const settings = heartbeatSettingsOf(h.detection, 'claims-core')!;
    await beat(h, 'claims-core', settings);
    await h.env.sleep(2 * MINUTE);
    const silent = await waitFor(() => heartbeat(h, 'claims-core'), (s) => s.incidentId !== undefined);
    await h.activities.sendToSystem({
      component: 'claims-core',
      eventRef: 'system-alert:B-1',
      report: { title: 'x', description: 'x', source: 'system-alert', facts: { system: 'claims-core' }, reporter: 'monitor', drill: false },
      severity: 'general',
      claims: [],
      customers: ['CUST-9'],
      settings: settings.system,
    });
    await waitFor(async () => h.recorder.notices, (n) => n.some((x) => x.kind === 'offline-alternative'));

    await beat(h, 'claims-core', settings);
    await waitFor(async () => h.recorder.resolved, (r) => r.has(silent.incidentId!));
    const healthy = await waitFor(() => heartbeat(h, 'claims-core'), (s) => s.status === 'healthy');
    expect(healthy.outages).toHaveLength(1);
    expect(healthy.outages[0]).toMatchObject({ incidentId: silent.incidentId });
    expect(healthy.outages[0]!.recoveredAt).toBeDefined();
    await waitFor(async () => h.recorder.notices, (n) => n.some((x) => x.kind === 'service-restored' && x.customers.includes('CUST-9')));
  }, { detection: config });
});

test('without autoResolve, beats resuming leave the incident for a person to resolve', async () => {
  await withDetectionHarness(
    async (h) => {
      const settings = heartbeatSettingsOf(h.detection, 'upload-platform')!;
      await beat(h, 'upload-platform', settings);
      await h.env.sleep(2 * MINUTE);
      const silent = await waitFor(() => heartbeat(h, 'upload-platform'), (s) => s.incidentId !== undefined);
      await beat(h, 'upload-platform', settings);
      await waitFor(() => heartbeat(h, 'upload-platform'), (s) => s.status === 'healthy');
      expect(h.recorder.resolved.has(silent.incidentId!)).toBe(false);
      expect((await systemView(h, 'upload-platform')).current?.incidentId).toBe(silent.incidentId);
    },
    { detection: { systems: { 'upload-platform': { intervalSeconds: 60, graceSeconds: 0, autoResolve: false } } } },
  );
});
