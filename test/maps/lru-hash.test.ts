// BPF_MAP_TYPE_LRU_HASH / LRU_PERCPU_HASH: strict least-recently-used eviction (maps/hash-table.ts):
// program lookups and all updates refresh an element, user lookups and iteration do not; a full
// map evicts instead of returning -E2BIG; BPF_F_NO_COMMON_LRU gives each CPU its own list.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLruHashMap } from '../../maps/lru-hash.js';
import { createLruPercpuHashMap } from '../../maps/lru-percpu-hash.js';
import type { HashTable } from '../../maps/hash-table.js';
import { Errno, MapFlag, MapType, UpdateFlag } from '../../maps/types.js';
import { MapError } from '../../src/errors.js';
import { keysOf, newArena, place, readU32, readU64, spec, u32, u64 } from './util.js';

const ids = (ks: Uint8Array[]) => ks.map((k) => readU32(k));

function lru(over = {}, ncpus = 1) {
  const arena = newArena();
  const map = createLruHashMap(spec(MapType.LRU_HASH, { maxEntries: 3, ...over }), { arena, ncpus }) as HashTable;
  return { arena, map };
}

describe('lru_hash: eviction', () => {
  it('evicts the least recently inserted element when nothing was touched', () => {
    const { map } = lru();
    for (const k of [1, 2, 3, 4]) expect(map.update(u32(k), u64(k))).toBe(0);
    expect(ids(keysOf(map)).sort()).toEqual([2, 3, 4]);
    expect(map.lookup(u32(1))).toBeUndefined();
  });
  it('a program lookup refreshes an element; a user lookup does not', () => {
    const { arena, map } = lru();
    for (const k of [1, 2, 3]) map.update(u32(k), u64(k));
    expect(map.lookupElem(place(arena, u32(1)), 0)).not.toBe(0); // 1 is now most recent
    map.lookup(u32(2)); // user-space: no effect on recency
    map.update(u32(4), u64(4)); // evicts 2
    expect(ids(keysOf(map)).sort()).toEqual([1, 3, 4]);
    expect(ids(map.recencyOrder())).toEqual([3, 1, 4]);
  });
  it('an update of an existing key refreshes it', () => {
    const { map } = lru();
    for (const k of [1, 2, 3]) map.update(u32(k), u64(k));
    map.update(u32(1), u64(11), UpdateFlag.EXIST);
    map.update(u32(4), u64(4));
    expect(ids(keysOf(map)).sort()).toEqual([1, 3, 4]);
    expect(readU64(map.lookup(u32(1)))).toBe(11n);
  });
  it('never returns -E2BIG; flags are checked before evicting', () => {
    const { map } = lru();
    for (const k of [1, 2, 3]) map.update(u32(k), u64(k));
    expect(map.update(u32(9), u64(9), UpdateFlag.EXIST)).toBe(-Errno.ENOENT);
    expect(ids(keysOf(map)).sort()).toEqual([1, 2, 3]); // nothing evicted
    expect(map.update(u32(2), u64(9), UpdateFlag.NOEXIST)).toBe(-Errno.EEXIST);
    expect(map.update(u32(9), u64(9), UpdateFlag.NOEXIST)).toBe(0);
    expect(ids(keysOf(map)).sort()).toEqual([2, 3, 9]);
  });
  it('BPF_F_LOCK is -EINVAL (LRU maps take no spin locks) and a spin lock field is refused at creation', () => {
    const { map } = lru();
    expect(map.update(u32(1), u64(1), UpdateFlag.F_LOCK)).toBe(-Errno.EINVAL);
    expect(() => lru({ valueSize: 8, spinLockOffset: 0 })).toThrow(/bpf_spin_lock/);
  });
  it('program-side updates and deletes', () => {
    const { arena, map } = lru();
    const k = place(arena, u32(5));
    expect(map.updateElem(k, place(arena, u64(50)), 0, 0)).toBe(0);
    expect(readU64(map.lookup(u32(5)))).toBe(50n);
    expect(map.deleteElem(k)).toBe(0);
    expect(map.deleteElem(k)).toBe(-Errno.ENOENT);
  });
  it('refuses BPF_F_NO_PREALLOC, accepts BPF_F_NO_COMMON_LRU', () => {
    expect(() => lru({ flags: MapFlag.NO_PREALLOC })).toThrow(MapError);
    expect(() => lru({ flags: MapFlag.NO_COMMON_LRU })).not.toThrow();
  });
});

