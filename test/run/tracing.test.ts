// Tracing program test runs: raw_tp as the kernel runs it (u64 arguments from ctx_in), and the
// extension for kprobe (pt_regs argument registers), fentry (u64 slots; BTF pointer loads read
// kernel memory, 0 on a miss) and tracepoint (raw record) programs.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { UsageError } from '../../src/errors.js';
import { TestRunInputError, testRun } from '../../vm/test-run.js';
import { checkCtxAccess, PT_REGS_X86_64, field } from '../../vm/contexts.js';
import { ProgType } from '../../vm/prog-types.js';
import { loadProg } from './helpers.js';

describe('raw_tp', () => {
  it('reads its arguments from ctx_in; globals accumulate', () => {
    const o = loadProg('run_rawtp.o');
    const p = o.program('rawtp_args').program;
    expect(testRun(o.runtime, p, { args: [5, 7] }).retval).toBe(22);
    expect(testRun(o.runtime, p, { args: [10n, 1n], repeat: 3 }).retval).toBe(31);
    const bss = o.map('run_rawt.bss').lookup(new Uint8Array(4))!;
    expect(new DataView(bss.buffer).getBigUint64(0, true)).toBe(35n);
    expect(new DataView(bss.buffer).getUint32(8, true)).toBe(4);
  });

  it('refuses data and more than 12 arguments; faults reading past the given ones', () => {
    const o = loadProg('run_rawtp.o');
    const p = o.program('rawtp_args').program;
    expect(() => testRun(o.runtime, p, { args: new Array(13).fill(0) })).toThrow(TestRunInputError);
    expect(() => testRun(o.runtime, p, { data: new Uint8Array(20), args: [1, 2] })).toThrow(/no data_in/);
    expect(() => testRun(o.runtime, p, { args: [1] })).toThrow(/out of bounds of ctx/);
    expect(() => testRun(o.runtime, p, { args: [1], ctx: new Uint8Array(8) })).toThrow(UsageError);
  });
});

describe('perf_event', () => {
  it('loads and verifies, but a test run is refused with -ENOTSUPP as the kernel has none (host: errno 524)', () => {
    const o = loadProg('verifier/perf_event.o');
    const p = o.program('pe_read_period_addr').program;
    expect(p.progType).toBe(ProgType.PERF_EVENT);
    let err: unknown;
    try {
      testRun(o.runtime, p, { ctx: new Uint8Array(184) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TestRunInputError);
    expect((err as TestRunInputError).errno).toBe('ENOTSUPP');
    expect((err as Error).message).toContain('the kernel has no test run for perf_event programs (pe_read_period_addr)');
  });
});

describe('kprobe, fentry and tracepoint runs on user-supplied arguments', () => {
  it('kprobe: arguments land in di, si, dx; the task comes from the runtime', () => {
    const o = loadProg('run_trace.o', new Runtime({ task: { tgid: 4242 } }));
    const r = testRun(o.runtime, o.program('kp_args').program, { args: [1, 10, 100] });
    expect(r.retval).toBe(1 + 20 + 300 + 4242);
    expect(() => testRun(o.runtime, o.program('kp_args').program, { args: [1, 2, 3, 4, 5, 6, 7] })).toThrow(/at most 6/);
  });

  it('kprobe: a raw pt_regs ctx_in works too', () => {
    const o = loadProg('run_trace.o', new Runtime({ task: { tgid: 0 } }));
    const regs = new Uint8Array(PT_REGS_X86_64.size);
    new DataView(regs.buffer).setBigUint64(field(PT_REGS_X86_64, 'si').offset, 3n, true);
    expect(testRun(o.runtime, o.program('kp_args').program, { ctx: regs }).retval).toBe(6);
  });

  it('fentry follows a kernel pointer through the kernel-memory view; a miss reads 0', () => {
    const o = loadProg('run_trace.o');
    const t = 0xffff888000001000n;
    const thing = new Uint8Array(16);
    new DataView(thing.buffer).setBigInt64(0, 7n, true);
    new DataView(thing.buffer).setBigInt64(8, 5n, true);
    o.runtime.kmem.map(t, thing);
    expect(testRun(o.runtime, o.program('fe_ptr').program, { args: [t, 3] }).retval).toBe(7 + 15);
    expect(testRun(o.runtime, o.program('fe_ptr').program, { args: [0xffff888000900000n, 3] }).retval).toBe(0);
  });

  it('tracepoint: the raw record, read-only', () => {
    const o = loadProg('run_trace.o');
    const rec = new Uint8Array(24);
    new DataView(rec.buffer).setInt32(8, 2, true);
    new DataView(rec.buffer).setBigInt64(16, 40n, true);
    expect(testRun(o.runtime, o.program('tp_record').program, { ctx: rec }).retval).toBe(42);
    expect(() => testRun(o.runtime, o.program('tp_record').program, { args: [1] })).toThrow(/raw record/);
  });

  it('tracing contexts are read-only to the verifier too', () => {
    expect(checkCtxAccess(ProgType.KPROBE, 112, 8, false).ok).toBe(true);
    expect(checkCtxAccess(ProgType.KPROBE, 112, 8, true).ok).toBe(false);
    expect(checkCtxAccess(ProgType.TRACEPOINT, 0, 8, false).ok).toBe(false); // common fields hidden
    expect(checkCtxAccess(ProgType.TRACING, 8, 4, false).ok).toBe(false); // whole u64 slots
    expect(checkCtxAccess(ProgType.RAW_TRACEPOINT, 96, 8, false).ok).toBe(false);
  });
});
