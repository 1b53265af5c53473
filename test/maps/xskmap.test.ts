// BPF_MAP_TYPE_XSKMAP (maps/xskmap.ts): creation and user-space operations with the kernel's
// errnos (net/xdp/xskmap.c) without AF_XDP sockets; with described 'xdp' sockets the whole of
// what the host does is replayed in xskmap-sockets.test.ts. Empty slots on the program side
// (lookup NULL, bpf_redirect_map's fallback) are checked against the host kernel by
// test/progs/verifier/xskmap.c and the kernel's xsk_xdp_progs.c (scripts/kernel-progs.mjs).
import { describe, expect, it } from 'vitest';
import { MapError } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import { MapFlag, MapType, type MapSpec } from '../../maps/types.js';
import { u32 } from './util.js';

const spec = (over: Partial<MapSpec> = {}): MapSpec => ({ name: 'xsk', type: MapType.XSKMAP, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0, ...over });
const errnoOf = (f: () => unknown): number | undefined => {
  try {
    f();
    return 0;
  } catch (e) {
    return e instanceof MapError ? e.errno : NaN;
  }
};

describe('xskmap', () => {
  it('creation: key and value are u32, max_entries > 0, NUMA/RDONLY/WRONLY flags only (-EINVAL)', () => {
    const rt = new Runtime();
    expect(() => rt.createMap(spec())).not.toThrow();
    expect(() => rt.createMap(spec({ flags: MapFlag.NUMA_NODE }))).not.toThrow();
    for (const bad of [{ keySize: 8 }, { valueSize: 8 }, { maxEntries: 0 }, { flags: MapFlag.NO_PREALLOC }]) {
      expect(errnoOf(() => rt.createMap(spec(bad))), JSON.stringify(bad)).toBe(-22);
    }
  });

  it('user space, no AF_XDP socket described: nothing to store (-EBADF / -EOPNOTSUPP), lookup -EOPNOTSUPP, delete and next key by index', () => {
    const rt = new Runtime({ sockets: [{ proto: 'tcp', state: 'established' }] }); // fd 3
    const m = rt.createMap(spec()).map;
    expect(m.update(u32(0), u32(3))).toBe(-95); // a TCP socket is not PF_XDP
    expect(m.update(u32(0), u32(9))).toBe(-9); // no such fd
    expect(m.update(u32(0), u32(0xffffffff))).toBe(-9); // fd -1
    expect(m.update(u32(4), u32(3))).toBe(-7); // index beyond max_entries: -E2BIG
    expect(m.update(u32(0), u32(3), 3)).toBe(-22); // flags above BPF_EXIST
    expect(errnoOf(() => m.lookup(u32(0)))).toBe(-95);
    expect(m.delete(u32(3))).toBe(0);
    expect(m.delete(u32(4))).toBe(-22);
    expect(m.nextKey(undefined)).toEqual(u32(0));
    expect(m.nextKey(u32(2))).toEqual(u32(3));
    expect(m.nextKey(u32(3))).toBeUndefined();
    expect(m.nextKey(u32(9))).toEqual(u32(0));
  });
});
