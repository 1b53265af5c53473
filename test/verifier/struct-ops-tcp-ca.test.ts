// struct_ops tcp_congestion_ops (src/btf/builtin-struct-ops.ts, helpers/tcp-ca.ts): what the
// host-recorded corpus (test/progs/verifier/tcp_ca*.c, test/fixtures/verifier-kernel/) cannot
// pin because the messages carry offsets of the kernel's layout, the kernel's answer to a test
// run, the registration rules of the struct_ops map, and the kfuncs' arithmetic (tcp_cong.c).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runLoaded } from '../../src/test-run-api.js';
import { verifyProgram } from '../../src/verify.js';
import { builtinMemberRange } from '../../src/btf/builtin.js';
import { STRUCT_OPS_TYPES } from '../../src/btf/builtin-struct-ops.js';
import { TestRunInputError } from '../../vm/test-run.js';
import * as tcpCaKfuncImpls from '../../helpers/tcp-ca-kfuncs.js';
import { FakeWorld } from '../helpers/fake-call.js';
import { PROGS } from '../loader/helpers.js';

const bytes = (dir: string, name: string) => new Uint8Array(readFileSync(join(PROGS, dir, `${name}.o`)));

describe('tcp_congestion_ops: writes the kernel refuses, at ebpfvm offsets', () => {
  const obj = () => load(new Runtime(), openObject(bytes('', 'tcp_ca_refusals'), { name: 'tcp_ca_refusals' }));
  it('a field bpf_tcp_ca_btf_struct_access does not list (snd_una)', () => {
    const r = verifyProgram(obj(), 'w_una', { logLevel: 1 });
    // the host's line: "no write support to tcp_sock at off 1672" (its layout)
    expect(r.error).toBe(`no write support to tcp_sock at off ${builtinMemberRange('tcp_sock', 'snd_una')[0]}`);
  });
  it('a write running past its field (8 bytes at snd_cwnd)', () => {
    const r = verifyProgram(obj(), 'w_cwnd64', { logLevel: 1 });
    const [off, end] = builtinMemberRange('tcp_sock', 'snd_cwnd');
    // the host's: "write access at off 1444 with size 8 beyond the member of tcp_sock ended at 1448"
    expect(r.error).toBe(`write access at off ${off} with size 8 beyond the member of tcp_sock ended at ${end}`);
  });
});

describe('tcp_congestion_ops: loading and running', () => {
  it('the object order of members does not matter: a program implements the kernel member of its name', () => {
    const o = load(new Runtime(), openObject(bytes('verifier', 'tcp_ca'), { name: 'tcp_ca' }));
    const btf = openObject(bytes('verifier', 'tcp_ca')).programs;
    expect(btf.get('tc_release')!.expectedAttachType).toBe(17);
    expect(btf.get('tc_ssthresh')!.expectedAttachType).toBe(0);
    expect(verifyProgram(o, 'tc_release').accepted).toBe(true);
  });
  it('BPF_PROG_TEST_RUN of a member is -EOPNOTSUPP, as the kernel answers (only bpf_dummy_ops runs)', () => {
    const o = load(new Runtime(), openObject(bytes('verifier', 'tcp_ca'), { name: 'tcp_ca' }));
    for (const verify of [true, false]) {
      try {
        runLoaded(o, 'tc_ssthresh', { args: [1n] }, { verify });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(TestRunInputError);
        expect((e as TestRunInputError).errno).toBe('EOPNOTSUPP');
      }
    }
  });
});

describe('tcp_congestion_ops registration (bpf_tcp_ca_init_member, tcp_validate_congestion_control)', () => {
  const reg = STRUCT_OPS_TYPES.tcp_congestion_ops!.register!;
  const name = (s: string) => {
    const b = new Uint8Array(16);
    b.set(new TextEncoder().encode(s));
    return b;
  };
  const flags = (f: number) => new Uint8Array([f, 0, 0, 0]);
  const all = new Set(['ssthresh', 'undo_cwnd', 'cong_avoid']);
  it('ssthresh, undo_cwnd and cong_avoid or cong_control are required', () => {
    expect(reg({ programs: all, data: new Map([['name', name('bpf_x')]]) })).toBeUndefined();
    expect(reg({ programs: new Set(['ssthresh', 'undo_cwnd', 'cong_control']), data: new Map([['name', name('bpf_x')]]) })).toBeUndefined();
    expect(reg({ programs: new Set(['ssthresh', 'cong_avoid']), data: new Map([['name', name('bpf_x')]]) })?.errno).toBe(22);
    expect(reg({ programs: new Set(['ssthresh', 'undo_cwnd']), data: new Map([['name', name('bpf_x')]]) })?.errno).toBe(22);
  });
  it('the name is 1..15 characters of [A-Za-z0-9_.], not one registered already; flags within TCP_CONG_MASK', () => {
    expect(reg({ programs: all, data: new Map([['name', name('')]]) })?.errno).toBe(22);
    expect(reg({ programs: all, data: new Map([['name', name('a-b')]]) })?.errno).toBe(22);
    expect(reg({ programs: all, data: new Map([['name', new Uint8Array(16).fill(0x61)]]) })?.errno).toBe(22);
    expect(reg({ programs: all, data: new Map([['name', name('cubic')]]) })?.errno).toBe(17);
    expect(reg({ programs: all, data: new Map([['name', name('bpf_x')], ['flags', flags(3)]]) })).toBeUndefined();
    expect(reg({ programs: all, data: new Map([['name', name('bpf_x')], ['flags', flags(4)]]) })?.errno).toBe(22);
  });
});

