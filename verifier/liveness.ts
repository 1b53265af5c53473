// Stack slot liveness (6.18's kernel/bpf/liveness.c, written anew here). The search reports which
// 8-byte stack slots each insn reads (may_read) and fully overwrites (must_write), per call chain
// (the call insns leading to a function plus its first insn) and per frame of that chain. When a
// path ends, a backward data flow over the function's control flow graph turns those marks into
// the slots that may still be read before or after each insn (live_before), and a function's
// reads and sure writes of its callers' slots are carried to its call insn in the caller's chain.
// Explored states forget the slots no successor reads (clean_live_states), so two states that
// differ only in dead stack slots match: the kernel's pruning strength on stack contents.
//
// Masks hold 64 slots (512 bytes of stack) as two 32-bit halves: `lo` slots 0..31, `hi` 32..63.
import type { Insn } from '../vm/isa.js';
import type { VState } from './state.js';

/** Per frame of a chain: four masks per insn of the function, [lo, hi] pairs. */
class FrameMasks {
  readonly mayRead: Uint32Array;
  readonly mustWrite: Uint32Array;
  readonly mustWriteAcc: Uint32Array;
  readonly liveBefore: Uint32Array;
  constructor(n: number) {
    this.mayRead = new Uint32Array(2 * n);
    this.mustWrite = new Uint32Array(2 * n);
    this.mustWriteAcc = new Uint32Array(2 * n);
    this.liveBefore = new Uint32Array(2 * n);
  }
}

/** A function reached through one call chain (kernel func_instance). */
class Instance {
  readonly frames: (FrameMasks | undefined)[];
  /** Per insn: must_write was recorded once (later visits intersect with it). */
  readonly mustWriteSet: Uint8Array;
  updated = false;
  mustWriteDropped = false;
  constructor(
    readonly key: string,
    /** The call insns of frames 0..depth-1, then the function's first insn. */
    readonly callsites: readonly number[],
    readonly start: number,
    readonly insnCnt: number,
    /** Per outer frame: whether its call insn calls a callback (the callee may run again). */
    readonly callsCallback: readonly boolean[],
  ) {
    this.frames = new Array(callsites.length).fill(undefined);
    this.mustWriteSet = new Uint8Array(insnCnt);
  }
  get depth(): number {
    return this.callsites.length - 1;
  }
  masks(frame: number): FrameMasks {
    return (this.frames[frame] ??= new FrameMasks(this.insnCnt));
  }
}

/** `-8,-16`: the slots of a mask as stack offsets (bpf_fmt_stack_mask). */
function fmtMask(lo: number, hi: number): string {
  const out: string[] = [];
  for (let i = 0; i < 64; i++) if ((i < 32 ? lo >>> i : hi >>> (i - 32)) & 1) out.push(String(-(i + 1) * 8));
  return out.join(',');
}

export class StackLiveness {
  private readonly instances = new Map<string, Instance>();
  /** Insns of each function in the kernel's postorder (compute_postorder), and its bounds. */
  private readonly postorder: Int32Array;
  private readonly poStart: number[] = [];
  /** Successors, two slots per insn (verifier/cfg.ts successorTable). */
  private readonly succ: Int32Array;
  private cur: Instance | undefined;
  private writeIdx = 0;
  private readonly writeAcc = new Uint32Array(2 * 8);
  private query: { instances: Instance[]; pc: number } | undefined;

  constructor(
    private readonly insns: readonly Insn[],
    /** Sorted first insns of the functions. */
    private readonly subprogs: readonly number[],
    private readonly prunePoint: Uint8Array,
    succ: Int32Array,
    /** The level-2 log, when there is one. */
    private readonly log: ((s: string) => void) | undefined,
  ) {
    const n = insns.length;
    this.succ = succ;
    // compute_postorder: per function a depth-first walk pushing every undiscovered successor,
    // an insn emitted when it is met again after its successors were pushed.
    this.postorder = new Int32Array(n);
    const state = new Uint8Array(n);
    const stack = new Int32Array(n + 1);
    let cur = 0;
    for (const start of subprogs) {
      this.poStart.push(cur);
      let sz = 1;
      stack[0] = start;
      while (sz) {
        const top = stack[sz - 1]!;
        state[top]! |= 1;
        if (state[top]! & 2) {
          this.postorder[cur++] = top;
          sz--;
          continue;
        }
        for (let k = 0; k < 2; k++) {
          const s = this.succ[2 * top + k]!;
          if (s >= 0 && !state[s]) {
            stack[sz++] = s;
            state[s] = 1;
          }
        }
        state[top]! |= 2;
      }
    }
    this.poStart.push(cur);
  }

