// Dynamic pointers (kernel: STACK_DYNPTR, process_dynptr_func, mark/unmark_stack_slots_dynptr,
// destroy_if_dynptr_stack_slot, the dynptr helpers and kfuncs). A `struct bpf_dynptr` lives in two
// 8-byte stack slots whose bytes are STACK_DYNPTR; each slot's `spills` entry carries the state
// (type local/ringbuf/skb/xdp, first or second slot, the dynptr's id, and for ring buffer dynptrs
// the reference that bpf_ringbuf_submit/discard_dynptr must release). The program cannot read
// those bytes; a plain write into either slot destroys an unreferenced dynptr (and its slices) and
// is refused for a referenced one. Slices (bpf_dynptr_data, bpf_dynptr_slice[_rdwr]) are
// PTR_TO_MEM of the asked size carrying the dynptr's id: they die with the dynptr, packet ones
// also when the packet may move. Runtime semantics are helpers/dynptr.ts.
import { Reject } from './errors.js';
import { formatTnum } from './tnum.js';
import { checkHelperMem, checkMemAccess, mayWritePacket } from './mem.js';
import { acquireReference, invalidatedReg, releaseReference } from './refs.js';
import { Reg, RegFlag, RegType, Slot, regTypeName, type DynptrType, type Frame } from './state.js';
import type { Verifier } from './verifier.js';
import type { KfuncEntry } from '../helpers/kfuncs.js';
import { progTypeInfo } from '../vm/contexts.js';

/** BPF_DYNPTR_NR_SLOTS. */
const NR_SLOTS = 2;
const MAX_VAR_SIZE = 1n << 29n;

/** A checked, initialised dynptr argument. */
export interface DynptrRef {
  regno: number;
  id: number;
  type: DynptrType;
  refId: number;
}

/** The dynptr type a helper's dynptr argument must have or creates (arg type DYNPTR_TYPE_*). */
const HELPER_TYPE: Record<number, DynptrType> = { 197: 'local', 198: 'ringbuf', 199: 'ringbuf', 200: 'ringbuf' };
const HELPER_DYNPTR_DATA = 203;
const HELPER_DYNPTR_WRITE = 202;
const HELPER_DYNPTR_FROM_MEM = 197;

const KFUNCS = new Set(['bpf_dynptr_from_skb', 'bpf_dynptr_from_xdp', 'bpf_dynptr_adjust', 'bpf_dynptr_is_null', 'bpf_dynptr_is_rdonly', 'bpf_dynptr_size', 'bpf_dynptr_clone', 'bpf_dynptr_slice', 'bpf_dynptr_slice_rdwr']);
export const isDynptrKfunc = (name: string): boolean => KFUNCS.has(name);

const frameOf = (v: Verifier, reg: Reg): Frame => v.st.frames[reg.frameno]!;

/** dynptr_get_spi: the first (higher-numbered) slot of the dynptr a stack pointer points at;
 *  `msg` is what the kernel logs on the way (undefined: the slots are not allocated yet). */
function getSpi(v: Verifier, reg: Reg): { spi: number } | { msg: string | undefined } {
  if (!reg.s.isConst()) return { msg: 'dynptr has to be at a constant offset' };
  const off = reg.off + Number(BigInt.asIntN(64, reg.s.constValue()));
  if (off % 8) return { msg: `cannot pass in dynptr at an offset=${off}` };
  const spi = Math.trunc((-off - 1) / 8);
  if (spi + 1 < NR_SLOTS) return { msg: `cannot pass in dynptr at an offset=${off}` };
  if (spi >= frameOf(v, reg).allocated >> 3) return { msg: undefined };
  return { spi };
}

/** Reject with the lines the kernel logged before the error. */
function rejectAfter(v: Verifier, before: string | undefined, msg: string, errno = 22): never {
  v.reject(before ? `${before}\n${msg}` : msg, false, errno);
}

/** The slot state at spi (its first slot's), when the bytes are a dynptr's. */
function slotAt(f: Frame, spi: number): Reg | undefined {
  if (f.slotType(spi << 3) !== Slot.DYNPTR) return undefined;
  const r = f.spills[spi];
  return r?.dynptr?.first ? r : f.spills[spi + 1];
}

