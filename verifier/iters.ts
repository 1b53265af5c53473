// Open-coded iterators (the kernel's process_iter_arg, mark_stack_slots_iter,
// is_iter_reg_valid_uninit/init, process_iter_next_call and the iterator rules of
// is_state_visited). An iterator is a `struct bpf_iter_<type>` on the program's stack: its
// KF_ITER_NEW kfunc turns the slots into STACK_ITER slots holding one reference (released by its
// KF_ITER_DESTROY kfunc, so a forgotten iterator is an unreleased reference at exit); its
// KF_ITER_NEXT kfunc forks the state: the current path sees the iterator drained (R0 = NULL),
// a queued path sees it active one iteration deeper (R0 = a pointer into the iterator's element).
// Loops over iterators converge at the next call: a state equal (by range) to a state of an
// earlier iteration still being explored proves the loop, because next keeps returning NULL once
// it has (the iterators' contract). Writes into the slots break the iterator (the slots become
// misc bytes, the reference stays held); reads of them are refused.
import { KF, kfuncFlagBits, type KfuncEntry } from '../helpers/kfuncs.js';
import type { Insn } from '../vm/isa.js';
import { PseudoCall } from '../vm/isa.js';
import { checkMemAccess } from './mem.js';
import { acquireReference, releaseReference } from './refs.js';
import { widenScalars } from './prune.js';
import { Reg, RegFlag, RegType, Slot, type Frame, type IterSlot, type VState } from './state.js';
import type { Verifier } from './verifier.js';

export const isIterKfunc = (k: KfuncEntry): boolean => (kfuncFlagBits(k) & (KF.KF_ITER_NEW | KF.KF_ITER_NEXT | KF.KF_ITER_DESTROY)) !== 0;

/** The iterator struct a kfunc's first parameter points to ('bpf_iter_num'), as the kernel's
 *  btf_check_iter_kfuncs requires of every iterator kfunc. */
export function iterStruct(k: KfuncEntry): string | undefined {
  const m = /^struct (bpf_iter_\w+) \*$/.exec(k.params[0]?.[0] ?? '');
  return m?.[1];
}

/** The call at pc is an iterator's next kfunc (kernel insn_aux is_iter_next). */
export function isIterNextInsn(v: Verifier, insn: Insn): boolean {
  if (insn.src !== PseudoCall.KFUNC || (insn.code & 0xf7) !== 0x85) return false;
  const k = v.input.kfunc?.(insn.imm);
  return k !== undefined && (kfuncFlagBits(k) & KF.KF_ITER_NEXT) !== 0;
}

/** What process_iter_arg found for the next/destroy kfunc: the iterator's frame and slot. */
export interface IterArg {
  frameno: number;
  spi: number;
  refId: number;
}

/** stack_slot_obj_get_spi for "iter": the slot index of the iterator's first (highest) slot, or
 *  'range' when the slots are beyond the stack allocated so far (kernel -ERANGE). */
function iterSpi(v: Verifier, reg: Reg, nslots: number): number | 'range' | string {
  if (!reg.s.isConst()) return 'iter has to be at a constant offset';
  const off = reg.off + Number(BigInt.asIntN(64, reg.s.constValue()));
  if (off % 8) return `cannot pass in iter at an offset=${off}`;
  const spi = Math.floor((-off - 1) / 8);
  if (spi + 1 < nslots) return `cannot pass in iter at an offset=${off}`;
  const f = v.st.frames[reg.frameno]!;
  if (spi - nslots + 1 < 0 || spi >= f.allocated >> 3) return 'range';
  return spi;
}

const slotIsIter = (f: Frame, spi: number): boolean => {
  for (let j = 0; j < 8; j++) if (f.stack[(spi << 3) + j] !== Slot.ITER) return false;
  return true;
};

