// Tracing helpers and kfuncs whose kernel data ebpfvm models or lacks (test/progs/helpers/h_trace_misc.c):
// bpf_send_signal / bpf_send_signal_thread (recorded in the run's output), bpf_read_branch_records
// (no branch stack: -ENOENT), bpf_skb_output (the sample, then the skb's first bytes; more than
// skb->len -EFAULT, unknown flags -EINVAL), bpf_map_sum_elem_count over the bpf_map iterator, and
// bpf_sock_destroy on the runtime's sockets. Both engines, verified and not.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load, type LoadedObject } from '../../src/loader/load.js';
import { runLoaded } from '../../src/test-run-api.js';
import { runIterator } from '../../src/iter.js';
import { openObject } from '../../src/loader/open.js';
import { KERNEL_SK_BUFF, PERF_EVENT_DATA, field } from '../../vm/contexts.js';
import { verifyProgram } from '../../src/verify.js';
import { emptyOutput } from '../../src/runtime.js';
import type { PerfEventArrayMap } from '../../maps/perf-event-array.js';
import { sockDestroy } from '../../helpers/sock.js';
import type { HelperCall } from '../../helpers/types.js';
import { FaultSignal } from '../../src/errors.js';
import { objBytes } from '../loader/helpers.js';
import { FakeWorld, helper } from './fake-call.js';
import { prng } from '../prng.js';
import { ProgType } from '../../vm/prog-types.js';

const OBJ = objBytes('helpers/h_trace_misc');
const EINVAL = -22, ENOENT = -2, EFAULT = -14, EPERM = -1;

function longs(obj: LoadedObject, name: string): bigint[] {
  const btf = obj.spec.btf!;
  const bss = [...obj.maps.keys()].find((n) => n.endsWith('.bss'))!;
  const v = obj.map(bss).lookup(new Uint8Array(4))!;
  const vi = btf.datasec('.bss')!.vars!.find((x) => btf.type(x.type).name === name)!;
  return Array.from({ length: vi.size / 8 }, (_, i) => new DataView(v.buffer, v.byteOffset).getBigInt64(vi.offset + i * 8, true));
}

