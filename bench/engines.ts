// The two engines side by side (issue 15): the same workloads on a Runtime with the interpreter
// and one with the compiling tier (vm/compiler), in one process, samples interleaved (one sample of
// each engine in turn, so load changes hit both alike), medians after warm-up, and the ratio
// interpreter / compiled. Every figure is unverified mode (every memory access checked, budget
// counted), as `ebpfvm run` runs programs by default.
//
//   node dist/bench/engines.js [--quick] [--json]     (or npm run bench -- engines)
import { readFileSync } from 'node:fs';
import { load, openObject } from '../src/loader/index.js';
import { Runtime } from '../src/runtime.js';
import type { Engine } from '../vm/interpreter.js';
import type { Program } from '../vm/program.js';
import { alu32Expected, alu32Loop, aluLoop, aluLoopExpected, memLoop } from './programs.js';
import { repoPath } from './paths.js';
import { registerSuite, type BenchResult } from './registry.js';
import { nowNs, summarize } from './stats.js';
import { MemFlag } from '../vm/memory.js';
import { RbtreeApi } from '../src/rbtree-api.js';
import type { RbtreeMap } from '../maps/rbtree.js';

const ENGINES: readonly Engine[] = ['interpreter', 'compiled'];

/** One workload on one engine: `run` does one unit of work and returns a value to check. */
interface Workload {
  name: string;
  /** Work per run, for the per-unit column (e.g. 9004 insns, 1024 lookups). */
  units: number;
  unit: string;
  /** Subtracted per run (a baseline program's median, e.g. the bare loop), measured alike. */
  baseline?: (engine: Engine) => () => void;
  make: (engine: Engine) => { run: () => void; check: () => void };
}

const BATCH = 1024;

function benchVm(engine: Engine) {
  const rt = new Runtime({ engine });
  const obj = load(rt, openObject(new Uint8Array(readFileSync(repoPath('test/progs/bench_vm.o'))), { name: 'bench_vm' } as never));
  const ctx = rt.arena.alloc(8, { kind: 'ctx', name: 'ctx' });
  rt.arena.dv.setBigUint64(ctx, BigInt(BATCH), true);
  const exec = (p: Program) => rt.execute(p, { args: [ctx] }).r0;
  for (const m of ['array_update', 'hash_update']) if (exec(obj.program(m).program) !== BigInt(BATCH)) throw new Error(`${m} failed`);
  return { exec, prog: (n: string) => obj.program(n).program };
}

/** A register-only loop of 9004 insns: run it, and check its r0 against the expected value. */
function aluWorkload(kind: string, p: ReturnType<typeof aluLoop>, expected: bigint): Workload {
  return {
    name: `${kind} loop (9004 insns)`,
    units: 9004,
    unit: 'insn',
    make: (engine) => {
      const rt = new Runtime({ engine });
      return {
        run: () => void rt.execute(p),
        check: () => {
          if (rt.execute(p).r0 !== expected) throw new Error(`${kind} loop: wrong r0`);
        },
      };
    },
  };
}

const WORKLOADS: Workload[] = [
  aluWorkload('alu64', aluLoop(1000), aluLoopExpected(1000)),
  aluWorkload('alu32', alu32Loop(1000), alu32Expected(1000)),
  {
    name: 'mem loop (6003 insns)',
    units: 6003,
    unit: 'insn',
    make: (engine) => {
      const rt = new Runtime({ engine });
      const mem = rt.arena.allocRegion(8000, MemFlag.READ | MemFlag.WRITE, 'input', 'mem');
      const p = memLoop(1000);
      return {
        run: () => void rt.execute(p, { args: [mem] }),
        check: () => {
          rt.arena.zero(mem, 8000);
          rt.arena.dv.setBigUint64(mem, 5n, true);
          if (rt.execute(p, { args: [mem] }).r0 !== 5n) throw new Error('mem loop: wrong r0');
        },
      };
    },
  },
  ...(['array', 'hash'] as const).map(
    (map): Workload => ({
      name: `${map} lookup from BPF (1024 lookups, loop subtracted)`,
      units: BATCH,
      unit: 'lookup',
      baseline: (engine) => {
        const s = benchVm(engine);
        const loop = s.prog('loop');
        return () => void s.exec(loop);
      },
      make: (engine) => {
        const s = benchVm(engine);
        const p = s.prog(`${map}_lookup`);
        return {
          run: () => void s.exec(p),
          check: () => {
            if (s.exec(p) !== BigInt(BATCH)) throw new Error(`${map} lookup: misses`);
          },
        };
      },
    }),
  ),
  {
    name: 'rbtree add+remove pair from BPF @1e3 (empty run subtracted)',
    units: 1,
    unit: 'pair',
    baseline: (engine) => {
      const s = rbtreeState(engine, 1000);
      return () => void s.exec(s.nop, 0);
    },
    make: (engine) => {
      const s = rbtreeState(engine, 1000);
      let i = 0;
      return {
        run: () => void s.exec(s.addRemove, 1000 + (i++ % 100_000)),
        check: () => {
          if (s.exec(s.addRemove, 500_000) !== 0n || s.size() !== 1000) throw new Error('rbtree add_remove: tree changed');
        },
      };
    },
  },
];

/** Keys as bench/rbtree.ts makes them: the high word scrambled (inserts not sorted), the low
 *  word keeps them distinct. */