  private funcIndex(start: number): number {
    let lo = 0;
    for (let i = 0; i < this.subprogs.length; i++) if (this.subprogs[i]! <= start) lo = i;
    return lo;
  }

  /** The instance of frame `frameno` of `st` (kernel lookup_instance). */
  private lookup(st: VState, frameno: number): Instance {
    const callsites: number[] = [];
    for (let i = 0; i < frameno; i++) callsites.push(st.frames[i + 1]!.callsite);
    const start = st.frames[frameno]!.subprog;
    callsites.push(start);
    const key = callsites.join(',');
    let inst = this.instances.get(key);
    if (!inst) {
      const fi = this.funcIndex(start);
      const end = this.subprogs[fi + 1] ?? this.insns.length;
      const cb: boolean[] = [];
      for (let i = 0; i < frameno; i++) cb.push(st.frames[i + 1]!.inCallback);
      inst = new Instance(key, callsites, start, end - start, cb);
      this.instances.set(key, inst);
    }
    return inst;
  }

  /** The current state's call chain changed (a call entered, a path popped). */
  resetCallchain(): void {
    this.cur = undefined;
  }

  /** Before an insn is checked: its writes are gathered from here (bpf_reset_stack_write_marks). */
  beginInsn(st: VState, pc: number): void {
    this.cur ??= this.lookup(st, st.frames.length - 1);
    this.writeIdx = pc;
    this.writeAcc.fill(0);
  }

  /** The insn at `pc` reads stack slot `spi` of frame `frameno` (bpf_mark_stack_read). */
  markRead(st: VState, frameno: number, pc: number, spi: number): void {
    if (spi < 0 || spi >= 64) return;
    this.cur ??= this.lookup(st, st.frames.length - 1);
    const lo = spi < 32 ? (1 << spi) >>> 0 : 0;
    const hi = spi >= 32 ? (1 << (spi - 32)) >>> 0 : 0;
    this.addRead(this.cur, frameno, pc, lo, hi);
  }

  private addRead(inst: Instance, frame: number, pc: number, lo: number, hi: number): void {
    const m = inst.masks(frame);
    const i = 2 * (pc - inst.start);
    const nlo = (m.mayRead[i]! | lo) >>> 0;
    const nhi = (m.mayRead[i + 1]! | hi) >>> 0;
    if ((nlo !== m.mayRead[i] || nhi !== m.mayRead[i + 1]) && (((nlo | m.liveBefore[i]!) >>> 0) !== m.liveBefore[i] || ((nhi | m.liveBefore[i + 1]!) >>> 0) !== m.liveBefore[i + 1])) inst.updated = true;
    m.mayRead[i] = nlo;
    m.mayRead[i + 1] = nhi;
  }

  /** The current insn overwrites all 8 bytes of slot `spi` of frame `frameno`. */
  markWrite(frameno: number, spi: number): void {
    if (spi < 0 || spi >= 64) return;
    if (spi < 32) this.writeAcc[2 * frameno] = (this.writeAcc[2 * frameno]! | (1 << spi)) >>> 0;
    else this.writeAcc[2 * frameno + 1] = (this.writeAcc[2 * frameno + 1]! | (1 << (spi - 32))) >>> 0;
  }

  /** After the insn was checked: its writes become its must_write marks (intersected with what
   *  earlier visits wrote). Nothing when the insn changed the call chain (call, exit). */
  commit(): void {
    if (this.cur) this.commitTo(this.cur);
  }

