// kfunc calls (the kernel's check_kfunc_call / check_kfunc_args), checked from the kfunc table
// (helpers/kfuncs.ts): registration for the program type, KF_SLEEPABLE, scalar arguments (`__k`
// constants, `__ign` skipped), bpf_cast_to_kern_ctx's ctx argument, the rcu read-side region,
// R0-R5 clobbered, the return typed from the prototype (a scalar, `void *` as a scalar, the two
// casts' BTF pointers). Allocated objects and graphs (bpf_obj_new/drop, bpf_refcount_acquire,
// bpf_list_*, bpf_rbtree_*, with their references) are verifier/graph.ts, open-coded iterators
// (KF_ITER_NEW/NEXT/DESTROY) verifier/iters.ts. Other references (KF_ACQUIRE / KF_RELEASE), other
// pointer arguments and struct pointer returns are refused by name
// (`kfunc NAME is not yet verified by ebpfvm`): accepting them unchecked would let unsafe
// programs through. bpf_throw's exception exit is verifier/exceptions.ts, dynptrs verifier/dynptr.ts.
import { KF, kernCtxStruct, kfuncAllowed, kfuncFlagBits, type KfuncEntry } from '../helpers/kfuncs.js';
import type { Insn } from '../vm/isa.js';
import { Reg, RegFlag, RegType, regTypeName } from './state.js';
import type { Verifier } from './verifier.js';
import { checkGraphKfunc, isGraphKfunc } from './graph.js';
import { THROW_KFUNC, checkThrowCookie } from './exceptions.js';
import { checkDynptrKfunc, isDynptrKfunc } from './dynptr.js';
import { releaseReference } from './refs.js';
import { checkCpumaskPopulate, checkKobjArgs, finishKobjCall, inSleepable, isKobjKfunc, rcuUnlockInvalidate } from './kobj.js';
import { isIterKfunc, iterNextCall, iterStruct, processIterArg, type IterArg } from './iters.js';
import { checkCryptoKfunc, isCryptoKfunc } from './crypto.js';
import { checkWqKfunc, isWqKfunc } from './wq.js';
import { checkSockAddrKfunc, isSockAddrKfunc } from './sockaddr.js';

/** A KF_RELEASE kfunc whose one argument is a pointer to a kernel struct (bpf_task_release,
 *  bpf_kfunc_call_test_release): the struct it releases, else undefined. */
function releasedStruct(k: KfuncEntry): string | undefined {
  if (!(kfuncFlagBits(k) & KF.KF_RELEASE) || k.params.length !== 1 || statefulFamily(k)) return undefined;
  return /^struct (\w+) \*$/.exec(k.params[0]![0])?.[1];
}

/** check_kfunc_args for such a release: a referenced, non-NULL PTR_TO_BTF_ID of that struct at
 *  offset zero (what bpf_kptr_xchg hands back from a kptr field), whose reference ends here. */
function checkObjectRelease(v: Verifier, k: KfuncEntry, struct: string): void {
  v.readReg(1);
  const r = v.regs[1]!;
  if (r.isNullConst() || r.maybeNull) v.reject('Possibly NULL pointer passed to trusted arg0', false, 13);
  if (r.type !== RegType.BTF_ID) v.reject(`arg#0 is ${regTypeName(r)} expected ptr_ or socket`, false, 22);
  if (!r.refId) v.reject(`release kernel function ${k.name} expects refcounted PTR_TO_BTF_ID`, false, 22);
  if (r.off || !r.s.isConst() || r.s.constValue() !== 0n) v.reject('R1 must have zero offset when passed to release func or trusted arg to kfunc', false, 22);
  if (r.btfName !== struct) v.reject(`kernel function ${k.name} args#0 expected pointer to STRUCT ${struct} but R1 has a pointer to STRUCT ${r.btfName}`, false, 22);
  releaseReference(v, r.refId);
  for (let i = 1; i <= 5; i++) v.setReg(i, new Reg());
  v.setReg(0, new Reg());
}

