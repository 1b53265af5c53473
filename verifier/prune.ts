// State pruning (kernel is_state_visited / states_equal / regsafe / stacksafe). A state reached
// at a prune point is safe when a fully explored state at the same insn "contains" it: an
// imprecise scalar of the explored state matches anything (precision.ts marks what a check
// depended on), dead registers are skipped using the static liveness of cfg.ts (6.18's
// compute_live_registers) and dead stack slots are forgotten by the explored states
// (liveness.ts). Loop states whose marks may still grow compare scalars by range; the endless-loop
// check compares exactly. Back from a callback run, imprecise scalars that changed since the
// call are widened (widenScalars, called from calls.ts as prepare_func_exit does).
import { tnumIn } from './tnum.js';
import { scalarWithin } from './scalar.js';
import { Reg, RegType, Slot, type Frame, type VState } from './state.js';
import { History, type PrecisionNode } from './precision.js';
import { dynptrSlotSafe } from './dynptr.js';
import { iterSlotSafe } from './iters.js';
import { checkScalarIds, scalarIdsSafe } from './linked.js';

/** A saved state at a prune point. */
export class Checkpoint implements PrecisionNode {
  /** Paths still being explored below this checkpoint (kernel `branches`). */
  branches = 1;
  hit = 0;
  miss = 0;
  allPrecise = false;
  /** Dead registers were dropped (kernel clean_verifier_state, once fully explored). */
  cleaned = false;
  /** loopHash of the state when it was saved (0 at callback sites). */
  hash = 0;
  /** Dropped from its insn's list after too many misses while still being explored (the
   *  kernel's free_list): no longer compared, nor found as a loop's previous entry. */
  evicted = false;
  /** Counted in the free list until fully explored (peak_states). */
  inFreeList = false;
  constructor(
    readonly pc: number,
    readonly state: VState,
    public parent: Checkpoint | undefined,
    /** The insns run from the parent checkpoint to this one. */
    readonly hist: History,
  ) {}
}

/** The checkpoints of one insn (and call site), in the order the kernel's explored_state list
 *  holds them: the newest first (stored oldest first, walked from the end). Fully explored ones
 *  (branches 0) may prune; those still being explored are only compared at the loop-converging
 *  insns and for the endless-loop check. Both kinds take misses and are dropped after too many. */
export class StatesAt {
  list: Checkpoint[] = [];
  add(cp: Checkpoint): void {
    this.list.push(cp);
  }
}

/** A cheap fingerprint of the top frame's registers, dead ones included: states that
 *  maybeLooping finds alike have equal hashes, so the endless-loop check only scans its bucket. */
export function loopHash(s: VState): number {
  const regs = s.cur.regs;
  let h = s.frames.length;
  for (let r = 0; r < 10; r++) {
    const x = regs[r]!;
    h = (Math.imul(h, 31) + x.type * 7 + x.off) | 0;
    h = (Math.imul(h, 31) + Number(BigInt.asUintN(32, x.s.varOff.value))) | 0;
    h = (Math.imul(h, 31) + Number(BigInt.asUintN(32, x.s.varOff.mask))) | 0;
  }
  return h;
}

/** Consistent renaming of ids between the old and the current state (kernel check_ids). */
class IdMap {
  private o2c: Map<number, number> | undefined;
  private c2o: Map<number, number> | undefined;
  private tmp = 1 << 30;
  check(oldId: number, curId: number): boolean {
    if (!oldId && !curId) return true;
    if (!oldId) oldId = ++this.tmp;
    if (!curId) curId = ++this.tmp;
    this.o2c ??= new Map();
    this.c2o ??= new Map();
    const c = this.o2c.get(oldId);
    const o = this.c2o.get(curId);
    if (c === undefined && o === undefined) {
      this.o2c.set(oldId, curId);
      this.c2o.set(curId, oldId);
      return true;
    }
    return c === curId && o === oldId;
  }
}

/** How states are compared: 'within' (kernel NOT_EXACT: imprecise scalars match anything),
 *  'range' (RANGE_WITHIN: every scalar by range, for loops whose marks are not final) or 'exact'
 *  (infinite-loop detection). */
export type Compare = 'within' | 'range' | 'exact';

/** states_maybe_looping: the top frames' registers, all of them as the kernel's memcmp compares
 *  them (dead ones too), are bit-for-bit alike: a cheap filter before the exact comparison. Only
 *  live registers would let a loop whose dead registers change each lap (a counter reloaded from
 *  the stack) reach the exact comparison against every earlier lap's state, quadratic in laps. */
export function maybeLooping(old: VState, cur: VState): boolean {
  if (old.frames.length !== cur.frames.length) return false;
  const o = old.cur.regs;
  const c = cur.cur.regs;
  for (let r = 0; r < 10; r++) {
    const a = o[r]!;
    const b = c[r]!;
    if (a.type !== b.type || a.off !== b.off || a.s.varOff.value !== b.s.varOff.value || a.s.varOff.mask !== b.s.varOff.mask || a.s.smin !== b.s.smin || a.s.umax !== b.s.umax) return false;
  }
  return true;
}

