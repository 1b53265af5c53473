// Mainline's allocated objects and graph kfuncs (kernel check_kfunc_args / check_kfunc_call for
// bpf_obj_new/drop, bpf_refcount_acquire, bpf_list_*, bpf_rbtree_*, and the bpf_kptr_xchg helper),
// with Linux 6.18's semantics and messages:
//  - bpf_obj_new(type id of the program's BTF) returns an owning reference: PTR_TO_BTF_ID |
//    MEM_ALLOC of that struct (acquired, maybe NULL); bpf_obj_drop releases it.
//  - Graph roots (bpf_list_head, bpf_rb_root) live in map values (global data too) or in
//    allocated objects; every graph kfunc needs the root's bpf_spin_lock held (`bpf_spin_lock at
//    off=N must be held for bpf_rb_root`), the lock of the same allocation (map and lookup id, or
//    the object's id).
//  - Nodes must be the root's `contains:T:field` type at that field's offset. Pushing or adding
//    an owning node turns every copy into a non-owning reference (readable and writable while the
//    lock is held) and releases the reference; bpf_spin_unlock invalidates all non-owning
//    references. pop/remove return owning references (acquired); first/front/back/root/left/right
//    non-owning ones. Non-owning refs of refcounted types are also MEM_RCU.
//  - bpf_rbtree_add_impl's less callback runs with two non-owning nodes; inside it no tree or
//    list kfunc that needs an owning node, no bpf_rbtree_remove, no lock or unlock.
//  - Loads and stores may not touch the special fields of an object (`direct access to
//    bpf_list_node is disallowed`) or of a map value (`bpf_list_head cannot be accessed directly
//    by load/store`); kptr fields of map values are read as maybe-NULL rcu pointers and written
//    only with NULL, and exchanged by bpf_kptr_xchg.
import { KF, kfuncFlagBits, type KfuncEntry } from '../helpers/kfuncs.js';
import type { Insn } from '../vm/isa.js';
import type { BtfField, BtfRecord, LocalType } from './env.js';
import { acquireReference, invalidatedReg, releaseReference } from './refs.js';
import { inRcuCs, isRcuProtectedKptr } from './kobj.js';
import { Frame, Reg, RegFlag, RegType, regTypeName, type VState } from './state.js';
import { formatTnum } from './tnum.js';
import type { Verifier } from './verifier.js';

/** The kfuncs this file checks (special_kfunc_set's object and graph members, 6.16+ included). */
const GRAPH_KFUNCS = new Set([
  'bpf_obj_new_impl', 'bpf_percpu_obj_new_impl', 'bpf_obj_drop_impl', 'bpf_percpu_obj_drop_impl', 'bpf_refcount_acquire_impl',
  'bpf_list_push_front_impl', 'bpf_list_push_back_impl', 'bpf_list_pop_front', 'bpf_list_pop_back', 'bpf_list_front', 'bpf_list_back',
  'bpf_rbtree_add_impl', 'bpf_rbtree_remove', 'bpf_rbtree_first', 'bpf_rbtree_root', 'bpf_rbtree_left', 'bpf_rbtree_right',
]);
/** is_bpf_graph_api_kfunc: the kfuncs allowed while a bpf_spin_lock is held. */
const LOCKED_API = new Set([
  'bpf_list_push_front_impl', 'bpf_list_push_back_impl', 'bpf_list_pop_front', 'bpf_list_pop_back', 'bpf_list_front', 'bpf_list_back',
  'bpf_rbtree_add_impl', 'bpf_rbtree_remove', 'bpf_rbtree_first', 'bpf_rbtree_root', 'bpf_rbtree_left', 'bpf_rbtree_right', 'bpf_refcount_acquire_impl',
]);
/** Returns that are non-owning references (the rest of the node-returning ones acquire). */
const NON_OWNING_RET = new Set(['bpf_rbtree_first', 'bpf_rbtree_root', 'bpf_rbtree_left', 'bpf_rbtree_right', 'bpf_list_front', 'bpf_list_back']);
/** bpf_kptr_xchg's helper id. */
export const KPTR_XCHG = 194;
/** BPF_GLOBAL_PERCPU_MA_MAX_SIZE. */
const PERCPU_MAX = 512;

export const isGraphKfunc = (name: string): boolean => GRAPH_KFUNCS.has(name);
export const graphKfuncAllowedLocked = (name: string): boolean => LOCKED_API.has(name);

/** A MEM_ALLOC object pointer: its local type, or undefined for any other register. */
function allocType(v: Verifier, r: Reg): (LocalType & { kind: 'struct' }) | undefined {
  if (r.type !== RegType.BTF_ID || !(r.flags & RegFlag.MEM_ALLOC)) return undefined;
  const t = v.input.localType?.(r.btfId);
  return t?.kind === 'struct' ? t : undefined;
}

