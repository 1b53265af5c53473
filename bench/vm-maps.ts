// More interpreter throughput (issue 8) beside bench/vm.ts's 64-bit ALU and memory loops: a 32-bit
// ALU loop, a stack loop, bpf-to-bpf calls, helper calls and a map-lookup loop, in instructions per second; and
// the cost of one array/hash/LRU lookup and update from a program, all on the interpreter (the
// compiling tier's figures are bench/engines.ts's, side by side with it). Every figure is
// unverified mode: each memory access is bounds-checked at run time and the instruction budget is
// counted, as `ebpfvm run --no-verify` runs programs.
import { readFileSync } from 'node:fs';
import { load, openObject } from '../src/loader/index.js';
import { Runtime } from '../src/runtime.js';
import type { Program } from '../vm/program.js';
import { alu32Expected, alu32Loop, stackLoop } from './programs.js';
import { registerSuite, type BenchResult } from './registry.js';
import { nowNs, summarize } from './stats.js';
import { repoPath } from './paths.js';

const N = 1000;

registerSuite({
  name: 'vm/alu32-loop (9004 insns)',
  tags: ['vm', 'quick'],
  mode: 'unverified',
  setup: () => ({ rt: new Runtime({ engine: 'interpreter' }), prog: alu32Loop(N) }),
  fn: (s) => void s.rt.execute(s.prog),
  check: (s) => {
    const r = s.rt.execute(s.prog);
    if (r.r0 !== alu32Expected(N) || r.insnCount !== 9004) throw new Error(`alu32 loop: r0 ${r.r0}, ${r.insnCount} insns`);
  },
  units: 9004,
  unit: 'insn',
});

registerSuite({
  name: 'vm/stack-loop (7003 insns)',
  tags: ['vm', 'quick'],
  mode: 'unverified',
  setup: () => ({ rt: new Runtime({ engine: 'interpreter' }), prog: stackLoop(N) }),
  fn: (s) => void s.rt.execute(s.prog),
  check: (s) => {
    const r = s.rt.execute(s.prog);
    // r0 = 0 + 1 + ... + (N-1)
    if (r.r0 !== BigInt((N * (N - 1)) / 2) || r.insnCount !== 2 + 7 * N + 1) throw new Error(`stack loop: r0 ${r.r0}, ${r.insnCount} insns`);
  },
  units: 2 + 7 * N + 1,
  unit: 'insn',
});

// ---- programs from bench_vm.o --------------------------------------------------------------

const BATCH = 1024; // bench_vm.c's BATCH and NKEYS
const OBJ = repoPath('test/progs/bench_vm.o');

interface VmState {
  rt: Runtime;
  ctx: number;
  prog: (name: string) => Program;
  run: (p: Program, n?: number) => { r0: bigint; insnCount: number };
}

function vmState(): VmState {
  const rt = new Runtime({ engine: 'interpreter' });
  const obj = load(rt, openObject(new Uint8Array(readFileSync(OBJ)), { name: 'bench_vm' } as never));
  const ctx = rt.arena.alloc(8, { kind: 'ctx', name: 'ctx' });
  const run = (p: Program, n = BATCH) => {
    rt.arena.dv.setBigUint64(ctx, BigInt(n), true);
    return rt.execute(p, { args: [ctx] });
  };
  const s: VmState = { rt, ctx, prog: (name) => obj.program(name).program, run };
  // Fill the maps so every lookup hits.
  for (const m of ['array_update', 'hash_update', 'lru_update']) {
    const got = Number(run(s.prog(m)).r0);
    if (got !== BATCH) throw new Error(`${m}: ${got} of ${BATCH} updates succeeded`);
  }
  return s;
}

/** mix() of bench_vm.c folded over 1..BATCH in BigInt, for the call loop's check. */
function callsExpected(): bigint {
  const M = (1n << 64n) - 1n;
  let acc = 1n;
  for (let i = 0n; i < BigInt(BATCH); i++) acc = (((acc ^ i) * 31n) & M) + 7n & M;
  return acc & 0x7fffffffn;
}

function insnSuite(name: string, prog: string, expect: (r0: bigint) => boolean, what: string, tags = ['vm']): void {
  let insns = 0;
  registerSuite<VmState & { p: Program }>({
    name,
    tags,
    mode: 'unverified',
    setup: () => {
      const s = vmState();
      return { ...s, p: s.prog(prog) };
    },
    fn: (s) => void s.run(s.p),
    check: (s) => {
      const r = s.run(s.p);
      if (!expect(r.r0)) throw new Error(`${name}: ${what}, got r0 ${r.r0}`);
      insns = r.insnCount;
    },
    units: () => insns,
    unit: 'insn',
  });
}

insnSuite('vm/bpf-to-bpf call loop (1024 calls)', 'calls', (r0) => r0 === callsExpected(), 'wrong fold of mix()', ['vm', 'quick']);
insnSuite('vm/helper call loop (1024 calls)', 'helper_calls', (r0) => r0 === BigInt(BATCH), 'expected 1024 calls on CPU 0');
insnSuite('vm/map-lookup loop (1024 array lookups)', 'array_lookup', (r0) => r0 === BigInt(BATCH), 'expected 1024 hits', ['vm', 'maps', 'quick']);

/** ns per lookup or update: the program's run minus the bare loop's, per call, sampled. */
export function mapOpRows(samples: number, warmup: number): BenchResult[] {
  const s = vmState();
  const loop = s.prog('loop');
  const out: BenchResult[] = [];
  for (const map of ['array', 'hash', 'lru'])
    for (const op of ['lookup', 'update']) {
      const p = s.prog(`${map}_${op}`);
      const raw: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < warmup + samples; i++) {
        let t0 = nowNs();
        s.run(loop);
        const b = nowNs() - t0;
        t0 = nowNs();
        const r0 = Number(s.run(p).r0);
        const ns = nowNs() - t0;
        if (r0 !== BATCH) throw new Error(`maps/${map} ${op}: ${r0} of ${BATCH} calls succeeded`);
        if (i >= warmup) {
          raw.push(ns);
          base.push(b);
        }
      }
      // The loop's fastest run is subtracted (noise only adds time; see rbtree-helpers.ts).
      const loopNs = Math.min(...base);
      const st = summarize(raw.map((ns) => Math.max(0, ns - loopNs) / BATCH));
      out.push({
        name: `maps/${map} ${op}`,
        tags: ['maps'],
        meanNs: st.mean,
        minNs: st.min,
        p50Ns: st.p50,
        rme: st.rme,
        samples: st.n,
        opsPerSec: 1e9 / st.mean,
        mode: 'unverified',
        params: { map, op },
        note: 'from a BPF program, loop overhead subtracted, 1024 keys',
      });
    }
  return out;
}

registerSuite({
  name: 'maps/lookup and update',
  tags: ['maps', 'quick'],
  mode: 'unverified',
  fn: () => {},
  rows: ({ quick }) => mapOpRows(quick ? 20 : 100, quick ? 5 : 20),
});
