// helpers/rbtree.ts and maps/rbtree.ts through a fake HelperCall: prototypes, the run-time rules of
// DESIGN section 7 (NULL without the lock, refusals, -EBUSY, busy tree during callbacks), map
// creation errors naming rb_node, accounting and destroy.
import { beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RBTREE_HELPERS, RbtreeHelperId } from '../../helpers/rbtree.js';
import { RbtreeMap, rbtreeSpec, createRbtreeMap } from '../../maps/rbtree.js';
import { Errno, MapType } from '../../maps/types.js';
import { FaultSignal, MapError } from '../../src/errors.js';
import { FakeRun } from './fake-call.js';
import { Arena } from '../../vm/memory.js';
import { helperById, helperByName } from '../../helpers/table.js';
import { MAP_FACTORIES } from '../../maps/index.js';

const H = Object.fromEntries(RBTREE_HELPERS.map((h) => [h.name.replace('rbtree_', ''), h])) as Record<
  keyof typeof RbtreeHelperId,
  (typeof RBTREE_HELPERS)[number]
>;
const VALUE = 32; // struct node_data { struct rb_node node; __u32 one; __u32 two; }
const ONE = 24;

let run: FakeRun;
let map: RbtreeMap;
let M: bigint;
let less: bigint;
let cmp: bigint;

const one = (n: bigint | number): number => run.arena.dv.getUint32(Number(n) + ONE, true);

function alloc(v: number): bigint {
  const n = run.call(H.alloc_node, M, VALUE);
  expect(n).not.toBe(0n);
  run.arena.dv.setUint32(Number(n) + ONE, v, true);
  return n;
}
const lock = (): bigint => run.call(H.lock, run.call(H.get_lock, M));
const unlock = (): bigint => run.call(H.unlock, run.call(H.get_lock, M));

beforeEach(() => {
  run = new FakeRun();
  map = new RbtreeMap(rbtreeSpec('rbtree', VALUE), { arena: run.arena, ncpus: 1 });
  M = run.mapHandle(map);
  less = run.fn(([a, b]) => one(a!) < one(b!));
  cmp = run.fn(([k, n]) => BigInt.asUintN(64, BigInt(Number(k) - one(n!))));
});

describe('rbtree helper table', () => {
  it('has the RFC order with ids 212-223, gpl only, all program types', () => {
    expect(RBTREE_HELPERS.map((h) => [h.id, h.name])).toEqual([
      [212, 'rbtree_alloc_node'], [213, 'rbtree_add'], [214, 'rbtree_find'], [215, 'rbtree_remove'],
      [216, 'rbtree_free_node'], [217, 'rbtree_get_lock'], [218, 'rbtree_lock'], [219, 'rbtree_unlock'],
      [220, 'rbtree_first'], [221, 'rbtree_last'], [222, 'rbtree_next'], [223, 'rbtree_prev'],
    ]);
    for (const h of RBTREE_HELPERS) {
      expect(h.gplOnly).toBe(true);
      expect(h.progTypes).toBe('all');
      expect(h.proto.args.length).toBeLessThanOrEqual(5);
    }
  });

  it('is registered in the Linux helper table and the map-type table', () => {
    for (const h of RBTREE_HELPERS) expect(helperById(h.id)).toBe(h);
    expect(helperByName('bpf_rbtree_add')?.id).toBe(213);
    expect(MAP_FACTORIES.get(MapType.RBTREE)).toBe(createRbtreeMap);
  });

  it('uses the kernel vocabulary for ownership: acquire, release, conditional release, non-owning, iter', () => {
    expect(H.alloc_node.proto.ret.flags).toEqual(['PTR_MAYBE_NULL', 'ACQUIRE']);
    expect(H.remove.proto.ret.flags).toContain('ACQUIRE');
    expect(H.add.proto.args[1]!.flags).toEqual(['OBJ_RELEASE']);
    expect(H.free_node.proto.args[1]!.flags).toEqual(['OBJ_RELEASE']);
    expect(H.add.proto.ret.flags).toEqual(['PTR_MAYBE_NULL', 'NON_OWNING', 'CONDITIONAL_RELEASE']);
    expect(H.find.proto.ret.flags).toContain('NON_OWNING');
    expect(H.first.proto.ret.flags).toEqual(['PTR_MAYBE_NULL', 'PTR_ITER', 'NON_OWNING']);
    expect(H.next.proto.args[1]!.flags).toEqual(['PTR_ITER']);
    expect(H.prev.proto.ret.flags).toEqual(['PTR_MAYBE_NULL', 'PTR_ITER_END', 'NON_OWNING']);
    expect(H.add.proto.callbackRet).toEqual({ 3: [0n, 1n] });
    expect(H.find.proto.callbackRet).toEqual({ 3: [-(1n << 63n), (1n << 63n) - 1n] });
    expect(H.lock.proto.args[0]!.type).toBe('ARG_PTR_TO_SPIN_LOCK');
    expect(H.alloc_node.proto.args[1]!.type).toBe('ARG_CONST_ALLOC_SIZE_OR_ZERO');
  });
});

