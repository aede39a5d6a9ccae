/**
 * Records the histories the replay test runs (`npx tsx tests/workflows/record-histories.ts`).
 * Re-record only on purpose: a recorded history is a promise that running incidents started
 * by that code still replay under the current workflow code.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import {
  acknowledgeUpdate,
  contactUpdate,
  noteUpdate,
  progressUpdate,
  reclassifyUpdate,
  resolveUpdate,
  solutionUpdate,
} from '../../workflows/contracts';
import { DAY, MINUTE, manager, report, system, teardownEnvironment, waitFor, withHarness } from './harness';

const out = join(__dirname, '..', 'fixtures', 'histories');

/** Histories are stored in the protobuf binary encoding the server itself uses. */
function encode(history: unknown): Uint8Array {
  const History = temporal.api.history.v1.History;
  return History.encode(History.fromObject(history as Record<string, unknown>)).finish();
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  await withHarness(async (h) => {
    // A complaint worked through every action, with a missed daily update.
    const { handle } = await h.start();
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    await h.env.sleep(10 * MINUTE);
    await handle.executeUpdate(contactUpdate, { args: [{ actor: system, text: 'called' }] });
    await handle.executeUpdate(solutionUpdate, { args: [{ actor: system, text: 'extension' }] });
    await h.env.sleep(DAY + MINUTE);
    await waitFor(() => h.state(handle), (s) => s.escalationLevel === 1);
    await handle.executeUpdate(progressUpdate, { args: [{ actor: system, text: 'update' }] });
    await handle.executeUpdate(noteUpdate, { args: [{ actor: manager, text: 'review' }] });
    await handle.executeUpdate(reclassifyUpdate, { args: [{ actor: manager, severity: 'major', reason: 'press' }] });
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid' }] });
    await handle.result();
    writeFileSync(join(out, 'complaint-worked-through.pb'), encode(await handle.fetchHistory()));

    // A major system incident left alone: warnings, breaches, escalations.
    const major = await h.start(
      report({
        title: '理赔核心系统宕机',
        description: '理赔核心系统无法访问，大面积影响理赔提交。',
        source: 'system-alert',
        facts: { system: 'claims-core', affectedClaims: 300 },
      }),
    );
    await h.env.sleep(2 * 60 * MINUTE);
    await waitFor(() => h.state(major.handle), (s) => s.escalationLevel >= 2);
    await major.handle.executeUpdate(reclassifyUpdate, { args: [{ actor: manager, category: 'info', reason: 'test' }] });
    await major.handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'restored' }] });
    await major.handle.result();
    writeFileSync(join(out, 'major-system-breaches.pb'), encode(await major.handle.fetchHistory()));

    // Triaged at the edge (the API's path since issue 7): the triage comes in the input, not from an activity.
    const edge = await h.start(report({ title: '赔款超期未付', description: '客户的理赔款审核通过后已超过十个工作日仍未到账' }), { edge: true });
    await edge.handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: system }] });
    await h.env.sleep(40 * MINUTE);
    await waitFor(() => h.state(edge.handle), (s) => s.deadlines.some((d) => d.state === 'breached'));
    await edge.handle.executeUpdate(resolveUpdate, { args: [{ actor: system, summary: 'paid' }] });
    await edge.handle.result();
    writeFileSync(join(out, 'edge-triaged.pb'), encode(await edge.handle.fetchHistory()));
  });
  await withHarness(
    async (h) => {
      // A run that continues as new.
      const { handle } = await h.start();
      const firstRunId = (await handle.describe()).runId;
      for (let i = 0; i < 40; i++) await handle.executeUpdate(noteUpdate, { args: [{ actor: system, text: `n${i}` }] });
      await waitFor(() => h.state(handle), (s) => s.runs >= 2);
      const first = h.env.client.workflow.getHandle(handle.workflowId, firstRunId);
      writeFileSync(join(out, 'continued-as-new.pb'), encode(await first.fetchHistory()));
    },
    { policy: { continueAsNewAfterEvents: 100 } },
  );
  await teardownEnvironment();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
