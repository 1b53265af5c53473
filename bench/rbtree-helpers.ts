// The rbtree helper matrix (issue 8): ns per call for alloc_node, add, find, remove, free_node,
// first, next (per node of a full walk), get_lock and lock+unlock, at tree sizes 1e3..1e6, with
// random and sequential keys, for four implementations doing the same operations on the same
// keys in the same process:
//   bpf           the helpers called from BPF programs on the VM (test/progs/bench_rbtree.c),
//                 unverified mode, the batch loop's own cost subtracted (the `loop` program),
//                 on the compiling engine (the default)
//   bpf-interpreter  the same programs on the interpreter, so the report shows both engines
//   ts            the same tree through the TypeScript API (RbtreeMap's methods)
//   js-sdsl       @js-sdsl/ordered-map's OrderedMap (the baseline DESIGN section 10 names)
//   sorted-btree  sorted-btree's BTree, a maintained B+ tree ordered map (second baseline)
//
// Protocol, per (size, key order): fill the tree with `size` keys (untimed), then for each
// sample take a batch of BATCH fresh keys and time, phase by phase: alloc, add, find (BATCH keys
// that are present), remove (the batch again), free, then BATCH calls of first, get_lock and
// lock+unlock, so the tree is back at `size` nodes after every sample and every figure is "at
// tree size N". The walk (first, then next to the end) is timed over the whole tree. A few
// samples run untimed first (JIT warm-up).
//
// Every phase checks what it did (the counts the programs return, the tree's size, the walk's
// length and order), and a failing check throws: a broken build cannot report fast numbers.

import { readFileSync } from 'node:fs';
import { OrderedMap } from '@js-sdsl/ordered-map';
import sortedBtree from 'sorted-btree';
import { RbtreeMap, rbtreeSpec } from '../maps/rbtree.js';
import { load, openObject } from '../src/loader/index.js';
import { Runtime } from '../src/runtime.js';
import { Arena } from '../vm/memory.js';
import type { Program } from '../vm/program.js';
import { registerSuite, type BenchResult } from './registry.js';
import { nowNs, summarize } from './stats.js';
import { repoPath } from './paths.js';

export const BATCH = 1024; // must match bench_rbtree.c
export const SIZES_FULL = [1_000, 10_000, 100_000, 1_000_000] as const;
export const SIZES_QUICK = [1_000, 10_000] as const;
export type KeyOrder = 'random' | 'sequential';
export const OPS = ['alloc_node', 'add', 'find', 'remove', 'free_node', 'first', 'next', 'get_lock', 'lock+unlock'] as const;
export type Op = (typeof OPS)[number];
export type ImplName = 'bpf' | 'bpf-interpreter' | 'ts' | 'js-sdsl' | 'sorted-btree';
export const IMPLS: readonly ImplName[] = ['bpf', 'bpf-interpreter', 'ts', 'js-sdsl', 'sorted-btree'];
/** The implementations that are BPF programs on the VM (unverified runs). */
const isBpf = (name: ImplName): boolean => name === 'bpf' || name === 'bpf-interpreter';

/** One measured cell of the matrix. */
export interface OpResult {
  impl: ImplName;
  op: Op;
  size: number;
  keys: KeyOrder;
  /** Mean ns per call over the samples. */
  meanNs: number;
  /** Fastest sample's ns per call. */
  minNs: number;
  /** Median sample's ns per call. */
  p50Ns: number;
  rme: number;
  samples: number;
  mode: 'unverified' | 'n/a';
  note?: string;
}

/** Key i of a key order. Random keys are a bijection of i on u32 (a multiplicative hash), so
 *  they never collide and every implementation sees the same keys. */
export function keyOf(order: KeyOrder, i: number): number {
  return order === 'sequential' ? i : Math.imul(i + 1, 0x9e3779b1) >>> 0;
}

/** What one phase receives: the keys of the fresh batch (or the keys to find), and a slot per
 *  key for whatever alloc produced (node addresses, payload objects). */
interface Batch {
  keys: Float64Array;
  nodes: unknown[];
}

/** An implementation: each op handles the whole batch and returns how many calls succeeded. */
interface TreeImpl {
  readonly name: ImplName;
  fill(order: KeyOrder, n: number): void;
  size(): number;
  ops: Partial<Record<Op, (b: Batch) => number>>;
  /** Walk the whole tree in order; returns the number of nodes, or -1 when out of order. */
  walk(): number;
  /** Extra per-sample bookkeeping before a phase (BPF: copy keys into the program's context). */
  prepare?(b: Batch, op: Op): void;
  /** ns to subtract from a phase of BATCH calls (BPF: the empty batch loop). */
  overheadNs?(b: Batch): number;
  destroy(): void;
}