function clearSlots(v: Verifier, f: Frame, spi: number): void {
  // Both slots are overwritten (the liveness analysis' sure writes, verifier/liveness.ts).
  v.markStackWrite(f.frameno, spi);
  v.markStackWrite(f.frameno, spi - 1);
  for (const s of [spi, spi - 1]) {
    for (let j = 0; j < 8; j++) f.stack[(s << 3) + j] = Slot.INVALID;
    f.spills[s] = undefined;
  }
}

/** Every slice of dynptr `id` dies (mark_reg_invalid). */
function invalidateSlices(v: Verifier, id: number): void {
  for (const f of v.st.frames) {
    for (let r = 0; r < 11; r++) if (f.regs[r]!.type === RegType.MEM && f.regs[r]!.dynptrId === id) f.regs[r] = invalidatedReg(v);
    for (let s = 0; s < f.spills.length; s++) if (f.isSpilled(s) && f.spills[s]?.type === RegType.MEM && f.spills[s]!.dynptrId === id) f.spills[s] = invalidatedReg(v);
  }
}

/** destroy_if_dynptr_stack_slot: a write into either slot of a dynptr destroys it (both slots and
 *  its slices), unless it holds a reference. Called by every stack write (verifier/mem.ts). */
export function destroyIfDynptr(v: Verifier, f: Frame, spi: number): void {
  if (f.slotType(spi << 3) !== Slot.DYNPTR) return;
  if (!f.spills[spi]?.dynptr?.first) spi++;
  const d = f.spills[spi];
  if (d?.dynptr?.type === 'ringbuf') v.reject('cannot overwrite referenced dynptr', false, 22);
  v.scratchSlot(spi);
  v.scratchSlot(spi - 1);
  clearSlots(v, f, spi);
  if (d?.id) invalidateSlices(v, d.id);
}

/** check_helper_mem_access for memory a helper fills (raw mode): it must not overlap a dynptr. */
export function checkUninitOverDynptr(v: Verifier, f: Frame, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) {
    const k = -i - 1;
    if (k >= 0 && f.slotType(k) === Slot.DYNPTR) v.reject(`potential write to dynptr at off=${i} disallowed`);
  }
}

/** A read of dynptr bytes by the program itself (check_stack_read): never allowed. */
export const isDynptrByte = (f: Frame, k: number): boolean => f.slotType(k) === Slot.DYNPTR;

interface ArgMode {
  uninit: boolean;
  /** The callee leaves the dynptr itself alone (a const struct bpf_dynptr * the kernel marks
   *  MEM_RDONLY; a CONST_PTR_TO_DYNPTR may only be passed so). */
  rdonly: boolean;
  /** The dynptr type expected (or created), undefined for any. */
  type?: DynptrType;
  /** bpf_dynptr_clone's parent: the clone shares its reference. */
  cloneRef?: number;
}

/** process_dynptr_func: an uninitialised dynptr is created (its two slots written, then marked),
 *  an initialised one is checked (and described, for slices and clones). */
