// Value ranges for the compiling tier: for each instruction slot and register, an unsigned 64-bit
// interval [lo, hi] that holds the register's value on every execution reaching the slot, so that
// codegen can use 32-bit or Number arithmetic where it gives the exact result (vm/compiler/codegen.ts).
//
// Why not the verifier's ranges: the verifier (src/verify.ts) prunes states the way the kernel does,
// treating an imprecise scalar as equal to any other, so a path with r1 = 2^40 can be pruned against
// a visited state with r1 = 5, and a range recorded over the states it visited need not hold on the
// pruned path. The kernel may do that because it only needs safety; exact arithmetic needs the values.
// This analysis is sound on its own, whatever the program is, so it serves every compiled program,
// verified or not (`--no-verify` too):
// - path-insensitive abstract interpretation over the instruction array: one state per slot, joined
//   (interval hull) where paths meet, widened at loop heads (targets of backward jumps) through
//   thresholds taken from the loop's own jump and move constants, so a loop counter compared against
//   a constant keeps its bound, and to "unknown" past the last threshold;
// - a value is known only while it is below 2^53 (exact in a double); anything that may reach 2^53,
//   or wrap past 2^64 (a sum, a borrow, a product), is unknown: [0, Infinity];
// - conditional jumps refine both edges (against immediates and registers); ALU32 results are
//   zero-extended; loads are bounded by their size (sign-extending loads are unknown); LD_IMM64
//   constants are exact, its pseudo forms (map, function, ...) unknown; helper and kfunc calls make
//   r0..r5 unknown; a bpf-to-bpf call continues at its return address with r6..r9 as before the
//   call (the callee's exit restores them) and r0..r5 unknown, and the callee starts with every
//   register unknown; atomics make every register they may write unknown; anything else unknown.
// - entries: pc 0, every local-call target, every function pointer's target, and then every slot
//   none of those reaches (an exception callback, a function only BTF names, dead code) start with
//   all registers unknown. A program with an indirect call (callx) gets no analysis: its targets
//   are registers. The generated code may still be entered elsewhere (a return address after
//   another program's exit; a callback handle an unverified program made up): it checks the
//   registers it is given against the state of the entry slot (`fitsEntry`) and lets the
//   interpreter run from there otherwise, so what the ranges claim holds in compiled code always.
// - after the widening fixpoint, two descending passes (the transfer functions applied once more to
//   every state, without widening) give back what widening overshot;
// - cost: each slot is processed once per change of its state; widening bounds the changes per
//   loop head by the number of its thresholds (at most 32 constants of the loop, 3 each, and 5
//   widths). A cap on processed slots (64 per slot) gives up (no analysis) rather than run long.

import type { Insn } from '../isa.js';
import { LD_IMM64 } from '../isa.js';

/** Registers tracked: r0..r10 and r11 (the verifier's rewrite may use it, the kernel's AX). */
export const NREG = 12;

/** The largest value the analysis keeps: above it, doubles are not exact. */
const MAX = 2 ** 53 - 1;
const U32 = 4294967295;
const S32 = 2147483647;

/** What the analysis proved, per slot: `lo`/`hi` at slot * NREG + register, hi Infinity when
 *  nothing is known (lo is 0 then); a slot the analysis never reached has reached 0. */
export interface Ranges {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly reached: Uint8Array;
  /** Slots processed (the work done). */
  readonly visits: number;
}

/** The upper bound of register `r` before the instruction at `pc`, Infinity when unknown. */
export function upper(rs: Ranges, pc: number, r: number): number {
  return rs.reached[pc] === 1 && r < NREG ? rs.hi[pc * NREG + r]! : Infinity;
}

/** The lower bound of register `r` before the instruction at `pc` (0 when unknown). */
export function lower(rs: Ranges, pc: number, r: number): number {
  return rs.reached[pc] === 1 && r < NREG ? rs.lo[pc * NREG + r]! : 0;
}

/** Whether registers `R` (int32 halves, lo of rN at 2N) lie inside the state of slot `pc`: the
 *  condition for entering compiled code there. An unreached slot admits nothing. */
