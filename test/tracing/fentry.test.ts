// Tracing programs (test/progs/tr_fentry.c) run with the arguments, task and kernel memory a test
// gives: fentry attached to a syscall function by name, fexit with the return value, arguments
// typed by the target's prototype in the built-in BTF, BTF task pointers read from the
// kernel-memory view (PROBE_MEM), kprobe pt_regs, raw_tp, a tracepoint record, typed __ksyms.
import { describe, expect, it } from 'vitest';
import { Runtime, type RuntimeOptions } from '../../src/runtime.js';
import { load, type LoadedObject } from '../../src/loader/load.js';
import { runLoaded } from '../../src/test-run-api.js';
import { UsageError } from '../../src/errors.js';
import { CURRENT_STACK_ADDR, INIT_TASK_ADDR, ptRegsOf } from '../../src/btf/builtin-kmem.js';
import { typedTracingArgs } from '../../src/btf/builtin-args.js';
import { open } from '../loader/helpers.js';

/** .bss globals by name: integers as bigint (signed, their size), char[16] as strings. */
function globals(obj: LoadedObject): Record<string, bigint | string> {
  const btf = obj.spec.btf!;
  const name = [...obj.maps.keys()].find((n) => n.endsWith('.bss'))!;
  const v = obj.map(name).lookup(new Uint8Array(4))!;
  const dv = new DataView(v.buffer, v.byteOffset);
  const out: Record<string, bigint | string> = {};
  for (const vi of btf.datasec('.bss')!.vars!) {
    const n = btf.type(vi.type).name;
    if (vi.size === 16) out[n] = new TextDecoder().decode(v.subarray(vi.offset, vi.offset + 16)).replace(/\0.*$/s, '');
    else out[n] = vi.size === 8 ? dv.getBigInt64(vi.offset, true) : BigInt(dv.getInt32(vi.offset, true));
  }
  return out;
}

function setup(opts: RuntimeOptions = {}) {
  const rt = new Runtime({ task: { pid: 321, tgid: 320, comm: 'getpgid-caller' }, ncpus: 4, ...opts });
  const obj = load(rt, open('tr_fentry'));
  return { rt, obj };
}

const REGS = 0xffffc90000a0ff58n; // where the syscall's saved user registers live

