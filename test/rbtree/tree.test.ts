// The pure red-black tree (maps/rbtree-tree.ts) against a sorted reference model: random
// add/remove/find/first/last/next/prev, invariants checked every few hundred steps and at the end.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena } from '../../vm/memory.js';
import { RbTree } from '../../maps/rbtree-tree.js';

const KEY = 24; // payload: u32 key, u32 insertion sequence

function setup(initialBytes = 1 << 20) {
  const arena = new Arena({ initialBytes });
  const tree = new RbTree(arena);
  const key = (n: number): number => arena.dv.getUint32(n + KEY, true);
  const seq = (n: number): number => arena.dv.getUint32(n + KEY + 4, true);
  const less = (a: number, b: number): boolean => key(a) < key(b);
  let nextSeq = 0;
  const alloc = (k: number): number => {
    const n = arena.alloc(40, { kind: 'node' });
    tree.clear(n);
    arena.dv.setUint32(n + KEY, k, true);
    arena.dv.setUint32(n + KEY + 4, nextSeq++, true);
    return n;
  };
  return { arena, tree, key, seq, less, alloc };
}

/** Reference: nodes sorted by (key, insertion order) -- ties go right, so equal keys keep order. */
class Model {
  items: { k: number; s: number; n: number }[] = [];
  insert(k: number, s: number, n: number): void {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid]!.k <= k) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, { k, s, n });
  }
  indexOf(n: number): number {
    return this.items.findIndex((i) => i.n === n);
  }
}

type Op =
  | { op: 'add'; k: number }
  | { op: 'remove'; i: number }
  | { op: 'find'; k: number }
  | { op: 'walk'; i: number; back: boolean };

const opArb = (keys: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), k: fc.nat(keys) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('remove' as const), i: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('find' as const), k: fc.nat(keys) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('walk' as const), i: fc.nat(), back: fc.boolean() }) },
  );

function runOps(ops: Op[], checkEvery: number): void {
  const { tree, key, seq, less, alloc, arena } = setup();
  const model = new Model();
  ops.forEach((o, step) => {
    switch (o.op) {
      case 'add': {
        const n = alloc(o.k);
        expect(tree.isLinked(n)).toBe(false);
        tree.add(n, less);
        expect(tree.isLinked(n)).toBe(true);
        model.insert(o.k, seq(n), n);
        break;
      }
      case 'remove': {
        if (model.items.length === 0) break;
        const idx = o.i % model.items.length;
        const n = model.items[idx]!.n;
        tree.erase(n);
        model.items.splice(idx, 1);
        expect(tree.isLinked(n)).toBe(false);
        arena.free(n);
        break;
      }
      case 'find': {
        const n = tree.find((m) => o.k - key(m));
        const present = model.items.some((i) => i.k === o.k);
        if (present) expect(key(n)).toBe(o.k);
        else expect(n).toBe(0);
        break;
      }
      case 'walk': {
        const items = model.items;
        expect(tree.first()).toBe(items[0]?.n ?? 0);
        expect(tree.last()).toBe(items[items.length - 1]?.n ?? 0);
        if (items.length === 0) break;
        const idx = o.i % items.length;
        const n = items[idx]!.n;
        expect(tree.next(n)).toBe(items[idx + 1]?.n ?? 0);
        expect(tree.prev(n)).toBe(items[idx - 1]?.n ?? 0);
        break;
      }
    }
    expect(tree.size).toBe(model.items.length);
    if ((step + 1) % checkEvery === 0) expect(tree.check(less)).toEqual([]);
  });
  expect(tree.check(less)).toEqual([]);
  // Full in-order walk equals the model (keys and, for ties, insertion order).
  const walk: number[] = [];
  for (let n = tree.first(); n !== 0; n = tree.next(n)) walk.push(n);
  expect(walk).toEqual(model.items.map((i) => i.n));
  const back: number[] = [];
  for (let n = tree.last(); n !== 0; n = tree.prev(n)) back.push(n);
  expect(back.reverse()).toEqual(walk);
}

