// Issue 11, maps and the user-space map API: kernel semantics the fuzzers and side-by-side runs
// found missing. Each case is a minimal input built here.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { EbpfvmError, FaultSignal, MapError, VmFault } from '../../src/errors.js';
import { RbtreeApi } from '../../src/rbtree-api.js';
import { RbtreeMap, rbtreeSpec } from '../../maps/rbtree.js';
import { QueueStackMap } from '../../maps/queue-stack.js';
import { Errno, MapFlag, MapType, UpdateFlag, type BpfMap, type MapSpec } from '../../maps/types.js';
import { ProgType } from '../../vm/prog-types.js';
import { Arena } from '../../vm/memory.js';
import { exit, lddw, mov64, prog, st, W } from '../vm/enc.js';
import { place, u32, u64 } from './util.js';

const spec = (over: Partial<MapSpec>): MapSpec => ({ name: 'm', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, ...over });
const small = () => new Runtime({ arena: { maxBytes: 1 << 24 } });

/** The MapError errno of `f`, or the raw error re-thrown. */
function errnoOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof MapError) return e.errno;
    throw e;
  }
  return undefined;
}

describe('program-side writes honour BPF_F_RDONLY_PROG', () => {
  it('array: bpf_map_update_elem faults and leaves the value alone', () => {
    const rt = small();
    const m = rt.createMap(spec({ flags: MapFlag.RDONLY_PROG })).map;
    expect(m.update(u32(1), u64(7))).toBe(0); // user space may still write it
    const k = place(rt.arena, u32(1));
    const v = place(rt.arena, u64(99));
    expect(() => m.updateElem(k, v, 0, 0)).toThrow(FaultSignal);
    expect(() => m.updateElem(k, v, 0, 0)).toThrow(/read-only for programs/);
    expect(m.lookup(u32(1))).toEqual(u64(7));
  });

  it('lpm_trie: update and delete fault, the entry stays', () => {
    const rt = small();
    const m = rt.createMap(spec({ type: MapType.LPM_TRIE, keySize: 8, flags: MapFlag.NO_PREALLOC | MapFlag.RDONLY_PROG })).map;
    const key = new Uint8Array([16, 0, 0, 0, 10, 1, 0, 0]);
    expect(m.update(key, u64(5))).toBe(0);
    const k = place(rt.arena, key);
    const v = place(rt.arena, u64(6));
    expect(() => m.updateElem(k, v, 0, 0)).toThrow(/read-only for programs/);
    expect(() => m.deleteElem(k)).toThrow(/read-only for programs/);
    expect(m.lookup(key)).toEqual(u64(5));
  });
});

describe('array spin-lock word', () => {
  it('a program store into the bpf_spin_lock word faults; other bytes are writable', () => {
    const rt = small();
    const lm = rt.createMap(spec({ valueSize: 16, spinLockOffset: 8 }));
    const store = (off: number) => rt.execute(prog([lddw(1, BigInt(lm.id), 2), st(W, 1, off, 0x1234), mov64(0, 0), exit()]));
    expect(() => store(8)).toThrow(VmFault);
    expect(() => store(8)).toThrow(/write-protected/);
    expect(store(0).r0).toBe(0n);
    expect(store(12).r0).toBe(0n);
  });
});

describe('lpm_trie lookup with a prefix length above the maximum', () => {
  it('finds nothing, from programs and user space (trie_lookup_elem returns NULL)', () => {
    const rt = small();
    const m = rt.createMap(spec({ type: MapType.LPM_TRIE, keySize: 8, flags: MapFlag.NO_PREALLOC })).map;
    expect(m.update(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0]), u64(1))).toBe(0); // 0.0.0.0/0 matches everything
    const tooLong = new Uint8Array([33, 0, 0, 0, 10, 1, 2, 3]);
    expect(m.lookup(tooLong)).toBeUndefined();
    expect(m.lookupElem(place(rt.arena, tooLong), 0)).toBe(0);
    expect(m.lookup(new Uint8Array([32, 0, 0, 0, 10, 1, 2, 3]))).toEqual(u64(1));
  });
});

