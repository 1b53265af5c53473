// Precision tracking (kernel mark_chain_precision / backtrack_insn / propagate_precision).
// State pruning treats a scalar of an explored state as "anything" unless it was marked precise:
// a value some check depended on (a decided branch, pointer arithmetic, a helper's size argument,
// the return value's range). When such a check happens, the instructions of the current path are
// walked backwards to find where the value came from, and every checkpoint on the way gets the
// source registers and stack slots marked precise.
//
// ebpfvm's history is every executed insn of the path (pc plus what it touched: the stack slot of
// a spill or fill, the registers linked by id at a conditional jump, which jump operands were
// stack pointers), kept per checkpoint segment, so the walk visits the same insns in the same
// order as the kernel's walk over its jump history. The masks are kept per frame as the kernel's
// backtrack_state: a bpf-to-bpf call, an exit or a callback's return moves the walk between
// frames. At log level 2 the walk prints what the kernel prints (`mark_precise: frame0: last_idx
// N first_idx N subseq_idx N`, `regs=r1 stack=-8 before N: insn`, `parent state regs=...`).
// Where the kernel gives up (a precise register used as a store's base), every scalar of every
// checkpoint on the path becomes precise, as its mark_all_scalars_precise does.
import { AtomicOp, Cls, JmpOp, LD_IMM64, Mode, PseudoCall, type Insn } from '../vm/isa.js';
import { RegType, type VState } from './state.js';
import type { LinkedReg } from './linked.js';

/** One executed instruction of a path. `aux`: bits 0-6 stack slot + 1 (0 = none), bits 7-10
 *  frame of that slot, bit 22 "frame changed", bit 23/24 a jump's src/dst operand was a stack
 *  pointer (kernel INSN_F_SRC/DST_REG_STACK). `links`: the registers and spills linked by id at a
 *  conditional jump (kernel hist->linked_regs), by position, only where there are some. */
export class History {
  pcs: number[] = [];
  aux: number[] = [];
  links: Map<number, readonly LinkedReg[]> | undefined;
  /** The last walk over this whole segment: from which length, for which registers (a later walk
   *  reaching that point with no more than those registers has nothing new to mark). Used only
   *  when nothing is logged: the log shows every step of every walk, as the kernel's does. */
  walkedLen = -1;
  walkedRegs = 0;
  walkedFrame = 0;
  /** How many of these insns the kernel's insn history holds (jmp points, stack spills and
   *  fills, jumps on stack pointers, linked registers): over 40 forces a checkpoint. */
  kernelEntries = 0;
  /** The kernel's first_insn_idx of the segment's state when it is not the segment's first insn:
   *  push_async_cb's fresh state has 0 (printed as the walk's first_idx). */
  firstIdx: number | undefined;
  push(pc: number, aux: number, links?: readonly LinkedReg[], jmpPoint = false): void {
    if (links) (this.links ??= new Map()).set(this.pcs.length, links);
    this.pcs.push(pc);
    this.aux.push(aux);
    if (jmpPoint || links || aux & (0x7ff | AUX_SRC_STACK | AUX_DST_STACK)) this.kernelEntries++;
  }
  clone(): History {
    const h = new History();
    h.kernelEntries = this.kernelEntries;
    h.pcs = this.pcs.slice();
    h.aux = this.aux.slice();
    if (this.links) h.links = new Map(this.links);
    return h;
  }
}

export const AUX_FRAME_CHANGE = 1 << 22;
export const AUX_SRC_STACK = 1 << 23;
export const AUX_DST_STACK = 1 << 24;
export const auxStack = (frameno: number, spi: number): number => (spi + 1) | (frameno << 7);

/** The chain the walk follows: a checkpoint's state, the segment that led to it, its parent. */
export interface PrecisionNode {
  readonly state: VState;
  readonly hist: History;
  readonly parent: PrecisionNode | undefined;
  allPrecise: boolean;
}

/** What the walk needs from the verifier: the program, and at level 2 the log. */
export interface PrecisionEnv {
  readonly insns: readonly Insn[];
  /** Write to the log (level 2 only; undefined otherwise). */
  readonly log: ((text: string) => void) | undefined;
  /** The kernel-dialect text of the insn at pc. */
  insnText(pc: number): string;
  /** print_verifier_state(frame, print_all) of a checkpoint's frame (leading space, no newline). */
  frameText(st: VState, frame: number): string;
  /** The subprogram starting at pc is a global function. */
  isGlobal(pc: number): boolean;
}

