// Precision tracking (kernel mark_chain_precision / backtrack_insn / propagate_precision).
// State pruning treats a scalar of an explored state as "anything" unless it was marked precise:
// a value some check depended on (a decided branch, pointer arithmetic, a helper's size argument,
// the return value's range). When such a check happens, the instructions of the current path are
// walked backwards to find where the value came from, and every checkpoint on the way gets the
// source registers and stack slots marked precise.
//
// ebpfvm's history is every executed insn of the path (pc plus what it touched: the stack slot of
// a load or store, the registers linked by id at a conditional jump), kept per checkpoint segment.
// Where the walk would cross a bpf-to-bpf call or return, or another frame's stack, it falls back
// to marking every scalar of every checkpoint on the path precise, as the kernel's
// mark_all_scalars_precise does: more conservative, never unsound.
import { Cls, JmpOp, LD_IMM64, Mode, PseudoCall, type Insn } from '../vm/isa.js';
import { RegType, type VState } from './state.js';

/** One executed instruction of a path. `aux`: bits 0-6 stack slot + 1 (0 = none), bits 7-10
 *  frame of that slot, bits 11-21 registers linked to a jump's operands, bit 22 "frame changed". */
export class History {
  pcs: number[] = [];
  aux: number[] = [];
  /** The last walk over this whole segment: from which length, for which registers (a later walk
   *  reaching that point with no more than those registers has nothing new to mark). */
  walkedLen = -1;
  walkedRegs = 0;
  push(pc: number, aux: number): void {
    this.pcs.push(pc);
    this.aux.push(aux);
  }
  clone(): History {
    const h = new History();
    h.pcs = this.pcs.slice();
    h.aux = this.aux.slice();
    return h;
  }
}

export const AUX_FRAME_CHANGE = 1 << 22;
export const auxStack = (frameno: number, spi: number): number => (spi + 1) | (frameno << 7);
export const auxLinked = (mask: number): number => (mask & 0x7ff) << 11;

/** The chain the walk follows: a checkpoint's state, the segment that led to it, its parent. */
export interface PrecisionNode {
  readonly state: VState;
  readonly hist: History;
  readonly parent: PrecisionNode | undefined;
  allPrecise: boolean;
}

/** Result of walking one insn backwards; false means: fall back to all-precise. */
function backtrackInsn(insn: Insn, aux: number, frame: number, m: { regs: number; stack: Set<number> }): boolean {
  if (aux & AUX_FRAME_CHANGE) return m.regs === 0 && m.stack.size === 0;
  const cls = insn.code & 7;
  const bit = (r: number): number => 1 << r;
  const has = (r: number): boolean => (m.regs & bit(r)) !== 0;
  const slot = aux & 0x7f;
  const slotFrame = (aux >> 7) & 0xf;
  switch (cls) {
    case Cls.ALU:
    case Cls.ALU64: {
      const op = insn.code & 0xf0;
      if (!has(insn.dst)) return true;
      if (op === 0xb0) {
        m.regs &= ~bit(insn.dst);
        if (insn.code & 0x08) m.regs |= bit(insn.src);
      } else if (op !== 0x80 && op !== 0xd0 && insn.code & 0x08) m.regs |= bit(insn.src);
      return true;
    }
    case Cls.LDX:
      if (!has(insn.dst)) return true;
      m.regs &= ~bit(insn.dst);
      if (slot) {
        if (slotFrame !== frame) return false;
        m.stack.add(slot - 1);
      }
      return true;
    case Cls.ST:
      if (slot && slotFrame === frame) m.stack.delete(slot - 1);
      return true;
    case Cls.STX: {
      if ((insn.code & 0xe0) === Mode.ATOMIC) {
        // The fetched value comes from memory; a stack slot feeds it.
        const fetched = insn.imm === 0xf1 ? 0 : insn.imm & 1 || insn.imm === 0xe1 ? insn.src : -1;
        if (fetched >= 0 && has(fetched)) {
          m.regs &= ~bit(fetched);
          if (slot) {
            if (slotFrame !== frame) return false;
            m.stack.add(slot - 1);
          }
        }
        return true;
      }
      if (slot && m.stack.has(slot - 1)) {
        if (slotFrame !== frame) return false;
        m.stack.delete(slot - 1);
        m.regs |= bit(insn.src);
      }
      return true;
    }
    case Cls.LD:
      if (insn.code === LD_IMM64) m.regs &= ~bit(insn.dst);
      else m.regs &= ~0x3f;
      return true;
    default: {
      const op = insn.code & 0xf0;
      if (op === JmpOp.CALL) {
        if (insn.src !== PseudoCall.HELPER || insn.code & 0x08) return m.regs === 0 && m.stack.size === 0;
        m.regs &= ~1;
        return (m.regs & 0x3e) === 0;
      }
      if (op === JmpOp.EXIT) return m.regs === 0 && m.stack.size === 0;
      if (op === JmpOp.JA) return true;
      // Conditional jump: if either operand matters, both do, and so do their linked copies.
      const linked = (aux >> 11) & 0x7ff;
      if (insn.code & 0x08 && (has(insn.dst) || has(insn.src))) m.regs |= bit(insn.dst) | bit(insn.src);
      if (linked & m.regs) m.regs |= linked;
      return true;
    }
  }
}

