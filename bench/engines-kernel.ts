// The compiled engine against the host kernel's JIT (issue 15's targets), in one run: the same
// object (bench/kernel/engines_kern.o: the 64-bit and 32-bit ALU loops of bench/programs.ts as
// naked asm, 1024 lookups in an array, a per-CPU array and a hash map) loaded in the kernel with
// bpftool and timed with `bpftool prog run ... repeat R` (the kernel's mean duration per run),
// and on the VM verified (the kernel only runs verified programs), on both engines. Each ALU loop
// has the empty program subtracted, each lookup loop the same loop without the lookup, on every
// side alike. VM samples are process CPU time (the kernel's test-run timer also stops while it
// yields the CPU, so on a shared machine wall time would charge only the VM for the load);
// samples of the three sides alternate, and the ratios use the fastest samples.
//
//   node dist/bench/engines-kernel.js [--quick] [--json]     (or npm run bench -- engines-kernel)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, openObject } from '../src/loader/index.js';
import { Runtime } from '../src/runtime.js';
import { runnableProgram, verifyProgram } from '../src/verify.js';
import type { Engine } from '../vm/interpreter.js';
import type { Program } from '../vm/program.js';
import { kernelUnavailable } from './kernel.js';
import { repoPath } from './paths.js';
import { registerSuite, type BenchResult } from './registry.js';
import { summarize } from './stats.js';
import { alu32Expected, aluLoopExpected } from './programs.js';

const OBJ = repoPath('bench/kernel/engines_kern.o');
const ENGINES: readonly Engine[] = ['interpreter', 'compiled'];

interface Workload {
  name: string;
  prog: string;
  base: string;
  units: number;
  unit: string;
  /** r0 of one run (checked on every side). */
  expected: bigint;
}

const WORKLOADS: readonly Workload[] = [
  { name: 'alu64 loop (9004 insns)', prog: 'alu64', base: 'empty', units: 9004, unit: 'insn', expected: aluLoopExpected(1000) & 0xffffffffn },
  { name: 'alu32 loop (9004 insns)', prog: 'alu32', base: 'empty', units: 9004, unit: 'insn', expected: alu32Expected(1000) },
  { name: 'array lookup (1024 lookups)', prog: 'array_lookup', base: 'loop', units: 1024, unit: 'lookup', expected: 1024n },
  { name: 'percpu array lookup (1024 lookups)', prog: 'percpu_lookup', base: 'loop', units: 1024, unit: 'lookup', expected: 1024n },
  { name: 'hash lookup (1024 lookups)', prog: 'hash_lookup', base: 'loop', units: 1024, unit: 'lookup', expected: 1024n },
];

function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