/** Families whose state the verifier does not track yet (issue 12). */
function statefulFamily(k: KfuncEntry): boolean {
  // Open-coded iterators: verifier/iters.ts.
  if (isIterKfunc(k)) return iterStruct(k) === undefined;
  const types = [k.ret, ...k.params.map((p) => p[0])].join(' ');
  return /\bbpf_(dynptr|iter_|rb_|list_|refcount)/.test(types) || /^bpf_(obj_|percpu_obj_|refcount_|rbtree_|list_)/.test(k.name);
}

/** A `__map` argument (check_kfunc_args' KF_ARG_PTR_TO_MAP, then process_kf_arg_ptr_to_btf_id
 *  with struct bpf_map): NULL is refused for KF_TRUSTED_ARGS kfuncs, a map pointer or a trusted
 *  struct bpf_map pointer is taken, anything else named as the kernel names it. */
function checkMapArg(v: Verifier, k: KfuncEntry, i: number, regno: number): void {
  const r = v.regs[regno]!;
  const trustedArgs = (kfuncFlagBits(k) & KF.KF_TRUSTED_ARGS) !== 0;
  if (trustedArgs && ((r.type === RegType.SCALAR && r.s.isConst() && r.s.constValue() === 0n) || r.maybeNull)) v.reject(`Possibly NULL pointer passed to trusted arg${i}`, false, 13);
  if (r.type === RegType.MAP_PTR) return;
  if (r.type === RegType.BTF_ID && (r.flags & RegFlag.UNTRUSTED) === 0) {
    if (r.btfName !== 'bpf_map') v.reject(`kernel function ${k.name} args#${i} expected pointer to STRUCT bpf_map but R${regno} has a pointer to STRUCT ${r.btfName}`, false, 22);
    return;
  }
  v.reject(`arg#${i} is ${regTypeName(r)} expected ${r.type === RegType.BTF_ID ? 'ptr_' : regTypeName(r)} or socket`, false, 22);
}

/** Kernel scalar types of the table's prototypes (btf_type_is_scalar: ints, enums, bool). */
const isPointerType = (t: string): boolean => t.includes('*');

