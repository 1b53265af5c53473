// BPF_MAP_TYPE_PERCPU_ARRAY and PERCPU_HASH: a program sees its CPU's copy; user space reads and
// writes round_up(value_size, 8) * ncpus bytes in CPU order.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPercpuArrayMap } from '../../maps/percpu-array.js';
import { createPercpuHashMap } from '../../maps/percpu-hash.js';
import { Errno, MapFlag, MapType, UpdateFlag } from '../../maps/types.js';
import { FaultSignal, MapError } from '../../src/errors.js';
import { keysOf, newArena, place, readU32, spec, u32 } from './util.js';

const NCPUS = 4;
const perCpu = (vals: number[], stride = 8) => {
  const b = new Uint8Array(stride * vals.length);
  vals.forEach((v, i) => new DataView(b.buffer).setUint32(i * stride, v, true));
  return b;
};
const cpuVals = (b: Uint8Array | undefined, stride = 8) => (b ? Array.from({ length: b.length / stride }, (_, i) => readU32(b, i * stride)) : undefined);

describe('percpu_array', () => {
  const mk = (over = {}) => {
    const arena = newArena();
    return { arena, map: createPercpuArrayMap(spec(MapType.PERCPU_ARRAY, { valueSize: 4, maxEntries: 3, ...over }), { arena, ncpus: NCPUS }) };
  };
  it('programs on different CPUs see different copies; user space sees all of them', () => {
    const { arena, map } = mk();
    const k = place(arena, u32(1));
    for (let cpu = 0; cpu < NCPUS; cpu++) {
      const v = map.lookupElem(k, cpu);
      expect(v).not.toBe(0);
      arena.dv.setUint32(v, 100 + cpu, true);
    }
    expect(cpuVals(map.lookup(u32(1)))).toEqual([100, 101, 102, 103]);
    expect(map.lookup(u32(1))!.length).toBe(8 * NCPUS);
    expect(cpuVals(map.lookup(u32(0)))).toEqual([0, 0, 0, 0]);
  });
  it('a program update writes only its CPU copy', () => {
    const { arena, map } = mk();
    expect(map.updateElem(place(arena, u32(2)), place(arena, u32(7)), UpdateFlag.ANY, 3)).toBe(0);
    expect(cpuVals(map.lookup(u32(2)))).toEqual([0, 0, 0, 7]);
  });
  it('user updates write every copy; array errno rules', () => {
    const { map } = mk();
    expect(map.update(u32(0), perCpu([1, 2, 3, 4]))).toBe(0);
    expect(cpuVals(map.lookup(u32(0)))).toEqual([1, 2, 3, 4]);
    expect(map.update(u32(3), perCpu([1, 2, 3, 4]))).toBe(-Errno.E2BIG);
    expect(map.update(u32(0), perCpu([1, 2, 3, 4]), UpdateFlag.NOEXIST)).toBe(-Errno.EEXIST);
    expect(map.update(u32(0), perCpu([1, 2, 3, 4]), UpdateFlag.F_LOCK)).toBe(-Errno.EINVAL);
    expect(map.update(u32(0), perCpu([1, 2, 3, 4]), 8)).toBe(-Errno.EINVAL);
    expect(map.delete(u32(0))).toBe(-Errno.EINVAL);
    expect(map.lookup(u32(3))).toBeUndefined();
  });
  it('get_next_key walks 0..max-1 and restarts from 0 for an out-of-range key', () => {
    const { map } = mk();
    expect(keysOf(map).map((k) => readU32(k))).toEqual([0, 1, 2]);
    expect(readU32(map.nextKey(u32(99)))).toBe(0);
  });
  it('wrong sizes from TypeScript are MapErrors; a bad CPU faults', () => {
    const { arena, map } = mk();
    expect(() => map.update(u32(0), new Uint8Array(4))).toThrow(MapError);
    expect(() => map.lookup(new Uint8Array(8))).toThrow(MapError);
    expect(cpuVals(map.lookup(u32(0)))).toEqual([0, 0, 0, 0]);
    expect(() => map.lookupElem(place(arena, u32(0)), NCPUS)).toThrow(FaultSignal);
  });
  it('creation checks: key_size 4, value limits, no spin locks, frozen maps refuse writes', () => {
    const arena = newArena();
    const ctx = { arena, ncpus: 2 };
    expect(() => createPercpuArrayMap(spec(MapType.PERCPU_ARRAY, { keySize: 8 }), ctx)).toThrow(/key_size must be 4/);
    expect(() => createPercpuArrayMap(spec(MapType.PERCPU_ARRAY, { valueSize: 40000 }), ctx)).toThrow(/too large/);
    expect(() => createPercpuArrayMap(spec(MapType.PERCPU_ARRAY, { flags: MapFlag.MMAPABLE }), ctx)).toThrow(/unsupported map_flags/);
    // BPF_F_NUMA_NODE only with NUMA_NO_NODE: per-CPU memory has no single node (array_map_alloc_check)
    expect(() => createPercpuArrayMap(spec(MapType.PERCPU_ARRAY, { flags: MapFlag.NUMA_NODE, numaNode: 1 }), ctx)).toThrow(/NUMA/);
    expect(createPercpuArrayMap(spec(MapType.PERCPU_ARRAY, { flags: MapFlag.NUMA_NODE, numaNode: -1 }), ctx).maxEntries).toBeGreaterThan(0);
    expect(() => createPercpuArrayMap(spec(MapType.PERCPU_ARRAY, { spinLockOffset: 0 }), ctx)).toThrow(/spin_lock/);
    const map = createPercpuArrayMap(spec(MapType.PERCPU_ARRAY), ctx);
    map.frozen = true;
    expect(map.update(u32(0), new Uint8Array(16))).toBe(-Errno.EPERM);
  });
  it('RDONLY_PROG values are read-only to programs', () => {
    const { arena, map } = mk({ flags: MapFlag.RDONLY_PROG });
    const v = map.lookupElem(place(arena, u32(0)), 0);
    expect(arena.canAccess(v, 4, false)).toBe(true);
    expect(arena.canAccess(v, 4, true)).toBe(false);
  });
});

