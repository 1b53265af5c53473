// Sample statistics for the benchmarks that time their own phases (bench/rbtree-helpers.ts,
// `ebpfvm bench`): benchmark.js times one function called in a loop, but a phase that changes
// the tree (add a batch, then remove it) has to be timed as a whole and reset between samples,
// so those suites collect samples themselves and summarise them here the way benchmark.js does
// (mean, relative margin of error at 95% from Student's t), plus the fastest sample and
// percentiles. The statistics themselves are `ebpfvm bench`'s (src/cli/commands/bench.ts), so the
// harness and the command report the same way.

export { percentile, summarize, tCritical, type SampleStats } from '../src/cli/commands/bench.js';

/** Nanoseconds since an arbitrary origin, as a float (sub-microsecond phases need hrtime). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}