/** Kernel backtrack_state: per-frame register and stack-slot masks, the frame being walked. */
export class Backtrack {
  regs: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  stack: Set<number>[] = [];
  constructor(public frame: number) {
    for (let i = 0; i < 9; i++) this.stack.push(new Set());
  }
  get empty(): boolean {
    for (let i = 0; i <= this.frame; i++) if (this.regs[i] || this.stack[i]!.size) return false;
    return true;
  }
  has(r: number): boolean {
    return (this.regs[this.frame]! & (1 << r)) !== 0;
  }
  set(r: number, fr = this.frame): void {
    this.regs[fr]! |= 1 << r;
  }
  clear(r: number, fr = this.frame): void {
    this.regs[fr]! &= ~(1 << r);
  }
}

const regMaskText = (m: number): string => {
  const out: string[] = [];
  for (let i = 0; i < 32; i++) if (m & (1 << i)) out.push(`r${i}`);
  return out.join(',');
};
const stackMaskText = (s: Set<number>): string =>
  [...s]
    .sort((a, b) => a - b)
    .map((i) => String(-(i + 1) * 8))
    .join(',');

const REGMASK_ARGS = 0x3e;
/** Result of backtrack_insn: continue, or give up (kernel -ENOTSUPP: mark everything). */
const GIVE_UP = false;

function isHelperWithCallback(insn: Insn): boolean {
  return (insn.code & 0xf7) === (Cls.JMP | JmpOp.CALL) && insn.src !== PseudoCall.LOCAL;
}

/** backtrack_insn's ST / STX arm (a store-release is a plain STX here): 'give up', 'done' (return
 *  at once) or 'next' (the caller syncs the linked registers, as after the switch). */
function backtrackStore(bt: Backtrack, insn: Insn, slot: number, slotFrame: number): 'give up' | 'done' | 'next' {
  const cls = insn.code & 7;
  const dreg = insn.dst;
  const sreg = insn.src;
  const atomic = cls === Cls.STX && (insn.code & 0xe0) === Mode.ATOMIC;
  const fetch = atomic && (insn.imm & 1) !== 0 && insn.imm !== AtomicOp.STORE_REL;
  if (fetch) {
    // An atomic fetch loads the old value into src (r0 for cmpxchg), like a fill.
    const load = insn.imm === 0xf1 ? 0 : sreg;
    if (!bt.has(load)) return 'done';
    bt.clear(load);
    if (!slot) return 'done';
    bt.stack[slotFrame]!.add(slot - 1);
    return 'next';
  }
  if (bt.has(dreg)) return 'give up';
  if (!slot) return 'done';
  if (!bt.stack[slotFrame]!.has(slot - 1)) return 'done';
  bt.stack[slotFrame]!.delete(slot - 1);
  if (cls === Cls.STX) bt.set(sreg);
  return 'next';
}