function processDynptrArg(v: Verifier, regno: number, m: ArgMode): DynptrRef | undefined {
  const reg = v.regs[regno]!;
  const argNo = regno - 1;
  if (reg.type !== RegType.STACK && reg.type !== RegType.DYNPTR) v.reject(`arg#${argNo} expected pointer to stack or const struct bpf_dynptr`, false, 22);
  if (m.uninit) {
    // is_dynptr_reg_valid_uninit: not yet allocated is fine (the writes below allocate it).
    if (reg.type === RegType.DYNPTR) v.reject('Dynptr has to be an uninitialized dynptr', false, 22);
    const s = getSpi(v, reg);
    if ('msg' in s && s.msg !== undefined) rejectAfter(v, s.msg, 'Dynptr has to be an uninitialized dynptr');
    for (let i = 0; i < 16; i += 8) checkMemAccess(v, regno, i, 8, 'write', undefined, -1);
    markDynptr(v, reg, m.type ?? 'local', m.cloneRef ?? 0);
    return undefined;
  }
  if (reg.type === RegType.DYNPTR) {
    if (!m.rdonly) v.reject('cannot pass pointer to const bpf_dynptr, the helper mutates it', false, 22);
    const d = reg.dynptr!;
    if (m.type && d.type !== m.type) v.reject(`Expected a dynptr of type ${m.type} as arg #${argNo}`, false, 22);
    return { regno, id: reg.id, type: d.type, refId: reg.refId };
  }
  const s = getSpi(v, reg);
  const f = frameOf(v, reg);
  const first = 'spi' in s ? f.spills[s.spi] : undefined;
  if (!('spi' in s) || !first?.dynptr?.first || !validBytes(f, s.spi)) rejectAfter(v, 'msg' in s ? s.msg : undefined, `Expected an initialized dynptr as arg #${argNo}`);
  if (m.type && first.dynptr.type !== m.type) v.reject(`Expected a dynptr of type ${m.type} as arg #${argNo}`, false, 22);
  // mark_dynptr_read: both slots are read.
  v.markStackRead(reg.frameno, s.spi);
  v.markStackRead(reg.frameno, s.spi - 1);
  v.scratchSlot(s.spi);
  return { regno, id: first.id, type: first.dynptr.type, refId: first.refId };
}

function validBytes(f: Frame, spi: number): boolean {
  for (let j = 0; j < 8; j++) if (f.slotType((spi << 3) + j) !== Slot.DYNPTR || f.slotType(((spi - 1) << 3) + j) !== Slot.DYNPTR) return false;
  return true;
}

/** mark_stack_slots_dynptr: both slots become the dynptr; a ring buffer one holds a reference
 *  (its own, or its parent's for a clone). */
function markDynptr(v: Verifier, reg: Reg, type: DynptrType, cloneRef: number): void {
  const s = getSpi(v, reg);
  if (!('spi' in s)) throw new Reject(`verifier internal error: dynptr slots not allocated`, v.pc, 14);
  const f = frameOf(v, reg);
  destroyIfDynptr(v, f, s.spi);
  destroyIfDynptr(v, f, s.spi - 1);
  const id = v.newId();
  let refId = 0;
  if (type === 'ringbuf') {
    refId = cloneRef || v.newId();
    if (!cloneRef) acquireReference(v, refId, 'dynptr');
  }
  for (const [spi, first] of [[s.spi, true], [s.spi - 1, false]] as const) {
    for (let j = 0; j < 8; j++) f.stack[(spi << 3) + j] = Slot.DYNPTR;
    const r = new Reg();
    r.dynptr = { type, first };
    r.id = id;
    r.refId = refId;
    f.spills[spi] = r;
    v.markStackWrite(f.frameno, spi);
    v.scratchSlot(spi);
  }
}

/** unmark_stack_slots_dynptr: releasing a ring buffer dynptr releases its reference, so every
 *  clone and every slice of any of them dies with it. */
function releaseDynptr(v: Verifier, ref: DynptrRef): void {
  const reg = v.regs[ref.regno]!;
  const s = getSpi(v, reg);
  if (!('spi' in s)) throw new Reject('verifier internal error: released dynptr not on the stack', v.pc, 14);
  const f = frameOf(v, reg);
  if (!ref.refId) {
    clearSlots(v, f, s.spi);
    return;
  }
  // Clones anywhere in the call chain share the reference (the kernel looks in the dynptr's
  // frame only; a clone left elsewhere would outlive its ring buffer record).
  const dead: number[] = [];
  for (const fr of v.st.frames) {
    for (let spi = 1; spi < fr.allocated >> 3; spi++) {
      const d = fr.spills[spi];
      if (fr.slotType(spi << 3) === Slot.DYNPTR && d?.dynptr?.first && d.refId === ref.refId) {
        dead.push(d.id);
        clearSlots(v, fr, spi);
      }
    }
  }
  // Slices of any of them die (those carrying the reference die in releaseReference too).
  for (const id of dead) invalidateSlices(v, id);
  releaseReference(v, ref.refId);
}

// ---- helpers ----------------------------------------------------------------------------------