  private commitTo(inst: Instance): void {
    const idx = this.writeIdx - inst.start;
    for (let frame = 0; frame <= inst.depth; frame++) {
      let lo = this.writeAcc[2 * frame]!;
      let hi = this.writeAcc[2 * frame + 1]!;
      if (!lo && !hi && !inst.mustWriteSet[idx]) continue;
      const m = inst.masks(frame);
      const olo = m.mustWrite[2 * idx]!;
      const ohi = m.mustWrite[2 * idx + 1]!;
      if (inst.mustWriteSet[idx]) {
        lo = (lo & olo) >>> 0;
        hi = (hi & ohi) >>> 0;
      }
      if (olo !== lo || ohi !== hi) {
        m.mustWrite[2 * idx] = lo;
        m.mustWrite[2 * idx + 1] = hi;
        inst.updated = true;
      }
      if ((olo & ~lo) || (ohi & ~hi)) inst.mustWriteDropped = true;
    }
    inst.mustWriteSet[idx] = 1;
    this.writeIdx = 0;
  }

  private logChange(inst: Instance, what: string, frame: number, pc: number, olo: number, ohi: number, nlo: number, nhi: number): void {
    const clo = (olo ^ nlo) >>> 0;
    const chi = (ohi ^ nhi) >>> 0;
    if (!clo && !chi) return;
    let s = `(${inst.callsites.join(',')}) frame ${frame} insn ${pc} `;
    if ((nlo & clo) || (nhi & chi)) s += `+${what} ${fmtMask((nlo & clo) >>> 0, (nhi & chi) >>> 0)} `;
    if ((~nlo & clo) || (~nhi & chi)) s += `-${what} ${fmtMask((~nlo & clo) >>> 0, (~nhi & chi) >>> 0)}`;
    this.log!(s + '\n');
  }

  /** update_insn: live_before and must_write_acc of one insn from its successors'. */
  private updateInsn(inst: Instance, frame: number, pc: number): boolean {
    const s0 = this.succ[2 * pc]!;
    if (s0 < 0) return false;
    const s1 = this.succ[2 * pc + 1]!;
    const m = inst.frames[frame]!;
    const i = 2 * (pc - inst.start);
    let alo = 0;
    let ahi = 0;
    let wlo = 0xffffffff;
    let whi = 0xffffffff;
    for (let k = 0; k < 2; k++) {
      const s = k === 0 ? s0 : s1;
      if (s < 0) break;
      const j = 2 * (s - inst.start);
      alo |= m.liveBefore[j]!;
      ahi |= m.liveBefore[j + 1]!;
      wlo &= m.mustWriteAcc[j]!;
      whi &= m.mustWriteAcc[j + 1]!;
    }
    wlo = (wlo | m.mustWrite[i]!) >>> 0;
    whi = (whi | m.mustWrite[i + 1]!) >>> 0;
    const blo = ((alo & ~m.mustWrite[i]!) | m.mayRead[i]!) >>> 0;
    const bhi = ((ahi & ~m.mustWrite[i + 1]!) | m.mayRead[i + 1]!) >>> 0;
    const changed = blo !== m.liveBefore[i] || bhi !== m.liveBefore[i + 1] || wlo !== m.mustWriteAcc[i] || whi !== m.mustWriteAcc[i + 1];
    if (this.log && (m.mayRead[i] || m.mayRead[i + 1] || m.mustWrite[i] || m.mustWrite[i + 1] || pc === inst.start || this.prunePoint[pc])) {
      this.logChange(inst, 'live', frame, pc, m.liveBefore[i]!, m.liveBefore[i + 1]!, blo, bhi);
      this.logChange(inst, 'written', frame, pc, m.mustWriteAcc[i]!, m.mustWriteAcc[i + 1]!, wlo, whi);
    }
    m.liveBefore[i] = blo;
    m.liveBefore[i + 1] = bhi;
    m.mustWriteAcc[i] = wlo;
    m.mustWriteAcc[i + 1] = whi;
    return changed;
  }

