// The benchmark registry: suites register themselves (one module per area: bench/vm.ts,
// bench/rbtree.ts, ...) and bench/main.ts runs the selected ones through benchmark.js, printing a
// table or JSON. A suite's `check` runs once before timing so a benchmark of a wrong result fails
// loudly instead of printing a fast number.
import os from 'node:os';
import Benchmark from 'benchmark';

export interface BenchSuite<S = unknown> {
  /** Unique, e.g. 'vm/alu64-loop'. */
  name: string;
  /** For selection on the command line ('vm', 'rbtree', 'quick', ...). */
  tags: readonly string[];
  /** Builds the state once, untimed. */
  setup?: () => S;
  /** The timed body. */
  fn: (state: S) => void;
  /** Verifies one run's result, untimed; throw when it is wrong. */
  check?: (state: S) => void;
  /** Work done per `fn` call (e.g. BPF instructions), for a throughput column. */
  units?: number | ((state: S) => number);
  /** Name of a unit, e.g. 'insn'. */
  unit?: string;
  /** A figure that is not a timing (bytes per node, ...): computed once, reported as is. */
  measure?: (state: S) => { value: number; unit: string };
  /** A suite that runs its own protocol and returns several rows (the rbtree helper matrix):
   *  used when one timed call cannot be repeated without resetting state in between. */
  rows?: (ctx: { quick: boolean; progress: (msg: string) => void }) => BenchResult[];
  /** 'unverified' for programs the suite runs on the VM without the verifier, 'n/a' for plain JS. */
  mode?: 'verified' | 'unverified' | 'n/a';
}

export interface BenchResult {
  name: string;
  tags: readonly string[];
  /** Mean time per fn call in ns (absent for measure-only suites). */
  meanNs?: number;
  /** Fastest sample's mean time per call in ns: steadier than the mean on a loaded machine. */
  minNs?: number;
  /** Relative margin of error, percent. */
  rme?: number;
  samples?: number;
  opsPerSec?: number;
  /** units per second when `units` is given. */
  throughput?: number;
  unit?: string;
  /** For measure-only suites. */
  value?: number;
  /** Median sample, ns per call (self-timed suites). */
  p50Ns?: number;
  /** How the VM ran the program: every VM figure is unverified until the verifier exists. */
  mode?: 'verified' | 'unverified' | 'n/a';
  /** Structured coordinates for tables and charts (impl, op, size, keys, ...). */
  params?: Record<string, string | number>;
  /** 1-minute load average per core when the result was taken. */
  loadPerCore?: number;
  note?: string;
}

const SUITES: BenchSuite<any>[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any

export function registerSuite<S>(suite: BenchSuite<S>): void {
  if (SUITES.some((s) => s.name === suite.name)) throw new Error(`benchmark suite '${suite.name}' registered twice`);
  SUITES.push(suite);
}

export function allSuites(): readonly BenchSuite<unknown>[] {
  return SUITES;
}

export interface RunOptions {
  /** Short runs (CI smoke): ~0.2 s per suite instead of ~2 s. */
  quick?: boolean;
  /** Run suites whose name or a tag contains one of these strings (all when empty). */
  filter?: readonly string[];
  onResult?: (r: BenchResult) => void;
  /** Progress inside long suites. */
  onProgress?: (msg: string) => void;
}

export function selectSuites(filter: readonly string[] = []): BenchSuite<unknown>[] {
  if (filter.length === 0) return [...SUITES];
  return SUITES.filter((s) => filter.some((f) => s.name.includes(f) || s.tags.includes(f)));
}

/** Run one suite synchronously. */
export function runSuite<S>(suite: BenchSuite<S>, opts: RunOptions = {}): BenchResult {
  const r = runOne(suite, opts);
  r.loadPerCore = Math.round((os.loadavg()[0]! / Math.max(1, os.cpus().length)) * 100) / 100;
  if (suite.mode && !r.mode) r.mode = suite.mode;
  return r;
}

function runOne<S>(suite: BenchSuite<S>, opts: RunOptions): BenchResult {
  const state = (suite.setup ? suite.setup() : undefined) as S;
  suite.check?.(state);
  if (suite.measure) {
    const m = suite.measure(state);
    return { name: suite.name, tags: suite.tags, value: m.value, unit: m.unit };
  }
  const bench = new Benchmark(suite.name, () => suite.fn(state), {
    maxTime: opts.quick ? 0.2 : 2,
    minSamples: opts.quick ? 5 : 20,
    initCount: 1,
  });
  bench.run();
  if (bench.error) throw bench.error;
  const meanNs = bench.stats.mean * 1e9;
  const units = typeof suite.units === 'function' ? suite.units(state) : suite.units;
  const r: BenchResult = {
    name: suite.name,
    tags: suite.tags,
    meanNs,
    minNs: Math.min(...bench.stats.sample) * 1e9,
    rme: bench.stats.rme,
    samples: bench.stats.sample.length,
    opsPerSec: bench.hz,
  };
  if (units !== undefined) {
    r.throughput = units / bench.stats.mean;
    r.unit = suite.unit ?? 'unit';
  }
  suite.check?.(state);
  return r;
}

export function runSuites(opts: RunOptions = {}, suites = selectSuites(opts.filter)): BenchResult[] {
  const out: BenchResult[] = [];
  for (const s of suites) {
    if (s.rows) {
      const load = Math.round((os.loadavg()[0]! / Math.max(1, os.cpus().length)) * 100) / 100;
      for (const r of s.rows({ quick: !!opts.quick, progress: opts.onProgress ?? (() => {}) })) {
        r.loadPerCore ??= load;
        if (s.mode && !r.mode) r.mode = s.mode;
        out.push(r);
        opts.onResult?.(r);
      }
      continue;
    }
    const r = runSuite(s, opts);
    out.push(r);
    opts.onResult?.(r);
  }
  return out;
}

/** Human-readable time. */
export function fmtNs(ns: number): string {
  if (ns < 1e3) return `${ns.toFixed(1)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

export function fmtRate(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(1);
}

/** One table row per result. */
export function formatRow(r: BenchResult): string {
  if (r.value !== undefined) return `${r.name.padEnd(40)} ${`${r.value.toFixed(1)} ${r.unit}`.padStart(16)}`;
  const time = fmtNs(r.meanNs!).padStart(12);
  const rme = `±${r.rme!.toFixed(1)}%`.padStart(8);
  const best = `best ${fmtNs(r.minNs!)}`.padStart(16);
  const tp = r.throughput !== undefined ? `  ${fmtRate(r.throughput)}${r.unit}/s (best ${fmtRate((r.throughput * r.meanNs!) / r.minNs!)}${r.unit}/s)` : '';
  return `${r.name.padEnd(40)} ${time} ${rme} ${best}${tp}${r.note ? `  (${r.note})` : ''}`;
}
