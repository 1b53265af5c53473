// Kernel-object kfuncs and pointers (the kernel's check_kfunc_args KF_ARG_PTR_TO_BTF_ID path,
// check_kfunc_call's struct-pointer returns and check_ptr_to_btf_access's trust rules), with
// Linux 6.18's messages:
//  - kfuncs whose pointer arguments are kernel structs (bpf_task_acquire/release,
//    bpf_task_from_pid, bpf_cgroup_*: helpers/task-kfuncs.ts): a KF_TRUSTED_ARGS, KF_RELEASE or
//    KF_RCU argument may not be NULL (`Possibly NULL pointer passed to trusted argN`) and must be
//    trusted (referenced, PTR_TRUSTED, MEM_ALLOC) or, for KF_RCU, an rcu pointer (MEM_RCU); a
//    pointer that is not a PTR_TO_BTF_ID (stack, map value) is the catch-all memory argument,
//    which a struct of non-scalars cannot be; the struct must be the parameter's; a release needs
//    a referenced pointer at offset 0 and ends its reference. KF_ACQUIRE returns take a
//    reference (maybe NULL with KF_RET_NULL).
//  - Loads of pointer members from trusted or rcu kernel pointers (walkedPointerFlags): the
//    kernel's BTF_TYPE_SAFE_TRUSTED / _RCU / _RCU_OR_NULL allow lists keep trust (task->
//    group_leader, task->real_parent, cgroup->kn, ...); any other member is untrusted.
//  - Referenced kptrs of rcu-protected kernel types (task_struct, cgroup) load as maybe-NULL rcu
//    pointers in an rcu read-side section (every non-sleepable program is one), and
//    bpf_rcu_read_unlock turns rcu pointers untrusted (rcuUnlockInvalidate).
import { KF, kfuncFlagBits, type KfuncEntry } from '../helpers/kfuncs.js';
import { acquireReference, releaseReference } from './refs.js';
import { isTcpCaKfunc } from '../helpers/tcp-ca.js';
import { Reg, RegFlag, RegType, regTypeName, type VState } from './state.js';
import { formatTnum } from './tnum.js';
import { kfuncMemSize } from './dynptr.js';
import type { Verifier } from './verifier.js';

/** The kfuncs checked here: every pointer parameter and a pointer return are kernel structs. */
const KOBJ_KFUNCS = new Set([
  'bpf_task_acquire', 'bpf_task_release', 'bpf_task_from_pid', 'bpf_task_from_vpid',
  'bpf_cgroup_acquire', 'bpf_cgroup_release', 'bpf_cgroup_ancestor', 'bpf_cgroup_from_id',
  'bpf_task_under_cgroup', 'bpf_task_get_cgroup1', 'bpf_map_sum_elem_count', 'bpf_sock_destroy',
]);
/** ... and the TCP congestion-control kfuncs (helpers/tcp-ca.ts): sockets and their samples, and
 *  the cpumask kfuncs (helpers/cpumask.ts): struct bpf_cpumask and struct cpumask. */
export const isKobjKfunc = (name: string): boolean => KOBJ_KFUNCS.has(name) || isTcpCaKfunc(name) || name.startsWith('bpf_cpumask_');

/** Kernel structs of scalars only (__btf_type_is_scalar_struct) among the kobj kfuncs' parameters. */
const SCALAR_STRUCTS = new Set(['cpumask', 'bpf_cpumask']);

/** rcu_protected_types: kptrs of these kernel types are rcu-safe (btf_ld_kptr_type). */
const RCU_PROTECTED = new Set(['task_struct', 'cgroup', 'bpf_cpumask', 'prog_test_ref_kfunc', 'bpf_crypto_ctx']);
export const isRcuProtectedKptr = (typeName: string): boolean => RCU_PROTECTED.has(typeName);

