// `ebpfvm bench x.o --prog P [--data f] [--ctx f] [--time 2s] [--json]`: the user-facing version
// of `bpftool prog run ... repeat N`. Runs the program as BPF_PROG_TEST_RUN does (same input
// rules, same `repeat` semantics: writes accumulate) in samples of K runs each (K chosen after a
// warm-up so a sample lasts about a millisecond) for the given time, and prints the mean, p50
// and p99 per run (over the samples' means), runs per second, instructions per second and the
// relative margin of error. Bad input (unknown program, input the kernel refuses, a bad --time)
// exits 2; a fault exits 1.
//
// The statistics live here because this is the package's public face for them; bench/stats.ts
// (the benchmark harness) re-exports them.
import os from 'node:os';
import type { Command } from 'commander';
import { UsageError, VmFault } from '../../errors.js';
import { readBytes } from '../../node.js';
import { loadProgramForRun } from '../load-program.js';
import { runnableProgram } from '../../verify.js';
import { Runtime } from '../../runtime.js';
import { testRun, type TestRunInput } from '../../test-run-api.js';
import type { RegisterCommand } from './index.js';
import { ENGINE_HELP, parseEngine } from '../engine.js';
import type { Engine } from '../../../vm/interpreter.js';
import { writeErr, writeOut } from '../output.js';

// ---- statistics ----------------------------------------------------------------------------

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
  n: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p99: number;
  /** Sample standard deviation. */
  sd: number;
  /** Relative margin of error, percent, at 95%. 0 with a single sample. */
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
  const sd = n > 1 ? Math.sqrt(samples.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const rme = mean !== 0 && n > 1 ? ((sd / Math.sqrt(n)) * tCritical(n - 1) * 100) / mean : 0;
  return { n, mean, min: sorted[0]!, max: sorted[n - 1]!, p50: percentile(sorted, 50), p99: percentile(sorted, 99), sd, rme };
}

/** '2s', '500ms', '1.5s', '1m' or a bare number of seconds → milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(s.trim());
  if (!m) throw new UsageError(`--time: '${s}' is not a duration (e.g. 2s, 500ms)`);
  const v = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  if (!(v > 0) || v > 3_600_000) throw new UsageError(`--time: ${s} is out of range (0 < time <= 1h)`);
  return v;
}

// ---- the command ---------------------------------------------------------------------------

interface BenchOptions {
  prog?: string;
  data?: string;
  ctx?: string;
  time: string;
  json?: boolean;
  maxInsns?: number;
  verify?: boolean;
  strict?: boolean;
  /** An engine, or 'both' (side by side, same inputs, one process). */
  engine?: Engine | 'both';
}

export interface ProgBenchResult {
  object: string;
  program: string;
  mode: 'verified' | 'unverified';
  engine: Engine;
  /** Code generation for the compiled engine (ms, on the first run; 0 for the interpreter). */
  compileMs: number;
  runs: number;
  samples: number;
  runsPerSample: number;
  seconds: number;
  meanNs: number;
  p50Ns: number;
  p99Ns: number;
  minNs: number;
  rme: number;
  opsPerSec: number;
  insnsPerRun: number;
  insnsPerSec: number;
  retval: number;
  load: number[];
}

const uint = (flag: string) => (v: string): number => {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`${flag}: '${v}' is not a non-negative integer`);
  return Number(v);
};

export const registerBench: RegisterCommand = (program: Command, setExit) => {
  program
    .command('bench')
    .description('benchmark a program: mean, p50, p99, runs/s and margin of error over repeated test runs (bpftool prog run ... repeat)')
    .argument('<object>', 'clang-built BPF object (.o)')
    .option('--prog <name>', 'program to run (may be omitted when the object has one program)')
    .option('--data <file>', 'packet data (data_in), binary')
    .option('--ctx <file>', 'context (ctx_in), binary')
    .option('--time <duration>', 'how long to measure, after a warm-up of a tenth of it (e.g. 2s, 500ms)', '2s')
    .option('--max-insns <n>', 'instruction budget per run (default: 100 million unverified, none for a verified program, as in the kernel)', uint('--max-insns'))
    .option('--verify', 'verify first (the default); a rejected program exits 1 with the verifier message')
    .option('--no-verify', 'benchmark without verifying')
    .option('--strict', "verify with the rbtree verifier's strict mode")
    .option('--engine <name>', `${ENGINE_HELP}; 'both' measures the two side by side`, (v: string) => (v === 'both' ? v : parseEngine(v)))
    .option('--json', 'print one JSON object')
    .action((objPath: string, opts: BenchOptions) => {
      setExit(benchCommand(objPath, opts));
    });
};