  /** update_instance: the fixed point over the function in postorder, then what it reads and
   *  surely writes of its callers' frames goes to the call insn in the caller's chain. */
  private updateInstance(inst: Instance): void {
    if (inst.mustWriteDropped) for (const m of inst.frames) m?.mustWriteAcc.fill(0);
    const fi = this.funcIndex(inst.start);
    const a = this.poStart[fi]!;
    const b = this.poStart[fi + 1]!;
    let cnt = 0;
    let changed: boolean;
    do {
      cnt++;
      changed = false;
      for (let frame = 0; frame <= inst.depth; frame++) {
        if (!inst.frames[frame]) continue;
        for (let k = a; k < b; k++) if (this.updateInsn(inst, frame, this.postorder[k]!)) changed = true;
      }
    } while (changed);
    this.log?.(`(${inst.callsites.join(',')}) live stack update done in ${cnt} iterations\n`);
    if (inst.depth > 0) this.propagateToOuter(inst);
  }

  private propagateToOuter(inst: Instance): void {
    const outerSites = inst.callsites.slice(0, -1);
    const callsite = outerSites[outerSites.length - 1]!;
    const outerKey = outerSites.slice(0, -1).concat(this.outerStart(inst)).join(',');
    let outer = this.instances.get(outerKey);
    if (!outer) {
      const start = this.outerStart(inst);
      const fi = this.funcIndex(start);
      const end = this.subprogs[fi + 1] ?? this.insns.length;
      outer = new Instance(outerKey, outerSites.slice(0, -1).concat(start), start, end - start, inst.callsCallback.slice(0, -1));
      this.instances.set(outerKey, outer);
    }
    this.writeIdx = callsite;
    this.writeAcc.fill(0);
    for (let frame = 0; frame < inst.depth; frame++) {
      const m = inst.frames[frame];
      if (!m) continue;
      this.writeAcc[2 * frame] = (this.writeAcc[2 * frame]! | m.mustWriteAcc[0]!) >>> 0;
      this.writeAcc[2 * frame + 1] = (this.writeAcc[2 * frame + 1]! | m.mustWriteAcc[1]!) >>> 0;
      this.addRead(outer, frame, callsite, m.liveBefore[0]!, m.liveBefore[1]!);
    }
    this.commitTo(outer);
  }

  /** The first insn of the caller's function: the function containing the call insn. */
  private outerStart(inst: Instance): number {
    return this.subprogs[this.funcIndex(inst.callsites[inst.depth - 1]!)]!;
  }

  /** bpf_update_live_stack: before a path ends or a function returns, every instance of the
   *  current chain with new marks is brought to its fixed point, innermost first. */
  update(st: VState): void {
    this.cur = undefined;
    for (let frame = st.frames.length - 1; frame >= 0; frame--) {
      const inst = this.lookup(st, frame);
      if (!inst.updated) continue;
      this.updateInstance(inst);
      inst.updated = false;
      inst.mustWriteDropped = false;
    }
  }

  /** bpf_live_stack_query_init: the instances of an explored state `st` at insn `pc`. */
  queryInit(st: VState, pc: number): void {
    const instances: Instance[] = [];
    for (let f = 0; f < st.frames.length; f++) instances.push(this.lookup(st, f));
    this.query = { instances, pc };
  }

  private liveBefore(inst: Instance, pc: number, frameno: number, spi: number): boolean {
    const m = inst.frames[frameno];
    if (!m) return false;
    const i = 2 * (pc - inst.start) + (spi >= 32 ? 1 : 0);
    return ((m.liveBefore[i]! >>> (spi & 31)) & 1) !== 0;
  }

  /** bpf_stack_slot_alive: slot `spi` of frame `frameno` may be read after the queried state's
   *  insn: in its own function, or in a caller after the call returns (before the call insn
   *  when it calls a callback, which may run again). */
  slotAlive(frameno: number, spi: number): boolean {
    const q = this.query!;
    const depth = q.instances.length - 1;
    const top = q.instances[depth]!;
    if (this.liveBefore(top, q.pc, frameno, spi)) return true;
    for (let i = frameno; i < depth; i++) {
      const callsite = top.callsites[i]!;
      const inst = q.instances[i]!;
      if (this.liveBefore(inst, top.callsCallback[i] ? callsite : callsite + 1, frameno, spi)) return true;
    }
    return false;
  }
}