describe('percpu_hash', () => {
  const mk = (over = {}) => {
    const arena = newArena();
    return { arena, map: createPercpuHashMap(spec(MapType.PERCPU_HASH, { valueSize: 12, maxEntries: 2, ...over }), { arena, ncpus: NCPUS }) };
  };
  it('a program insert writes its CPU copy and zeroes the others; later updates touch only that CPU', () => {
    const { arena, map } = mk();
    const k = place(arena, u32(5));
    const v = new Uint8Array(12).fill(9);
    expect(map.updateElem(k, place(arena, v), UpdateFlag.NOEXIST, 2)).toBe(0);
    const user = map.lookup(u32(5))!;
    expect(user.length).toBe(16 * NCPUS); // round_up(12, 8) = 16 per CPU
    expect(Array.from(user.subarray(32, 44))).toEqual(Array(12).fill(9));
    expect(Array.from(user.subarray(44, 48))).toEqual([0, 0, 0, 0]); // padding
    expect(user.subarray(0, 32).every((b) => b === 0)).toBe(true);
    expect(map.updateElem(k, place(arena, new Uint8Array(12).fill(1)), UpdateFlag.EXIST, 0)).toBe(0);
    const after = map.lookup(u32(5))!;
    expect(after[0]).toBe(1);
    expect(after[32]).toBe(9);
  });
  it('value bounds are per CPU copy', () => {
    const { arena, map } = mk();
    map.update(u32(1), new Uint8Array(16 * NCPUS));
    const v = map.lookupElem(place(arena, u32(1)), 1);
    expect(arena.canAccess(v, 12, true)).toBe(true);
    expect(arena.canAccess(v, 13, false)).toBe(false);
  });
  it('full map is -E2BIG; BPF_F_LOCK is -EINVAL', () => {
    const { map } = mk();
    const val = new Uint8Array(16 * NCPUS);
    expect(map.update(u32(1), val)).toBe(0);
    expect(map.update(u32(2), val)).toBe(0);
    expect(map.update(u32(3), val)).toBe(-Errno.E2BIG);
    expect(map.update(u32(1), val, UpdateFlag.F_LOCK)).toBe(-Errno.EINVAL);
  });
  it('user-space per-CPU values round-trip', () => {
    const { map } = mk({ valueSize: 4 });
    expect(map.update(u32(1), perCpu([5, 6, 7, 8]))).toBe(0);
    expect(cpuVals(map.lookup(u32(1)))).toEqual([5, 6, 7, 8]);
    expect(() => map.update(u32(1), perCpu([5, 6, 7, 8], 4))).toThrow(MapError);
    expect(cpuVals(map.lookup(u32(1)))).toEqual([5, 6, 7, 8]);
  });
  it('value_size limit of per-CPU maps is 32 KiB', () => {
    const arena = newArena();
    expect(() => createPercpuHashMap(spec(MapType.PERCPU_HASH, { valueSize: 32 * 1024 + 1 }), { arena, ncpus: 1 })).toThrow(/too large/);
  });
});

describe('percpu_hash: property test against a per-CPU JS Map model', () => {
  it('program updates from random CPUs and user updates agree with the model', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('prog' as const), k: fc.integer({ min: 0, max: 5 }), v: fc.nat(1000), cpu: fc.integer({ min: 0, max: NCPUS - 1 }), flags: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ op: fc.constant('user' as const), k: fc.integer({ min: 0, max: 5 }), v: fc.nat(1000) }),
      fc.record({ op: fc.constant('delete' as const), k: fc.integer({ min: 0, max: 5 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const arena = newArena();
        const map = createPercpuHashMap(spec(MapType.PERCPU_HASH, { valueSize: 4, maxEntries: 4 }), { arena, ncpus: NCPUS });
        const model = new Map<number, number[]>();
        const keyAddr = place(arena, u32(0));
        const valAddr = place(arena, u32(0));
        for (const o of ops) {
          if (o.op === 'prog') {
            arena.dv.setUint32(keyAddr, o.k, true);
            arena.dv.setUint32(valAddr, o.v, true);
            const exists = model.has(o.k);
            let want = 0;
            if (o.flags === UpdateFlag.NOEXIST && exists) want = -Errno.EEXIST;
            else if (o.flags === UpdateFlag.EXIST && !exists) want = -Errno.ENOENT;
            else if (!exists && model.size >= 4) want = -Errno.E2BIG;
            expect(map.updateElem(keyAddr, valAddr, o.flags, o.cpu)).toBe(want);
            if (want === 0) {
              const vals = model.get(o.k) ?? Array(NCPUS).fill(0);
              vals[o.cpu] = o.v;
              model.set(o.k, vals);
            }
          } else if (o.op === 'user') {
            const want = !model.has(o.k) && model.size >= 4 ? -Errno.E2BIG : 0;
            expect(map.update(u32(o.k), perCpu(Array(NCPUS).fill(o.v)))).toBe(want);
            if (want === 0) model.set(o.k, Array(NCPUS).fill(o.v));
          } else {
            expect(map.delete(u32(o.k))).toBe(model.delete(o.k) ? 0 : -Errno.ENOENT);
          }
        }
        for (let k = 0; k <= 5; k++) expect(cpuVals(map.lookup(u32(k)))).toEqual(model.get(k));
      }),
      { numRuns: 200 },
    );
  });
});
