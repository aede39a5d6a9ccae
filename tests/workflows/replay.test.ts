// Recorded histories (tests/fixtures/histories, made by record-histories.ts) replay through the
// current workflow code: a change that would break running incidents fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { getWorkflowBundle } from '../support/bundle';

const dir = join(__dirname, '..', 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.pb'));

test('there are recorded histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(3);
});

test.each(files)('%s replays without nondeterminism', async (file) => {
  const history = temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
  await Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, history, file);
});