/** What the comparison depends on of the loader's capabilities: without allow_uninit_stack an
 *  old misc byte no longer accepts an uninitialised one, and without CAP_BPF every scalar counts
 *  as precise. */
export interface PruneCaps {
  allowUninitStack: boolean;
  allPrecise: boolean;
  /** explore_alu_limits (verifier/spectre.ts): a masked pointer op with a register offset was
   *  seen, so scalars must be equal, precise or not: paths that would mask it differently are all
   *  explored. */
  exploreAluLimits?: boolean;
}
const PRIVILEGED: PruneCaps = { allowUninitStack: true, allPrecise: false };

export function statesEqual(old: VState, cur: VState, liveAt: (frameIdx: number, f: Frame) => number, mode: Compare, caps: PruneCaps = PRIVILEGED): boolean {
  if (old.frames.length !== cur.frames.length) return false;
  // A speculative path's state never covers a real one.
  if (old.speculative && !cur.speculative) return false;
  if ((old.lock?.key ?? '') !== (cur.lock?.key ?? '')) return false;
  if (old.rcuLock !== cur.rcuLock || old.preemptLocks !== cur.preemptLocks || old.inSleepable !== cur.inSleepable) return false;
  if (old.refs.length !== cur.refs.length) return false;
  // rbtree: the held tree locks (strict mode) and the pending conditional releases of add.
  if (old.rbLocks.length !== cur.rbLocks.length || old.rbLocks.some((m, i) => cur.rbLocks[i] !== m)) return false;
  if (old.condRelease.size !== cur.condRelease.size) return false;
  const ids = new IdMap();
  if (old.lock && cur.lock && !ids.check(old.lock.id, cur.lock.id)) return false;
  for (let i = 0; i < old.refs.length; i++) if (!ids.check(old.refs[i]!.id, cur.refs[i]!.id)) return false;
  const oc = [...old.condRelease];
  const cc = [...cur.condRelease];
  for (let i = 0; i < oc.length; i++) if (!ids.check(oc[i]![0], cc[i]![0]) || !ids.check(oc[i]![1], cc[i]![1])) return false;
  for (let i = 0; i < old.frames.length; i++) {
    const of = old.frames[i]!;
    const cf = cur.frames[i]!;
    if (of.callsite !== cf.callsite || of.inCallback !== cf.inCallback) return false;
    // func_states_equal: fewer callback runs behind the old state do not cover more.
    if (of.callbackDepth > cf.callbackDepth) return false;
    const live = liveAt(i, cf);
    for (let r = 0; r < 10; r++) {
      if (!(live & (1 << r))) continue;
      if (!regSafe(of.regs[r]!, cf.regs[r]!, ids, mode, caps)) return false;
    }
    if (!stackSafe(of, cf, ids, mode, caps)) return false;
  }
  return true;
}

function regSafe(o: Reg, c: Reg, ids: IdMap, mode: Compare, caps: PruneCaps = PRIVILEGED): boolean {
  if (mode === 'exact') return exactReg(o, c, ids);
  // An uninitialised old register covers anything, except by range (a loop's old state must
  // have had it uninitialised too).
  if (o.type === RegType.NOT_INIT) return mode === 'within' || c.type === RegType.NOT_INIT;
  if (c.type === RegType.NOT_INIT) return false;
  if (o.type !== c.type) return false;
  if (o.type === RegType.SCALAR) {
    const check = (a: number, b: number): boolean => ids.check(a, b);
    if (caps.exploreAluLimits) return o.s.equals(c.s) && o.off === c.off && checkScalarIds(o, c, check);
    // An imprecise scalar: no check depended on its value.
    if (!o.precise && !caps.allPrecise && mode === 'within') return true;
    // Linked registers (verifier/linked.ts): same kind of link, same delta, ids that map.
    if (!scalarIdsSafe(o, c, check)) return false;
    return scalarWithin(o.s, c.s);
  }
  if (o.flags !== c.flags || o.map !== c.map || o.mapUid !== c.mapUid || o.off !== c.off || o.frameno !== c.frameno || o.btfName !== c.btfName || o.btfId !== c.btfId || o.memSize !== c.memSize || o.subprog !== c.subprog) return false;
  if (!ids.check(o.id, c.id) || !ids.check(o.refId, c.refId) || !ids.check(o.dynptrId, c.dynptrId)) return false;
  if (o.type === RegType.DYNPTR && o.dynptr?.type !== c.dynptr?.type) return false;
  if (o.isPkt()) {
    // The current pointer must be proven at least as far as the old one.
    if (c.range < o.range || (o.range < 0 && c.range !== o.range)) return false;
  }
  return scalarWithin(o.s, c.s) && tnumIn(o.s.varOff, c.s.varOff);
}

function exactReg(o: Reg, c: Reg, ids: IdMap): boolean {
  if (o.type !== c.type) return false;
  if (o.type === RegType.NOT_INIT) return true;
  if (!o.s.equals(c.s)) return false;
  if (o.type === RegType.SCALAR) return o.off === c.off && checkScalarIds(o, c, (a, b) => ids.check(a, b));
  return o.flags === c.flags && o.map === c.map && o.mapUid === c.mapUid && o.off === c.off && o.range === c.range && o.frameno === c.frameno && o.memSize === c.memSize && ids.check(o.id, c.id) && ids.check(o.refId, c.refId);
}

