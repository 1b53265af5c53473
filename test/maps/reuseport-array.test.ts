// BPF_MAP_TYPE_REUSEPORT_SOCKARRAY on the runtime's socket table (maps/reuseport-array.ts): the
// steps test/kernel/harness/reuseport-array.c makes on real sockets of the host kernel, made here
// on the same sockets described to the socket table, each answer compared with the host's
// recording (test/fixtures/reuseport-array.json, scripts/record-reuseport-array.mjs); then the
// cookies user space reads back.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MapError } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import { MapType, type BpfMap, type MapSpec } from '../../maps/types.js';
import type { SocketDesc } from '../../vm/sockets.js';
import { readU64, u32, u64 } from './util.js';

const HOST = JSON.parse(readFileSync(new URL('../fixtures/reuseport-array.json', import.meta.url), 'utf8')) as { kernel: string; steps: Record<string, number> };

// The harness's sockets, by the fd ebpfvm gives each (ports as the harness's: A and B share one)
const FD = { A: 3, B: 4, C: 5, D: 6, E: 7, F: 8, U: 9, V: 10, W: 11, X: 12, Y: 13, Z: 14 } as const;
const SOCKETS: SocketDesc[] = [
  { fd: FD.A, proto: 'tcp', state: 'listen', srcPort: 40000, reuseport: true },
  { fd: FD.B, proto: 'tcp', state: 'listen', srcPort: 40000, reuseport: true },
  { fd: FD.C, proto: 'tcp', state: 'listen', srcPort: 40001 },
  { fd: FD.D, proto: 'tcp', state: 'close', srcPort: 40002, reuseport: true }, // bound, not listening
  { fd: FD.E, proto: 'tcp', state: 'established', srcPort: 50000, dstPort: 40000, reuseport: true }, // the client
  { fd: FD.F, proto: 'tcp', state: 'established', srcPort: 40000, dstPort: 50000, reuseport: true }, // the accepted child
  { fd: FD.U, proto: 'udp', srcPort: 40003, reuseport: true },
  { fd: FD.V, proto: 'udp', reuseport: true }, // unbound
  { fd: FD.W, proto: 'udp', srcPort: 40004 },
  { fd: FD.X, proto: 'udp', srcPort: 40005, reuseport: true },
  { fd: FD.Y, proto: 'udp', srcPort: 40006, reuseport: true },
  { fd: FD.Z, proto: 'udp', srcPort: 40007, reuseport: true },
];
const spec = (over: Partial<MapSpec> = {}): MapSpec => ({ name: 'ra', type: MapType.REUSEPORT_SOCKARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, ...over });
const BPF_F_RDONLY = 1 << 3;
const BPF_F_WRONLY = 1 << 4;
const BPF_F_RDONLY_PROG = 1 << 7;
const BPF_F_MMAPABLE = 1 << 10;
const errnoOf = (f: () => unknown): number => {
  try {
    const r = f();
    return typeof r === 'number' ? r : 0;
  } catch (e) {
    if (e instanceof MapError && e.errno !== undefined) return e.errno;
    throw e;
  }
};
const i32 = (v: number): Uint8Array => u32(v >>> 0);

