#!/usr/bin/env node
// What the compiling tier's range analysis (vm/compiler/ranges.ts) gains on the JS backend: one
// loop that calls a helper every iteration (so it is no Wasm region) and does 64-bit add, mul, div,
// mod, register shifts and compares on values the analysis bounds, compiled with narrowing and
// without it (codegen's setNarrowing, each its own Program so each has its own compiled code), in
// one process. Process CPU time; 5 warm-up rounds, then 15 samples of each alternately (400 runs
// per sample); prints ns per instruction, fastest and median, and the load average. Every run's r0
// is checked against the interpreter's.
//
//   node scripts/narrow-cpu.mjs
//   (an unverified run, every check and the runtime's instruction budget: the range analysis needs
//   no verifier; a verified run would also drop the budget checks and count lazily, docs/vm.md)
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(join(dirname(fileURLToPath(import.meta.url)), '..'));
const imp = (p) => import(pathToFileURL(join(root, p)).href);
const { Runtime } = await imp('dist/src/runtime.js');
const { setNarrowing } = await imp('dist/vm/compiler/codegen.js');
const { analyzeRanges } = await imp('dist/vm/compiler/ranges.js');

const I = (code, dst = 0, src = 0, off = 0, imm = 0) => ({ code, dst, src, off, imm: imm | 0 });
const N = 1000;
// r6 = i, r7 = acc (kept below 2^28)
const body = [
  I(0x85, 0, 0, 0, 8), //       call bpf_get_smp_processor_id (clobbers r0-r5)
  I(0xbf, 2, 6), //             r2 = i
  I(0x57, 2, 0, 0, 0xffff), //  r2 &= 0xffff
  I(0xbf, 3, 6), //             r3 = i
  I(0x07, 3, 0, 0, 7), //       r3 += 7            (no carry: i < 1000)
  I(0x2f, 2, 3), //             r2 *= r3           (< 2^32: imul)
  I(0xbf, 4, 2), //             r4 = r2
  I(0x2f, 4, 4), //             r4 *= r4           (< 2^53: one double multiply)
  I(0xbf, 5, 2), //             r5 = r2
  I(0x3f, 5, 3), //             r5 /= r3           (u32 / u32)
  I(0xbf, 8, 4), //             r8 = r4
  I(0x77, 8, 0, 0, 20), //      r8 >>= 20
  I(0x9f, 8, 3), //             r8 %= r3           (u32 % u32)
  I(0xbf, 9, 6), //             r9 = i
  I(0x57, 9, 0, 0, 31), //      r9 &= 31
  I(0xbf, 1, 2), //             r1 = r2
  I(0x7f, 1, 9), //             r1 >>= r9          (amount < 32, high word 0)
  I(0x2d, 1, 5, 1), //          if r1 > r5 goto +1 (both high words 0)
  I(0x0f, 1, 8), //             r1 += r8
  I(0x0f, 7, 5), //             acc += r5
  I(0x0f, 7, 1), //             acc += r1
  I(0x0f, 7, 8), //             acc += r8
  I(0x57, 7, 0, 0, 0xfffffff), // acc &= 2^28 - 1
  I(0x07, 6, 0, 0, 1), //       i += 1
];
const insns = [I(0xb7, 6, 0, 0, 0), I(0xb7, 7, 0, 0, 0), ...body, I(0xa5, 6, 0, -(body.length + 1), N), I(0xbf, 0, 7), I(0x95)];
const program = (name) => ({ name, progType: 0, insns: insns.map((x) => ({ ...x })), gpl: true });

const rt = new Runtime({ engine: 'compiled' });
const interp = new Runtime({ engine: 'interpreter' });
const req = {};
const want = interp.execute(program('reference'), req);
const progs = {};
setNarrowing(true);
progs.narrowed = program('narrowed');
rt.execute(progs.narrowed, req); // compiled now, with narrowing
setNarrowing(false);
progs.exact = program('exact');
rt.execute(progs.exact, req); // compiled now, exact forms only
setNarrowing(true);

const t0 = performance.now();
const rs = analyzeRanges(insns);
const analysisUs = (performance.now() - t0) * 1000;

const RUNS = 400;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
function sample(p) {
  const t = cpu();
  for (let k = 0; k < RUNS; k++) {
    const r = rt.execute(p, req);
    if (r.r0 !== want.r0 || r.insnCount !== want.insnCount) throw new Error(`${p.name}: r0 ${r.r0} (${r.insnCount} insns), want ${want.r0} (${want.insnCount})`);
  }
  return (cpu() - t) / RUNS / want.insnCount;
}
const samples = { narrowed: [], exact: [] };
for (let w = 0; w < 5; w++) for (const k of Object.keys(progs)) sample(progs[k]);
for (let s = 0; s < 15; s++) for (const k of Object.keys(progs)) samples[k].push(sample(progs[k]));
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const min = (a) => Math.min(...a);
console.log(`program: ${insns.length} slots, ${want.insnCount} instructions per run, r0 ${want.r0}; unverified (budget checks)`);
console.log(`range analysis: ${rs.visits} slot visits, ${analysisUs.toFixed(0)} us (first call, includes V8 warm-up)`);
for (const k of Object.keys(samples)) console.log(`${k.padEnd(9)} ns/insn: fastest ${min(samples[k]).toFixed(3)}, median ${med(samples[k]).toFixed(3)} (15 samples x ${RUNS} runs)`);
console.log(`exact / narrowed: fastest ${(min(samples.exact) / min(samples.narrowed)).toFixed(2)}x, median ${(med(samples.exact) / med(samples.narrowed)).toFixed(2)}x`);
console.log(`load average (1 min): ${loadavg()[0].toFixed(2)} on 2 cores`);