describe('RbTree (pure)', () => {
  it('matches a sorted model on random operation sequences (few distinct keys: many ties)', () => {
    fc.assert(fc.property(fc.array(opArb(20), { maxLength: 400 }), (ops) => runOps(ops, 50)), { numRuns: 150 });
  });

  it('matches a sorted model on long random sequences (wide keys)', () => {
    fc.assert(fc.property(fc.array(opArb(1_000_000), { minLength: 1000, maxLength: 3000 }), (ops) => runOps(ops, 300)), {
      numRuns: 10,
    });
  });

  it('stays balanced at 1e5 nodes through inserts and random erases', () => {
    const N = 100_000;
    const { tree, key, less, alloc, arena } = setup(16 << 20);
    let rnd = 12345;
    const rand = (): number => (rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0);
    const nodes: number[] = [];
    for (let i = 0; i < N; i++) {
      const n = alloc(rand() % 1_000_000);
      tree.add(n, less);
      nodes.push(n);
      if (i % 20_000 === 0) expect(tree.check()).toEqual([]);
    }
    expect(tree.size).toBe(N);
    expect(tree.check(less)).toEqual([]);
    // Height bound of a red-black tree: 2 log2(n + 1).
    let maxDepth = 0;
    const stack: [number, number][] = [[tree.root, 1]];
    while (stack.length) {
      const [n, d] = stack.pop()!;
      maxDepth = Math.max(maxDepth, d);
      if (tree.left(n)) stack.push([tree.left(n), d + 1]);
      if (tree.right(n)) stack.push([tree.right(n), d + 1]);
    }
    expect(maxDepth).toBeLessThanOrEqual(2 * Math.log2(N + 1));
    // Erase a random half.
    for (let i = nodes.length - 1; i > 0; i--) {
      const j = rand() % (i + 1);
      [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
    }
    const gone = nodes.slice(0, N / 2);
    for (const [i, n] of gone.entries()) {
      tree.erase(n);
      arena.free(n);
      if (i % 10_000 === 0) expect(tree.check()).toEqual([]);
    }
    expect(tree.check(less)).toEqual([]);
    const keys: number[] = [];
    for (let n = tree.first(); n !== 0; n = tree.next(n)) keys.push(key(n));
    const expected = nodes.slice(N / 2).map(key).sort((a, b) => a - b);
    expect(keys).toEqual(expected);
    // Drain through first() (the scheduler pattern).
    while (tree.first() !== 0) tree.erase(tree.first());
    expect(tree.size).toBe(0);
    expect(tree.root).toBe(0);
    expect(tree.check()).toEqual([]);
  });

  it('lays links out as the kernel does: parent|colour, right, left, high halves zero', () => {
    const { tree, arena, less, alloc } = setup();
    const a = alloc(2);
    const b = alloc(1);
    const c = alloc(3);
    expect(arena.dv.getBigUint64(a, true)).toBe(BigInt(a)); // RB_CLEAR_NODE
    for (const n of [a, b, c]) tree.add(n, less);
    expect(tree.root).toBe(a);
    expect(arena.dv.getBigUint64(a, true)).toBe(1n); // parent 0, black
    expect(arena.dv.getBigUint64(a + 8, true)).toBe(BigInt(c));
    expect(arena.dv.getBigUint64(a + 16, true)).toBe(BigInt(b));
    expect(arena.dv.getBigUint64(b, true)).toBe(BigInt(a)); // red child: colour bit 0
  });

  it('postOrder visits children before parents', () => {
    const { tree, less, alloc } = setup();
    for (let i = 0; i < 100; i++) tree.add(alloc(i), less);
    const order = tree.postOrder();
    expect(order.length).toBe(100);
    const seen = new Set<number>();
    for (const n of order) {
      for (const c of [tree.left(n), tree.right(n)]) if (c) expect(seen.has(c)).toBe(true);
      seen.add(n);
    }
    expect(order[order.length - 1]).toBe(tree.root);
  });
});
