// Sockmap and sockhash map operations on the runtime's socket table (maps/sockmap.ts,
// maps/sockhash.ts), and the verifier accepting the programs written for the new map types.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/index.js';
import { MapError } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import { MapType, type MapSpec } from '../../maps/types.js';
import { ProgType } from '../../vm/prog-types.js';
import { ipv4Udp, loadProg } from '../run/helpers.js';
import { xprog } from '../helpers/x-common.js';
import { readU64, u32, u64 } from './util.js';

const sockets = [
  { proto: 'tcp' as const, state: 'established' as const }, // fd 3
  { proto: 'tcp' as const, state: 'listen' as const }, // fd 4
  { proto: 'tcp' as const, state: 'syn_sent' as const }, // fd 5
  { proto: 'udp' as const, srcPort: 53 }, // fd 6: bound
  { proto: 'udp' as const }, // fd 7: unbound
];
const mapSpec = (type: number, over: Partial<MapSpec> = {}): MapSpec => ({ name: 's', type, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, ...over });
const errnoOf = (f: () => unknown): number | undefined => {
  try {
    f();
    return 0;
  } catch (e) {
    return e instanceof MapError ? e.errno : NaN;
  }
};

describe('sockmap', () => {
  it('user space stores sockets by fd and reads back cookies; the kernel errnos', () => {
    const rt = new Runtime({ sockets });
    const m = rt.createMap(mapSpec(MapType.SOCKMAP)).map;
    expect(m.update(u32(0), u64(3))).toBe(0);
    expect(m.update(u32(1), u64(4))).toBe(0); // listening TCP
    expect(m.update(u32(2), u64(5))).toBe(-95); // SYN_SENT: -EOPNOTSUPP
    expect(m.update(u32(2), u64(6))).toBe(0); // bound UDP
    expect(m.update(u32(3), u64(7))).toBe(-95); // unbound UDP
    expect(m.update(u32(3), u64(9))).toBe(-9); // no such fd
    expect(m.update(u32(3), u64(2n ** 31n))).toBe(-22); // above S32_MAX
    expect(m.update(u32(4), u64(3))).toBe(-7); // beyond max_entries
    expect(m.update(u32(0), u64(4), 1)).toBe(-17);
    expect(m.update(u32(3), u64(4), 2)).toBe(-2);
    expect(m.update(u32(0), u64(4), 3)).toBe(-22);
    expect(readU64(m.lookup(u32(0)))).toBe(rt.sockets.byFd(3)!.cookie);
    expect(m.lookup(u32(3))).toBeUndefined();
    expect(m.delete(u32(3))).toBe(-22); // empty slot: -EINVAL, not -ENOENT
    expect(m.delete(u32(9))).toBe(-22);
    // every index, empty or not; a missing key starts over
    const keys: number[] = [];
    for (let k = m.nextKey(undefined); k; k = m.nextKey(k)) keys.push(new DataView(k.buffer).getUint32(0, true));
    expect(keys).toEqual([0, 1, 2, 3]);
    // closing a socket takes it out of the map
    rt.sockets.close(rt.sockets.byFd(3)!);
    expect(m.lookup(u32(0))).toBeUndefined();
    expect(m.delete(u32(1))).toBe(0);
  });
  it('value_size 4: stored by fd, not readable from user space (-ENOSPC)', () => {
    const rt = new Runtime({ sockets });
    const m = rt.createMap(mapSpec(MapType.SOCKMAP, { valueSize: 4 })).map;
    expect(m.update(u32(0), u32(3))).toBe(0);
    expect(errnoOf(() => m.lookup(u32(0)))).toBe(-28);
  });
  it('programs look sockets up and cannot store a socket in the wrong state', () => {
    const rt = new Runtime({ sockets });
    const lm = rt.createMap(mapSpec(MapType.SOCKMAP));
    expect(lm.map.update(u32(1), u64(3))).toBe(0);
    const lookup = (k: number) => rt.execute({ name: 'p', insns: assemble(`r1 = ${k}\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = ${lm.handle} ll\ncall 1\nexit`), progType: ProgType.SCHED_CLS, gpl: true } as never).r0;
    expect(lookup(1)).toBe(BigInt(rt.sockets.byFd(3)!.addr));
    expect(lookup(2)).toBe(0n);
    const store = (addr: number) => BigInt.asIntN(64, rt.execute({ name: 'q', insns: assemble(`r1 = 2\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr3 = ${addr}\nr4 = 0\nr1 = ${lm.handle} ll\ncall 2\nexit`), progType: ProgType.SCHED_CLS, gpl: true } as never).r0);
    expect(store(rt.sockets.byFd(5)!.addr)).toBe(-95n);
    expect(store(rt.sockets.byFd(4)!.addr)).toBe(0n);
    expect(store(0)).toBe(-22n);
    expect(lookup(2)).toBe(BigInt(rt.sockets.byFd(4)!.addr));
    // bpf_sk_release of a looked-up socket: 0; of something that is no socket: a fault
    const release = (addr: number) => rt.execute({ name: 'r', insns: assemble(`r1 = ${addr}\ncall 86\nexit`), progType: ProgType.SCHED_CLS, gpl: true } as never).r0;
    expect(release(rt.sockets.byFd(4)!.addr)).toBe(0n);
    expect(() => release(rt.sockets.byFd(4)!.addr + 8)).toThrow(/not a socket/);
  });
  it('creation checks', () => {
    const rt = new Runtime();
    const c = (over: Partial<MapSpec>) => errnoOf(() => rt.createMap(mapSpec(MapType.SOCKMAP, over)));
    expect(c({})).toBe(0);
    expect(c({ valueSize: 4 })).toBe(0);
    expect(c({ valueSize: 16 })).toBe(-22);
    expect(c({ keySize: 8 })).toBe(-22);
    expect(c({ maxEntries: 0 })).toBe(-22);
    expect(c({ flags: 1 << 7 })).toBe(-22);
  });
});

