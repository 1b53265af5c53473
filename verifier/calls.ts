// Calls (kernel check_helper_call, check_func_call, prepare_func_exit, check_return_code):
// helper arguments checked against the prototypes of helpers/table.ts, return values typed,
// R1-R5 clobbered; map/helper compatibility; bpf_spin_lock; references acquired and released;
// callbacks (bpf_loop, for_each_map_elem, rbtree less/cmp) verified as functions that may run
// any number of times; bpf-to-bpf calls with frames; global functions from their BTF prototype;
// kfunc calls are verifier/kfuncs.ts.
import { MapType } from '../maps/types.js';
import { AttachType, ProgType } from '../vm/prog-types.js';
import type { HelperArg, HelperEntry } from '../helpers/types.js';
import { helperAllowed, helperCapability, helperPktAccess } from '../helpers/table.js';
import { mapFuncRefusal } from '../helpers/map-compat.js';
import { Cls, JmpOp, PseudoCall, type Insn } from '../vm/isa.js';
import { Scalar } from './scalar.js';
import { formatTnum } from './tnum.js';
import { checkAlignment, checkHelperMem, checkRegion, constStackKey } from './mem.js';
import { Frame, Reg, RegFlag, RegType, regTypeName } from './state.js';
import { releaseReference, acquireReference, invalidatedReg, checkReferenceLeak } from './refs.js';
import { widenScalars } from './prune.js';
import { checkNodeArg, rbtreeAfterArgs, rbtreeBeforeArgs, rbtreeCallbackArgs, rbtreeGlobalCall, rbtreeReturn } from './rbtree.js';
import type { VerifierMap } from './env.js';
import { subprogOf } from './cfg.js';
import { Reject } from './errors.js';
import { inSleepable, structIdsMatch } from './kobj.js';
import type { Verifier } from './verifier.js';
import { afterDynptrHelperArgs, callbackDynptr, globalDynptrArgProblem, checkHelperDynptrArg, dynptrHelperReturn, type DynptrRef } from './dynptr.js';
import { KPTR_XCHG, allocLockOffset, checkKptrXchg, inGraphCallback, invalidateNonOwning, lockKeyOf } from './graph.js';
import { TIMER_SET_CALLBACK, checkTimerArg, checkTimerMapMatch, pushTimerCallback } from './timer.js';

const MAX_CALL_FRAMES = 8;
const MAX_VAR_SIZE = 1n << 29n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;

/** Helper ids the checks below name. */
const H = {
  map_lookup_elem: 1, map_update_elem: 2, map_delete_elem: 3, tail_call: 12, perf_event_output: 25,
  map_push_elem: 87, map_pop_elem: 88, map_peek_elem: 89, spin_lock: 93, spin_unlock: 94,
  for_each_map_elem: 164, loop: 181, ringbuf_output: 130, ringbuf_reserve: 131, ringbuf_submit: 132,
  ringbuf_discard: 133, ringbuf_query: 134, rbtree_add: 213, rbtree_find: 214,
  rbtree_lock: 218, rbtree_unlock: 219, get_smp_processor_id: 8, get_func_ip: 173,
} as const;

/** get_stack, probe_read_str, get_task_stack, probe_read_user_str, probe_read_kernel_str. */
const STR_OR_STACK_READERS: ReadonlySet<number> = new Set([67, 45, 141, 114, 115]);

/** Helpers that may move packet data (bpf_helper_changes_pkt_data): packet pointers die. */
export const CHANGES_PKT: ReadonlySet<string> = new Set([
  'skb_store_bytes', 'skb_change_head', 'skb_change_tail', 'skb_pull_data', 'skb_change_proto', 'skb_vlan_push', 'skb_vlan_pop',
  'l3_csum_replace', 'l4_csum_replace', 'clone_redirect', 'xdp_adjust_head', 'xdp_adjust_meta', 'xdp_adjust_tail', 'skb_adjust_room',
  'msg_pull_data', 'msg_push_data', 'msg_pop_data', 'lwt_push_encap', 'lwt_seg6_store_bytes', 'lwt_seg6_adjust_srh', 'lwt_seg6_action', 'skb_ecn_set_ce',
]);

const EXPECTED: Partial<Record<HelperArg['type'], string>> = {
  ARG_PTR_TO_MAP_KEY: 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_',
  ARG_PTR_TO_MAP_VALUE: 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_',
  ARG_PTR_TO_MEM: 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_',
  ARG_PTR_TO_CTX: 'ctx',
  ARG_CONST_MAP_PTR: 'map_ptr',
  ARG_PTR_TO_SPIN_LOCK: 'map_value, ptr_',
  ARG_PTR_TO_TIMER: 'map_value',
  ARG_PTR_TO_FUNC: 'func',
  ARG_PTR_TO_STACK: 'fp',
  ARG_PTR_TO_CONST_STR: 'map_value',
  ARG_PTR_TO_ALLOC_MEM: 'ringbuf_mem',
  ARG_PTR_TO_RINGBUF_MEM: 'ringbuf_mem',
  ARG_PTR_TO_BTF_ID: 'ptr_, trusted_ptr_, rcu_ptr_',
  ARG_PTR_TO_BTF_ID_SOCK_COMMON: 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_',
  ARG_PTR_TO_SOCK_COMMON: 'sock_common, sock, tcp_sock, xdp_sock',
  ARG_PTR_TO_PERCPU_BTF_ID: 'percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_',
  ARG_PTR_TO_LONG: 'fp, pkt, pkt_meta, map_key, map_value',
  ARG_PTR_TO_INT: 'fp, pkt, pkt_meta, map_key, map_value',
  ARG_CONST_SIZE: 'scalar',
  ARG_CONST_SIZE_OR_ZERO: 'scalar',
  ARG_CONST_ALLOC_SIZE_OR_ZERO: 'scalar',
};

const MEM_LIKE = new Set<number>([RegType.STACK, RegType.PKT, RegType.PKT_META, RegType.MAP_KEY, RegType.MAP_VALUE, RegType.MEM, RegType.BUF]);

