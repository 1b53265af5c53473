// vm/contexts: layouts against the uapi headers as clang compiled them, the per-type access
// rules of the kernel's *_is_valid_access(), and eth_type_trans() on loopback.
import { describe, expect, it } from 'vitest';
import { BPF_SOCK, CGROUP_DEV_CTX, SK_MSG_MD, SK_REUSEPORT_MD, SYSCTL, PERF_EVENT_DATA, SOCK_ADDR, SOCKOPT, SOCK_OPS, SK_BUFF, SK_LOOKUP, XDP_MD, encodeCtxFields, layoutToC, checkCtxAccess, field, progTypeInfo, writableRanges, type CtxLayout } from '../../vm/contexts.js';
import { AttachType, ProgType } from '../../vm/prog-types.js';
import { ethTypeTrans } from '../../vm/test-run.js';
import { openObject } from '../../src/loader/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

const spec = openObject(new Uint8Array(readFileSync(join(ROOT, 'test/progs/run_ctx_layout.o'))), { name: 'run_ctx_layout' });
const u32s = (name: string): number[] => {
  const b = spec.globals.get(name)!.get();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.length / 4 }, (_, i) => dv.getUint32(i * 4, true));
};

function expectLayout(l: CtxLayout, pairs: number[], size: number): void {
  expect(l.fields.map((f) => [f.name, f.offset, f.size])).toEqual(l.fields.map((f, i) => [f.name, pairs[2 * i], pairs[2 * i + 1]]));
  expect(l.size).toBe(size);
}

describe('context layouts match the uapi headers compiled by clang', () => {
  it('__sk_buff: every field offset and size', () => expectLayout(SK_BUFF, u32s('sk_buff_layout'), u32s('sk_buff_size')[0]!));
  it('xdp_md: every field offset and size', () => expectLayout(XDP_MD, u32s('xdp_md_layout'), u32s('xdp_md_size')[0]!));
  it('bpf_sock: every field offset and size', () => expectLayout(BPF_SOCK, u32s('bpf_sock_layout'), u32s('bpf_sock_size')[0]!));
  it('bpf_sk_lookup: every field offset and size', () => expectLayout(SK_LOOKUP, u32s('sk_lookup_layout'), u32s('sk_lookup_size')[0]!));
  it('bpf_sock_addr: every field offset and size', () => expectLayout(SOCK_ADDR, u32s('sock_addr_layout'), u32s('sock_addr_size')[0]!));
  it('bpf_sockopt: every field offset and size', () => expectLayout(SOCKOPT, u32s('sockopt_layout'), u32s('sockopt_size')[0]!));
  it('bpf_sock_ops: every field offset and size, reply/replylong in the args union', () => {
    // the system header predates skb_hwtstamp (Linux 6.2), the last field: it starts where the
    // older struct ends
    const hw = field(SOCK_OPS, 'skb_hwtstamp');
    expectLayout({ ...SOCK_OPS, fields: SOCK_OPS.fields.slice(0, -1), size: hw.offset }, u32s('sock_ops_layout'), u32s('sock_ops_size')[0]!);
    expect([hw.offset + hw.size, hw.size]).toEqual([SOCK_OPS.size, 8]);
    const [replyOff, replySize, longOff, longSize] = u32s('sock_ops_union');
    const args = field(SOCK_OPS, 'args');
    expect([replyOff, longOff]).toEqual([args.offset, args.offset]);
    expect(SOCK_OPS.unions!.args!.map(([n, , k]) => [n, k * 4])).toEqual([['reply', replySize], ['replylong', longSize]]);
  });
  it('sk_msg_md: every field offset and size', () => expectLayout(SK_MSG_MD, u32s('sk_msg_layout'), u32s('sk_msg_size')[0]!));
  it('sk_reuseport_md: every field offset and size', () => expectLayout(SK_REUSEPORT_MD, u32s('sk_reuseport_layout'), u32s('sk_reuseport_size')[0]!));
  it('bpf_sysctl: every field offset and size', () => expectLayout(SYSCTL, u32s('sysctl_layout'), u32s('sysctl_size')[0]!));
  it('bpf_cgroup_dev_ctx: every field offset and size', () => expectLayout(CGROUP_DEV_CTX, u32s('cgroup_dev_layout'), u32s('cgroup_dev_size')[0]!));
  it('bpf_perf_event_data: every field offset and size', () => expectLayout(PERF_EVENT_DATA, u32s('perf_event_data_layout'), u32s('perf_event_data_size')[0]!));
  it('prints as the uapi C declaration, padding as anonymous bitfields', () => {
    const c = layoutToC(SK_BUFF);
    expect(c).toContain('\t__u32 cb[5];\n');
    expect(c).toContain('\tstruct bpf_sock *sk;\n');
    expect(c).toContain('\t__u8 tstamp_type;\n\t__u8 :24;\n\t__u64 hwtstamp;\n};');
    expect(layoutToC(BPF_SOCK)).toContain('\t__be16 dst_port;\n\t__u8 :16;\n');
  });
});

