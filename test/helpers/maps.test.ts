// bpf_map_lookup_elem / update_elem / delete_elem through the helper entries.
import { describe, expect, it } from 'vitest';
import { createHashMap } from '../../maps/hash.js';
import { createPercpuArrayMap } from '../../maps/percpu-array.js';
import { Errno, MapType, UpdateFlag } from '../../maps/types.js';
import { FaultSignal } from '../../src/errors.js';
import { FakeWorld } from './fake-call.js';

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

describe('map helpers', () => {
  it('update, lookup (value address), delete on a hash map', () => {
    const w = new FakeWorld();
    const map = createHashMap({ name: 'h', type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 2, flags: 0 }, { arena: w.arena, ncpus: 2 });
    const m = w.mapHandle(map);
    const k = w.mem(u32(3));
    expect(w.invoke('map_lookup_elem', m, k)).toBe(0n);
    expect(w.invoke('map_update_elem', m, k, w.mem(u32(99)), UpdateFlag.NOEXIST)).toBe(0n);
    expect(w.invoke('map_update_elem', m, k, w.mem(u32(99)), UpdateFlag.NOEXIST)).toBe(BigInt(-Errno.EEXIST));
    const v = Number(w.invoke('map_lookup_elem', m, k));
    expect(w.arena.dv.getUint32(v, true)).toBe(99);
    expect(w.invoke('map_update_elem', m, k, w.mem(u32(1)), 1n << 40n)).toBe(BigInt(-Errno.EINVAL));
    expect(w.invoke('map_delete_elem', m, k)).toBe(0n);
    expect(w.invoke('map_delete_elem', m, k)).toBe(BigInt(-Errno.ENOENT));
  });
  it('lookup on a per-CPU map returns the running CPU\'s copy', () => {
    const w0 = new FakeWorld({ cpu: 0 });
    const map = createPercpuArrayMap({ name: 'p', type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 }, { arena: w0.arena, ncpus: 2 });
    const m = w0.mapHandle(map);
    const k = w0.mem(u32(0));
    const a0 = w0.invoke('map_lookup_elem', m, k);
    const c1 = w0.call([m, k]);
    const a1 = map.lookupElem(c1.ptr(2), 1);
    expect(Number(a0)).not.toBe(a1);
  });
  it('a non-map argument faults', () => {
    const w = new FakeWorld();
    expect(() => w.invoke('map_lookup_elem', 1234, w.mem(u32(0)))).toThrow(FaultSignal);
  });
});