/** The kernel's allow lists (verifier.c BTF_TYPE_SAFE_*): struct -> members that keep trust. */
const SAFE_TRUSTED: Readonly<Record<string, readonly string[]>> = {
  bpf_iter_meta: ['seq'],
  bpf_iter__task: ['meta', 'task'],
  linux_binprm: ['file'],
  file: ['f_inode'],
  dentry: ['d_inode'],
};
const SAFE_TRUSTED_OR_NULL: Readonly<Record<string, readonly string[]>> = { socket: ['sk'] };
const SAFE_RCU: Readonly<Record<string, readonly string[]>> = {
  task_struct: ['cpus_ptr', 'cgroups', 'real_parent', 'group_leader'],
  cgroup: ['kn'],
  css_set: ['dfl_cgrp'],
};
const SAFE_RCU_OR_NULL: Readonly<Record<string, readonly string[]>> = { mm_struct: ['exe_file'], sk_buff: ['sk'], request_sock: ['sk'] };
const listed = (l: Readonly<Record<string, readonly string[]>>, s: string, m: string): boolean => l[s]?.includes(m) ?? false;

const TRUSTED_MODIFIERS = RegFlag.MEM_ALLOC | RegFlag.TRUSTED | RegFlag.NON_OWN;

/** is_trusted_reg: referenced, or only trusted modifiers (MEM_ALLOC, PTR_TRUSTED, NON_OWN_REF);
 *  the socket types (reg2btf_ids) without unsafe modifiers. */
export function isTrustedReg(r: Reg): boolean {
  if (r.refId) return true;
  if (r.type === RegType.SOCKET || r.type === RegType.SOCK_COMMON || r.type === RegType.TCP_SOCK) return r.flags === 0;
  return r.type === RegType.BTF_ID && (r.flags & TRUSTED_MODIFIERS) !== 0 && (r.flags & ~TRUSTED_MODIFIERS) === 0;
}
const isRcuReg = (r: Reg): boolean => (r.flags & RegFlag.MEM_RCU) !== 0;

/** in_sleepable: a sleepable program, or a path in a bpf_wq callback (verifier/wq.ts). */
export function inSleepable(v: Verifier): boolean {
  return (v.input.sleepable ?? false) || v.st.inSleepable;
}

/** in_rcu_cs: an rcu read-side section, a held spin lock, or a non-sleepable context. */
export function inRcuCs(v: Verifier): boolean {
  return v.st.rcuLock || v.st.lock !== undefined || !inSleepable(v);
}

/** check_ptr_to_btf_access: the flags of a pointer loaded from member `member` of a kernel
 *  struct through `reg` (6.18: a member outside the allow lists is untrusted, and so is any
 *  member of a plain pointer). */
export function walkedPointerFlags(v: Verifier, reg: Reg, member: string | undefined): number {
  if (reg.flags & RegFlag.UNTRUSTED || member === undefined) return RegFlag.UNTRUSTED;
  // A plain pointer (neither trusted, rcu nor referenced: bpf_skc_to_tcp_sock's return) walks
  // to an untrusted one on 6.18, which a helper taking a kernel pointer refuses; 6.12's "old
  // compat" branch left it plain (test/progs/verifier/walk_trust.c).
  if (!isTrustedReg(reg) && !isRcuReg(reg)) return RegFlag.UNTRUSTED;
  const s = reg.btfName;
  if (isTrustedReg(reg) && listed(SAFE_TRUSTED, s, member)) return RegFlag.TRUSTED;
  if (isTrustedReg(reg) && listed(SAFE_TRUSTED_OR_NULL, s, member)) return RegFlag.TRUSTED | RegFlag.MAYBE_NULL;
  if (inRcuCs(v) && !reg.maybeNull) {
    if (listed(SAFE_RCU, s, member)) return RegFlag.MEM_RCU;
    if (listed(SAFE_RCU_OR_NULL, s, member)) return RegFlag.MEM_RCU | RegFlag.MAYBE_NULL;
  }
  return RegFlag.UNTRUSTED;
}

/** bpf_rcu_read_unlock: every rcu pointer becomes untrusted (and no longer maybe-NULL). */
export function rcuUnlockInvalidate(s: VState): void {
  const fix = (r: Reg | undefined): Reg | undefined => {
    if (!r || !(r.flags & RegFlag.MEM_RCU)) return undefined;
    const n = r.clone();
    n.flags = (n.flags & ~(RegFlag.MEM_RCU | RegFlag.MAYBE_NULL)) | RegFlag.UNTRUSTED;
    return n;
  };
  for (const f of s.frames) {
    for (let i = 0; i < 11; i++) {
      const n = fix(f.regs[i]);
      if (n) f.regs[i] = n;
    }
    for (let k = 0; k < f.spills.length; k++) {
      const n = fix(f.spills[k]);
      if (n) f.spills[k] = n;
    }
  }
}