describe('context access rules', () => {
  const ok = (t: number, off: number, size: number, write: boolean) => checkCtxAccess(t, off, size, write).ok;
  const off = (n: string) => field(SK_BUFF, n).offset;

  it('socket filters write only cb[] and cannot see packet pointers', () => {
    expect(ok(ProgType.SOCKET_FILTER, off('cb') + 8, 4, true)).toBe(true);
    expect(ok(ProgType.SOCKET_FILTER, off('mark'), 4, true)).toBe(false);
    expect(ok(ProgType.SOCKET_FILTER, off('mark'), 4, false)).toBe(true);
    expect(ok(ProgType.SOCKET_FILTER, off('data'), 4, false)).toBe(false);
    expect(ok(ProgType.SOCKET_FILTER, off('tstamp'), 8, false)).toBe(false);
  });

  it('tc writes mark, priority, tc_index, tc_classid, cb, tstamp, queue_mapping; reads packet pointers', () => {
    for (const n of ['mark', 'priority', 'tc_index', 'tc_classid', 'queue_mapping']) expect(ok(ProgType.SCHED_CLS, off(n), 4, true)).toBe(true);
    expect(ok(ProgType.SCHED_CLS, off('tstamp'), 8, true)).toBe(true);
    expect(ok(ProgType.SCHED_CLS, off('len'), 4, true)).toBe(false);
    expect(ok(ProgType.SCHED_CLS, off('data'), 4, true)).toBe(false);
    expect(ok(ProgType.SCHED_CLS, off('data'), 4, false)).toBe(true);
    expect(ok(ProgType.SCHED_CLS, off('data'), 2, false)).toBe(false); // packet pointers are full width
    expect(ok(ProgType.SCHED_CLS, off('tstamp_type'), 1, false)).toBe(true);
    expect(ok(ProgType.SOCKET_FILTER, off('tstamp_type'), 1, false)).toBe(false);
  });

  it('narrow reads at a field start, misaligned or padding accesses refused', () => {
    expect(ok(ProgType.SCHED_CLS, off('protocol'), 2, false)).toBe(true);
    expect(ok(ProgType.SCHED_CLS, off('protocol'), 1, false)).toBe(true);
    expect(ok(ProgType.SCHED_CLS, off('protocol') + 1, 2, false)).toBe(false);
    expect(ok(ProgType.SCHED_CLS, off('mark'), 2, true)).toBe(false); // writes are full width
    expect(ok(ProgType.SCHED_CLS, 181, 1, false)).toBe(false); // padding after tstamp_type
    expect(ok(ProgType.SCHED_CLS, 192, 4, false)).toBe(false);
    expect(ok(ProgType.SCHED_CLS, off('flow_keys'), 8, false)).toBe(false);
  });

  it('perf_event: read-only; registers as whole longs, sample_period and addr also narrow', () => {
    const pe = (o: number, size: number, write = false) => ok(ProgType.PERF_EVENT, o, size, write);
    expect(pe(112, 8)).toBe(true); // regs.di
    expect(pe(112, 4)).toBe(false);
    expect(pe(168, 8)).toBe(true);
    expect(pe(172, 4)).toBe(true); // upper half of sample_period
    expect(pe(177, 1)).toBe(true);
    expect(pe(170, 4)).toBe(false); // misaligned
    expect(pe(168, 8, true)).toBe(false);
    expect(pe(184, 8)).toBe(false);
    expect(pe(-8, 8)).toBe(false);
    expect(() => encodeCtxFields(PERF_EVENT_DATA, { regs: 1 })).toThrow('bpf_perf_event_data.regs is a bpf_user_pt_regs_t, not an integer field');
  });

  it('netfilter: bpf_nf_ctx is read-only, state and skb whole 8-byte pointers only', () => {
    const nf = (o: number, size: number, write = false) => ok(ProgType.NETFILTER, o, size, write);
    expect(nf(0, 8)).toBe(true);
    expect(nf(8, 8)).toBe(true);
    expect(nf(0, 1)).toBe(false);
    expect(nf(8, 2)).toBe(false);
    expect(nf(16, 8)).toBe(false);
    expect(nf(0, 8, true)).toBe(false);
  });

  it('cgroup_sock: bound_dev_if/mark/priority at create and release, source fields after bind, the rest read-only', () => {
    const cs = (attach: number, o: number, size: number, write = false) => checkCtxAccess(ProgType.CGROUP_SOCK, o, size, write, attach).ok;
    const [create, release, pb4, pb6] = [AttachType.CGROUP_INET_SOCK_CREATE, AttachType.CGROUP_INET_SOCK_RELEASE, AttachType.CGROUP_INET4_POST_BIND, AttachType.CGROUP_INET6_POST_BIND];
    for (const o of [0, 16, 20]) {
      expect([cs(create, o, 4, true), cs(release, o, 4), cs(pb4, o, 4), cs(pb6, o, 4, true)]).toEqual([true, true, false, false]);
      expect(cs(create, o, 2)).toBe(false); // whole u32s
    }
    expect([cs(pb4, 24, 4), cs(pb4, 27, 1), cs(pb6, 24, 4), cs(create, 24, 4), cs(pb4, 24, 4, true)]).toEqual([true, true, false, false, false]);
    expect([cs(pb6, 28, 4), cs(pb6, 42, 2), cs(pb6, 28, 8), cs(pb4, 28, 4)]).toEqual([true, true, false, false]);
    expect([cs(pb4, 44, 4), cs(pb6, 44, 2), cs(pb4, 45, 1), cs(create, 44, 4)]).toEqual([true, true, false, false]);
    expect([cs(create, 4, 4), cs(create, 4, 1), cs(create, 5, 1), cs(create, 4, 4, true)]).toEqual([true, true, false, false]);
    expect([cs(release, 48, 4), cs(release, 48, 2), cs(release, 49, 1), cs(release, 50, 2), cs(release, 51, 1)]).toEqual([true, true, true, false, false]);
    expect([cs(release, 52, 1), cs(release, 59, 1), cs(release, 72, 4), cs(release, 73, 1), cs(release, 80, 4)]).toEqual([true, true, true, false, false]);
  });

  it('cgroup_device: read-only, access_type also narrowly', () => {
    const dv = (o: number, size: number, write = false) => checkCtxAccess(ProgType.CGROUP_DEVICE, o, size, write, AttachType.CGROUP_DEVICE).ok;
    expect([dv(0, 4), dv(0, 2), dv(2, 2), dv(3, 1), dv(4, 4), dv(4, 2), dv(8, 4), dv(8, 8), dv(12, 4), dv(4, 4, true)]).toEqual([true, true, true, true, true, false, true, false, false, false]);
  });

  it('cgroup_sysctl: write read-only, file_pos written as u32, both read narrowly', () => {
    const sc = (o: number, size: number, write = false) => checkCtxAccess(ProgType.CGROUP_SYSCTL, o, size, write, AttachType.CGROUP_SYSCTL).ok;
    expect([sc(0, 4), sc(0, 1), sc(0, 4, true), sc(4, 2), sc(4, 4, true), sc(4, 2, true), sc(0, 8), sc(8, 4)]).toEqual([true, true, false, true, true, false, false, false]);
  });

  it('sk_msg: read-only, pointers as u64, the rest u32', () => {
    const sm = (o: number, size: number, write = false) => checkCtxAccess(ProgType.SK_MSG, o, size, write, AttachType.SK_MSG_VERDICT).ok;
    expect([sm(0, 8), sm(8, 8), sm(72, 8), sm(0, 4), sm(72, 4), sm(16, 4), sm(16, 2), sm(40, 4), sm(68, 4), sm(68, 4, true), sm(80, 4)]).toEqual([true, true, true, false, false, true, false, true, true, false, false]);
  });

  it('sk_skb: address fields and packet pointers, tc_index and priority written, no mark', () => {
    const sk = (o: number, size: number, write = false) => checkCtxAccess(ProgType.SK_SKB, o, size, write).ok;
    // len, remote_ip4 (u32 only), local_port narrowly, data/data_end, sk (u64 read)
    expect([sk(0, 4), sk(92, 4), sk(92, 2), sk(136, 2), sk(76, 4), sk(80, 4), sk(168, 8), sk(168, 8, true)]).toEqual([true, true, false, true, true, true, true, false]);
    // mark (read or write), tc_classid, data_meta, tstamp, wire_len, hwtstamp
    expect([sk(8, 4), sk(8, 4, true), sk(72, 4), sk(140, 4), sk(152, 8), sk(160, 4), sk(184, 8)]).toEqual([false, false, false, false, false, false, false]);
    // writes: tc_index and priority only, as whole u32
    expect([sk(44, 4, true), sk(32, 4, true), sk(44, 2, true), sk(48, 4, true), sk(0, 4, true), sk(48, 4)]).toEqual([true, true, false, false, false, true]);
  });

  it('sk_reuseport: read-only, u64 pointers, narrow len/ip_protocol/bind_inany, eth_protocol from 2 bytes, whole hash', () => {
    const ru = (o: number, size: number, write = false) => checkCtxAccess(ProgType.SK_REUSEPORT, o, size, write).ok;
    expect([ru(0, 8), ru(8, 8), ru(40, 8), ru(48, 8), ru(0, 4), ru(4, 4), ru(44, 4)]).toEqual([true, true, true, true, false, false, false]);
    expect([ru(16, 4), ru(17, 1), ru(18, 2), ru(16, 8), ru(20, 4), ru(22, 2), ru(20, 1), ru(21, 1), ru(24, 1), ru(31, 1)]).toEqual([true, true, true, false, true, true, false, false, true, true]);
    expect([ru(32, 4), ru(32, 2), ru(34, 2), ru(36, 4), ru(56, 4), ru(16, 4, true), ru(40, 8, true)]).toEqual([true, false, false, false, false, false, false]);
  });

  it('cgroup_sockopt: pointers as u64, retval at getsockopt only, level/optname written at setsockopt only', () => {
    const so = (attach: number, o: number, size: number, write = false) => checkCtxAccess(ProgType.CGROUP_SOCKOPT, o, size, write, attach).ok;
    const [get, set] = [AttachType.CGROUP_GETSOCKOPT, AttachType.CGROUP_SETSOCKOPT];
    for (const o of [0, 8, 16]) expect([so(get, o, 8), so(set, o, 8), so(get, o, 4), so(get, o + 4, 4), so(set, o, 8, true)]).toEqual([true, true, false, false, false]);
    for (const o of [24, 28]) expect([so(get, o, 4), so(set, o, 4, true), so(get, o, 4, true), so(set, o, 2, true), so(set, o, 1)]).toEqual([true, true, false, false, false]);
    expect([so(get, 32, 4, true), so(set, 32, 4, true), so(get, 32, 2)]).toEqual([true, true, false]);
    expect([so(get, 36, 4), so(get, 36, 4, true), so(set, 36, 4), so(set, 36, 4, true)]).toEqual([true, true, false, false]);
    expect(so(get, 40, 4)).toBe(false);
  });

  it('sock_ops: u32 reads, u64 counters and pointers, narrow skb_tcp_flags, writes to reply and sk_txhash only', () => {
    const op = (o: number, size: number, write = false) => checkCtxAccess(ProgType.SOCK_OPS, o, size, write, AttachType.CGROUP_SOCK_OPS).ok;
    expect([op(0, 4), op(0, 2), op(0, 4, true), op(4, 4, true), op(8, 4, true), op(4, 8, true), op(164, 4, true)]).toEqual([true, false, false, true, false, false, true]);
    for (const o of [168, 176, 184, 192, 200, 216]) expect([op(o, 8), op(o, 4), op(o, 8, true)]).toEqual([true, false, false]);
    expect([op(212, 1), op(212, 2), op(212, 4), op(213, 1), op(208, 2)]).toEqual([true, true, true, false, false]);
    expect([op(32, 4), op(44, 4), op(88, 1), op(224, 4)]).toEqual([true, true, false, false]);
  });

  it('cgroup_sock_addr: fields by the hook\'s address family, narrow and wide loads, u32/u64 writes', () => {
    // expected attach types: 10 connect4, 11 connect6, 14 sendmsg4, 15 sendmsg6, 49 connect_unix
    const sa = (attach: number, o: number, size: number, write = false) => checkCtxAccess(ProgType.CGROUP_SOCK_ADDR, o, size, write, attach).ok;
    expect(sa(10, 4, 4)).toBe(true); // user_ip4
    expect(sa(10, 7, 1)).toBe(true);
    expect(sa(10, 4, 4, true)).toBe(true);
    expect(sa(10, 4, 2, true)).toBe(false); // writes are whole u32s
    expect(sa(11, 4, 4)).toBe(false); // connect6 has no user_ip4
    expect(sa(49, 8, 4)).toBe(false); // nor the unix hooks user_ip6
    expect(sa(49, 24, 4)).toBe(true); // user_port is everyone's
    expect(sa(11, 8, 8)).toBe(true); // user_ip6[0..1] as a u64
    expect(sa(11, 16, 8, true)).toBe(true);
    expect(sa(11, 12, 8)).toBe(false); // misaligned
    expect(sa(11, 24, 8)).toBe(false); // past user_ip6
    expect(sa(14, 40, 4)).toBe(true); // msg_src_ip4: sendmsg4 only
    expect(sa(10, 40, 4)).toBe(false);
    expect(sa(15, 48, 8)).toBe(true);
    expect(sa(15, 44, 8)).toBe(false);
    expect(sa(10, 28, 4)).toBe(true); // family
    expect(sa(10, 28, 2)).toBe(false);
    expect(sa(10, 28, 4, true)).toBe(false);
    expect(sa(10, 64, 8)).toBe(true); // sk
    expect(sa(10, 64, 4)).toBe(false);
    expect(sa(10, 64, 8, true)).toBe(false);
    expect(sa(10, 72, 4)).toBe(false);
  });

  it('xdp_md is read-only; its pointers are 32-bit', () => {
    expect(ok(ProgType.XDP, 0, 4, false)).toBe(true);
    expect(ok(ProgType.XDP, 0, 4, true)).toBe(false);
    expect(ok(ProgType.XDP, 0, 8, false)).toBe(false);
    expect(ok(ProgType.XDP, 12, 4, false)).toBe(true);
  });

  it('flow dissectors read data, data_end and flow_keys only', () => {
    expect(ok(ProgType.FLOW_DISSECTOR, off('data'), 4, false)).toBe(true);
    expect(ok(ProgType.FLOW_DISSECTOR, off('flow_keys'), 8, false)).toBe(true);
    expect(ok(ProgType.FLOW_DISSECTOR, off('len'), 4, false)).toBe(false);
    expect(ok(ProgType.FLOW_DISSECTOR, off('cb'), 4, true)).toBe(false);
  });

  it('sk_lookup contexts are read-only; sk is read as a whole pointer', () => {
    expect(ok(ProgType.SK_LOOKUP, 36, 2, false)).toBe(true); // remote_port
    expect(ok(ProgType.SK_LOOKUP, 0, 8, false)).toBe(true);
    expect(ok(ProgType.SK_LOOKUP, 0, 4, false)).toBe(false);
    expect(ok(ProgType.SK_LOOKUP, 60, 4, true)).toBe(false);
    // sk_lookup_is_valid_access: remote_port may be read as the u32 it was, and the two bytes
    // after it (zero) narrowly
    expect(ok(ProgType.SK_LOOKUP, 36, 4, false)).toBe(true);
    expect(ok(ProgType.SK_LOOKUP, 38, 2, false)).toBe(true);
    expect(ok(ProgType.SK_LOOKUP, 39, 1, false)).toBe(true);
    expect(ok(ProgType.SK_LOOKUP, 38, 4, false)).toBe(false);
    expect(ok(ProgType.SK_LOOKUP, 36, 8, false)).toBe(false);
  });

  it('syscall contexts are any aligned bytes of the user buffer', () => {
    expect(ok(ProgType.SYSCALL, 96, 8, true)).toBe(true);
    expect(ok(ProgType.SYSCALL, 3, 4, false)).toBe(false);
  });

  it('write protection covers everything but the whitelist', () => {
    expect(writableRanges(progTypeInfo(ProgType.SOCKET_FILTER)!)).toEqual([[48, 68]]);
    expect(writableRanges(progTypeInfo(ProgType.XDP)!)).toEqual([]);
  });
});