describe('prog_array takes programs of one type', () => {
  it('a program of another type (or an extension) is -EINVAL', () => {
    const rt = small();
    const m = rt.createMap(spec({ type: MapType.PROG_ARRAY, valueSize: 4 })).map;
    const xdp = rt.registerProgram(prog([mov64(0, 1), exit()], { progType: ProgType.XDP }));
    const xdp2 = rt.registerProgram(prog([mov64(0, 2), exit()], { progType: ProgType.XDP }));
    const tc = rt.registerProgram(prog([mov64(0, 0), exit()], { progType: ProgType.SCHED_CLS }));
    const ext = rt.registerProgram(prog([mov64(0, 0), exit()], { progType: ProgType.EXT }));
    expect(m.update(u32(0), u32(xdp))).toBe(0);
    expect(m.update(u32(1), u32(tc))).toBe(-Errno.EINVAL);
    expect(m.update(u32(1), u32(ext))).toBe(-Errno.EINVAL);
    expect(m.update(u32(1), u32(xdp2))).toBe(0);
    // the owner type outlives the slots (the kernel keeps map->owner)
    expect(m.delete(u32(0))).toBe(0);
    expect(m.delete(u32(1))).toBe(0);
    expect(m.update(u32(0), u32(tc))).toBe(-Errno.EINVAL);
  });
});

describe('sizes from an object are bounded before anything is allocated', () => {
  it('array value_size near 2^31: no int32 stride overflow, refused with the kernel errno', () => {
    const rt = small();
    // round_up(0x7ffffff9, 8) = 2^31 overflowed `& ~7` into a negative region length
    expect(errnoOf(() => rt.createMap(spec({ valueSize: 0x7ffffff9, maxEntries: 1 })))).toBe(-Errno.ENOMEM);
    expect(errnoOf(() => rt.createMap(spec({ valueSize: 0x80000000, maxEntries: 1 })))).toBe(-Errno.E2BIG);
    // nothing else's memory is reachable through a map that does not exist
    expect(rt.allMaps()).toEqual([]);
  });

  it('a map needing more than the arena is MapError -ENOMEM, not an internal signal', () => {
    const rt = small();
    const before = rt.arena.size;
    expect(errnoOf(() => rt.createMap(spec({ valueSize: 1 << 20, maxEntries: 1536 })))).toBe(-Errno.ENOMEM); // 1.5 GiB
    // 32 MiB of per-CPU values in a 16 MiB arena: the allocation itself fails
    expect(errnoOf(() => rt.createMap(spec({ type: MapType.PERCPU_ARRAY, valueSize: 32768, maxEntries: 1024 })))).toBe(-Errno.ENOMEM);
    expect(rt.arena.size).toBe(before);
  });

  it('fd arrays and devmaps allocate slots lazily: 2^32 - 3 entries cost nothing until used', () => {
    const rt = small();
    const before = rt.arena.size;
    const big = 0xfffffffd;
    const inner = { name: 'in', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 };
    const maps = [
      rt.createMap(spec({ type: MapType.PROG_ARRAY, valueSize: 4, maxEntries: big })).map,
      rt.createMap(spec({ type: MapType.ARRAY_OF_MAPS, valueSize: 4, maxEntries: big, innerMap: inner })).map,
      rt.createMap(spec({ type: MapType.HASH_OF_MAPS, valueSize: 4, maxEntries: big, flags: MapFlag.NO_PREALLOC, innerMap: inner })).map,
      rt.createMap(spec({ type: MapType.PERF_EVENT_ARRAY, valueSize: 4, maxEntries: big })).map,
      rt.createMap(spec({ type: MapType.DEVMAP, maxEntries: big })).map,
    ];
    expect(rt.arena.size).toBe(before);
    const dev = maps[4]!;
    expect(dev.update(u32(big - 1), u64(1))).toBe(0); // loopback at the last slot
    expect(dev.lookup(u32(big - 1))).toEqual(u64(1));
    expect(dev.lookupElem(place(rt.arena, u32(big - 1)), 0)).not.toBe(0);
    const perf = maps[3]!;
    expect(perf.update(u32(big - 1), u32(9))).toBe(0);
    expect(perf.delete(u32(big - 1))).toBe(0);
  });
});