describe('reuseport_sockarray', () => {
  it(`answers every step as the host kernel did (${HOST.kernel})`, () => {
    const rt = new Runtime({ sockets: SOCKETS });
    const got: Record<string, number> = {};
    const step = (name: string, f: () => unknown): void => void (got[name] = errnoOf(f));
    const create = (over: Partial<MapSpec>) => () => void rt.createMap(spec(over));
    const m = rt.createMap(spec()).map;
    const m2 = rt.createMap(spec({ name: 'rb' })).map;
    const m4 = rt.createMap(spec({ name: 'r4', valueSize: 4 })).map;
    const upd = (map: BpfMap, k: number, fd: number | bigint, flags = 0) => () => map.update(u32(k), u64(fd), flags);
    const look = (map: BpfMap, k: number) => () => (map.lookup(u32(k)) === undefined ? -2 : 0);
    step('create_value_size_16', create({ valueSize: 16 }));
    step('create_key_size_8', create({ keySize: 8 }));
    step('create_max_entries_0', create({ maxEntries: 0 }));
    step('create_mmapable', create({ flags: BPF_F_MMAPABLE }));
    step('create_rdonly_wronly', create({ flags: BPF_F_RDONLY | BPF_F_WRONLY }));
    step('create_rdonly_prog', create({ flags: BPF_F_RDONLY_PROG }));
    step('tcp_listen_reuse', upd(m, 0, FD.A));
    step('udp_bound_reuse', upd(m, 1, FD.U));
    step('tcp_listen_noreuse', upd(m, 2, FD.C));
    step('tcp_bound_not_listening', upd(m, 2, FD.D));
    step('tcp_client_connected', upd(m, 2, FD.E));
    step('tcp_accepted_child', upd(m, 2, FD.F));
    step('udp_unbound_reuse', upd(m, 2, FD.V));
    step('udp_bound_noreuse', upd(m, 2, FD.W));
    step('busy_other_slot', upd(m, 2, FD.A));
    step('busy_own_slot', upd(m, 0, FD.A));
    step('no_such_fd', upd(m, 2, 999));
    step('fd_above_s32', upd(m, 2, 2n ** 31n));
    step('index_beyond_max', upd(m, 4, FD.B));
    step('flags_3', upd(m, 0, FD.B, 3));
    step('noexist_taken', upd(m, 0, FD.B, 1));
    step('exist_empty', upd(m, 2, FD.B, 2));
    step('noexist_free_not_in_group', upd(m, 2, FD.C, 1));
    step('lookup_taken', look(m, 0));
    step('lookup_empty', look(m, 2));
    step('lookup_beyond_max', look(m, 9));
    step('replace_exist', upd(m, 0, FD.B, 2));
    step('replaced_socket_goes_elsewhere', upd(m, 3, FD.A));
    step('delete_beyond_max', () => m.delete(u32(4)));
    step('delete_empty', () => m.delete(u32(2)));
    step('delete_taken', () => m.delete(u32(3)));
    step('other_map_busy', upd(m2, 0, FD.B));
    step('other_map_free', upd(m2, 0, FD.A));
    step('value_size_4_update', () => m4.update(u32(0), i32(FD.X), 0));
    step('value_size_4_negative_fd', () => m4.update(u32(1), i32(-1), 0));
    step('value_size_4_lookup', look(m4, 0));
    // a socket's sk_user_data holds a sockmap psock or a reuseport slot, not both
    const sm = rt.createMap(spec({ name: 'sm', type: MapType.SOCKMAP })).map;
    step('sockmap_first', upd(sm, 0, FD.Y));
    step('sockmap_first_then_reuseport', upd(m, 2, FD.Y));
    step('sockmap_first_twice', upd(sm, 1, FD.Y));
    step('sockmap_first_one_slot_left', () => sm.delete(u32(0)) || m.update(u32(2), u64(FD.Y), 0));
    step('sockmap_first_none_left', () => sm.delete(u32(1)) || m.update(u32(2), u64(FD.Y), 0));
    step('reuseport_first', upd(m, 1, FD.Z));
    step('reuseport_first_then_sockmap', upd(sm, 1, FD.Z));
    step('sockmap_plain_udp', upd(sm, 2, FD.W));
    step('reuseport_first_then_sockmap_taken_noexist', upd(sm, 2, FD.A, 1));
    rt.sockets.close(rt.sockets.byFd(FD.B)!);
    step('lookup_after_close', look(m, 0));
    expect(got).toEqual(HOST.steps);
  });

  it('user space reads back the cookies; slots walk in index order', () => {
    const rt = new Runtime({ sockets: SOCKETS });
    const m = rt.createMap(spec()).map;
    expect(m.update(u32(0), u64(FD.A))).toBe(0);
    expect(m.update(u32(2), u64(FD.X))).toBe(0);
    expect(readU64(m.lookup(u32(0)))).toBe(rt.sockets.byFd(FD.A)!.cookie);
    expect(readU64(m.lookup(u32(2)))).toBe(rt.sockets.byFd(FD.X)!.cookie);
    const keys: number[] = [];
    for (let k = m.nextKey(undefined); k; k = m.nextKey(k)) keys.push(new DataView(k.buffer).getUint32(0, true));
    expect(keys).toEqual([0, 1, 2, 3]);
    expect(m.nextKey(u32(9))).toEqual(u32(0));
    // a destroyed map frees its sockets for another one
    m.destroy();
    expect(rt.createMap(spec({ name: 'rc' })).map.update(u32(0), u64(FD.A))).toBe(0);
  });

  it('a sockhash holds a psock as a sockmap does: -EBUSY both ways, freed by delete and destroy', () => {
    const rt = new Runtime({ sockets: SOCKETS });
    const m = rt.createMap(spec()).map;
    const sh = rt.createMap(spec({ name: 'sh', type: MapType.SOCKHASH })).map;
    expect(sh.update(u32(7), u64(FD.U))).toBe(0);
    expect(sh.update(u32(8), u64(FD.U))).toBe(0);
    expect(m.update(u32(0), u64(FD.U))).toBe(-16);
    expect(sh.delete(u32(7))).toBe(0);
    expect(m.update(u32(0), u64(FD.U))).toBe(-16); // still under key 8
    sh.destroy();
    expect(m.update(u32(0), u64(FD.U))).toBe(0);
    const sh2 = rt.createMap(spec({ name: 'sh2', type: MapType.SOCKHASH })).map;
    expect(sh2.update(u32(1), u64(FD.U))).toBe(-16);
    expect(sh2.update(u32(1), u64(FD.X))).toBe(0);
    // replacing a key's socket frees the old one
    expect(sh2.update(u32(1), u64(FD.W))).toBe(0);
    expect(m.update(u32(1), u64(FD.X))).toBe(0);
  });

  it('the socket description checks reuseport', () => {
    expect(() => new Runtime({ sockets: [{ reuseport: 'yes' as unknown as boolean }] })).toThrow(/reuseport must be true or false/);
  });
});