/** check_kfunc_args for an iterator argument (arg #0 of every iterator kfunc). */
export function processIterArg(v: Verifier, k: KfuncEntry, regno: number): IterArg | undefined {
  const reg = v.regs[regno]!;
  const argNo = regno - 1;
  if (reg.type !== RegType.STACK) v.reject(`arg#${argNo} expected pointer to an iterator on stack`, false, 22);
  const struct = iterStruct(k);
  const t = struct ? v.input.kernelType?.(struct) : undefined;
  if (!struct || t?.kind !== 'struct' || t.size % 8 || !t.size) v.reject(`expected valid iter pointer as arg #${argNo}`, false, 22);
  const nslots = t.size / 8;
  const type = struct.slice('bpf_iter_'.length);
  const flags = kfuncFlagBits(k);
  const f = v.st.frames[reg.frameno]!;
  if (flags & KF.KF_ITER_NEW) {
    // is_iter_reg_valid_uninit: no byte of the slots may belong to a live iterator.
    const spi = iterSpi(v, reg, nslots);
    let uninit = spi === 'range';
    if (typeof spi === 'number') {
      uninit = true;
      for (let i = 0; i < nslots; i++) for (let j = 0; j < 8; j++) if (f.stack[((spi - i) << 3) + j] === Slot.ITER) uninit = false;
    }
    if (!uninit) v.reject(`${typeof spi === 'string' && spi !== 'range' ? `${spi}\n` : ''}expected uninitialized iter_${type} as arg #${argNo}`, false, 22);
    // The kfunc writes the whole iterator (check_mem_access of each 8 bytes: bounds, stack depth).
    for (let i = 0; i < nslots * 8; i += 8) checkMemAccess(v, regno, i, 8, 'write', undefined, -1);
    const at = iterSpi(v, reg, nslots);
    if (typeof at !== 'number') v.reject(at === 'range' ? 'verifier internal error: iterator slots not allocated' : at, false, 22);
    // mark_stack_slots_iter: one reference for the whole iterator, held by its first slot.
    const id = v.newId();
    acquireReference(v, id, 'iter');
    for (let i = 0; i < nslots; i++) {
      const r = Reg.ptr(RegType.STACK);
      r.refId = i === 0 ? id : 0;
      r.iter = { type, active: true, depth: 0 };
      f.spills[at - i] = r;
      for (let j = 0; j < 8; j++) f.stack[((at - i) << 3) + j] = Slot.ITER;
      v.markStackWrite(reg.frameno, at - i);
      v.scratchSlot(at - i);
    }
    return undefined;
  }
  // is_iter_reg_valid_init: every byte an iterator's, of this type, the reference on the first.
  const spi = iterSpi(v, reg, nslots);
  let ok = typeof spi === 'number';
  if (typeof spi === 'number') {
    for (let i = 0; i < nslots && ok; i++) {
      const s = f.spills[spi - i];
      if (!slotIsIter(f, spi - i) || !s?.iter || s.iter.type !== type || (i === 0) !== (s.refId !== 0)) ok = false;
    }
  }
  if (!ok) v.reject(`${typeof spi === 'string' && spi !== 'range' ? `${spi}\n` : ''}expected an initialized iter_${type} as arg #${argNo}`, false, 22);
  const at = spi as number;
  // mark_iter_read: every slot of the iterator is read.
  for (let i = 0; i < nslots; i++) v.markStackRead(reg.frameno, at - i);
  for (let i = 0; i < nslots; i++) v.scratchSlot(at - i);
  const refId = f.spills[at]!.refId;
  if (flags & KF.KF_ITER_DESTROY) {
    // unmark_stack_slots_iter: the reference goes (with every register derived from it, such
    // as next's element pointers) and the slots are uninitialised stack again.
    releaseReference(v, refId);
    for (let i = 0; i < nslots; i++) {
      f.spills[at - i] = undefined;
      for (let j = 0; j < 8; j++) f.stack[((at - i) << 3) + j] = Slot.INVALID;
      v.markStackWrite(reg.frameno, at - i);
    }
  }
  return { frameno: reg.frameno, spi: at, refId };
}

/** The iterator's state in `st` (kernel get_iter_from_state). */
function iterOf(st: VState, a: IterArg): Reg {
  return st.frames[a.frameno]!.spills[a.spi]!;
}

function withIter(r: Reg, it: IterSlot): Reg {
  const c = r.clone();
  c.iter = it;
  return c;
}