describe('an arena that runs out while a map adds an element', () => {
  it('hash, LPM trie and devmap answer -ENOMEM and keep their contents', () => {
    const rt = small();
    const big = 4 << 20; // a few 4 MiB elements fill the 16 MiB arena
    const hash = rt.createMap(spec({ type: MapType.HASH, valueSize: big - 1024, maxEntries: 64, flags: MapFlag.NO_PREALLOC })).map;
    const lpm = rt.createMap(spec({ type: MapType.LPM_TRIE, keySize: 8, valueSize: big - 1024, maxEntries: 64, flags: MapFlag.NO_PREALLOC })).map;
    const results: number[] = [];
    for (let i = 0; i < 6; i++) results.push(hash.update(u32(i), new Uint8Array(big - 1024)));
    expect(results).toContain(-Errno.ENOMEM);
    const stored = results.filter((r) => r === 0).length;
    expect([...Array(6).keys()].filter((i) => hash.lookup(u32(i)) !== undefined).length).toBe(stored);
    expect(lpm.update(new Uint8Array([8, 0, 0, 0, 1, 0, 0, 0]), new Uint8Array(big - 1024))).toBe(-Errno.ENOMEM);
    expect(lpm.nextKey(undefined)).toBeUndefined();
    // a devmap in a 64 KiB arena: slots are allocated as they are filled, until there is no room
    const rt2 = new Runtime({ arena: { maxBytes: 1 << 16 } });
    const dev = rt2.createMap(spec({ type: MapType.DEVMAP, maxEntries: 1 << 20 })).map;
    let i = 0;
    while (dev.update(u32(i), u64(1)) === 0) i++;
    expect(dev.update(u32(i), u64(1))).toBe(-Errno.ENOMEM);
    expect(dev.lookup(u32(i))).toBeUndefined();
    expect(dev.lookup(u32(i - 1))).toEqual(u64(1));
  });
});

describe('user-space map API', () => {
  const arr = () => small().createMap(spec({})).map;

  it('ArrayMap refuses null, arrays and strings with MapError like every other map', () => {
    const bad = [null, undefined, [1, 2, 3, 4], 'abcd', 7];
    for (const m of [arr(), small().createMap(spec({ type: MapType.HASH })).map]) {
      for (const b of bad) {
        if (b !== undefined) expect(() => m.lookup(b as never), `${m.type} lookup ${String(b)}`).toThrow(MapError);
        expect(() => m.update(b as never, u64(1)), `${m.type} update key ${String(b)}`).toThrow(MapError);
        expect(() => m.update(u32(0), b as never), `${m.type} update value ${String(b)}`).toThrow(MapError);
        if (b !== undefined) expect(() => m.delete(b as never)).toThrow(MapError);
      }
    }
    const m = arr();
    expect(() => m.nextKey(null as never)).toThrow(MapError);
    expect(m.lookup(u32(0))).toEqual(new Uint8Array(8)); // nothing was written
  });

  it('update flags are a u64: 2^32, NaN, 1.5 and negatives are -EINVAL', () => {
    const rt = small();
    const maps: [string, BpfMap, Uint8Array, Uint8Array][] = [
      ['array', rt.createMap(spec({})).map, u32(0), u64(1)],
      ['hash', rt.createMap(spec({ type: MapType.HASH })).map, u32(0), u64(1)],
      ['percpu_array', rt.createMap(spec({ type: MapType.PERCPU_ARRAY })).map, u32(0), u64(1)],
      ['lpm_trie', rt.createMap(spec({ type: MapType.LPM_TRIE, keySize: 8, flags: MapFlag.NO_PREALLOC })).map, new Uint8Array(8), u64(1)],
      ['queue', rt.createMap(spec({ type: MapType.QUEUE, keySize: 0 })).map, new Uint8Array(0), u64(1)],
      ['devmap', rt.createMap(spec({ type: MapType.DEVMAP })).map, u32(0), u64(1)],
      ['devmap_hash', rt.createMap(spec({ type: MapType.DEVMAP_HASH })).map, u32(0), u64(1)],
    ];
    for (const [name, m, k, v] of maps) {
      for (const flags of [2 ** 32, 2 ** 32 + UpdateFlag.EXIST, NaN, 1.5, -1, 2 ** 53]) {
        expect(m.update(k, v, flags), `${name} flags ${flags}`).toBe(-Errno.EINVAL);
      }
      expect(m.update(k, v, UpdateFlag.ANY), name).toBe(0);
    }
  });

  it('Runtime.createMap validates the numeric spec fields', () => {
    const rt = small();
    const bad: Partial<MapSpec>[] = [{ valueSize: -8 }, { keySize: -4 }, { maxEntries: NaN }, { maxEntries: 1.5 }, { maxEntries: 2 ** 32 }, { flags: -1 }, { flags: NaN }, { type: NaN }, { valueSize: '8' as never }];
    for (const over of bad) {
      for (const type of [MapType.ARRAY, MapType.HASH, MapType.PROG_ARRAY, MapType.QUEUE]) {
        const e = errnoOf(() => rt.createMap(spec({ type, ...over })));
        expect(e, `${type} ${JSON.stringify(over)}`).toBe(-Errno.EINVAL);
      }
    }
    expect(rt.allMaps()).toEqual([]);
  });
});