const PAYLOAD = 16;
const VALUE_SIZE = 24 + PAYLOAD; // rb_node, key, val: struct node_data of bench_rbtree.c
const KEY_OFF = 24;

// ---- the TypeScript API --------------------------------------------------------------------

function tsImpl(): TreeImpl {
  const arena = new Arena({ initialBytes: 64 << 20, maxBytes: 1 << 30 });
  const map = new RbtreeMap(rbtreeSpec('bench', VALUE_SIZE), { arena, ncpus: 1 });
  const i32 = arena.i32;
  // u64 keys compared as the program's `less` does (high word, then low word, unsigned).
  const less = (a: number, b: number): boolean => {
    const ah = i32[(a + KEY_OFF + 4) >> 2]! >>> 0;
    const bh = i32[(b + KEY_OFF + 4) >> 2]! >>> 0;
    return ah !== bh ? ah < bh : i32[(a + KEY_OFF) >> 2]! >>> 0 < i32[(b + KEY_OFF) >> 2]! >>> 0;
  };
  let want = 0; // the key `cmp` looks for (keys < 2^32: the high word is 0)
  const cmp = (n: number): number => {
    if (i32[(n + KEY_OFF + 4) >> 2] !== 0) return -1;
    const k = i32[(n + KEY_OFF) >> 2]! >>> 0;
    return want < k ? -1 : want > k ? 1 : 0;
  };
  const allocKey = (k: number): number => {
    const n = map.allocNode(VALUE_SIZE);
    if (n !== 0) {
      i32[(n + KEY_OFF) >> 2] = k;
      i32[(n + KEY_OFF + 4) >> 2] = 0;
    }
    return n;
  };
  return {
    name: 'ts',
    fill(order, n) {
      for (let i = 0; i < n; i++) map.add(allocKey(keyOf(order, i)), less);
    },
    size: () => map.size,
    ops: {
      alloc_node(b) {
        let ok = 0;
        for (let i = 0; i < b.keys.length; i++) {
          const n = allocKey(b.keys[i]!);
          b.nodes[i] = n;
          if (n !== 0) ok++;
        }
        return ok;
      },
      add(b) {
        let ok = 0;
        for (let i = 0; i < b.nodes.length; i++) if (map.add(b.nodes[i] as number, less) !== 0) ok++;
        return ok;
      },
      find(b) {
        let ok = 0;
        for (let i = 0; i < b.keys.length; i++) {
          want = b.keys[i]!;
          if (map.find(cmp) !== 0) ok++;
        }
        return ok;
      },
      remove(b) {
        let ok = 0;
        for (let i = 0; i < b.nodes.length; i++) if (map.remove(b.nodes[i] as number) !== 0) ok++;
        return ok;
      },
      free_node(b) {
        let ok = 0;
        for (let i = 0; i < b.nodes.length; i++) if (map.freeNode(b.nodes[i] as number) === 0) ok++;
        return ok;
      },
      first(b) {
        let ok = 0;
        for (let i = 0; i < b.keys.length; i++) if (map.first() !== 0) ok++;
        return ok;
      },
    },
    walk() {
      let steps = 0;
      let prev = -1;
      for (let n = map.first(); n !== 0; n = map.next(n)) {
        const k = i32[(n + KEY_OFF) >> 2]! >>> 0;
        if (k < prev) return -1;
        prev = k;
        steps++;
      }
      return steps;
    },
    destroy: () => map.destroy(),
  };
}

// ---- BPF programs on the VM ----------------------------------------------------------------

const BENCH_OBJ = repoPath('test/progs/bench_rbtree.o');