function typeOk(arg: HelperArg, r: Reg): boolean {
  switch (arg.type) {
    case 'ARG_PTR_TO_MAP_KEY':
    case 'ARG_PTR_TO_MAP_VALUE':
      return MEM_LIKE.has(r.type) && !(r.type === RegType.MEM && r.flags & RegFlag.RINGBUF);
    case 'ARG_PTR_TO_MEM':
      return MEM_LIKE.has(r.type) || (r.type === RegType.BTF_ID && (r.flags & RegFlag.TRUSTED) !== 0) || (r.type === RegType.CTX && false);
    case 'ARG_PTR_TO_CTX':
      return r.type === RegType.CTX;
    case 'ARG_CONST_MAP_PTR':
      return r.type === RegType.MAP_PTR;
    case 'ARG_PTR_TO_SPIN_LOCK':
      return r.type === RegType.MAP_VALUE || r.type === RegType.BTF_ID;
    case 'ARG_PTR_TO_FUNC':
      return r.type === RegType.FUNC;
    case 'ARG_PTR_TO_TIMER':
      return r.type === RegType.MAP_VALUE;
    case 'ARG_PTR_TO_STACK':
      return r.type === RegType.STACK;
    case 'ARG_PTR_TO_CONST_STR':
      return r.type === RegType.MAP_VALUE;
    case 'ARG_PTR_TO_ALLOC_MEM':
    case 'ARG_PTR_TO_RINGBUF_MEM':
      return r.type === RegType.MEM && (r.flags & RegFlag.RINGBUF) !== 0;
    case 'ARG_PTR_TO_BTF_ID':
      // btf_ptr_types: plain, trusted or rcu pointers; never an untrusted one.
      return r.type === RegType.BTF_ID && !(r.flags & RegFlag.UNTRUSTED);
    case 'ARG_PTR_TO_PERCPU_BTF_ID':
      // bpf_per_cpu_ptr / bpf_this_cpu_ptr: a per-CPU object (bpf_percpu_obj_new) or kernel variable.
      return r.type === RegType.BTF_ID && (r.flags & RegFlag.PERCPU) !== 0;
    case 'ARG_PTR_TO_LONG':
    case 'ARG_PTR_TO_INT':
      return r.type === RegType.STACK || r.type === RegType.PKT || r.type === RegType.PKT_META || r.type === RegType.MAP_KEY || r.type === RegType.MAP_VALUE;
    case 'ARG_CONST_SIZE':
    case 'ARG_CONST_SIZE_OR_ZERO':
    case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
      return r.type === RegType.SCALAR;
    case 'ARG_PTR_TO_SOCKET':
      return r.type === RegType.SOCKET;
    case 'ARG_PTR_TO_SOCK_COMMON':
      return r.type === RegType.SOCKET || r.type === RegType.SOCK_COMMON || r.type === RegType.TCP_SOCK || r.type === RegType.XDP_SOCK || r.type === RegType.BTF_ID;
    case 'ARG_PTR_TO_BTF_ID_SOCK_COMMON':
      // btf_id_sock_common_types: a plain or trusted BTF pointer, never an untrusted one
      return r.type === RegType.SOCKET || r.type === RegType.SOCK_COMMON || r.type === RegType.TCP_SOCK || r.type === RegType.XDP_SOCK || (r.type === RegType.BTF_ID && !(r.flags & RegFlag.UNTRUSTED));
    default:
      return r.isPointer;
  }
}

const fnName = (h: HelperEntry): string => `bpf_${h.name}`;

interface CallMeta {
  map?: VerifierMap;
  /** The map pointer's (or timer's) map_uid (verifier/timer.ts). */
  mapUid?: number;
  mapRegno?: number;
  memSize?: number;
  /** The map key's value when it is a known constant. */
  constKey?: bigint;
  releaseRef?: number;
  releaseRegno?: number;
  func?: number;
  lockRegno?: number;
  rawMemRegno?: number;
  rawMemArg?: HelperArg;
  /** The size argument's largest value (meta->msize_max_value), for do_refine_retval_range. */
  msizeMax?: bigint;
  /** bpf_per_cpu_ptr/this_cpu_ptr given a bpf_percpu_obj_new object: its CPU's copy is returned. */
  percpuAlloc?: Reg;
  /** The dynptr argument, once checked (verifier/dynptr.ts), and whether the helper releases it. */
  dynptr?: DynptrRef;
  dynptrArg?: boolean;
  dynptrRelease?: boolean;
  /** The reference an argument carries (meta->ref_obj_id): a pointer cast's result shares it. */
  argRef?: number;
}

/** is_ptr_cast_function: the result is the argument, typed anew, and carries its reference. */
const PTR_CAST_HELPERS: ReadonlySet<string> = new Set([
  'tcp_sock', 'sk_fullsock', 'skc_to_tcp_sock', 'skc_to_tcp6_sock', 'skc_to_udp6_sock', 'skc_to_mptcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock',
]);

