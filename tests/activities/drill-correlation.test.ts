// R-REV-4: drill events correlate among themselves only. A drill complaint about a hospital
// goes to a cluster of its own, so drill complaints never count toward a real group complaint
// (R-CAT-COMP) nor open or join a real one; a drill duplicate never attaches to a real incident;
// a drill alert never joins the real system incident of its component (R-SYS-4).
import type { Client } from '@temporalio/client';
import { createDetectionActivities, type SignalRouting } from '../../activities/detection';
import type { CustomerNoticeSender } from '../../activities/customer-notices';
import { readCalendarData } from '../../config/calendar';
import { createCalendar } from '../../domain/calendar';
import { defaultDetectionConfig } from '../../domain/detection-config';
import type { SignalEvent } from '../../domain/detection';
import { DEFAULT_POLICY } from '../../domain/policy';

/** Routing derives names only: it never reaches the engine, the channels or the customers. */
const activities = createDetectionActivities({
  client: {} as Client,
  policy: DEFAULT_POLICY,
  calendar: createCalendar(readCalendarData()),
  detection: defaultDetectionConfig(),
  notifier: { deliver: async () => ({ duplicate: false, channel: 'none' }) },
  customerNotices: {} as CustomerNoticeSender,
});

const complaint = (n: number, drill: boolean): SignalEvent => ({
  source: 'hotline',
  sourceEventId: `call-${drill ? 'drill' : 'real'}-${n}`,
  occurredAt: '2026-11-20T02:00:00.000Z',
  text: '客户投诉：在同一家医院住院的理赔迟迟未处理，对处理结果强烈质疑。',
  customerRef: `CUST-${n}`,
  cause: { hospital: 'Ruijin Hospital' },
  drill,
});

async function route(event: SignalEvent): Promise<SignalRouting['route']> {
  return (await activities.routeSignal({ event, receivedAt: '2026-11-20T02:00:00.000Z' })).route;
}

test('a drill complaint goes to its own cause cluster, never the real one', async () => {
  const real = await route(complaint(1, false));
  const drill = await route(complaint(1, true));
  expect(real.kind).toBe('cluster');
  expect(drill.kind).toBe('cluster');
  if (real.kind !== 'cluster' || drill.kind !== 'cluster') return;
  expect(drill.causeLabel).toBe(real.causeLabel);
  expect(drill.causeKey).toBe(`drill|${real.causeKey}`);
  // The same customer about the same claim: still never the real incident's duplicate.
  for (const key of drill.duplicateKeys) expect(real.duplicateKeys).not.toContain(key);
});

test('a drill event about the same claim never joins the real incident of that claim', async () => {
  const payout = (drill: boolean): SignalEvent => ({
    source: 'ticket',
    sourceEventId: `t-${drill}`,
    occurredAt: '2026-11-20T02:00:00.000Z',
    text: '客户反映理赔款迟迟未到账，拖延严重。',
    claimId: 'CLM-2026-000777',
    drill,
  });
  const real = await route(payout(false));
  const drill = await route(payout(true));
  expect(real.kind).toBe('duplicate');
  if (real.kind !== 'duplicate' || drill.kind !== 'duplicate') throw new Error('expected duplicate routes');
  expect(drill.duplicateKeys).toEqual(real.duplicateKeys.map((key) => `drill|${key}`));
});

test('a drill alert about a component goes to a drill episode of its own, never the real system incident', async () => {
  const alert = (drill: boolean): SignalEvent => ({
    source: 'system-alert',
    sourceEventId: `alert-${drill}`,
    occurredAt: '2026-11-20T01:00:00.000Z',
    title: 'claims-query 503',
    text: '理赔查询系统无法访问',
    alert: { component: 'claims-query', status: 'firing', severity: 'critical' },
    drill,
  });
  const real = await route(alert(false));
  const drill = await route(alert(true));
  expect(real).toMatchObject({ kind: 'system', component: 'claims-query' });
  expect(drill).toMatchObject({ kind: 'system', component: 'drill-claims-query' });
});