describe('tracing helpers', () => {
  for (const engine of ['compiled', 'interpreter'] as const) {
    for (const verify of [true, false]) {
      const mode = `${engine}${verify ? ', verified' : ''}`;
      const opts = verify ? { verify: true } : {};
      it(`bpf_send_signal(_thread): recorded for the current task; > 64 -EINVAL; 0 sends nothing (${mode})`, () => {
        const rt = new Runtime({ engine, task: { pid: 77, tgid: 70 } });
        const obj = load(rt, openObject(OBJ, { name: 'h_trace_misc' }));
        const r = runLoaded(obj, 'signals', {}, opts);
        expect(longs(obj, 'sig_ret')).toEqual([0n, 0n, BigInt(EINVAL), 0n]);
        expect(r.output.signals).toEqual([{ sig: 10, thread: false, pid: 77, tgid: 70 }, { sig: 12, thread: true, pid: 77, tgid: 70 }]);
        // init (tgid 1) may not be signalled
        const obj1 = load(new Runtime({ engine, task: { pid: 1, tgid: 1 } }), openObject(OBJ, { name: 'h_trace_misc' }));
        expect(runLoaded(obj1, 'signals', {}, opts).output.signals).toBeUndefined();
        expect(longs(obj1, 'sig_ret')).toEqual([EPERM, EPERM, EPERM, EPERM].map(BigInt));
      });
      it(`bpf_read_branch_records: a sample without a branch stack (${mode})`, () => {
        // perf_event programs have no test run: the interpreter runs it on a zeroed sample
        const rt = new Runtime({ engine });
        const obj = load(rt, openObject(OBJ, { name: 'h_trace_misc' }));
        if (verify) expect(verifyProgram(obj, 'branches').accepted).toBe(true);
        const ctx = rt.arena.alloc(PERF_EVENT_DATA.size);
        rt.interpreter.run(obj.program('branches').program, { args: [ctx], cpu: 0, maxInsns: 0, output: emptyOutput(), verified: verify });
        expect(longs(obj, 'br_ret')).toEqual([ENOENT, ENOENT, EINVAL].map(BigInt));
      });
      it(`bpf_skb_output: the sample and the skb's first bytes (${mode})`, () => {
        const rt = new Runtime({ engine });
        const obj = load(rt, openObject(OBJ, { name: 'h_trace_misc' }));
        (obj.maps.get('events')!.map as PerfEventArrayMap).openAll(1);
        // a kernel sk_buff in the arena: len 6, data -> 6 bytes
        const skb = rt.arena.alloc(KERNEL_SK_BUFF.size);
        const data = rt.arena.alloc(8);
        rt.arena.write(data, new Uint8Array([1, 2, 3, 4, 5, 6]));
        rt.arena.dv.setUint32(skb + field(KERNEL_SK_BUFF, 'len').offset, 6, true);
        rt.arena.dv.setBigUint64(skb + field(KERNEL_SK_BUFF, 'data').offset, BigInt(data), true);
        const r = runLoaded(obj, 'skb_out', { args: [skb] }, opts);
        expect(longs(obj, 'out_ret')).toEqual([0n, BigInt(EFAULT), BigInt(EINVAL)]);
        expect(r.output.perf.map((e) => [...e.data])).toEqual([[0x67, 0x7a, 0, 0, 1, 2, 3, 4]]);
      });
      it(`bpf_map_sum_elem_count: a hash map's elements, 0 for maps that keep no count (${mode})`, () => {
        const obj = load(new Runtime({ engine }), openObject(OBJ, { name: 'h_trace_misc' }));
        const h = obj.map('counted');
        for (let i = 0; i < 3; i++) h.update(new Uint8Array([i, 0, 0, 0]), new Uint8Array(4));
        const out = new TextDecoder().decode(runIterator(obj, 'sum_counts', { verified: verify }).output);
        expect(out).toContain('counted 3\n');
        expect(out).toContain('events 0\n');
      });
    }
  }

  it('bpf_sock_destroy: a TCP or UDP socket goes to TCP_CLOSE; anything that is no socket faults', () => {
    const rt = new Runtime();
    const tcp = rt.sockets.add({ proto: 'tcp', state: 'established' });
    const kaddr = rt.sockets.kernelAddress(tcp)!;
    const call = (v: bigint) => ({ u64: () => v, env: { sockets: rt.sockets } }) as unknown as HelperCall;
    expect(sockDestroy(call(kaddr))).toBe(0);
    expect(rt.sockets.byKernelAddress(kaddr)!.state).toBe(7);
    expect(() => sockDestroy(call(0xffff888012345678n))).toThrow(FaultSignal);
  });
});

describe('hostile arguments to the tracing helpers no test-runnable program type can call', () => {
  // bpf_read_branch_records (perf_event) and bpf_skb_output (tracing) are outside the helper fuzz
  // (test/helpers/fuzz-hostile.test.ts runs only test-runnable types): wild pointers, sizes and
  // flags give an errno or a VM fault, never a raw error, and write nothing.
  it.each(['read_branch_records', 'skb_output'])('%s', (name) => {
    const w = new FakeWorld({ progType: name === 'skb_output' ? ProgType.TRACING : ProgType.PERF_EVENT });
    const buf = w.mem(new Uint8Array(64));
    const r = prng(7);
    const pool = [0n, 1n, 8n, 0xfffn, BigInt(buf), BigInt(buf + 60), 1n << 32n, -1n, 0xffff888000000000n, 24n, 0x7fffffffn, 0xffffffffn, 1n << 52n, 0xfffffn << 32n];
    const h = helper(name);
    for (let n = 0; n < 400; n++) {
      const regs = Array.from({ length: 5 }, () => r.pick(pool));
      const before = w.arena.read(buf, 64);
      try {
        const v = h.impl(w.call(regs));
        expect(typeof v === 'number' || typeof v === 'bigint').toBe(true);
      } catch (e) {
        if (!(e instanceof FaultSignal)) throw new Error(`${name}(${regs.join(', ')}): a raw error: ${String(e)}`);
      }
      expect(w.arena.read(buf, 64)).toEqual(before);
    }
  });
});