function bpfImpl(engine: 'compiled' | 'interpreter'): TreeImpl {
  const rt = new Runtime({ arena: { initialBytes: 64 << 20 }, engine });
  const obj = load(rt, openObject(new Uint8Array(readFileSync(BENCH_OBJ)), { name: 'bench_rbtree' } as never));
  const map = obj.map('tree') as RbtreeMap;
  const prog = (name: string): Program => obj.program(name).program;
  const P = {
    loop: prog('loop'),
    alloc_node: prog('alloc'),
    add: prog('add'),
    find: prog('find'),
    remove: prog('remove'),
    free_node: prog('free_nodes'),
    get_lock: prog('get_lock'),
    'lock+unlock': prog('lock_unlock'),
    first: prog('first'),
    walk: prog('walk'),
  };
  // struct batch { u64 n; u64 keys[BATCH]; u64 nodes[BATCH]; } in the arena, passed as r1.
  const ctx = rt.arena.alloc(8 + 16 * BATCH, { kind: 'ctx', name: 'batch' });
  const dv = rt.arena.dv;
  const KEYS = ctx + 8;
  const run = (p: Program): number => Number(BigInt.asIntN(32, rt.execute(p, { args: [ctx] }).r0));
  // Filled from user space: filling 1e6 nodes from BPF would measure add, not set up a tree.
  const i32 = rt.arena.i32;
  const less = (a: number, b: number): boolean => i32[(a + KEY_OFF) >> 2]! >>> 0 < i32[(b + KEY_OFF) >> 2]! >>> 0;
  // The node addresses stay in the context between programs (alloc writes them, add, remove
  // and free read them), so nothing is copied back inside a timed phase.
  const batchOp = (p: Program) => (_b: Batch) => run(p);
  return {
    name: engine === 'compiled' ? 'bpf' : 'bpf-interpreter',
    fill(order, n) {
      for (let i = 0; i < n; i++) {
        const node = map.allocNode(VALUE_SIZE);
        dv.setBigUint64(node + KEY_OFF, BigInt(keyOf(order, i)), true);
        if (map.add(node, less) === 0) throw new Error('fill: add refused');
      }
    },
    size: () => map.size,
    prepare(b) {
      dv.setBigUint64(ctx, BigInt(b.keys.length), true);
      for (let i = 0; i < b.keys.length; i++) dv.setBigUint64(KEYS + 8 * i, BigInt(b.keys[i]!), true);
    },
    overheadNs(b) {
      this.prepare!(b, 'find');
      const t0 = nowNs();
      run(P.loop);
      return nowNs() - t0;
    },
    ops: {
      alloc_node: batchOp(P.alloc_node),
      add: batchOp(P.add),
      find: batchOp(P.find),
      remove: batchOp(P.remove),
      free_node: batchOp(P.free_node),
      first: batchOp(P.first),
      get_lock: batchOp(P.get_lock),
      'lock+unlock': batchOp(P['lock+unlock']),
    },
    walk: () => run(P.walk),
    destroy: () => map.destroy(),
  };
}

// ---- baselines -----------------------------------------------------------------------------

/** js-sdsl OrderedMap<number, Uint8Array>: "alloc" makes the 16-byte payload object the entry
 *  holds (what alloc_node provides), add/find/remove by key, the walk with its iterator; there
 *  is no free (the GC does it). */
function sdslImpl(): TreeImpl {
  const m = new OrderedMap<number, Uint8Array>();
  return {
    name: 'js-sdsl',
    fill(order, n) {
      for (let i = 0; i < n; i++) m.setElement(keyOf(order, i), new Uint8Array(PAYLOAD));
    },
    size: () => m.size(),
    ops: {
      alloc_node(b) {
        for (let i = 0; i < b.keys.length; i++) b.nodes[i] = new Uint8Array(PAYLOAD);
        return b.keys.length;
      },
      add(b) {
        const before = m.size();
        for (let i = 0; i < b.keys.length; i++) m.setElement(b.keys[i]!, b.nodes[i] as Uint8Array);
        return m.size() - before;
      },
      find(b) {
        let ok = 0;
        for (let i = 0; i < b.keys.length; i++) if (m.getElementByKey(b.keys[i]!) !== undefined) ok++;
        return ok;
      },
      remove(b) {
        let ok = 0;
        for (let i = 0; i < b.keys.length; i++) if (m.eraseElementByKey(b.keys[i]!)) ok++;
        return ok;
      },
      first(b) {
        let ok = 0;
        for (let i = 0; i < b.keys.length; i++) if (m.front() !== undefined) ok++;
        return ok;
      },
    },
    walk() {
      let steps = 0;
      let prev = -1;
      for (const it = m.begin(); it.isAccessible(); it.next()) {
        const k = it.pointer[0];
        if (k < prev) return -1;
        prev = k;
        steps++;
      }
      return steps;
    },
    destroy: () => m.clear(),
  };
}

