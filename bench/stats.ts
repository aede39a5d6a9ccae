/** Percentiles and formatting for the benchmark's reports. */

export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

/** Nearest-rank percentiles of `values` (any order); all zero for an empty list. */
export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, min: 0, mean: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return {
    count: sorted.length,
    p50: rank(50),
    p95: rank(95),
    p99: rank(99),
    max: sorted[sorted.length - 1]!,
    min: sorted[0]!,
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
  };
}

/** Milliseconds as `12 ms` or `3.40 s`. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) < 1000) return `${Math.round(value)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

export function mib(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

export function rate(count: number, seconds: number): string {
  return seconds > 0 ? `${(count / seconds).toFixed(1)}/s` : 'n/a';
}

export function percentLine(d: Distribution, format: (v: number) => string = ms): string {
  return `p50 ${format(d.p50)} · p95 ${format(d.p95)} · p99 ${format(d.p99)} · max ${format(d.max)}`;
}

/** Counts of each key, sorted by key, as `201×9990, 503×10`. */
export function countsLine(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([key, n]) => `${key}×${n}`).join(', ');
}