/** What check_func_arg does with an ARG_PTR_TO_DYNPTR argument of helper `id`. */
export function checkHelperDynptrArg(v: Verifier, helperId: number, regno: number, flags: readonly string[]): { ref?: DynptrRef; release: boolean } {
  const r = v.regs[regno]!;
  if (r.type !== RegType.STACK && r.type !== RegType.DYNPTR) v.reject(`R${regno} type=${regTypeName(r)} expected=fp, dynptr_ptr`);
  if (r.type === RegType.DYNPTR) constDynptrOff(v, regno);
  const release = flags.includes('OBJ_RELEASE');
  if (release) {
    if (r.type !== RegType.STACK) v.reject('cannot release unowned const bpf_dynptr', false, 22);
    const s = getSpi(v, r);
    if (!('spi' in s) || !slotAt(frameOf(v, r), s.spi)?.refId) rejectAfter(v, 'msg' in s ? s.msg : undefined, `arg ${regno} is an unacquired reference`);
  }
  const ref = processDynptrArg(v, regno, { uninit: flags.includes('MEM_UNINIT'), rdonly: flags.includes('MEM_RDONLY'), type: HELPER_TYPE[helperId] });
  return { ...(ref ? { ref } : {}), release };
}

/** After a dynptr helper's arguments (check_helper_call): the release, then the per-helper rules. */
export function afterDynptrHelperArgs(v: Verifier, helperId: number, ref: DynptrRef | undefined, release: boolean): { changesPkt: boolean } {
  if (release && ref) releaseDynptr(v, ref);
  if (helperId === HELPER_DYNPTR_FROM_MEM && v.regs[1]!.type !== RegType.MAP_VALUE) v.reject(`Unsupported reg type ${regTypeName(v.regs[1]!)} for bpf_dynptr_from_mem data`);
  // bpf_dynptr_write to an skb dynptr may move the packet: its slices die with the packet pointers.
  return { changesPkt: helperId === HELPER_DYNPTR_WRITE && ref?.type === 'skb' };
}

/** bpf_dynptr_data's result: a slice of the dynptr, with its reference (a ring buffer record's). */
export function dynptrHelperReturn(v: Verifier, helperId: number, ref: DynptrRef | undefined): void {
  if (helperId !== HELPER_DYNPTR_DATA || !ref) return;
  const r0 = v.regs[0]!;
  r0.dynptrId = ref.id;
  r0.refId = ref.refId;
}

/** check_func_arg_reg_off for a CONST_PTR_TO_DYNPTR (pointer arithmetic on it is allowed; its
 *  use is not). */
function constDynptrOff(v: Verifier, regno: number): void {
  const r = v.regs[regno]!;
  if (r.off < 0) v.reject(`negative offset dynptr_ptr ptr R${regno} off=${r.off} disallowed`);
  if (r.off) v.reject(`dereference of modified dynptr_ptr ptr R${regno} off=${r.off} disallowed`);
  if (!r.s.isConst() || r.s.constValue() !== 0n) v.reject(`variable dynptr_ptr access var_off=${formatTnum(r.s.varOff)} disallowed`);
}

/** A global function's dynptr argument, as its caller passes it (btf_check_func_arg_match:
 *  an initialised dynptr, MEM_RDONLY): the kernel's lines, or undefined when it is fine. */
export function globalDynptrArgProblem(v: Verifier, regno: number): string | undefined {
  try {
    if (v.regs[regno]!.type === RegType.DYNPTR) constDynptrOff(v, regno);
    processDynptrArg(v, regno, { uninit: false, rdonly: true });
    return undefined;
  } catch (e) {
    if (e instanceof Reject) return e.message;
    throw e;
  }
}

/** The callback argument of bpf_user_ringbuf_drain (mark_dynptr_cb_reg), and a global
 *  function's dynptr argument: a local dynptr it may read through but not change. */
export function callbackDynptr(v: Verifier): Reg {
  const r = Reg.ptr(RegType.DYNPTR);
  r.dynptr = { type: 'local', first: true };
  r.id = v.newId();
  return r;
}

// ---- kfuncs -----------------------------------------------------------------------------------

