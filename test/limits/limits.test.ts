// The kernel's limits instead of ebpfvm's own (issue 13): global data past 16 MiB, hash keys past
// 512 bytes (test/maps/hash.test.ts has the bound), tail calls from subprograms (kernel fixture
// lim_tail_hier), BPF_F_PRESERVE_ELEMS and libbpf's __ulong map fields (fixture lim_maps), and a
// map-in-map without an inner template failing at load, not at open. Programs: test/progs/limits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runLoaded } from '../../src/test-run-api.js';
import { MapError } from '../../src/errors.js';
import { Errno, MapFlag, MapType } from '../../maps/types.js';
import { PROGS } from '../loader/helpers.js';

const openLim = (name: string) => openObject(new Uint8Array(readFileSync(join(PROGS, 'limits', `${name}.o`))), { name });

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('global data', () => {
  it('a 24 MiB .bss is one 24 MiB array value and runs as on Linux 6.18 (retval 12)', () => {
    const spec = openLim('lim_big_data');
    const bss = spec.maps.get('lim_big_.bss')!;
    expect(bss.valueSize).toBe(24 << 20);
    expect(bss.contents).toBeUndefined(); // no image until a variable is touched before load
    const obj = load(new Runtime(), spec);
    expect(runLoaded(obj, 'touch', {}).retval).toBe(12);
    const v = obj.map('lim_big_.bss').lookup(new Uint8Array(4))!;
    expect([v.length, v[(24 << 20) - 1], v[20 << 20]]).toEqual([24 << 20, 5, 7]);
  });
  it('setting a .bss variable before load makes its image', () => {
    const spec = openLim('lim_big_data');
    spec.globals.get('big')!.set(new Uint8Array(24 << 20).fill(1));
    const obj = load(new Runtime(), spec);
    expect(runLoaded(obj, 'touch', {}).retval).toBe(12);
    expect(obj.map('lim_big_.bss').lookup(new Uint8Array(4))![100]).toBe(1);
  });
  it('the cap is the arena: a section larger than the runtime\'s arena is -ENOMEM naming the limit', () => {
    const e = thrown(() => load(new Runtime({ arena: { maxBytes: 16 << 20 } }), openLim('lim_big_data')));
    expect(e).toBeInstanceOf(MapError);
    expect((e as MapError).errno).toBe(-Errno.ENOMEM);
    expect(String((e as Error).message)).toMatch(/lim_big_\.bss.*16777216/);
  });
});

describe('map definitions', () => {
  it('__ulong(map_extra, 3) reads as __uint(map_extra, 3), and both objects run alike', () => {
    const a = openLim('lim_maps');
    const b = openLim('lim_ulong');
    expect(b.maps.get('seen')!.mapExtra).toBe(3n);
    expect(a.maps.get('seen')!.mapExtra).toBe(3n);
    const data = new Uint8Array(64);
    const ra = load(new Runtime(), a);
    const rb = load(new Runtime(), b);
    runLoaded(ra, 'maps_extra', { data });
    runLoaded(rb, 'maps_extra', { data });
    const bss = (o: typeof ra, n: string) => o.map(n).lookup(new Uint8Array(4));
    expect(bss(rb, 'lim_ulon.bss')).toEqual(bss(ra, 'lim_maps.bss'));
  });
  it('BPF_F_PRESERVE_ELEMS on a perf event array is created with the flag', () => {
    const obj = load(new Runtime(), openLim('lim_maps'));
    expect(obj.map('events').type).toBe(MapType.PERF_EVENT_ARRAY);
    expect(obj.map('events').spec.flags & MapFlag.PRESERVE_ELEMS).toBe(MapFlag.PRESERVE_ELEMS);
  });
  it('a map-in-map without a template opens, fails at load with -EINVAL, and loads with an inner map given', () => {
    const spec = openLim('lim_mim');
    expect(spec.maps.get('outer')!.innerMap).toBeUndefined();
    const e = thrown(() => load(new Runtime(), spec));
    expect(e).toBeInstanceOf(MapError);
    expect((e as MapError).errno).toBe(-Errno.EINVAL);
    expect(String((e as Error).message)).toMatch(/map outer: .*inner map template/);
    const rt = new Runtime();
    const inner = rt.createMap({ name: 'inner', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0 });
    const obj = load(rt, spec, { innerMaps: { outer: inner.id } });
    expect(runLoaded(obj, 'has_inner', {}).retval).toBe(0);
    const k0 = new Uint8Array(4);
    expect(obj.map('outer').update(k0, new Uint8Array(new Uint32Array([inner.id]).buffer))).toBe(0);
    expect(runLoaded(obj, 'has_inner', {}).retval).toBe(1);
    // an inner map of another shape is refused, as the kernel refuses it against the template
    const other = rt.createMap({ name: 'other', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 1, flags: 0 });
    expect(obj.map('outer').update(k0, new Uint8Array(new Uint32Array([other.id]).buffer))).toBe(-Errno.EINVAL);
  });
});
