// The kfunc table (helpers/kfuncs.ts): resolution by name through the object's .ksyms externs and
// the built-in kernel BTF, libbpf's prototype check, faults that name the kfunc, the casts, and
// that the verifier checks the iterators (verifier/iters.ts). The iterators' semantics are
// diffed against the host kernel in test/agreement (cases kf_*, test/progs/kfunc/kf_iter.c).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runLoaded } from '../../src/test-run-api.js';
import { LinkError } from '../../src/errors.js';
import { builtinBtf } from '../../src/btf/builtin.js';
import { BtfKind } from '../../src/btf/btf.js';
import { vmlinuxHeader } from '../../src/btf/vmlinux-header.js';
import { KF, KFUNCS, kfuncByName, kfuncFlagBits } from '../../helpers/kfuncs.js';
import { PseudoCall } from '../../vm/isa.js';
import { helperById, helperByName } from '../../helpers/table.js';
import type { HelperCall } from '../../helpers/types.js';
import { PROGS } from '../loader/helpers.js';

/** Just enough of a HelperCall for calling one implementation with fixed r1-r5. */
function fakeCall(rt: Runtime, regs: readonly number[]): HelperCall {
  const r = (i: number) => BigInt(regs[i - 1] ?? 0);
  return {
    u64: r,
    s64: r,
    u32: (i) => Number(r(i) & 0xffffffffn),
    s32: (i) => Number(BigInt.asIntN(32, r(i))),
    ptr: (i) => Number(r(i)),
    arena: rt.arena,
    state: new Map(),
  } as Partial<HelperCall> as HelperCall;
}

const openKf = (name: string) => openObject(new Uint8Array(readFileSync(join(PROGS, 'kfunc', `${name}.o`))), { name });

describe('kfunc table', () => {
  it('every entry has a FUNC in the built-in BTF with its prototype, and the kernel flag bits', () => {
    const btf = builtinBtf();
    for (const k of KFUNCS) {
      // the RFC's rbtree helper of the same name keeps bpf_rbtree_first's FUNC
      if (helperByName(k.name)) continue;
      const f = btf.find(k.name, BtfKind.FUNC)[0];
      expect(f, k.name).toBeDefined();
      const proto = btf.type(f!.sizeOrType);
      expect(proto.params!.map((p) => p.name), k.name).toEqual(k.params.map(([, n]) => n));
    }
    expect(kfuncFlagBits(kfuncByName('bpf_iter_num_next')!)).toBe(KF.KF_ITER_NEXT | KF.KF_RET_NULL);
    expect(KF.KF_ITER_NEXT | KF.KF_RET_NULL).toBe(0x204);
    expect(kfuncFlagBits(kfuncByName('bpf_task_acquire')!)).toBe(0x1 | 0x4 | 0x80);
  });
  it('vmlinux.h declares the iterator structs and kfunc prototypes, as committed', () => {
    const h = vmlinuxHeader();
    expect(h).toContain('struct bpf_iter_num {');
    expect(h).toMatch(/extern int \*bpf_iter_num_next\(struct bpf_iter_num \*it\) __weak __ksym;/);
    expect(readFileSync(join(import.meta.dirname, '..', '..', 'include', 'vmlinux.h'), 'utf8')).toBe(h);
  });
});

