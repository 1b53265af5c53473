// BPF_MAP_TYPE_REUSEPORT_SOCKARRAY on the runtime's socket table (maps/reuseport-array.ts): which
// sockets a slot takes (SO_REUSEPORT on a listening TCP or bound UDP socket), the kernel's errnos,
// cookies read back, one slot per socket, and programs that may only select from it.
import { describe, expect, it } from 'vitest';
import { MapError } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import { MapType, type MapSpec } from '../../maps/types.js';
import { readU64, u32, u64 } from './util.js';

const sockets = [
  { proto: 'tcp' as const, state: 'listen' as const, srcPort: 80, reuseport: true }, // fd 3
  { proto: 'tcp' as const, state: 'listen' as const, srcPort: 80, reuseport: true }, // fd 4
  { proto: 'tcp' as const, state: 'listen' as const, srcPort: 81 }, // fd 5: no SO_REUSEPORT
  { proto: 'tcp' as const, state: 'established' as const, reuseport: true }, // fd 6: not hashed as a listener
  { proto: 'udp' as const, srcPort: 53, reuseport: true }, // fd 7: bound
  { proto: 'udp' as const, reuseport: true }, // fd 8: unbound
];
const spec = (over: Partial<MapSpec> = {}): MapSpec => ({ name: 'ra', type: MapType.REUSEPORT_SOCKARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, ...over });
const errnoOf = (f: () => unknown): number | undefined => {
  try {
    f();
    return 0;
  } catch (e) {
    return e instanceof MapError ? e.errno : NaN;
  }
};
const keys = (m: { nextKey(k: Uint8Array | undefined): Uint8Array | undefined }): number[] => {
  const out: number[] = [];
  for (let k = m.nextKey(undefined); k; k = m.nextKey(k)) out.push(new DataView(k.buffer).getUint32(0, true));
  return out;
};

describe('reuseport_sockarray', () => {
  it('creation: key_size 4, value_size 4 or 8, max_entries > 0, NUMA and access flags only', () => {
    const rt = new Runtime({ sockets });
    expect(errnoOf(() => rt.createMap(spec()))).toBe(0);
    expect(errnoOf(() => rt.createMap(spec({ valueSize: 4 })))).toBe(0);
    expect(errnoOf(() => rt.createMap(spec({ valueSize: 16 })))).toBe(-22);
    expect(errnoOf(() => rt.createMap(spec({ keySize: 8 })))).toBe(-22);
    expect(errnoOf(() => rt.createMap(spec({ maxEntries: 0 })))).toBe(-22);
    expect(errnoOf(() => rt.createMap(spec({ flags: 1 << 10 })))).toBe(-22); // BPF_F_MMAPABLE: ARRAY only
    expect(errnoOf(() => rt.createMap(spec({ flags: (1 << 3) | (1 << 4) })))).toBe(-22); // RDONLY|WRONLY
    expect(errnoOf(() => rt.createMap(spec({ flags: 1 << 7 })))).toBe(0); // RDONLY_PROG
  });

  it('takes sockets of a reuseport group by fd; the kernel errnos in its order', () => {
    const rt = new Runtime({ sockets });
    const m = rt.createMap(spec()).map;
    expect(m.update(u32(0), u64(3))).toBe(0);
    expect(m.update(u32(1), u64(7))).toBe(0); // bound UDP with SO_REUSEPORT
    expect(m.update(u32(2), u64(5))).toBe(-22); // no SO_REUSEPORT
    expect(m.update(u32(2), u64(6))).toBe(-22); // established: not in the group
    expect(m.update(u32(2), u64(8))).toBe(-22); // unbound UDP
    expect(m.update(u32(2), u64(3))).toBe(-16); // fd 3 is already in slot 0: -EBUSY
    expect(m.update(u32(0), u64(3))).toBe(-16); // even for its own slot
    expect(m.update(u32(2), u64(9))).toBe(-9); // no such fd
    expect(m.update(u32(2), u64(2n ** 31n))).toBe(-22); // above S32_MAX
    expect(m.update(u32(4), u64(4))).toBe(-7); // beyond max_entries
    expect(m.update(u32(0), u64(4), 3)).toBe(-22); // flags above BPF_EXIST
    expect(m.update(u32(0), u64(4), 1)).toBe(-17); // NOEXIST on a taken slot
    expect(m.update(u32(2), u64(4), 2)).toBe(-2); // EXIST on an empty one
    expect(m.update(u32(2), u64(5), 1)).toBe(-22); // slot free, socket not in a group
    expect(readU64(m.lookup(u32(0)))).toBe(rt.sockets.byFd(3)!.cookie);
    expect(readU64(m.lookup(u32(1)))).toBe(rt.sockets.byFd(7)!.cookie);
    expect(m.lookup(u32(2))).toBeUndefined();
    expect(m.lookup(u32(9))).toBeUndefined();
    // replacing slot 0 frees fd 3, which may then go elsewhere
    expect(m.update(u32(0), u64(4), 2)).toBe(0);
    expect(readU64(m.lookup(u32(0)))).toBe(rt.sockets.byFd(4)!.cookie);
    expect(m.update(u32(3), u64(3))).toBe(0);
    expect(keys(m)).toEqual([0, 1, 2, 3]);
    // delete: -E2BIG beyond max_entries, -ENOENT for an empty slot
    expect(m.delete(u32(4))).toBe(-7);
    expect(m.delete(u32(2))).toBe(-2);
    expect(m.delete(u32(3))).toBe(0);
    expect(m.lookup(u32(3))).toBeUndefined();
    // a socket in one reuseport array cannot go into another
    const other = rt.createMap(spec({ name: 'rb' })).map;
    expect(other.update(u32(0), u64(4))).toBe(-16);
    expect(other.update(u32(0), u64(3))).toBe(0);
    // a closed socket leaves its slot, and the map
    rt.sockets.close(rt.sockets.byFd(4)!);
    expect(m.lookup(u32(0))).toBeUndefined();
    expect(m.update(u32(0), u64(7))).toBe(-16);
  });

  it('value_size 4: an int fd, not readable from user space (-ENOSPC)', () => {
    const rt = new Runtime({ sockets });
    const m = rt.createMap(spec({ valueSize: 4 })).map;
    expect(m.update(u32(0), u32(3))).toBe(0);
    expect(m.update(u32(1), u32(0xffffffff))).toBe(-9); // fd -1
    expect(errnoOf(() => m.lookup(u32(0)))).toBe(-28);
    expect(m.delete(u32(0))).toBe(0);
  });

  it('the socket description checks reuseport', () => {
    expect(() => new Runtime({ sockets: [{ reuseport: 'yes' as unknown as boolean }] })).toThrow(/reuseport must be true or false/);
  });
});
