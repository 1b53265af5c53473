// The arena lives in a plain ArrayBuffer that is replaced when it grows (vm/memory.ts: typed
// arrays on a resizable buffer cost about 2x as much per access in Node 20). Everything that reads
// or writes arena memory must see the new buffer after an allocation: the interpreter and the
// compiled code after helper and kfunc calls and LD_IMM64 map values, the rbtree and graph code,
// the user-space rbtree API's cached comparators, maps copying a program's key after allocating
// an element. These tests grow small arenas many times in the middle of runs and operations, and
// (with Arena.relocateOnEveryAlloc) move the arena at every allocation with the old buffer
// detached, so any view kept across an allocation reads nothing and the results go wrong.
import { afterEach, describe, expect, it } from 'vitest';
import { Arena, MemFlag } from '../../vm/memory.js';
import { RbtreeMap, rbtreeSpec } from '../../maps/rbtree.js';
import { RbtreeApi } from '../../src/rbtree-api.js';
import type { Engine } from '../../vm/interpreter.js';
import { KEY_OFF, rbtreeOpsDriver } from '../rbtree/ops-driver.js';

const wasRelocating = Arena.relocateOnEveryAlloc;
afterEach(() => {
  Arena.relocateOnEveryAlloc = wasRelocating;
});

describe('Arena growth replaces the buffer and every view', () => {
  it('keeps every byte, replaces all views at once and counts the swaps', () => {
    Arena.relocateOnEveryAlloc = false;
    const a = new Arena({ initialBytes: 16 << 10, maxBytes: 1 << 20 });
    const first = a.alloc(100);
    a.u8.set([1, 2, 3, 4, 5], first);
    const r = a.allocRegion(8192, MemFlag.READ | MemFlag.WRITE, 'other', 'r');
    a.dv.setUint32(r + 4096, 0xdeadbeef, true);
    const views = a.views;
    const u8 = a.u8;
    const big = a.allocRegion(64 << 10, MemFlag.READ | MemFlag.WRITE, 'other', 'big'); // grows twice over
    expect(a.size).toBeGreaterThanOrEqual(big + (64 << 10));
    expect(a.views).toBeGreaterThan(views);
    expect(a.u8 === u8).toBe(false);
    for (const v of [a.u8, a.i8, a.u16, a.i16, a.i32, a.u32]) expect(v.buffer).toBe(a.u8.buffer);
    expect(a.dv.buffer).toBe(a.u8.buffer);
    expect(a.u8.byteLength).toBe(a.size);
    expect([...a.read(first, 5)]).toEqual([1, 2, 3, 4, 5]);
    expect(a.dv.getUint32(r + 4096, true)).toBe(0xdeadbeef);
    // the new pages are zero and usable through the new views
    expect(a.read(big, 16).every((b) => b === 0)).toBe(true);
    a.i32[(big + 65532) >>> 2] = -7;
    expect(a.dv.getInt32(big + 65532, true)).toBe(-7);
    // the arena bound still holds: nothing past maxBytes
    expect(() => a.allocRegion(2 << 20, MemFlag.READ, 'other', 'too big')).toThrow(/arena exhausted/);
  });

  it('relocateOnEveryAlloc detaches the old buffer, so a kept view goes dead', () => {
    Arena.relocateOnEveryAlloc = true;
    const a = new Arena({ initialBytes: 16 << 10 });
    const x = a.alloc(8);
    const stale = a.u8;
    a.u8[x] = 42;
    a.alloc(8);
    expect(stale.length).toBe(0);
    expect(a.u8[x]).toBe(42);
  });
});

/** test/progs/rbtree_ops.c from a 64 KiB arena: each ADD allocates a node inside the run. */
const rbtreeDriver = (engine: Engine) => rbtreeOpsDriver({ engine, initialBytes: 64 << 10 });

describe('programs on a growing arena', () => {
  for (const engine of ['compiled', 'interpreter'] as const) {
    for (const relocateAlways of [false, true]) {
      it(`rbtree adds from BPF grow the arena mid-run (${engine}${relocateAlways ? ', relocating at every allocation' : ''})`, () => {
        Arena.relocateOnEveryAlloc = relocateAlways;
        const { rt, op, tree } = rbtreeDriver(engine);
        const views = rt.arena.views;
        const N = relocateAlways ? 600 : 4000;
        const keys = Array.from({ length: N }, (_, i) => Math.imul(i + 1, 2654435761) >>> 0);
        for (const k of keys) expect(op(1, k)).toBe(k); // OP_ADD returns the key it added
        expect(rt.arena.views).toBeGreaterThanOrEqual(views + (relocateAlways ? N : 1)); // moved mid-run
        expect(tree.tree.check()).toEqual([]);
        const sorted = [...keys].sort((a, b) => a - b);
        expect(tree.inOrder().map((n) => rt.arena.dv.getUint32(n + KEY_OFF, true))).toEqual(sorted);
        for (const k of keys.slice(0, 200)) expect(op(3, k)).toBe(k); // OP_FIND
        expect(op(2, keys[0]!)).toBe(keys[0]); // OP_REMOVE
        expect(op(8)).toBe(N - 1); // OP_COUNT
      });
    }
  }
});

describe('the TypeScript rbtree API on a growing arena', () => {
  for (const relocateAlways of [false, true]) {
    it(`inserts with a cached key comparator across growth${relocateAlways ? ' (relocating at every allocation)' : ''}`, () => {
      Arena.relocateOnEveryAlloc = relocateAlways;
      const arena = new Arena({ initialBytes: 16 << 10 });
      const map = new RbtreeMap(rbtreeSpec('grow', 40), { arena, ncpus: 1 });
      const api = new RbtreeApi(map);
      const v = new Uint8Array(40);
      const dv = new DataView(v.buffer);
      const N = relocateAlways ? 500 : 5000;
      const want: number[] = [];
      for (let i = 0; i < N; i++) {
        const k = Math.imul(i + 1, 2654435761) >>> 0;
        dv.setUint32(24, k, true);
        want.push(k);
        // a 4-byte key: keyLess's comparator (not addByKey's 8-byte walk) for odd i
        api.insert(v, i % 2 === 0 ? { offset: 24, size: 8 } : { offset: 24, size: 4 });
      }
      expect(api.check({ offset: 24, size: 4 })).toEqual([]);
      expect(map.inOrder().map((n) => arena.dv.getUint32(n + 24, true))).toEqual(want.sort((a, b) => a - b));
    });
  }
});
