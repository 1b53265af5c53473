// Property tests issued from BPF: test/progs/rbtree_ops.c performs one rbtree operation per run
// (add/remove/pop/find/first/last/next/prev/count, chosen by its syscall context); random sequences
// are checked against a sorted model, with the red-black invariants checked every few hundred
// steps and at the end, up to 1e5 nodes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KEY_OFF, OP, rbtreeOpsDriver } from './ops-driver.js';

const driver = () => rbtreeOpsDriver({ initialBytes: 16 << 20 });

/** Sorted unique keys with O(log n) search (splice is fine at these sizes). */
class Model {
  keys: number[] = [];
  private at(k: number): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (this.keys[m]! < k) lo = m + 1;
      else hi = m;
    }
    return lo;
  }
  has(k: number): boolean {
    return this.keys[this.at(k)] === k;
  }
  add(k: number): void {
    this.keys.splice(this.at(k), 0, k);
  }
  remove(k: number): void {
    this.keys.splice(this.at(k), 1);
  }
  neighbour(k: number, d: 1 | -1): number {
    return this.keys[this.at(k) + d] ?? -1;
  }
}

type Step = { t: 'add' | 'remove' | 'find' | 'next' | 'prev'; k: number } | { t: 'first' | 'last' | 'pop' | 'count' };

describe('rbtree from BPF programs against a sorted model', () => {
  it('random operation sequences (fast-check)', () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ t: fc.constant('add' as const), k: fc.nat(300) }) },
      { weight: 3, arbitrary: fc.record({ t: fc.constant('remove' as const), k: fc.nat(300) }) },
      { weight: 2, arbitrary: fc.record({ t: fc.constantFrom('find' as const, 'next' as const, 'prev' as const), k: fc.nat(300) }) },
      { weight: 2, arbitrary: fc.record({ t: fc.constantFrom('first' as const, 'last' as const, 'pop' as const, 'count' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
        const { op, tree } = driver();
        const m = new Model();
        steps.forEach((s, i) => {
          switch (s.t) {
            case 'add':
              if (m.has(s.k)) break; // keys are unique so find/next/prev have one answer
              expect(op(OP.ADD, s.k)).toBe(s.k);
              m.add(s.k);
              break;
            case 'remove':
              expect(op(OP.REMOVE, s.k)).toBe(m.has(s.k) ? s.k : -1);
              if (m.has(s.k)) m.remove(s.k);
              break;
            case 'find':
              expect(op(OP.FIND, s.k)).toBe(m.has(s.k) ? s.k : -1);
              break;
            case 'next':
            case 'prev':
              expect(op(s.t === 'next' ? OP.NEXT : OP.PREV, s.k)).toBe(m.has(s.k) ? m.neighbour(s.k, s.t === 'next' ? 1 : -1) : -2);
              break;
            case 'first':
              expect(op(OP.FIRST)).toBe(m.keys[0] ?? -1);
              break;
            case 'last':
              expect(op(OP.LAST)).toBe(m.keys[m.keys.length - 1] ?? -1);
              break;
            case 'pop': {
              const k = m.keys[0] ?? -1;
              expect(op(OP.POP)).toBe(k);
              if (k >= 0) m.remove(k);
              break;
            }
            case 'count':
              expect(op(OP.COUNT)).toBe(m.keys.length);
              break;
          }
          if (i % 100 === 99) expect(tree.tree.check()).toEqual([]);
        });
        expect(tree.tree.check()).toEqual([]);
        expect(tree.inOrder().map((n) => tree.arena.dv.getUint32(n + KEY_OFF, true))).toEqual(m.keys);
        expect(tree.nodesAlive).toBe(m.keys.length);
      }),
      { numRuns: 40 },
    );
  });

  it('1e5 nodes added from BPF, random finds/removes, invariants every 500 steps, drained by pop', () => {
    const N = 100_000;
    const { op, tree } = driver();
    const m = new Model();
    let seed = 99;
    const rand = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
    // Distinct keys in random order: a multiplicative permutation of 0..2^32.
    const keys = Array.from({ length: N }, (_, i) => Math.imul(i + 1, 2654435761) >>> 0);
    for (let i = 0; i < N; i++) {
      expect(op(OP.ADD, keys[i]!)).toBe(keys[i]);
      if (i % 500 === 499) expect(tree.size).toBe(i + 1);
      if (i % 20_000 === 19_999) expect(tree.tree.check()).toEqual([]);
    }
    m.keys = [...keys].sort((a, b) => a - b);
    expect(tree.tree.check()).toEqual([]);
    expect(op(OP.FIRST)).toBe(m.keys[0]);
    expect(op(OP.LAST)).toBe(m.keys[N - 1]);
    for (let i = 0; i < 20_000; i++) {
      const k = keys[rand() % N]!;
      const present = m.has(k);
      if (i % 3 === 0) {
        expect(op(OP.REMOVE, k)).toBe(present ? k : -1);
        if (present) m.remove(k);
      } else if (i % 3 === 1) expect(op(OP.FIND, k)).toBe(present ? k : -1);
      else expect(op(OP.NEXT, k)).toBe(present ? m.neighbour(k, 1) : -2);
      if (i % 500 === 499) expect(tree.tree.check()).toEqual([]);
    }
    expect(op(OP.COUNT)).toBe(m.keys.length);
    for (const k of m.keys) expect(op(OP.POP)).toBe(k);
    expect(op(OP.POP)).toBe(-1);
    expect(tree.tree.check()).toEqual([]);
    expect(tree.nodesAlive).toBe(0);
    // ~27 s alone on this 2-core host, 30-35 s while other suites share it: past the 30 s default
  }, 120_000);
});
