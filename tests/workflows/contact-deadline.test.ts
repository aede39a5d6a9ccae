// R-T-CONTACT: contact the customer within 30 minutes; warning before (R-T-BREACH), breach after.
import { contactUpdate } from '../../workflows/contracts';
import { MOBILE } from './paging-fakes';
import { MINUTE, system, teardownEnvironment, waitFor, withHarness } from './harness';

afterAll(teardownEnvironment);

test('R-T-CONTACT met: a contact at 10 minutes meets the deadline and escalates nothing', async () => {
  await withHarness(async (h) => {
    const { handle, triage } = await h.start();
    const contact = triage.deadlines.find((d) => d.id === 'contact')!;
    expect(Date.parse(contact.dueAt) - Date.parse((await h.state(handle)).reportedAt)).toBe(30 * MINUTE);
    await h.env.sleep(10 * MINUTE);
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'Called the customer, impact confirmed' }] });
    await h.env.sleep(25 * MINUTE);
    const state = await h.state(handle);
    const d = state.deadlines.find((x) => x.id === 'contact')!;
    expect(d.state).toBe('met');
    expect(d.metBy).toBe('contact');
    expect(d.warned).toBe(false);
    expect(state.escalationLevel).toBe(0);
    expect(state.timeline.filter((e) => e.type === 'escalated')).toHaveLength(0);
    expect(h.channels.sent.filter((p) => p.key.includes(':breach-'))).toHaveLength(0);
  });
});

test('R-T-CONTACT warned: 10 minutes before due the lines get a "close to due" warning', async () => {
  await withHarness(async (h) => {
    const { handle, triage } = await h.start();
    await h.env.sleep(19 * MINUTE);
    expect(h.notifier.ofKind('warning')).toHaveLength(0);
    await h.env.sleep(2 * MINUTE);
    const state = await waitFor(
      () => h.state(handle),
      (s) => s.timeline.some((e) => e.type === 'deadline-warning' && e.data?.deadline === 'contact'),
    );
    expect(state.deadlines.find((d) => d.id === 'contact')).toMatchObject({ state: 'pending', warned: true });
    await waitFor(async () => h.notifier.ofKind('warning'), (w) => w.length === 1);
    expect(h.notifier.ofKind('warning')[0]!.lines).toEqual(triage.triage.lines);
  });
});

test('R-T-CONTACT breached: no contact by 30 minutes is a breach that escalates one level', async () => {
  await withHarness(async (h) => {
    const { handle } = await h.start();
    await h.env.sleep(31 * MINUTE);
    const state = await waitFor(
      () => h.state(handle),
      (s) => s.deadlines.find((d) => d.id === 'contact')?.state === 'breached',
    );
    expect(state.escalationLevel).toBe(1);
    const escalated = state.timeline.find((e) => e.type === 'escalated')!;
    expect(escalated.data).toMatchObject({ level: 1, deadline: 'contact' });
    // R-T-BREACH: the next level of the tier's escalation ladder (management for general) is
    // paged through its on-call person's own rules, and the page is on the timeline.
    expect(h.policy.escalation[state.severity!][1]).toEqual(['management']);
    const paged = await waitFor(
      () => h.state(handle),
      (s) => s.timeline.some((e) => e.type === 'paged' && e.data?.runKey === 'breach-contact'),
    );
    expect(paged.timeline.find((e) => e.type === 'paged' && e.data?.runKey === 'breach-contact')!.data).toMatchObject({ personId: 'mgr-1', channel: 'sms' });
    const sms = h.channels.to(MOBILE(5)).filter((p) => p.key.includes(':breach-contact:'));
    expect(sms).toHaveLength(1);
    expect(sms[0]!.text).toContain(paged.ackCode);
    // A contact after the breach is still recorded, but the deadline stays breached.
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'Reached the customer late' }] });
    expect((await h.state(handle)).deadlines.find((d) => d.id === 'contact')!.state).toBe('breached');
  });
});
