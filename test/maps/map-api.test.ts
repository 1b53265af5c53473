// The TypeScript map API (src/map-api.ts) on a clang-built object with BTF: struct keys and values
// (char arrays, bitfields, enums), per-CPU values, global data, iteration, batches and bad input.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load, openObject } from '../../src/loader/index.js';
import { testRun } from '../../src/test-run-api.js';
import { BtfCodec, MapHandle, mapApi } from '../../src/map-api.js';
import { parseBtf, type Btf } from '../../src/btf/btf.js';
import { createHashMap } from '../../maps/hash.js';
import { Errno, MapType } from '../../maps/types.js';
import { MapError } from '../../src/errors.js';
import { newArena } from './util.js';

function setup(ncpus = 2) {
  const runtime = new Runtime({ ncpus });
  const obj = load(runtime, openObject(new Uint8Array(readFileSync(new URL('../progs/h_mapapi.o', import.meta.url))), { name: 'h_mapapi' }));
  const run = (flow: { addr: number; port: number; proto: number }, len: number, cpu = 0) => {
    const ctx = new Uint8Array(12);
    const dv = new DataView(ctx.buffer);
    dv.setUint32(0, flow.addr, true);
    dv.setUint16(4, flow.port, true);
    dv.setUint16(6, flow.proto, true);
    dv.setUint32(8, len, true);
    return testRun(runtime, obj.program('count_flow').program, { ctx, cpu }).retval;
  };
  return { runtime, obj, run };
}

const F1 = { addr: 0x0a000001, port: 80, proto: 6 };
const F2 = { addr: 0x0a000002, port: 53, proto: 17 };

describe('map API through BTF', () => {
  it('struct keys and values round-trip, programs see user-space writes and vice versa', () => {
    const { obj, run } = setup();
    const flows = mapApi(obj, 'flows');
    flows.update(F1, { packets: 10, bytes: 1000n, label: 'web', flags: 5, level: 17, verdict: 'V_DROP' });
    expect(flows.lookup(F1)).toEqual({ packets: 10, bytes: 1000, label: 'web', flags: 5, level: 17, verdict: 1 });
    expect(run(F1, 60)).toBe(1);
    expect(flows.lookup(F1)).toMatchObject({ packets: 11, bytes: 1060 });
    expect(run(F2, 1)).toBe(-1 >>> 0);
    expect(flows.lookup(F2)).toBeUndefined();
  });
  it('omitted fields are zero; unknown fields, wrong shapes and out-of-range values are MapErrors and change nothing', () => {
    const { obj } = setup();
    const flows = mapApi(obj, 'flows');
    flows.update(F1, { packets: 1 });
    expect(flows.lookup(F1)).toEqual({ packets: 1, bytes: 0, label: '', flags: 0, level: 0, verdict: 0 });
    const bad: unknown[] = [
      { packets: 1, bogus: 2 },
      { packets: 'many' },
      { label: 'far too long' },
      { flags: 8 }, // 3-bit field
      { verdict: 'V_MAYBE' },
      { packets: -1 }, // __u64
      42,
      new Uint8Array(3),
    ];
    for (const v of bad) expect(() => flows.update(F1, v)).toThrow(MapError);
    expect(() => flows.update({ addr: 1, port: 70000, proto: 0 }, { packets: 1 })).toThrow(/does not fit 16 bits/);
    expect(() => flows.update(new Uint8Array(7), { packets: 1 })).toThrow(/7 bytes given, the type is 8 bytes/);
    expect([...flows.keys()]).toEqual([{ addr: F1.addr, port: 80, proto: 6 }]);
    expect(flows.lookup(F1)).toMatchObject({ packets: 1 });
  });
  it('update modes and errno as MapError.errno; delete returns false for a missing key', () => {
    const { obj } = setup();
    const flows = mapApi(obj, 'flows');
    flows.update(F1, {}, 'noexist');
    let err: MapError | undefined;
    try {
      flows.update(F1, {}, { mode: 'noexist' });
    } catch (e) {
      err = e as MapError;
    }
    expect(err?.errno).toBe(-Errno.EEXIST);
    expect(err?.message).toMatch(/update failed: EEXIST/);
    expect(() => flows.update(F2, {}, 'exist')).toThrow(/ENOENT/);
    expect(flows.delete(F2)).toBe(false);
    expect(flows.delete(F1)).toBe(true);
    expect(flows.has(F1)).toBe(false);
  });
  it('keys(), entries(), count(), clear() and deleting while iterating', () => {
    const { obj } = setup();
    const flows = mapApi(obj, 'flows');
    for (let i = 0; i < 5; i++) flows.update({ addr: i, port: i, proto: 6 }, { packets: i });
    expect([...flows.keys()].map((k) => (k as { addr: number }).addr)).toEqual([0, 1, 2, 3, 4]);
    expect([...flows.entries()].map(([, v]) => (v as { packets: number }).packets)).toEqual([0, 1, 2, 3, 4]);
    for (const k of flows.keys()) if ((k as { addr: number }).addr % 2) flows.delete(k);
    expect(flows.count()).toBe(3);
    expect(flows.clear()).toBe(3);
    expect(flows.count()).toBe(0);
  });
  it('batches: lookup with a cursor, update/delete stop at the first failure', () => {
    const { obj } = setup();
    const flows = mapApi(obj, 'flows');
    expect(flows.updateBatch([0, 1, 2, 3, 4].map((i) => [{ addr: i, port: 1, proto: 1 }, { packets: i }] as const))).toBe(5);
    const first = flows.lookupBatch(3);
    expect(first.entries.map(([k]) => (k as { addr: number }).addr)).toEqual([0, 1, 2]);
    expect(first.done).toBe(false);
    const second = flows.lookupBatch(3, first.cursor);
    expect(second.entries.map(([k]) => (k as { addr: number }).addr)).toEqual([3, 4]);
    expect(second.done).toBe(true);
    expect(() => flows.deleteBatch([{ addr: 0, port: 1, proto: 1 }, { addr: 9, port: 9, proto: 9 }, { addr: 1, port: 1, proto: 1 }])).toThrow(/after 1 of 3 elements.*ENOENT/);
    expect(flows.count()).toBe(4);
    expect(() => flows.updateBatch([[{ addr: 5, port: 1, proto: 1 }, { packets: 1 }], [{ addr: 6, port: 1, proto: 1 }, { nope: 1 }]])).toThrow(MapError);
    expect(flows.count()).toBe(4); // bad input: nothing applied
    expect(flows.lookupAndDeleteBatch(2).length).toBe(2);
    expect(flows.count()).toBe(2);
  });
  it('per-CPU values: one per CPU out, one per CPU or one for all in', () => {
    const { obj, run } = setup(3);
    run(F1, 1, 0);
    mapApi(obj, 'flows').update(F1, {});
    run(F1, 1, 2);
    run(F1, 1, 2);
    const pcpu = mapApi(obj, 'pcpu');
    expect(pcpu.lookup(0)).toEqual([0, 0, 2]);
    pcpu.update(1, 5);
    expect(pcpu.lookup(1)).toEqual([5, 5, 5]);
    pcpu.update(1, [1, 2, 3]);
    expect(pcpu.lookup(1)).toEqual([1, 2, 3]);
    expect(() => pcpu.update(1, [1, 2])).toThrow(MapError);
  });
  it('global data decodes to variables by name and can be written; frozen .rodata refuses writes', () => {
    const { obj, run } = setup();
    const name = [...obj.maps.keys()].find((n) => n.endsWith('.bss'))!;
    const bss = mapApi(obj, name);
    run(F2, 1);
    expect(bss.lookup(0)).toEqual({ seen: 1 });
    bss.update(0, { seen: 40 });
    run(F2, 1);
    expect(bss.lookup(0)).toEqual({ seen: 41 });
    const data = mapApi(obj, [...obj.maps.keys()].find((n) => n.endsWith('.data'))!);
    expect(data.lookup(0)).toEqual({ limit: 3 });
    const arr = mapApi(obj, 'slots');
    arr.update(2, 77n);
    expect(arr.lookup(2)).toBe(77);
    arr.freeze();
    expect(() => arr.update(2, 1)).toThrow(/EPERM/);
  });
});