const UNBOUND = Reg.unknown();
/** scalar_reg_for_stack: the register a slot stands for, when it is a 64-bit spilled scalar or
 *  all misc bytes (an unbound scalar); undefined otherwise. */
function scalarRegForStack(f: Frame, spi: number, caps: PruneCaps): Reg | undefined {
  const sp = f.spills[spi];
  if (f.slotType(spi << 3) === Slot.SPILL && sp?.type === RegType.SCALAR) return sp;
  for (let j = 0; j < 8; j++) {
    const t = f.slotType((spi << 3) + j);
    if (t !== Slot.MISC && !(t === Slot.INVALID && caps.allowUninitStack)) return undefined;
  }
  return UNBOUND;
}

/** stacksafe: old invalid bytes accept anything; old misc bytes too with allow_uninit_stack
 *  (privileged), else only misc, zero or a spilled scalar. */
function stackSafe(o: Frame, c: Frame, ids: IdMap, mode: Compare, caps: PruneCaps): boolean {
  const n = o.allocated;
  if (mode === 'exact' && n !== c.allocated) return false;
  for (let k = 0; k < n; k++) {
    const ot = o.stack[k]!;
    const ct = c.slotType(k);
    if (ot === Slot.DYNPTR) {
      // A dynptr: the same kind of dynptr with the same reference (verifier/dynptr.ts).
      if (ct !== Slot.DYNPTR) return false;
      if ((k & 7) === 7 && !dynptrSlotSafe(o.spills[k >> 3], c.spills[k >> 3], (a, b) => ids.check(a, b))) return false;
      continue;
    }
    if (ot === Slot.ITER) {
      // An iterator: the same iterator in the same state (verifier/iters.ts).
      if (ct !== Slot.ITER) return false;
      if ((k & 7) === 7 && !iterSlotSafe(o.spills[k >> 3], c.spills[k >> 3], (a, b) => ids.check(a, b))) return false;
      continue;
    }
    if (mode === 'exact') {
      if (ot !== ct) return false;
      if (ot === Slot.SPILL && (k & 7) === 7 && !exactReg(o.spills[k >> 3]!, c.spills[k >> 3] ?? new Reg(), ids)) return false;
      continue;
    }
    if (ot === Slot.INVALID || (ot === Slot.MISC && caps.allowUninitStack)) continue;
    // A 64-bit scalar spill against a slot of misc bytes (uninitialised ones too with
    // allow_uninit_stack), either way round: a load from the misc slot gives an unbound scalar,
    // so the two compare as registers (kernel scalar_reg_for_stack, at the first byte compared).
    const oReg = scalarRegForStack(o, k >> 3, caps);
    const cReg = oReg && scalarRegForStack(c, k >> 3, caps);
    if (oReg && cReg) {
      if (!regSafe(oReg, cReg, ids, mode, caps)) return false;
      k |= 7;
      continue;
    }
    if (ot === Slot.MISC) {
      if (ct === Slot.MISC || ct === Slot.ZERO || (ct === Slot.SPILL && c.spills[k >> 3]?.type === RegType.SCALAR && !caps.exploreAluLimits)) continue;
      return false;
    }
    if (ot === Slot.ZERO) {
      if (ct === Slot.ZERO) continue;
      if (ct === Slot.SPILL && c.spills[k >> 3]?.isNullConst()) continue;
      return false;
    }
    // Old spill: the current slot must hold a spill the old one contains (a 64-bit scalar spill
    // against misc bytes was compared above as registers; a narrower spill has no such rule).
    if (ct !== Slot.SPILL) return false;
    if ((k & 7) !== 7) continue;
    if (!regSafe(o.spills[k >> 3] ?? new Reg(), c.spills[k >> 3] ?? new Reg(), ids, mode, caps)) return false;
  }
  return true;
}

/** Kernel widen_imprecise_scalars (maybe_widen_reg): scalars of `cur` that differ from `old`
 *  become unknown unless either side is precise (a check depended on its value). */
export function widenScalars(old: VState, cur: VState): void {
  for (let i = 0; i < cur.frames.length && i < old.frames.length; i++) {
    const of = old.frames[i]!;
    const cf = cur.frames[i]!;
    for (let r = 0; r < 10; r++) {
      const o = of.regs[r]!;
      const c = cf.regs[r]!;
      if (o.type === RegType.SCALAR && c.type === RegType.SCALAR && !o.precise && !c.precise && !o.s.equals(c.s)) cf.regs[r] = Reg.unknown();
    }
    for (let s = 0; s < cf.spills.length; s++) {
      const o = of.spills[s];
      const c = cf.spills[s];
      if (o && c && o.type === RegType.SCALAR && c.type === RegType.SCALAR && !o.precise && !c.precise && !o.s.equals(c.s)) cf.spills[s] = Reg.unknown();
    }
  }
}
