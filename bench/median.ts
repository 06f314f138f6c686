/**
 * The median item of a bench's repeated runs: the upper one of an even
 * count, as every figure in RESULTS.md takes it.
 */
export function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  const median = sorted[Math.floor(sorted.length / 2)];
  if (median === undefined) throw new Error('a median of no runs');
  return median;
}