export function fitsEntry(rs: Ranges, pc: number, R: Int32Array): boolean {
  if (rs.reached[pc] !== 1) return false;
  const o = pc * NREG;
  for (let r = 0; r < NREG; r++) {
    const hi = rs.hi[o + r]!;
    if (hi === Infinity) continue;
    const v = (R[2 * r + 1]! >>> 0) * 4294967296 + (R[2 * r]! >>> 0);
    if (v < rs.lo[o + r]! || v > hi) return false;
  }
  return true;
}

/** Whether every register is unknown at `pc` (entering there with anything is sound). */
export function allUnknown(rs: Ranges, pc: number): boolean {
  if (rs.reached[pc] !== 1) return false;
  for (let r = 0; r < NREG; r++) if (rs.hi[pc * NREG + r] !== Infinity) return false;
  return true;
}

const cache = new WeakMap<readonly Insn[], Ranges | null>();

/** The analysis of `insns`, cached per instruction array (undefined: none, e.g. a callx). */
export function rangesOf(insns: readonly Insn[]): Ranges | undefined {
  let r = cache.get(insns);
  if (r === undefined) cache.set(insns, (r = analyzeRanges(insns) ?? null));
  return r ?? undefined;
}

/** Smallest 2^k - 1 >= x (x finite, <= MAX). */
function ones(x: number): number {
  let p = 1;
  while (p - 1 < x) p *= 2;
  return p - 1;
}