describe('tcp_congestion_ops struct_ops map: update registers the object\'s value', () => {
  const key = new Uint8Array(4);
  it('a complete congestion control registers once, and deletes once', () => {
    const m = load(new Runtime(), openObject(bytes('verifier', 'tcp_ca'), { name: 'tcp_ca' })).map('tc_ops');
    expect(m.delete(key)).toBe(-2);
    expect(m.update(key, new Uint8Array(m.valueSize), 1)).toBe(-22);
    expect(m.update(new Uint8Array([1, 0, 0, 0]), new Uint8Array(m.valueSize))).toBe(-7);
    expect(m.update(key, new Uint8Array(m.valueSize))).toBe(0);
    expect(m.update(key, new Uint8Array(m.valueSize))).toBe(-16);
    expect(m.delete(key)).toBe(0);
    expect(m.delete(key)).toBe(-2);
  });
  it('one without ssthresh, undo_cwnd and cong_avoid/cong_control is -EINVAL', () => {
    const m = load(new Runtime(), openObject(bytes('verifier', 'tcp_ca_ro'), { name: 'tcp_ca_ro' })).map('ro_ops');
    expect(m.update(key, new Uint8Array(m.valueSize))).toBe(-22);
  });
});

describe('tcp_congestion_ops kfuncs: tcp_cong.c arithmetic on a tcp_sock', () => {
  const at = (f: string) => builtinMemberRange('tcp_sock', f)[0];
  const size = builtinMemberRange('tcp_sock', 'inet_conn')[1] + 4096;
  function sock(w: FakeWorld, v: Record<string, number>): number {
    const a = w.mem(new Uint8Array(size), 'map');
    for (const [f, x] of Object.entries(v)) w.arena.dv.setUint32(a + at(f), x, true);
    return a;
  }
  const get = (w: FakeWorld, a: number, f: string) => w.arena.dv.getUint32(a + at(f), true);

  it('tcp_reno_ssthresh: max(cwnd / 2, 2); tcp_reno_undo_cwnd: max(cwnd, prior_cwnd)', () => {
    const w = new FakeWorld();
    expect(tcpCaKfuncImpls.tcpRenoSsthresh(w.call([sock(w, { snd_cwnd: 10 })]))).toBe(5);
    expect(tcpCaKfuncImpls.tcpRenoSsthresh(w.call([sock(w, { snd_cwnd: 3 })]))).toBe(2);
    expect(tcpCaKfuncImpls.tcpRenoUndoCwnd(w.call([sock(w, { snd_cwnd: 3, prior_cwnd: 9 })]))).toBe(9);
  });
  it('tcp_slow_start: cwnd grows to ssthresh, the rest of acked is returned; clamped', () => {
    const w = new FakeWorld();
    const a = sock(w, { snd_cwnd: 10, snd_ssthresh: 14, snd_cwnd_clamp: 100 });
    expect(tcpCaKfuncImpls.tcpSlowStart(w.call([a, 6]))).toBe(2);
    expect(get(w, a, 'snd_cwnd')).toBe(14);
    const b = sock(w, { snd_cwnd: 10, snd_ssthresh: 100, snd_cwnd_clamp: 12 });
    expect(tcpCaKfuncImpls.tcpSlowStart(w.call([b, 6]))).toBe(0);
    expect(get(w, b, 'snd_cwnd')).toBe(12);
  });
  it('tcp_cong_avoid_ai: one more segment per w acked, credits kept in snd_cwnd_cnt', () => {
    const w = new FakeWorld();
    const a = sock(w, { snd_cwnd: 10, snd_cwnd_cnt: 8, snd_cwnd_clamp: 100 });
    tcpCaKfuncImpls.tcpCongAvoidAi(w.call([a, 10, 25]));
    expect([get(w, a, 'snd_cwnd'), get(w, a, 'snd_cwnd_cnt')]).toEqual([13, 3]);
    expect(() => tcpCaKfuncImpls.tcpCongAvoidAi(w.call([a, 0, 1]))).toThrow(/w is 0/);
  });
  it('tcp_reno_cong_avoid: nothing unless cwnd-limited; slow start, then additive increase', () => {
    const w = new FakeWorld();
    const idle = sock(w, { snd_cwnd: 10, snd_ssthresh: 5, snd_cwnd_clamp: 100 });
    tcpCaKfuncImpls.tcpRenoCongAvoid(w.call([idle, 0, 20]));
    expect(get(w, idle, 'snd_cwnd')).toBe(10);
    // in slow start with max_packets_out 6: cwnd 10 < 12, so limited
    const ss = sock(w, { snd_cwnd: 10, snd_ssthresh: 12, snd_cwnd_clamp: 100, max_packets_out: 6 });
    tcpCaKfuncImpls.tcpRenoCongAvoid(w.call([ss, 0, 14]));
    // slow start to 12 leaves 12 acked; then ai with w = 12: +1, cnt 0
    expect([get(w, ss, 'snd_cwnd'), get(w, ss, 'snd_cwnd_cnt')]).toEqual([13, 0]);
  });
  it('a NULL socket faults', () => {
    const w = new FakeWorld();
    expect(() => tcpCaKfuncImpls.tcpSlowStart(w.call([0, 1]))).toThrow(/NULL socket/);
  });
});