export function checkHelperCall(v: Verifier, insn: Insn): void {
  const id = insn.imm;
  const h = v.input.helper(id);
  if (v.input.coreFailures?.has(v.pc)) {
    // A poisoned CO-RE relocation: libbpf's 0xbad2310 call, which the kernel rejects if reached.
    v.reject(`invalid func unknown#${id}`, false, 22);
  }
  if (!h) v.reject(`invalid func unknown#${id}`, false, 22);
  // Unprivileged, the base helpers of the CAP_BPF and CAP_PERFMON tiers have no prototype either
  // (the harness gives allowPtrLeaks with CAP_PERFMON, bpfCapable with CAP_BPF).
  const cap = helperCapability(h);
  const capMissing = (cap === 'CAP_BPF' && !v.bpfCapable) || (cap === 'CAP_PERFMON' && !v.allowPtrLeaks);
  if (!helperAllowed(h, v.input.progType, v.input.expectedAttachType ?? 0, v.input.structOps, v.input.iterTarget) || capMissing) v.reject(`program of this type cannot use helper ${fnName(h)}#${id}`, false, 22);
  if (h.gplOnly && !v.input.gpl) v.reject('cannot call GPL-restricted function from non-GPL compatible program', false, 22);
  if (h.proto.allowed && !h.proto.allowed({ attach: v.input.expectedAttachType ?? 0, attachFunc: v.input.ctxFunc, extension: v.input.extension !== undefined })) v.reject('helper call is not allowed in probe', false, 22);
  if (h.mightSleep && !inSleepable(v)) v.reject('helper call might sleep in a non-sleepable prog', false, 22);
  if (h.mightSleep && v.st.rcuLock) v.reject(`sleepable helper ${fnName(h)}#${id} in rcu_read_lock region`, false, 22);
  if (h.mightSleep && v.st.preemptLocks) v.reject(`sleepable helper ${fnName(h)}#${id} in non-preemptible region`, false, 22);
  if (v.st.lock && id !== H.spin_unlock) v.reject('function calls are not allowed while holding a lock', false, 22);
  if (id === KPTR_XCHG) return checkKptrXchg(v);
  rbtreeBeforeArgs(v, h);
  const meta: CallMeta = {};
  // The kernel's bpf_trace_printk prototype declares only fmt and its size: the three values
  // after them are not checked (not even initialised), though the helper table lists them.
  const args = id === 6 ? h.proto.args.slice(0, 2) : h.proto.args;
  for (let i = 0; i < args.length; i++) checkArg(v, h, i + 1, args[i]!, meta, args);
  const dynptrPkt = meta.dynptrArg ? afterDynptrHelperArgs(v, id, meta.dynptr, meta.dynptrRelease ?? false).changesPkt : false;
  // check_map_func_compatibility: the one table the loader also applies (helpers/map-compat.ts).
  const mapRefusal = meta.map ? mapFuncRefusal(meta.map.type, id, fnName(h), { progType: v.input.progType, expectedAttachType: v.input.expectedAttachType ?? 0, sleepable: v.input.sleepable ?? false }) : undefined;
  if (mapRefusal) v.reject(mapRefusal, false, 22);
  if (id === H.get_func_ip) checkGetFuncIp(v);
  // record_func_key: a constant in-range tail-call index is recorded, so it must be precise.
  if (id === H.tail_call && meta.map && v.regs[3]!.isConst() && v.regs[3]!.s.constValue() < BigInt(meta.map.maxEntries)) v.markPrecise(1 << 3);
  // check_resource_leak(env, false, true, "tail_call"): each unreleased reference, then the
  // verdict; a subprogram's tail call is not checked (check_reference_leak skips frames > 0)
  if (id === H.tail_call && v.st.frames.length === 1) checkReferenceLeak(v, 'tail_call');
  if (id === H.tail_call && v.st.rcuLock) v.reject('tail_call cannot be used inside bpf_rcu_read_lock-ed region');
  if (id === H.tail_call && v.st.preemptLocks) v.reject('tail_call cannot be used inside bpf_preempt_disable-ed region');

  // Locks; the rbtree rules (verifier/rbtree.ts) while the arguments are still in place.
  rbtreeAfterArgs(v, h, meta.map, meta.lockRegno, meta.releaseRef, meta.memSize);
  if (id === H.spin_lock || id === H.spin_unlock) spinLock(v, meta.lockRegno!, id === H.spin_lock);

  // Release: the object's reference and every copy of the pointer die.
  const retFlags = h.proto.ret.flags ?? [];
  const conditional = retFlags.includes('CONDITIONAL_RELEASE');
  if (meta.releaseRef !== undefined && !conditional) releaseReference(v, meta.releaseRef);
  // bpf_get_local_storage cannot fail, so it takes no flags (a known 0, kept precise).
  if (h.name === 'get_local_storage') {
    if (!v.regs[2]!.isNullConst()) v.reject("get_local_storage() doesn't support non-zero flags", false, 22);
    v.markPrecise(1 << 2);
  }

  // Callbacks run as functions in a new frame; the caller continues as if it had returned.
  if (id === H.loop) {
    // update_loop_inline_state reads a zero flags argument (kept exact for inlining), and the
    // loop count decides when the iteration is the last: both precise (check_helper_call).
    if (v.regs[4]!.isNullConst()) v.markPrecise(1 << 4);
    if (v.regs[1]!.type === RegType.SCALAR) v.markPrecise(1 << 1);
    if (meta.func !== undefined) v.noteLoopCall(meta.func, v.regs[4]!.isNullConst());
  }
  if (meta.func !== undefined) {
    if (id === TIMER_SET_CALLBACK) pushTimerCallback(v, meta.func);
    else if (id === H.loop && v.st.cur.callbackDepth >= v.regs[1]!.s.umax) {
      // As many callback runs as the count allows were pushed from here: no more (the
      // iteration limit); the next visit of the call starts counting again.
      v.st.cur.callbackDepth = 0;
      if (v.log.level >= 2) v.log.write(`frame${v.st.frames.length - 1} bpf_loop iteration limit reached\n`);
    } else pushCallback(v, h, meta);
  }

  // Clobber caller-saved registers, then R0.
  for (let r = 1; r <= 5; r++) {
    v.setReg(r, new Reg());
  }
  setReturn(v, h, meta, conditional);
  dynptrHelperReturn(v, id, meta.dynptr);
  rbtreeReturn(v, h, meta.map);
  if (CHANGES_PKT.has(h.name) || dynptrPkt) clearPacketPointers(v);
}

/** check_get_func_ip: a tracing program has the function's address only from a trampoline
 *  (fentry, fexit, fmod_ret), a kprobe from its probe; the other types the prototype is handed to
 *  (bpf_tracing_func_proto's) are refused with -ENOTSUPP. */
function checkGetFuncIp(v: Verifier): void {
  const type = v.input.progType;
  const attach = v.input.expectedAttachType ?? 0;
  if (type === ProgType.KPROBE) return;
  if (type === ProgType.TRACING) {
    if (attach === AttachType.TRACE_FENTRY || attach === AttachType.TRACE_FEXIT || attach === AttachType.MODIFY_RETURN) return;
    v.reject(`func bpf_get_func_ip#${H.get_func_ip} supported only for fentry/fexit/fmod_ret programs`, false, 524);
  }
  v.reject(`func bpf_get_func_ip#${H.get_func_ip} not supported for program type ${type}`, false, 524);
}

