// netfilter programs (test/progs/run_netfilter.c): verified as the host kernel verifies them, and
// bpf_prog_test_run_nf's refusals named. Their results on every input, ctx_in variants included,
// are compared with the host kernel's in test/agreement/kernel-progs-local.test.ts.
import { describe, expect, it } from 'vitest';
import { TestRunInputError, testRun } from '../../vm/test-run.js';
import { loadProg } from './helpers.js';

const state = (hook: number, pf: number, extra: Record<number, number> = {}, size = 48): Uint8Array => {
  const b = new Uint8Array(size);
  b[0] = hook;
  b[1] = pf;
  for (const [at, v] of Object.entries(extra)) b[Number(at)] = v;
  return b;
};
const ipv4Frame = (): Uint8Array => {
  const b = new Uint8Array(64);
  b.set([0x08, 0x00], 12);
  b[14] = 0x45;
  return b;
};

describe('netfilter', () => {
  it('every program verifies (trusted sk_buff / nf_hook_state loads, an skb dynptr from ctx->skb)', () => {
    const o = loadProg('run_netfilter.o');
    for (const p of ['nf_state', 'nf_protocol', 'nf_len_over_60', 'nf_first_byte', 'nf_slice_past_end']) expect(o.program(p).verify().accepted, p).toBe(true);
  });

  it('LOCAL_OUT sees data_in from its first byte; PRE_ROUTING pulls the Ethernet header', () => {
    const o = loadProg('run_netfilter.o');
    const len = o.program('nf_len_over_60').program;
    expect(testRun(o.runtime, len, { data: ipv4Frame() }).retval).toBe(1); // len 64
    expect(testRun(o.runtime, len, { data: ipv4Frame(), ctx: state(0, 2) }).retval).toBe(0); // len 50
    const r = testRun(o.runtime, o.program('nf_state').program, { data: ipv4Frame(), ctx: state(0, 2) });
    expect(r.retval).toBe(0);
    expect(r.dataOut).toEqual(new Uint8Array(0));
    expect(r.ctxOut).toBeUndefined();
  });

  it('refuses what bpf_prog_test_run_nf refuses, naming the problem', () => {
    const o = loadProg('run_netfilter.o');
    const p = o.program('nf_state').program;
    const refused = (input: Parameters<typeof testRun>[2], errno: string, msg: RegExp) => {
      let err: unknown;
      try {
        testRun(o.runtime, p, input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TestRunInputError);
      expect((err as TestRunInputError).errno).toBe(errno);
      expect((err as Error).message).toMatch(msg);
    };
    refused({ data: new Uint8Array(19) }, 'EINVAL', /at least 20 bytes of data_in \(an IPv4 header\), got 19/);
    refused({}, 'EINVAL', /got 0/);
    refused({ data: new Uint8Array(64), ctx: state(3, 7) }, 'EINVAL', /pf 7 is neither NFPROTO_IPV4 \(2\) nor NFPROTO_IPV6 \(10\)/);
    refused({ data: new Uint8Array(64), ctx: state(3, 2, { 8: 1 }) }, 'EINVAL', /nf_hook_state ctx_in in must be NULL/);
    refused({ data: new Uint8Array(64), ctx: state(3, 2, { 50: 1 }, 56) }, 'E2BIG', /byte 50 is not zero/);
    refused({ data: new Uint8Array(64), ctx: state(0, 2) }, 'EPROTO', /ethertype 0x0004 is neither IPv4/);
    refused({ data: ipv4Frame(), ctx: state(0, 10) }, 'EINVAL', /IPv4 \(ethertype 0x0800\) but nf_hook_state pf is 10/);
    refused({ data: new Uint8Array(30), ctx: state(1, 2) }, 'EINVAL', /hook 1 needs an Ethernet and an IPv4 header \(34 bytes\)/);
    // bpf_ctx_init gives the kernel a zeroed state when only ctx_out is asked for
    refused({ data: new Uint8Array(64), wantCtxOut: true }, 'EINVAL', /pf 0/);
  });
});
