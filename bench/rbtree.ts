// rbtree benchmarks (DESIGN section 10): memory per node (bench/memory.ts), add+remove pairs
// from a BPF program and from the TypeScript API at tree sizes 1e3..1e6, find from BPF.
//
// Registered with bench/registry.ts (tags 'rbtree', 'quick' on the small ones): `npm run bench --
// rbtree`. Standalone, with a median-of-rounds timer and both link designs' memory side by side:
// `npx tsc -p tsconfig.json && node --expose-gc dist/bench/rbtree.js [--quick] [--json]`.

import { readFileSync } from 'node:fs';
import { RbtreeMap, rbtreeSpec } from '../maps/rbtree.js';
import { RbtreeApi, type KeyField } from '../src/rbtree-api.js';
import { Runtime } from '../src/runtime.js';
import { load, openObject } from '../src/loader/index.js';
import { Arena } from '../vm/memory.js';
import { OrderedMap } from '@js-sdsl/ordered-map';
import { rbtreeMemory } from './memory.js';
import { registerSuite } from './registry.js';
import type { Program } from '../vm/program.js';

export interface RbtreeBenchRow {
  suite: string;
  size: number;
  value: number;
  unit: string;
  note?: string;
}

const PAYLOAD = 16;
const VALUE_SIZE = 24 + PAYLOAD;
const KEY: KeyField = { offset: 24, size: 8 };

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Keys in a scrambled order (a multiplicative permutation), so inserts are not sorted: the high
 *  word scrambles, the low word keeps them distinct. */
function keyHi(i: number): number {
  return Math.imul(i + 1, 2654435761) >>> 0;
}
function setKey(dv: DataView, off: number, i: number): void {
  dv.setUint32(off, i, true);
  dv.setUint32(off + 4, keyHi(i), true);
}
function key(i: number): number {
  return keyHi(i) * 2 ** 20 + (i & 0xfffff);
}

/** The design we did not take: links, colour and owner out of band in typed arrays indexed by a
 *  node slot, plus a Map from node address to slot, on top of the same 48-byte arena node. */
export function bytesPerNodeOutOfBand(n: number): RbtreeBenchRow {
  gc();
  const before = heapBytes();
  const parent = new Int32Array(n);
  const left = new Int32Array(n);
  const right = new Int32Array(n);
  const color = new Uint8Array(n);
  const addr = new Uint32Array(n);
  const slotOf = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    addr[i] = 4096 + i * 40;
    slotOf.set(addr[i]!, i);
  }
  gc();
  const extra = heapBytes() - before;
  // keep the structures alive until measured
  if (parent.length + left.length + right.length + color.length !== 4 * n || slotOf.size !== n) throw new Error('unreachable');
  return { suite: 'rbtree bytes/node: out-of-band alternative (total)', size: n, value: 40 + extra / n, unit: 'B', note: '40-byte arena slot + typed arrays + Map (arena side tables not counted)' };
}

/** Mean ns per iteration: after a warm-up, 7 rounds of iters/7; the median round is reported, so
 *  one GC pause or JIT tier-up does not decide the figure. */
function timeLoop(iters: number, body: (i: number) => void): number {
  for (let i = 0; i < Math.min(iters, 5000); i++) body(i); // warm-up
  const rounds = 7;
  const per = Math.max(1, Math.floor(iters / rounds));
  const means: number[] = [];
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < per; k++, i++) body(i);
    means.push(Number(process.hrtime.bigint() - t0) / per);
  }
  return means.sort((a, b) => a - b)[rounds >> 1]!;
}

/** add+remove of one node on a tree of `size` nodes, through the TypeScript API. */
export function apiAddRemove(size: number, iters: number): RbtreeBenchRow {
  const arena = new Arena({ initialBytes: 1 << 20 });
  const map = new RbtreeMap(rbtreeSpec('api', VALUE_SIZE), { arena, ncpus: 1 });
  const api = new RbtreeApi(map);
  const v = new Uint8Array(VALUE_SIZE);
  const dv = new DataView(v.buffer);
  for (let i = 0; i < size; i++) {
    setKey(dv, 24, i);
    api.insert(v, KEY);
  }
  const ns = timeLoop(iters, (i) => {
    setKey(dv, 24, size + (i % 100_000));
    api.remove(api.insert(v, KEY));
  });
  map.destroy();
  return { suite: 'rbtree add+remove (TypeScript API)', size, value: ns, unit: 'ns/pair' };
}

/** The baseline DESIGN section 10 names: js-sdsl's OrderedMap (a red-black tree of JS objects),
 *  set+erase of one key on a map of `size` keys with a 16-byte payload each. */
