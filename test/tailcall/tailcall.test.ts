// bpf_tail_call: chains through a prog_array filled by `values`, the 33-call limit shared by the
// run, an empty slot or an index out of range falling through, a prog_array shared by two objects
// loaded into one runtime (pinned by name), and no tail calls from inside callbacks.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { testRun } from '../../src/test-run-api.js';
import { ipv4Udp, loadProg } from '../run/helpers.js';

const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
const bss = (obj: ReturnType<typeof loadProg>, i: number) => {
  const name = [...obj.maps.keys()].find((n) => n.endsWith('.bss'))!;
  const v = obj.map(name).lookup(new Uint8Array(4))!;
  return new DataView(v.buffer, v.byteOffset).getBigInt64(i * 8, true);
};

describe('tail calls', () => {
  it('chain: entry -> step1 -> step2, each replacing the previous program', () => {
    const obj = loadProg('x_tailcall.o');
    const r = testRun(obj.runtime, obj.program('x_tc_chain').program, { data: ipv4Udp() });
    expect(r.retval).toBe(42);
    expect(bss(obj, 0)).toBe(111n); // hops: 1 + 10 + 100
  });
  it('a program tail-calling itself runs 1 + 33 times', () => {
    const obj = loadProg('x_tailcall.o');
    expect(testRun(obj.runtime, obj.program('x_tc_self').program, { data: ipv4Udp() }).retval).toBe(34);
    // the limit is per run: a second run starts counting again
    expect(testRun(obj.runtime, obj.program('x_tc_self').program, { data: ipv4Udp() }).retval).toBe(68);
  });
  it('an empty slot and an out-of-range index fall through', () => {
    const obj = loadProg('x_tailcall.o');
    expect(testRun(obj.runtime, obj.program('x_tc_missing').program, { data: ipv4Udp() }).retval).toBe(7);
    expect([bss(obj, 2), bss(obj, 3)]).toEqual([1n, 2n]); // res[0], res[1] after hops, selfs
  });
  it('user space can empty and refill slots', () => {
    const obj = loadProg('x_tailcall.o');
    const jmp = obj.map('jmp');
    expect(jmp.delete(u32(1))).toBe(0);
    expect(testRun(obj.runtime, obj.program('x_tc_chain').program, { data: ipv4Udp() }).retval).toBe(1); // step1 falls through
    expect(jmp.update(u32(1), u32(obj.program('x_tc_step2').id))).toBe(0);
    expect(testRun(obj.runtime, obj.program('x_tc_chain').program, { data: ipv4Udp() }).retval).toBe(42);
  });
  it('two objects in one runtime share a pinned prog_array', () => {
    const runtime = new Runtime();
    const a = loadProg('x_tailcall_shared.o', runtime);
    const b = loadProg('x_tailcall_target.o', runtime);
    expect(a.maps.get('x_shared_jmp')!.id).toBe(b.maps.get('x_shared_jmp')!.id);
    expect(testRun(runtime, a.program('x_shared_entry').program, { data: ipv4Udp() }).retval).toBe(1);
    expect(b.map('x_shared_jmp').update(u32(0), u32(b.program('x_shared_target').id))).toBe(0);
    const r = testRun(runtime, a.program('x_shared_entry').program, { data: ipv4Udp(), wantCtxOut: true });
    expect(r.retval).toBe(77);
    expect(new DataView(r.ctxOut!.buffer).getUint32(8, true)).toBe(0x77); // mark set by the other object's program
  });
  it('is refused inside a callback and works after it', () => {
    const obj = loadProg('x_tailcall_cb.o');
    expect(testRun(obj.runtime, obj.program('x_cb_entry').program, { data: ipv4Udp() }).retval).toBe(99);
    expect(bss(obj, 0)).toBeLessThan(0n);
  });
});