/** check_kfunc_args and the return of the dynptr kfuncs. */
export function checkDynptrKfunc(v: Verifier, k: KfuncEntry): void {
  let parent: DynptrRef | undefined;
  let constant: bigint | undefined;
  let sliceBuf: string | undefined;
  const params = k.params;
  for (let i = 0; i < params.length; i++) {
    const [type, pname] = params[i]!;
    const regno = i + 1;
    v.readReg(regno);
    const r = v.regs[regno]!;
    if (/\bstruct bpf_dynptr \*/.test(type)) {
      if (r.type === RegType.DYNPTR) constDynptrOff(v, regno);
      const uninit = pname.endsWith('__uninit');
      const m: ArgMode = { uninit, rdonly: r.type === RegType.DYNPTR };
      if (k.name === 'bpf_dynptr_from_skb') m.type = 'skb';
      else if (k.name === 'bpf_dynptr_from_xdp') m.type = 'xdp';
      else if (k.name === 'bpf_dynptr_clone' && uninit && parent) {
        m.type = parent.type;
        m.cloneRef = parent.refId;
      }
      const ref = processDynptrArg(v, regno, m);
      if (!uninit) parent = ref;
      continue;
    }
    if ((type === 'struct __sk_buff *' || type === 'struct xdp_md *') && progTypeInfo(v.input.progType)?.ctx?.struct !== type.slice(7, -2)) {
      // Not this program type's context (netfilter's is bpf_nf_ctx): KF_ARG_PTR_TO_BTF_ID, where
      // the kernel type a uapi struct projects (sk_buff for __sk_buff, btf_is_projection_of) is
      // accepted, trusted and at offset 0 (KF_TRUSTED_ARGS).
      const uapi = type.slice(7, -2);
      const kern = uapi === '__sk_buff' ? 'sk_buff' : 'xdp_buff';
      if (r.type !== RegType.BTF_ID || (r.btfName !== kern && r.btfName !== uapi))
        v.reject(`kernel function ${k.name} args#${i} expected pointer to STRUCT ${uapi} but R${regno} has a pointer to ${r.type === RegType.BTF_ID ? `STRUCT ${r.btfName}` : regTypeName(r)}`, false, 22);
      if (r.maybeNull) v.reject(`Possibly NULL pointer passed to trusted arg${i}`, false, 13);
      if (!(r.flags & RegFlag.TRUSTED) && !r.refId) v.reject(`R${regno} must be referenced or trusted`, false, 22);
      if (r.off !== 0 || !r.s.isConst() || r.s.constValue() !== 0n) v.reject(`R${regno} must have zero offset when passed to release func or trusted arg to kfunc`, false, 22);
      continue;
    }
    if (type === 'struct __sk_buff *' || type === 'struct xdp_md *') {
      // KF_ARG_PTR_TO_CTX
      if (r.type !== RegType.CTX) v.reject(`arg#${i} expected pointer to ctx, but got ${regTypeName(r)}`, false, 22);
      if (r.off !== 0 || !r.s.isConst() || r.s.constValue() !== 0n) v.reject(`dereference of modified ctx ptr R${regno} off=${r.off} disallowed`);
      continue;
    }
    if (pname.endsWith('__opt')) {
      // KF_ARG_PTR_TO_MEM_SIZE: an optional buffer and its constant size (__szk).
      const sizeRegno = regno + 1;
      v.readReg(sizeRegno);
      const sz = v.regs[sizeRegno]!;
      if (!r.isNullConst()) {
        kfuncMemSize(v, regno, sizeRegno);
      } else v.markPrecise(1 << regno); // the NULL stays exact (6.18 marks it precise)
      if (sz.type !== RegType.SCALAR || !sz.s.isConst()) v.reject(`R${sizeRegno} must be a known constant`, false, 22);
      constant = sz.s.constValue();
      // the constant size (__szk) decides the slice's size: precise
      v.markPrecise(1 << sizeRegno);
      // The host prints a slice's stack buffer after its size (`buf=fp[0]-18+2`).
      if (r.type === RegType.STACK && r.s.isConst()) sliceBuf = `fp[${r.frameno}]${r.off + Number(BigInt.asIntN(64, r.s.constValue()))}+${constant}`;
      i++;
      continue;
    }
    if (r.type !== RegType.SCALAR) v.reject(`R${regno} is not a scalar`);
  }

  let r0 = Reg.unknown();
  if (k.name === 'bpf_dynptr_slice' || k.name === 'bpf_dynptr_slice_rdwr') {
    if (!parent || constant === undefined) throw new Reject(`verifier internal error: ${k.name} without its dynptr or size`, v.pc, 14);
    const rdwr = k.name === 'bpf_dynptr_slice_rdwr';
    // may_access_direct_pkt_data(env, NULL, BPF_WRITE), whatever the dynptr's type.
    if (rdwr && !mayWritePacket(v.input.progType)) v.reject('the prog does not allow writes to packet data', false, 22);
    r0 = Reg.ptr(RegType.MEM, RegFlag.MAYBE_NULL | (rdwr ? 0 : RegFlag.RDONLY) | (parent.type === 'skb' || parent.type === 'xdp' ? RegFlag.PKT_SLICE : 0));
    r0.memSize = Number(constant);
    r0.dynptrId = parent.id;
    if (sliceBuf !== undefined) r0.sliceBuf = sliceBuf;
    // 6.18 gives a ring buffer dynptr's slices its reference, so the release kills them.
    r0.refId = parent.refId;
    r0.id = v.newId();
  }
  for (let r = 1; r <= 5; r++) v.setReg(r, new Reg());
  v.setReg(0, r0);
}