/** backtrack_insn: walk one insn backwards, updating the masks. */
function backtrackInsn(env: PrecisionEnv, idx: number, subseq: number, aux: number, bt: Backtrack, links?: readonly LinkedReg[]): boolean {
  const insn = env.insns[idx]!;
  if (insn.code === 0) return true;
  if (env.log) env.log(`mark_precise: frame${bt.frame}: regs=${regMaskText(bt.regs[bt.frame]!)} stack=${stackMaskText(bt.stack[bt.frame]!)} before ${idx}: ${env.insnText(idx)}\n`);
  // bt_sync_linked_regs: when one of the registers linked at this jump is needed precisely,
  // all of them are (the comparison's bounds reached each of them).
  const syncLinked = (): void => {
    if (!links) return;
    const isSet = (e: LinkedReg): boolean => (e.isReg ? (bt.regs[e.frame]! & (1 << e.no)) !== 0 : bt.stack[e.frame]!.has(e.no));
    if (!links.some(isSet)) return;
    for (const e of links) {
      if (e.isReg) bt.set(e.no, e.frame);
      else bt.stack[e.frame]!.add(e.no);
    }
  };
  syncLinked();
  const storeStep = (r: 'give up' | 'done' | 'next'): boolean => {
    if (r === 'give up') return GIVE_UP;
    if (r === 'next') syncLinked();
    return true;
  };
  const cls = insn.code & 7;
  const slot = aux & 0x7f;
  const slotFrame = (aux >> 7) & 0xf;
  const dreg = insn.dst;
  const sreg = insn.src;
  switch (cls) {
    case Cls.ALU:
    case Cls.ALU64: {
      if (!bt.has(dreg)) return true;
      const op = insn.code & 0xf0;
      if (op === 0xd0 || op === 0x80) return true; // END, NEG
      if (op === 0xb0) {
        bt.clear(dreg);
        if (insn.code & 0x08 && sreg !== 10) bt.set(sreg);
      } else if (insn.code & 0x08 && sreg !== 10) bt.set(sreg);
      break;
    }
    case Cls.LDX:
    case Cls.STX:
      // a load-acquire backtracks as the LDX it is (6.18's is_atomic_load_insn); other STX below
      if (cls === Cls.STX && !((insn.code & 0xe0) === Mode.ATOMIC && insn.imm === AtomicOp.LOAD_ACQ)) return storeStep(backtrackStore(bt, insn, slot, slotFrame));
      if (!bt.has(dreg)) return true;
      bt.clear(dreg);
      if (!slot) return true;
      bt.stack[slotFrame]!.add(slot - 1);
      break;
    case Cls.ST:
      return storeStep(backtrackStore(bt, insn, slot, slotFrame));
    case Cls.LD:
      if (insn.code === LD_IMM64) {
        bt.clear(dreg);
        return true;
      }
      // LD_ABS/IND: r0 is set from the packet, r1-r5 clobbered.
      if (bt.has(0)) return GIVE_UP;
      return true;
    default: {
      const op = insn.code & 0xf0;
      if (op === JmpOp.CALL && sreg === PseudoCall.LOCAL) {
        if (env.isGlobal(idx + insn.imm + 1)) {
          if (bt.regs[bt.frame]! & REGMASK_ARGS) return GIVE_UP;
          bt.clear(0);
          return true;
        }
        // Leaving the callee backwards: r1-r5 are the caller's arguments.
        if (bt.regs[bt.frame]! & ~REGMASK_ARGS || bt.stack[bt.frame]!.size) return GIVE_UP;
        if (bt.frame === 0) return GIVE_UP;
        for (let r = 1; r <= 5; r++) {
          if (!bt.has(r)) continue;
          bt.clear(r);
          bt.set(r, bt.frame - 1);
        }
        bt.frame--;
        return true;
      }
      if (op === JmpOp.CALL && isHelperWithCallback(insn) && idx !== subseq - 1) {
        // From a callback's first insn back to the helper or kfunc call that runs it.
        if (bt.regs[bt.frame]! & ~REGMASK_ARGS || bt.stack[bt.frame]!.size) return GIVE_UP;
        if (bt.frame === 0) return GIVE_UP;
        bt.regs[bt.frame] = 0;
        bt.frame--;
        return true;
      }
      if (op === JmpOp.CALL) {
        bt.clear(0);
        if (bt.regs[bt.frame]! & REGMASK_ARGS) return GIVE_UP;
        break;
      }
      if (op === JmpOp.EXIT) {
        // Entering the callee backwards: r0 stays precise only when it is a function's result.
        const prev = env.insns[subseq - 1];
        const fromCall = subseq - 1 >= 0 && prev !== undefined && (prev.code & 0xf7) === (Cls.JMP | JmpOp.CALL) && prev.src === PseudoCall.LOCAL;
        const r0 = fromCall && bt.has(0);
        if (fromCall && bt.regs[bt.frame]! & REGMASK_ARGS) return GIVE_UP;
        bt.clear(0);
        if (bt.frame + 1 >= bt.regs.length) return GIVE_UP;
        bt.frame++;
        bt.regs[bt.frame] = 0;
        bt.stack[bt.frame]!.clear();
        if (r0) bt.set(0);
        return true;
      }
      if (op === JmpOp.JA || insn.code === 0xe5) break;
      if (insn.code & 0x08) {
        if (!bt.has(dreg) && !bt.has(sreg)) return true;
        if (!(aux & AUX_SRC_STACK)) bt.set(sreg);
        if (!(aux & AUX_DST_STACK)) bt.set(dreg);
      }
      break;
    }
  }
  syncLinked();
  return true;
}

/** Mark precise in a checkpoint what the masks name (frames 0..bt.frame); masks of registers and
 *  slots already precise there, or not scalars, are dropped (their history was walked before). */
function markIn(env: PrecisionEnv, st: VState, bt: Backtrack): boolean {
  let changed = false;
  for (let fr = bt.frame; fr >= 0; fr--) {
    const f = st.frames[fr];
    if (!f) {
      bt.regs[fr] = 0;
      bt.stack[fr]!.clear();
      continue;
    }
    for (let r = 0; r < 10; r++) {
      if (!(bt.regs[fr]! & (1 << r))) continue;
      const reg = f.regs[r]!;
      if (reg.type !== RegType.SCALAR || reg.precise) bt.clear(r, fr);
      else reg.precise = changed = true;
    }
    for (const spi of [...bt.stack[fr]!]) {
      const sp = f.spills[spi];
      if (!sp || sp.type !== RegType.SCALAR || !f.isSpilled(spi) || sp.precise) bt.stack[fr]!.delete(spi);
      else sp.precise = changed = true;
    }
    if (env.log) env.log(`mark_precise: frame${fr}: parent state regs=${regMaskText(bt.regs[fr]!)} stack=${stackMaskText(bt.stack[fr]!)}: ${env.frameText(st, fr)}\n`);
  }
  return changed;
}