describe('map API without BTF', () => {
  it('integers for 1/2/4/8-byte keys and values, bytes otherwise', () => {
    const arena = newArena();
    const map = createHashMap({ name: 'raw', type: MapType.HASH, keySize: 4, valueSize: 3, maxEntries: 4, flags: 0 }, { arena, ncpus: 1 });
    const h = new MapHandle(map);
    h.update(7, Uint8Array.from([1, 2, 3]));
    expect(h.lookup(7)).toEqual(Uint8Array.from([1, 2, 3]));
    expect([...h.keys()]).toEqual([7]);
    expect(() => h.update(7, 5)).toThrow(/integer needs a 1, 2, 4 or 8-byte type/);
    expect(() => h.update(2 ** 32, Uint8Array.from([1, 2, 3]))).toThrow(/does not fit 32 bits/);
  });
});

describe('BTF codecs: types that reach past the value', () => {
  // The kernel refuses such BTF ("Member exceeds struct_size"); ebpfvm's parser does not check
  // member extents, so the codecs must not read or write past the value (a RangeError before).
  function btf(): Btf {
    const w: number[] = [];
    const t = (kind: number, vlen: number, sizeOrType: number, kflag = 0) => w.push(0, ((kflag << 31) | (kind << 24) | vlen) >>> 0, sizeOrType);
    t(1, 0, 4); w.push(32); // [1] int
    t(4, 1, 4); w.push(0, 1, 64); // [2] struct S (4 bytes) { int x at byte 8 }
    t(4, 0, 0); // [3] struct E {} (0 bytes)
    t(3, 0, 0); w.push(3, 1, 0xffffffff); // [4] struct E [4294967295]
    t(4, 1, 4); w.push(0, 4, 0); // [5] struct T (4 bytes) { E a[4294967295] }
    t(4, 1, 4, 1); w.push(0, 1, (3 << 24) | 40); // [6] struct U (4 bytes) { int b:3 at bit 40 }
    const types = new Uint8Array(new Uint32Array(w).buffer);
    const out = new Uint8Array(24 + types.length + 1);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, 0xeb9f, true);
    dv.setUint8(2, 1);
    dv.setUint32(4, 24, true);
    dv.setUint32(12, types.length, true);
    dv.setUint32(16, types.length, true);
    dv.setUint32(20, 1, true);
    out.set(types, 24);
    return parseBtf(out);
  }
  it('decode leaves what lies past the value undefined; encode refuses it with a MapError', () => {
    const b = btf();
    const value = new Uint8Array(4);
    expect(new BtfCodec(b, 2, 4, 'v').decode(value)).toEqual({ '@8': undefined });
    expect(() => new BtfCodec(b, 2, 4, 'v').encode({ '@8': 1 })).toThrow(MapError);
    expect(new BtfCodec(b, 5, 4, 'v').decode(value)).toEqual({ '@0': [] });
    expect(new BtfCodec(b, 6, 4, 'v').decode(value)).toEqual({ '@5': undefined });
    expect(() => new BtfCodec(b, 6, 4, 'v').encode({ '@5': 1 })).toThrow(/bitfield lies past the 4 bytes of the value/);
  });
});