describe('fentry/fexit with user-supplied arguments', () => {
  it('fentry on __x64_sys_getpgid by name: pt_regs pointer argument, current task', () => {
    const { rt, obj } = setup();
    expect(obj.program('on_getpgid').section).toBe('fentry/__x64_sys_getpgid');
    const regs = new Uint8Array(168);
    new DataView(regs.buffer).setBigUint64(112, 1234n, true); // regs->di = pid argument
    rt.kmem.map(REGS, regs);
    expect(runLoaded(obj, 'on_getpgid', { args: [REGS] }).retval).toBe(0);
    expect(globals(obj)).toMatchObject({ getpgid_arg: 1234n, getpgid_calls: 1n, cur_pid: 321n, cur_tgid: 320n, cur_comm: 'getpgid-caller' });
  });

  it('fexit gets the return value after the arguments, each typed by the prototype', () => {
    const { obj } = setup();
    // bpf_fentry_test2(int a, u64 b) returning int: -1 stays an int, b is a full u64.
    runLoaded(obj, 'after_test2', { args: [-1, 0xffff_ffff_ffffn, 7] });
    expect(globals(obj)).toMatchObject({ t2_a: -1n, t2_b: 0xffff_ffff_ffffn, t2_ret: 7n });
    // char a = 0x141 is truncated to 0x41 ('A').
    runLoaded(obj, 'on_test3', { args: [0x141, 2, 3] });
    expect(globals(obj)).toMatchObject({ t3_a: 0x41n, t3_sum: 0x46n });
  });

  it('the argument count must match the prototype', () => {
    const { obj } = setup();
    expect(() => runLoaded(obj, 'after_test2', { args: [1, 2] })).toThrow(UsageError);
    expect(() => runLoaded(obj, 'after_test2', { args: [1, 2] })).toThrow(/takes 3 arguments: a \(int\), b \(u64\), the return value \(int\); got 2/);
    expect(typedTracingArgs('fentry/not_a_kernel_function', [1, 2, 3])).toBeUndefined();
  });

  it('a BTF task pointer argument reads the kernel-memory view; unmapped reads give 0', () => {
    const { obj } = setup();
    runLoaded(obj, 'on_new_task', { args: [INIT_TASK_ADDR] });
    expect(globals(obj)).toMatchObject({ new_pid: 0n, new_ppid: 0n, new_comm: 'swapper/0' });
    runLoaded(obj, 'on_new_task', { args: [0xffff888012340000n] });
    expect(globals(obj)).toMatchObject({ new_pid: 0n, new_comm: '' });
  });

  it('tp_btf: arguments typed by the btf_trace_* prototype (without its leading void *)', () => {
    const { obj } = setup();
    runLoaded(obj, 'on_fork', { args: [INIT_TASK_ADDR, 0xffff888000100000n] });
    expect(globals(obj)).toMatchObject({ fork_parent_pid: 0n, fork_child_pid: 321n });
    expect(() => runLoaded(obj, 'on_fork', { args: [1] })).toThrow(/tp_btf\/sched_process_fork takes 2 arguments: struct task_struct \*, struct task_struct \*; got 1/);
  });

  it('lsm: typed by bpf_lsm_<hook>, the return value so far in the last slot', () => {
    const { obj } = setup();
    expect(runLoaded(obj, 'on_task_alloc', { args: [0xffff888000100000n, 0x10000, 0] }).retval).toBe(0xffffffff);
    expect(globals(obj)).toMatchObject({ lsm_pid: 321n, lsm_flags: 0x10000n, lsm_ret: 0n });
    expect(runLoaded(obj, 'on_task_alloc', { args: [0xffff888000100000n, 0, -13] }).retval).toBe(-13 >>> 0);
  });

  it('task_pt_regs: the saved user registers at the top of the task\'s kernel stack', () => {
    const { rt, obj } = setup();
    const regs = new Uint8Array(168);
    new DataView(regs.buffer).setBigUint64(112, 5n, true); // di
    rt.kmem.map(ptRegsOf(CURRENT_STACK_ADDR), regs);
    runLoaded(obj, 'user_regs', { args: [0] });
    expect(globals(obj).user_di).toBe(5n);
  });

  it('typed __ksym variables resolve to the built-in kernel objects', () => {
    const { obj } = setup();
    runLoaded(obj, 'ksyms', { args: [0] });
    expect(globals(obj)).toMatchObject({ init_pid: 0n, init_comm: 'swapper/0', ncpus: 4n });
  });
});

describe('typed __ksym', () => {
  it('a declared type incompatible with the built-in kernel VAR fails the load', () => {
    expect(() => load(new Runtime(), open('tr_ksym_bad'))).toThrow(/ksym init_task: incompatible types: declared const int, but the kernel has struct task_struct/);
    // With an address given by the user the built-in VAR is not consulted.
    expect(() => load(new Runtime(), open('tr_ksym_bad'), { ksyms: { init_task: 0xffff888000200000n } })).not.toThrow();
  });
});

describe('kprobe, raw_tp and tracepoint contexts', () => {
  it('kprobe: arguments in the pt_regs argument registers', () => {
    const { obj } = setup();
    runLoaded(obj, 'kp_do_exit', { args: [9] });
    expect(globals(obj).kp_code).toBe(9n);
  });
  it('raw_tp: the u64 argument array', () => {
    const { obj } = setup();
    runLoaded(obj, 'raw_sys_enter', { args: [0, 121] });
    expect(globals(obj).raw_id).toBe(121n);
  });
  it('tracepoint: the raw record', () => {
    const { obj } = setup();
    const rec = new Uint8Array(64);
    const dv = new DataView(rec.buffer);
    dv.setBigInt64(8, 121n, true); // id
    dv.setBigUint64(16, 55n, true); // args[0]
    runLoaded(obj, 'tp_getpgid', { ctx: rec });
    expect(globals(obj)).toMatchObject({ tp_id: 121n, tp_arg0: 55n });
  });
});