function setKey(dv: DataView, off: number, i: number): void {
  dv.setUint32(off, i, true);
  dv.setUint32(off + 4, Math.imul(i + 1, 2654435761) >>> 0, true);
}

/** rbtree_bench.o with its tree filled with `size` keys through the rbtree user-space API (as
 *  bench/rbtree.ts does): node = 24-byte rb_node, u64 key, u64 value. */
function rbtreeState(engine: Engine, size: number) {
  const rt = new Runtime({ engine, arena: { initialBytes: 64 << 20 } });
  const obj = load(rt, openObject(new Uint8Array(readFileSync(repoPath('test/progs/rbtree_bench.o'))), { name: 'rbtree_bench' } as never));
  const ctx = rt.arena.alloc(8, { kind: 'ctx', name: 'args' });
  const map = obj.map('tree') as RbtreeMap;
  const api = new RbtreeApi(map);
  const v = new Uint8Array(40);
  const vdv = new DataView(v.buffer);
  for (let k = 0; k < size; k++) {
    setKey(vdv, 24, k);
    api.insert(v, { offset: 24, size: 8 });
  }
  const exec = (p: Program, k: number) => {
    setKey(rt.arena.dv, ctx, k);
    return rt.execute(p, { args: [ctx] }).r0;
  };
  return { exec, addRemove: obj.program('add_remove').program, nop: obj.program('nop').program, size: () => map.size };
}

/** Median ns per run of `fn`, in samples of `k` runs. */
function calibrate(fn: () => void): number {
  let k = 1;
  for (;;) {
    const t0 = nowNs();
    for (let i = 0; i < k; i++) fn();
    const ns = nowNs() - t0;
    if (ns >= 2e6 || k >= 1 << 20) return k;
    k *= ns < 2e5 ? 10 : 2;
  }
}

export function engineRows(quick: boolean, progress: (m: string) => void = () => {}): BenchResult[] {
  const samples = quick ? 15 : 41;
  const warm = quick ? 200 : 1000; // ms of warm-up per engine and workload
  const out: BenchResult[] = [];
  for (const w of WORKLOADS) {
    progress(`engines: ${w.name}`);
    const states = ENGINES.map((e) => w.make(e));
    const bases = w.baseline ? ENGINES.map((e) => w.baseline!(e)) : undefined;
    for (const s of states) s.check();
    // warm-up: each engine tiers up (V8 optimises the interpreter loop / the generated function)
    for (let e = 0; e < ENGINES.length; e++) {
      const end = performance.now() + warm;
      while (performance.now() < end) {
        states[e]!.run();
        bases?.[e]!();
      }
    }
    const ks = states.map((s) => calibrate(s.run));
    const bks = bases?.map((b) => calibrate(b));
    const per: number[][] = ENGINES.map(() => []);
    const basePer: number[][] = ENGINES.map(() => []);
    for (let i = 0; i < samples; i++) {
      for (let e = 0; e < ENGINES.length; e++) {
        const k = ks[e]!;
        let t0 = nowNs();
        for (let j = 0; j < k; j++) states[e]!.run();
        per[e]!.push((nowNs() - t0) / k);
        if (bases) {
          const bk = bks![e]!;
          t0 = nowNs();
          for (let j = 0; j < bk; j++) bases[e]!();
          basePer[e]!.push((nowNs() - t0) / bk);
        }
      }
    }
    for (const s of states) s.check();
    const med = per.map((xs, e) => {
      const st = summarize(xs);
      const base = bases ? summarize(basePer[e]!).p50 : 0;
      return { st, base, p50: (st.p50 - base) / w.units, min: (st.min - (bases ? summarize(basePer[e]!).min : 0)) / w.units };
    });
    const ratio = med[0]!.p50 / med[1]!.p50;
    ENGINES.forEach((engine, e) => {
      const m = med[e]!;
      out.push({
        name: `engines/${w.name} [${engine}]`,
        tags: ['engines'],
        p50Ns: m.p50,
        minNs: m.min,
        meanNs: (m.st.mean - m.base) / w.units,
        rme: m.st.rme,
        samples: m.st.n,
        unit: w.unit,
        mode: 'unverified',
        params: { workload: w.name, engine },
        note: `ns per ${w.unit}, median of ${m.st.n} interleaved samples${bases ? ' minus the baseline median' : ''}; interpreter/compiled = ${ratio.toFixed(2)}x`,
      });
    });
  }
  return out;
}

registerSuite({
  name: 'engines/side by side',
  tags: ['engines', 'vm', 'quick'],
  mode: 'unverified',
  fn: () => {},
  rows: ({ quick, progress }) => engineRows(quick, progress),
});

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file:').href) {
  const quick = process.argv.includes('--quick');
  const rows = engineRows(quick, (m) => process.stderr.write(m + '\n'));
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
  else {
    const w = Math.max(...rows.map((r) => r.name.length));
    for (let i = 0; i < rows.length; i += 2) {
      const a = rows[i]!;
      const b = rows[i + 1]!;
      const f = (x: number) => (x < 10 ? x.toFixed(3) : x.toFixed(1));
      console.log(`${String(a.params!.workload).padEnd(w - 20)}  interpreter ${f(a.p50Ns!).padStart(8)} ns/${a.unit}   compiled ${f(b.p50Ns!).padStart(8)} ns/${b.unit}   ${(a.p50Ns! / b.p50Ns!).toFixed(2)}x`);
    }
  }
}