describe('sockhash', () => {
  it('keys of any size, -E2BIG past max_entries, -ENOENT on a missing key, insertion-order walk', () => {
    const rt = new Runtime({ sockets });
    const m = rt.createMap(mapSpec(MapType.SOCKHASH, { keySize: 8, maxEntries: 2 })).map;
    expect(m.update(u64(10), u64(3))).toBe(0);
    expect(m.update(u64(20), u64(4))).toBe(0);
    expect(m.update(u64(30), u64(6))).toBe(-7);
    expect(m.update(u64(10), u64(6))).toBe(0); // replacing is fine when full
    expect(readU64(m.lookup(u64(10)))).toBe(rt.sockets.byFd(6)!.cookie);
    expect(m.update(u64(10), u64(6), 1)).toBe(-17);
    expect(m.update(u64(30), u64(6), 2)).toBe(-2);
    expect(readU64(m.nextKey(undefined))).toBe(10n);
    expect(readU64(m.nextKey(u64(10)))).toBe(20n);
    expect(m.nextKey(u64(20))).toBeUndefined();
    expect(m.delete(u64(30))).toBe(-2);
    expect(m.delete(u64(10))).toBe(0);
    const c = (over: Partial<MapSpec>) => errnoOf(() => rt.createMap(mapSpec(MapType.SOCKHASH, over)));
    expect(c({ keySize: 0 })).toBe(-22);
    expect(c({ keySize: 513 })).toBe(-7);
    expect(c({ keySize: 512 })).toBe(0);
  });
});

describe('the verifier and the new map types', () => {
  it('accepts the programs the host kernel accepts (test/progs/maps)', () => {
    const verdict = (file: string, prog: string) => {
      const r = loadProg(file, new Runtime()).program(prog).verify();
      return r.accepted ? 'ok' : (r.error ?? r.log);
    };
    for (const p of ['sk_storage', 'task_storage', 'cgroup_storage', 'stack', 'sockmap', 'sk_lookup']) expect(verdict(`maps/m_${p}.o`, `m_${p}`)).toBe('ok');
    // bpf_dynptr_read in the drain callback, on its read-only dynptr argument (verifier/dynptr.ts)
    expect(verdict('maps/m_user_ringbuf.o', 'm_user_ringbuf')).toBe('ok');
  });
});

describe('socket lookups (m_sk_lookup: 10.0.0.1:40000 -> 10.0.0.2:40123)', () => {
  const run = (sockets: object[]) => {
    const x = xprog('maps/m_sk_lookup.o', { sockets } as never);
    expect(x.run('m_sk_lookup', { data: ipv4Udp() }).retval).toBe(7);
    return x.res(7);
  };
  it('no described socket: every lookup is NULL, as on the host', () => {
    expect(run([])).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
  it('an established TCP socket with the reversed 4-tuple; only the current netns, 12-byte tuples, flags 0', () => {
    expect(run([{ proto: 'tcp', src: '10.0.0.2', srcPort: 40123, dst: '10.0.0.1', dstPort: 40000 }])).toEqual([1, 0, 1, 0, 0, 0, 0]);
    // another peer: not that connection
    expect(run([{ proto: 'tcp', src: '10.0.0.2', srcPort: 40123, dst: '10.0.0.9', dstPort: 40000 }])).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
  it('a listener on the wildcard address or on daddr; TIME_WAIT only for skc_lookup', () => {
    expect(run([{ proto: 'tcp', srcPort: 40123, state: 'listen' }])).toEqual([1, 0, 1, 0, 0, 0, 0]);
    expect(run([{ proto: 'tcp', src: '10.0.0.3', srcPort: 40123, state: 'listen' }])).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(run([{ proto: 'tcp', src: '10.0.0.2', srcPort: 40123, dst: '10.0.0.1', dstPort: 40000, state: 'time_wait' }])).toEqual([0, 0, 1, 0, 0, 0, 0]);
  });
  it('UDP: a socket bound to the port, unconnected or connected to the source', () => {
    expect(run([{ proto: 'udp', srcPort: 40123 }])).toEqual([0, 1, 0, 0, 0, 0, 0]);
    expect(run([{ proto: 'udp', srcPort: 40123, dst: '10.0.0.5', dstPort: 1 }])).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('bpf_tcp_sock', () => {
  it("a full TCP socket's bpf_tcp_sock (zeroed, read-only, 112 bytes); NULL for UDP and TIME_WAIT", () => {
    const rt = new Runtime({ sockets: [{ proto: 'tcp' }, { proto: 'udp', srcPort: 5 }, { proto: 'tcp', state: 'time_wait' }] });
    const call = (fd: number, tail = 'exit') => rt.execute({ name: 't', insns: assemble(`r1 = ${rt.sockets.byFd(fd)!.addr}\ncall 96\n${tail}`), progType: ProgType.SCHED_CLS, gpl: true } as never).r0;
    const tp = call(3);
    expect(tp).not.toBe(0n);
    expect(call(3)).toBe(tp); // one image per socket
    expect(call(3, 'r0 = *(u64 *)(r0 + 104)\nexit')).toBe(0n); // the last field (bytes_acked's neighbour)
    expect(() => call(3, 'r1 = 1\n*(u32 *)(r0 + 0) = r1\nexit')).toThrow(); // read-only
    expect(() => call(3, 'r0 = *(u32 *)(r0 + 112)\nexit')).toThrow(); // past the struct
    expect(call(4)).toBe(0n);
    expect(call(5)).toBe(0n);
  });
});

