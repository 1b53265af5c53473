// BPF_MAP_TYPE_HASH: the kernel's update flags, errno results, full-map behaviour, iteration order,
// spin-lock fields, access flags and creation checks, plus a property test against a JS Map.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHashMap } from '../../maps/hash.js';
import { HashTable } from '../../maps/hash-table.js';
import { Errno, MapFlag, MapType, UpdateFlag } from '../../maps/types.js';
import { MapError, FaultSignal } from '../../src/errors.js';
import { keysOf, newArena, place, readU32, readU64, spec, u32, u64 } from './util.js';

const mk = (over = {}) => {
  const arena = newArena();
  const map = createHashMap(spec(MapType.HASH, over), { arena, ncpus: 2 });
  return { arena, map };
};

describe('hash map: update flags and errno', () => {
  it('BPF_ANY inserts and overwrites', () => {
    const { map } = mk();
    expect(map.update(u32(1), u64(10))).toBe(0);
    expect(map.update(u32(1), u64(11), UpdateFlag.ANY)).toBe(0);
    expect(readU64(map.lookup(u32(1)))).toBe(11n);
  });
  it('BPF_NOEXIST on an existing key is -EEXIST and leaves the value', () => {
    const { map } = mk();
    map.update(u32(1), u64(10));
    expect(map.update(u32(1), u64(99), UpdateFlag.NOEXIST)).toBe(-Errno.EEXIST);
    expect(readU64(map.lookup(u32(1)))).toBe(10n);
  });
  it('BPF_EXIST on a missing key is -ENOENT and inserts nothing', () => {
    const { map } = mk();
    expect(map.update(u32(1), u64(10), UpdateFlag.EXIST)).toBe(-Errno.ENOENT);
    expect(map.lookup(u32(1))).toBeUndefined();
  });
  it('unknown flags are -EINVAL; BPF_F_LOCK without a spin lock is -EINVAL', () => {
    const { map } = mk();
    expect(map.update(u32(1), u64(1), 3)).toBe(-Errno.EINVAL);
    expect(map.update(u32(1), u64(1), 8)).toBe(-Errno.EINVAL);
    expect(map.update(u32(1), u64(1), UpdateFlag.F_LOCK)).toBe(-Errno.EINVAL);
    expect(keysOf(map)).toHaveLength(0);
  });
  it('delete of a missing key is -ENOENT', () => {
    const { map } = mk();
    expect(map.delete(u32(5))).toBe(-Errno.ENOENT);
    map.update(u32(5), u64(1));
    expect(map.delete(u32(5))).toBe(0);
    expect(map.lookup(u32(5))).toBeUndefined();
  });
});

describe('hash map: full map', () => {
  it('a new key in a full map is -E2BIG; existing keys still update; delete frees a slot', () => {
    const { map } = mk({ maxEntries: 2 });
    expect(map.update(u32(1), u64(1))).toBe(0);
    expect(map.update(u32(2), u64(2))).toBe(0);
    expect(map.update(u32(3), u64(3))).toBe(-Errno.E2BIG);
    expect(map.update(u32(3), u64(3), UpdateFlag.NOEXIST)).toBe(-Errno.E2BIG);
    expect(map.update(u32(2), u64(22), UpdateFlag.EXIST)).toBe(0);
    expect(map.delete(u32(1))).toBe(0);
    expect(map.update(u32(3), u64(3))).toBe(0);
    expect(keysOf(map).map((k) => readU32(k))).toEqual([2, 3]);
  });
});

describe('hash map: get_next_key', () => {
  it('walks in insertion order and restarts from the first key when the key is missing', () => {
    const { map } = mk({ maxEntries: 8 });
    for (const k of [5, 3, 9]) map.update(u32(k), u64(k));
    expect(keysOf(map).map((k) => readU32(k))).toEqual([5, 3, 9]);
    expect(readU32(map.nextKey(u32(42)))).toBe(5);
    expect(map.nextKey(u32(9))).toBeUndefined();
    // updating keeps the position; delete + re-insert moves to the end
    map.update(u32(5), u64(0));
    expect(keysOf(map).map((k) => readU32(k))).toEqual([5, 3, 9]);
    map.delete(u32(5));
    map.update(u32(5), u64(0));
    expect(keysOf(map).map((k) => readU32(k))).toEqual([3, 9, 5]);
  });
  it('the delete-while-iterating idiom empties the map', () => {
    const { map } = mk({ maxEntries: 8 });
    for (let k = 0; k < 8; k++) map.update(u32(k), u64(k));
    let prev: Uint8Array | undefined;
    let n = 0;
    for (let next = map.nextKey(prev); next !== undefined; next = map.nextKey(prev)) {
      map.delete(next);
      prev = next;
      n++;
    }
    expect(n).toBe(8);
    expect(map.nextKey(undefined)).toBeUndefined();
  });
  it('an empty map has no first key', () => {
    expect(mk().map.nextKey(undefined)).toBeUndefined();
  });
});