export function benchProgram(objPath: string, opts: Omit<BenchOptions, 'engine'> & { engine?: Engine }): ProgBenchResult {
  const timeMs = parseDuration(opts.time);
  const runtime = new Runtime({ ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}), ...(opts.engine !== undefined ? { engine: opts.engine } : {}) });
  const { obj, progName, verdict } = loadProgramForRun(runtime, objPath, {
    ...(opts.prog !== undefined ? { prog: opts.prog } : {}),
    ...(opts.verify !== undefined ? { verify: opts.verify } : {}),
    ...(opts.strict ? { strict: true } : {}),
  });
  const prog = runnableProgram(obj.program(progName));
  const input: TestRunInput = {
    ...(opts.data !== undefined ? { data: readBytes(opts.data) } : {}),
    ...(opts.ctx !== undefined ? { ctx: readBytes(opts.ctx) } : {}),
    // verified (the default): measured as the kernel runs it, without an instruction budget unless
    // --max-insns, on the compiled engine's variant that uses the verifier's facts
    ...(verdict !== undefined ? { verified: true, ...(opts.maxInsns !== undefined ? { maxInsns: opts.maxInsns } : {}) } : {}),
  };
  // One run first: refused input and faults surface before any timing.
  const first = testRun(runtime, prog, input);
  const insnsPerRun = first.insnCount;
  // Warm up first (the JIT tiers up on the interpreter's hot loop), then calibrate K so one
  // sample takes about 1 ms: timer noise stays well below 1%, and a cold first run cannot
  // choose K.
  const warmEnd = performance.now() + timeMs / 10;
  while (performance.now() < warmEnd) testRun(runtime, prog, input);
  let k = 1;
  for (;;) {
    const r = testRun(runtime, prog, { ...input, repeat: k });
    if (r.durationNs * k >= 1e6 || k >= 1 << 20) break;
    k *= r.durationNs * k < 1e5 ? 10 : 2;
  }
  const sample = () => testRun(runtime, prog, { ...input, repeat: k });
  const means: number[] = [];
  let retval = first.retval;
  const t0 = performance.now();
  const end = t0 + timeMs;
  // At least 5 samples so the margin of error means something, even with a short --time.
  while (performance.now() < end || means.length < 5) {
    const r = sample();
    // durationNs is the test run's own mean per run (ns, clamped like the kernel's u32).
    means.push(r.durationNs);
    retval = r.retval;
  }
  const seconds = (performance.now() - t0) / 1000;
  const st = summarize(means);
  return {
    object: objPath,
    program: progName,
    mode: verdict ? 'verified' : 'unverified',
    engine: runtime.interpreter.engine,
    compileMs: runtime.interpreter.compileStats.compileMs,
    runs: means.length * k,
    samples: means.length,
    runsPerSample: k,
    seconds,
    meanNs: st.mean,
    p50Ns: st.p50,
    p99Ns: st.p99,
    minNs: st.min,
    rme: st.rme,
    opsPerSec: 1e9 / st.mean,
    insnsPerRun,
    insnsPerSec: (insnsPerRun * 1e9) / st.mean,
    retval,
    load: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const fmt = (ns: number) => (ns < 1e3 ? `${ns.toFixed(1)} ns` : ns < 1e6 ? `${(ns / 1e3).toFixed(2)} µs` : `${(ns / 1e6).toFixed(2)} ms`);
const rate = (x: number) => (x >= 1e9 ? `${(x / 1e9).toFixed(2)} G` : x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(1) + ' ');

function benchCommand(objPath: string, opts: BenchOptions): number {
  const engines: (Engine | undefined)[] = opts.engine === 'both' ? ['interpreter', 'compiled'] : [opts.engine];
  let rs: ProgBenchResult[];
  try {
    rs = engines.map((engine) => {
      const { engine: _both, ...rest } = opts;
      return benchProgram(objPath, { ...rest, ...(engine !== undefined ? { engine } : {}) });
    });
  } catch (e) {
    if (e instanceof VmFault) {
      writeErr(`ebpfvm: fault: ${e.message}\n`);
      return 1;
    }
    throw e; // UsageError and friends: exit 2 through the CLI's error handler
  }
  if (opts.json) {
    const speedup = rs.length === 2 ? { speedup_p50: rs[0]!.p50Ns / rs[1]!.p50Ns } : {};
    writeOut(JSON.stringify(rs.length === 1 ? rs[0] : { engines: rs, ...speedup }) + '\n');
    return 0;
  }
  for (const r of rs) printBench(r);
  if (rs.length === 2) {
    const x = rs[0]!.p50Ns / rs[1]!.p50Ns;
    writeOut(`compiled vs interpreter: ${x >= 1 ? `${x.toFixed(2)}x faster` : `${(1 / x).toFixed(2)}x slower`} (p50, same process, measured one after the other)\n`);
  }
  return 0;
}

function printBench(r: ProgBenchResult): void {
  const cores = os.cpus().length;
  writeOut(
    `${r.program}: ${r.runs} runs in ${r.seconds.toFixed(2)} s (${r.samples} samples of ${r.runsPerSample}), ${r.mode} mode, return value ${r.retval}, ${r.engine} engine${r.engine === 'compiled' ? ` (compiled in ${r.compileMs.toFixed(2)} ms)` : ''}\n` +
      `  mean ${fmt(r.meanNs)} ±${r.rme.toFixed(2)}%   p50 ${fmt(r.p50Ns)}   p99 ${fmt(r.p99Ns)}   fastest ${fmt(r.minNs)}   (per run; percentiles over sample means)\n` +
      `  ${rate(r.opsPerSec)}runs/s   ${r.insnsPerRun} insns/run   ${rate(r.insnsPerSec)}insn/s\n` +
      `  load average ${r.load.join(' ')} on ${cores} cores${r.load[0]! / cores > 0.75 ? ' (busy: expect slower, noisier figures)' : ''}\n`,
  );
}