/** The return value of a next kfunc and process_iter_next_call, after R0-R5 are clobbered:
 *  the element is read-only memory of the element type's size inside the iterator (its reference
 *  is the iterator's: destroying the iterator invalidates it). An active iterator forks: the
 *  queued path continues the loop one iteration deeper with a non-NULL element (its imprecise
 *  scalars widened against the previous iteration, so the loop converges); the current path sees
 *  the iterator drained and R0 = 0. */
export function iterNextCall(v: Verifier, k: KfuncEntry, a: IterArg, prev: VState | undefined): void {
  const m = /^(?:const )?(\w+(?: \w+)?) \*$/.exec(k.ret);
  const size = m ? scalarSize(m[1]!) : 0;
  if (!size) v.reject(`kernel function ${k.name} returns pointer type ${k.ret} is not supported`, false, 22);
  const r0 = Reg.ptr(RegType.MEM, RegFlag.RDONLY | RegFlag.MAYBE_NULL);
  r0.memSize = size;
  r0.refId = a.refId;
  r0.id = v.newId();
  v.setReg(0, r0);
  const cur = iterOf(v.st, a);
  if (!cur.iter) v.reject('verifier internal error: iterator state missing', false, 14);
  if (cur.iter.active) {
    const queued = v.st.clone();
    const qf = queued.frames[a.frameno]!;
    qf.spills[a.spi] = withIter(qf.spills[a.spi]!, { ...cur.iter, active: true, depth: cur.iter.depth + 1 });
    if (prev) widenScalars(prev, queued);
    const q0 = queued.cur.regs[0]!.clone();
    q0.flags &= ~RegFlag.MAYBE_NULL;
    queued.cur.regs[0] = q0;
    v.pushBranch(queued, v.pc + 1);
  }
  const f = v.st.frames[a.frameno]!;
  f.spills[a.spi] = withIter(cur, { ...cur.iter, active: false });
  v.setReg(0, Reg.known(0n));
}

/** Sizes of the scalar element types next kfuncs return pointers to. */
function scalarSize(t: string): number {
  const sizes: Record<string, number> = { int: 4, 'unsigned int': 4, u32: 4, s32: 4, __u32: 4, __s32: 4, u64: 8, s64: 8, __u64: 8, __s64: 8, long: 8, 'unsigned long': 8, u16: 2, s16: 2, u8: 1, s8: 1, char: 1 };
  return sizes[t] ?? 0;
}

/** iter_active_depths_differ: an active iterator of `old` is at another iteration in `cur`, so
 *  equal states there are not an endless loop (the iterator moved on). */
export function iterActiveDepthsDiffer(old: VState, cur: VState): boolean {
  for (let fr = old.frames.length - 1; fr >= 0; fr--) {
    const of = old.frames[fr]!;
    const cf = cur.frames[fr];
    for (let spi = 0; spi < of.allocated >> 3; spi++) {
      if (of.stack[spi << 3] !== Slot.ITER) continue;
      const o = of.spills[spi]?.iter;
      if (!o?.active) continue;
      if (cf?.spills[spi]?.iter?.depth !== o.depth) return true;
    }
  }
  return false;
}

/** At a next call in a loop: the iterator the call advances is active in the current state
 *  (the kernel's check before it accepts a loop's state as converged). */
export function iterArgActive(v: Verifier, st: VState): boolean {
  const r1 = st.cur.regs[1]!;
  if (r1.type !== RegType.STACK || !r1.s.isConst()) return false;
  const off = r1.off + Number(BigInt.asIntN(64, r1.s.constValue()));
  const spi = Math.floor((-off - 1) / 8);
  return st.frames[r1.frameno]?.spills[spi]?.iter?.active === true;
}

/** stacksafe for one iterator slot: the same iterator type and state, with matching reference
 *  ids; the depth is not compared (it only keeps the endless-loop check away). */
export function iterSlotSafe(o: Reg | undefined, c: Reg | undefined, checkId: (a: number, b: number) => boolean): boolean {
  if (!o?.iter || !c?.iter) return false;
  return o.type === c.type && o.flags === c.flags && o.iter.type === c.iter.type && o.iter.active === c.iter.active && checkId(o.refId, c.refId);
}
