// vm/test-run on clang-built programs: what each program type sees, repeat on the same packet,
// ctx_in/ctx_out, maps and globals persisting across runs, refusals and faults.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { UnsupportedError, UsageError, VmFault } from '../../src/errors.js';
import { SK_BUFF, field } from '../../vm/contexts.js';
import { ProgType } from '../../vm/prog-types.js';
import { TestRunInputError, checkSkbCtxIn, ctxInBuffer, testRun } from '../../vm/test-run.js';
import { ipv4Udp, loadProg } from './helpers.js';

const u32le = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off, true);
const skbCtx = (vals: Record<string, number>): Uint8Array => {
  const b = new Uint8Array(SK_BUFF.size);
  const dv = new DataView(b.buffer);
  for (const [k, v] of Object.entries(vals)) {
    const [name, idx] = k.split('.') as [string, string?];
    dv.setUint32(field(SK_BUFF, name).offset + 4 * Number(idx ?? 0), v, true);
  }
  return b;
};

describe('socket filter test runs', () => {
  const obj = loadProg('run_sock.o');
  const run = (prog: string, input: Parameters<typeof testRun>[2]) => testRun(obj.runtime, obj.program(prog).program, input);

  it('sees the packet from L3 on loopback: len, pkt_type, ifindex, protocol', () => {
    const pkt = ipv4Udp();
    const r = run('sock_fields', { data: pkt });
    expect(r.retval & 0xfff).toBe(pkt.length - 14);
    expect((r.retval >> 12) & 3).toBe(3); // OTHERHOST
    expect((r.retval >> 14) & 3).toBe(1); // ifindex 1
    expect(r.retval >>> 16).toBe(0x0008); // htons(ETH_P_IP) read as stored
  });

  it('puts a zeroed Ethernet header back in front of data_out', () => {
    const pkt = ipv4Udp();
    const r = run('sock_fields', { data: pkt });
    expect(r.dataOut!.subarray(0, 14)).toEqual(new Uint8Array(14));
    expect(r.dataOut!.subarray(14)).toEqual(pkt.subarray(14));
  });

  it('LD_ABS is relative to the network header; out of bounds ends with r0 = 0', () => {
    expect(run('sock_ldabs', { data: ipv4Udp() }).retval).toBe((17 << 24) | 0x000002);
    expect(run('sock_ldabs_oob', { data: ipv4Udp() }).r0).toBe(0n);
  });

  it('repeat accumulates cb[] writes; ctx_out reports them with ctx_in values kept', () => {
    const r = run('sock_cb', { data: ipv4Udp(), repeat: 4, ctx: skbCtx({ mark: 3, priority: 2, 'cb.0': 10, gso_size: 9 }) });
    expect(r.repeat).toBe(4);
    expect(r.retval).toBe(14 + 2);
    const out = r.ctxOut!;
    expect(u32le(out, field(SK_BUFF, 'cb').offset)).toBe(14);
    expect(u32le(out, field(SK_BUFF, 'cb').offset + 16)).toBe(143);
    expect(u32le(out, field(SK_BUFF, 'ifindex').offset)).toBe(1);
    expect(u32le(out, field(SK_BUFF, 'wire_len').offset)).toBe(ipv4Udp().length - 14);
    expect(u32le(out, field(SK_BUFF, 'gso_size').offset)).toBe(9); // not converted back: ctx_in's value stays
  });

  it('maps and globals persist across runs of one runtime', () => {
    const o = loadProg('run_sock.o');
    testRun(o.runtime, o.program('sock_cb').program, { data: ipv4Udp(), repeat: 2 });
    testRun(o.runtime, o.program('sock_cb').program, { data: ipv4Udp(), repeat: 3 });
    const key = new Uint8Array([3, 0, 0, 0]);
    expect(new DataView(o.map('sock_stats').lookup(key)!.buffer).getBigUint64(0, true)).toBe(BigInt(5 * (ipv4Udp().length - 14)));
    expect(new DataView(o.map('run_sock.bss').lookup(new Uint8Array(4))!.buffer).getBigUint64(0, true)).toBe(5n);
  });

  it('refuses what the kernel refuses, with its errno', () => {
    const errno = (input: Parameters<typeof testRun>[2]) => {
      try {
        run('sock_fields', input);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as TestRunInputError).errno;
      }
      return 'ok';
    };
    expect(errno({ data: new Uint8Array(13) })).toBe('EINVAL');
    expect(errno({})).toBe('EINVAL');
    expect(errno({ data: ipv4Udp().subarray(0, 30) })).toBe('EINVAL'); // IPv4 header cut short
    expect(errno({ data: ipv4Udp(), ctx: skbCtx({ len: 1 }) })).toBe('EINVAL');
    expect(errno({ data: ipv4Udp(), ctx: skbCtx({ tc_index: 1 }) })).toBe('EINVAL');
    expect(errno({ data: ipv4Udp(), ctx: skbCtx({ wire_len: 3 }) })).toBe('EINVAL');
    expect(errno({ data: ipv4Udp(), ctx: skbCtx({ ifindex: 2 }) })).toBe('ENODEV');
    expect(errno({ data: ipv4Udp(), ctx: new Uint8Array(0) })).toBe('EINVAL');
    expect(errno({ data: ipv4Udp(), ctx: new Uint8Array([...skbCtx({}), 0, 0, 1]) })).toBe('E2BIG');
    expect(errno({ data: ipv4Udp(), ctx: skbCtx({ mark: 1, ingress_ifindex: 5, 'cb.4': 1 }).subarray(0, 70) })).toBe('ok');
    expect(errno({ data: new Uint8Array(3713) })).toBe('EINVAL');
    expect(errno({ data: new Uint8Array(3712) })).toBe('ok');
  });

  it('a write outside the whitelist faults in unverified mode', () => {
    const f = loadProg('run_faults.o');
    expect(() => testRun(f.runtime, f.program('sock_write_mark').program, { data: ipv4Udp() })).toThrow(/write-protected/);
  });
});