/** reg_btf_record: a map value's record, or an allocated object's. */
function recordOf(v: Verifier, r: Reg): BtfRecord | undefined {
  if (r.type === RegType.MAP_VALUE) return r.map?.record;
  return allocType(v, r)?.record;
}

/** Exactly PTR_TO_BTF_ID | MEM_ALLOC: an owning object (not NULL, not non-owning, not percpu). */
const isAllocExact = (r: Reg): boolean => r.type === RegType.BTF_ID && r.flags === RegFlag.MEM_ALLOC;
const isNonOwning = (r: Reg): boolean => r.type === RegType.BTF_ID && (r.flags & (RegFlag.MEM_ALLOC | RegFlag.NON_OWN)) === (RegFlag.MEM_ALLOC | RegFlag.NON_OWN);
const isAllocObj = (r: Reg): boolean => r.type === RegType.BTF_ID && (r.flags & RegFlag.MEM_ALLOC) !== 0 && !(r.flags & (RegFlag.MAYBE_NULL | RegFlag.PERCPU));

/** The lock identity of a pointer into an allocation (check_reg_allocation_locked's ptr and id). */
export function lockKeyOf(r: Reg): string | undefined {
  if (r.type === RegType.MAP_VALUE && r.map) return `${r.map.id}`;
  if (r.type === RegType.BTF_ID && r.flags & RegFlag.MEM_ALLOC) return 'local';
  return undefined;
}

interface Meta {
  k: KfuncEntry;
  name: string;
  flags: number;
  constant?: bigint;
  refObjId: number;
  releaseRegno: number;
  root?: BtfField;
  rootKind?: 'bpf_list_head' | 'bpf_rb_root';
  argBtfId: number;
  argOwningRef: boolean;
  subprog?: number;
}

type ArgKind = 'alloc' | 'refcounted' | 'list_head' | 'list_node' | 'rb_root' | 'rb_node' | 'callback' | 'other';

function argKind(type: string, name: string): ArgKind {
  if (name.endsWith('__alloc')) return 'alloc';
  if (name.endsWith('__refcounted_kptr')) return 'refcounted';
  if (/\bstruct bpf_list_head\s*\*$/.test(type)) return 'list_head';
  if (/\bstruct bpf_list_node\s*\*$/.test(type)) return 'list_node';
  if (/\bstruct bpf_rb_root\s*\*$/.test(type)) return 'rb_root';
  if (/\bstruct bpf_rb_node\s*\*$/.test(type)) return 'rb_node';
  if (type.includes('(*)') || name === 'less') return 'callback';
  return 'other';
}

const inGraphCb = (s: VState): boolean => s.frames.some((f) => f.graphCb);