function bpftool(args: string[]): string {
  return execFileSync('bpftool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The object in the kernel, maps filled: run(prog, R) gives the kernel's mean ns per run. */
function kernelSide() {
  const pin = mkdtempSync('/sys/fs/bpf/ebpfvm-engines-');
  const tmp = mkdtempSync(join(tmpdir(), 'ebpfvm-engines-'));
  const pkt = join(tmp, 'pkt');
  writeFileSync(pkt, new Uint8Array(64)); // tc test runs need at least an Ethernet header
  const close = () => {
    rmSync(pin, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    bpftool(['prog', 'loadall', OBJ, join(pin, 'p'), 'pinmaps', join(pin, 'm')]);
  } catch (e) {
    close();
    throw new Error(`the kernel refused engines_kern.o: ${String((e as { stderr?: string }).stderr ?? e).trim().split('\n').slice(-3).join(' ')}`);
  }
  const run = (prog: string, repeat: number) => {
    const out = JSON.parse(bpftool(['-j', 'prog', 'run', 'pinned', join(pin, 'p', prog), 'data_in', pkt, 'repeat', String(repeat)])) as { retval: number; duration: number };
    return out;
  };
  const fill = run('fill', 1);
  if (fill.retval !== 0) {
    close();
    throw new Error(`kernel fill: ${fill.retval} updates failed`);
  }
  return { run, close };
}

/** The object on a VM runtime with one engine, every program verified, maps filled. */
function vmSide(engine: Engine) {
  const rt = new Runtime({ engine });
  const obj = load(rt, openObject(new Uint8Array(readFileSync(OBJ)), { name: 'engines_kern' } as never));
  const progs = new Map<string, Program>();
  for (const name of ['empty', 'alu64', 'alu32', 'fill', 'loop', 'array_lookup', 'percpu_lookup', 'hash_lookup']) {
    const v = verifyProgram(obj, name);
    if (!v.accepted) throw new Error(`engines_kern.o ${name} rejected by the verifier: ${v.error}`);
    progs.set(name, runnableProgram(obj.program(name)));
  }
  const exec = (name: string) => rt.execute(progs.get(name)!, { verified: true }).r0;
  if (exec('fill') !== 0n) throw new Error('VM fill failed');
  return { exec, compileStats: () => rt.interpreter.compileStats };
}

export function engineKernelRows(quick: boolean, progress: (m: string) => void = () => {}): BenchResult[] {
  const samples = quick ? 7 : 21;
  const why = kernelUnavailable();
  const kernel = why === undefined ? kernelSide() : undefined;
  const out: BenchResult[] = [];
  try {
    const vms = ENGINES.map((e) => vmSide(e));
    for (const w of WORKLOADS) {
      progress(`engines-kernel: ${w.name}`);
      for (const vm of vms) if ((vm.exec(w.prog) & 0xffffffffn) !== w.expected) throw new Error(`${w.prog}: wrong r0 on the VM`);
      // warm-up, untimed: V8 optimises the generated functions and tiers the Wasm loops up from
      // its baseline compiler in the background (on a loaded machine that takes a while)
      for (const vm of vms) {
        const end = performance.now() + (quick ? 300 : 1500);
        while (performance.now() < end) {
          vm.exec(w.prog);
          vm.exec(w.base);
        }
      }
      const per: number[][] = [[], [], []];
      const basePer: number[][] = [[], [], []];
      // runs per sample: about 20 ms (10 ms quick) of the program per engine, so that the CPU
      // clock's granularity and the baseline's noise stay small against the difference
      const target = quick ? 10e6 : 20e6;
      const reps = ENGINES.map((_, e) => {
        let k = 1;
        for (;;) {
          const t0 = cpuNs();
          for (let i = 0; i < k; i++) vms[e]!.exec(w.prog);
          const ns = cpuNs() - t0;
          if (ns >= target / 4) return Math.ceil((k * target) / Math.max(ns, 1));
          k *= 2;
        }
      });
      for (let s = 0; s < samples; s++) {
        ENGINES.forEach((_, e) => {
          const vm = vms[e]!;
          const k = reps[e]!;
          let t0 = cpuNs();
          for (let i = 0; i < k; i++) vm.exec(w.prog);
          const a = (cpuNs() - t0) / k;
          t0 = cpuNs();
          for (let i = 0; i < k; i++) vm.exec(w.base);
          const b = (cpuNs() - t0) / k;
          per[e]!.push(a / w.units);
          basePer[e]!.push(b / w.units);
        });
        if (kernel) {
          const r = kernel.run(w.prog, quick ? 2000 : 10000);
          const b = kernel.run(w.base, quick ? 2000 : 10000);
          if (BigInt(r.retval) !== w.expected) throw new Error(`${w.prog}: kernel retval ${r.retval}, expected ${w.expected}`);
          per[2]!.push(r.duration / w.units);
          basePer[2]!.push(b.duration / w.units);
        }
      }
      const sides = kernel ? [...ENGINES, 'kernel' as const] : [...ENGINES];
      // the baseline's fastest sample from the program's fastest, medians from medians (the
      // fastest difference of two noisy samples would favour the noise)
      const st = sides.map((_, i) => {
        const a = summarize(per[i]!);
        const b = summarize(basePer[i]!);
        return { n: a.n, min: a.min - b.min, p50: a.p50 - b.p50, mean: a.mean - b.mean, rme: a.rme };
      });
      sides.forEach((side, i) => {
        const s = st[i]!;
        const ratios: string[] = [];
        if (side === 'compiled') ratios.push(`interpreter/compiled ${(st[0]!.min / s.min).toFixed(2)}x`);
        if (side !== 'kernel' && kernel) ratios.push(`${(s.min / st[2]!.min).toFixed(2)}x the kernel`);
        out.push({
          name: `engines-kernel/${w.name} [${side}]`,
          tags: ['engines', 'kernel'],
          minNs: s.min,
          p50Ns: s.p50,
          meanNs: s.mean,
          rme: s.rme,
          samples: s.n,
          unit: w.unit,
          mode: 'verified',
          params: { workload: w.name, engine: side },
          note: `ns per ${w.unit}, ${side === 'kernel' ? 'bpftool prog run repeat, kernel JIT' : 'process CPU time'}, ${w.prog} minus ${w.base}; fastest of ${s.n} samples${ratios.length ? '; ' + ratios.join(', ') : ''}`,
        });
      });
    }
    if (why !== undefined) out.push({ name: 'engines-kernel/kernel column skipped', tags: ['engines', 'kernel'], value: 0, unit: 'skipped', note: why });
  } finally {
    kernel?.close();
  }
  return out;
}

registerSuite({
  name: 'engines-kernel/against the kernel JIT',
  tags: ['engines', 'kernel'],
  mode: 'verified',
  fn: () => {},
  rows: ({ quick, progress }) => engineKernelRows(quick, progress),
});

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file:').href) {
  const quick = process.argv.includes('--quick');
  const rows = engineKernelRows(quick, (m) => process.stderr.write(m + '\n'));
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
  else {
    const f = (x: number) => (x < 10 ? x.toFixed(3) : x.toFixed(1));
    const byW = new Map<string, BenchResult[]>();
    for (const r of rows) if (r.params) byW.set(String(r.params.workload), [...(byW.get(String(r.params.workload)) ?? []), r]);
    for (const [w, rs] of byW) {
      const get = (e: string) => rs.find((r) => r.params!.engine === e);
      const i = get('interpreter')!;
      const c = get('compiled')!;
      const k = get('kernel');
      console.log(
        `${w.padEnd(36)} interpreter ${f(i.minNs!).padStart(8)}  compiled ${f(c.minNs!).padStart(7)}  kernel ${k ? f(k.minNs!).padStart(7) : '    n/a'} ns/${i.unit}` +
          `   interp/compiled ${(i.minNs! / c.minNs!).toFixed(2)}x${k ? `   compiled/kernel ${(c.minNs! / k.minNs!).toFixed(2)}x` : ''}`,
      );
    }
    for (const r of rows) if (!r.params) console.log(`${r.name}: ${r.note}`);
  }
}