/** Mark precise in one state's top frame what the masks name; returns the masks without the
 *  ones already precise there (their history was walked before). */
function markIn(st: VState, m: { regs: number; stack: Set<number> }): void {
  const f = st.cur;
  for (let r = 0; r < 10; r++) {
    if (!(m.regs & (1 << r))) continue;
    const reg = f.regs[r]!;
    if (reg.type !== RegType.SCALAR) {
      m.regs &= ~(1 << r);
      continue;
    }
    if (reg.precise) m.regs &= ~(1 << r);
    else reg.precise = true;
  }
  for (const spi of [...m.stack]) {
    const sp = f.spills[spi];
    if (!sp || sp.type !== RegType.SCALAR || !f.isSpilled(spi)) {
      m.stack.delete(spi);
      continue;
    }
    if (sp.precise) m.stack.delete(spi);
    else sp.precise = true;
  }
}

export function markAllPrecise(st: VState): void {
  for (const f of st.frames) {
    for (const r of f.regs) if (r.type === RegType.SCALAR) r.precise = true;
    for (const r of f.spills) if (r && r.type === RegType.SCALAR) r.precise = true;
  }
}

/**
 * Backtrack from the current state: `regs` (bitmask) and `stack` (slot numbers) of the top frame
 * are needed precisely at the current insn. `cur`/`curHist` are the current state and the insns
 * run since the last checkpoint `parent`.
 */
export function markChainPrecision(insns: readonly Insn[], cur: VState, curHist: History, parent: PrecisionNode | undefined, regs: number, stack: number[] = []): void {
  // Only checkpoints get marks (6.18 prints the current state's registers unmarked).
  const m = { regs, stack: new Set(stack) };
  let hist = curHist;
  let node = parent;
  const frame = cur.frames.length - 1;
  const startLen = curHist.pcs.length;
  for (;;) {
    for (let i = hist.pcs.length - 1; i >= 0; i--) {
      if (hist === curHist && i === curHist.walkedLen - 1 && m.stack.size === 0 && (m.regs & ~curHist.walkedRegs) === 0) return;
      if (!backtrackInsn(insns[hist.pcs[i]!]!, hist.aux[i]!, frame, m)) return fallback(cur, parent);
      if (!m.regs && !m.stack.size) return;
    }
    if (hist === curHist && stack.length === 0) {
      // Remember this walk: from startLen down, for the registers it started with.
      curHist.walkedLen = startLen;
      curHist.walkedRegs = regs;
    }
    if (!node) return;
    if (node.state.frames.length - 1 !== frame) return fallback(cur, parent);
    markIn(node.state, m);
    if (!m.regs && !m.stack.size) return;
    hist = node.hist;
    node = node.parent;
  }
}

function fallback(cur: VState, parent: PrecisionNode | undefined): void {
  void cur;
  for (let n = parent; n && !n.allPrecise; n = n.parent) {
    markAllPrecise(n.state);
    n.allPrecise = true;
  }
}
