// Issue 6, faults: the SMTP server is down and Twilio answers 500 for a period while incidents
// are raised. No page is lost and none is doubled: once the providers recover every page arrives
// exactly once, and each incident's timeline shows the attempts the providers refused before the
// page that went through (nothing is silently dropped or silently retried).
import { openIncident } from '../../api/app';
import { TASK_QUEUE, type IncidentState, type TriageResponse } from '../../workflows/contracts';
import { expectedPages, signatureOfMail, signatureOfTwilio, tallyPages } from './expected';
import { FaultStack, sleep, waitFor } from './harness';
import { FAULT_ROSTER, faultReport, singleStepPaging } from './fixtures';

const INCIDENTS = Number(process.env.FAULT_OUTAGE_INCIDENTS ?? 12);
const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_MS ?? 20_000);

// Deadlines far away: this scenario is about the pages of the triage run only.
const POLICY = { paging: singleStepPaging(0.25) };

let stack: FaultStack | undefined;

afterAll(async () => {
  await stack?.stop(process.env.FAULT_KEEP === '1');
});

test('SMTP down and Twilio answering 500 for a while: every page arrives once after recovery, the timeline shows the retries', async () => {
  stack = await FaultStack.start({ name: 'channel-outage', policy: POLICY, roster: FAULT_ROSTER });
  const s = stack;
  await s.worker.start();

  // ---- the outage begins before the incidents are raised -----------------------------------------
  await s.smtp.stop();
  s.twilio.startOutage(500);
  const outageStarted = Date.now();
  const opened: TriageResponse[] = await Promise.all(
    Array.from({ length: INCIDENTS }, (_, i) => openIncident(s.client, TASK_QUEUE, faultReport(i), `channel-outage-${i}`)),
  );
  const ids = opened.map((t) => t.id);
  await sleep(Math.max(0, outageStarted + OUTAGE_MS - Date.now()));
  const refusedByTwilio = s.twilio.requests.filter((r) => r.status === 500).length;
  expect(s.received).toBe(0);
  expect(refusedByTwilio).toBeGreaterThan(0);

  // ---- recovery ----------------------------------------------------------------------------------
  await s.smtp.start();
  s.twilio.endOutage();
  const recoveredAt = Date.now();
  let states: IncidentState[] = [];
  const received = () => [...s.smtp.messages.map(signatureOfMail), ...s.twilio.accepted.map((r) => signatureOfTwilio(r, s.roster))];
  const tally = async () => {
    states = await Promise.all(ids.map((id) => s.state(id)));
    return tallyPages(
      states.flatMap((st) => expectedPages(st, s.policy, s.roster, new Date()).map((p) => p.signature)),
      received(),
    );
  };
  // Retries back off (2 s, 4 s, … up to a minute), so the last page may take a while after recovery.
  await waitFor(async () => ((await tally()).missing.length === 0 ? true : undefined), 'every page after recovery', 120_000, 1000);
  const deliveredMs = Date.now() - recoveredAt;
  // …and every delivery is on the timeline with the attempts refused before it.
  await waitFor(
    async () => {
      await tally();
      const paged = states.flatMap((st) => st.timeline.filter((e) => e.type === 'paged'));
      return paged.length === received().length ? true : undefined;
    },
    'the deliveries on the timelines',
    30_000,
    500,
  );
  await sleep(2000);
  const final = await tally();
  const retriedEntries = states.flatMap((st) => st.timeline.filter((e) => e.type === 'page-failed' && e.data?.retried === true));
  const pagedEntries = states.flatMap((st) => st.timeline.filter((e) => e.type === 'paged'));
  const exhausted = states.flatMap((st) => st.timeline.filter((e) => e.type === 'page-failed' && e.data?.retried !== true));
  console.log(
    `FAULTS: channel-outage — incidents ${ids.length}, outage ${OUTAGE_MS} ms (SMTP stopped, Twilio 500 ×${refusedByTwilio}), ` +
      `pages expected ${final.expected} / sent ${final.sent} / duplicated ${final.duplicated}, last page ${deliveredMs} ms after recovery, ` +
      `timeline: ${retriedEntries.length} refused attempts shown, ${pagedEntries.length} deliveries, ${exhausted.length} given up`,
  );
  expect(final.missing).toEqual([]);
  expect(final.duplicates).toEqual([]);
  expect(final.unexpected).toEqual([]);
  expect(exhausted).toEqual([]);
  // Every page was refused at least once (both providers were down when it was first tried), and
  // the timeline says so beside the page that finally went out.
  for (const entry of pagedEntries) {
    expect({ text: entry.text, attempt: entry.data?.attempt }).toEqual({ text: expect.stringContaining('on attempt'), attempt: expect.any(Number) });
    expect(entry.data?.attempt as number).toBeGreaterThan(1);
  }
  for (const st of states) {
    for (const paged of st.timeline.filter((e) => e.type === 'paged')) {
      const refused = st.timeline.filter(
        (e) => e.type === 'page-failed' && e.data?.personId === paged.data?.personId && e.data?.channel === paged.data?.channel && e.data?.runKey === paged.data?.runKey,
      );
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((e) => e.seq < paged.seq)).toBe(true);
    }
  }
}, 300_000);
