// Issue 7: bench/cache-hits.ts plays workflow tasks through a least-recently-used cache, as the
// SDK's workflow cache keeps runs. Checked on access patterns whose outcome is known by hand.
import { simulate } from '../../bench/cache-hits';

const at = (entries: Record<string, number[]>) => new Map(Object.entries(entries));

test('incidents touched in turn, one more than the cache holds: every later task misses (the scan that defeats LRU)', () => {
  // a, b, c at 0-2 s, again at 10-12 s, again at 20-22 s.
  const times = at({ a: [0, 10_000, 20_000], b: [1_000, 11_000, 21_000], c: [2_000, 12_000, 22_000] });
  expect(simulate(times, [2, 3])).toEqual([
    { size: 2, hits: 0, misses: 6 },
    { size: 3, hits: 6, misses: 0 },
  ]);
});

test('a task soon after the same incident’s last one hits even in a small cache; first tasks count as neither', () => {
  const times = at({ a: [0, 500, 30_000], b: [1_000], c: [2_000] });
  // a's second task comes before anything else: a hit. Its third comes after b and c pushed it out of a cache of 2.
  expect(simulate(times, [1, 2, 3])).toEqual([
    { size: 1, hits: 1, misses: 1 },
    { size: 2, hits: 1, misses: 1 },
    { size: 3, hits: 2, misses: 0 },
  ]);
});

test('from: only tasks at or after it count, the earlier ones still fill the cache', () => {
  const times = at({ a: [0, 10_000], b: [1_000, 11_000] });
  expect(simulate(times, [2], 10_500)).toEqual([{ size: 2, hits: 1, misses: 0 }]);
  expect(simulate(times, [1], 10_500)).toEqual([{ size: 1, hits: 0, misses: 1 }]);
});
