/**
 * Where a V8 CPU profile's time went, by function and by file (self time, samples × their
 * intervals): for the worker's profiles that `BENCH_WORKER_PROFILE=<folder> npm run bench` writes
 * (one file per thread; the workflow thread's is the one whose top files are the workflow bundle
 * and `runInContext`).
 *
 *   npx tsx bench/cpu-profile.ts <file.cpuprofile> [rows=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function top(totals: Map<string, number>, rows: number, all: number): string[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([name, us]) => `${(us / 1e6).toFixed(1).padStart(8)} s ${((100 * us) / all).toFixed(1).padStart(5)}%  ${name}`);
}

function main(): void {
  const [file, rowsArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: npx tsx bench/cpu-profile.ts <file.cpuprofile> [rows]');
  const rows = Number(rowsArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    all += us;
    const frame = nodes.get(id)?.callFrame;
    if (!frame) return;
    const name = frame.functionName || '(anonymous)';
    const where = frame.url ? `${frame.url.split('/').slice(-3).join('/')}:${frame.lineNumber + 1}` : '';
    const functionKey = `${name} ${where}`.trim();
    byFunction.set(functionKey, (byFunction.get(functionKey) ?? 0) + us);
    // A package's files count as the package.
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
    const fileKey = pkg ? `package ${pkg}` : frame.url || name;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
  });
  const busy = all - (byFunction.get('(idle)') ?? 0);
  console.log(`${file}: ${(all / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s not idle`);
  console.log('\nby file or package (self time):');
  for (const line of top(byFile, rows, all)) console.log(line);
  console.log('\nby function (self time):');
  for (const line of top(byFunction, rows, all)) console.log(line);
}

main();
