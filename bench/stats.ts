// Sample statistics for the benchmarks that time their own phases (bench/rbtree-helpers.ts,
// `ebpfvm bench`): benchmark.js times one function called in a loop, but a phase that changes
// the tree (add a batch, then remove it) has to be timed as a whole and reset between samples,
// so those suites collect samples themselves and summarise them here the way benchmark.js does
// (mean, relative margin of error at 95% from Student's t), plus the fastest sample and
// percentiles.

/** Two-sided 95% Student's t critical values by degrees of freedom (benchmark.js's table). */
const T95: readonly number[] = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093,
  2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tCritical(df: number): number {
  if (df < 1) return NaN;
  return df <= T95.length ? T95[df - 1]! : 1.96;
}

export interface SampleStats {
  /** Number of samples. */
  n: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p99: number;
  /** Sample standard deviation. */
  sd: number;
  /** Relative margin of error, percent (95%). 0 with a single sample. */
  rme: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): SampleStats {
  const n = samples.length;
  if (n === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? samples.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) : 0;
  const sd = Math.sqrt(variance);
  const sem = n > 1 ? sd / Math.sqrt(n) : 0;
  const rme = mean !== 0 && n > 1 ? ((sem * tCritical(n - 1)) / mean) * 100 : 0;
  return { n, mean, min: sorted[0]!, max: sorted[n - 1]!, p50: percentile(sorted, 50), p99: percentile(sorted, 99), sd, rme };
}

/** Nanoseconds since an arbitrary origin, as a float (sub-microsecond phases need hrtime). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}
