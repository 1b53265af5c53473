// Linked scalars (the kernel's scalar ids and BPF_ADD_CONST, as Linux 6.18's stable series has
// them): a copy `r1 = r0` gives both registers one id, so what a later comparison proves about
// either holds for the other. A copy that then has a constant added or subtracted (`r1 += 4`,
// `w1 -= 2`) stays linked with that delta: the id carries ADD_CONST64 / ADD_CONST32 and `off` the
// delta, the log prints `id=1+4`, and a comparison on one register moves the other's bounds by the
// difference of the deltas (sync_linked_regs). Only with CAP_BPF; one delta per register (a second
// add breaks the link). The registers linked at a comparison are recorded in the path's history so
// that precision backtracking marks all of them (bt_sync_linked_regs, verifier/precision.ts).
import { AluOp, Cls, type Insn } from '../vm/isa.js';
import { addLinkedDelta } from './scalar.js';
import { Reg, RegFlag, RegType, type VState } from './state.js';

export const ADD_CONST = RegFlag.ADD_CONST64 | RegFlag.ADD_CONST32;
/** LINKED_REGS_MAX: registers and spill slots linked at one comparison; the rest lose their id. */
const MAX_LINKED = 6;
const S32_MIN = -(2 ** 31);
const S32_MAX = 2 ** 31 - 1;

/** One register or spilled register linked at a comparison (kernel struct linked_reg). */
export interface LinkedReg {
  readonly frame: number;
  readonly isReg: boolean;
  /** Register number, or stack slot index (spi). */
  readonly no: number;
}

export const hasAddConst = (r: Reg): boolean => (r.flags & ADD_CONST) !== 0;

/** clear_scalar_id: no longer linked to anything. */
export function clearScalarId(r: Reg): void {
  r.id = 0;
  r.off = 0;
  r.flags &= ~ADD_CONST;
}

/** assign_scalar_id_before_mov: the source of a copy gets an id (a fresh one when it carried a
 *  delta, since a register holds only one delta) so the copy and it stay linked. */
export function assignScalarIdBeforeMov(newId: () => number, src: Reg): void {
  if (src.type !== RegType.SCALAR) return;
  if (hasAddConst(src)) clearScalarId(src);
  if (!src.id && !src.s.isConst()) src.id = newId();
}

/** The tail of adjust_reg_min_max_vals for scalar `dst op= src` (`r` the result, `dst` the
 *  operand before the op): an add or sub of a constant keeps the link with that delta, any other
 *  op breaks it. */
export function linkAfterScalarAlu(bpfCapable: boolean, insn: Insn, dst: Reg, src: Reg, r: Reg): void {
  const op = insn.code & 0xf0;
  const alu32 = (insn.code & 7) !== Cls.ALU64;
  const isX = (insn.code & 0x08) !== 0;
  const srcConst = alu32 ? src.s.isConst32() : src.s.isConst();
  if (!bpfCapable || (op !== AluOp.ADD && op !== AluOp.SUB) || !dst.id || !srcConst || (isX && insn.src === insn.dst)) {
    clearScalarId(r);
    return;
  }
  let off: number;
  if (alu32) {
    // The link holds for the zero-extended result only when the upper half was zero already.
    if (dst.s.umax > 0xffffffffn) return clearScalarId(r);
    off = src.s.constValue32() | 0;
  } else {
    const val = BigInt.asIntN(64, src.s.constValue());
    if (val < BigInt(S32_MIN) || val > BigInt(S32_MAX)) return clearScalarId(r);
    off = Number(val);
  }
  if (op === AluOp.SUB) {
    if (off === S32_MIN) return clearScalarId(r);
    off = -off;
  }
  if (hasAddConst(dst)) return clearScalarId(r);
  r.flags |= alu32 ? RegFlag.ADD_CONST32 : RegFlag.ADD_CONST64;
  r.off = off;
}

