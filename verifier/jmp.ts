// Conditional jumps (kernel check_cond_jmp_op): which outcomes are possible, and what each
// outcome teaches: scalar bounds (verifier/scalar.ts refineBranch, shared by all copies of the
// same scalar id), null checks of `_or_null` pointers (all registers of the same id, in every
// frame and spill slot), and packet ranges from comparisons with pkt_end in every form.
import { Cls, JmpOp, type Insn } from '../vm/isa.js';
import { Scalar, isBranchTaken, refineBranch } from './scalar.js';
import { Reg, RegFlag, RegType, type VState } from './state.js';
import { releaseReference } from './refs.js';
import type { Verifier } from './verifier.js';
import { mayPointToSpinLock } from './graph.js';
import { noteInnerMapUid } from './timer.js';
import { pushSpeculativeBranch } from './spectre.js';
import { collectLinked, syncLinked, type LinkedReg } from './linked.js';

const AT_PKT_END = -1;
const BEYOND_PKT_END = -2;
const MAX_PACKET_OFF = 0xffff;

/** Swap the operands' roles: a < b  <=>  b > a. */
function flip(op: number): number {
  switch (op) {
    case JmpOp.JGT: return JmpOp.JLT;
    case JmpOp.JLT: return JmpOp.JGT;
    case JmpOp.JGE: return JmpOp.JLE;
    case JmpOp.JLE: return JmpOp.JGE;
    case JmpOp.JSGT: return JmpOp.JSLT;
    case JmpOp.JSLT: return JmpOp.JSGT;
    case JmpOp.JSGE: return JmpOp.JSLE;
    case JmpOp.JSLE: return JmpOp.JSGE;
    default: return op;
  }
}

/** Every register (and spilled register) of a state. */
function* allRegs(s: VState): Generator<Reg> {
  for (const f of s.frames) {
    for (let i = 0; i < 10; i++) yield f.regs[i]!;
    for (const r of f.spills) if (r) yield r;
  }
}

/** Handle insn at v.pc; returns the fall-through state (or undefined when only the jump is
 *  possible) after pushing the jump target's state when it is feasible. */
export function checkCondJmp(v: Verifier, insn: Insn): void {
  const op = insn.code & 0xf0;
  const isX = (insn.code & 0x08) !== 0;
  const is32 = (insn.code & 7) === Cls.JMP32;
  if (isX) {
    v.readReg(insn.src);
  }
  v.readReg(insn.dst);
  // Unprivileged, a comparison may not involve a pointer (it would leak address bits through the
  // branch taken), except packet pointers against each other. The source operand is checked
  // first; the destination only when the outcome is not known and the comparison is neither a
  // null check nor a packet range check (kernel check_cond_jmp_op).
  if (isX && !v.allowPtrLeaks && v.regs[insn.src]!.isPointer && !(isPktAny(v.regs[insn.dst]!) && isPktAny(v.regs[insn.src]!))) v.reject(`R${insn.src} pointer comparison prohibited`);
  const dst = v.regs[insn.dst]!;
  const src = isX ? v.regs[insn.src]! : Reg.known(BigInt(insn.imm));
  const target = v.pc + insn.off + 1;
  const pred = branchTaken(insn.code, dst, src, is32);
  v.noteJmpStackOperands(isX && src.type === RegType.STACK, dst.type === RegType.STACK);
  if (pred >= 0) {
    // The outcome depended on the values: they must be precise (kernel check_cond_jmp_op).
    // One walk for dst, then one for src, as the kernel calls mark_chain_precision for each.
    if (dst.type === RegType.SCALAR) v.markPrecise(1 << insn.dst);
    if (isX && src.type === RegType.SCALAR) v.markPrecise(1 << insn.src);
  }
  // Spectre v1: the outcome the values rule out is still explored, speculatively.
  if (pred === 1) {
    if (!v.bypassSpecV1) pushSpeculativeBranch(v, insn, v.pc + 1);
    v.jumpTo(target);
    return;
  }
  if (pred === 0) {
    if (!v.bypassSpecV1) pushSpeculativeBranch(v, insn, target);
    return;
  }
  // Both outcomes possible. The registers and spills linked to the operands by id (copies of
  // the same scalar, verifier/linked.ts) are collected before the jump's state is pushed, so
  // both paths' histories name them for backtracking.
  const linked: LinkedReg[] = [];
  if (isX && src.type === RegType.SCALAR && src.id) collectLinked(v.st, src.id, v.pc, v.cfg.liveIn, linked);
  if (dst.type === RegType.SCALAR && dst.id) collectLinked(v.st, dst.id, v.pc, v.cfg.liveIn, linked);
  if (linked.length > 1) v.noteLinked(linked);
  // Both outcomes possible: the jump target's state is pushed, the fall-through continues.
  const other = v.st.clone();
  const oRegs = other.cur.regs;
  let otherOk = true;
  let thisOk = true;
  const oDst = oRegs[insn.dst]!;
  const oSrc = isX ? oRegs[insn.src]! : Reg.known(BigInt(insn.imm));
  let pktMatched = false;
  // Read before the branches below mark the pointer non-null or NULL.
  const nullCheck = !isX && insn.imm === 0 && (op === JmpOp.JEQ || op === JmpOp.JNE) && dst.maybeNull && !is32;
  if (dst.type === RegType.SCALAR && src.type === RegType.SCALAR) {
    otherOk = refineBranch(insn.code, oDst.s, oSrc.s, true);
    thisOk = refineBranch(insn.code, dst.s, src.s, false);
    // sync_linked_regs: the source's links first, then the destination's, as the kernel does.
    if (otherOk) {
      if (isX) syncLinked(other, oSrc, linked);
      syncLinked(other, oDst, linked);
    }
    if (thisOk) {
      if (isX) syncLinked(v.st, src, linked);
      syncLinked(v.st, dst, linked);
    }
  } else if (!isX && insn.imm === 0 && (op === JmpOp.JEQ || op === JmpOp.JNE) && dst.maybeNull && !is32) {
    // if (ptr == NULL): the jump (JEQ) or the fall-through (JNE) sees NULL.
    markPtrOrNull(v, other, dst.id, op === JmpOp.JEQ);
    markPtrOrNull(v, v.st, dst.id, op === JmpOp.JNE);
  } else if (isX && !is32 && (op === JmpOp.JEQ || op === JmpOp.JNE) && (dst.maybeNull || src.maybeNull)) {
    // Comparing a maybe-null pointer with a pointer known to be non-null: equal means non-null.
    // Against a register holding NULL the kernel learns nothing (only `if rX == 0` with an
    // immediate is a null check).
    const [maybe, known] = dst.maybeNull ? [dst, src] : [src, dst];
    if (known.isPointer && !known.maybeNull) markPtrOrNull(v, op === JmpOp.JEQ ? other : v.st, maybe.id, false);
  } else if (!is32 && isX) {
    pktMatched = pktCompare(v, other, insn, op);
  }
  // The jump's state is pushed before this refusal, as the kernel's push_stack precedes it: on a
  // speculative path the refusal only ends this outcome (6.18's barrier), the jump is explored.
  if (otherOk) v.pushBranch(other, target);
  if (!nullCheck && !pktMatched && dst.isPointer && !v.allowPtrLeaks) v.reject(`R${insn.dst} pointer comparison prohibited`);
  if (!thisOk) v.endPathInfeasible();
}