describe('frozen maps (BPF_MAP_FREEZE) refuse user-space writes with -EPERM', () => {
  it('devmap, devmap_hash, cpumap, prog_array, map-in-maps, perf_event_array', () => {
    const rt = small();
    const inner = rt.createMap({ name: 'in', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 });
    const innerSpec = { ...inner.map.spec };
    const progId = rt.registerProgram(prog([mov64(0, 0), exit()], { progType: ProgType.XDP }));
    const cases: [string, BpfMap, Uint8Array][] = [
      ['devmap', rt.createMap(spec({ type: MapType.DEVMAP, valueSize: 4 })).map, u32(1)],
      ['devmap_hash', rt.createMap(spec({ type: MapType.DEVMAP_HASH, valueSize: 4 })).map, u32(1)],
      ['cpumap', rt.createMap(spec({ type: MapType.CPUMAP, valueSize: 4 })).map, u32(64)],
      ['prog_array', rt.createMap(spec({ type: MapType.PROG_ARRAY, valueSize: 4 })).map, u32(progId)],
      ['array_of_maps', rt.createMap(spec({ type: MapType.ARRAY_OF_MAPS, valueSize: 4, innerMap: innerSpec })).map, u32(inner.id)],
      ['hash_of_maps', rt.createMap(spec({ type: MapType.HASH_OF_MAPS, valueSize: 4, innerMap: innerSpec })).map, u32(inner.id)],
      ['perf_event_array', rt.createMap(spec({ type: MapType.PERF_EVENT_ARRAY, valueSize: 4 })).map, u32(1)],
    ];
    for (const [name, m, value] of cases) {
      expect(m.update(u32(0), value), `${name} update before freezing`).toBe(0);
      m.frozen = true;
      expect(m.update(u32(0), value), `${name} update`).toBe(-Errno.EPERM);
      expect(m.update(u32(1), value), `${name} update of a new key`).toBe(-Errno.EPERM);
      expect(m.delete(u32(0)), `${name} delete`).toBe(-Errno.EPERM);
      m.frozen = false;
      expect(m.delete(u32(0)), `${name} delete after thawing (test only)`).toBe(0);
    }
  });

  it('queue and stack pops refuse', () => {
    for (const type of [MapType.QUEUE, MapType.STACK]) {
      const m = small().createMap(spec({ type, keySize: 0 })).map as QueueStackMap;
      expect(m.update(new Uint8Array(0), u64(3))).toBe(0);
      m.frozen = true;
      expect(errnoOf(() => m.lookupAndDelete(new Uint8Array(0)))).toBe(-Errno.EPERM);
      expect(m.lookup(new Uint8Array(0))).toEqual(u64(3)); // still there; peeking is a read
    }
  });

  it('rbtree deletes refuse, from BpfMap and RbtreeApi', () => {
    const arena = new Arena();
    const map = new RbtreeMap(rbtreeSpec('q', 40), { arena, ncpus: 1 });
    const api = new RbtreeApi(map);
    const node = api.insert(new Uint8Array(40), { offset: 24, size: 4 });
    map.frozen = true;
    const key = u64(node);
    expect(map.delete(key)).toBe(-Errno.EPERM);
    expect(errnoOf(() => api.remove(node))).toBe(-Errno.EPERM);
    expect(errnoOf(() => api.insert(new Uint8Array(40), { offset: 24, size: 4 }))).toBe(-Errno.EPERM);
    expect(api.size).toBe(1);
  });
});

describe('RbtreeApi.insert with a bad key field', () => {
  it('refuses before allocating: no node leaks', () => {
    const arena = new Arena();
    const map = new RbtreeMap(rbtreeSpec('q', 40), { arena, ncpus: 1 });
    const api = new RbtreeApi(map);
    const before = arena.bytesInUse;
    const bad = [{ offset: 8, size: 4 }, { offset: 36, size: 8 }, { offset: NaN, size: 4 }, { offset: 24, size: 3 }, { offset: 25.5, size: 1 }, null];
    for (const order of bad) {
      expect(() => api.insert(new Uint8Array(40), order as never), JSON.stringify(order)).toThrow(MapError);
    }
    expect(() => api.insert('x' as never, { offset: 24, size: 4 })).toThrow(MapError);
    expect(arena.bytesInUse).toBe(before);
    expect(api.size).toBe(0);
  });
});

it('every refusal above is an EbpfvmError (the CLI exits 2, not 70)', () => {
  const rt = small();
  try {
    rt.createMap(spec({ valueSize: 1 << 20, maxEntries: 1536 }));
  } catch (e) {
    expect(e).toBeInstanceOf(EbpfvmError);
  }
});