describe('tc test runs', () => {
  it('sees L2; packet writes accumulate over repeat', () => {
    const o = loadProg('run_tc.o');
    const pkt = ipv4Udp();
    const r = testRun(o.runtime, o.program('tc_ttl').program, { data: pkt, repeat: 5 });
    expect(r.retval).toBe(69);
    expect(r.dataOut![22]).toBe(69);
    expect(pkt[22]).toBe(64); // the caller's buffer is not touched
    expect(r.dataOut!.length).toBe(pkt.length);
  });

  it('ctx_out carries mark and priority writes but not tc_index, like convert_skb_to___skb', () => {
    const o = loadProg('run_tc.o');
    const r = testRun(o.runtime, o.program('tc_fields').program, { data: ipv4Udp(), repeat: 3, ctx: skbCtx({ mark: 10, ingress_ifindex: 1 }) });
    const out = r.ctxOut!;
    expect(u32le(out, field(SK_BUFF, 'mark').offset)).toBe(13);
    expect(u32le(out, field(SK_BUFF, 'priority').offset)).toBe(7);
    expect(u32le(out, field(SK_BUFF, 'tc_index').offset)).toBe(0);
    expect(u32le(out, field(SK_BUFF, 'cb').offset + 4)).toBe(ipv4Udp().length);
    expect(r.retval).toBe(ipv4Udp().length + (8 << 16) + (1 << 12));
  });

  it('faults on writes to len or data, and on reads past data_end or the context', () => {
    const f = loadProg('run_faults.o');
    const go = (p: string) => () => testRun(f.runtime, f.program(p).program, { data: ipv4Udp() });
    expect(go('tc_write_len')).toThrow(VmFault);
    expect(go('tc_write_data')).toThrow(/write-protected/);
    expect(go('tc_read_past_end')).toThrow(/out of bounds of packet/);
    expect(go('tc_read_past_ctx')).toThrow(/out of bounds of ctx/);
  });

  it('frees its regions after a fault (the arena does not grow over many runs)', () => {
    const f = loadProg('run_faults.o');
    const fault = () => expect(() => testRun(f.runtime, f.program('tc_write_len').program, { data: new Uint8Array(3000) })).toThrow();
    fault();
    const size = f.runtime.arena.size;
    for (let i = 0; i < 2000; i++) fault();
    expect(f.runtime.arena.size).toBe(size);
  });
});

