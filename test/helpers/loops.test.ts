// bpf_loop and bpf_for_each_map_elem: callback protocol, stop on non-zero, counts and errno.
import { describe, expect, it } from 'vitest';
import { createArrayMap } from '../../maps/array.js';
import { createHashMap } from '../../maps/hash.js';
import { createPercpuArrayMap } from '../../maps/percpu-array.js';
import { Errno, MapType } from '../../maps/types.js';
import { FakeWorld } from './fake-call.js';

const u32 = (n: number) => Uint8Array.from([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]);

describe('bpf_loop', () => {
  it('calls the callback with the index and ctx until it returns non-zero', () => {
    const w = new FakeWorld();
    const seen: bigint[] = [];
    const fn = w.func(([i, ctx]) => {
      seen.push(i!);
      expect(ctx).toBe(0x1234n);
      return i === 4n ? 1n : 0n;
    });
    expect(w.invoke('loop', 10, fn, 0x1234, 0)).toBe(5n);
    expect(seen).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(w.invoke('loop', 3, w.func(() => 0n), 0, 0)).toBe(3n);
    expect(w.invoke('loop', 0, fn, 0, 0)).toBe(0n);
  });
  it('flags must be 0; more than 1<<23 iterations is (u32)-E2BIG', () => {
    const w = new FakeWorld();
    const fn = w.func(() => 0n);
    expect(w.invoke('loop', 1, fn, 0, 1)).toBe(BigInt(-Errno.EINVAL));
    expect(w.invoke('loop', (1 << 23) + 1, fn, 0, 0)).toBe(BigInt(-Errno.E2BIG >>> 0)); // 32-bit, as inlined
  });
});

describe('bpf_for_each_map_elem', () => {
  it('walks a hash map in insertion order with key and value pointers; 1 stops', () => {
    const w = new FakeWorld();
    const map = createHashMap({ name: 'h', type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 8, flags: 0 }, { arena: w.arena, ncpus: 1 });
    for (const k of [7, 3, 5]) map.update(u32(k), u32(k * 10));
    const h = w.mapHandle(map);
    const seen: [number, number][] = [];
    const fn = w.func(([m, k, v, ctx]) => {
      expect(m).toBe(h);
      expect(ctx).toBe(99n);
      seen.push([w.arena.dv.getUint32(Number(k), true), w.arena.dv.getUint32(Number(v), true)]);
      w.arena.dv.setUint32(Number(v), 1, true); // values are writable
      expect(w.arena.canAccess(Number(k), 4, true)).toBe(false); // keys are not
      return 0n;
    });
    expect(w.invoke('for_each_map_elem', h, fn, 99, 0)).toBe(3n);
    expect(seen).toEqual([[7, 70], [3, 30], [5, 50]]);
    expect(map.lookup(u32(3))).toEqual(u32(1));
    expect(w.invoke('for_each_map_elem', h, w.func(() => 1n), 0, 0)).toBe(1n);
    expect(w.invoke('for_each_map_elem', h, fn, 0, 2)).toBe(BigInt(-Errno.EINVAL));
  });
  it('the callback may delete the element it visits', () => {
    const w = new FakeWorld();
    const map = createHashMap({ name: 'h', type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 8, flags: 0 }, { arena: w.arena, ncpus: 1 });
    for (const k of [1, 2, 3, 4]) map.update(u32(k), u32(k));
    const h = w.mapHandle(map);
    const fn = w.func(([, k]) => BigInt(map.deleteElem(Number(k!))));
    expect(w.invoke('for_each_map_elem', h, fn, 0, 0)).toBe(4n);
    expect(map.nextKey(undefined)).toBeUndefined();
  });
  it('arrays (by index) and per-CPU arrays (this CPU\'s copy)', () => {
    const w = new FakeWorld({ cpu: 1 });
    const arr = createArrayMap({ name: 'a', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 3, flags: 0 }, { arena: w.arena, ncpus: 2 });
    const pc = createPercpuArrayMap({ name: 'p', type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2, flags: 0 }, { arena: w.arena, ncpus: 2 });
    const idx: number[] = [];
    const fn = w.func(([, k]) => {
      idx.push(w.arena.dv.getUint32(Number(k), true));
      return 0n;
    });
    expect(w.invoke('for_each_map_elem', w.mapHandle(arr), fn, 0, 0)).toBe(3n);
    expect(idx).toEqual([0, 1, 2]);
    const addrs: bigint[] = [];
    const fn2 = w.func(([, , v]) => {
      addrs.push(v!);
      return 0n;
    });
    expect(w.invoke('for_each_map_elem', w.mapHandle(pc), fn2, 0, 0)).toBe(2n);
    expect(Number(addrs[0])).toBe(pc.lookupElem(w.mem(u32(0)), 1));
  });
});