export function checkKfuncCall(v: Verifier, insn: Insn): void {
  const name = v.input.kfuncName?.(insn.imm) ?? `kfunc#${insn.imm}`;
  const k = v.input.kfunc?.(insn.imm);
  const notYet: () => never = () => v.reject(`kfunc ${name} is not yet verified by ebpfvm`, false, 22);
  if (k && isGraphKfunc(k.name)) {
    // Allocated objects and graphs: verifier/graph.ts (registration and sleepability first).
    if (k.progTypes !== 'all' && !k.progTypes.includes(v.input.progType)) v.reject(`calling kernel function ${k.name} is not allowed`, false, 13);
    if (kfuncFlagBits(k) & KF.KF_SLEEPABLE && !inSleepable(v)) v.reject(`program must be sleepable to call sleepable kfunc ${k.name}`, false, 13);
    checkGraphKfunc(v, insn, k);
    return;
  }
  if (k && isDynptrKfunc(k.name)) {
    // Dynptrs: verifier/dynptr.ts (registration first).
    if (k.progTypes !== 'all' && !k.progTypes.includes(v.input.progType)) v.reject(`calling kernel function ${k.name} is not allowed`, false, 13);
    checkDynptrKfunc(v, k);
    return;
  }
  if (k && isKobjKfunc(k.name)) {
    // Task and cgroup objects: verifier/kobj.ts.
    if (!kfuncAllowed(k, v.input.progType, v.input.expectedAttachType ?? 0)) v.reject(`calling kernel function ${k.name} is not allowed`, false, 13);
    if (kfuncFlagBits(k) & KF.KF_SLEEPABLE && !inSleepable(v)) v.reject(`program must be sleepable to call sleepable kfunc ${k.name}`, false, 13);
    if (k.name === 'bpf_cpumask_populate') return checkCpumaskPopulate(v, k);
    const { releaseRef } = checkKobjArgs(v, k);
    finishKobjCall(v, k, releaseRef);
    return;
  }
  if (k && isWqKfunc(k.name)) {
    // bpf_wq: verifier/wq.ts (registered for every program type).
    checkWqKfunc(v, k, `${k.name}#${insn.imm}`);
    return;
  }
  if (k && isSockAddrKfunc(k.name)) {
    // bpf_sock_addr_set_sun_path: verifier/sockaddr.ts.
    if (!kfuncAllowed(k, v.input.progType, v.input.expectedAttachType ?? 0)) v.reject(`calling kernel function ${k.name} is not allowed`, false, 13);
    checkSockAddrKfunc(v, k);
    return;
  }
  if (k && isCryptoKfunc(k.name)) {
    // The crypto kfuncs: verifier/crypto.ts.
    if (k.progTypes !== 'all' && !k.progTypes.includes(v.input.progType)) v.reject(`calling kernel function ${k.name} is not allowed`, false, 13);
    if (kfuncFlagBits(k) & KF.KF_SLEEPABLE && !inSleepable(v)) v.reject(`program must be sleepable to call sleepable kfunc ${k.name}`, false, 13);
    if (kfuncFlagBits(k) & KF.KF_SLEEPABLE && v.st.rcuLock) v.reject(`kernel func ${k.name} is sleepable within rcu_read_lock region`, false, 13);
    checkCryptoKfunc(v, k);
    return;
  }
  const released = k ? releasedStruct(k) : undefined;
  if (k && released) {
    if (k.progTypes !== 'all' && !k.progTypes.includes(v.input.progType)) v.reject(`calling kernel function ${k.name} is not allowed`, false, 13);
    checkObjectRelease(v, k, released);
    return;
  }
  // Other references (KF_ACQUIRE / KF_RELEASE) come with trusted pointer arguments and struct returns,
  // which are not checked yet: refused with the stateful families.
  if (!k || statefulFamily(k) || kfuncFlagBits(k) & (KF.KF_ACQUIRE | KF.KF_RELEASE)) notYet();
  if (!kfuncAllowed(k, v.input.progType, v.input.expectedAttachType ?? 0)) v.reject(`calling kernel function ${k.name} is not allowed`, false, 13);
  const flags = kfuncFlagBits(k);
  const sleepable = (flags & KF.KF_SLEEPABLE) !== 0;
  if (sleepable && !inSleepable(v)) v.reject(`program must be sleepable to call sleepable kfunc ${k.name}`, false, 13);

  // check_kfunc_args.
  let constant: bigint | undefined;
  let iterArg: IterArg | undefined;
  k.params.forEach(([type, pname], i) => {
    const regno = i + 1;
    if (pname.endsWith('__ign')) return;
    v.readReg(regno);
    const r = v.regs[regno]!;
    // An iterator kfunc's first argument is its iterator (process_iter_arg).
    if (i === 0 && isIterKfunc(k)) {
      iterArg = processIterArg(v, k, regno);
      return;
    }
    if (!isPointerType(type)) {
      if (r.type !== RegType.SCALAR) v.reject(`R${regno} is not a scalar`);
      if (pname.endsWith('__k')) {
        if (!r.s.isConst()) v.reject(`R${regno} must be a known constant`);
        v.markPrecise(1 << regno);
        constant = r.s.constValue();
      }
      return;
    }
    if (k.name === 'bpf_cast_to_kern_ctx') {
      // KF_ARG_PTR_TO_CTX
      if (r.type !== RegType.CTX) v.reject(`arg#${i} expected pointer to ctx, but got ${regTypeName(r)}`);
      return;
    }
    if (pname.endsWith('__map')) {
      // KF_ARG_PTR_TO_MAP: a map pointer (CONST_PTR_TO_MAP, or a trusted struct bpf_map).
      checkMapArg(v, k, i, regno);
      return;
    }
    // Other pointer arguments (trusted/RCU BTF objects, memory with __sz sizes) are not checked yet.
    notYet();
  });

  if (k.name === THROW_KFUNC) checkThrowCookie(v);

  // The rcu read-side region (kernel active_rcu_lock).
  const rcuLock = k.name === 'bpf_rcu_read_lock';
  const rcuUnlock = k.name === 'bpf_rcu_read_unlock';
  if (v.st.rcuLock) {
    if (rcuLock) v.reject(`nested rcu read lock (kernel function ${k.name})`);
    else if (rcuUnlock) {
      rcuUnlockInvalidate(v.st);
      v.st.rcuLock = false;
    }
    else if (sleepable) v.reject(`kernel func ${k.name} is sleepable within rcu_read_lock region`, false, 13);
  } else if (rcuLock) v.st.rcuLock = true;
  else if (rcuUnlock) v.reject(`unmatched rcu read unlock (kernel function ${k.name})`);
  // The non-preemptible region (kernel active_preempt_locks): nested disables count.
  if (k.name === 'bpf_preempt_disable') v.st.preemptLocks++;
  else if (k.name === 'bpf_preempt_enable') {
    if (!v.st.preemptLocks) v.reject(`unmatched attempt to enable preemption (kernel function ${k.name})`);
    v.st.preemptLocks--;
  } else if (sleepable && v.st.preemptLocks) v.reject(`kernel func ${k.name} is sleepable within non-preemptible region`);

  // The return value, after R0-R5 are clobbered (caller_saved).
  let r0 = new Reg();
  if (k.name === 'bpf_cast_to_kern_ctx') {
    const struct = kernCtxStruct(v.input.progType);
    // The kernel logs the BTF id of the non-struct type; ebpfvm's built-in BTF has other ids.
    if (!struct) v.reject('kern ctx type of this program type is not a struct', false, 22);
    const t = v.input.kernelType?.(struct);
    if (t?.kind !== 'struct') v.reject(`kfunc ${k.name}: struct ${struct}, the kernel context of this program type, is not in ebpfvm's kernel BTF`, false, 22);
    r0 = Reg.ptr(RegType.BTF_ID, RegFlag.TRUSTED);
    r0.btfName = t.name;
    r0.btfSize = t.size;
  } else if (k.name === 'bpf_rdonly_cast') {
    const t = v.input.kernelType?.(Number(BigInt.asUintN(32, constant ?? 0n)));
    if (t?.kind === 'struct') {
      r0 = Reg.ptr(RegType.BTF_ID, RegFlag.UNTRUSTED);
      r0.btfName = t.name;
      r0.btfSize = t.size;
    } else if (t?.kind === 'void') {
      // 6.15+: a cast to void gives read-only untrusted memory of size 0 (loads are probed).
      r0 = Reg.ptr(RegType.MEM, RegFlag.RDONLY | RegFlag.UNTRUSTED);
    } else v.reject('kfunc bpf_rdonly_cast type ID argument must be of a struct or void', false, 22);
  } else if (flags & KF.KF_ITER_NEXT && iterArg) {
    // The element pointer and the fork of process_iter_next_call (verifier/iters.ts).
    for (let r = 1; r <= 5; r++) v.setReg(r, new Reg());
    iterNextCall(v, k, iterArg, v.findPrevEntry(v.pc)?.state);
    return;
  } else if (k.name === 'bpf_session_cookie') {
    // PTR_TO_MEM of the session's u64, writable (check_kfunc_call sets r0_rdonly false for it)
    r0 = Reg.ptr(RegType.MEM, 0);
    r0.memSize = 8;
  } else if (k.ret === 'void' || k.ret === 'void *' || !isPointerType(k.ret)) {
    // `void *` returns are scalars for the kernel too; void leaves R0 uninitialised.
    if (k.ret !== 'void') r0 = Reg.unknown();
  } else notYet();
  for (let r = 1; r <= 5; r++) v.setReg(r, new Reg());
  v.setReg(0, r0);
}
