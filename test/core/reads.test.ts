// CO-RE reads of __sk_buff, task_struct and flavoured types (test/progs/core_reads.c), relocated
// against the built-in kernel BTF and against a second, different BTF (core_alt_kernel.o: fields
// moved, a flavoured cred, the pre-5.14 `state`, in_iowait missing), with the relocated offsets,
// existence checks and the values read asserted.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load, type LoadedObject } from '../../src/loader/load.js';
import { BtfKind, type Btf } from '../../src/btf/btf.js';
import { builtinBtf } from '../../src/btf/builtin.js';
import { CURRENT_TASK_ADDR, INIT_TASK_ADDR, memberOffset } from '../../src/btf/builtin-kmem.js';
import { runLoaded } from '../../src/test-run-api.js';
import { open } from '../loader/helpers.js';

const PKT = new Uint8Array(64).fill(0xab);

/** Globals of .bss by name, as unsigned 32-bit values (strings for char arrays). */
function globals(obj: LoadedObject): Record<string, number | string> {
  const btf = obj.spec.btf!;
  const sec = btf.datasec('.bss')!;
  const name = [...obj.maps.keys()].find((n) => n.endsWith('.bss'))!;
  const v = obj.map(name).lookup(new Uint8Array(4))!;
  const out: Record<string, number | string> = {};
  for (const vi of sec.vars!) {
    const n = btf.type(vi.type).name;
    if (vi.size === 16) out[n] = new TextDecoder().decode(v.subarray(vi.offset, vi.offset + 16)).replace(/\0.*$/s, '');
    else out[n] = new DataView(v.buffer, v.byteOffset + vi.offset).getUint32(0, true);
  }
  return out;
}

function skbCtx(mark: number, priority: number): Uint8Array {
  const ctx = new Uint8Array(192);
  const dv = new DataView(ctx.buffer);
  dv.setUint32(8, mark, true); // __sk_buff.mark
  dv.setUint32(32, priority, true); // __sk_buff.priority
  return ctx;
}

const TASK = { pid: 4242, tgid: 4240, uid: 1001, gid: 1002, comm: 'core-reader' };

describe('CO-RE reads against the built-in kernel BTF', () => {
  const rt = new Runtime({ task: TASK });
  const obj = load(rt, open('core_reads'));
  it('__sk_buff: direct reads at the uapi offsets, existence checks', () => {
    const r = runLoaded(obj, 'skb_reads', { data: PKT, ctx: skbCtx(7, 3) });
    expect(r.retval).toBe(8);
    expect(globals(obj)).toMatchObject({ skb_mark: 7, skb_prio: 3, skb_len: 64, has_hwtstamp: 1, has_future: 0 });
  });
  it('task_struct: BTF pointer, BPF_CORE_READ chains through real_parent and cred, flavour check', () => {
    expect(runLoaded(obj, 'task_reads', {}).retval).toBe(4242);
    const g = globals(obj);
    expect(g).toMatchObject({ pid: 4242, tgid: 4240, ppid: 0, uid: 1001, comm: 'core-reader', old_layout: 0, state: 0, has_iowait: 1 });
    expect(g.comm_off).toBe(memberOffset(builtinBtf(), 'task_struct', 'comm').offset);
    expect(g.pid_off).toBe(memberOffset(builtinBtf(), 'task_struct', 'pid').offset);
  });
});

describe('CO-RE reads against a different kernel BTF', () => {
  const alt = open('core_alt_kernel').btf!;
  const altOff = (s: string, f: string) => memberOffset(alt, s, f).offset;

  it('__sk_buff: mark is read where the other BTF puts it', () => {
    const rt = new Runtime();
    const obj = load(rt, open('core_reads'), { targetBtf: alt });
    const insns = obj.program('skb_reads').program.insns;
    // The program's loads of mark and priority now use the other kernel's offsets.
    expect(insns.some((i) => i.off === altOff('__sk_buff', 'mark') && (i.code & 7) === 1)).toBe(true);
    // The VM's context keeps the built-in layout, so `mark` now reads byte 32 (priority = 3)
    // and `priority` byte 8 (mark = 7): the relocation did what the other kernel needs.
    const r = runLoaded(obj, 'skb_reads', { data: PKT, ctx: skbCtx(7, 3) });
    expect(globals(obj)).toMatchObject({ skb_mark: 3, skb_prio: 7, skb_len: 64, has_hwtstamp: 0, has_future: 0 });
    expect(r.retval).toBe(4);
  });

  it('task_struct: moved fields, pre-5.14 state, flavoured cred, missing in_iowait', () => {
    const rt = new Runtime();
    const obj = load(rt, open('core_reads'), { targetBtf: alt });
    // Lay out a task the other kernel's way at the current task's address (overwrites the built-in image).
    const task = new Uint8Array(alt.sizeof(alt.find('task_struct', BtfKind.STRUCT)[0]!.id));
    const dv = new DataView(task.buffer);
    const credAddr = CURRENT_TASK_ADDR + 0x800n;
    dv.setBigInt64(altOff('task_struct', 'state'), 2n, true); // TASK_UNINTERRUPTIBLE
    dv.setInt32(altOff('task_struct', 'pid'), 77, true);
    dv.setInt32(altOff('task_struct', 'tgid'), 76, true);
    dv.setBigUint64(altOff('task_struct', 'real_parent'), INIT_TASK_ADDR, true);
    dv.setBigUint64(altOff('task_struct', 'cred'), credAddr, true);
    task.set(new TextEncoder().encode('old-kernel'), altOff('task_struct', 'comm'));
    rt.kmem.map(CURRENT_TASK_ADDR, task);
    const cred = new Uint8Array(16);
    new DataView(cred.buffer).setUint32(altOff('cred___v2', 'uid'), 555, true);
    rt.kmem.map(credAddr, cred);
    // init_task's pid sits at the other offset too: put 1 there.
    const one = new Uint8Array(4);
    one[0] = 1;
    rt.kmem.map(INIT_TASK_ADDR + BigInt(altOff('task_struct', 'pid')), one);

    expect(runLoaded(obj, 'task_reads', {}).retval).toBe(77);
    const g = globals(obj);
    expect(g).toMatchObject({ pid: 77, tgid: 76, ppid: 1, uid: 555, comm: 'old-kernel', old_layout: 1, state: 2, has_iowait: 0 });
    expect(g.comm_off).toBe(altOff('task_struct', 'comm'));
    expect(g.pid_off).toBe(altOff('task_struct', 'pid'));
  });

  it('the branch for the other layout holds a poisoned relocation that never runs', () => {
    const obj = load(new Runtime(), open('core_reads'), { targetBtf: alt });
    const p = obj.program('task_reads').program;
    expect([...(p.coreFailures?.values() ?? [])].some((m) => /struct task_struct\.__state not found/.test(m))).toBe(true);
    const builtin = load(new Runtime(), open('core_reads')).program('task_reads').program;
    expect([...(builtin.coreFailures?.values() ?? [])].some((m) => /task_struct___pre514\.state/.test(m))).toBe(true);
  });
});

/** Local helper so tests can read a struct of a BTF by name. */
export function structId(btf: Btf, name: string): number {
  return btf.find(name, BtfKind.STRUCT)[0]!.id;
}
