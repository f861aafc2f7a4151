// Mean ± sample standard deviation over seeds, and how the tables print them.

export interface Stat {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  std: number;
  count: number;
}

export function stat(values: readonly number[]): Stat | null {
  const xs = values.filter((x) => Number.isFinite(x));
  if (xs.length === 0) return null;
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.length > 1 ? xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), count: xs.length };
}

/** "0.632 ± 0.012" (± only with two or more seeds), "—" when nothing was measured. */
export function formatStat(s: Stat | null, digits = 3): string {
  if (!s) return '—';
  return s.count > 1 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits);
}