/** A kfunc's initialised dynptr argument that the kfunc only reads through (KF_ARG_PTR_TO_DYNPTR,
 *  e.g. bpf_crypto_encrypt's src and dst): a stack dynptr, or a callback's const one. */
export function checkKfuncDynptrArg(v: Verifier, regno: number): DynptrRef | undefined {
  const r = v.regs[regno]!;
  if (r.type === RegType.DYNPTR) constDynptrOff(v, regno);
  return processDynptrArg(v, regno, { uninit: false, rdonly: r.type === RegType.DYNPTR });
}

/** check_kfunc_mem_size_reg: the buffer must hold `size` bytes (read and written), zero allowed.
 *  A refusal ends with check_kfunc_args' line naming the pair (`arg#0 arg#1 memory, len pair
 *  leads to invalid memory access` for r1/r2). */
export function kfuncMemSize(v: Verifier, memRegno: number, sizeRegno: number): void {
  try {
    kfuncMemSizeReg(v, memRegno, sizeRegno);
  } catch (e) {
    if (e instanceof Reject) throw new Reject(`${e.message}\narg#${memRegno - 1} arg#${sizeRegno - 1} memory, len pair leads to invalid memory access`, e.pc, e.errno);
    throw e;
  }
}

function kfuncMemSizeReg(v: Verifier, memRegno: number, sizeRegno: number): void {
  const sz = v.regs[sizeRegno]!;
  if (sz.type !== RegType.SCALAR) v.reject(`R${sizeRegno} is not a scalar`);
  const s = sz.s;
  if (s.smin < 0n) v.reject(`R${sizeRegno} min value is negative, either use unsigned or 'var &= const'`);
  if (s.umax >= MAX_VAR_SIZE) v.reject(`R${sizeRegno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
  // check_kfunc_mem_size_reg: check_mem_size_reg for a read, then for a write, each marking the
  // size precise (the current state is not marked, so the second walk is logged again).
  checkHelperMem(v, memRegno, Number(s.umin), Number(s.umax), false, false, true);
  v.markPrecise(1 << sizeRegno);
  checkHelperMem(v, memRegno, Number(s.umin), Number(s.umax), true, false, true);
  v.markPrecise(1 << sizeRegno);
}

/** states_equal for STACK_DYNPTR slots (stacksafe): same type and slot, the same reference. */
export function dynptrSlotSafe(o: Reg | undefined, c: Reg | undefined, check: (a: number, b: number) => boolean): boolean {
  if (!o?.dynptr || !c?.dynptr) return !o?.dynptr && !c?.dynptr;
  return o.dynptr.type === c.dynptr.type && o.dynptr.first === c.dynptr.first && check(o.refId, c.refId);
}