describe('rbtree map creation', () => {
  const ctx = () => ({ arena: run.arena, ncpus: 1 });
  it('accepts a value type beginning with rb_node', () => {
    expect(createRbtreeMap(rbtreeSpec('ok', 24), ctx())).toBeInstanceOf(RbtreeMap);
  });
  it('refuses values too small, without rb_node, rb_node not first, or max_entries != 0, naming rb_node', () => {
    const base = rbtreeSpec('bad', 56);
    const cases = [
      { ...base, valueSize: 16 },
      { ...base, rbNodeOffset: undefined, btfValueTypeId: 5 },
      { ...base, rbNodeOffset: undefined },
      { ...base, rbNodeOffset: 8 },
    ];
    for (const spec of cases) {
      expect(() => createRbtreeMap(spec, ctx())).toThrow(MapError);
      expect(() => createRbtreeMap(spec, ctx())).toThrow(/rb_node/);
    }
    expect(() => createRbtreeMap({ ...base, maxEntries: 1 }, ctx())).toThrow(/max_entries must be 0/);
    expect(MapType.RBTREE).toBe(4096);
  });
});

describe('rbtree helpers at run time', () => {
  it('alloc_node: NULL below 24 bytes, else max(size, value_size) bytes, payload zero, rb_node cleared and read-only', () => {
    expect(run.call(H.alloc_node, M, 1)).toBe(0n);
    expect(run.call(H.alloc_node, M, 23)).toBe(0n);
    const n = Number(run.call(H.alloc_node, M, 24));
    expect(n).not.toBe(0);
    expect(map.nodeLength(n)).toBe(VALUE);
    expect(run.arena.dv.getBigUint64(n, true)).toBe(BigInt(n)); // RB_CLEAR_NODE: parent = self
    expect([...run.arena.read(n + 8, VALUE - 8)].every((b) => b === 0)).toBe(true);
    expect(run.arena.canAccess(n, 8, true)).toBe(false);
    expect(run.arena.canAccess(n + 23, 1, true)).toBe(false);
    expect(run.arena.canAccess(n + 24, 8, true)).toBe(true);
    expect(run.arena.canAccess(n, 24, false)).toBe(true);
    const big = Number(run.call(H.alloc_node, M, 100));
    expect(map.nodeLength(big)).toBe(100);
    expect(map.nodesAlive).toBe(2);
    expect(map.bytesInUse).toBe(VALUE + 100 + 4);
  });

  it('alloc_node returns NULL when the arena is full (ENOMEM), and works again after frees', () => {
    const small = new FakeRun(new Arena({ initialBytes: 64 << 10, maxBytes: 128 << 10 }));
    const m = new RbtreeMap(rbtreeSpec('small', VALUE), { arena: small.arena, ncpus: 1 });
    const S = small.mapHandle(m);
    const got: bigint[] = [];
    for (let i = 0; i < 10_000; i++) {
      const n = small.call(H.alloc_node, S, VALUE);
      if (n === 0n) break;
      got.push(n);
    }
    expect(got.length).toBeGreaterThan(1000);
    expect(got.length).toBeLessThan(10_000);
    expect(small.call(H.alloc_node, S, VALUE)).toBe(0n);
    for (const n of got.splice(0, 10)) expect(small.call(H.free_node, S, n)).toBe(0n);
    expect(small.call(H.alloc_node, S, VALUE)).not.toBe(0n);
  });

  it('every tree-touching helper returns NULL without the lock', () => {
    const n = alloc(1);
    expect(run.call(H.add, M, n, less)).toBe(0n);
    expect(map.isLinked(Number(n))).toBe(false);
    lock();
    expect(run.call(H.add, M, n, less)).toBe(n);
    unlock();
    expect(run.call(H.find, M, 1, cmp)).toBe(0n);
    expect(run.call(H.first, M)).toBe(0n);
    expect(run.call(H.last, M)).toBe(0n);
    expect(run.call(H.next, M, n)).toBe(0n);
    expect(run.call(H.prev, M, n)).toBe(0n);
    expect(run.call(H.remove, M, n)).toBe(0n);
    expect(map.size).toBe(1);
  });

  it('check_rbtree: alloc, add, find, walk, remove, free -- 100 runs leave an empty tree', () => {
    let calls = 0;
    for (let i = 0; i < 100; i++) {
      const n = alloc(calls);
      lock();
      expect(run.call(H.add, M, n, less)).toBe(n);
      unlock();
      lock();
      const f = run.call(H.find, M, calls, cmp);
      expect(f).toBe(n);
      let count = 0;
      for (let it = run.call(H.first, M); it !== 0n; it = run.call(H.next, M, it)) count++;
      expect(count).toBe(1);
      expect(run.call(H.remove, M, f)).toBe(n);
      unlock();
      expect(run.call(H.free_node, M, n)).toBe(0n);
      calls++;
    }
    expect(calls).toBe(100);
    expect(map.size).toBe(0);
    expect(map.nodesAlive).toBe(0);
    expect(run.locks.count).toBe(0);
  });

  it('orders by less, ties go right (insertion order), and walks both ways', () => {
    lock();
    const nodes = [5, 1, 3, 3, 9, 1].map((v) => {
      const n = alloc(v);
      expect(run.call(H.add, M, n, less)).toBe(n);
      return n;
    });
    const fwd: bigint[] = [];
    for (let it = run.call(H.first, M); it !== 0n; it = run.call(H.next, M, it)) fwd.push(it);
    expect(fwd).toEqual([nodes[1], nodes[5], nodes[2], nodes[3], nodes[0], nodes[4]]);
    const back: bigint[] = [];
    for (let it = run.call(H.last, M); it !== 0n; it = run.call(H.prev, M, it)) back.push(it);
    expect(back).toEqual([...fwd].reverse());
    expect(one(run.call(H.find, M, 9, cmp))).toBe(9);
    expect(run.call(H.find, M, 4, cmp)).toBe(0n);
    unlock();
  });

  it('refuses double add, remove of an unlinked node, free of a linked node, nodes of other maps and non-nodes', () => {
    const other = new RbtreeMap(rbtreeSpec('other', VALUE), { arena: run.arena, ncpus: 1 });
    const O = run.mapHandle(other);
    const n = alloc(7);
    const foreign = run.call(H.alloc_node, O, VALUE);
    const plain = run.arena.alloc(VALUE, { kind: 'map' }); // a map value, not a node
    lock();
    expect(run.call(H.remove, M, n)).toBe(0n); // unlinked
    expect(run.call(H.add, M, n, less)).toBe(n);
    expect(run.call(H.add, M, n, less)).toBe(0n); // already linked
    expect(run.call(H.add, M, foreign, less)).toBe(0n); // another map's node
    expect(run.call(H.add, M, plain, less)).toBe(0n); // not a node
    expect(run.call(H.add, M, n + 8n, less)).toBe(0n); // inside a node
    expect(run.call(H.remove, M, plain)).toBe(0n);
    expect(run.call(H.next, M, plain)).toBe(0n);
    expect(run.call(H.free_node, M, n)).toBe(BigInt.asUintN(64, BigInt(-Errno.EBUSY)));
    expect(run.call(H.free_node, M, foreign)).toBe(BigInt.asUintN(64, BigInt(-Errno.EINVAL)));
    expect(map.size).toBe(1);
    expect(map.tree.check()).toEqual([]);
    expect(run.call(H.first, M)).toBe(n);
    unlock();
    expect(other.nodesAlive).toBe(1);
    expect(run.call(H.free_node, O, foreign)).toBe(0n);
    expect(run.call(H.free_node, O, foreign)).toBe(BigInt.asUintN(64, BigInt(-Errno.EINVAL))); // double free refused
  });

  // helpers/rbtree.ts remembers the last lock it accepted; that shortcut must not outlive the map
  // or cross into another arena whose map happens to put its lock at the same address.
  it('re-checks a lock accepted before once its map is destroyed or the call is in another arena', () => {
    const addr = run.call(H.get_lock, M);
    lock();
    unlock();
    const run2 = new FakeRun();
    const map2 = new RbtreeMap(rbtreeSpec('rbtree', VALUE), { arena: run2.arena, ncpus: 1 });
    expect(map2.lockAddr).toBe(map.lockAddr); // same layout, same address: the case that matters
    // not registered with run2: its lock is no lock of run2's maps, whatever run accepted before
    expect(() => run2.call(H.lock, addr)).toThrow(/is not an rbtree map's lock/);
    run2.mapHandle(map2);
    expect(run2.call(H.lock, addr)).toBe(0n);
    expect(run2.call(H.unlock, addr)).toBe(0n);
    lock();
    unlock();
    map.destroy();
    expect(() => run.call(H.lock, addr)).toThrow(/is not an rbtree map's lock/);
  });

  it('faults on taking the lock twice and on unlocking a lock not held', () => {
    lock();
    expect(() => lock()).toThrow(FaultSignal);
    unlock();
    expect(() => unlock()).toThrow(FaultSignal);
    expect(() => run.call(H.lock, 0)).toThrow(FaultSignal);
  });

  it('the lock word is write-protected for programs', () => {
    const l = Number(run.call(H.get_lock, M));
    expect(l).toBe(map.lockAddr);
    expect(run.arena.canAccess(l, 4, false)).toBe(true);
    expect(run.arena.canAccess(l, 4, true)).toBe(false);
  });

  it('marks the tree busy while callbacks run: the same tree gives NULL, the tree stays intact', () => {
    lock();
    const seen: bigint[] = [];
    const nosy = run.fn(([a, b]) => {
      seen.push(run.call(H.first, M), run.call(H.remove, M, b!), run.call(H.find, M, 1, cmp));
      return one(a!) < one(b!);
    });
    const a = alloc(1);
    expect(run.call(H.add, M, a, nosy)).toBe(a); // empty tree: no callback
    const b = alloc(2);
    expect(run.call(H.add, M, b, nosy)).toBe(b);
    expect(seen).toEqual([0n, 0n, 0n]);
    expect(map.size).toBe(2);
    expect(run.call(H.first, M)).toBe(a); // busy cleared afterwards
    unlock();
  });

  it('a callback cannot free the node being added (-EBUSY): the insertion completes', () => {
    lock();
    run.call(H.add, M, alloc(1), less);
    const results: bigint[] = [];
    const freeing = run.fn(([a, b]) => {
      results.push(run.call(H.free_node, M, a!));
      return one(a!) < one(b!);
    });
    const n = alloc(2);
    expect(run.call(H.add, M, n, freeing)).toBe(n);
    expect(results).toEqual([BigInt.asUintN(64, BigInt(-Errno.EBUSY))]);
    expect(map.nodesAlive).toBe(2);
    expect(map.tree.check()).toEqual([]);
    unlock();
  });

  it('a callback that faults leaves the tree unchanged and usable', () => {
    lock();
    for (const v of [1, 2, 3]) run.call(H.add, M, alloc(v), less);
    const boom = run.fn(() => {
      throw new FaultSignal('callback fault');
    });
    const n = alloc(4);
    expect(() => run.call(H.add, M, n, boom)).toThrow('callback fault');
    expect(map.busy).toBe(false);
    expect(map.size).toBe(3);
    expect(map.isLinked(Number(n))).toBe(false);
    expect(map.tree.check()).toEqual([]);
    expect(run.call(H.add, M, n, less)).toBe(n);
    unlock();
  });

  it('cmp results are read as a signed 32-bit int', () => {
    lock();
    for (const v of [10, 20, 30]) run.call(H.add, M, alloc(v), less);
    const cmp32 = run.fn(([k, n]) => (0xffffffffn << 32n) | BigInt.asUintN(32, BigInt(Number(k) - one(n!))));
    expect(one(run.call(H.find, M, 10, cmp32))).toBe(10);
    expect(one(run.call(H.find, M, 30, cmp32))).toBe(30);
    unlock();
  });

  it('non-rbtree maps: alloc_node NULL, free_node -EINVAL', () => {
    const fake = { type: 1 } as unknown as RbtreeMap;
    const F = run.mapHandle(fake);
    expect(run.call(H.alloc_node, F, 32)).toBe(0n);
    expect(run.call(H.get_lock, F)).toBe(0n);
  });
});

describe('rbtree map user side and lifetime', () => {
  it('nextKey walks in order, lookup reads nodes, delete unlinks and frees, update is -ENOTSUPP', () => {
    lock();
    for (const v of [3, 1, 2]) run.call(H.add, M, alloc(v), less);
    unlock();
    const keys: Uint8Array[] = [];
    for (let k = map.nextKey(undefined); k; k = map.nextKey(k)) keys.push(k);
    expect(keys.map((k) => new DataView(map.lookup(k)!.buffer).getUint32(ONE, true))).toEqual([1, 2, 3]);
    expect(map.update(keys[0]!, new Uint8Array(VALUE))).toBe(-Errno.ENOTSUPP);
    expect(map.delete(keys[1]!)).toBe(0);
    expect(map.delete(keys[1]!)).toBe(-Errno.ENOENT);
    expect(map.size).toBe(2);
    expect(map.nodesAlive).toBe(2);
    expect(map.lookupElem(0, 0)).toBe(0);
    expect(map.updateElem(0, 0, 0, 0)).toBe(-Errno.ENOTSUPP);
  });

  it('destroy frees linked nodes, nodes a program leaked, and the lock', () => {
    const before = run.arena.bytesInUse;
    const m2 = new RbtreeMap(rbtreeSpec('t2', 40), { arena: run.arena, ncpus: 1 });
    const M2 = run.mapHandle(m2);
    run.call(H.lock, run.call(H.get_lock, M2));
    for (let i = 0; i < 1000; i++) {
      const n = run.call(H.alloc_node, M2, 40);
      run.arena.dv.setUint32(Number(n) + ONE, i * 7919 % 1000, true);
      run.call(H.add, M2, n, less);
    }
    run.call(H.unlock, run.call(H.get_lock, M2));
    const leaked = [run.call(H.alloc_node, M2, 40), run.call(H.alloc_node, M2, 3000)];
    expect(m2.nodesAlive).toBe(1002);
    m2.destroy();
    expect(m2.nodesAlive).toBe(0);
    expect(run.arena.bytesInUse).toBe(before);
    for (const n of leaked) expect(run.arena.isLive(Number(n))).toBe(false);
  });
});

describe('rbtree helpers against a sorted model (property)', () => {
  it('random add/remove/find/first/last/next/prev keep the model order and red-black invariants', () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('add' as const), v: fc.nat(50) }),
      fc.record({ t: fc.constant('remove' as const), i: fc.nat() }),
      fc.record({ t: fc.constant('find' as const), v: fc.nat(50) }),
      fc.record({ t: fc.constant('walk' as const), i: fc.nat() }),
      fc.record({ t: fc.constant('unlock' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        run = new FakeRun();
        map = new RbtreeMap(rbtreeSpec('p', VALUE), { arena: run.arena, ncpus: 1 });
        M = run.mapHandle(map);
        less = run.fn(([a, b]) => one(a!) < one(b!));
        cmp = run.fn(([k, n]) => BigInt.asUintN(64, BigInt(Number(k) - one(n!))));
        const model: bigint[] = []; // node addresses in expected order
        let locked = false;
        const ensureLock = () => {
          if (!locked) lock();
          locked = true;
        };
        ops.forEach((o, step) => {
          if (o.t === 'unlock') {
            if (locked) unlock();
            locked = false;
            return;
          }
          ensureLock();
          if (o.t === 'add') {
            const n = alloc(o.v);
            expect(run.call(H.add, M, n, less)).toBe(n);
            let at = model.length;
            while (at > 0 && one(model[at - 1]!) > o.v) at--;
            model.splice(at, 0, n);
          } else if (o.t === 'remove' && model.length) {
            const idx = o.i % model.length;
            const n = model[idx]!;
            expect(run.call(H.remove, M, n)).toBe(n);
            expect(run.call(H.remove, M, n)).toBe(0n);
            model.splice(idx, 1);
            expect(run.call(H.free_node, M, n)).toBe(0n);
          } else if (o.t === 'find') {
            const f = run.call(H.find, M, o.v, cmp);
            if (model.some((n) => one(n) === o.v)) expect(one(f)).toBe(o.v);
            else expect(f).toBe(0n);
          } else if (o.t === 'walk') {
            expect(run.call(H.first, M)).toBe(model[0] ?? 0n);
            expect(run.call(H.last, M)).toBe(model[model.length - 1] ?? 0n);
            if (model.length) {
              const idx = o.i % model.length;
              expect(run.call(H.next, M, model[idx]!)).toBe(model[idx + 1] ?? 0n);
              expect(run.call(H.prev, M, model[idx]!)).toBe(model[idx - 1] ?? 0n);
            }
          }
          if (step % 100 === 99) expect(map.tree.check()).toEqual([]);
        });
        expect(map.tree.check()).toEqual([]);
        expect(map.inOrder().map(BigInt)).toEqual(model);
        expect(map.nodesAlive).toBe(model.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('rbtree helpers given arbitrary pointers (property)', () => {
  it('never link, unlink or free anything but a genuine node of the map', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('add', 'remove', 'next', 'prev', 'free_node'), fc.nat(40), fc.integer({ min: -32, max: 64 })), { maxLength: 200 }),
        (calls) => {
          run = new FakeRun();
          map = new RbtreeMap(rbtreeSpec('p', VALUE), { arena: run.arena, ncpus: 1 });
          M = run.mapHandle(map);
          less = run.fn(([a, b]) => one(a!) < one(b!));
          const other = new RbtreeMap(rbtreeSpec('o', VALUE), { arena: run.arena, ncpus: 1 });
          const O = run.mapHandle(other);
          lock();
          const linked = new Set<bigint>();
          const held: bigint[] = [];
          for (let i = 0; i < 10; i++) {
            const n = alloc(i);
            run.call(H.add, M, n, less);
            linked.add(n);
          }
          for (let i = 0; i < 5; i++) held.push(alloc(100 + i));
          const freed = alloc(999);
          run.call(H.free_node, M, freed);
          const pool = [...linked, ...held, freed, run.call(H.alloc_node, O, VALUE), BigInt(map.lockAddr), BigInt(run.arena.alloc(VALUE, { kind: 'map' })), 0n, 8n];
          for (const [op, pick, delta] of calls) {
            const base = pool[pick % pool.length]!;
            const p = BigInt.asUintN(64, base + BigInt(delta & ~7) * (delta % 3 === 0 ? 1n : 0n));
            const genuineLinked = linked.has(p);
            const genuineHeld = held.includes(p);
            let r: bigint;
            try {
              r = run.call(H[op], M, p, less);
            } catch (e) {
              // Not an arena address at all (upper half set): a clean fault, nothing touched.
              expect(e).toBeInstanceOf(FaultSignal);
              expect(p >> 32n).not.toBe(0n);
              continue;
            }
            if (op === 'add') {
              expect(r).toBe(genuineHeld ? p : 0n);
              if (genuineHeld) {
                held.splice(held.indexOf(p), 1);
                linked.add(p);
              }
            } else if (op === 'remove') {
              expect(r).toBe(genuineLinked ? p : 0n);
              if (genuineLinked) {
                linked.delete(p);
                held.push(p);
              }
            } else if (op === 'free_node') {
              const want = genuineHeld ? 0 : genuineLinked ? -Errno.EBUSY : -Errno.EINVAL;
              expect(r).toBe(BigInt.asUintN(64, BigInt(want)));
              if (genuineHeld) held.splice(held.indexOf(p), 1);
            } else if (!genuineLinked) expect(r).toBe(0n);
          }
          expect(map.tree.check()).toEqual([]);
          expect(new Set(map.inOrder().map(BigInt))).toEqual(linked);
          expect(map.nodesAlive).toBe(linked.size + held.length);
          unlock();
        },
      ),
      { numRuns: 200 },
    );
  });
});