function checkArg(v: Verifier, h: HelperEntry, regno: number, arg: HelperArg, meta: CallMeta, all: readonly HelperArg[]): void {
  if (arg.type === 'ARG_DONTCARE') return;
  // resolve_map_arg_type: a sockmap/sockhash value a program stores is a socket, not memory
  const mt = meta.map?.type;
  if (arg.type === 'ARG_PTR_TO_MAP_VALUE' && (mt === MapType.SOCKMAP || mt === MapType.SOCKHASH)) arg = { type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' };
  v.readReg(regno);
  if (arg.type === 'ARG_PTR_TO_DYNPTR') {
    // Dynptr state: verifier/dynptr.ts.
    const d = checkHelperDynptrArg(v, h.id, regno, arg.flags ?? []);
    meta.dynptrArg = true;
    if (d.ref) meta.dynptr = d.ref;
    if (d.release) {
      meta.dynptrRelease = true;
      meta.releaseRegno = regno;
    }
    return;
  }
  const r = v.regs[regno]!;
  const flags = arg.flags ?? [];
  if (arg.type === 'ARG_ANYTHING') {
    if (r.isPointer && !v.allowPtrLeaks) v.reject(`R${regno} leaks addr into helper function`);
    return;
  }
  // may_access_direct_pkt_data with the call's meta: only a pkt_access helper, in a program type
  // with direct packet access, may be given a packet pointer.
  if ((r.type === RegType.PKT || r.type === RegType.PKT_META) && !packetArgAllowed(v.input.progType, h)) v.reject('helper access to the packet is not allowed', false, 13);
  const nullable = flags.includes('PTR_MAYBE_NULL');
  const isNull = r.isNullConst();
  if (isNull && nullable) {
    // A NULL for a nullable argument: no memory to check, but the NULL must stay exact.
    v.markPrecise(1 << regno);
    if (arg.type === 'ARG_PTR_TO_MEM') {
      meta.rawMemRegno = regno;
      meta.rawMemArg = arg;
    }
    return;
  }
  if (arg.type === 'ARG_PTR_TO_BTF_ID' && arg.btfType === 'rb_node') {
    // An rbtree node: its own rules (type, map, ownership) in verifier/rbtree.ts.
    const ref = checkNodeArg(v, h, regno, flags.includes('OBJ_RELEASE'), meta.map);
    if (ref !== undefined) {
      meta.releaseRef = ref;
      meta.releaseRegno = regno;
    }
    return;
  }
  if (!typeOk(arg, r)) {
    v.reject(`R${regno} type=${regTypeName(r)} expected=${EXPECTED[arg.type] ?? 'ptr'}`);
  }
  if (r.refId && r.isPointer && meta.argRef === undefined) meta.argRef = r.refId;
  // check_reg_type: a BTF argument names its struct (rb_node is the RFC rbtree's own check); as
  // btf_struct_ids_match without strict matching, a struct that starts with it (or a struct member
  // at the pointer's offset) also matches (a sock for a sock_common), except for an argument the
  // helper releases.
  const strictBtf = flags.includes('OBJ_RELEASE');
  if (arg.type === 'ARG_PTR_TO_BTF_ID' && arg.btfType && arg.btfType !== 'rb_node' && r.type === RegType.BTF_ID && !(r.flags & RegFlag.MEM_ALLOC) && !structIdsMatch(v, r.btfName!, r.off, arg.btfType, strictBtf))
    v.reject(`R${regno} is of type ${r.btfName} but ${arg.btfType} is expected`, false, 13);
  // check_reg_type: kernel memory (a trusted BTF pointer) is never a helper's to write.
  if (arg.type === 'ARG_PTR_TO_MEM' && r.type === RegType.BTF_ID && !(arg.flags ?? []).includes('MEM_RDONLY'))
    v.reject(`${fnName(h)}() may write into memory pointed by R${regno} type=${regTypeName(r)}`, false, 13);
  if (arg.type === 'ARG_PTR_TO_PERCPU_BTF_ID' && r.flags & RegFlag.MEM_ALLOC) meta.percpuAlloc = r;
  // Pointer arguments may be maybe-null only when the prototype says so.
  if (r.isPointer && r.maybeNull && !nullable) v.reject(`R${regno} type=${regTypeName(r)} expected=${EXPECTED[arg.type] ?? 'ptr'}`);
  // __check_ptr_off_reg: a negative offset, then a fixed one, then a variable one.
  if (r.type === RegType.CTX) {
    if (r.off < 0) v.reject(`negative offset ctx ptr R${regno} off=${r.off} disallowed`);
    if (r.off !== 0) v.reject(`dereference of modified ctx ptr R${regno} off=${r.off} disallowed`);
    if (!r.s.isConst() || r.s.constValue() !== 0n) v.reject(`variable ctx access var_off=${formatTnum(r.s.varOff)} disallowed`);
  }
  switch (arg.type) {
    case 'ARG_CONST_MAP_PTR':
      checkTimerMapMatch(v, r, meta);
      meta.map = r.map;
      meta.mapUid = r.mapUid;
      meta.mapRegno = regno;
      // The kernel's line has no newline: its log runs on into `processed ...`.
      if (h.id === H.tail_call && r.map?.type !== MapType.PROG_ARRAY) v.reject('expected prog array map for tail call', false, 22, true);
      return;
    case 'ARG_PTR_TO_MAP_KEY':
      if (!meta.map) v.reject('invalid map_ptr to access map->key');
      checkHelperMem(v, regno, meta.map.keySize, meta.map.keySize, false, false, false);
      // can_elide_value_nullness: only array lookups ask for the key's constant.
      if (meta.map.type === MapType.ARRAY || meta.map.type === MapType.PERCPU_ARRAY) meta.constKey = constStackKey(v, r, meta.map.keySize);
      return;
    case 'ARG_PTR_TO_MAP_VALUE':
      if (!meta.map) v.reject('invalid map_ptr to access map->value');
      checkHelperMem(v, regno, meta.map.valueSize, meta.map.valueSize, flags.includes('MEM_UNINIT'), flags.includes('MEM_UNINIT'), false);
      return;
    case 'ARG_PTR_TO_SPIN_LOCK':
      meta.lockRegno = regno;
      return;
    case 'ARG_PTR_TO_TIMER':
      checkTimerArg(v, regno, meta);
      return;
    case 'ARG_PTR_TO_FUNC':
      meta.func = r.subprog;
      return;
    case 'ARG_PTR_TO_MEM':
      if (arg.size !== undefined) {
        checkHelperMem(v, regno, arg.size, arg.size, !flags.includes('MEM_RDONLY'), flags.includes('MEM_UNINIT'), false);
        if (flags.includes('MEM_ALIGNED')) checkAlignment(v, v.regs[regno]!, 0, arg.size, true);
      } else {
        meta.rawMemRegno = regno;
        meta.rawMemArg = arg;
      }
      return;
    case 'ARG_PTR_TO_LONG':
    case 'ARG_PTR_TO_INT': {
      const size = arg.type === 'ARG_PTR_TO_LONG' ? 8 : 4;
      checkHelperMem(v, regno, size, size, true, true, false);
      // MEM_ALIGNED: the helper stores a whole long/int there
      checkAlignment(v, r, 0, size, true);
      return;
    }
    case 'ARG_CONST_SIZE':
    case 'ARG_CONST_SIZE_OR_ZERO': {
      const zeroOk = arg.type === 'ARG_CONST_SIZE_OR_ZERO';
      const s = r.s;
      meta.msizeMax = s.umax;
      if (s.smin < 0n) v.reject(`R${regno} min value is negative, either use unsigned or 'var &= const'`);
      if (s.umin === 0n && !zeroOk) v.reject(`R${regno} invalid zero-sized read: u64=[${s.umin},${s.umax}]`);
      if (s.umax >= MAX_VAR_SIZE) v.reject(`R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
      const memRegno = meta.rawMemRegno ?? regno - 1;
      const memArg = meta.rawMemArg ?? all[regno - 2];
      meta.rawMemRegno = undefined;
      const mr = v.regs[memRegno]!;
      if (mr.isNullConst()) {
        if (s.umax !== 0n) v.reject(`R${memRegno} type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_`);
        v.markPrecise(1 << regno);
        return;
      }
      const mflags = memArg?.flags ?? [];
      checkHelperMem(v, memRegno, Number(s.umin), Number(s.umax), !mflags.includes('MEM_RDONLY'), mflags.includes('MEM_UNINIT'), zeroOk);
      // check_mem_size_reg: the size is marked precise once the access it allows is checked.
      v.markPrecise(1 << regno);
      return;
    }
    case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
      if (!r.s.isConst()) v.reject(`R${regno} is not a known constant'`);
      v.markPrecise(1 << regno);
      meta.memSize = Number(r.s.constValue());
      return;
    case 'ARG_PTR_TO_CONST_STR':
      constString(v, regno, r);
      return;
    case 'ARG_PTR_TO_ALLOC_MEM':
    case 'ARG_PTR_TO_RINGBUF_MEM':
    case 'ARG_PTR_TO_BTF_ID':
    case 'ARG_PTR_TO_BTF_ID_SOCK_COMMON':
      if (flags.includes('OBJ_RELEASE')) {
        if (!r.refId) v.reject(`R${regno} must be referenced when passed to release function`);
        if (r.off !== 0 || !r.s.isConst() || r.s.constValue() !== 0n) v.reject(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
        meta.releaseRef = r.refId;
        meta.releaseRegno = regno;
      }
      return;
    default:
      void h;
      return;
  }
}

/** check_reg_const_str: a NUL-terminated string in a frozen read-only map. */
function constString(v: Verifier, regno: number, r: Reg): void {
  const map = r.map!;
  if (!map.frozen || !map.readonlyValue) v.reject(`R${regno} does not point to a readonly map'`);
  if (!r.s.isConst()) v.reject(`R${regno} is not a constant address'`);
  const at = r.off + Number(r.s.constValue());
  checkRegion(v, regno, r.off, 1, map.valueSize, false);
  const bytes = map.readonlyValue;
  for (let i = at; i < bytes.length; i++) if (bytes[i] === 0) return;
  v.reject('string is not zero-terminated');
}

/** process_spin_lock: the lock of a map value or of an allocated object (verifier/graph.ts). */
function spinLock(v: Verifier, regno: number, isLock: boolean): void {
  const r = v.regs[regno]!;
  // Inside bpf_rbtree_add's less the lock is held by the caller (in_rbtree_lock_required_cb).
  if (inGraphCallback(v.st)) v.reject("can't spin_{lock,unlock} in rbtree cb", false, 13);
  if (!r.s.isConst()) v.reject(`R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`);
  const off = Number(r.s.constValue()) + r.off;
  let lockOff: number;
  if (r.type === RegType.BTF_ID && r.flags & RegFlag.MEM_ALLOC) lockOff = allocLockOffset(v, r);
  else {
    const map = r.map;
    if (!map || !map.hasBtf) v.reject(`map '${map?.name ?? ''}' has to have BTF in order to use bpf_spin_lock`);
    if (map.spinLockOffset === undefined) v.reject(`map '${map.name}' has no valid bpf_spin_lock`, false, 22);
    lockOff = map.spinLockOffset;
  }
  if (off !== lockOff) v.reject(`off ${off} doesn't point to 'struct bpf_spin_lock' that is at ${lockOff}`, false, 22);
  const key = lockKeyOf(r)!;
  if (isLock) {
    if (v.st.lock) v.reject('Locking two bpf_spin_locks are not allowed');
    v.st.lock = { key, id: r.id, before: v.st.refs.map((x) => x.id) };
  } else {
    if (!v.st.lock) v.reject('bpf_spin_unlock without taking a lock');
    if (v.st.lock.key !== key || v.st.lock.id !== r.id) v.reject('bpf_spin_unlock of different lock');
    invalidateNonOwning(v);
    v.st.lock = undefined;
  }
}

function setReturn(v: Verifier, h: HelperEntry, meta: CallMeta, conditional: boolean): void {
  const ret = h.proto.ret;
  const flags = ret.flags ?? [];
  let maybeNull = flags.includes('PTR_MAYBE_NULL') ? RegFlag.MAYBE_NULL : 0;
  // An array lookup with a constant key in range cannot fail (6.18 can_elide_value_nullness).
  const m = meta.map;
  if (h.id === H.map_lookup_elem && m && (m.type === MapType.ARRAY || m.type === MapType.PERCPU_ARRAY) && meta.constKey !== undefined && meta.constKey < BigInt(m.maxEntries)) maybeNull = 0;
  let r: Reg;
  let acquire = flags.includes('ACQUIRE');
  switch (ret.type) {
    case 'RET_VOID':
      v.setReg(0, new Reg());
      return;
    case 'RET_INTEGER': {
      const r0 = Reg.unknown();
      // do_refine_retval_range: the CPU number is below nr_cpu_ids.
      if (h.id === H.get_smp_processor_id) {
        const max = BigInt((v.input.nrCpuIds ?? 1) - 1);
        const s = r0.s;
        s.umin = s.smin = 0n;
        s.umax = s.smax = max;
        s.u32min = s.s32min = 0;
        s.u32max = s.s32max = Number(max);
        s.sync();
      }
      // do_refine_retval_range: the stack and string readers return at most the size they were
      // given, or a negative errno.
      if (STR_OR_STACK_READERS.has(h.id) && meta.msizeMax !== undefined) {
        const s = r0.s;
        s.smax = meta.msizeMax;
        s.s32max = Number(BigInt.asIntN(32, meta.msizeMax));
        s.smin = -4095n;
        s.s32min = -4095;
        s.sync();
      }
      v.setReg(0, r0);
      return;
    }
    case 'RET_PTR_TO_MAP_VALUE': {
      const map = meta.map;
      if (map && (map.type === MapType.SOCKMAP || map.type === MapType.SOCKHASH) && h.id === H.map_lookup_elem) {
        // is_acquire_function: a sockmap/sockhash lookup gives a referenced socket. The kernel
        // types it map_value_or_null until the NULL check makes it sock; ebpfvm types it sock.
        r = Reg.ptr(RegType.SOCKET, maybeNull);
        acquire = true;
      } else if (map && (map.type === MapType.ARRAY_OF_MAPS || map.type === MapType.HASH_OF_MAPS) && h.id === H.map_lookup_elem) {
        r = Reg.ptr(RegType.MAP_PTR, maybeNull);
        r.map = map.inner;
      } else if (map?.type === MapType.XSKMAP && h.id === H.map_lookup_elem) {
        r = Reg.ptr(RegType.XDP_SOCK, maybeNull);
        r.map = map;
      } else {
        r = Reg.ptr(RegType.MAP_VALUE, maybeNull);
        r.map = map;
        r.mapUid = meta.mapUid ?? 0;
      }
      if (!r.map && r.type !== RegType.SOCKET) v.reject('kernel subsystem misconfigured verifier', false, 22);
      break;
    }
    case 'RET_PTR_TO_MEM':
    case 'RET_PTR_TO_ALLOC_MEM':
    case 'RET_PTR_TO_DYNPTR_MEM':
      r = Reg.ptr(RegType.MEM, maybeNull | (flags.includes('MEM_RDONLY') ? RegFlag.RDONLY : 0) | (h.id === H.ringbuf_reserve ? RegFlag.RINGBUF : 0));
      r.memSize = ret.memSize ?? meta.memSize ?? 0;
      break;
    case 'RET_PTR_TO_SOCKET':
      r = Reg.ptr(RegType.SOCKET, maybeNull);
      break;
    case 'RET_PTR_TO_SOCK_COMMON':
      r = Reg.ptr(RegType.SOCK_COMMON, maybeNull);
      break;
    case 'RET_PTR_TO_TCP_SOCK':
      r = Reg.ptr(RegType.TCP_SOCK, maybeNull);
      break;
    case 'RET_PTR_TO_BTF_ID':
    case 'RET_PTR_TO_MEM_OR_BTF_ID': {
      if (meta.percpuAlloc) {
        // returns_cpu_specific_alloc_ptr: one CPU's copy of a per-CPU object is an allocated
        // object of the same local type, writable, and (as the kernel types it) never NULL.
        const obj = meta.percpuAlloc;
        r = Reg.ptr(RegType.BTF_ID, RegFlag.MEM_ALLOC | RegFlag.MEM_RCU);
        r.btfId = obj.btfId;
        r.btfName = obj.btfName;
        r.btfSize = obj.btfSize;
        break;
      }
      r = Reg.ptr(RegType.BTF_ID, maybeNull);
      if (ret.btfType === 'rb_node' && meta.map) {
        r.btfName = meta.map.name;
        r.btfSize = meta.map.valueSize;
        r.map = meta.map;
        if (flags.includes('NON_OWNING')) r.flags |= RegFlag.NON_OWN;
        else r.flags |= RegFlag.ALLOC;
      } else r.btfName = ret.btfType ?? '';
      if (flags.includes('PTR_TRUSTED')) r.flags |= RegFlag.TRUSTED;
      break;
    }
    default:
      v.setReg(0, Reg.unknown());
      return;
  }
  if (maybeNull) r.id = v.newId();
  // A map value holding a bpf_spin_lock gets an id even when it cannot be NULL: lock and unlock,
  // and graph roots, pair by it (reg_may_point_to_spin_lock).
  if (!r.id && r.type === RegType.MAP_VALUE && r.map?.spinLockOffset !== undefined) r.id = v.newId();
  if (acquire) {
    // The reference gets its own id, which the register then carries as id and ref_obj_id.
    r.id = v.newId();
    r.refId = r.id;
    acquireReference(v, r.id, h.name);
  }
  if (PTR_CAST_HELPERS.has(h.name) && meta.argRef !== undefined) r.refId = meta.argRef;
  if (conditional && meta.releaseRef !== undefined) {
    // rbtree_add: the node's reference is released only when the result is non-NULL; tie the
    // result's id to the released reference so the null check settles it.
    r.refId = 0;
    v.conditionalRelease(r.id, meta.releaseRef);
  }
  v.setReg(0, r);
}

/** Packet pointers, and slices of skb/xdp dynptrs (reg_is_dynptr_slice_pkt). */
const isPacketPointer = (r: Reg): boolean => r.isPkt() || r.type === RegType.PKT_END || (r.type === RegType.MEM && (r.flags & RegFlag.PKT_SLICE) !== 0);

/** changes_pkt_data of each function (check_cfg's mark_subprog_changes_pkt_data and
 *  merge_callee_effects): it calls a helper that may move packet data or bpf_tail_call, or a
 *  function that does. Computed once per program. */
const CHANGES_PKT_BY_PROG = new WeakMap<readonly Insn[], Uint8Array>();
function subprogChangesPkt(v: Verifier, subprog: number): boolean {
  let memo = CHANGES_PKT_BY_PROG.get(v.insns);
  if (!memo) {
    const starts = v.cfg.subprogs;
    memo = new Uint8Array(starts.length); // 0 unknown, 1 no, 2 yes, 3 in progress
    const visit = (sp: number): boolean => {
      if (memo![sp] === 1 || memo![sp] === 3) return false;
      if (memo![sp] === 2) return true;
      memo![sp] = 3;
      let yes = false;
      const end = starts[sp + 1] ?? v.insns.length;
      for (let pc = starts[sp]!; pc < end; pc++) {
        const x = v.insns[pc]!;
        if (x.code !== (Cls.JMP | JmpOp.CALL)) continue;
        if (x.src === PseudoCall.LOCAL) yes = visit(subprogOf(v.cfg, pc + x.imm + 1)) || yes;
        else if (x.src === 0 && (x.imm === H.tail_call || CHANGES_PKT.has(v.input.helper(x.imm)?.name ?? ''))) yes = true;
      }
      memo![sp] = yes ? 2 : 1;
      return yes;
    };
    for (let sp = 0; sp < starts.length; sp++) visit(sp);
    CHANGES_PKT_BY_PROG.set(v.insns, memo);
  }
  return memo[subprog] === 2;
}

/** clear_all_pkt_pointers: after a helper that may move packet data. */
function clearPacketPointers(v: Verifier): void {
  for (const f of v.st.frames) {
    for (let i = 0; i < 11; i++) if (isPacketPointer(f.regs[i]!)) f.regs[i] = invalidatedReg(v);
    for (let s = 0; s < f.spills.length; s++) {
      const r = f.spills[s];
      if (r && f.isSpilled(s) && isPacketPointer(r)) f.spills[s] = invalidatedReg(v);
    }
  }
}

// ---- callbacks ----------------------------------------------------------------------------------

/** Push the callback's first run as a branch: a new frame with the arguments the helper passes. */
function pushCallback(v: Verifier, h: HelperEntry, meta: CallMeta): void {
  const subprog = meta.func!;
  if (v.st.frames.length >= MAX_CALL_FRAMES) v.reject(`the call stack of ${v.st.frames.length + 1} frames is too deep`, false, 7);
  const st = v.st.clone();
  const caller = st.cur;
  const callee = new Frame(st.frames.length, v.pc, subprog);
  callee.inCallback = true;
  const fnArg = (h.proto.args.findIndex((a) => a.type === 'ARG_PTR_TO_FUNC') + 1) as number;
  const range = h.proto.callbackRet?.[fnArg] ?? [0n, 1n];
  callee.callbackRet = range;
  const regs = callee.regs;
  regs[10] = Reg.ptr(RegType.STACK);
  regs[10].frameno = callee.frameno;
  switch (h.id) {
    case H.loop:
      // set_loop_callback_state: the index is an unknown scalar (6.18 logs R1=scalar()).
      regs[1] = Reg.unknown();
      regs[2] = caller.regs[3]!.clone();
      break;
    case H.for_each_map_elem: {
      const map = meta.map!;
      regs[1] = Reg.ptr(RegType.MAP_PTR);
      regs[1].map = map;
      regs[2] = Reg.ptr(RegType.MAP_KEY);
      regs[2].map = map;
      regs[3] = Reg.ptr(RegType.MAP_VALUE);
      regs[3].map = map;
      // 6.18 gives the element pointer an id of its own (its log shows map_value(id=N,...))
      regs[3].id = v.newId();
      regs[4] = caller.regs[3]!.clone();
      break;
    }
    case 209: // user_ringbuf_drain: the sample as a read-only local dynptr, then the context
      regs[1] = callbackDynptr(v);
      regs[2] = caller.regs[3]!.clone();
      break;
    case 180: {
      // find_vma (set_find_vma_callback_state): the task, a (plain) vm_area_struct, the context.
      regs[1] = caller.regs[1]!.clone();
      const vma = Reg.ptr(RegType.BTF_ID);
      vma.btfName = 'vm_area_struct';
      const t = v.input.kernelType?.('vm_area_struct');
      if (t?.kind === 'struct') vma.btfSize = t.size;
      regs[2] = vma;
      regs[3] = caller.regs[4]!.clone();
      break;
    }
    case H.rbtree_add:
    case H.rbtree_find: {
      rbtreeCallbackArgs(v, h, meta.map!, caller.regs[2]!, regs);
      callee.rbtreeCb = true;
      break;
    }
    default:
      for (let i = 1; i <= 5; i++) regs[i] = caller.regs[i]!.clone();
  }
  st.frames.push(callee);
  // push_callback_call: the run is one more unrolled callback on its path, and one more run
  // pushed from the caller's call; the path going on past the call starts counting afresh.
  st.callbackUnrollDepth++;
  caller.callbackDepth++;
  v.st.cur.callbackDepth = 0;
  v.pushCallbackBranch(st, subprog);
}

/** Exit from a callback or bpf-to-bpf function (prepare_func_exit): returns the next pc. */
export function funcExit(v: Verifier): number {
  const callee = v.st.cur;
  const r0 = callee.regs[0]!;
  if (r0.type === RegType.STACK) v.reject('cannot return stack pointer to the caller', false, 22);
  if (callee.inCallback) {
    if (r0.type !== RegType.SCALAR) v.reject('R0 not a scalar value');
    v.markPrecise(1);
    const [lo, hi] = callee.callbackRet!;
    if (!(r0.s.smin >= lo && r0.s.smax <= hi)) v.reject(invalidScalar('At callback return', 'R0', r0.s, lo, hi), false, 22);
  }
  v.noteFrameChange();
  v.st.frames.pop();
  const caller = v.st.cur;
  if (!callee.inCallback) caller.regs[0] = r0;
  v.scratchAll();
  v.logFrameReturn(callee, caller, callee.inCallback ? callee.callsite : callee.callsite + 1);
  if (callee.inCallback) {
    v.fromCallback = true;
    // Back from a callback run: imprecise scalars that changed since the call's previous visit
    // on this path become unknown (widen_imprecise_scalars), so repeated runs converge; after
    // the return is printed, as the kernel does.
    const prev = v.findPrevEntry(callee.callsite, false);
    if (prev) widenScalars(prev.state, v.st);
  }
  return callee.inCallback ? callee.callsite : callee.callsite + 1;
}

/** verbose_invalid_scalar. */
export function invalidScalar(ctx: string, reg: string, s: Scalar, lo: bigint, hi: bigint): string {
  let t = `${ctx} the register ${reg} has`;
  let unknown = true;
  if (s.smin > S64_MIN) {
    t += ` smin=${s.smin}`;
    unknown = false;
  }
  if (s.smax < S64_MAX) {
    t += ` smax=${s.smax}`;
    unknown = false;
  }
  if (unknown) t += ' unknown scalar value';
  return `${t} should have been in [${lo}, ${hi}]`;
}

// ---- bpf-to-bpf calls ----------------------------------------------------------------------------

export function checkFuncCall(v: Verifier, insn: Insn): number {
  const target = v.pc + insn.imm + 1;
  if (v.st.frames.length >= MAX_CALL_FRAMES) v.reject(`the call stack of ${v.st.frames.length + 1} frames is too deep`, false, 7);
  const global = v.input.globalFuncs?.get(target);
  if (global) {
    // check_func_call: only global subprogs cannot be called with a lock held; a static one is
    // walked in the caller's state, lock and all (since 6.11). 6.18 takes a global call with
    // preemption disabled (6.12 refused it: preempt_lock/preempt_global_subprog_test).
    if (v.st.lock) v.reject('global function calls are not allowed while holding a lock,\nuse static function instead', false, 22);
    rbtreeGlobalCall(v);
    // Verified once on its own (verifier.ts); here only the arguments against its prototype.
    const bad = (why: string): never => v.reject(`${why}\nCaller passes invalid args into func#${subprogOf(v.cfg, target)} ('${global.name}')`, false, 22);
    // btf_check_subprog_call -> btf_prepare_func_args: the callee's prototype itself, at its first
    // call (a void return, or a pointer argument to something without a size).
    if (!global.retScalar) bad(`Global function ${global.name}() doesn't return scalar. Only those are supported.`);
    for (const a of global.args) if (a.kind === 'unknown' && a.sizeError) bad(a.sizeError);
    global.args.forEach((a, i) => {
      const regno = i + 1;
      v.readReg(regno);
      const r = v.regs[regno]!;
      if (a.kind === 'scalar' && r.type !== RegType.SCALAR) bad(`R${regno} is not a scalar`);
      if (a.kind === 'ctx') {
        // btf_check_func_arg_match: check_func_arg_reg_off (__check_ptr_off_reg) before the type,
        // so a ctx pointer moved off its start is refused, not passed on as the callee's ctx.
        if (r.type === RegType.CTX) {
          if (r.off < 0) bad(`negative offset ctx ptr R${regno} off=${r.off} disallowed`);
          if (r.off !== 0) bad(`dereference of modified ctx ptr R${regno} off=${r.off} disallowed`);
          if (!r.s.isConst() || r.s.constValue() !== 0n) bad(`variable ctx access var_off=${formatTnum(r.s.varOff)} disallowed`);
        }
        if (r.type !== RegType.CTX) bad(`arg#${i} expects pointer to ctx`);
      }
      // arg:arena: only PTR_TO_ARENA or a scalar (an arena pointer in the user view) make sense
      if (a.kind === 'arena' && r.type !== RegType.ARENA && r.type !== RegType.SCALAR) bad(`R${regno} is not a pointer to arena or scalar.`);
      if (a.kind === 'trusted') {
        // check_reg_type for ARG_PTR_TO_BTF_ID | PTR_TRUSTED: a plain, trusted or rcu pointer
        // to the same struct (maybe NULL, or NULL itself, only with arg:nullable).
        if (r.isNullConst() && a.nullable) return void v.markPrecise(1 << regno);
        // 6.18 asks first that the pointer be referenced or trusted (is_trusted_reg).
        const trusted = r.isPointer && !(r.flags & RegFlag.UNTRUSTED) && (r.refId !== 0 || (r.flags & (RegFlag.TRUSTED | RegFlag.MEM_ALLOC | RegFlag.NON_OWN | RegFlag.MEM_RCU)) !== 0);
        if (!trusted) bad(`R${regno} must be referenced or trusted`);
        const extra = r.flags & ~(RegFlag.TRUSTED | RegFlag.MEM_RCU | (a.nullable ? RegFlag.MAYBE_NULL : 0));
        if (r.type !== RegType.BTF_ID || extra) bad(`R${regno} type=${regTypeName(r)} expected=ptr_, trusted_ptr_, rcu_ptr_`);
        if (r.btfName !== a.name) bad(`R${regno} is of type ${r.btfName} but ${a.name} is expected`);
        return;
      }
      if (a.kind === 'dynptr') {
        const problem = globalDynptrArgProblem(v, regno);
        if (problem !== undefined) bad(problem);
      }
      if (a.kind === 'mem') {
        if (r.isNullConst() && a.nullable) return;
        if (r.maybeNull && !a.nullable) bad(`arg#${i} is expected to be non-NULL`);
        // check_mem_reg's refusal comes with the caller line too.
        try {
          checkHelperMem(v, regno, a.size, a.size, true, false, false);
        } catch (e) {
          if (e instanceof Reject) bad(e.message);
          throw e;
        }
      }
    });
    v.requireGlobal(target);
    if (v.log.enabled) v.log.write(`Func#${subprogOf(v.cfg, target)} ('${global.name}') is global and assumed valid.\n`);
    // A global function that may move the packet (directly, by a tail call or through a function
    // it calls) invalidates the caller's packet pointers, unseen as its body is.
    if (subprogChangesPkt(v, subprogOf(v.cfg, target))) clearPacketPointers(v);
    for (let r = 1; r <= 5; r++) v.setReg(r, new Reg());
    v.setReg(0, Reg.unknown());
    return v.pc + 1;
  }
  const st = v.st;
  const caller = st.cur;
  const callee = new Frame(st.frames.length, v.pc, target);
  for (let i = 1; i <= 5; i++) callee.regs[i] = caller.regs[i]!.clone();
  callee.regs[10] = Reg.ptr(RegType.STACK);
  callee.regs[10].frameno = callee.frameno;
  // clear_caller_saved_regs: R0-R5 of the caller are not init while the callee runs.
  for (let i = 0; i <= 5; i++) caller.regs[i] = new Reg();
  st.frames.push(callee);
  v.noteFrameChange();
  v.scratchAll();
  v.logCall(caller, callee);
  return target;
}

/** check_return_code: R0 at the main program's exit, in the program type's range (R1, the
 *  cookie, at a bpf_throw with the default exception callback). */
export function checkReturnCode(v: Verifier, regno = 0): void {
  // a struct_ops member returning void: nothing is read (R0 may be unset)
  if (v.input.retVoid && !v.st.cur.inAsyncCb) return;
  const { progType, lsmReturn } = v.input;
  const attach = v.input.expectedAttachType ?? 0;
  const lsmCgroup = progType === ProgType.LSM && attach === AttachType.LSM_CGROUP;
  // An LSM program on a void hook returns nothing: R0 is not even read (BPF_LSM_MAC; a timer
  // callback's return is still checked).
  if (progType === ProgType.LSM && !lsmCgroup && lsmReturn?.void !== false && !v.st.cur.inAsyncCb) return;
  v.readReg(regno);
  const r0 = v.regs[regno]!;
  if (r0.isPointer && !v.allowPtrLeaks) v.reject(`R${regno} leaks addr as return value`);
  // An async (timer) callback returns exactly 0, whatever the program type (verifier/timer.ts).
  const async = v.st.cur.inAsyncCb;
  let range: readonly [bigint, bigint] | undefined;
  // A BPF_LSM_MAC program's value is the hook's int: compared as 32 bits (return_32bit).
  let return32 = false;
  if (async) range = [0n, 0n];
  else if (progType === ProgType.LSM) {
    // BPF_LSM_CGROUP: 0 or 1, exactly 1 on a void hook (the shim ignores the value).
    if (lsmCgroup) range = lsmReturn?.void ? [1n, 1n] : [0n, 1n];
    else if (lsmReturn?.void === false) {
      range = lsmReturn.range;
      return32 = true;
    }
  } else range = returnRange(progType, attach);
  if (!range) return;
  const where = async ? 'At async callback return' : 'At program exit';
  if (r0.type !== RegType.SCALAR) v.reject(`${where} the register R${regno} is not a known value (${regTypeName(r0)})`, false, 22);
  v.markPrecise(1 << regno);
  const [lo, hi] = range;
  const within = return32 ? BigInt(r0.s.s32min) >= lo && BigInt(r0.s.s32max) <= hi : r0.s.smin >= lo && r0.s.smax <= hi;
  if (!within) {
    let msg = invalidScalar(where, `R${regno}`, r0.s, lo, hi);
    if (lsmCgroup && lsmReturn?.void) msg += "\nNote, BPF_LSM_CGROUP that attach to void LSM hooks can't modify return value!";
    v.reject(msg, false, 22);
  }
}

/** The return range a program type's exit must satisfy, or undefined for any value. */
function returnRange(progType: number, attach: number): readonly [bigint, bigint] | undefined {
  switch (progType) {
    case ProgType.CGROUP_SOCK_ADDR:
      // recvmsg4/6/_unix, getpeername4/6/_unix, getsockname4/6/_unix: exactly 1
      if ([19, 20, 51, 29, 30, 52, 31, 32, 53].includes(attach)) return [1n, 1n];
      if (attach === 8 || attach === 9) return [0n, 3n];
      return [0n, 1n];
    case ProgType.CGROUP_SKB:
      return attach === 1 ? [0n, 3n] : [0n, 1n];
    case ProgType.CGROUP_SOCK:
    case ProgType.SOCK_OPS:
    case ProgType.CGROUP_DEVICE:
    case ProgType.CGROUP_SYSCTL:
    case ProgType.CGROUP_SOCKOPT:
      return [0n, 1n];
    case ProgType.TRACING:
      return attach === 24 || attach === 25 ? [0n, 0n] : attach === 28 ? [0n, 1n] : undefined;
    case ProgType.KPROBE:
      // a kprobe.session entry program's 1 skips the return probe
      return attach === AttachType.TRACE_KPROBE_SESSION ? [0n, 1n] : undefined;
    case ProgType.SK_LOOKUP:
      return [0n, 1n];
    case ProgType.NETFILTER:
      return [0n, 1n];
    default:
      return undefined;
  }
}

/** may_access_direct_pkt_data(env, meta, BPF_READ) for a helper call. */
function packetArgAllowed(progType: number, h: HelperEntry): boolean {
  switch (progType) {
    case ProgType.LWT_IN:
    case ProgType.LWT_OUT:
    case ProgType.LWT_SEG6LOCAL:
    case ProgType.SK_REUSEPORT:
    case ProgType.FLOW_DISSECTOR:
    case ProgType.CGROUP_SKB:
    case ProgType.SCHED_CLS:
    case ProgType.SCHED_ACT:
    case ProgType.XDP:
    case ProgType.LWT_XMIT:
    case ProgType.SK_SKB:
    case ProgType.SK_MSG:
      return helperPktAccess(h);
    case ProgType.CGROUP_SOCKOPT:
      return true;
    default:
      return false;
  }
}