describe('xdp test runs', () => {
  it('swaps MACs, bumps a byte per run, counts actions', () => {
    const o = loadProg('run_xdp.o');
    const pkt = ipv4Udp('a payload long enough for sixty bytes');
    const r = testRun(o.runtime, o.program('xdp_swap').program, { data: pkt, repeat: 3 });
    expect(r.retval).toBe(3); // XDP_TX
    expect(r.dataOut!.subarray(0, 6)).toEqual(pkt.subarray(6, 12)); // odd number of swaps
    expect(r.dataOut![59]).toBe((pkt[59]! + 3) & 0xff);
    expect(o.map('xdp_actions').lookup(new Uint8Array([3, 0, 0, 0]))![0]).toBe(3);
  });

  it('metadata from ctx_in sits before data; data_out starts at data_meta', () => {
    const o = loadProg('run_xdp.o');
    const pkt = ipv4Udp();
    const data = new Uint8Array([0x2a, 0, 0, 0, ...pkt]);
    const ctx = new Uint8Array(24);
    new DataView(ctx.buffer).setUint32(0, 4, true);
    new DataView(ctx.buffer).setUint32(4, data.length, true);
    const r = testRun(o.runtime, o.program('xdp_meta').program, { data, ctx });
    expect(r.retval).toBe(42 + 10);
    expect(r.dataOut!.length).toBe(data.length);
    expect(u32le(r.dataOut!, 4 + 14)).toBe(42);
    expect(u32le(r.ctxOut!, 0)).toBe(4);
    expect(u32le(r.ctxOut!, 4)).toBe(data.length);
  });

  it('without ctx_in ingress_ifindex is loopback; the context is read-only', () => {
    const o = loadProg('run_xdp.o');
    expect(testRun(o.runtime, o.program('xdp_meta').program, { data: ipv4Udp() }).retval).toBe(1010);
    const f = loadProg('run_faults.o');
    expect(() => testRun(f.runtime, f.program('xdp_write_data_end').program, { data: ipv4Udp() })).toThrow(/write-protected/);
  });

  it('refuses frags (data_end short of data_in) as unsupported, bad metadata as -EINVAL', () => {
    const o = loadProg('run_xdp.o');
    const ctx = new Uint8Array(24);
    new DataView(ctx.buffer).setUint32(4, 20, true);
    expect(() => testRun(o.runtime, o.program('xdp_meta').program, { data: ipv4Udp(), ctx })).toThrow(UnsupportedError);
    new DataView(ctx.buffer).setUint32(0, 6, true);
    expect(() => testRun(o.runtime, o.program('xdp_meta').program, { data: ipv4Udp(), ctx })).toThrow(/multiple of 4/);
  });
});

describe('syscall test runs', () => {
  const args = (a: number, b: number) => {
    const c = new Uint8Array(20);
    const dv = new DataView(c.buffer);
    dv.setUint32(0, a, true);
    dv.setUint32(4, b, true);
    return c;
  };

  it('reads and writes the user buffer; globals persist; repeat is allowed (an extension)', () => {
    const o = loadProg('run_syscall.o');
    const r = testRun(o.runtime, o.program('sys_mul').program, { ctx: args(6, 7), repeat: 2 });
    expect(r.retval).toBe(13);
    expect(new DataView(r.ctxOut!.buffer).getBigUint64(8, true)).toBe(42n);
    expect(u32le(r.ctxOut!, 16)).toBe(2);
    testRun(o.runtime, o.program('sys_mul').program, { ctx: args(2, 3) });
    expect(new DataView(o.map('run_sysc.bss').lookup(new Uint8Array(4))!.buffer).getBigUint64(0, true)).toBe(42n * 2n + 6n);
  });

  it('retval is the low 32 bits, r0 the full register', () => {
    const o = loadProg('run_syscall.o');
    const r = testRun(o.runtime, o.program('sys_wide').program, {});
    expect(r.r0).toBe(0x1234567890abcdefn);
    expect(r.retval).toBe(0x90abcdef);
    expect(r.ctxOut).toBeUndefined();
  });

  it('refuses data_in', () => {
    const o = loadProg('run_syscall.o');
    expect(() => testRun(o.runtime, o.program('sys_mul').program, { data: ipv4Udp(), ctx: args(1, 2) })).toThrow(TestRunInputError);
  });
});