describe('lru_hash: BPF_F_NO_COMMON_LRU', () => {
  it('rounds max_entries up to a multiple of ncpus and evicts within the inserting CPU\'s list', () => {
    const arena = newArena();
    const map = createLruHashMap(spec(MapType.LRU_HASH, { maxEntries: 3, flags: MapFlag.NO_COMMON_LRU }), { arena, ncpus: 2 }) as HashTable;
    expect(map.maxEntries).toBe(4);
    const put = (k: number, cpu: number) => map.updateElem(place(arena, u32(k)), place(arena, u64(k)), 0, cpu);
    put(1, 0);
    put(2, 0);
    put(10, 1);
    put(11, 1);
    put(3, 0); // CPU 0's list holds 2 elements: evicts 1, not CPU 1's elements
    expect(ids(keysOf(map)).sort((a, b) => a! - b!)).toEqual([2, 3, 10, 11]);
    expect(ids(map.recencyOrder(1))).toEqual([10, 11]);
  });
});

describe('lru_hash: property test against a strict-LRU model', () => {
  it('keeps exactly the most recently used keys', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('update' as const), k: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ op: fc.constant('plookup' as const), k: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ op: fc.constant('delete' as const), k: fc.integer({ min: 0, max: 9 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (ops, max) => {
        const { arena, map } = lru({ maxEntries: max });
        const keyAddr = place(arena, u32(0));
        const model: number[] = []; // least recent first
        const touch = (k: number) => {
          const i = model.indexOf(k);
          if (i >= 0) model.splice(i, 1);
          model.push(k);
        };
        for (const o of ops) {
          if (o.op === 'update') {
            expect(map.update(u32(o.k), u64(o.k))).toBe(0);
            if (!model.includes(o.k) && model.length >= max) model.shift();
            touch(o.k);
          } else if (o.op === 'plookup') {
            arena.dv.setUint32(keyAddr, o.k, true);
            const found = map.lookupElem(keyAddr, 0) !== 0;
            expect(found).toBe(model.includes(o.k));
            if (found) touch(o.k);
          } else {
            const i = model.indexOf(o.k);
            expect(map.delete(u32(o.k))).toBe(i >= 0 ? 0 : -Errno.ENOENT);
            if (i >= 0) model.splice(i, 1);
          }
        }
        expect(ids(map.recencyOrder())).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });
});

describe('lru_percpu_hash', () => {
  it('per-CPU copies, user space sees round_up(value_size, 8) * ncpus bytes, eviction as lru_hash', () => {
    const arena = newArena();
    const map = createLruPercpuHashMap(spec(MapType.LRU_PERCPU_HASH, { maxEntries: 2, valueSize: 4 }), { arena, ncpus: 3 }) as HashTable;
    const k1 = place(arena, u32(1));
    expect(map.updateElem(k1, place(arena, u32(0xaa)), 0, 1)).toBe(0);
    const user = map.lookup(u32(1))!;
    expect(user.length).toBe(24);
    expect([readU32(user, 0), readU32(user, 8), readU32(user, 16)]).toEqual([0, 0xaa, 0]);
    expect(map.lookupElem(k1, 2)).not.toBe(map.lookupElem(k1, 1));
    map.update(u32(2), new Uint8Array(24));
    map.update(u32(3), new Uint8Array(24)); // evicts 1
    expect(map.lookup(u32(1))).toBeUndefined();
    expect(() => map.update(u32(4), new Uint8Array(4))).toThrow(/value is 4 bytes, value_size is 24/);
  });
});