/** is_branch_taken, with the pointer cases the kernel knows: a non-null pointer against 0, and
 *  packet pointers already compared with pkt_end. */
function branchTaken(code: number, a: Reg, b: Reg, is32: boolean): -1 | 0 | 1 {
  const op = code & 0xf0;
  if (a.type === RegType.SCALAR && b.type === RegType.SCALAR) return isBranchTaken(code, a.s, b.s);
  if (is32) return -1;
  // pkt vs pkt_end with a known relation.
  const pkt = b.type === RegType.PKT_END ? a : a.type === RegType.PKT_END ? b : undefined;
  if (pkt && pkt.isPkt() && pkt.range < 0) {
    const o = b.type === RegType.PKT_END ? op : flip(op);
    if ((o === JmpOp.JLE || o === JmpOp.JGT) && pkt.range === BEYOND_PKT_END) return o === JmpOp.JGT ? 1 : 0;
    if ((o === JmpOp.JLT || o === JmpOp.JGE) && (pkt.range === BEYOND_PKT_END || pkt.range === AT_PKT_END)) return o === JmpOp.JGE ? 1 : 0;
    return -1;
  }
  // A pointer that cannot be NULL compared with 0.
  const ptr = a.isPointer ? a : b.isPointer ? b : undefined;
  const other = ptr === a ? b : a;
  if (ptr && regNotNull(ptr) && other.isNullConst() && ptr.type !== RegType.SCALAR) {
    if (op === JmpOp.JEQ) return 0;
    if (op === JmpOp.JNE) return 1;
  }
  return -1;
}

/** BPF_MAX_VAR_OFF: a pointer whose offset may reach this far could wrap to 0. */
const MAX_VAR_OFF = 1n << 29n;

/** reg_not_null: the pointer types whose base is never NULL (not the context, stack or packet:
 *  the kernel does not decide `ctx == 0`, and explores both branches), with an offset that
 *  cannot wrap the address to 0. */
function regNotNull(r: Reg): boolean {
  if (r.maybeNull) return false;
  if (r.s.smin <= -MAX_VAR_OFF || r.s.smax >= MAX_VAR_OFF) return false;
  switch (r.type) {
    case RegType.SOCKET:
    case RegType.TCP_SOCK:
    case RegType.BUF:
    case RegType.MAP_VALUE:
    case RegType.MAP_KEY:
    case RegType.SOCK_COMMON:
    case RegType.MEM:
    case RegType.MAP_PTR:
      return true;
    case RegType.BTF_ID:
      // is_trusted_reg: a reference, or a trusted / allocated / non-owning pointer not untrusted
      return !(r.flags & RegFlag.UNTRUSTED) && (r.refId !== 0 || (r.flags & (RegFlag.TRUSTED | RegFlag.MEM_ALLOC | RegFlag.ALLOC | RegFlag.NON_OWN)) !== 0);
    default:
      return false;
  }
}


