// Issue 6, faults: the Temporal dev server is killed (SIGKILL, no clean shutdown) while incidents
// are open and started again on the same SQLite file and port after their contact deadline fell
// due. The open incidents resume with their deadlines: the one that fell due while the server was
// down is breached soon after the restart (R-T-CONTACT, R-T-BREACH), its breach pages still go
// out, each once, and the deadline still to come is kept as planned.
import { openIncident } from '../../api/app';
import { TASK_QUEUE, type IncidentState, type TriageResponse } from '../../workflows/contracts';
import { expectedPages, signatureOfMail, signatureOfTwilio, tallyPages } from './expected';
import { FaultStack, sleep, waitFor } from './harness';
import { FAULT_ROSTER, faultReport, singleStepPaging } from './fixtures';

const INCIDENTS = Number(process.env.FAULT_SERVER_INCIDENTS ?? 20);
const CONTACT_MINUTES = 0.5;
const SOLUTION_MINUTES = 5;

const POLICY = {
  deadlines: { contactMinutes: CONTACT_MINUTES, solutionMinutes: SOLUTION_MINUTES },
  warningLeadMinutes: { contact: 0.05, solution: 0.05 },
  escalation: {
    minor: [['customer-service'], ['claims'], ['management']],
    general: [['claims', 'customer-service'], ['management']],
    major: [['management', 'claims'], ['management']],
  },
  paging: singleStepPaging(0.1),
};

let stack: FaultStack | undefined;

afterAll(async () => {
  await stack?.stop(process.env.FAULT_KEEP === '1');
});

test('the dev server killed and restarted on its SQLite file: open incidents resume with their deadlines', async () => {
  stack = await FaultStack.start({ name: 'server-restart', policy: POLICY, roster: FAULT_ROSTER });
  const s = stack;
  await s.worker.start();
  const opened: TriageResponse[] = await Promise.all(
    Array.from({ length: INCIDENTS }, (_, i) => openIncident(s.client, TASK_QUEUE, faultReport(i), `server-restart-${i}`)),
  );
  const ids = opened.map((t) => t.id);
  const contactDue = Math.max(...opened.map((t) => Date.parse(t.deadlines.find((d) => d.id === 'contact')!.dueAt)));
  // The triage pages are out before the outage (a short step, so the triage runs finish).
  await waitFor(async () => {
    const states = await Promise.all(ids.map((id) => s.state(id)));
    return states.every((st) => st.pagingRuns.length === 0) ? true : undefined;
  }, 'the triage paging runs to finish', 60_000);
  expect(Date.now()).toBeLessThan(contactDue);

  // ---- the outage: the server dies; every contact deadline falls due while it is down ----------
  const killedAt = Date.now();
  await s.killServer('SIGKILL');
  await sleep(Math.max(0, contactDue - Date.now()) + 3_000);
  const downMs = Date.now() - killedAt;
  const restartStarted = Date.now();
  await s.restartServer();
  const restartedAt = Date.now();

  // ---- after the restart: each contact deadline breached, soon ----------------------------------
  let states: IncidentState[] = [];
  await waitFor(
    async () => {
      states = await Promise.all(ids.map((id) => s.state(id).catch(() => undefined))).then((all) => all.filter((x): x is IncidentState => x !== undefined));
      return states.length === ids.length && states.every((st) => st.deadlines.find((d) => d.id === 'contact')?.state === 'breached') ? true : undefined;
    },
    'every contact deadline to be breached after the restart',
    90_000,
    500,
  );
  const breachLatencies = states.map((st) => {
    const entry = st.timeline.find((e) => e.type === 'deadline-breached' && e.data?.deadline === 'contact')!;
    return Date.parse(entry.at) - restartedAt;
  });
  const worstBreachMs = Math.max(...breachLatencies);

  // The breach pages go out, each once.
  const received = () => [...s.smtp.messages.map(signatureOfMail), ...s.twilio.accepted.map((r) => signatureOfTwilio(r, s.roster))];
  const tally = await waitFor(
    async () => {
      states = await Promise.all(ids.map((id) => s.state(id)));
      const expected = states.flatMap((st) => expectedPages(st, s.policy, s.roster, new Date()).map((p) => p.signature));
      const t = tallyPages(expected, received());
      return t.missing.length === 0 ? t : undefined;
    },
    'the breach pages after the restart',
    90_000,
    1000,
  );
  await sleep(2000);
  const final = tallyPages(
    states.flatMap((st) => expectedPages(st, s.policy, s.roster, new Date()).map((p) => p.signature)),
    received(),
  );
  console.log(
    `FAULTS: server-restart — incidents open ${ids.length}, server down ${downMs} ms (SIGKILL), restart took ${restartedAt - restartStarted} ms, ` +
      `contact breaches recorded at most ${worstBreachMs} ms after the restart (due while down), ` +
      `pages expected ${final.expected} / sent ${final.sent} / duplicated ${final.duplicated}`,
  );
  expect(tally.missing).toEqual([]);
  expect(final.duplicates).toEqual([]);
  expect(final.unexpected).toEqual([]);
  for (const st of states) {
    const contact = st.deadlines.find((d) => d.id === 'contact')!;
    expect(contact.closedAt).toBe(contact.dueAt);
    // The solution deadline is still ahead, as planned before the outage.
    const solution = st.deadlines.find((d) => d.id === 'solution')!;
    expect(solution.state).toBe('pending');
    expect(solution.dueAt).toBe(opened.find((t) => t.id === st.id)!.deadlines.find((d) => d.id === 'solution')!.dueAt);
    expect(st.pagingRuns).toEqual([`${st.id}-paging-breach-contact`]);
  }
  // "Reasonably soon": within 30 s of the server answering again, on a loaded machine.
  expect(worstBreachMs).toBeLessThan(30_000);
}, 300_000);
