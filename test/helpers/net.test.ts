// The networking helpers with described sockets (what the host fixture of run_net cannot show:
// its recording has no sockets), and with hostile arguments. The host kernel's answers for the
// socket-less runs are diffed in test/agreement/kernel-progs-local.test.ts (run_net.json).
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/index.js';
import { Runtime } from '../../src/runtime.js';
import { helperById, helperForType } from '../../helpers/table.js';
import { ProgType } from '../../vm/prog-types.js';
import { testRun } from '../../vm/test-run.js';
import { xprog } from './x-common.js';

const sockets = [
  { proto: 'tcp' as const, state: 'listen' as const, src: '127.0.0.1', srcPort: 7007 }, // fd 3
  { proto: 'tcp' as const, state: 'established' as const, srcPort: 7008 }, // fd 4
  { proto: 'udp' as const, srcPort: 53 }, // fd 5: bound, CLOSE
  { proto: 'tcp' as const, family: 6 as const, state: 'listen' as const, srcPort: 7009 }, // fd 6
];
// the fixture's sk_lookup input: AF_INET, TCP, 127.0.0.1:12345 -> 127.0.0.1:80
const TCP4 = '000000000000000002000000060000007f00000100000000000000000000000000000000303900007f00000100000000000000000000000000000000500000000000000000000000';
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
// Ethernet + IPv4 + TCP SYN with an MSS option (the fixtures' syn64)
const SYN64 = '02000000000202000000000108004500002c00014000400626c90a0000010a0000023039005000000001000000006002ffff539a0000020405b4000000000000';

function world(fd: number) {
  const x = xprog('run_net.o', { sockets });
  const socks = x.obj.map('socks');
  expect(socks.update(new Uint8Array(4), new Uint8Array(new BigUint64Array([BigInt(fd)]).buffer))).toBe(0);
  const bss = x.obj.map([...x.obj.maps.keys()].find((k) => k.endsWith('.bss'))!);
  const setIo = (flags: bigint, twice: boolean) => {
    const v = new Uint8Array(48);
    new DataView(v.buffer).setBigUint64(0, flags, true);
    new DataView(v.buffer).setBigUint64(8, twice ? 1n : 0n, true);
    expect(bss.update(new Uint8Array(4), v)).toBe(0);
  };
  const results = () => x.res(6).slice(2);
  return { ...x, setIo, results };
}