/** mark_ptr_or_null_regs: every register with this id becomes the non-null pointer or 0. */
export function markPtrOrNull(v: Verifier, s: VState, id: number, isNull: boolean): void {
  if (!id) return;
  // rbtree_add's result: non-NULL means the node's reference was released.
  const released = s.condRelease.get(id);
  if (released !== undefined) {
    s.condRelease.delete(id);
    if (!isNull) releaseReference(v, released, s);
  }
  for (const r of allRegs(s)) {
    if (r.id !== id || !r.maybeNull) continue;
    if (isNull) {
      r.type = RegType.SCALAR;
      r.flags = 0;
      r.s = Scalar.known(0n);
      r.id = 0;
      r.refId = 0;
      r.map = undefined;
      r.off = 0;
    } else if (r.flags & RegFlag.STALE) {
      // A non-NULL rbtree_add result whose lock is gone: a number, not a node.
      r.type = RegType.SCALAR;
      r.flags = 0;
      r.s = Scalar.unknown();
      r.id = 0;
      r.refId = 0;
      r.map = undefined;
      r.off = 0;
    } else {
      r.flags &= ~RegFlag.MAYBE_NULL;
      noteInnerMapUid(r);
      // The id only matters for a map value holding a bpf_spin_lock (lock/unlock pairing), for
      // references (released through refId) and for non-owning rbtree nodes (which registers
      // hold the same node: verifier/rbtree.ts).
      // An allocated object keeps it when its type holds a lock (reg_may_point_to_spin_lock).
      if (!mayPointToSpinLock(v, r) && !(r.flags & RegFlag.NON_OWN && !(r.flags & RegFlag.MEM_ALLOC))) r.id = 0;
    }
  }
  // A NULL reference needs no release.
  if (isNull) s.refs = s.refs.filter((ref) => ref.id !== id);
}

/** reg_is_pkt_pointer_any: packet data, meta or end. */
function isPktAny(r: Reg): boolean {
  return r.type === RegType.PKT || r.type === RegType.PKT_META || r.type === RegType.PKT_END;
}

/** try_match_pkt_pointers: learn ranges from pkt vs pkt_end (and meta vs pkt) comparisons; true
 *  when the operands were such a pair. */
function pktCompare(v: Verifier, other: VState, insn: Insn, op: number): boolean {
  const dst = v.regs[insn.dst]!;
  const src = v.regs[insn.src]!;
  const thisS = v.st;
  const isPktVsEnd = (a: Reg, b: Reg) => (a.type === RegType.PKT && b.type === RegType.PKT_END) || (a.type === RegType.PKT_META && b.type === RegType.PKT && b.off === 0 && b.s.isConst() && b.s.constValue() === 0n);
  const isEndVsPkt = (a: Reg, b: Reg) => isPktVsEnd(b, a);
  const good = (s: VState, regno: number, open: boolean) => findGoodPkt(s, s.cur.regs[regno]!, open);
  const end = (s: VState, regno: number, open: boolean) => {
    const r = s.cur.regs[regno]!;
    if (r.isPkt()) r.range = open ? BEYOND_PKT_END : AT_PKT_END;
  };
  switch (op) {
    case JmpOp.JGT:
      if (isPktVsEnd(dst, src)) { good(thisS, insn.dst, false); end(other, insn.dst, true); }
      else if (isEndVsPkt(dst, src)) { good(other, insn.src, true); end(thisS, insn.src, false); }
      else return false;
      return true;
    case JmpOp.JLT:
      if (isPktVsEnd(dst, src)) { good(other, insn.dst, true); end(thisS, insn.dst, false); }
      else if (isEndVsPkt(dst, src)) { good(thisS, insn.src, false); end(other, insn.src, true); }
      else return false;
      return true;
    case JmpOp.JGE:
      if (isPktVsEnd(dst, src)) { good(thisS, insn.dst, true); end(other, insn.dst, false); }
      else if (isEndVsPkt(dst, src)) { good(other, insn.src, false); end(thisS, insn.src, true); }
      else return false;
      return true;
    case JmpOp.JLE:
      if (isPktVsEnd(dst, src)) { good(other, insn.dst, false); end(thisS, insn.dst, true); }
      else if (isEndVsPkt(dst, src)) { good(thisS, insn.src, true); end(other, insn.src, false); }
      else return false;
      return true;
  }
  return false;
}

/** find_good_pkt_pointers: every packet pointer of the same id gets the proven range. */
function findGoodPkt(s: VState, reg: Reg, open: boolean): void {
  if (reg.off < 0 || (reg.off === 0 && open)) return;
  if (reg.s.umax > BigInt(MAX_PACKET_OFF) || reg.s.umax + BigInt(reg.off) > BigInt(MAX_PACKET_OFF)) return;
  const range = reg.off + (open ? 1 : 0);
  const type = reg.type;
  const id = reg.id;
  for (const r of allRegs(s)) if (r.type === type && r.id === id) r.range = Math.max(r.range, range);
}