describe('eth_type_trans on loopback', () => {
  const frame = (dst: number[], type: number[], rest: number[] = [0, 0]) => new Uint8Array([...dst, 2, 0, 0, 0, 0, 1, ...type, ...rest]);
  it('pkt_type: zero MAC is HOST, group bit MULTICAST (broadcast too), else OTHERHOST', () => {
    expect(ethTypeTrans(frame([0, 0, 0, 0, 0, 0], [8, 0])).pktType).toBe(0);
    expect(ethTypeTrans(frame([1, 0, 0x5e, 0, 0, 1], [8, 0])).pktType).toBe(2);
    expect(ethTypeTrans(frame([255, 255, 255, 255, 255, 255], [8, 0])).pktType).toBe(2);
    expect(ethTypeTrans(frame([2, 0, 0, 0, 0, 2], [8, 0])).pktType).toBe(3);
  });
  it('protocol: ethertype, or 802.3 raw (0xffff) / 802.2 for length fields', () => {
    expect(ethTypeTrans(frame([0, 0, 0, 0, 0, 0], [0x86, 0xdd])).protocol).toBe(0x86dd);
    expect(ethTypeTrans(frame([0, 0, 0, 0, 0, 0], [0, 0x20], [0xff, 0xff])).protocol).toBe(0x0001);
    expect(ethTypeTrans(frame([0, 0, 0, 0, 0, 0], [0, 0x20], [0xaa, 0xaa])).protocol).toBe(0x0004);
  });
});

describe('contexts from named fields', () => {
  it('places integers and array elements at their offsets, little-endian', () => {
    const b = encodeCtxFields(SK_BUFF, { mark: 5, cb: [1, 2], tstamp: '0x1122334455667788', tstamp_type: 1 });
    const dv = new DataView(b.buffer);
    expect(b.length).toBe(192);
    expect(dv.getUint32(8, true)).toBe(5);
    expect([dv.getUint32(48, true), dv.getUint32(52, true), dv.getUint32(56, true)]).toEqual([1, 2, 0]);
    expect(dv.getBigUint64(152, true)).toBe(0x1122334455667788n);
    expect(b[180]).toBe(1);
  });
  it('names the problem: unknown field, too many elements, value too wide', () => {
    expect(() => encodeCtxFields(SK_BUFF, { nope: 1 })).toThrow(/no field nope/);
    expect(() => encodeCtxFields(SK_BUFF, { cb: [1, 2, 3, 4, 5, 6] })).toThrow(/5 elements/);
    expect(() => encodeCtxFields(XDP_MD, { data: 2 ** 32 })).toThrow(/does not fit/);
    expect(() => encodeCtxFields(XDP_MD, { data: 1.5 })).toThrow(/not an integer/);
  });
});