describe('hash map: program side', () => {
  it('lookupElem returns a value address programs can write; 0 when missing', () => {
    const { arena, map } = mk();
    const k = place(arena, u32(7));
    expect(map.lookupElem(k, 0)).toBe(0);
    expect(map.updateElem(k, place(arena, u64(70)), UpdateFlag.ANY, 0)).toBe(0);
    const v = map.lookupElem(k, 0);
    expect(v).toBeGreaterThan(0);
    expect(arena.canAccess(v, 8, true)).toBe(true);
    expect(arena.canAccess(v, 9, false)).toBe(false); // value bounds are exact
    arena.dv.setBigUint64(v, 71n, true);
    expect(readU64(map.lookup(u32(7)))).toBe(71n);
    expect(map.deleteElem(k)).toBe(0);
    expect(map.deleteElem(k)).toBe(-Errno.ENOENT);
  });
  it('keys in unreadable memory fault', () => {
    const { map } = mk();
    expect(() => map.lookupElem(16, 0)).toThrow(FaultSignal);
  });
  it('a deleted element keeps its memory for this map (stale pointers do not fault)', () => {
    const { arena, map } = mk();
    const k = place(arena, u32(1));
    map.updateElem(k, place(arena, u64(5)), 0, 0);
    const v = map.lookupElem(k, 0);
    map.deleteElem(k);
    expect(arena.canAccess(v, 8, false)).toBe(true);
    map.update(u32(2), u64(6));
    expect(map.lookupElem(place(arena, u32(2)), 0)).toBe(v); // slot reused
  });
});

describe('hash map: access and freezing', () => {
  it('BPF_F_RDONLY_PROG: values are read-only to programs, program updates fault, user updates work', () => {
    const { arena, map } = mk({ flags: MapFlag.RDONLY_PROG });
    expect(map.update(u32(1), u64(1))).toBe(0);
    const v = map.lookupElem(place(arena, u32(1)), 0);
    expect(arena.canAccess(v, 8, false)).toBe(true);
    expect(arena.canAccess(v, 8, true)).toBe(false);
    expect(() => map.updateElem(place(arena, u32(2)), place(arena, u64(2)), 0, 0)).toThrow(/read-only/);
    expect(() => map.deleteElem(place(arena, u32(1)))).toThrow(/read-only/);
  });
  it('a frozen map refuses user updates and deletes with -EPERM', () => {
    const { map } = mk();
    map.update(u32(1), u64(1));
    map.frozen = true;
    expect(map.update(u32(1), u64(2))).toBe(-Errno.EPERM);
    expect(map.delete(u32(1))).toBe(-Errno.EPERM);
    expect(readU64(map.lookup(u32(1)))).toBe(1n);
  });
});