/** Run the analysis. `maxVisits` caps the slots processed (default 64 per slot + 4096). */
export function analyzeRanges(insns: readonly Insn[], maxVisits = insns.length * 64 + 4096): Ranges | undefined {
  const n = insns.length;
  let LO = new Float64Array((n + 1) * NREG);
  let HI = new Float64Array((n + 1) * NREG);
  let reached = new Uint8Array(n + 1);
  const dirty = new Uint8Array(n + 1);
  const entries: number[] = [0];
  const second = new Uint8Array(n + 2);
  // conditional jumps' immediates (and moves'), by slot: the thresholds of the loops around them
  const consts: { pc: number; k: number }[] = [];
  const lastBack = new Map<number, number>();
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    if (x.code === LD_IMM64) {
      if (x.src === 4) entries.push(pc + x.imm + 1);
      second[pc + 1] = 1;
      pc++;
      continue;
    }
    const c = x.code & 7;
    if (c === 5 || c === 6) {
      const op = x.code & 0xf0;
      if (x.code === 0x8d) return undefined; // callx: targets the analysis cannot know
      if (x.code === 0x85) {
        if (x.src === 1) entries.push(pc + x.imm + 1);
        continue;
      }
      if (op === 0x90) continue;
      const t = x.code === 0x06 ? pc + x.imm + 1 : pc + x.off + 1;
      if (t >= 0 && t <= pc) lastBack.set(t, Math.max(lastBack.get(t) ?? 0, pc));
      if (op !== 0x00 && op !== 0xe0 && (x.code & 8) === 0) consts.push({ pc, k: c === 6 ? x.imm >>> 0 : x.imm | 0 });
    } else if ((c === 7 || c === 4) && (x.code & 0xf8) === 0xb0) {
      consts.push({ pc, k: c === 4 ? x.imm >>> 0 : x.imm | 0 });
    }
  }
  // Widening thresholds per loop head: the constants of the loop's own jumps and moves (head to its
  // last back edge; at most 32), each -1, 0, +1 (a counter's bound on either edge), then the widths
  // of the loads and 32-bit values. Per loop, so a loop climbs through its own bounds only.
  const COARSE = [255, 65535, S32, U32, MAX];
  const thresholdsAt = new Map<number, Float64Array>();
  for (const [h, end] of lastBack) {
    const th = new Set<number>(COARSE);
    let lo = 0;
    let hi = consts.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (consts[m]!.pc < h) lo = m + 1;
      else hi = m;
    }
    for (let i = lo, taken = 0; i < consts.length && consts[i]!.pc <= end && taken < 32; i++, taken++) {
      for (const v of [consts[i]!.k - 1, consts[i]!.k, consts[i]!.k + 1]) if (v >= 0 && v <= MAX) th.add(v);
    }
    thresholdsAt.set(h, Float64Array.from([...th].sort((a, b) => a - b)));
  }
  const above = (t: Float64Array, v: number): number => {
    // smallest threshold >= v, Infinity past the last
    let a = 0;
    let b = t.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (t[m]! < v) a = m + 1;
      else b = m;
    }
    return a < t.length ? t[a]! : Infinity;
  };
  const below = (t: Float64Array, v: number): number => {
    let best = 0;
    for (let i = 0; i < t.length && t[i]! <= v; i++) best = t[i]!;
    return best;
  };

  // the state being transferred
  const cl = new Float64Array(NREG);
  const ch = new Float64Array(NREG);
  // the slot being processed; a flow to a slot at or before it needs another sweep, from the
  // lowest such slot (`restart`, n when none)
  let at = 0;
  let restart = n;
  // where flows go: the state arrays, or during a descending pass fresh ones (see below)
  let tLO = LO;
  let tHI = HI;
  let tReached = reached;
  let descending = false;
  const flow = (to: number) => {
    if (to < 0 || to >= n) return; // off the program: the run faults there
    const o = to * NREG;
    if (tReached[to] === 0) {
      tReached[to] = 1;
      for (let r = 0; r < NREG; r++) {
        tLO[o + r] = cl[r]!;
        tHI[o + r] = ch[r]!;
      }
    } else {
      const th = descending ? undefined : thresholdsAt.get(to);
      let changed = false;
      for (let r = 0; r < NREG; r++) {
        let lo = tLO[o + r]!;
        let hi = tHI[o + r]!;
        if (cl[r]! >= lo && ch[r]! <= hi) continue;
        changed = true;
        if (ch[r]! > hi) hi = th !== undefined ? above(th, ch[r]!) : ch[r]!;
        if (cl[r]! < lo) lo = th !== undefined ? below(th, cl[r]!) : cl[r]!;
        if (hi === Infinity) lo = 0;
        tLO[o + r] = lo;
        tHI[o + r] = hi;
      }
      if (!changed) return;
    }
    if (descending) return;
    dirty[to] = 1;
    if (to <= at && to < restart) restart = to;
  };
  const top = (r: number) => {
    if (r < NREG) {
      cl[r] = 0;
      ch[r] = Infinity;
    }
  };
  const set = (r: number, lo: number, hi: number) => {
    if (r >= NREG) return;
    if (!(hi <= MAX) || !(lo >= 0) || lo > hi) {
      cl[r] = 0;
      ch[r] = Infinity;
    } else {
      cl[r] = lo;
      ch[r] = hi;
    }
  };

  for (const e of entries) {
    cl.fill(0);
    ch.fill(Infinity);
    at = -1;
    flow(e);
  }

  let visits = 0;
  // Slots no entry reaches (an exception callback, a function only BTF or a timer names, dead
  // code) become entries themselves once the rest is done: the code there is compiled too and
  // may be entered, and this way it is entered with its range state all unknown, without a check.
  for (let round = 0; round < 2; round++) {
    let from = 0;
    while (from < n) {
      restart = n;
      for (let pc = from; pc < n; pc++) {
        if (dirty[pc] === 0) continue;
        dirty[pc] = 0;
        if (++visits > maxVisits) return undefined;
        at = pc;
        const o = pc * NREG;
        for (let r = 0; r < NREG; r++) {
          cl[r] = LO[o + r]!;
          ch[r] = HI[o + r]!;
        }
        step(pc, insns[pc]!);
      }
      from = restart;
    }
    if (round === 1) break;
    at = -1;
    for (let pc = 0; pc < n; pc++) {
      if (reached[pc] === 1) continue;
      if (second[pc] === 1) continue; // the second slot of an LD_IMM64
      entries.push(pc);
      cl.fill(0);
      ch.fill(Infinity);
      flow(pc);
    }
  }
  // Two descending passes: each state becomes the join of what its predecessors' states give,
  // without widening. Applying the transfer functions to states that hold on every path gives
  // states that do too, so this only tightens what widening overshot (a counter compared with a
  // register, a bound no threshold had), and may stop after any pass.
  descending = true;
  for (let pass = 0; pass < 2; pass++) {
    tLO = new Float64Array((n + 1) * NREG);
    tHI = new Float64Array((n + 1) * NREG);
    tReached = new Uint8Array(n + 1);
    for (const e of entries) {
      cl.fill(0);
      ch.fill(Infinity);
      flow(e);
    }
    for (let pc = 0; pc < n; pc++) {
      if (reached[pc] === 0) continue;
      visits++;
      const o = pc * NREG;
      for (let r = 0; r < NREG; r++) {
        cl[r] = LO[o + r]!;
        ch[r] = HI[o + r]!;
      }
      step(pc, insns[pc]!);
    }
    LO = tLO;
    HI = tHI;
    reached = tReached;
  }
  return { lo: LO, hi: HI, reached, visits };

  function step(pc: number, x: Insn): void {
    const code = x.code;
    const c = code & 7;
    const D = x.dst;
    const S = x.src;
    if (code === LD_IMM64) {
      if (pc + 1 >= n) return;
      if (S === 0) {
        const v = (insns[pc + 1]!.imm >>> 0) * 4294967296 + (x.imm >>> 0);
        set(D, v, v);
      } else top(D);
      flow(pc + 2);
      return;
    }
    if (c === 7 || c === 4) {
      alu(c === 4, x);
      flow(pc + 1);
      return;
    }
    if (c === 5 || c === 6) {
      const op = code & 0xf0;
      if (code === 0x85) {
        for (let r = 0; r <= 5; r++) top(r);
        top(10);
        top(11);
        flow(pc + 1);
        return;
      }
      if (op === 0x90) return; // exit
      if (code === 0x05 || code === 0x06) {
        flow(code === 0x05 ? pc + x.off + 1 : pc + x.imm + 1);
        return;
      }
      const target = pc + x.off + 1;
      if (op === 0x00 || op === 0xe0 || op === 0xf0 || op === 0x80) {
        // may_goto (and opcodes the engines fault on): both ways, nothing learned
        flow(target);
        flow(pc + 1);
        return;
      }
      // a copy of the state before, for the second edge
      const sl = cl.slice();
      const sh = ch.slice();
      if (refine(c === 6, op, x, true)) flow(target);
      cl.set(sl);
      ch.set(sh);
      if (refine(c === 6, op, x, false)) flow(pc + 1);
      return;
    }
    if (c === 1) {
      const mode = code & 0xe0;
      const sz = code & 0x18;
      if (mode === 0x60) set(D, 0, sz === 0 ? U32 : sz === 8 ? 65535 : sz === 0x10 ? 255 : Infinity);
      else top(D);
      flow(pc + 1);
      return;
    }
    if (c === 2 || c === 3) {
      if ((code & 0xe0) !== 0x60) {
        // atomics: a fetch writes src, cmpxchg r0, a load-acquire dst
        top(0);
        top(S);
        top(D);
      }
      flow(pc + 1);
      return;
    }
    // class 0 other than LD_IMM64: LD_ABS / LD_IND load into r0 (a 32-bit value at most) and leave
    // the program when out of the packet; r1..r5 the kernel treats as clobbered
    for (let r = 0; r <= 5; r++) top(r);
    const mode = code & 0xe0;
    if (mode === 0x20 || mode === 0x40) set(0, 0, U32);
    flow(pc + 1);
  }

  /** The operand B of an ALU or jump instruction: a register's range, or the immediate
   *  (sign-extended to 64 bits for the 64-bit classes, zero-extended u32 for the 32-bit ones;
   *  a negative 64-bit immediate is unknown here, callers special-case it). */
  function operand(x: Insn, w32: boolean): [number, number] {
    if ((x.code & 8) !== 0) {
      const s = x.src;
      return s < NREG ? [cl[s]!, ch[s]!] : [0, Infinity];
    }
    const k = w32 ? x.imm >>> 0 : x.imm | 0;
    return k >= 0 ? [k, k] : [0, Infinity];
  }

  function alu(w32: boolean, x: Insn): void {
    const D = x.dst;
    if (D >= NREG) return;
    const aop = x.code & 0xf0;
    const isX = (x.code & 8) !== 0;
    const imm = x.imm | 0;
    let al = cl[D]!;
    let ah = ch[D]!;
    let [bl, bh] = operand(x, w32);
    if (w32) {
      // the low words: the value itself when it is below 2^32
      if (ah > U32) [al, ah] = [0, U32];
      if (bh > U32) [bl, bh] = [0, U32];
    }
    const lim = w32 ? U32 : MAX;
    // what a result the operation may not keep becomes: any u32 for ALU32 (zero-extended), else unknown
    const wide = (lo: number, hi: number) => (hi <= lim && lo >= 0 && lo <= hi ? set(D, lo, hi) : w32 ? set(D, 0, U32) : top(D));
    const known = ah <= MAX && bh <= MAX;
    switch (aop) {
      case 0x00:
      case 0x10: {
        // a negative immediate adds (subtracts) its magnitude the other way
        let sub = aop === 0x10;
        if (!isX && imm < 0) {
          sub = !sub;
          bl = bh = -imm;
        }
        if (!sub) return known ? wide(al + bl, ah + bh) : wide(0, Infinity);
        return known && al >= bh ? wide(al - bh, ah - bl) : wide(0, Infinity);
      }
      case 0x20:
        if (ah === 0 || (bh === 0 && (isX || imm === 0))) return set(D, 0, 0);
        return known && ah * bh <= lim ? wide(al * bl, ah * bh) : wide(0, Infinity);
      case 0x30:
      case 0x90: {
        const mod = aop === 0x90;
        // signed forms equal the unsigned ones on non-negative values: below 2^53 (or 2^31 in ALU32)
        if (x.off === 1 && !(known && ah <= (w32 ? S32 : MAX) && bh <= (w32 ? S32 : MAX))) return wide(0, Infinity);
        if (!isX && !w32 && imm < 0) {
          // by 2^64 - k: a quotient of 0 or 1, a remainder at most the dividend
          return mod ? wide(0, ah) : set(D, 0, 1);
        }
        if (bh === 0) return mod ? wide(al, ah) : set(D, 0, 0);
        if (mod) return wide(0, bl >= 1 ? Math.min(ah, bh - 1) : ah);
        if (ah <= MAX) return wide(bl >= 1 && bh <= MAX ? Math.floor(al / bh) : 0, bl >= 1 ? Math.floor(ah / bl) : ah);
        return bl >= 4096 && !w32 ? wide(0, Math.floor(2 ** 64 / bl)) : wide(0, Infinity);
      }
      case 0x40:
        if (!isX && !w32 && imm < 0) return top(D);
        if (ah === 0) return wide(bl, bh);
        if (bh === 0) return wide(al, ah);
        return known ? wide(Math.max(al, bl), ones(Math.max(ah, bh))) : wide(0, Infinity);
      case 0x50:
        // at most either operand (a negative immediate: all ones above, at most the dividend)
        if (!isX && !w32 && imm < 0) return wide(0, ah);
        return wide(0, Math.min(ah, bh));
      case 0xa0:
        if (!isX && !w32 && imm < 0) return top(D);
        return known ? wide(0, ones(Math.max(ah, bh))) : wide(0, Infinity);
      case 0x60:
      case 0x70:
      case 0xc0: {
        // the amount is masked: & 63 (& 31 in ALU32)
        const mask = w32 ? 31 : 63;
        let nl: number;
        let nh: number;
        if (!isX) nl = nh = imm & mask;
        else if (bh <= mask) [nl, nh] = [bl, bh];
        else [nl, nh] = [0, mask];
        if (aop === 0x60) {
          if (ah === 0) return set(D, 0, 0);
          return ah <= MAX && ah * 2 ** nh <= lim ? wide(al * 2 ** nl, ah * 2 ** nh) : wide(0, Infinity);
        }
        // arithmetic shifts equal logical ones on non-negative values
        if (aop === 0xc0 && !(ah <= (w32 ? S32 : MAX))) return wide(0, Infinity);
        if (ah <= MAX) return wide(Math.floor(al / 2 ** nh), Math.floor(ah / 2 ** nl));
        return !w32 && nl >= 11 ? wide(0, 2 ** (64 - nl) - 1) : wide(0, Infinity);
      }
      case 0x80:
        return ah === 0 ? set(D, 0, 0) : wide(0, Infinity);
      case 0xb0: {
        if (!isX) return w32 ? set(D, imm >>> 0, imm >>> 0) : imm >= 0 ? set(D, imm, imm) : top(D);
        const off = x.off;
        if (off === 0) return wide(bl, bh);
        // sign-extending moves keep a value whose sign bit (of the width) is clear
        if (off === 8 || off === 16 || (off === 32 && !w32)) return bh < 2 ** (off - 1) ? wide(bl, bh) : wide(0, Infinity);
        // addr_space_cast to the kernel view keeps the low word
        if (off === 1 && !w32 && imm === 1) return bh <= U32 ? set(D, bl, bh) : set(D, 0, U32);
        return top(D);
      }
      case 0xd0: {
        if (x.code === 0xd4) {
          // to little-endian: truncation to the width (64: nothing)
          if (imm === 64) return;
          if (imm === 16) return set(D, 0, Math.min(ah, 65535));
          return set(D, al, ah);
        }
        if (x.code === 0xdc || x.code === 0xd7) return imm === 16 ? set(D, 0, 65535) : imm === 32 ? set(D, 0, U32) : top(D);
        return top(D);
      }
    }
    top(D);
  }

  /** Refine the state for one edge of a conditional jump (`taken` or not); false when the edge
   *  cannot be taken with the operands' ranges. Nothing is learned unless both operands are known
   *  in the compared width (a 32-bit compare: both below 2^32; a signed one: both non-negative). */
  function refine(w32: boolean, op: number, x: Insn, taken: boolean): boolean {
    const D = x.dst;
    const isX = (x.code & 8) !== 0;
    const S = isX ? x.src : -1;
    if (D >= NREG || (isX && S >= NREG)) return true;
    let al = cl[D]!;
    let ah = ch[D]!;
    let [bl, bh] = operand(x, w32);
    const signed = op >= 0x60 && op !== 0xa0 && op !== 0xb0;
    const bound = w32 ? (signed ? S32 : U32) : signed ? MAX : Infinity;
    if (w32 || signed) {
      // outside the compared width (or possibly negative): no refinement
      if (!(ah <= bound && bh <= bound)) return true;
    }
    // the relation on this edge, as unsigned: 0 eq, 1 ne, 2 gt, 3 ge, 4 lt, 5 le, 6 set, 7 not set
    let rel: number;
    switch (op) {
      case 0x10: rel = 0; break;
      case 0x50: rel = 1; break;
      case 0x20: case 0x60: rel = 2; break;
      case 0x30: case 0x70: rel = 3; break;
      case 0xa0: case 0xc0: rel = 4; break;
      case 0xb0: case 0xd0: rel = 5; break;
      case 0x40: rel = 6; break;
      default: return true;
    }
    if (!taken) rel = [1, 0, 5, 4, 3, 2, 7, 6][rel]!;
    switch (rel) {
      case 0:
        al = Math.max(al, bl);
        ah = Math.min(ah, bh);
        bl = al;
        bh = ah;
        break;
      case 1:
        if (bl === bh) {
          if (al === ah && al === bl) return false;
          if (al === bl) al++;
          else if (ah === bl) ah--;
        }
        if (al === ah) {
          if (bl === al) bl++;
          else if (bh === al) bh--;
        }
        break;
      case 2:
        al = Math.max(al, bl + 1);
        bh = Math.min(bh, ah - 1);
        break;
      case 3:
        al = Math.max(al, bl);
        bh = Math.min(bh, ah);
        break;
      case 4:
        ah = Math.min(ah, bh - 1);
        bl = Math.max(bl, al + 1);
        break;
      case 5:
        ah = Math.min(ah, bh);
        bl = Math.max(bl, al);
        break;
      case 6:
        al = Math.max(al, 1);
        bl = Math.max(bl, 1);
        break;
      case 7:
        break;
    }
    if (al > ah || bl > bh) return false;
    // write back (a register compared with itself keeps its state: the edge is all or nothing)
    if (S !== D) {
      set(D, al, ah);
      if (S >= 0) set(S, bl, bh);
    }
    return true;
  }
}