/** sorted-btree's BTree<number, Uint8Array>: set/get/delete by key, the walk with entries(). */
function btreeImpl(): TreeImpl {
  const t = new BTree<number, Uint8Array>();
  return {
    name: 'sorted-btree',
    fill(order, n) {
      for (let i = 0; i < n; i++) t.set(keyOf(order, i), new Uint8Array(PAYLOAD));
    },
    size: () => t.size,
    ops: {
      alloc_node(b) {
        for (let i = 0; i < b.keys.length; i++) b.nodes[i] = new Uint8Array(PAYLOAD);
        return b.keys.length;
      },
      add(b) {
        let ok = 0;
        for (let i = 0; i < b.keys.length; i++) if (t.set(b.keys[i]!, b.nodes[i] as Uint8Array, false)) ok++;
        return ok;
      },
      find(b) {
        let ok = 0;
        for (let i = 0; i < b.keys.length; i++) if (t.get(b.keys[i]!) !== undefined) ok++;
        return ok;
      },
      remove(b) {
        let ok = 0;
        for (let i = 0; i < b.keys.length; i++) if (t.delete(b.keys[i]!)) ok++;
        return ok;
      },
      first(b) {
        let ok = 0;
        for (let i = 0; i < b.keys.length; i++) if (t.minKey() !== undefined) ok++;
        return ok;
      },
    },
    walk() {
      let steps = 0;
      let prev = -1;
      const reuse: (number | Uint8Array)[] = [];
      for (const [k] of t.entries(undefined, reuse)) {
        if (k < prev) return -1;
        prev = k;
        steps++;
      }
      return steps;
    },
    destroy: () => t.clear(),
  };
}

// sorted-btree is CommonJS with the class on `exports.default`: Node's ESM import gives the
// exports object, bundler-style interop (vitest) the class itself.
type BTreeClass = typeof sortedBtree.default;
export const BTree: BTreeClass = (sortedBtree as unknown as { default?: BTreeClass }).default ?? (sortedBtree as unknown as BTreeClass);

const FACTORIES: Record<ImplName, () => TreeImpl> = { bpf: () => bpfImpl('compiled'), 'bpf-interpreter': () => bpfImpl('interpreter'), ts: tsImpl, 'js-sdsl': sdslImpl, 'sorted-btree': btreeImpl };

// ---- the protocol --------------------------------------------------------------------------

export interface MatrixOptions {
  sizes: readonly number[];
  orders: readonly KeyOrder[];
  impls?: readonly ImplName[];
  /** Timed samples per cell (each sample is one batch per op). */
  samples: number;
  warmup: number;
  progress?: (msg: string) => void;
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`rbtree benchmark self-check failed: ${what}`);
}

