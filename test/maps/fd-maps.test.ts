// Maps whose values refer to other objects: prog_array (program ids), array_of_maps and
// hash_of_maps (inner maps checked against the template), devmap, devmap_hash and cpumap
// (redirect targets), perf_event_array (open events). Errno as the kernel's syscalls return.
import { describe, expect, it } from 'vitest';
import type { ArrayOfMapsMap } from '../../maps/array-of-maps.js';
import type { CpumapMap } from '../../maps/cpumap.js';
import type { DevmapHashMap } from '../../maps/devmap-hash.js';
import type { DevmapMap } from '../../maps/devmap.js';
import type { HashOfMapsMap } from '../../maps/hash-of-maps.js';
import type { PerfEventArrayMap } from '../../maps/perf-event-array.js';
import type { ProgArrayMap } from '../../maps/prog-array.js';
import { Errno, MapFlag, MapType, UpdateFlag } from '../../maps/types.js';
import { Runtime } from '../../src/runtime.js';
import { assemble } from '../../src/index.js';
import { readU32, spec, u32 } from './util.js';

const u32x2 = (a: number, b: number) => Uint8Array.of(...u32(a), ...u32(b));

function prog(rt: Runtime): number {
  const insns = assemble('r0 = 0\nexit');
  return rt.registerProgram({ name: 'p', insns, progType: 3, gpl: true } as never);
}

describe('prog_array', () => {
  it('stores program ids; BPF_ANY only, unknown programs -EBADF, delete -ENOENT when empty', () => {
    const rt = new Runtime();
    const m = rt.createMap(spec(MapType.PROG_ARRAY, { valueSize: 4 })).map as ProgArrayMap;
    const id = prog(rt);
    expect(m.update(u32(1), u32(id))).toBe(0);
    expect(readU32(m.lookup(u32(1)))).toBe(id);
    expect(m.program(1)).toBe(id);
    expect(m.update(u32(1), u32(id), UpdateFlag.EXIST)).toBe(-Errno.EINVAL);
    expect(m.update(u32(9), u32(id))).toBe(-Errno.E2BIG);
    expect(m.update(u32(0), u32(999))).toBe(-Errno.EBADF);
    expect(m.delete(u32(0))).toBe(-Errno.ENOENT);
    expect(m.delete(u32(1))).toBe(0);
    expect(m.lookup(u32(1))).toBeUndefined();
  });
});

describe('array_of_maps and hash_of_maps', () => {
  const inner = { name: 'inner', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 2, flags: 0 };
  it('accept inner maps matching the template; lookups give handles to programs, ids to user space', () => {
    const rt = new Runtime();
    const outer = rt.createMap(spec(MapType.ARRAY_OF_MAPS, { valueSize: 4, innerMap: inner })).map as ArrayOfMapsMap;
    const a = rt.createMap({ ...inner, name: 'a' });
    const big = rt.createMap({ ...inner, name: 'big', maxEntries: 3 });
    const hash = rt.createMap({ ...inner, name: 'h', type: MapType.HASH });
    expect(outer.update(u32(0), u32(a.id))).toBe(0);
    expect(outer.update(u32(1), u32(big.id))).toBe(-Errno.EINVAL); // max_entries differs
    expect(outer.update(u32(1), u32(hash.id))).toBe(-Errno.EINVAL); // type differs
    expect(outer.update(u32(1), u32(777))).toBe(-Errno.EBADF);
    expect(readU32(outer.lookup(u32(0)))).toBe(a.id);
    const k = rt.arena.alloc(4);
    rt.arena.write(k, u32(0));
    expect(outer.lookupElemHandle(k)).toBe(a.handle);
    rt.arena.write(k, u32(1));
    expect(outer.lookupElemHandle(k)).toBe(0n);
    const made = outer.createInner(3);
    expect(rt.mapById(made)!.map.maxEntries).toBe(2);
  });
  it('BPF_F_INNER_MAP lets array inner maps differ in max_entries', () => {
    const rt = new Runtime();
    const t = { ...inner, flags: MapFlag.INNER_MAP };
    const outer = rt.createMap(spec(MapType.ARRAY_OF_MAPS, { valueSize: 4, innerMap: t })).map as ArrayOfMapsMap;
    const big = rt.createMap({ ...t, name: 'big', maxEntries: 9 });
    expect(outer.update(u32(0), u32(big.id))).toBe(0);
  });
  it('hash_of_maps keeps hash semantics for its keys', () => {
    const rt = new Runtime();
    const outer = rt.createMap(spec(MapType.HASH_OF_MAPS, { valueSize: 4, maxEntries: 1, innerMap: inner })).map as HashOfMapsMap;
    const a = rt.createMap({ ...inner, name: 'a' });
    expect(outer.update(u32(5), u32(a.id), UpdateFlag.EXIST)).toBe(-Errno.ENOENT);
    expect(outer.update(u32(5), u32(a.id))).toBe(0);
    expect(outer.update(u32(6), u32(a.id))).toBe(-Errno.E2BIG);
    expect(outer.delete(u32(5))).toBe(0);
    expect(() => rt.createMap(spec(MapType.HASH_OF_MAPS, { valueSize: 4 }))).toThrow(/template/);
  });
});

