// BPF_MAP_TYPE_ARRAY: the reference BpfMap (kernel semantics for flags, errno and iteration).
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { MapError, UnsupportedError, VmFault } from '../../src/errors.js';
import { ArrayMap } from '../../maps/array.js';
import { Errno, MapFlag, MapType, UpdateFlag, type MapSpec } from '../../maps/types.js';
import { MAP_FACTORIES } from '../../maps/index.js';
import { Arena } from '../../vm/memory.js';
import { DW, W, exit, lddw, ldx, prog, st } from '../vm/enc.js';

const spec = (over: Partial<MapSpec> = {}): MapSpec => ({ name: 'arr', type: MapType.ARRAY, keySize: 4, valueSize: 12, maxEntries: 4, flags: 0, ...over });
const key = (i: number) => new Uint8Array(new Uint32Array([i]).buffer);
const newMap = (over: Partial<MapSpec> = {}) => {
  const arena = new Arena();
  return { arena, map: new ArrayMap(spec(over), { arena, ncpus: 1 }) };
};

describe('array map', () => {
  it('is registered in MAP_FACTORIES; unknown types are unsupported', () => {
    expect(MAP_FACTORIES.get(MapType.ARRAY)).toBeTypeOf('function');
    expect(() => new Runtime().createMap(spec({ type: 9999 }))).toThrow(UnsupportedError);
    expect(() => new Runtime().createMap(spec({ type: 9999 }))).toThrow(/unsupported map type map_type#9999/);
  });
  it('every element exists and starts zeroed', () => {
    const { map } = newMap();
    for (let i = 0; i < 4; i++) expect(map.lookup(key(i))).toEqual(new Uint8Array(12));
    expect(map.lookup(key(4))).toBeUndefined();
  });
  it('update flags: ANY and EXIST succeed, NOEXIST is always -EEXIST, bad flags -EINVAL', () => {
    const { map } = newMap();
    const v = new Uint8Array(12).fill(7);
    expect(map.update(key(1), v)).toBe(0);
    expect(map.update(key(1), v, UpdateFlag.EXIST)).toBe(0);
    expect(map.update(key(2), v, UpdateFlag.NOEXIST)).toBe(-Errno.EEXIST);
    expect(map.update(key(2), v, 8)).toBe(-Errno.EINVAL);
    expect(map.update(key(2), v, UpdateFlag.NOEXIST | UpdateFlag.EXIST)).toBe(-Errno.EINVAL);
    expect(map.update(key(2), v, UpdateFlag.F_LOCK)).toBe(-Errno.EINVAL); // no bpf_spin_lock in the value
    expect(map.update(key(4), v)).toBe(-Errno.E2BIG);
    expect(map.lookup(key(1))).toEqual(v);
  });
  it('delete is -EINVAL', () => {
    const { map } = newMap();
    expect(map.delete(key(0))).toBe(-Errno.EINVAL);
  });
  it('nextKey walks 0..max-1; an out-of-range key restarts at 0', () => {
    const { map } = newMap();
    const seen: number[] = [];
    for (let k = map.nextKey(undefined); k; k = map.nextKey(k)) seen.push(new DataView(k.buffer).getUint32(0, true));
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(new DataView(map.nextKey(key(100))!.buffer).getUint32(0, true)).toBe(0);
  });
  it('element stride is value_size rounded up to 8', () => {
    const { map } = newMap();
    expect(map.stride).toBe(16);
    expect(map.valueAddr(2) - map.valueAddr(0)).toBe(32);
  });
  it('program-side lookup/update take key and value addresses', () => {
    const { arena, map } = newMap();
    const k = arena.alloc(4);
    const v = arena.alloc(12);
    arena.dv.setUint32(k, 3, true);
    arena.u8.fill(9, v, v + 12);
    expect(map.updateElem(k, v, UpdateFlag.ANY, 0)).toBe(0);
    expect(map.lookupElem(k, 0)).toBe(map.valueAddr(3));
    expect(arena.read(map.lookupElem(k, 0), 12)).toEqual(new Uint8Array(12).fill(9));
    arena.dv.setUint32(k, 4, true);
    expect(map.lookupElem(k, 0)).toBe(0);
    expect(map.updateElem(k, v, UpdateFlag.ANY, 0)).toBe(-Errno.E2BIG);
    expect(map.deleteElem(k)).toBe(-Errno.EINVAL);
  });
  it('initial contents (global data images)', () => {
    const { map } = newMap({ maxEntries: 1, valueSize: 4, contents: [{ key: key(0), value: new Uint8Array([1, 2, 3, 4]) }] });
    expect(map.lookup(key(0))).toEqual(new Uint8Array([1, 2, 3, 4]));
  });
  it('frozen maps refuse user-space writes; RDONLY_PROG values are read-only to programs', () => {
    const rt = new Runtime();
    const m = rt.createMap(spec({ name: 'ro', flags: MapFlag.RDONLY_PROG, valueSize: 8, maxEntries: 1 }));
    expect(m.map.update(key(0), new Uint8Array(8).fill(1))).toBe(0);
    m.map.frozen = true;
    expect(m.map.update(key(0), new Uint8Array(8))).toBe(-Errno.EPERM);
    expect(rt.execute(prog([lddw(1, BigInt(m.id), 2), ldx(DW, 0, 1, 0), exit()])).r0).toBe(0x0101010101010101n);
    expect(() => rt.execute(prog([lddw(1, BigInt(m.id), 2), st(W, 1, 0, 0), exit()]))).toThrow(VmFault);
    expect(() => rt.execute(prog([lddw(1, BigInt(m.id), 2), st(W, 1, 0, 0), exit()]))).toThrow(/read-only/);
  });
  it('programs cannot read past the last element', () => {
    const rt = new Runtime();
    const m = rt.createMap(spec({ valueSize: 8, maxEntries: 2 }));
    expect(rt.execute(prog([lddw(1, BigInt(m.id), 2), ldx(DW, 0, 1, 8), exit()])).r0).toBe(0n);
    expect(() => rt.execute(prog([lddw(1, BigInt(m.id), 2), ldx(DW, 0, 1, 16), exit()]))).toThrow(/out of bounds of map 'arr'/);
  });
  it('bad specs are MapErrors', () => {
    expect(() => newMap({ keySize: 8 })).toThrow(MapError);
    expect(() => newMap({ valueSize: 0 })).toThrow(MapError);
    expect(() => newMap({ maxEntries: 0 })).toThrow(MapError);
    expect(() => newMap().map.lookup(new Uint8Array(2))).toThrow(MapError);
  });
  it('destroy releases the arena region; the runtime forgets the id', () => {
    const rt = new Runtime();
    const m = rt.createMap(spec());
    const before = rt.arena.bytesInUse;
    rt.destroyMap(m.id);
    expect(rt.arena.bytesInUse).toBeLessThan(before);
    expect(rt.mapById(m.id)).toBeUndefined();
    expect(rt.mapFromHandle(m.handle)).toBeUndefined();
  });
});

describe('arena accounting', () => {
  it('regions count toward bytesInUse and give it back when freed', () => {
    const arena = new Arena();
    const a = arena.allocRegion(10000, 3, 'map', 'm');
    const b = arena.alloc(5000);
    const c = arena.alloc(100);
    expect(arena.bytesInUse).toBe(15100);
    arena.free(a);
    arena.free(b);
    arena.free(c);
    expect(arena.bytesInUse).toBe(0);
  });
});

describe('array map with a bpf_spin_lock in the value', () => {
  it('updates keep the lock word; user lookups read it as zero; F_LOCK is accepted', () => {
    const { arena, map } = newMap({ valueSize: 16, spinLockOffset: 4 });
    arena.dv.setUint32(map.valueAddr(1) + 4, 1, true); // "held"
    expect(map.update(key(1), new Uint8Array(16).fill(0xaa), UpdateFlag.F_LOCK)).toBe(0);
    expect(arena.dv.getUint32(map.valueAddr(1) + 4, true)).toBe(1);
    expect(arena.u8[map.valueAddr(1)]).toBe(0xaa);
    const v = map.lookup(key(1))!;
    expect(Array.from(v.subarray(0, 8))).toEqual([0xaa, 0xaa, 0xaa, 0xaa, 0, 0, 0, 0]);
    const k = arena.alloc(4);
    const src = arena.alloc(16);
    arena.dv.setUint32(k, 1, true);
    arena.u8.fill(0xbb, src, src + 16);
    expect(map.updateElem(k, src, UpdateFlag.ANY, 0)).toBe(0);
    expect(arena.dv.getUint32(map.valueAddr(1) + 4, true)).toBe(1);
    expect(arena.u8[map.valueAddr(1) + 8]).toBe(0xbb);
  });
});