/** check_func_arg_reg_off for the pointer kinds graph kfuncs take. */
function argRegOff(v: Verifier, r: Reg, regno: number, release: boolean): void {
  if (r.type === RegType.SCALAR || r.type === RegType.MAP_VALUE || r.type === RegType.STACK || r.type === RegType.MEM) return;
  const varZero = r.s.isConst() && r.s.constValue() === 0n;
  if (release) {
    if (r.off) v.reject(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`, false, 22);
  }
  if (r.off < 0) v.reject(`negative offset ${regTypeName(r)} ptr R${regno} off=${r.off} disallowed`, false, 13);
  // PTR_TO_BTF_ID of the trusted/alloc/non-owning kinds may carry a fixed offset, unless released.
  const fixedOk = !release && r.type === RegType.BTF_ID && !(r.flags & (RegFlag.MAYBE_NULL | RegFlag.PERCPU | RegFlag.UNTRUSTED));
  if (!fixedOk && r.off) v.reject(`dereference of modified ${regTypeName(r)} ptr R${regno} off=${r.off} disallowed`, false, 13);
  if (!varZero) v.reject(`variable ${regTypeName(r)} access var_off=${formatTnum(r.s.varOff)} disallowed`, false, 13);
}

/** __process_kf_arg_ptr_to_graph_root. */
function graphRoot(v: Verifier, r: Reg, regno: number, meta: Meta, kind: 'bpf_list_head' | 'bpf_rb_root'): void {
  if (!r.s.isConst()) v.reject(`R${regno} doesn't have constant offset. ${kind} has to be at the constant offset`, false, 22);
  const rec = recordOf(v, r);
  const off = r.off + Number(BigInt.asIntN(64, r.s.constValue()));
  const field = rec?.fields.find((f) => f.offset === off && f.type === kind);
  if (!field || !rec) v.reject(`${kind} not found at offset=${off >>> 0}`, false, 22);
  // check_reg_allocation_locked: the held lock must be this allocation's.
  const lock = v.st.lock;
  if (!lock || lock.key !== lockKeyOf(r) || lock.id !== r.id) {
    const why = lock ? 'held lock and object are not in the same allocation\n' : '';
    v.reject(`${why}bpf_spin_lock at off=${rec.spinLockOffset ?? -22} must be held for ${kind}`, false, 22);
  }
  meta.root = field;
  meta.rootKind = kind;
}

/** __process_kf_arg_ptr_to_graph_node. */
function graphNode(v: Verifier, r: Reg, regno: number, meta: Meta, nodeKind: 'bpf_list_node' | 'bpf_rb_node'): void {
  const rootKind = nodeKind === 'bpf_list_node' ? 'bpf_list_head' : 'bpf_rb_root';
  if (!r.s.isConst()) v.reject(`R${regno} doesn't have constant offset. ${nodeKind} has to be at the constant offset`, false, 22);
  const off = r.off + Number(BigInt.asIntN(64, r.s.constValue()));
  const t = allocType(v, r);
  if (!t?.record?.fields.some((f) => f.offset === off && f.type === nodeKind)) v.reject(`${nodeKind} not found at offset=${off >>> 0}`, false, 22);
  const root = meta.root!.graphRoot!;
  if (t.id !== root.valueTypeId)
    v.reject(`operation on ${rootKind} expects arg#1 ${nodeKind} at offset=${root.nodeOffset} in struct ${root.valueType}, but arg is at offset=${off} in struct ${t.name}`, false, 22);
  meta.argBtfId = t.id;
  if (off !== root.nodeOffset) v.reject(`arg#1 offset=${off}, but expected ${nodeKind} at offset=${root.nodeOffset} in struct ${root.valueType}`, false, 22);
}

/** A MEM_ALLOC pointer to `t` with flags (mark_reg_known_zero + type). */
function allocReg(t: { id: number; name: string; size: number }, flags = 0, off = 0): Reg {
  const r = Reg.ptr(RegType.BTF_ID, RegFlag.MEM_ALLOC | flags);
  r.btfId = t.id;
  r.btfName = t.name;
  r.btfSize = t.size;
  r.off = off;
  return r;
}

/** mark_reg_graph_node: a node of the root's value type, pointing at its node field. */
function graphNodeReg(v: Verifier, root: BtfField): Reg {
  const g = root.graphRoot!;
  const t = v.input.localType?.(g.valueTypeId);
  return allocReg({ id: g.valueTypeId, name: g.valueType, size: t?.kind === 'struct' ? t.size : 0 }, 0, g.nodeOffset);
}

/** ref_set_non_owning. */
function setNonOwning(v: Verifier, r: Reg): void {
  if (!v.st.lock) v.reject('verifier internal error: ref_set_non_owning w/o active lock', false, 14);
  r.flags |= RegFlag.NON_OWN;
  if (allocType(v, r)?.record?.refcountOffset !== undefined) r.flags |= RegFlag.MEM_RCU;
}

function eachReg(s: VState, f: (r: Reg, set: (n: Reg) => void) => void): void {
  for (const fr of s.frames) {
    for (let i = 0; i < 11; i++) f(fr.regs[i]!, (n) => (fr.regs[i] = n));
    for (let k = 0; k < fr.spills.length; k++) {
      const sp = fr.spills[k];
      if (sp) f(sp, (n) => (fr.spills[k] = n));
    }
  }
}

/** invalidate_non_owning_refs, at bpf_spin_unlock: every non-owning object pointer dies. */
export function invalidateNonOwning(v: Verifier): void {
  eachReg(v.st, (r, set) => {
    if (isNonOwning(r)) set(invalidatedReg(v));
  });
}

/** check_kfunc_args + check_kfunc_call for the object and graph kfuncs. */
export function checkGraphKfunc(v: Verifier, insn: Insn, k: KfuncEntry): void {
  void insn;
  const flags = kfuncFlagBits(k);
  const meta: Meta = { k, name: k.name, flags, refObjId: 0, releaseRegno: 0, argBtfId: 0, argOwningRef: false };
  const release = (flags & KF.KF_RELEASE) !== 0;
  // 6.18 checks every kfunc's pointer arguments as KF_TRUSTED_ARGS ones (the host rejects a
  // maybe-NULL node to bpf_rbtree_add_impl and a released pointer to bpf_obj_drop_impl so).
  k.params.forEach(([type, pname], i) => {
    const regno = i + 1;
    if (pname.endsWith('__ign')) return;
    v.readReg(regno);
    const r = v.regs[regno]!;
    if (!type.includes('*')) {
      if (r.type !== RegType.SCALAR) v.reject(`R${regno} is not a scalar`, false, 22);
      if (pname.endsWith('__k')) {
        if (!r.s.isConst()) v.reject(`R${regno} must be a known constant`, false, 22);
        v.markPrecise(1 << regno);
        meta.constant = r.s.constValue();
      }
      return;
    }
    if (r.isNullConst() || r.maybeNull) v.reject(`Possibly NULL pointer passed to trusted arg${i}`, false, 13);
    if (r.refId) {
      meta.refObjId = r.refId;
      if (release) meta.releaseRegno = regno;
    }
    const kind = argKind(type, pname);
    if (kind === 'other') v.reject(`kfunc ${k.name} is not yet verified by ebpfvm`, false, 22);
    if (kind !== 'callback') argRegOff(v, r, regno, release && r.refId !== 0);
    switch (kind) {
      case 'alloc': {
        // is_trusted_reg: referenced, or only trusted modifiers (MEM_ALLOC, PTR_TRUSTED, NON_OWN_REF).
        const trustedReg = r.refId !== 0 || (r.type === RegType.BTF_ID && (r.flags & (RegFlag.MEM_ALLOC | RegFlag.TRUSTED | RegFlag.NON_OWN)) !== 0 && (r.flags & ~(RegFlag.MEM_ALLOC | RegFlag.TRUSTED | RegFlag.NON_OWN)) === 0);
        if (!trustedReg) v.reject(`R${regno} must be referenced or trusted`, false, 22);
        if (isAllocExact(r)) {
          if (k.name !== 'bpf_obj_drop_impl') v.reject(`arg#${i} expected for bpf_obj_drop_impl()`, false, 22);
        } else if (r.type === RegType.BTF_ID && r.flags === (RegFlag.MEM_ALLOC | RegFlag.PERCPU)) {
          if (k.name !== 'bpf_percpu_obj_drop_impl') v.reject(`arg#${i} expected for bpf_percpu_obj_drop_impl()`, false, 22);
        } else v.reject(`arg#${i} expected pointer to allocated object`, false, 22);
        if (!r.refId) v.reject('allocated object must be referenced', false, 22);
        meta.argBtfId = r.btfId;
        return;
      }
      case 'list_head':
      case 'rb_root': {
        const alloc = isAllocExact(r);
        if (r.type !== RegType.MAP_VALUE && !alloc) v.reject(`arg#${i} expected pointer to map value or allocated object`, false, 22);
        if (alloc && !r.refId) v.reject('allocated object must be referenced', false, 22);
        graphRoot(v, r, regno, meta, kind === 'list_head' ? 'bpf_list_head' : 'bpf_rb_root');
        return;
      }
      case 'list_node': {
        if (!isAllocExact(r)) v.reject(`arg#${i} expected pointer to allocated object`, false, 22);
        if (!r.refId) v.reject('allocated object must be referenced', false, 22);
        graphNode(v, r, regno, meta, 'bpf_list_node');
        return;
      }
      case 'rb_node': {
        if (k.name === 'bpf_rbtree_add_impl') {
          if (!isAllocExact(r)) v.reject(`arg#${i} expected pointer to allocated object`, false, 22);
          if (!r.refId) v.reject('allocated object must be referenced', false, 22);
        } else {
          if (!isNonOwning(r) && !r.refId) v.reject(`${k.name} can only take non-owning or refcounted bpf_rb_node pointer`, false, 22);
          if (inGraphCb(v.st)) v.reject(`${k.name} not allowed in rbtree cb`, false, 22);
        }
        graphNode(v, r, regno, meta, 'bpf_rb_node');
        return;
      }
      case 'callback':
        if (r.type !== RegType.FUNC) v.reject(`arg${i} expected pointer to func`, false, 22);
        meta.subprog = r.subprog;
        return;
      case 'refcounted': {
        if (!isAllocObj(r)) v.reject(`arg#${i} is neither owning or non-owning ref`, false, 22);
        if (!isNonOwning(r) && r.refId) meta.argOwningRef = true;
        const t = allocType(v, r);
        if (!t) v.reject("verifier internal error: Couldn't find btf_record", false, 14);
        if (t.record?.refcountOffset === undefined) v.reject(`arg#${i} doesn't point to a type with bpf_refcount field`, false, 22);
        meta.argBtfId = t.id;
        return;
      }
    }
  });
  if (release && !meta.releaseRegno) v.reject(`release kernel function ${k.name} expects refcounted PTR_TO_BTF_ID`, false, 22);

  // bpf_rbtree_add_impl's less runs as a callback with the caller's state at the call.
  if (k.name === 'bpf_rbtree_add_impl') pushLess(v, meta);

  if (k.name === 'bpf_obj_drop_impl' || k.name === 'bpf_percpu_obj_drop_impl') sameTypePerCall(v, meta.argBtfId);

  if (meta.releaseRegno) releaseReference(v, v.regs[meta.releaseRegno]!.refId);
  if (k.name === 'bpf_list_push_front_impl' || k.name === 'bpf_list_push_back_impl' || k.name === 'bpf_rbtree_add_impl') {
    // The node now belongs to the graph: every copy becomes a non-owning reference.
    const ref = v.regs[2]!.refId;
    if (!ref) v.reject('verifier internal error: ref_obj_id is zero for owning -> non-owning conversion', false, 14);
    eachReg(v.st, (r) => {
      if (r.refId === ref) {
        r.refId = 0;
        setNonOwning(v, r);
      }
    });
    releaseReference(v, ref);
  }

  for (let r = 1; r <= 5; r++) v.setReg(r, new Reg());
  v.setReg(0, graphReturn(v, meta));
}

/** The struct each drop insn frees, per verifier run (the kernel's insn_aux kptr_struct_meta). */
const dropTypes = new WeakMap<Verifier, Map<number, number>>();

/** One bpf_obj_drop call insn frees one kind of object: its special fields (the type's record)
 *  are patched into the call, so a static function that drops two types is refused. */
function sameTypePerCall(v: Verifier, btfId: number): void {
  let m = dropTypes.get(v);
  if (!m) dropTypes.set(v, (m = new Map()));
  const t = v.input.localType?.(btfId);
  const metaId = t?.kind === 'struct' && t.record ? btfId : 0;
  const seen = m.get(v.pc);
  if (seen !== undefined && seen !== metaId)
    v.reject('same call cannot be used with different types\nuse one call for each type: inline the static function that holds the call,\nor mark the callee with __attribute__((nomerge))', false, 22);
  m.set(v.pc, metaId);
}

/** The return value (check_kfunc_call's special_kfunc_set branch). */
function graphReturn(v: Verifier, meta: Meta): Reg {
  const { k, name } = meta;
  if (k.ret === 'void') return new Reg();
  if (!k.ret.includes('*')) return Reg.unknown();
  let r: Reg;
  if (name === 'bpf_obj_new_impl' || name === 'bpf_percpu_obj_new_impl') {
    const c = meta.constant ?? 0n;
    if (BigInt.asUintN(32, c) !== BigInt.asUintN(64, c)) v.reject('local type ID argument must be in range [0, U32_MAX]', false, 22);
    if (!v.input.progBtf) v.reject('bpf_obj_new/bpf_percpu_obj_new requires prog BTF', false, 22);
    const t = v.input.localType?.(Number(c));
    if (t?.kind !== 'struct') v.reject('bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct', false, 22);
    if (name === 'bpf_percpu_obj_new_impl') {
      if (t.size > PERCPU_MAX) v.reject(`bpf_percpu_obj_new type size (${t.size}) is greater than ${PERCPU_MAX}`, false, 22);
      if (!t.scalarsOnly) v.reject('bpf_percpu_obj_new type ID argument must be of a struct of scalars', false, 22);
      if (t.record) v.reject('bpf_percpu_obj_new type ID argument must not contain special fields', false, 22);
    }
    r = allocReg(t, name === 'bpf_percpu_obj_new_impl' ? RegFlag.PERCPU : 0);
  } else if (name === 'bpf_refcount_acquire_impl') {
    const t = v.input.localType?.(meta.argBtfId);
    if (t?.kind !== 'struct') v.reject("verifier internal error: Couldn't find btf_record", false, 14);
    r = allocReg(t);
  } else {
    if (!meta.root) v.reject(`kernel function ${name} unhandled dynamic return type`, false, 14);
    r = graphNodeReg(v, meta.root);
  }
  // is_kfunc_ret_null: refcount_acquire of an owning reference cannot fail.
  const retNull = (meta.flags & KF.KF_RET_NULL) !== 0 && !(name === 'bpf_refcount_acquire_impl' && meta.argOwningRef);
  if (retNull) {
    r.flags |= RegFlag.MAYBE_NULL;
    r.id = v.newId();
  }
  if (meta.flags & KF.KF_ACQUIRE) {
    const id = v.newId();
    acquireReference(v, id, name);
    if (retNull) r.id = id;
    r.refId = id;
  } else if (NON_OWNING_RET.has(name)) setNonOwning(v, r);
  // reg_may_point_to_spin_lock: an object with a lock keeps an id for lock pairing.
  if (!r.id && allocType(v, r)?.record?.spinLockOffset !== undefined) r.id = v.newId();
  return r;
}

/** push_callback_call with set_rbtree_add_callback_state: less(a, b) on two non-owning nodes. */
function pushLess(v: Verifier, meta: Meta): void {
  if (meta.subprog === undefined) v.reject('verifier internal error: no less callback', false, 14);
  if (v.st.frames.length >= 8) v.reject(`the call stack of ${v.st.frames.length + 1} frames is too deep`, false, 7);
  const st = v.st.clone();
  const callee = new Frame(st.frames.length, v.pc, meta.subprog);
  callee.inCallback = true;
  callee.graphCb = true;
  callee.callbackRet = [0n, 1n];
  const regs = callee.regs;
  regs[10] = Reg.ptr(RegType.STACK);
  regs[10].frameno = callee.frameno;
  for (const regno of [1, 2]) {
    const n = graphNodeReg(v, meta.root!);
    setNonOwning(v, n);
    regs[regno] = n;
  }
  st.frames.push(callee);
  v.pushCallbackBranch(st, meta.subprog);
}

// ---- loads and stores ---------------------------------------------------------------------------

/** Loads and stores through an allocated object (check_ptr_to_btf_access, btf_struct_access for
 *  program types): writes allowed, special fields untouchable, pointers read as scalars. */
export function allocAccess(v: Verifier, reg: Reg, regno: number, off: number, size: number): Reg {
  const name = reg.btfName;
  if (off < 0) v.reject(`R${regno} is ptr_${name} invalid negative access: off=${off}`);
  if (!reg.s.isConst() || reg.s.constValue() !== 0n) v.reject(`R${regno} is ptr_${name} invalid variable offset: off=${off}, var_off=${formatTnum(reg.s.varOff)}`);
  if (reg.flags & RegFlag.PERCPU) v.reject(`R${regno} is ptr_${name} access percpu memory: off=${off}`);
  const t = allocType(v, reg);
  for (const f of t?.record?.fields ?? []) {
    if (off < f.offset + f.size && f.offset < off + size) v.reject(`direct access to ${f.type} is disallowed`);
  }
  if (off + size > reg.btfSize) v.reject(`access beyond struct ${name} at off ${off} size ${size}`);
  // A pointer member of a program type is read as read-only untrusted memory (6.18: loads through
  // it are probing loads of unknown size), never as a typed pointer again.
  const member = size === 8 ? v.input.btfField?.(name, off, size) : undefined;
  if (member && (member.kind === 'ptr' || member.pointer)) return Reg.ptr(RegType.MEM, RegFlag.RDONLY | RegFlag.UNTRUSTED);
  return Reg.unknown();
}

/** A map value access touching a special field (check_map_access): kptrs by exact 8-byte
 *  loads and NULL stores; everything else refused. Returns the loaded kptr, if any. */
export function mapFieldAccess(v: Verifier, reg: Reg, regno: number, off: number, size: number, write: boolean, val: Reg | undefined, imm: number | undefined): Reg | undefined {
  const rec = reg.map?.record;
  if (!rec) return undefined;
  const lo = BigInt(off) + reg.s.smin;
  const hi = BigInt(off) + reg.s.umax + BigInt(size);
  for (const f of rec.fields) {
    if (!(lo < BigInt(f.offset + f.size) && BigInt(f.offset) < hi)) continue;
    if (f.type !== 'kptr' && f.type !== 'kptr_untrusted' && f.type !== 'percpu_kptr') v.reject(`${f.type} cannot be accessed directly by load/store`);
    if (!reg.s.isConst()) v.reject('kptr access cannot have variable offset');
    const at = off + Number(reg.s.constValue());
    if (f.offset !== at) v.reject(`kptr access misaligned expected=${f.offset} off=${at}`);
    if (size !== 8) v.reject('kptr access size must be BPF_DW');
    return kptrAccess(v, f, write, val, imm);
  }
  void regno;
  return undefined;
}

/** check_map_access for a helper's memory argument (ACCESS_HELPER): a kptr the range may touch
 *  is refused (a helper would read or overwrite it behind the reference tracking). */
export function mapFieldHelperAccess(v: Verifier, reg: Reg, off: number, size: number): void {
  const rec = reg.map?.record;
  if (!rec) return;
  const lo = BigInt(off) + reg.s.smin;
  const hi = BigInt(off) + reg.s.umax + BigInt(size);
  for (const f of rec.fields) {
    if (!(lo < BigInt(f.offset + f.size) && BigInt(f.offset) < hi)) continue;
    if (f.type === 'kptr' || f.type === 'kptr_untrusted' || f.type === 'percpu_kptr') v.reject('kptr cannot be accessed indirectly by helper');
  }
}

/** check_map_kptr_access. */
function kptrAccess(v: Verifier, f: BtfField, write: boolean, val: Reg | undefined, imm: number | undefined): Reg | undefined {
  const insn = v.insn;
  const cls = insn.code & 7;
  if ((insn.code & 0xe0) !== 0x60) v.reject('kptr in map can only be accessed using BPF_MEM instruction mode');
  if (write) {
    // Referenced (and per-CPU) kptrs move only through bpf_kptr_xchg: no store at all, not even
    // of NULL; an untrusted one takes NULL or a pointer of its type.
    if (f.type !== 'kptr_untrusted') v.reject('store to referenced kptr disallowed');
    if (cls === 3 /* STX */ && val && !val.isNullConst()) kptrMatchType(v, f, val, insn.src);
    if (cls === 2 /* ST */ && imm) v.reject(`BPF_ST imm must be 0 when storing to kptr at off=${f.offset}`);
    return undefined;
  }
  const local = kptrLocalType(v, f);
  let r: Reg;
  if (f.type !== 'kptr_untrusted' && local) {
    // A local kptr read in an rcu read-side section (every non-sleepable program is one).
    r = allocReg(local, RegFlag.MAYBE_NULL | RegFlag.MEM_RCU | (f.type === 'percpu_kptr' ? RegFlag.PERCPU : 0));
  } else {
    // btf_ld_kptr_type: a referenced kptr of an rcu-protected kernel type (task_struct, cgroup)
    // is an rcu pointer in an rcu read-side section; anything else is untrusted.
    const name = f.kptr?.typeName ?? '';
    const rcu = f.type === 'kptr' && isRcuProtectedKptr(name) && inRcuCs(v);
    r = Reg.ptr(RegType.BTF_ID, RegFlag.MAYBE_NULL | (rcu ? RegFlag.MEM_RCU : RegFlag.UNTRUSTED));
    r.btfName = name;
    const t = v.input.kernelType?.(name);
    if (t?.kind === 'struct') r.btfSize = t.size;
  }
  r.id = v.newId();
  return r;
}

/** map_kptr_match_type for an untrusted kptr field: a kernel BTF pointer (plain, trusted, rcu or
 *  untrusted, maybe NULL) to the field's type, at a constant offset that stays the struct itself
 *  (the walk to a first member at offset 0 is not modelled: such stores are refused). */
function kptrMatchType(v: Verifier, f: BtfField, reg: Reg, regno: number): void {
  const targ = f.kptr?.typeName ?? '';
  const perm = RegFlag.MAYBE_NULL | RegFlag.TRUSTED | RegFlag.MEM_RCU | RegFlag.UNTRUSTED;
  const bad = (): never =>
    v.reject(`invalid kptr access, R${regno} type=${regTypeName(reg)}${reg.type === RegType.BTF_ID && !(reg.flags & ~perm) ? (reg.btfName ?? '') : ''} expected=ptr_${targ} or untrusted_ptr_${targ}`);
  if (reg.type !== RegType.BTF_ID || reg.flags & ~perm) bad();
  // __check_ptr_off_reg with a fixed offset allowed
  if (!reg.s.isConst() || reg.s.constValue() !== 0n) v.reject(`variable ${regTypeName(reg)} access var_off=${formatTnum(reg.s.varOff)} disallowed`);
  if (reg.off !== 0 || reg.btfName !== targ) bad();
}

function kptrLocalType(v: Verifier, f: BtfField): (LocalType & { kind: 'struct' }) | undefined {
  if (!f.kptr) return undefined;
  const t = v.input.localType?.(f.kptr.typeId);
  // A kernel type of the same name is the kernel's (btf_parse_kptr looks there first).
  if (t?.kind !== 'struct' || v.input.kernelType?.(t.name)?.kind === 'struct') return undefined;
  return t;
}

// ---- bpf_kptr_xchg --------------------------------------------------------------------------------

/** bpf_kptr_xchg(map value kptr slot, object or NULL): the object's reference moves into the map,
 *  the old one (maybe NULL) comes back acquired. */
export function checkKptrXchg(v: Verifier): void {
  v.readReg(1);
  const slot = v.regs[1]!;
  // The slot is a kptr field of a map value or (6.18) of an object the program owns.
  const inObject = isAllocExact(slot);
  if ((slot.type !== RegType.MAP_VALUE || slot.maybeNull) && !inObject) v.reject(`R1 type=${regTypeName(slot)} expected=map_value, ptr_`);
  if (!slot.s.isConst()) v.reject("R1 doesn't have constant offset. kptr has to be at the constant offset", false, 22);
  const off = slot.off + Number(slot.s.constValue());
  let rec: BtfRecord | undefined;
  if (inObject) rec = allocType(v, slot)?.record;
  else {
    const map = slot.map!;
    if (!map.hasBtf) v.reject(`map '${map.name}' has to have BTF in order to use bpf_kptr_xchg`, false, 22);
    rec = map.record;
  }
  const isKptr = (x: BtfField): boolean => x.type === 'kptr' || x.type === 'kptr_untrusted' || x.type === 'percpu_kptr';
  if (!rec?.fields.some(isKptr)) v.reject(inObject ? 'R1 has no valid kptr' : `map '${slot.map!.name}' has no valid kptr`, false, 22);
  const f = rec.fields.find((x) => x.offset === off && isKptr(x));
  if (!f) v.reject(`off=${off} doesn't point to kptr`, false, 22);
  if (f.type === 'kptr_untrusted') v.reject(`off=${off} kptr isn't referenced kptr`, false, 22);
  v.readReg(2);
  const obj = v.regs[2]!;
  const local = kptrLocalType(v, f);
  let released = 0;
  // a NULL object (nothing moves into the map) stays exact, as for any helper's nullable argument
  if (obj.isNullConst()) v.markPrecise(1 << 2);
  else {
    // check_reg_type folds the argument's PTR_MAYBE_NULL into the register's type: a maybe-NULL
    // kernel pointer (plain, trusted or rcu: a kptr loaded under rcu) matches, and is then
    // refused as the release argument it is.
    const kernelFlags = obj.flags & ~RegFlag.MAYBE_NULL;
    if (obj.type === RegType.BTF_ID && obj.maybeNull && (kernelFlags === 0 || kernelFlags === RegFlag.TRUSTED || kernelFlags === RegFlag.MEM_RCU))
      v.reject('Possibly NULL pointer passed to helper arg2', false, 13);
    if (obj.type !== RegType.BTF_ID || obj.maybeNull) v.reject(`R2 type=${regTypeName(obj)} expected=ptr_, ptr_or_null_`);
    // map_kptr_match_type (check_reg_type) before the release checks of check_func_arg: the
    // offset, then the type, matched strictly (a referenced kptr's object at offset 0, not a
    // member of it)
    if (obj.off < 0) v.reject(`negative offset ${regTypeName(obj)} ptr R2 off=${obj.off} disallowed`, false, 13);
    if (!obj.s.isConst() || obj.s.constValue() !== 0n) v.reject(`variable ${regTypeName(obj)} access var_off=${formatTnum(obj.s.varOff)} disallowed`, false, 13);
    const want = f.kptr?.typeName ?? '';
    const sameType = local ? obj.flags & RegFlag.MEM_ALLOC && obj.btfId === local.id : obj.btfName === want;
    if (!sameType || obj.off !== 0) v.reject(`invalid kptr access, R2 type=${regTypeName(obj)}${obj.btfName} expected=ptr_${want}`, false, 22);
    if (!obj.refId) v.reject('R2 must be referenced when passed to release function');
    released = obj.refId;
  }
  if (released) releaseReference(v, released);
  for (let r = 1; r <= 5; r++) v.setReg(r, new Reg());
  let r0: Reg;
  if (local) r0 = allocReg(local, RegFlag.MAYBE_NULL | (f.type === 'percpu_kptr' ? RegFlag.PERCPU : 0));
  else {
    // A kernel object: plain PTR_TO_BTF_ID (maybe NULL), trusted through its reference.
    r0 = Reg.ptr(RegType.BTF_ID, RegFlag.MAYBE_NULL);
    r0.btfName = f.kptr?.typeName ?? '';
    const t = v.input.kernelType?.(r0.btfName);
    if (t?.kind === 'struct') r0.btfSize = t.size;
  }
  // check_helper_call gives a maybe-NULL result an id, then the acquired reference its own.
  v.newId();
  const id = v.newId();
  acquireReference(v, id, 'kptr_xchg');
  r0.id = id;
  r0.refId = id;
  v.setReg(0, r0);
}

/** bpf_spin_lock/unlock on an allocated object (process_spin_lock's non-map branch): the record
 *  of its type. Returns the lock offset or rejects. */
export function allocLockOffset(v: Verifier, r: Reg): number {
  const t = allocType(v, r);
  const off = t?.record?.spinLockOffset;
  if (off === undefined) v.reject("local 'kptr' has no valid bpf_spin_lock", false, 22);
  return off;
}

export const inGraphCallback = inGraphCb;

/** reg_may_point_to_spin_lock: a map value or allocated object whose type holds a lock keeps its
 *  id after the NULL check (lock and graph-root pairing). */
export function mayPointToSpinLock(v: Verifier, r: Reg): boolean {
  if (r.type === RegType.MAP_VALUE) return r.map?.spinLockOffset !== undefined;
  return allocType(v, r)?.record?.spinLockOffset !== undefined;
}
