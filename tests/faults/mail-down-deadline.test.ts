// Issue 6, faults: the SMTP server is down while an incident's "due soon" notice (an e-mail)
// keeps retrying. The contact deadline still breaches on time and its breach page still goes out
// by SMS while the mail server is down (R-T-CONTACT, R-T-BREACH); once mail is back, the notice
// arrives, once.
import { openIncident } from '../../api/app';
import { TASK_QUEUE } from '../../workflows/contracts';
import { expectedPages, signatureOfMail, signatureOfTwilio, tallyPages } from './expected';
import { FaultStack, sleep, waitFor } from './harness';
import { FAULT_ROSTER, faultReport, singleStepPaging } from './fixtures';

const CONTACT_MINUTES = 0.5;

const POLICY = {
  deadlines: { contactMinutes: CONTACT_MINUTES, solutionMinutes: 30 },
  // Warned at once: the notice goes by e-mail to the claims line (He Jing), whose server is down.
  warningLeadMinutes: { contact: CONTACT_MINUTES },
  // The breach pages management, by SMS.
  escalation: { minor: [['claims'], ['management']], general: [['claims'], ['management']], major: [['claims'], ['management']] },
  paging: singleStepPaging(0.1),
};

let stack: FaultStack | undefined;

afterAll(async () => {
  await stack?.stop(process.env.FAULT_KEEP === '1');
});

test('mail down while a notice retries: the contact deadline still breaches on time and pages by SMS', async () => {
  stack = await FaultStack.start({ name: 'mail-down', policy: POLICY, roster: FAULT_ROSTER });
  const s = stack;
  await s.worker.start();
  await s.smtp.stop();
  // The first corpus report: a late payout, general, lines customer service and claims.
  const opened = await openIncident(s.client, TASK_QUEUE, faultReport(0), 'mail-down-0');
  expect(opened.triage.lines).toContain('claims');
  const dueAt = Date.parse(opened.deadlines.find((d) => d.id === 'contact')!.dueAt);

  // While mail is still down: the breach is recorded and management's SMS goes out.
  const breachSms = await waitFor(
    () => s.twilio.messages.find((m) => m.to === '+8613900000104' && /contact missed/.test(m.params.Body ?? '')),
    'the breach SMS to management while mail is down',
    dueAt - Date.now() + 30_000,
    200,
  );
  const smsAt = Date.now();
  const state = await s.state(opened.id);
  const breach = state.timeline.find((e) => e.type === 'deadline-breached' && e.data?.deadline === 'contact')!;
  const breachLateMs = Date.parse(breach.at) - dueAt;
  expect(s.smtp.running).toBe(false);
  expect(breachSms).toBeDefined();

  // Mail back: the notice (and the triage e-mail page) arrive, each once.
  await s.smtp.start();
  const expected = () => s.state(opened.id).then((st) => expectedPages(st, s.policy, s.roster, new Date()).map((p) => p.signature));
  const received = () => [...s.smtp.messages.map(signatureOfMail), ...s.twilio.accepted.map((r) => signatureOfTwilio(r, s.roster))];
  await waitFor(async () => (tallyPages(await expected(), received()).missing.length === 0 ? true : undefined), 'the e-mails after recovery', 120_000, 1000);
  await sleep(2000);
  const final = tallyPages(await expected(), received());
  const after = await s.state(opened.id);
  console.log(
    `FAULTS: mail-down — contact breach recorded ${breachLateMs} ms after due with SMTP down, breach SMS ${smsAt - dueAt} ms after due; ` +
      `pages expected ${final.expected} / sent ${final.sent} / duplicated ${final.duplicated}`,
  );
  expect(breachLateMs).toBeGreaterThanOrEqual(0);
  expect(breachLateMs).toBeLessThan(10_000);
  expect(final.missing).toEqual([]);
  expect(final.duplicates).toEqual([]);
  expect(final.unexpected).toEqual([]);
  expect(after.timeline.some((e) => e.type === 'notified' && e.data?.kind === 'warning')).toBe(true);
}, 240_000);