export function markAllPrecise(st: VState): void {
  for (const f of st.frames) {
    for (const r of f.regs) if (r.type === RegType.SCALAR) r.precise = true;
    for (const r of f.spills) if (r && r.type === RegType.SCALAR) r.precise = true;
  }
}

const onlyTopRegs = (bt: Backtrack): boolean => bt.stack.every((s) => s.size === 0) && bt.regs.every((m, i) => i === bt.frame || m === 0);

/**
 * __mark_chain_precision: `bt` holds what is needed precisely at the current insn `lastIdx` (the
 * current state's top frame is bt.frame). `curHist` holds the insns run since the last checkpoint
 * `parent` (the current insn not yet among them), `entryPc` is where the path began when there is
 * no checkpoint yet. The current state itself is not marked (6.18, as the kernel explains: only
 * checkpoints are compared).
 */
export function markChainPrecision(env: PrecisionEnv, curHist: History, parent: PrecisionNode | undefined, lastIdx: number, entryPc: number, bt: Backtrack): boolean {
  const changed = { v: false };
  walk(env, curHist, parent, lastIdx, entryPc, bt, changed);
  return changed.v;
}

function walk(env: PrecisionEnv, curHist: History, parent: PrecisionNode | undefined, lastIdx: number, entryPc: number, bt: Backtrack, changed: { v: boolean }): void {
  if (bt.empty) return;
  const startRegs = bt.regs[bt.frame]!;
  const startFrame = bt.frame;
  const onlyRegs = onlyTopRegs(bt);
  let hist = curHist;
  let node = parent;
  let last = lastIdx;
  let first = hist.firstIdx ?? (hist.pcs.length ? hist.pcs[0]! : parent ? lastIdx : entryPc);
  let subseq = -1;
  let current = true;
  for (;;) {
    env.log?.(`mark_precise: frame${bt.frame}: last_idx ${last} first_idx ${first} subseq_idx ${subseq} \n`);
    if (current) subseq = last;
    for (let i = hist.pcs.length - 1; i >= 0; i--) {
      // Nothing new since the last walk over this segment (only when nothing is logged).
      if (!env.log && hist === curHist && i === curHist.walkedLen - 1 && bt.frame === curHist.walkedFrame && onlyTopRegs(bt) && (bt.regs[bt.frame]! & ~curHist.walkedRegs) === 0) return;
      const pc = hist.pcs[i]!;
      if (!backtrackInsn(env, pc, subseq, hist.aux[i]!, bt, hist.links?.get(i))) return void (changed.v = fallback(env, parent, startFrame) || changed.v);
      if (bt.empty) return;
      subseq = pc;
    }
    if (current && onlyRegs && !env.log && bt.frame === startFrame) {
      // Remember this walk: from its start, for the registers it started with.
      curHist.walkedLen = curHist.pcs.length;
      curHist.walkedRegs = startRegs;
      curHist.walkedFrame = startFrame;
    }
    current = false;
    if (!node) {
      // Back at the start of the path with something left: the kernel falls back (a global
      // function's arguments are simply precise from the start).
      return void (changed.v = fallback(env, parent, startFrame) || changed.v);
    }
    if (markIn(env, node.state, bt)) changed.v = true;
    if (bt.empty) return;
    subseq = first;
    hist = node.hist;
    last = hist.pcs.length ? hist.pcs[hist.pcs.length - 1]! : -1;
    first = hist.pcs.length ? hist.pcs[0]! : node.parent ? -1 : entryPc;
    node = node.parent;
    if (last < 0) {
      env.log?.(`mark_precise: frame${bt.frame}: last_idx ${last} first_idx ${first} subseq_idx ${subseq} \n`);
      return;
    }
  }
}

function fallback(env: PrecisionEnv, parent: PrecisionNode | undefined, frame: number): boolean {
  let changed = false;
  env.log?.(`mark_precise: frame${frame}: falling back to forcing all scalars precise\n`);
  for (let n = parent; n && !n.allPrecise; n = n.parent) {
    if (env.log) {
      n.state.frames.forEach((f, i) => {
        f.regs.forEach((r, j) => {
          if (j < 10 && r.type === RegType.SCALAR && !r.precise) env.log!(`force_precise: frame${i}: forcing r${j} to be precise\n`);
        });
        f.spills.forEach((r, j) => {
          if (r && f.isSpilled(j) && r.type === RegType.SCALAR && !r.precise) env.log!(`force_precise: frame${i}: forcing fp${-(j + 1) * 8} to be precise\n`);
        });
      });
    }
    markAllPrecise(n.state);
    n.allPrecise = changed = true;
  }
  return changed;
}