export function sdslAddRemove(size: number, iters: number): RbtreeBenchRow {
  const m = new OrderedMap<number, Uint8Array>();
  for (let i = 0; i < size; i++) m.setElement(key(i), new Uint8Array(PAYLOAD));
  const ns = timeLoop(iters, (i) => {
    const k = key(size + (i % 100_000));
    m.setElement(k, new Uint8Array(PAYLOAD));
    m.eraseElementByKey(k);
  });
  return { suite: 'baseline: js-sdsl OrderedMap set+erase', size, value: ns, unit: 'ns/pair' };
}

/** add+remove (+ alloc/lock/unlock/free) from a BPF program, one pair per run, on a tree of
 *  `size` nodes; `nop` runs measure the cost of a run itself. */
export function bpfSuites(size: number, iters: number, objPath: string): RbtreeBenchRow[] {
  const rt = new Runtime({ arena: { initialBytes: 64 << 20 } });
  const obj = load(rt, openObject(new Uint8Array(readFileSync(objPath)), { name: 'rbtree_bench' } as never));
  const map = obj.map('tree') as RbtreeMap;
  const api = new RbtreeApi(map);
  const v = new Uint8Array(VALUE_SIZE);
  const vdv = new DataView(v.buffer);
  for (let i = 0; i < size; i++) {
    setKey(vdv, 24, i);
    api.insert(v, KEY);
  }
  const ctx = rt.arena.alloc(8, { kind: 'ctx', name: 'args' });
  const dv = rt.arena.dv;
  const prog = (name: string) => obj.program(name).program;
  const run = (p: ReturnType<typeof prog>) => (i: number) => {
    setKey(dv, ctx, i % size);
    rt.execute(p, { args: [ctx] });
  };
  const nop = timeLoop(iters, run(prog('nop')));
  const pair = timeLoop(iters, (i) => {
    setKey(dv, ctx, size + (i % 100_000));
    rt.execute(prog('add_remove'), { args: [ctx] });
  });
  const find = timeLoop(iters, run(prog('find')));
  if (map.size !== size) throw new Error(`tree size changed: ${map.size}`);
  return [
    { suite: 'rbtree add+remove from BPF (whole run)', size, value: pair, unit: 'ns/run', note: 'alloc, lock, add, remove, unlock, free' },
    { suite: 'rbtree add+remove from BPF (minus empty run)', size, value: pair - nop, unit: 'ns/pair', note: 'kernel ~570 ns' },
    { suite: 'rbtree find from BPF (minus empty run)', size, value: find - nop, unit: 'ns/op' },
  ];
}

export function runRbtreeBench(opts: { quick?: boolean; objPath?: string } = {}): RbtreeBenchRow[] {
  const objPath = opts.objPath ?? new URL('../../test/progs/rbtree_bench.o', import.meta.url).pathname;
  const sizes = opts.quick ? [1_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000];
  const iters = opts.quick ? 20_000 : 100_000;
  const rows: RbtreeBenchRow[] = [];
  const mem = rbtreeMemory(opts.quick ? 100_000 : 1_000_000);
  rows.push({ suite: 'rbtree bytes/node: live total (bench/memory.ts)', size: mem.n, value: mem.live, unit: 'B', note: 'target <= 48' });
  rows.push(bytesPerNodeOutOfBand(opts.quick ? 100_000 : 1_000_000));
  // One untimed pass first, so the first size does not pay for the JIT tiering up.
  apiAddRemove(1_000, 20_000);
  sdslAddRemove(1_000, 20_000);
  for (const s of sizes) rows.push(apiAddRemove(s, iters), sdslAddRemove(s, iters));
  for (const s of sizes) rows.push(...bpfSuites(s, iters, objPath));
  return rows;
}

export function formatRows(rows: RbtreeBenchRow[]): string {
  const w = Math.max(...rows.map((r) => r.suite.length));
  return rows
    .map((r) => `${r.suite.padEnd(w)}  ${String(r.size).padStart(8)}  ${r.value.toFixed(r.value < 100 ? 2 : 0).padStart(9)} ${r.unit}${r.note ? `  (${r.note})` : ''}`)
    .join('\n');
}

// ---- registry suites -------------------------------------------------------------------------

const BENCH_OBJ = new URL('../../test/progs/rbtree_bench.o', import.meta.url).pathname;

