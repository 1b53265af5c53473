// Verification speed against the host kernel (issue 17): for the largest programs of the kernel's
// own selftests (pyperf*, strobemeta, test_verif_scale*, loop1: the programs prog_tests/
// bpf_verif_scale.c loads) and verify_speed.o's 1M-processed loop, ebpfvm's verifier time beside
// the kernel's own `verification time N usec`, read from the log of a load at log level 4 (the
// recording harness test/kernel/harness/verifier-harness.c, HARNESS_LOG_LEVEL=4; loading and BTF
// parsing are outside both figures). Each row also compares what the two verifiers concluded:
// the verdict and the processed count. A verdict that differs is reported in the row's note, not
// hidden; the time ratio of such a row compares different work.
//
// Optional parts: the kernel side needs root, Linux with BPF and the harness that `npm run
// kernel:tree` builds; the selftest objects come from the same script (nothing of the kernel tree
// is committed). Without them the suite reports why and times ebpfvm on the committed object only.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { load, openObject } from '../src/loader/index.js';
import { Runtime } from '../src/runtime.js';
import { verifyProgram } from '../src/verify.js';
import { registerSuite, type BenchResult } from './registry.js';
import { nowNs, summarize } from './stats.js';
import { repoPath } from './paths.js';

const BUILD = process.env.EBPFVM_KERNEL_BUILD ?? join(homedir(), '.cache/ebpfvm/build');
const HARNESS = join(BUILD, 'verifier-harness');
const SELFTEST_OBJS = join(BUILD, 'progs');

interface Case {
  /** Object path, and the program in it. */
  obj: string;
  prog: string;
  /** Where the object comes from, for the row's name. */
  label: string;
}

const CASES: readonly Case[] = [
  { obj: repoPath('test/progs/verifier/verify_speed.o'), prog: 'loop_1m', label: 'verify_speed.o' },
  ...[
    ['pyperf50', 'on_event'],
    ['pyperf100', 'on_event'],
    ['pyperf180', 'on_event'],
    ['pyperf600', 'on_event'],
    ['pyperf_global', 'on_event'],
    ['strobemeta', 'on_event'],
    ['test_verif_scale1', 'balancer_ingress'],
    ['test_verif_scale2', 'balancer_ingress'],
    ['test_verif_scale3', 'balancer_ingress'],
    ['loop1', 'nested_loops'],
    ['loop3', 'while_true'],
  ].map(([o, p]) => ({ obj: join(SELFTEST_OBJS, `${o}.o`), prog: p!, label: `selftests ${o}.o` })),
];

export interface KernelVerdict {
  loaded: boolean;
  /** The kernel's `verification time`, ns. */
  ns: number;
  processed: number;
}

/** Why the kernel side cannot run here, or undefined when it can. */
export function kernelVerifyUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync(HARNESS)) return `no recording harness at ${HARNESS} (npm run kernel:tree builds it)`;
  return undefined;
}

/** Parse the tail of a log-level-4 log: `verification time N usec` and `processed N insns`. */
export function parseKernelStats(log: string): { ns: number; processed: number } | undefined {
  const t = /verification time (\d+) usec/.exec(log);
  const p = /processed (\d+) insns/.exec(log);
  if (!t || !p) return undefined;
  return { ns: Number(t[1]) * 1000, processed: Number(p[1]) };
}

/** One load of `c` in the host kernel at log level 4. */
function kernelOnce(c: Case): KernelVerdict {
  let out: string;
  try {
    out = execFileSync(HARNESS, [c.obj, c.prog], {
      encoding: 'utf8',
      env: { ...process.env, HARNESS_LOG_LEVEL: '4' },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 << 20,
    });
  } catch (e) {
    // The harness exits non-zero when the load fails; its JSON is still on stdout.
    out = String((e as { stdout?: string }).stdout ?? '');
  }
  const line = out.trim().split('\n').pop() ?? '';
  let rec: { loaded?: boolean; log?: string };
  try {
    rec = JSON.parse(line) as { loaded?: boolean; log?: string };
  } catch {
    throw new Error(`verify-kernel: the harness printed no result for ${c.label} ${c.prog}: ${out.slice(0, 200)}`);
  }
  const stats = parseKernelStats(rec.log ?? '');
  if (!stats) throw new Error(`verify-kernel: no verification time in the kernel's log for ${c.label} ${c.prog}`);
  return { loaded: rec.loaded === true, ...stats };
}

