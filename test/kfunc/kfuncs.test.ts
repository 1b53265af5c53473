// The kfunc table (helpers/kfuncs.ts): resolution by name through the object's .ksyms externs and
// the built-in kernel BTF, libbpf's prototype check, faults that name the kfunc, the casts, and
// that the verifier still refuses kfuncs it does not check yet. The iterators' semantics are
// diffed against the host kernel in test/agreement (cases kf_*, test/progs/kfunc/kf_iter.c).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runLoaded } from '../../src/test-run-api.js';
import { LinkError, VmFault } from '../../src/errors.js';
import { builtinBtf } from '../../src/btf/builtin.js';
import { BtfKind } from '../../src/btf/btf.js';
import { vmlinuxHeader } from '../../src/btf/vmlinux-header.js';
import { KF, KFUNCS, kfuncByName, kfuncFlagBits } from '../../helpers/kfuncs.js';
import { PseudoCall } from '../../vm/isa.js';
import { helperByName } from '../../helpers/table.js';
import { PROGS } from '../loader/helpers.js';

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
  it('an implemented kfunc call carries its built-in BTF id; the verifier still refuses it by name', () => {
    const rt = new Runtime();
    const obj = load(rt, openKf('kf_iter'));
    const p = obj.program('iter_sum');
    const call = p.program.insns.find((i) => i.code === 0x85 && i.src === PseudoCall.KFUNC)!;
    expect(builtinBtf().type(call.imm).name).toBe('bpf_iter_num_new');
    expect(p.program.kfuncNames?.get(p.program.insns.indexOf(call))).toBe('bpf_iter_num_new');
    const v = p.verify();
    expect(v.accepted).toBe(false);
    expect(v.error).toMatch(/kfunc bpf_iter_num_new is not yet verified by ebpfvm/);
    // unverified, it runs: the sum over 0..len-1 folded by 31, as the host kernel computed it
    const res = runLoaded(obj, 'iter_sum', { data: new Uint8Array(20) });
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
    expect(runLoaded(obj, 'kern_regs', { args: [4, 5] }).retval).toBe(4 * 3 + 5 + 1000);
  });
  it('bpf_cast_to_kern_ctx in tc faults naming struct sk_buff, which the VM does not model', () => {
    const obj = load(new Runtime(), openKf('kf_cast_skb'));
    const run = () => runLoaded(obj, 'kern_skb', { data: new Uint8Array(64) });
    expect(run).toThrow(VmFault);
    expect(run).toThrow(/bpf_cast_to_kern_ctx: the VM does not model the kernel's struct sk_buff/);
  });
});