/** A runtime with rbtree_bench.o loaded and its tree filled with `size` nodes from user space. */
function bpfState(size: number) {
  const rt = new Runtime({ arena: { initialBytes: 64 << 20 } });
  const obj = load(rt, openObject(new Uint8Array(readFileSync(BENCH_OBJ)), { name: 'rbtree_bench' } as never));
  const map = obj.map('tree') as RbtreeMap;
  const api = new RbtreeApi(map);
  const v = new Uint8Array(VALUE_SIZE);
  const vdv = new DataView(v.buffer);
  for (let i = 0; i < size; i++) {
    setKey(vdv, 24, i);
    api.insert(v, KEY);
  }
  const ctx = rt.arena.alloc(8, { kind: 'ctx', name: 'args' });
  const prog = (name: string): Program => obj.program(name).program;
  return { rt, map, ctx, size, i: 0, addRemove: prog('add_remove'), find: prog('find'), walk: prog('walk'), nop: prog('nop') };
}
type BpfState = ReturnType<typeof bpfState>;

function runOnce(s: BpfState, p: Program, k: number): bigint {
  setKey(s.rt.arena.dv, s.ctx, k);
  return s.rt.execute(p, { args: [s.ctx] }).r0;
}

for (const size of [1_000, 10_000, 100_000, 1_000_000]) {
  const tags = size === 1_000 ? ['rbtree', 'quick'] : ['rbtree'];
  const label = size.toExponential(0).replace('+', '');
  registerSuite<BpfState>({
    name: `rbtree/bpf add+remove @${label}`,
    mode: 'unverified',
    tags,
    setup: () => bpfState(size),
    fn: (s) => void runOnce(s, s.addRemove, s.size + (s.i++ % 100_000)),
    check: (s) => {
      if (runOnce(s, s.addRemove, s.size + 100_001) !== 0n || s.map.size !== s.size) throw new Error(`add_remove: tree size ${s.map.size}`);
    },
    units: 1,
    unit: 'pair',
  });
  registerSuite<BpfState>({
    name: `rbtree/bpf find @${label}`,
    mode: 'unverified',
    tags,
    setup: () => bpfState(size),
    fn: (s) => void runOnce(s, s.find, s.i++ % s.size),
    check: (s) => {
      if (runOnce(s, s.find, 7 % s.size) !== 1n) throw new Error('find missed a present key');
    },
  });
  registerSuite<BpfState>({
    name: `rbtree/bpf first+32 next @${label}`,
    mode: 'unverified',
    tags,
    setup: () => bpfState(size),
    fn: (s) => void runOnce(s, s.walk, 0),
    check: (s) => {
      if (runOnce(s, s.walk, 0) !== 32n) throw new Error('walk did not take 32 steps');
    },
    units: 33,
    unit: 'helper',
  });
  registerSuite<{ api: RbtreeApi; v: Uint8Array; dv: DataView; i: number }>({
    name: `rbtree/ts-api add+remove @${label}`,
    mode: 'n/a',
    tags,
    setup: () => {
      const map = new RbtreeMap(rbtreeSpec('api', VALUE_SIZE), { arena: new Arena({ initialBytes: 64 << 20 }), ncpus: 1 });
      const api = new RbtreeApi(map);
      const v = new Uint8Array(VALUE_SIZE);
      const dv = new DataView(v.buffer);
      for (let i = 0; i < size; i++) {
        setKey(dv, 24, i);
        api.insert(v, KEY);
      }
      return { api, v, dv, i: 0 };
    },
    fn: (s) => {
      setKey(s.dv, 24, size + (s.i++ % 100_000));
      s.api.remove(s.api.insert(s.v, KEY));
    },
    check: (s) => {
      if (s.api.size !== size || s.api.check(KEY).length) throw new Error('ts-api tree damaged');
    },
  });
  registerSuite<{ m: OrderedMap<number, Uint8Array>; i: number }>({
    name: `rbtree/js-sdsl OrderedMap set+erase @${label}`,
    mode: 'n/a',
    tags,
    setup: () => {
      const m = new OrderedMap<number, Uint8Array>();
      for (let i = 0; i < size; i++) m.setElement(key(i), new Uint8Array(PAYLOAD));
      return { m, i: 0 };
    },
    fn: (s) => {
      const k = key(size + (s.i++ % 100_000));
      s.m.setElement(k, new Uint8Array(PAYLOAD));
      s.m.eraseElementByKey(k);
    },
  });
}

registerSuite<BpfState>({
  name: 'rbtree/bpf empty run (baseline)',
  mode: 'unverified',
  tags: ['rbtree', 'quick'],
  setup: () => bpfState(0),
  fn: (s) => void runOnce(s, s.nop, 0),
});

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file:').href) {
  const quick = process.argv.includes('--quick');
  const rows = runRbtreeBench({ quick });
  console.log(process.argv.includes('--json') ? JSON.stringify(rows, null, 2) : formatRows(rows));
}