describe('hash map: bpf_spin_lock values', () => {
  const lockSpec = { valueSize: 16, spinLockOffset: 0 };
  it('updates never copy the lock word, lookups show it as zero, programs cannot write it', () => {
    const { arena, map } = mk(lockSpec);
    const val = new Uint8Array(16).fill(0xaa);
    expect(map.update(u32(1), val)).toBe(0);
    const v = map.lookupElem(place(arena, u32(1)), 0);
    expect(Array.from(arena.read(v, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(arena.read(v + 4, 4))).toEqual([0xaa, 0xaa, 0xaa, 0xaa]);
    expect(arena.canAccess(v, 4, true)).toBe(false);
    expect(arena.canAccess(v + 4, 12, true)).toBe(true);
    arena.dv.setUint32(v, 1, true); // as if held (the lock helper's write)
    expect(map.update(u32(1), new Uint8Array(16).fill(0xbb), UpdateFlag.F_LOCK)).toBe(0);
    expect(arena.dv.getUint32(v, true)).toBe(1);
    const seen = map.lookup(u32(1))!;
    expect(Array.from(seen.subarray(0, 5))).toEqual([0, 0, 0, 0, 0xbb]);
  });
  it('BPF_F_LOCK combines with NOEXIST/EXIST', () => {
    const { map } = mk(lockSpec);
    expect(map.update(u32(1), new Uint8Array(16), UpdateFlag.F_LOCK | UpdateFlag.EXIST)).toBe(-Errno.ENOENT);
    expect(map.update(u32(1), new Uint8Array(16), UpdateFlag.F_LOCK | UpdateFlag.NOEXIST)).toBe(0);
  });
});

describe('hash map: bad input from TypeScript', () => {
  it('wrong key or value size is a MapError and the map is unchanged', () => {
    const { map } = mk();
    map.update(u32(1), u64(1));
    expect(() => map.update(new Uint8Array(3), u64(2))).toThrow(MapError);
    expect(() => map.update(u32(2), new Uint8Array(7))).toThrow(/value is 7 bytes, value_size is 8/);
    expect(() => map.lookup(new Uint8Array(8))).toThrow(MapError);
    expect(() => map.delete(new Uint8Array(2))).toThrow(MapError);
    expect(() => map.nextKey(new Uint8Array(5))).toThrow(MapError);
    expect(keysOf(map).map((k) => readU32(k))).toEqual([1]);
    expect(readU64(map.lookup(u32(1)))).toBe(1n);
  });
});

describe('hash map: creation checks', () => {
  const bad: [string, object, RegExp][] = [
    ['key_size 0', { keySize: 0 }, /key_size must not be 0/],
    ['value_size 0', { valueSize: 0 }, /value_size must not be 0/],
    ['max_entries 0', { maxEntries: 0 }, /max_entries must not be 0/],
    ['unknown flags', { flags: 1 << 20 }, /unsupported map_flags/],
    ['NO_COMMON_LRU on a plain hash', { flags: MapFlag.NO_COMMON_LRU }, /unsupported map_flags/],
    ['RDONLY_PROG|WRONLY_PROG', { flags: MapFlag.RDONLY_PROG | MapFlag.WRONLY_PROG }, /mutually exclusive/],
    ['key + value too large', { keySize: 4194240, valueSize: 16 }, /key_size 4194240 \+ value_size 16 too large/],
    ['value too large', { valueSize: 1 << 23 }, /too large/],
    ['lock outside the value', { valueSize: 8, spinLockOffset: 6 }, /bpf_spin_lock/],
  ];
  for (const [what, over, re] of bad) {
    it(`refuses ${what}`, () => {
      const arena = newArena();
      expect(() => createHashMap(spec(MapType.HASH, over), { arena, ncpus: 1 })).toThrow(re);
      expect(() => createHashMap(spec(MapType.HASH, over), { arena, ncpus: 1 })).toThrow(MapError);
    });
  }
  it('keys beyond 512 bytes, up to the kernel\'s key + value bound (4 MiB less the 48-byte element header)', () => {
    const arena = newArena();
    // the largest accepted pair on Linux 6.18: 4194240 + 15 (4194240 + 16 is -E2BIG, above)
    const edge = createHashMap(spec(MapType.HASH, { keySize: 4194240, valueSize: 15, maxEntries: 1 }), { arena, ncpus: 1 });
    const k = new Uint8Array(4194240);
    k[4194239] = 1;
    expect(edge.update(k, new Uint8Array(15).fill(3))).toBe(0);
    expect(edge.lookup(k)).toEqual(new Uint8Array(15).fill(3));
    k[4194239] = 2;
    expect(edge.lookup(k)).toBeUndefined();
    const map = createHashMap(spec(MapType.HASH, { keySize: 1000, maxEntries: 4 }), { arena, ncpus: 1 });
    const a = new Uint8Array(1000).fill(1);
    const b = a.slice();
    b[999] = 2;
    expect(map.update(a, u64(10))).toBe(0);
    expect(map.update(b, u64(20))).toBe(0);
    expect(readU64(map.lookup(a))).toBe(10n);
    expect(readU64(map.lookup(b))).toBe(20n);
    expect(keysOf(map).length).toBe(2);
  });
  it('accepts BPF_F_NO_PREALLOC with a huge max_entries, and initial contents', () => {
    const arena = newArena();
    const map = createHashMap(spec(MapType.HASH, { flags: MapFlag.NO_PREALLOC, maxEntries: 1 << 30, contents: [{ key: u32(1), value: u64(2) }] }), { arena, ncpus: 1 });
    expect(readU64(map.lookup(u32(1)))).toBe(2n);
  });
  it('destroy frees the arena memory', () => {
    const arena = newArena();
    const before = arena.bytesInUse;
    const map = createHashMap(spec(MapType.HASH, { maxEntries: 100 }), { arena, ncpus: 1 });
    for (let i = 0; i < 100; i++) map.update(u32(i), u64(i));
    expect(arena.bytesInUse).toBeGreaterThan(before);
    map.destroy();
    expect(arena.bytesInUse).toBe(before);
  });
});

describe('hash map: property test against a JS Map model', () => {
  it('any sequence of update/delete/lookup agrees with the model (with 3-byte keys)', () => {
    type Op = { op: 'update'; k: number; v: number; flags: number } | { op: 'delete'; k: number } | { op: 'lookup'; k: number };
    const op = fc.oneof(
      fc.record({ op: fc.constant('update' as const), k: fc.integer({ min: 0, max: 15 }), v: fc.nat(), flags: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ op: fc.constant('delete' as const), k: fc.integer({ min: 0, max: 15 }) }),
      fc.record({ op: fc.constant('lookup' as const), k: fc.integer({ min: 0, max: 15 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops: Op[]) => {
        const arena = newArena();
        const max = 6;
        const map = createHashMap(spec(MapType.HASH, { keySize: 3, valueSize: 4, maxEntries: max }), { arena, ncpus: 1 });
        const model = new Map<number, number>();
        const key = (k: number) => new Uint8Array([k, 0, 7]);
        for (const o of ops) {
          if (o.op === 'update') {
            const exists = model.has(o.k);
            let want = 0;
            if (o.flags === UpdateFlag.NOEXIST && exists) want = -Errno.EEXIST;
            else if (o.flags === UpdateFlag.EXIST && !exists) want = -Errno.ENOENT;
            else if (!exists && model.size >= max) want = -Errno.E2BIG;
            expect(map.update(key(o.k), u32(o.v), o.flags)).toBe(want);
            if (want === 0) model.set(o.k, o.v);
          } else if (o.op === 'delete') {
            expect(map.delete(key(o.k))).toBe(model.delete(o.k) ? 0 : -Errno.ENOENT);
          } else {
            expect(readU32(map.lookup(key(o.k)))).toBe(model.get(o.k));
          }
        }
        const got = keysOf(map).map((k) => k[0]!).sort((a, b) => a - b);
        expect(got).toEqual([...model.keys()].sort((a, b) => a - b));
        expect((map as HashTable).size).toBe(model.size);
      }),
      { numRuns: 200 },
    );
  });
});

describe('hash map: key identities for every key size', () => {
  it('distinct keys stay distinct (numbers for short keys, strings for long ones, mixed u64 forms)', () => {
    for (const size of [1, 2, 3, 5, 6, 7, 8, 9, 16, 33]) {
      fc.assert(
        fc.property(fc.uniqueArray(fc.uint8Array({ minLength: size, maxLength: size }), { maxLength: 40, selector: (k) => Array.from(k).join(',') }), (keys) => {
          const arena = newArena();
          const map = createHashMap(spec(MapType.HASH, { keySize: size, valueSize: 4, maxEntries: 64 }), { arena, ncpus: 1 });
          keys.forEach((k, i) => expect(map.update(k, u32(i), UpdateFlag.NOEXIST)).toBe(0));
          keys.forEach((k, i) => expect(readU32(map.lookup(k))).toBe(i));
          expect(keysOf(map).map((k) => Array.from(k))).toEqual(keys.map((k) => Array.from(k)));
        }),
        { numRuns: 30 },
      );
    }
  });
});