const structOf = (type: string): string | undefined => /^(?:const )?struct (\w+) \*$/.exec(type)?.[1];

/** check_kfunc_args + the release and return of check_kfunc_call, for KOBJ_KFUNCS. Registration,
 *  sleepability and the rcu region are the caller's (verifier/kfuncs.ts). */
export function checkKobjArgs(v: Verifier, k: KfuncEntry): { releaseRef: number } {
  const flags = kfuncFlagBits(k);
  const release = (flags & KF.KF_RELEASE) !== 0;
  const trusted = (flags & KF.KF_TRUSTED_ARGS) !== 0 || release;
  const rcu = (flags & KF.KF_RCU) !== 0;
  let releaseRegno = 0;
  k.params.forEach(([type, pname], i) => {
    const regno = i + 1;
    v.readReg(regno);
    const r = v.regs[regno]!;
    const struct = structOf(type);
    if (!struct) {
      if (r.type !== RegType.SCALAR) v.reject(`R${regno} is not a scalar`, false, 22);
      return;
    }
    void pname;
    if ((trusted || rcu) && (r.isNullConst() || r.maybeNull)) v.reject(`Possibly NULL pointer passed to trusted arg${i}`, false, 13);
    if (r.refId && release) releaseRegno = regno;
    // get_kfunc_ptr_arg_type: a BTF pointer (or a socket) is KF_ARG_PTR_TO_BTF_ID; anything else
    // is memory, which must point to scalars.
    const btfLike = r.type === RegType.BTF_ID || r.type === RegType.SOCKET || r.type === RegType.SOCK_COMMON || r.type === RegType.TCP_SOCK;
    if (!btfLike && SCALAR_STRUCTS.has(struct)) {
      // A struct of scalars (struct cpumask, struct bpf_cpumask) is memory to the kernel then
      // (KF_ARG_PTR_TO_MEM); Linux 6.18 still wants a trusted argument of a trusted-args kfunc
      // (a released mask: checked on the host, test/progs/verifier/cpumask.c).
      if (trusted) v.reject(`R${regno} must be referenced or trusted`, false, 22);
      if (r.type === RegType.SCALAR) v.reject(`R${regno} type=scalar expected=fp`, false, 13);
      v.reject(`kfunc ${k.name} arg#${i}: a struct ${struct} in program memory is not yet verified by ebpfvm`, false, 22);
    }
    if (!btfLike) v.reject(`arg#${i} pointer type STRUCT ${struct} must point to scalar, or struct with scalar`, false, 22);
    if ((trusted || rcu) && !isTrustedReg(r)) {
      if (!rcu) v.reject(`R${regno} must be referenced or trusted`, false, 22);
      if (!isRcuReg(r)) v.reject(`R${regno} must be a rcu pointer`, false, 22);
    }
    // check_func_arg_reg_off.
    const varZero = r.s.isConst() && r.s.constValue() === 0n;
    if (release && r.refId) {
      if (r.off) v.reject(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`, false, 22);
    } else if (r.off < 0) v.reject(`negative offset ${regTypeName(r)} ptr R${regno} off=${r.off} disallowed`, false, 13);
    if (!varZero) v.reject(`variable ${regTypeName(r)} access var_off=${formatTnum(r.s.varOff)} disallowed`, false, 13);
    const unsafe = (r.flags & ~TRUSTED_MODIFIERS) !== 0;
    if (r.type !== RegType.BTF_ID || (unsafe && !isRcuReg(r))) {
      if (r.type === RegType.BTF_ID) v.reject(`arg#${i} is ${regTypeName(r)} expected ${regTypeName(Object.assign(r.clone(), { flags: r.flags & TRUSTED_MODIFIERS }))} or socket`, false, 22);
    }
    // process_kf_arg_ptr_to_btf_id: the struct (at the pointer's fixed offset: only 0 matches).
    const have = r.type === RegType.BTF_ID ? r.btfName : r.type === RegType.SOCKET ? 'sock' : r.type === RegType.TCP_SOCK ? 'tcp_sock' : 'sock_common';
    // btf_struct_ids_match: a reference a release takes must be of the struct itself; otherwise
    // a struct whose first member (at offset 0, recursively) is the expected one matches too.
    const strict = release && r.refId !== 0;
    if (!structIdsMatch(v, have, r.off, struct, strict))
      v.reject(`kernel function ${k.name} args#${i} expected pointer to STRUCT ${struct} but R${regno} has a pointer to STRUCT ${have}`, false, 22);
  });
  if (release && !releaseRegno) v.reject(`release kernel function ${k.name} expects refcounted PTR_TO_BTF_ID`, false, 22);
  return { releaseRef: releaseRegno ? v.regs[releaseRegno]!.refId : 0 };
}

/** btf_struct_ids_match: whether a pointer `off` bytes into struct `have` points to a `want`:
 *  `have` itself at offset 0, or (not strict) the struct member that begins at `off`, or the
 *  one that begins that one, and so on (&task->cpus_mask is a struct cpumask). */
export function structIdsMatch(v: Verifier, have: string, off: number, want: string, strict: boolean): boolean {
  if (off === 0 && have === want) return true;
  if (strict) return false;
  for (let s: string | undefined = have, depth = 0; s !== undefined && depth < 32; depth++) {
    if (v.input.structAt) s = v.input.structAt(s, off);
    else {
      // Inputs without the hook: only the first-member chain at offset 0.
      const t: ReturnType<NonNullable<typeof v.input.kernelType>> = off === 0 ? v.input.kernelType?.(s) : undefined;
      s = t?.kind === 'struct' ? t.first : undefined;
    }
    off = 0;
    if (s === want) return true;
  }
  return false;
}

/** bpf_cpumask_populate(cpumask, src, src__sz) (6.14+): the mask as a KF_RCU kernel-object
 *  argument, src and its size a memory/size pair (KF_ARG_PTR_TO_MEM_SIZE), not NULL (KF_RCU). The
 *  kernel takes any struct cpumask it trusts; ebpfvm writes only struct bpf_cpumasks (the kernel's
 *  own masks, a task's cpus_mask, are read-only here), so another is refused naming that. */
export function checkCpumaskPopulate(v: Verifier, k: KfuncEntry): void {
  checkKobjArgs(v, { ...k, params: [k.params[0]!] });
  if (v.regs[1]!.btfName !== 'bpf_cpumask') v.reject(`kfunc ${k.name}: R1 is a struct ${v.regs[1]!.btfName}, not a struct bpf_cpumask: ebpfvm populates only masks bpf_cpumask_create made`, false, 22);
  v.readReg(2);
  v.readReg(3);
  if (v.regs[2]!.isNullConst() || v.regs[2]!.maybeNull) v.reject('Possibly NULL pointer passed to trusted arg1', false, 13);
  kfuncMemSize(v, 2, 3);
  finishKobjCall(v, k, 0);
}

/** The release and the return value of a KOBJ kfunc, after the rcu-region bookkeeping. */
export function finishKobjCall(v: Verifier, k: KfuncEntry, releaseRef: number): void {
  if (releaseRef) releaseReference(v, releaseRef);
  for (let r = 1; r <= 5; r++) v.setReg(r, new Reg());
  const flags = kfuncFlagBits(k);
  const struct = structOf(k.ret);
  if (k.ret === 'void') {
    v.setReg(0, new Reg());
    return;
  }
  if (!struct) {
    v.setReg(0, Reg.unknown());
    return;
  }
  const t = v.input.kernelType?.(struct);
  const r0 = Reg.ptr(RegType.BTF_ID, 0);
  r0.btfName = struct;
  if (t?.kind === 'struct') r0.btfSize = t.size;
  if (flags & KF.KF_RET_NULL) {
    r0.flags |= RegFlag.MAYBE_NULL;
    r0.id = v.newId();
  }
  if (flags & KF.KF_ACQUIRE) {
    const id = v.newId();
    acquireReference(v, id, k.name);
    if (flags & KF.KF_RET_NULL) r0.id = id;
    r0.refId = id;
  }
  v.setReg(0, r0);
}