describe('kfunc resolution at load', () => {
  it('an implemented kfunc call carries its built-in BTF id; the iterator loop is verified and runs', () => {
    const rt = new Runtime();
    const obj = load(rt, openKf('kf_iter'));
    const p = obj.program('iter_sum');
    const call = p.program.insns.find((i) => i.code === 0x85 && i.src === PseudoCall.KFUNC)!;
    expect(builtinBtf().type(call.imm).name).toBe('bpf_iter_num_new');
    expect(p.program.kfuncNames?.get(p.program.insns.indexOf(call))).toBe('bpf_iter_num_new');
    // verifier/iters.ts: the loop over an unknown bound converges at bpf_iter_num_next
    const v = p.verify();
    expect(v.error).toBeUndefined();
    expect(v.accepted).toBe(true);
    // it runs: the sum over 0..len-1 folded by 31, as the host kernel computed it
    const res = runLoaded(obj, 'iter_sum', { data: new Uint8Array(20) }, { verify: true });
    let acc = 0n;
    for (let i = 0n; i < 20n; i++) acc = BigInt.asUintN(64, acc * 31n + i);
    expect(BigInt(res.retval)).toBe(acc & 0x7fffffffn);
  });
  it('a strong kfunc whose prototype differs from the kernel one is refused; a weak one stays unresolved and faults by name', () => {
    const spec = openKf('kf_bad_proto');
    const e = (() => {
      try {
        load(new Runtime(), spec, { programs: ['strong_bad'] });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(LinkError);
    expect(String((e as Error).message)).toMatch(/extern \(func ksym\) 'bpf_iter_num_destroy'.*func_proto \[\d+\] incompatible with kernel \[\d+\]/);
    const rt = new Runtime();
    const obj = load(rt, spec, { programs: ['weak_bad'] });
    expect(obj.program('weak_bad').program.insns.find((i) => i.code === 0x85)).toMatchObject({ src: PseudoCall.KFUNC, imm: 0 });
    expect(() => runLoaded(obj, 'weak_bad', {})).toThrow(/call to kfunc bpf_rdonly_cast, a weak extern this runtime does not implement/);
  });
});

describe('casts', () => {
  it('bpf_cast_to_kern_ctx in a kprobe returns the pt_regs context itself', () => {
    const obj = load(new Runtime(), openKf('kf_cast'));
    // verified: the result is a trusted pt_regs pointer, its fields read through the built-in BTF
    expect(obj.program('kern_regs').verify().accepted).toBe(true);
    expect(obj.program('rdonly').verify().accepted).toBe(true);
    expect(runLoaded(obj, 'kern_regs', { args: [4, 5] }).retval).toBe(4 * 3 + 5 + 1000);
  });
  it('bpf_cast_to_kern_ctx in tc returns the skb, whose kernel view is laid over __sk_buff', () => {
    const obj = load(new Runtime(), openKf('kf_cast_skb'));
    // verified: a trusted sk_buff pointer, its len read through the built-in BTF
    expect(obj.program('kern_skb').verify().accepted).toBe(true);
    // the host kernel returns 64 too: skb->len of a 64-byte tc packet
    expect(runLoaded(obj, 'kern_skb', { data: new Uint8Array(64) }).retval).toBe(64);
  });
});

describe('dynptrs', () => {
  it('the verifier accepts the dynptr programs (verifier/dynptr.ts); verified they run as on the host kernel (fixtures kf_dynptr_*)', () => {
    const obj = load(new Runtime(), openKf('kf_dynptr'));
    for (const p of ['dynptr_local', 'dynptr_ring']) expect(obj.program(p).verify().error).toBeUndefined();
    const pkt = load(new Runtime(), openKf('kf_dynptr_pkt'));
    for (const p of ['dyn_tc', 'dyn_xdp', 'dyn_sf']) expect(pkt.program(p).verify().error).toBeUndefined();
    const res = runLoaded(obj, 'dynptr_ring', {}, { verify: true });
    expect(res.retval).toBe(0);
    // the one submitted record: 16 bytes, "ebpfvm" at offset 2
    expect(res.output.ringbuf.map((r) => [r.map, Buffer.from(r.data).toString('hex')])).toEqual([['rb', '000065627066766d0000000000000000']]);
  });
  it('a dynptr whose bytes were forged to point outside the arena faults instead of reading', () => {
    const obj = load(new Runtime(), openKf('kf_dynptr'));
    // dynptr_local run once builds real dynptrs; a forged one is made by hand below
    const rt = obj.runtime;
    const at = rt.arena.alloc(16, { kind: 'other', name: 'forged dynptr' });
    const dv = rt.arena.dv;
    dv.setBigUint64(at, 0xffff888000000000n, true);
    dv.setUint32(at + 8, (1 << 28) | 64, true);
    const call = fakeCall(rt, [0, 8, at, 0, 0]);
    const read = helperById(201)!;
    expect(() => read.impl(call)).toThrow(/dynptr_read: dynptr data 0xffff888000000000 is not arena memory/);
  });
});