describe('test-run plumbing', () => {
  it('program types without a test run are unsupported; perf_event is refused with the kernel errno', () => {
    const lirc = { name: 'lirc', progType: ProgType.LIRC_MODE2, insns: [], gpl: true };
    expect(() => testRun(new Runtime(), lirc, {})).toThrow(UnsupportedError);
    const pe = { name: 'pe', progType: ProgType.PERF_EVENT, insns: [], gpl: true };
    expect(() => testRun(new Runtime(), pe, {})).toThrow(/-ENOTSUPP.*no test run for perf_event programs \(pe\)/);
    // cg_sock_addr_prog_ops has no .test_run either (the host's bpftool prog run: error 524)
    const sa = { name: 'c4', progType: ProgType.CGROUP_SOCK_ADDR, insns: [], gpl: true };
    expect(() => testRun(new Runtime(), sa, {})).toThrow(/-ENOTSUPP.*no test run for cgroup_sock_addr programs \(c4\)/);
    // nor sk_skb_prog_ops, sk_reuseport_prog_ops, sk_msg_prog_ops, cg_sysctl_prog_ops, cg_dev_prog_ops, cg_sock_prog_ops, cg_sockopt_prog_ops, sock_ops_prog_ops (bpftool prog run: error 524)
    for (const [t, n] of [[ProgType.SK_SKB, 'sk_skb'], [ProgType.SK_REUSEPORT, 'sk_reuseport'], [ProgType.SK_MSG, 'sk_msg'], [ProgType.CGROUP_SYSCTL, 'cgroup_sysctl'], [ProgType.CGROUP_DEVICE, 'cgroup_device'], [ProgType.CGROUP_SOCK, 'cgroup_sock'], [ProgType.CGROUP_SOCKOPT, 'cgroup_sockopt'], [ProgType.SOCK_OPS, 'sock_ops']] as const) {
      const p = { name: 'h', progType: t, insns: [], gpl: true };
      expect(() => testRun(new Runtime(), p, { data: new Uint8Array(64) })).toThrow(new RegExp(`-ENOTSUPP.*no test run for ${n} programs \\(h\\)`));
    }
    // bpf_prog_test_run checks ctx_in before the type: an empty ctx_in is EINVAL even here (the
    // host's answer for an sk_skb program given 64 bytes and a zero-length ctx_in)
    const skb = { name: 'v', progType: ProgType.SK_SKB, insns: [], gpl: true };
    expect(() => testRun(new Runtime(), skb, { data: new Uint8Array(64), ctx: new Uint8Array(0) })).toThrow(/EINVAL.*ctx_in is empty/);
  });

  it('duration is a per-run mean, insn counts add up over repeats', () => {
    const o = loadProg('run_sock.o');
    const one = testRun(o.runtime, o.program('sock_fields').program, { data: ipv4Udp() });
    const many = testRun(o.runtime, o.program('sock_fields').program, { data: ipv4Udp(), repeat: 10 });
    expect(many.insnCount).toBe(one.insnCount * 10);
    expect(many.durationNs).toBeGreaterThanOrEqual(0);
    expect(testRun(o.runtime, o.program('sock_fields').program, { data: ipv4Udp(), repeat: 0 }).repeat).toBe(1);
  });

  it('ctx_in helpers: short buffers zero-fill, non-zero tails are E2BIG, field names in errors', () => {
    expect(ctxInBuffer(new Uint8Array([1, 2]), 4)).toEqual(new Uint8Array([1, 2, 0, 0]));
    expect(() => ctxInBuffer(new Uint8Array([0, 0, 0, 0, 1]), 4)).toThrow(/E2BIG/);
    expect(() => checkSkbCtxIn(skbCtx({ hash: 1 }))).toThrow(/field hash/);
  });
});
