/**
 * `npm run bench`: the performance benchmark of issue 7 (R-REV-6: stress tests simulating
 * 10,000 concurrent requests) against `npm start`'s embedded default on this machine.
 *
 * Scenarios, each on a fresh stack (fresh SQLite file) so one does not load the next:
 * ceilings (bare Express, bare workflow starts), intake burst, correlated burst (when POST
 * /signals exists), deadline precision. Each run writes `bench/results/<time>-<label>.json`
 * and `.md`; a run with every default (no BENCH_* size or scenario set), or with
 * BENCH_UPDATE_RESULTS=1, also replaces the generated block of `bench/RESULTS.md`.
 *
 * BENCH_TEMPORAL=postgres runs every stack on a real Temporal server on PostgreSQL instead of
 * the dev server (bench/postgres-temporal.ts); the result says which persistence it measured.
 *
 * Environment: see bench/config.ts. Variables named WORKER_* (bench/worker-tuning.cjs), DEV_SERVER_EXTRA_ARGS (bench/temporal-cli.sh), RATE_LIMIT_* and INTAKE_* reach the
 * stack unchanged and are recorded with the result (the tuning being tried).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { runCeilings, type CeilingsResult } from './ceilings';
import { isDefaultRun, readBenchConfig, type BenchConfig } from './config';
import { runCorrelated, type CorrelatedResult } from './correlated';
import { runDeadline, type DeadlineResult } from './deadline';
import { runIntake, type IntakeResult } from './intake';
import { ensureTemporalBinaries } from '../scripts/temporal-binaries';
import { renderReport } from './markdown';
import { describePostgresTemporal } from './postgres-temporal';
import { repositoryRoot } from './stack';

export interface BenchRun {
  startedAt: string;
  finishedAt: string;
  command: string;
  config: Omit<BenchConfig, 'BENCH_SCENARIOS'> & { scenarios: string[] };
  machine: {
    cores: number;
    cpu: string;
    memoryGiB: number;
    node: string;
    temporal: string;
    /** The Temporal service's persistence (BENCH_TEMPORAL): the dev server's SQLite, or a Temporal server on PostgreSQL. */
    persistence: string;
    loadBefore: string;
    loadAfter: string;
  };
  ceilings?: CeilingsResult;
  intake?: IntakeResult;
  correlated?: CorrelatedResult;
  deadline?: DeadlineResult;
  errors: Record<string, string>;
}

function say(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function commandOf(config: BenchConfig): string {
  const set = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_') || Object.keys(config.tuning).includes(name))
    .map(([name, value]) => `${name}=${/^[\w.,:=/-]*$/.test(value ?? '') ? value : `'${value}'`}`);
  return [...set, 'npm run bench'].join(' ');
}

async function main(): Promise<number> {
  const config = readBenchConfig();
  const temporal = execFileSync(ensureTemporalBinaries().temporal, ['--version'], { encoding: 'utf8' }).trim();
  // Built here, before any scenario, when it is not yet (scripts/install-temporal-server.sh).
  const persistence =
    config.BENCH_TEMPORAL === 'postgres'
      ? describePostgresTemporal()
      : `Temporal CLI dev server on a SQLite file (WAL), 1 history shard${process.env.DEV_SERVER_EXTRA_ARGS ? ` (extra arguments: ${process.env.DEV_SERVER_EXTRA_ARGS})` : ''}`;
  const result: BenchRun = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    command: commandOf(config),
    config: { ...config, scenarios: config.BENCH_SCENARIOS },
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      temporal: config.BENCH_TEMPORAL === 'postgres' ? `${temporal.split('\n')[0]} (its dev server not used)` : temporal,
      persistence,
      loadBefore: readFileSync('/proc/loadavg', 'utf8').trim(),
      loadAfter: '',
    },
    errors: {},
  };
  say(`${result.command} (${config.BENCH_SCENARIOS.join(', ')})`);
  const scenarios: Record<string, () => Promise<void>> = {
    ceilings: async () => void (result.ceilings = await runCeilings(config, say)),
    intake: async () => void (result.intake = await runIntake(config, say)),
    correlated: async () => void (result.correlated = await runCorrelated(config, say)),
    deadline: async () => void (result.deadline = await runDeadline(config, say)),
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say('interrupted: stopping after the current scenario (again to abort at once)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  for (const name of config.BENCH_SCENARIOS) {
    if (interrupted) break;
    try {
      await scenarios[name]!();
    } catch (err) {
      result.errors[name] = err instanceof Error ? (err.stack ?? err.message) : String(err);
      say(`${name} failed: ${result.errors[name]}`);
    }
  }
  result.finishedAt = new Date().toISOString();
  result.machine.loadAfter = readFileSync('/proc/loadavg', 'utf8').trim();

  const folder = join(repositoryRoot, 'bench', 'results');
  mkdirSync(folder, { recursive: true });
  const stem = `${result.startedAt.replace(/[:.]/g, '-').slice(0, 19)}-${config.BENCH_LABEL}`;
  const markdown = renderReport(result);
  writeFileSync(join(folder, `${stem}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(folder, `${stem}.md`), markdown);
  say(`results: bench/results/${stem}.md`);
  if ((isDefaultRun() || process.env.BENCH_UPDATE_RESULTS === '1') && Object.keys(result.errors).length === 0 && !interrupted) {
    updateResultsFile(markdown, `bench/results/${stem}.json`);
    say('bench/RESULTS.md updated');
  }
  process.stdout.write(`\n${markdown}\n`);
  return Object.keys(result.errors).length === 0 ? 0 : 1;
}

const BEGIN = '<!-- bench:generated:begin -->';
const END = '<!-- bench:generated:end -->';

/** Replaces the generated block of RESULTS.md; the prose around it is kept. */
function updateResultsFile(markdown: string, source: string): void {
  const path = join(repositoryRoot, 'bench', 'RESULTS.md');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = `# Benchmark results\n\n${BEGIN}\n${END}\n`;
  }
  const block = `${BEGIN}\n<!-- written by npm run bench from ${source}; edit outside this block -->\n\n${markdown.trim()}\n${END}`;
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  text = start >= 0 && end > start ? text.slice(0, start) + block + text.slice(end + END.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, text);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[bench] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