function* frameRegs(s: VState, pc: number, liveIn: Uint16Array): Generator<[Reg, LinkedReg]> {
  for (let fi = s.frames.length - 1; fi >= 0; fi--) {
    const f = s.frames[fi]!;
    // Only registers live at the frame's current insn (its call site for the callers' frames).
    const live = liveIn[fi === s.frames.length - 1 ? pc : s.frames[fi + 1]!.callsite] ?? 0x3ff;
    for (let i = 0; i < 10; i++) if (live & (1 << i)) yield [f.regs[i]!, { frame: fi, isReg: true, no: i }];
    for (let spi = 0; spi < f.spills.length; spi++) {
      const sp = f.spills[spi];
      if (sp && f.isSpilled(spi)) yield [sp, { frame: fi, isReg: false, no: spi }];
    }
  }
}

/** collect_linked_regs: every live scalar register and spilled scalar of the state with this id
 *  (the delta ignored), frames from the innermost out; past the limit a register loses its id.
 *  Dead registers are left out (6.18 stable: a link to a dead register would make backtracking
 *  mark it precise where a later path no longer has the link). */
export function collectLinked(s: VState, id: number, pc: number, liveIn: Uint16Array, out: LinkedReg[]): void {
  for (const [r, e] of frameRegs(s, pc, liveIn)) {
    if (r.type !== RegType.SCALAR || r.id !== id) continue;
    if (out.length < MAX_LINKED) out.push(e);
    else clearScalarId(r);
  }
}

function linkedAt(s: VState, e: LinkedReg): Reg | undefined {
  const f = s.frames[e.frame];
  return e.isReg ? f?.regs[e.no] : f?.spills[e.no];
}

/** sync_linked_regs: every collected register of `known`'s id gets `known`'s bounds, moved by the
 *  difference of their deltas. */
export function syncLinked(s: VState, known: Reg, linked: readonly LinkedReg[]): void {
  if (known.type !== RegType.SCALAR || !known.id) return;
  for (const e of linked) {
    const r = linkedAt(s, e);
    if (!r || r === known || r.type !== RegType.SCALAR || r.id !== known.id) continue;
    if ((!hasAddConst(r) && !hasAddConst(known)) || r.off === known.off) {
      // copy_register_state: the same value, so the same link too
      r.s = known.s.clone();
      r.precise = known.precise;
      r.flags = (r.flags & ~ADD_CONST) | (known.flags & ADD_CONST);
      r.off = known.off;
      continue;
    }
    const s2 = known.s.clone();
    addLinkedDelta(s2, BigInt(r.off) - BigInt(known.off), (known.flags & RegFlag.ADD_CONST32) !== 0);
    r.s = s2;
    r.precise = known.precise;
  }
}

/** The kernel's regsafe rules for the ids of scalars (old state `o` covers current `c`): an old
 *  register linked with a delta needs the same delta in the current one, an old plain link no
 *  delta, and both the compound id (id and delta flag) and the plain id must map consistently. */
export function scalarIdsSafe(o: Reg, c: Reg, check: (oldId: number, curId: number) => boolean): boolean {
  if (hasAddConst(o) && !hasAddConst(c)) return false;
  if (o.id && !hasAddConst(o) && hasAddConst(c)) return false;
  if (hasAddConst(o) && o.off !== c.off) return false;
  return checkScalarIds(o, c, check);
}

/** check_scalar_ids: an old id of 0 accepts anything; a current id of 0 is a fresh one. */
export function checkScalarIds(o: Reg, c: Reg, check: (oldId: number, curId: number) => boolean): boolean {
  // The compound id: the flags as bits above every id (and every temporary id) a state holds.
  const compound = (r: Reg): number => r.id + (r.flags & RegFlag.ADD_CONST64 ? 2 ** 41 : 0) + (r.flags & RegFlag.ADD_CONST32 ? 2 ** 40 : 0);
  if (!o.id) return true;
  if (!c.id) return check(compound(o), 0);
  if (!check(compound(o), compound(c))) return false;
  if (hasAddConst(o) && !check(o.id, c.id)) return false;
  return true;
}