describe('bpf_sk_assign in sk_lookup (bpf_sk_lookup_assign)', () => {
  it('selects a TCP listener: ctx->sk reads it back and ctx_out carries its cookie', () => {
    const w = world(3);
    w.setIo(0n, false);
    const r = w.run('assign_map', { ctx: hex(TCP4) });
    expect(r.retval).toBe(1);
    expect(w.results().slice(0, 3)).toEqual([0, 0, 1]);
    const cookie = new DataView(r.ctxOut!.buffer, r.ctxOut!.byteOffset).getBigUint64(0, true);
    expect(cookie).toBe(w.runtime.sockets.byFd(3)!.cookie);
  });
  it('a second selection without BPF_SK_LOOKUP_F_REPLACE is -EEXIST; a flag outside the two is -EINVAL', () => {
    const w = world(3);
    w.setIo(0n, true);
    w.run('assign_map', { ctx: hex(TCP4) });
    expect(w.results()[1]).toBe(-17);
    w.setIo(4n, false);
    const r = w.run('assign_map', { ctx: hex(TCP4) });
    expect(w.results()[0]).toBe(-22);
    // nothing selected: the cookie stays 0
    expect(new DataView(r.ctxOut!.buffer, r.ctxOut!.byteOffset).getBigUint64(0, true)).toBe(0n);
  });
  it('refuses reference-counted sockets, other protocols; takes an AF_INET6 listener for IPv4', () => {
    const errOf = (fd: number) => {
      const w = world(fd);
      w.setIo(0n, false);
      w.run('assign_map', { ctx: hex(TCP4) });
      return w.results()[0];
    };
    expect(errOf(4)).toBe(-94); // established TCP: -ESOCKTNOSUPPORT
    expect(errOf(5)).toBe(-91); // UDP for a TCP lookup: -EPROTOTYPE
    expect(errOf(6)).toBe(0); // not IPV6_V6ONLY
  });
  it('each repeat starts with no selection', () => {
    const w = world(3);
    w.setIo(0n, false);
    expect(w.run('assign_map', { ctx: hex(TCP4), repeat: 3 }).retval).toBe(1);
    expect(w.results()[0]).toBe(0); // not -EEXIST on the later runs
  });
  it('faults on a pointer that is no socket or no sk_lookup context, in unverified code', () => {
    const rt = new Runtime({ sockets });
    const sk = rt.sockets.byFd(3)!.addr;
    const run = (text: string) => rt.execute({ name: 'p', insns: assemble(text), progType: ProgType.SK_LOOKUP, gpl: true } as never);
    expect(() => run(`r1 = r10\nr1 += -8\nr2 = 0\nr3 = 0\ncall 124\nexit`)).toThrow(/sk_assign: r1 .* is not the sk_lookup context/);
    // tc's bpf_sk_assign looks at the socket first
    const tc = (text: string) => rt.execute({ name: 'p', insns: assemble(text), progType: ProgType.SCHED_CLS, gpl: true } as never);
    expect(() => tc(`r2 = ${sk + 4}\nr3 = 0\ncall 124\nexit`)).toThrow(/sk_assign: r2 .* is not a socket/);
    expect(BigInt.asIntN(64, tc(`r2 = ${sk}\nr3 = 0\ncall 124\nexit`).r0)).toBe(-95n); // not at tc ingress
  });
  it('has the kernel prototype for each program type', () => {
    const h = helperById(124)!;
    expect(helperForType(h, ProgType.SK_LOOKUP)!.proto.args[1]).toEqual({ type: 'ARG_PTR_TO_SOCKET', flags: ['PTR_MAYBE_NULL'] });
    expect(helperForType(h, ProgType.SCHED_CLS)!.proto.args[1]).toEqual({ type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' });
  });
});

describe('syncookies and socket casts with described sockets', () => {
  it('a TCP listener that never overflowed: no cookie to issue or find (-ENOENT)', () => {
    const w = world(3);
    expect(w.run('syncookie_map', { data: hex(SYN64) }).retval).toBe(0);
    // gen on a SYN: -ENOENT; check on a SYN (no ACK): -ENOENT; gen reading 40 bytes of an
    // IPv4 header is still version 4: -ENOENT; gen with th_len 20 for a 24-byte header: -EINVAL
    expect(w.results()).toEqual([-2, -2, -2, -22]);
  });
  it('a socket that is not a listener: -EINVAL', () => {
    const w = world(4);
    w.run('syncookie_map', { data: hex(SYN64) });
    expect(w.results()).toEqual([-22, -22, -22, -22]);
  });
  it('skc_to_tcp_sock gives a full TCP socket back; skc_to_tcp_request_sock only a request socket', () => {
    const w = world(4);
    expect(w.run('casts_map', { data: hex(SYN64) }).retval).toBe(0);
    expect(w.results().slice(0, 2)).toEqual([1, 0]);
    const u = world(5);
    u.run('casts_map', { data: hex(SYN64) });
    expect(u.results().slice(0, 2)).toEqual([0, 0]);
  });
});

describe('get_socket_cookie and get_netns_cookie', () => {
  const tcRun = (text: string) =>
    testRun(new Runtime(), { name: 'p', insns: assemble(text), progType: ProgType.SCHED_CLS, gpl: true } as never, { data: new Uint8Array(64) }).retval;
  it('a tc test run: the cookie of the skb\'s socket (never 0: the run gives the skb one), the namespace cookie with ctx or NULL', () => {
    expect(tcRun(`call 46\nexit`)).toBeGreaterThan(0);
    expect(tcRun(`call 122\nexit`)).toBe(1);
    expect(tcRun(`r1 = 0\ncall 122\nexit`)).toBe(1);
  });
  it('has the kernel prototypes: get_netns_cookie takes the context or NULL, get_socket_cookie the context', () => {
    expect(helperById(122)!.proto.args[0]).toEqual({ type: 'ARG_PTR_TO_CTX', flags: ['PTR_MAYBE_NULL'] });
    expect(helperById(46)!.proto.args[0]).toEqual({ type: 'ARG_PTR_TO_CTX' });
    expect(helperById(46)!.progTypes).toContain(ProgType.CGROUP_SOCK_ADDR);
    expect(helperById(122)!.progTypes).not.toContain(ProgType.XDP);
  });
});

describe('hostile arguments', () => {
  const rt = new Runtime();
  const tc = (text: string) => BigInt.asIntN(64, rt.execute({ name: 'p', insns: assemble(text), progType: ProgType.SCHED_CLS, gpl: true } as never).r0);
  it('fib_lookup reads params through the checked path; a negative plen passes the size check as in the kernel', () => {
    expect(() => tc(`r2 = 0x100\nr3 = 64\nr4 = 0\ncall 69\nexit`)).toThrow(/0x100/);
    // family 0 in a zeroed stack buffer: -EAFNOSUPPORT even with plen -1 (int vs size_t)
    expect(tc(`r1 = 0\n*(u64 *)(r10 - 8) = r1\n*(u64 *)(r10 - 16) = r1\n*(u64 *)(r10 - 24) = r1\n*(u64 *)(r10 - 32) = r1\n*(u64 *)(r10 - 40) = r1\n*(u64 *)(r10 - 48) = r1\n*(u64 *)(r10 - 56) = r1\n*(u64 *)(r10 - 64) = r1\nr2 = r10\nr2 += -64\nr3 = -1\nr4 = 0\ncall 69\nexit`)).toBe(-97n);
    expect(tc(`r2 = r10\nr2 += -64\nr3 = 63\nr4 = 0\ncall 69\nexit`)).toBe(-22n);
  });
  it('skb_set_tunnel_key and the syncookie helpers fault on unreadable memory, not with a JS error', () => {
    expect(() => tc(`r2 = 0x40\nr3 = 44\nr4 = 0\ncall 21\nexit`)).toThrow(/0x40/);
    expect(() => tc(`r1 = 0x1234\nr2 = 0\nr3 = 20\nr4 = 0\nr5 = 20\ncall 110\nexit`)).toThrow(/tcp_gen_syncookie: r1 .* is not a socket/);
  });
  it('skb helpers refuse a context that is not the run’s __sk_buff', () => {
    expect(() => tc(`r1 = r10\nr1 += -192\ncall 79\nexit`)).toThrow(/skb_cgroup_id: r1 .* is not an __sk_buff/);
    expect(() => tc(`r1 = r10\nr1 += -192\nr2 = 0\nr3 = 0\ncall 31\nexit`)).toThrow(/not a packet context/);
  });
});
