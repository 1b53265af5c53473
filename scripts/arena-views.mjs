#!/usr/bin/env node
// Typed-array access on a plain ArrayBuffer against a resizable one (Node 20's `new
// ArrayBuffer(n, { maxByteLength })`, with a length-tracking and a fixed-length view): the
// measurement behind the arena's layout (vm/memory.ts keeps its memory in plain buffers that are
// replaced when it grows). The workload is a pointer chase in random order over 1000 40-byte
// nodes of a 16 MiB buffer (cache-resident, as a 1e3-node tree), one read of the link, one of a
// payload word and one store per step, as a tree walk does. Each kind gets its own copy of the walk (so every call site stays monomorphic), 5 warm-up
// rounds, then ROUNDS (15) samples of 2e6 steps per kind, interleaved, in process CPU time.
//
//   node scripts/arena-views.mjs
import { loadavg } from 'node:os';

const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
const SIZE = 1 << 24;
const STEPS = 2e6;
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const kinds = {
  'plain ArrayBuffer': () => new Int32Array(new ArrayBuffer(SIZE)),
  'resizable, length-tracking view': () => new Int32Array(new ArrayBuffer(SIZE, { maxByteLength: 1 << 30 })),
  'resizable, fixed-length view': () => new Int32Array(new ArrayBuffer(SIZE, { maxByteLength: 1 << 30 }), 0, SIZE >> 2),
};
const walkSource = 'let p = start, s = 0; for (let i = 0; i < steps; i++) { s = (s + a[p + 1]) | 0; a[p + 2] = s; p = a[p]; } return s;';
let seed = 7;
const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const sides = Object.entries(kinds).map(([name, make]) => {
  const a = make();
  const at = Array.from({ length: 1000 }, (_, i) => 4096 + i * 10); // 40-byte nodes, as a slab of rbtree nodes
  for (let i = at.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [at[i], at[j]] = [at[j], at[i]];
  }
  at.forEach((p, i) => {
    a[p] = at[(i + 1) % at.length];
    a[p + 1] = i;
  });
  return { name, a, start: at[0], walk: new Function('a', 'start', 'steps', walkSource), samples: [] };
});
for (let w = 0; w < 5; w++) for (const s of sides) s.walk(s.a, s.start, STEPS);
for (let r = 0; r < ROUNDS; r++) {
  for (const s of sides) {
    const t0 = cpuNs();
    s.walk(s.a, s.start, STEPS);
    s.samples.push((cpuNs() - t0) / STEPS);
  }
}
console.log(`Node ${process.version}, load ${loadavg()[0].toFixed(1)}; ns per step (3 accesses), process CPU time`);
const base = sides[0].samples.slice().sort((x, y) => x - y);
for (const s of sides) {
  const v = s.samples.slice().sort((x, y) => x - y);
  const med = v[v.length >> 1];
  console.log(`  ${s.name.padEnd(34)} fastest ${v[0].toFixed(2)}  median ${med.toFixed(2)}  (median / plain ${(med / base[base.length >> 1]).toFixed(2)}x)`);
}