/** One verification of `c` by ebpfvm (loading is not timed). */
function ebpfvmOnce(c: Case): { ns: number; accepted: boolean; processed: number; error?: string } {
  const spec = openObject(new Uint8Array(readFileSync(c.obj)), { name: c.label });
  const obj = load(new Runtime(), spec, { programs: [c.prog] });
  const t0 = nowNs();
  const r = verifyProgram(obj, c.prog);
  const ns = nowNs() - t0;
  return { ns, accepted: r.accepted, processed: r.processed, error: r.error };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function verifyKernelRows(samples: number, progress: (m: string) => void): BenchResult[] {
  const why = kernelVerifyUnavailable();
  const out: BenchResult[] = [];
  for (const c of CASES) {
    if (!existsSync(c.obj)) {
      progress(`verify-kernel: ${c.obj} missing (npm run kernel:tree builds the selftest objects); skipped`);
      continue;
    }
    progress(`verify-kernel: ${c.label} ${c.prog}`);
    // Interleave the two sides so load on the machine falls on both alike.
    const ours: number[] = [];
    const theirs: number[] = [];
    let mine: ReturnType<typeof ebpfvmOnce> | undefined;
    let kernel: KernelVerdict | undefined;
    ebpfvmOnce(c); // warm-up
    for (let i = 0; i < samples; i++) {
      mine = ebpfvmOnce(c);
      ours.push(mine.ns);
      if (!why) {
        kernel = kernelOnce(c);
        theirs.push(kernel.ns);
      }
    }
    const s = summarize(ours);
    const notes: string[] = [];
    notes.push(`ebpfvm ${mine!.accepted ? 'accepts' : `refuses (${mine!.error ?? '?'})`}, ${mine!.processed} insns processed`);
    const params: Record<string, string | number> = { obj: c.label, prog: c.prog, processed: mine!.processed };
    if (kernel) {
      const k = median(theirs);
      const ratio = s.p50 / k;
      params.kernelNs = k;
      params.kernelProcessed = kernel.processed;
      params.ratio = Number(ratio.toFixed(2));
      notes.push(`kernel ${kernel.loaded ? 'accepts' : 'refuses'}, ${kernel.processed} processed, verification time ${(k / 1e6).toFixed(1)} ms (median of ${theirs.length})`);
      notes.push(`ebpfvm/kernel time ${ratio.toFixed(2)}x (medians)`);
      if (kernel.loaded !== mine!.accepted) notes.push('VERDICTS DIFFER');
      else if (kernel.processed !== mine!.processed) notes.push(`processed counts differ by ${mine!.processed - kernel.processed}`);
    } else {
      notes.push(`kernel side not run: ${why}`);
    }
    out.push({
      name: `verify-kernel/${c.label} ${c.prog}`,
      tags: ['verify', 'kernel'],
      meanNs: s.mean,
      minNs: s.min,
      p50Ns: s.p50,
      rme: s.rme,
      samples: s.n,
      throughput: mine!.processed / (s.p50 / 1e9),
      unit: 'insn',
      mode: 'n/a',
      params,
      note: notes.join('; '),
    });
  }
  return out;
}

registerSuite({
  name: 'verify-kernel/ebpfvm and the host kernel verifying the largest selftests',
  tags: ['verify', 'kernel'],
  mode: 'n/a',
  fn: () => {},
  rows: ({ quick, progress }) => verifyKernelRows(quick ? 1 : 3, progress),
});
