// A person's rules that fell due during a step are sent even when an earlier channel's retries
// outlast the step (found by the fault suite's outage scenario, issue 6): the manager's SMS
// provider refuses for two minutes, longer than the two-minute step, and the e-mail due after one
// minute still goes out; a rule due only after the step ended does not. R-T-BREACH, R-LINE-MGMT.
import { MOBILE } from './paging-fakes';
import { MINUTE, environment, report, teardownEnvironment, waitFor, withHarness } from './harness';

afterAll(teardownEnvironment);

const policy = {
  paging: {
    // mgr-1: SMS at once, e-mail after 1 minute (tests/workflows/paging-fakes.ts).
    general: { steps: [{ targets: [{ person: 'mgr-1' }], escalateAfterMinutes: 2 }], repeat: 0 },
  },
};

test("a rule due within the step is sent after the first channel's retries outlast the step", async () => {
  await environment();
  await withHarness(async (h) => {
    // Six refusals: the SMS goes through on its 7th attempt, about 122 s in (backoff 2, 4, … 60 s).
    h.channels.transient.set(`sms:${MOBILE(5)}`, 6);
    const { handle } = await h.start(report());
    await h.env.sleep(3 * MINUTE);
    const state = await waitFor(
      () => h.state(handle),
      (s) => s.timeline.some((e) => e.type === 'paged' && e.data?.personId === 'mgr-1' && e.data?.channel === 'email'),
      30_000,
    );
    const sent = h.channels.to('mgr-1@example.com');
    expect(sent.map((p) => p.channel)).toEqual(['email']);
    expect(h.channels.to(MOBILE(5)).map((p) => p.channel)).toEqual(['sms']);
    const sms = state.timeline.find((e) => e.type === 'paged' && e.data?.channel === 'sms')!;
    expect(sms.data?.attempt).toBe(7);
  }, { policy });
});