describe('devmap, devmap_hash, cpumap', () => {
  it('devmap: loopback only, NOEXIST -EEXIST, ifindex 0 empties, delete always 0 in range', () => {
    const rt = new Runtime();
    const m = rt.createMap(spec(MapType.DEVMAP, { valueSize: 8 })).map as DevmapMap;
    expect(m.update(u32(0), u32x2(1, 0))).toBe(0);
    expect(m.hasTarget(0)).toBe(true);
    expect(m.update(u32(1), u32x2(2, 0))).toBe(-Errno.EINVAL);
    expect(m.update(u32(1), u32x2(1, 0), UpdateFlag.NOEXIST)).toBe(-Errno.EEXIST);
    expect(m.update(u32(4), u32x2(1, 0))).toBe(-Errno.E2BIG);
    expect(m.update(u32(0), u32x2(0, 0))).toBe(0);
    expect(m.hasTarget(0)).toBe(false);
    expect(m.delete(u32(2))).toBe(0);
    expect(m.delete(u32(4))).toBe(-Errno.EINVAL);
  });
  it('devmap_hash: -E2BIG when full, -ENOENT deleting an absent key', () => {
    const rt = new Runtime();
    const m = rt.createMap(spec(MapType.DEVMAP_HASH, { valueSize: 4, maxEntries: 1 })).map as DevmapHashMap;
    expect(m.update(u32(10), u32(1))).toBe(0);
    expect(m.update(u32(10), u32(1), UpdateFlag.NOEXIST)).toBe(-Errno.EEXIST);
    expect(m.update(u32(11), u32(1))).toBe(-Errno.E2BIG);
    expect(m.hasTarget(10)).toBe(true);
    expect(m.delete(u32(11))).toBe(-Errno.ENOENT);
  });
  it('cpumap: CPUs the runtime has, qsize limits, qsize 0 empties', () => {
    const rt = new Runtime({ ncpus: 2 });
    const m = rt.createMap(spec(MapType.CPUMAP, { valueSize: 4 })).map as CpumapMap;
    expect(m.update(u32(1), u32(64))).toBe(0);
    expect(m.update(u32(2), u32(64))).toBe(-Errno.ENODEV);
    expect(m.update(u32(0), u32(16385))).toBe(-75);
    expect(m.update(u32(1), u32(0))).toBe(0);
    expect(m.hasTarget(1)).toBe(false);
    expect(() => rt.createMap(spec(MapType.CPUMAP, { valueSize: 4, maxEntries: 9000 }))).toThrow(/NR_CPUS/);
  });
});

describe('perf_event_array', () => {
  it('delivers only through open slots of the running CPU', () => {
    const rt = new Runtime({ ncpus: 2 });
    const m = rt.createMap(spec(MapType.PERF_EVENT_ARRAY, { valueSize: 4, maxEntries: 0 })).map as PerfEventArrayMap;
    expect(m.maxEntries).toBe(2); // 0 means one slot per CPU, as libbpf sets it
    const seen: number[] = [];
    m.onEvent = (s) => void seen.push(s.cpu);
    expect(m.output(0, 0, new Uint8Array(1))).toBe(-Errno.ENOENT);
    m.openAll(2);
    expect(m.output(0, 0, new Uint8Array(1))).toBe(0);
    expect(m.output(1, 0, new Uint8Array(1))).toBe(-Errno.EOPNOTSUPP);
    expect(m.output(2, 0, new Uint8Array(1))).toBe(-Errno.E2BIG);
    expect(seen).toEqual([0]);
  });
});
