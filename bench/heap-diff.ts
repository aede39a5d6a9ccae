/**
 * What grew between two V8 heap snapshots of the same isolate (bench/workflow-memory.ts with
 * MEMORY_THREAD_SNAPSHOTS writes two of the workflow thread): self size and count by node type
 * and constructor/name, the larger growth first, and per added workflow when told how many.
 *
 *   npx tsx bench/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [workflows added] [rows=30]
 */
import { readFileSync } from 'node:fs';

interface Totals {
  size: number;
  count: number;
}

function totals(file: string): { byName: Map<string, Totals>; all: number } {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const byName = new Map<string, Totals>();
  let all = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    const size = snapshot.nodes[i + sizeAt]!;
    // Strings by kind only (their text would make every one its own row).
    const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '' : snapshot.strings[snapshot.nodes[i + nameAt]!]!.slice(0, 60);
    const key = `${type} ${name}`;
    const entry = byName.get(key) ?? { size: 0, count: 0 };
    entry.size += size;
    entry.count += 1;
    byName.set(key, entry);
    all += size;
  }
  return { byName, all };
}

function main(): void {
  const [before, after, addedArg, rowsArg] = process.argv.slice(2);
  if (!before || !after) throw new Error('usage: npx tsx bench/heap-diff.ts <before> <after> [workflows added] [rows]');
  const added = Number(addedArg ?? 0);
  const rows = Number(rowsArg ?? 30);
  const a = totals(before);
  const b = totals(after);
  const grown = [...b.byName]
    .map(([key, { size, count }]) => ({ key, size: size - (a.byName.get(key)?.size ?? 0), count: count - (a.byName.get(key)?.count ?? 0) }))
    .sort((x, y) => y.size - x.size);
  const per = (bytes: number) => (added > 0 ? ` ${(bytes / added).toFixed(0).padStart(8)} B/wf` : '');
  console.log(`heap ${(a.all / 2 ** 20).toFixed(1)} → ${(b.all / 2 ** 20).toFixed(1)} MiB, grew ${((b.all - a.all) / 1024).toFixed(0)} KiB${added > 0 ? `, ${((b.all - a.all) / 1024 / added).toFixed(1)} KiB per workflow` : ''}`);
  for (const { key, size, count } of grown.slice(0, rows)) {
    console.log(`${(size / 1024).toFixed(0).padStart(9)} KiB${per(size)} ${String(count).padStart(9)} objects${added > 0 ? ` (${(count / added).toFixed(1)}/wf)` : ''}  ${key}`);
  }
}

main();