/** Deterministic PRNG (xorshift32) so every implementation finds the same keys. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Run one implementation at one size and key order. */
export function measureCell(name: ImplName, size: number, order: KeyOrder, samples: number, warmup: number): OpResult[] {
  const impl = FACTORIES[name]();
  try {
    impl.fill(order, size);
    check(impl.size() === size, `${name}: tree holds ${impl.size()} nodes after filling ${size}`);
    const times = new Map<Op, number[]>();
    const walkTimes: number[] = [];
    const fresh: Batch = { keys: new Float64Array(BATCH), nodes: new Array(BATCH).fill(0) };
    const present: Batch = { keys: new Float64Array(BATCH), nodes: fresh.nodes };
    // Fresh keys follow the filled ones: for sequential keys they go to the right end.
    for (let i = 0; i < BATCH; i++) fresh.keys[i] = keyOf(order, size + i);
    const rand = rng(size ^ (order === 'random' ? 0x5bd1e995 : 0x1b873593));
    // A full walk of 1e6 nodes is long: walk often enough for ~2e6 visited nodes per cell.
    const walkEvery = Math.max(1, Math.floor((samples + warmup) / Math.max(3, Math.ceil(2e6 / size))));
    // The batch loop's own cost (BPF: a run of the loop without helper calls) is measured in
    // every sample, in the same JIT state as the phases, and the fastest of those runs is
    // subtracted from every phase at the end: noise only ever adds time, so this never makes
    // a helper look cheaper than it is (a per-sample subtraction of one noisy run from another
    // could come out at or below zero; a single estimate taken before the samples caught the
    // interpreter in another JIT state).
    const loopNs: number[] = [];
    for (let s = 0; s < warmup + samples; s++) {
      const timed = s >= warmup;
      const record = (op: Op, ns: number) => {
        if (!timed) return;
        let a = times.get(op);
        if (!a) times.set(op, (a = []));
        a.push(ns);
      };
      const phase = (op: Op, b: Batch, expect: number) => {
        const f = impl.ops[op];
        if (!f) return;
        impl.prepare?.(b, op);
        const t0 = nowNs();
        const got = f(b);
        const ns = nowNs() - t0;
        check(got === expect, `${name} ${op} @${size} ${order}: ${got} of ${expect} calls succeeded`);
        record(op, ns);
      };
      if (impl.overheadNs && timed) loopNs.push(impl.overheadNs(fresh));
      for (let i = 0; i < BATCH; i++) {
        // random: anywhere in the tree; sequential: a run of consecutive keys
        const idx = order === 'random' ? Math.floor(rand() * size) : (s * BATCH + i) % size;
        present.keys[i] = keyOf(order, idx);
      }
      phase('alloc_node', fresh, BATCH);
      phase('add', fresh, BATCH);
      check(impl.size() === size + BATCH, `${name}: ${impl.size()} nodes after adding ${BATCH} to ${size}`);
      phase('find', present, BATCH);
      phase('remove', fresh, BATCH);
      check(impl.size() === size, `${name}: ${impl.size()} nodes after removing the batch`);
      phase('free_node', fresh, BATCH);
      phase('first', fresh, BATCH);
      phase('get_lock', fresh, BATCH);
      phase('lock+unlock', fresh, BATCH);
      if (s % walkEvery === 0) {
        // Small trees are walked several times per sample, so a sample is long enough (~1e5
        // nodes) that one interrupt does not decide it.
        const reps = Math.max(1, Math.floor(100_000 / size));
        const t0 = nowNs();
        for (let r = 0; r < reps; r++) {
          const steps = impl.walk();
          check(steps === size, `${name} walk @${size}: visited ${steps} of ${size} nodes${steps === -1 ? ' (out of order)' : ''}`);
        }
        const ns = nowNs() - t0;
        if (timed) walkTimes.push(ns / (size * reps));
      }
    }
    const overhead = loopNs.length ? Math.min(...loopNs) : 0;
    for (const [op, t] of times) times.set(op, t.map((ns) => Math.max(0, ns - overhead) / BATCH));
    if (walkTimes.length) times.set('next', walkTimes);
    const out: OpResult[] = [];
    for (const op of OPS) {
      const t = times.get(op);
      if (!t) continue;
      const st = summarize(t);
      out.push({
        impl: name,
        op,
        size,
        keys: order,
        meanNs: st.mean,
        minNs: st.min,
        p50Ns: st.p50,
        rme: st.rme,
        samples: st.n,
        mode: isBpf(name) ? 'unverified' : 'n/a',
        ...(op === 'next' ? { note: 'first, then next per node of a full in-order walk' } : {}),
        ...(isBpf(name) ? {} : op === 'alloc_node' && name !== 'ts' ? { note: 'creates the 16-byte payload object' } : {}),
      });
    }
    return out;
  } finally {
    impl.destroy();
  }
}

export function runMatrix(opts: MatrixOptions): OpResult[] {
  const impls = opts.impls ?? IMPLS;
  const out: OpResult[] = [];
  // One small untimed pass per implementation first, so the first cell does not pay for the JIT.
  for (const i of impls) measureCell(i, 1_000, 'random', 10, 10);
  for (const size of opts.sizes)
    for (const order of opts.orders)
      for (const name of impls) {
        opts.progress?.(`rbtree ${name} @${size} ${order}`);
        out.push(...measureCell(name, size, order, opts.samples, opts.warmup));
      }
  return out;
}

/** A matrix cell as a registry row; `params` carries the coordinates the report tabulates. */
export function toBenchResult(r: OpResult): BenchResult {
  return {
    name: `rbtree-ops/${r.impl} ${r.op} @${r.size} ${r.keys}`,
    tags: ['rbtree', 'rbtree-ops'],
    meanNs: r.meanNs,
    minNs: r.minNs,
    p50Ns: r.p50Ns,
    rme: r.rme,
    samples: r.samples,
    opsPerSec: 1e9 / r.meanNs,
    mode: r.mode,
    params: { impl: r.impl, op: r.op, size: r.size, keys: r.keys },
    ...(r.note ? { note: r.note } : {}),
  };
}

registerSuite({
  name: 'rbtree-ops/matrix',
  tags: ['rbtree', 'rbtree-ops', 'quick'],
  fn: () => {},
  rows: ({ quick, progress }) =>
    runMatrix({
      sizes: quick ? SIZES_QUICK : SIZES_FULL,
      orders: ['random', 'sequential'],
      samples: quick ? 12 : 60,
      warmup: quick ? 3 : 8,
      progress,
    }).map(toBenchResult),
});
