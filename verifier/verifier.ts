// The search (kernel do_check and its helpers): one current state walks the program; at a
// conditional jump the other outcome is pushed and explored later; at prune points states are
// checkpointed and compared (prune.ts); every instruction is checked by the module of its class.
// Logging follows the kernel's: per-insn lines, the scratched registers after each insn, the
// log rewound to the branch point when a path ends well (level 1).
import { MapType } from '../maps/types.js';
import { AtomicOp, Cls, JmpOp, LD_IMM64, Mode, PseudoCall, PseudoLd, type Insn } from '../vm/isa.js';
import { formatInsn } from '../vm/disasm.js';
import { ATOMIC_OPS, formOf } from '../vm/opcodes.js';
import { ProgType } from '../vm/prog-types.js';
import { checkAlu } from './alu.js';
import { checkCondJmp } from './jmp.js';
import { checkMemAccess } from './mem.js';
import { checkFuncCall, checkHelperCall, checkReturnCode, funcExit } from './calls.js';
import { checkReferenceLeak } from './refs.js';
import { iterationProgressed, rbtreeEndless, rbtreeExit, rbtreeMayPrune, rbtreeSameNodes, rbtreeSite } from './rbtree.js';
import { Checkpoint, StatesAt, loopHash, maybeLooping, statesEqual, widenScalars, type PruneCaps } from './prune.js';
import type { LinkedReg } from './linked.js';
import { AUX_DST_STACK, AUX_FRAME_CHANGE, AUX_SRC_STACK, Backtrack, History, auxStack, markChainPrecision, type PrecisionEnv } from './precision.js';
import { Reject } from './errors.js';
import { VLog } from './log.js';
import { Scalar } from './scalar.js';
import { Frame, Reg, RegFlag, RegType, Slot, VState, formatFrame, formatRefs, regTypeName } from './state.js';
import { MAY_GOTO, subprogOf, type Cfg } from './cfg.js';
import { checkKfuncCall } from './kfuncs.js';
import { THROW_KFUNC, inExceptionCallback, throwExit } from './exceptions.js';
import { isIterNextInsn, iterActiveDepthsDiffer, iterArgActive } from './iters.js';
import { graphKfuncAllowedLocked } from './graph.js';
import { SpecAux, recoverableWithNospec, tailCallSite } from './spectre.js';
import { verifierCaps, type InsnFacts, type VerifyInput, type VerifyOptions } from './env.js';
import { StackLiveness } from './liveness.js';
import { fastcallStackAccess, markFastcallPatterns, type FastcallState } from './fastcall.js';

export const INSN_LIMIT = 1_000_000;
/** BPF_COMPLEXITY_LIMIT_JMP_SEQ: pending branches. The kernel counts the branch being pushed, so
 *  it refuses at 8192 pending and reports 8193. */
const MAX_PENDING = 8192;
/** Checkpoints kept per insn before the least useful ones are dropped. */
const SIZES: Record<number, 1 | 2 | 4 | 8> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };

interface Pending {
  st: VState;
  pc: number;
  prevPc: number;
  logPos: number;
  logOpen: number;
  parent: Checkpoint | undefined;
  hist: History;
  /** Where the path's segment began when no checkpoint precedes it (an async callback's entry). */
  entryPc: number;
  /** The path verifies a global function on its own (its exit rules differ). */
  globalEntry: boolean;
}

function sameCallsites(a: VState, b: VState): boolean {
  return a.frames.length === b.frames.length && a.frames.every((f, i) => f.callsite === b.frames[i]!.callsite);
}

/** clean_verifier_state: registers dead at the state's insn (per frame) become NOT_INIT, and
 *  stack slots no later insn may read (verifier/liveness.ts) become invalid bytes, which
 *  stacksafe lets match anything. */
function cleanState(st: VState, pc: number, live: (frameIdx: number, f: Frame) => number, liveness: StackLiveness): void {
  liveness.queryInit(st, pc);
  st.frames.forEach((f, i) => {
    const l = live(i, f);
    for (let r = 0; r < 10; r++) if (!(l & (1 << r))) f.regs[r] = new Reg();
    const slots = f.allocated >> 3;
    for (let spi = 0; spi < slots; spi++) {
      if (liveness.slotAlive(i, spi)) continue;
      f.spills[spi] = undefined;
      f.stack.fill(Slot.INVALID, spi << 3, (spi << 3) + 8);
    }
  });
}

/** reg_type_mismatch_ok: the pointer types one load/store insn may see in turn. */
const MISMATCH_OK = (t: number): boolean => t !== RegType.CTX && t !== RegType.SOCKET && t !== RegType.SOCK_COMMON && t !== RegType.TCP_SOCK && t !== RegType.XDP_SOCK && t !== RegType.BTF_ID;

export class Verifier {
  readonly insns: readonly Insn[];
  readonly log: VLog;
  st!: VState;
  pc = 0;
  prevPc = -1;
  insn!: Insn;
  processed = 0;
  /** Furthest byte accessed through read-only / read-write PTR_TO_BUF pointers (iterators). */
  maxRdonlyAccess = 0;
  maxRdwrAccess = 0;
  /** A walked call of kfunc id 0 (fixup_kfunc_call refuses it once the walk is done). */
  kfuncZeroReached = false;
  /** Furthest byte accessed through PTR_TO_TP_BUFFER (the kernel's max_tp_access). */
  maxTpAccess = 0;
  private idGen = 0;
  /** Capability flags of this run (env.ts verifierCaps; the kernel's env->allow_ptr_leaks etc.). */
  readonly allowPtrLeaks: boolean;
  readonly allowUninitStack: boolean;
  readonly bpfCapable: boolean;
  readonly bypassSpecV1: boolean;
  readonly bypassSpecV4: boolean;
  /** Spectre sanitation facts per insn (verifier/spectre.ts). */
  readonly spec: SpecAux;
  /** Which stack slots each insn reads and surely writes, per call chain (verifier/liveness.ts). */
  readonly liveness: StackLiveness;
  /** Checkpoints per insn and call site of the top frame: the kernel's explored_state lists are
   *  hashed by (insn ^ callsite), so a state of the same insn reached through another call (a
   *  function called from several places) neither counts as a loop still being explored nor
   *  takes misses. */
  private explored = new Map<number, StatesAt>();
  private parent: Checkpoint | undefined;
  private pending: Pending[] = [];
  /** Insns run since the last checkpoint, and what the current insn touched (precision.ts). */
  private curHist = new History();
  private histAux = 0;
  private histLinks: readonly LinkedReg[] | undefined;
  /** Per load/store insn, the first base pointer's type (kernel insn_aux ptr_type). */
  private readonly auxPtrType: number[] = [];
  private scratchRegs = 0;
  private scratchSlots = new Set<number>();
  private scratchAllFlag = true;
  private doPrintState = false;
  private jmps = 0;
  private prevJmps = 0;
  private prevInsns = 0;
  private pathDone = false;
  private lastLine: string | undefined;
  readonly facts: InsnFacts[];
  /** ALU64 insns that computed on a BPF arena pointer (the kernel's needs_zext): they run as
   *  32-bit operations (verifier/fixups.ts), as PTR_TO_ARENA is 32-bit. */
  readonly arenaAlu32 = new Set<number>();
  readonly stackDepth: number[];
  /** Per bpf_loop call pc: whether every visit had zero flags and the same callback (its first
   *  insn), so the kernel inlines the loop (update_loop_inline_state, verifier/fixups.ts). */
  readonly loopInline = new Map<number, { fit: boolean; callback: number }>();
  /** The bpf_fastcall patterns and their functions' contract state (fastcall.ts). */
  readonly fastcall: FastcallState;
  readonly globalsNeeded = new Set<number>();
  /** Functions (subprogram indexes) with a reachable may_goto. */
  readonly mayGotoFuncs = new Set<number>();
  /** What state comparison needs of the capability flags (prune.ts). */
  private get pruneCaps(): PruneCaps {
    return { allowUninitStack: this.allowUninitStack, allPrecise: !this.bpfCapable, exploreAluLimits: this.spec.exploreAluLimits };
  }
  /** The checkpoint saved by the latest isStateVisited. */
  private lastAdded: Checkpoint | undefined;
  stats = { maxStatesPerInsn: 0, totalStates: 0, peakStates: 0, curStates: 0 };
  /** Verifying a global function on its own (exit rules differ). */
  private globalEntry = false;

  constructor(
    readonly input: VerifyInput,
    readonly opts: VerifyOptions,
    readonly cfg: Cfg,
    log: VLog,
  ) {
    this.insns = input.insns;
    this.log = log;
    const caps = verifierCaps(opts);
    this.allowPtrLeaks = caps.allowPtrLeaks;
    this.allowUninitStack = caps.allowUninitStack;
    this.bpfCapable = caps.bpfCapable;
    this.bypassSpecV1 = caps.bypassSpecV1;
    this.bypassSpecV4 = caps.bypassSpecV4;
    this.spec = new SpecAux(this.insns.length);
    this.liveness = new StackLiveness(this.insns, cfg.subprogs, cfg.prune, cfg.succ, log.level >= 2 ? (t) => log.write(t) : undefined);
    this.facts = this.insns.map(() => ({ seen: false, safeAccess: false }));
    this.stackDepth = cfg.subprogs.map(() => 0);
    this.fastcall = markFastcallPatterns(input, cfg, caps);
  }

  get frame(): Frame {
    return this.st.cur;
  }
  get regs(): Reg[] {
    return this.st.cur.regs;
  }

  reject(message: string, _linfo = false, errno = 13, noNewline = false): never {
    throw new Reject(message, this.pc, errno, noNewline);
  }
  newId(): number {
    return ++this.idGen;
  }

  // ---- register access ----------------------------------------------------------------------
  readReg(r: number): void {
    if (r > 10) this.reject(`R${r} is invalid`, false, 22);
    this.scratchRegs |= 1 << r;
    if (this.regs[r]!.type === RegType.NOT_INIT) this.reject(`R${r} !read_ok`);
  }
  writable(r: number): void {
    if (r > 10) this.reject(`R${r} is invalid`, false, 22);
    if (r === 10) this.reject('frame pointer is read only');
  }
  setReg(r: number, reg: Reg): void {
    // Without CAP_BPF every scalar is precise from the start (kernel __mark_reg_unknown:
    // precise = !bpf_capable), and there is no backtracking.
    if (!this.bpfCapable && reg.type === RegType.SCALAR) reg.precise = true;
    this.regs[r] = reg;
    this.scratchRegs |= 1 << r;
  }
  scratchSlot(spi: number): void {
    this.scratchSlots.add(spi);
  }
  /** The current insn reads stack slot `spi` of frame `frameno` (bpf_mark_stack_read). */
  markStackRead(frameno: number, spi: number): void {
    this.liveness.markRead(this.st, frameno, this.pc, spi);
  }
  /** The current insn overwrites all of stack slot `spi` of frame `frameno`. */
  markStackWrite(frameno: number, spi: number): void {
    this.liveness.markWrite(frameno, spi);
  }
  scratchAll(): void {
    this.scratchAllFlag = true;
  }
  /** save_aux_ptr_type: a load or store insn keeps the pointer type its base had on the first
   *  path; another path reaching it with a context, socket or BTF pointer where the first had a
   *  different type is refused (the insn is rewritten per type, once). A load that saw a trusted
   *  and an untrusted BTF pointer falls back to untrusted. */
  private saveAuxPtrType(base: Reg, allowTrustMismatch: boolean): void {
    const key = base.type * 0x10000 + (base.flags & 0xffff & ~(RegFlag.STALE | RegFlag.PKT_SLICE));
    const prev = this.auxPtrType[this.pc];
    if (prev === undefined) {
      this.auxPtrType[this.pc] = key;
      return;
    }
    const prevType = Math.floor(prev / 0x10000);
    if (prev === key || (MISMATCH_OK(base.type) && MISMATCH_OK(prevType))) return;
    if (allowTrustMismatch && base.type === RegType.BTF_ID && prevType === RegType.BTF_ID) {
      this.auxPtrType[this.pc] = RegType.BTF_ID * 0x10000 + RegFlag.UNTRUSTED;
      return;
    }
    this.reject('same insn cannot be used with different pointers', false, 22);
  }
  noteAccess(reg: Reg): void {
    const f = this.facts[this.pc]!;
    const t = regTypeName(reg);
    (f.ptrTypes ??= []).includes(t) || f.ptrTypes.push(t);
  }
  noteStackDepth(f: Frame, depth: number): void {
    const sp = subprogOf(this.cfg, f.subprog);
    if (depth > this.stackDepth[sp]!) this.stackDepth[sp] = depth;
  }
  /** The current insn touches frame `f`'s stack from offset `off` up (the bpf_fastcall
   *  contract: below its pattern slots only pattern members may). */
  noteStackAccess(f: Frame, off: number): void {
    fastcallStackAccess(this.fastcall, this.cfg, f.subprog, this.pc, off);
  }
  /** A visit of the bpf_loop call at the current pc with this callback. */
  noteLoopCall(callback: number, zeroFlags: boolean): void {
    const st = this.loopInline.get(this.pc);
    if (!st) this.loopInline.set(this.pc, { fit: zeroFlags, callback });
    else if (st.fit) st.fit = zeroFlags && st.callback === callback;
  }
  requireGlobal(pc: number): void {
    this.globalsNeeded.add(pc);
  }
  conditionalRelease(resultId: number, refId: number): void {
    this.st.condRelease.set(resultId, refId);
  }

  // ---- branches ---------------------------------------------------------------------------------
  pushBranch(st: VState, pc: number, frameChange = false): void {
    if (this.pending.length >= MAX_PENDING) this.reject(`The sequence of ${this.pending.length + 1} jumps is too complex.`, false, 7);
    const hist = this.curHist.clone();
    hist.push(this.pc, this.histAux | (frameChange ? AUX_FRAME_CHANGE : 0), this.histLinks, this.cfg.jmpPoint[this.pc] === 1);
    this.pending.push({ st, pc, prevPc: this.pc, logPos: this.log.pos, logOpen: this.log.openLen, parent: this.parent, hist, entryPc: this.entryPc, globalEntry: this.globalEntry });
    if (this.parent) this.parent.branches++;
  }
  /** push_stack(..., speculative = true): a path the CPU may only take speculatively. */
  pushSpeculative(st: VState, pc: number): void {
    st.speculative = true;
    this.pushBranch(st, pc);
  }
  /** push_callback_call: the callback's path. Its setup (init_func_state) scratches the whole
   *  verifier state, whose scratch marks are the env's: the line after the call prints every
   *  live register and stack slot of the caller. */
  pushCallbackBranch(st: VState, pc: number): void {
    this.pushBranch(st, pc, true);
    this.scratchAll();
  }
  /** push_async_cb: a timer callback's path (verifier/timer.ts), a state without a parent or
   *  history, so nothing it needs precisely reaches back into the path that set it. */
  pushAsyncBranch(st: VState, pc: number): void {
    if (this.pending.length >= MAX_PENDING) this.reject(`The sequence of ${this.pending.length + 1} jumps is too complex for async cb.`, false, 7);
    // its state is zeroed, not copied: first_insn_idx 0, whatever the callback's first insn
    const hist = new History();
    hist.firstIdx = 0;
    this.pending.push({ st, pc, prevPc: this.pc, logPos: this.log.pos, logOpen: this.log.openLen, parent: undefined, hist, entryPc: pc, globalEntry: false });
  }
  // ---- precision ----------------------------------------------------------------------------------
  /** The walk's view of this verifier (precision.ts). */
  private precisionEnv(): PrecisionEnv {
    return (this.precEnv ??= {
      insns: this.insns,
      log: this.log.level >= 2 ? (t: string): void => this.log.write(t) : undefined,
      insnText: (pc) => this.insnText(pc),
      // any frame of the parent state is printed with the state's references
      frameText: (st, fr) => formatFrame(st.frames[fr]!, 0, undefined, true) + formatRefs(st) + (st.frames[fr]!.inCallback ? ' cb' : '') + (st.frames[fr]!.inAsyncCb ? ' async_cb' : ''),
      isGlobal: (pc) => this.input.globalFuncs?.has(pc) ?? false,
    });
  }
  private precEnv: PrecisionEnv | undefined;
  /** Where the current path's segment began when no checkpoint precedes it. */
  private entryPc = 0;
  /** A check depended on the exact value of these registers of the current frame. */
  markPrecise(regs: number, stack: number[] = []): void {
    const bt = new Backtrack(this.st.frames.length - 1);
    bt.regs[bt.frame] = regs;
    for (const s of stack) bt.stack[bt.frame]!.add(s);
    this.markPreciseBatch(bt);
  }
  /** A check depended on the value spilled in stack slot `spi` of frame `frameno`
   *  (get_constant_map_key's bt_set_frame_slot + mark_chain_precision_batch). */
  markPreciseSlot(frameno: number, spi: number): void {
    const bt = new Backtrack(this.st.frames.length - 1);
    bt.stack[frameno]!.add(spi);
    this.markPreciseBatch(bt);
  }
  private markPreciseBatch(bt: Backtrack): void {
    if (!this.bpfCapable) return;
    markChainPrecision(this.precisionEnv(), this.curHist, this.parent, this.pc, this.entryPc, bt);
  }
  /** The current insn spilled to or filled from stack slot `spi` of frame `frameno` (-1: the
   *  access restores no spilled register, as the kernel's insn_flags = 0). */
  noteStackSlot(frameno: number, spi: number): void {
    this.histAux = (this.histAux & ~0x7ff) | (frameno < 0 ? 0 : auxStack(frameno, spi));
  }
  /** The registers linked by id at the current conditional jump (verifier/linked.ts). */
  noteLinked(links: readonly LinkedReg[]): void {
    this.histLinks = links;
  }
  /** A conditional jump's operands that are stack pointers (not backtracked). */
  noteJmpStackOperands(src: boolean, dst: boolean): void {
    this.histAux |= (src ? AUX_SRC_STACK : 0) | (dst ? AUX_DST_STACK : 0);
  }
  noteFrameChange(): void {
    this.histAux |= AUX_FRAME_CHANGE;
  }
  /** A pruning hit: what the explored state needed precisely, the current path needs too
   *  (kernel propagate_precision, every frame). */
  private propagatePrecision(old: VState): boolean {
    return this.propagatePrecisionFrom(old, this.curHist, this.parent, this.pc);
  }
  private propagatePrecisionFrom(old: VState, hist: History, parent: Checkpoint | undefined, pc: number): boolean {
    const bt = new Backtrack(old.frames.length - 1);
    const log = this.log.level >= 2;
    for (let fr = bt.frame; fr >= 0; fr--) {
      const f = old.frames[fr]!;
      const names: string[] = [];
      f.regs.forEach((r, k) => {
        if (k < 10 && r.type === RegType.SCALAR && r.precise) {
          bt.set(k, fr);
          names.push(`r${k}`);
        }
      });
      f.spills.forEach((r, spi) => {
        if (r?.type === RegType.SCALAR && r.precise && f.isSpilled(spi)) {
          bt.stack[fr]!.add(spi);
          names.push(`fp${-(spi + 1) * 8}`);
        }
      });
      if (log && names.length) this.log.write(`frame ${fr}: propagating ${names.join(',')}\n`);
    }
    return this.bpfCapable && markChainPrecision(this.precisionEnv(), hist, parent, pc, this.entryPc, bt);
  }
  jumpTo(pc: number): void {
    this.nextPc = pc;
  }
  /** The fall-through of a branch is impossible: only the pushed target remains. */
  endPathInfeasible(): void {
    this.pathDone = true;
  }
  private nextPc = -1;
  /** The current path just returned from a callback to its call insn. */
  fromCallback = false;

  // ---- logging ----------------------------------------------------------------------------------
  private stateText(all: boolean): string {
    const f = this.st.cur;
    const s = formatFrame(f, all ? 0x7ff : this.scratchRegs, all ? undefined : this.scratchSlots, all) + formatRefs(this.st) + (f.inCallback ? ' cb' : '') + (f.inAsyncCb ? ' async_cb' : '');
    return s;
  }
  private cleanScratch(): void {
    this.scratchRegs = 0;
    this.scratchSlots.clear();
    this.scratchAllFlag = false;
  }
  logCall(caller: Frame, callee: Frame): void {
    if (!this.log.enabled) return;
    // Each frame is printed with the state's references (6.18 keeps them per state).
    const refs = formatRefs(this.st);
    this.log.write('caller:\n' + formatFrame(caller, 0, undefined, true) + refs + '\ncallee:\n' + formatFrame(callee, 0, undefined, true) + refs + '\n');
  }
  logFrameReturn(callee: Frame, caller: Frame, to: number): void {
    if (!this.log.enabled) return;
    // print_verifier_state marks a frame running a callback with ` cb` (` async_cb`).
    const tag = (f: Frame): string => (f.inCallback ? ' cb' : '') + (f.inAsyncCb ? ' async_cb' : '');
    const refs = formatRefs(this.st);
    this.log.write('returning from callee:\n' + formatFrame(callee, 0, undefined, true) + refs + tag(callee) + `\nto caller at ${to}:\n` + formatFrame(caller, 0, undefined, true) + refs + tag(caller) + '\n');
    // print_verifier_state with print_all leaves the state clean: no state line follows at level
    // 1; level 2 prints the whole state again as `from EXIT to PC:` (do_print_state).
    this.cleanScratch();
  }
  /** The kernel-dialect text of the insn at pc, with helper and kfunc names. */
  insnText(pc: number): string {
    return formatInsn(this.insns, pc, {
      dialect: 'kernel',
      helperName: (id) => {
        const h = this.input.helper(id);
        return h ? `bpf_${h.name}` : 'unknown';
      },
      kfuncName: (id) => this.input.kfuncName?.(id),
      allowPtrLeaks: this.allowPtrLeaks,
      anyRegister: true,
    });
  }

  // ---- the search -------------------------------------------------------------------------------

  /** Walk every path from `entry` with the initial state `st`. Throws Reject. */
  run(st: VState, entry: number, globalEntry = false): void {
    this.st = st;
    this.pc = entry;
    this.globalEntry = globalEntry;
    this.entryPc = entry;
    // A fresh walk (a global function after the main program, an exception callback): no
    // checkpoint above it and no instructions behind it, as do_check_common's new state has.
    this.parent = undefined;
    this.curHist = new History();
    this.scratchAllFlag = true;
    this.liveness.resetCallchain();
    const n = this.insns.length;
    const limit = this.opts.insnLimit ?? INSN_LIMIT;
    for (;;) {
      if (this.pc < 0 || this.pc >= n) this.reject(`invalid insn idx ${this.pc} insn_cnt ${n}`, false, 14);
      const insn = (this.insn = this.insns[this.pc]!);
      if (++this.processed > limit) this.reject(`BPF program is too large. Processed ${this.processed} insn`, false, 7);
      if (this.cfg.prune[this.pc] && this.isStateVisited()) {
        if (this.log.enabled) this.log.write(this.doPrintState ? `\nfrom ${this.prevPc} to ${this.pc}${this.specText()}: safe\n` : `${this.pc}: safe\n`);
        if (!this.endPath()) return;
        continue;
      }
      if (this.log.enabled) this.logInsn();
      const speculative = this.st.speculative;
      // sanitize_mark_insn_seen: only real paths make an insn live.
      if (!speculative) this.facts[this.pc]!.seen = true;
      // 6.13+: a speculative path stops at a barrier.
      if (speculative && this.spec.nospec[this.pc]) {
        this.scratchAllFlag = true;
        if (!this.endPath()) return;
        continue;
      }
      this.nextPc = -1;
      this.pathDone = false;
      this.histAux = 0;
      this.histLinks = undefined;
      let ended: boolean;
      // The insn's sure stack writes are gathered while it is checked, then recorded for its
      // call chain, unless it entered or left a function (the chain changed under it).
      const frame = this.st.cur;
      this.liveness.beginInsn(this.st, this.pc);
      try {
        ended = this.step(insn);
      } catch (e) {
        // 6.13+: what a speculative path may not do gets a barrier before the insn instead of
        // a rejection (error_recoverable_with_nospec); the message stays in the log.
        if (!(e instanceof Reject) || !speculative || !recoverableWithNospec(e.errno)) throw e;
        this.commitStackWrites(frame);
        if (this.log.enabled) this.log.write(e.message + (e.noNewline ? '' : '\n'));
        this.spec.nospec[this.pc] = 1;
        this.spec.aluState[this.pc] = 0;
        this.scratchAllFlag = true;
        if (!this.endPath()) return;
        continue;
      }
      this.commitStackWrites(frame);
      this.curHist.push(this.pc, this.histAux, this.histLinks, this.cfg.jmpPoint[this.pc] === 1);
      // A speculative path also stops at the barrier after a sanitized store (nospec_result).
      if (speculative && this.spec.nospecResult[this.pc] && !ended && !this.pathDone) {
        this.scratchAllFlag = true;
        if (!this.endPath()) return;
        continue;
      }
      if (ended || this.pathDone) {
        // An impossible fall-through is no path end for the kernel: it goes on with the jump.
        if (!this.endPath(ended || !this.pathDone)) return;
        continue;
      }
      this.prevPc = this.pc;
      this.pc = this.nextPc >= 0 ? this.nextPc : this.pc + (insn.code === LD_IMM64 ? 2 : 1);
    }
  }

  private specText(): string {
    return this.st.speculative ? ' (speculative execution)' : '';
  }
  private logInsn(): void {
    if (this.log.level >= 2 && this.doPrintState) {
      this.log.write(`\nfrom ${this.prevPc} to ${this.pc}${this.specText()}:${this.stateText(true)}\n`);
      this.doPrintState = false;
    }
    if (this.scratchAllFlag || this.scratchRegs || this.scratchSlots.size) {
      this.log.insnState(this.pc, this.stateText(this.scratchAllFlag));
      this.cleanScratch();
    }
    const line = this.input.sourceLine?.(this.pc);
    if (line !== undefined && line !== this.lastLine) {
      this.log.write(`; ${line}\n`);
      this.lastLine = line;
    }
    this.log.insn(this.pc, this.insnText(this.pc));
  }

  private commitStackWrites(frame: Frame): void {
    if (this.st.cur === frame) this.liveness.commit();
    else this.liveness.resetCallchain();
  }
  /** A function returns: its chain's stack marks reach their fixed point first (the kernel's
   *  process_bpf_exit_full before prepare_func_exit). */
  beforeFrameExit(): void {
    this.liveness.update(this.st);
  }

  /** The current path is over (exit, pruned, infeasible): continue with a pending one. At a
   *  real path end the stack liveness of its call chain is brought up to date first. */
  private endPath(update = true): boolean {
    if (update) this.liveness.update(this.st);
    for (let cp = this.parent; cp; cp = cp.parent) {
      if (--cp.branches > 0) break;
      // Fully explored: from now on it may prune (when still listed); a dropped one is freed.
      this.maybeExitScc(cp);
      if (cp.inFreeList && !this.incompleteMarks(cp)) {
        cp.inFreeList = false;
        this.freeList--;
      }
    }
    const next = this.pending.pop();
    if (!next) return false;
    this.liveness.resetCallchain();
    this.st = next.st;
    this.pc = next.pc;
    this.prevPc = next.prevPc;
    this.parent = next.parent;
    this.curHist = next.hist;
    this.entryPc = next.entryPc;
    this.globalEntry = next.globalEntry;
    this.fromCallback = false;
    if (this.log.level === 1) this.log.restore(next.logPos, next.logOpen);
    this.doPrintState = true;
    this.scratchAllFlag = true;
    return true;
  }

  // ---- loops (6.17+ SCC visits) -----------------------------------------------------------------
  // A checkpoint inside a loop (a strongly connected component of the CFG, per call chain) opens
  // a visit; pruning hits against states of an unfinished visit compare every scalar by range
  // (their precision marks may still grow) and are kept as backedges; when the visit's entry
  // checkpoint is fully explored, precision is propagated along the backedges to a fixed point
  // (kernel maybe_enter_scc / add_scc_backedge / maybe_exit_scc / propagate_backedges).
  private sccVisits = new Map<string, { entry: Checkpoint | undefined; backedges: { equal: Checkpoint; hist: History; parent: Checkpoint | undefined; pc: number }[] }>();
  private numBackedges = 0;
  /** compute_scc_callchain: the callsites to the topmost frame inside a loop and that loop's id,
   *  as a key and as format_callchain prints it (`(callsite,...,scc)`, stopping at a zero
   *  callsite as the kernel's loop over the zero-terminated array does). */
  private sccCallchain(st: VState, pc: number): { key: string; text: string } | undefined {
    const sites: number[] = [];
    for (let i = 0; i < st.frames.length; i++) {
      const idx = i === st.frames.length - 1 ? pc : st.frames[i + 1]!.callsite;
      const scc = this.cfg.scc[idx]!;
      if (scc) {
        const zero = sites.indexOf(0);
        const shown = zero < 0 ? sites : sites.slice(0, zero);
        return { key: `${sites.join(',')}|${scc}`, text: `(${shown.map((c) => `${c},`).join('')}${scc})` };
      }
      if (i === st.frames.length - 1) return undefined;
      sites.push(idx);
    }
    return undefined;
  }
  private maybeEnterScc(cp: Checkpoint): void {
    const cc = this.sccCallchain(cp.state, cp.pc);
    if (!cc) return;
    let visit = this.sccVisits.get(cc.key);
    if (!visit) this.sccVisits.set(cc.key, (visit = { entry: undefined, backedges: [] }));
    if (visit.entry) return;
    visit.entry = cp;
    if (this.log.level >= 2) this.log.write(`SCC enter ${cc.text}\n`);
  }
  private maybeExitScc(cp: Checkpoint): void {
    const cc = this.sccCallchain(cp.state, cp.pc);
    const visit = cc ? this.sccVisits.get(cc.key) : undefined;
    if (!visit || visit.entry !== cp) return;
    if (this.log.level >= 2) this.log.write(`SCC exit ${cc!.text}\n`);
    visit.entry = undefined;
    this.numBackedges -= visit.backedges.length;
    // propagate_backedges: until no checkpoint gains a mark (at most 64 rounds).
    for (let i = 0; visit.backedges.length; i++) {
      if (i > 64) {
        if (this.log.level >= 2) this.log.write('propagate_backedges: too many iterations\n');
        break;
      }
      let changed = false;
      for (const b of visit.backedges.slice().reverse()) if (this.propagatePrecisionFrom(b.equal.state, b.hist, b.parent, b.pc)) changed = true;
      if (!changed) break;
    }
    visit.backedges = [];
  }
  /** incomplete_read_marks: the checkpoint's loop visit still has backedges to propagate. */
  private incompleteMarks(cp: Checkpoint): boolean {
    const cc = this.sccCallchain(cp.state, cp.pc);
    return cc !== undefined && (this.sccVisits.get(cc.key)?.backedges.length ?? 0) > 0;
  }
  private addBackedge(cp: Checkpoint): void {
    const cc = this.sccCallchain(cp.state, cp.pc);
    const visit = cc ? this.sccVisits.get(cc.key) : undefined;
    if (!visit) return;
    if (this.log.level >= 2) this.log.write(`SCC backedge ${cc!.text}\n`);
    visit.backedges.push({ equal: cp, hist: this.curHist, parent: this.parent, pc: this.pc });
    this.numBackedges++;
    this.updatePeak();
  }
  /** A pruning hit (maybe a loop's): propagate precision, keep the backedge. */
  private hit(cp: Checkpoint, loop: boolean): true {
    cp.hit++;
    this.propagatePrecision(cp.state);
    if (loop) this.addBackedge(cp);
    return true;
  }
  private updatePeak(): void {
    const n = this.stats.curStates + this.freeList + this.numBackedges;
    if (n > this.stats.peakStates) this.stats.peakStates = n;
  }
  /** Evicted checkpoints still being explored (kernel free_list, freed when explored). */
  private freeList = 0;

  private exploredKey(pc: number, st: VState): number {
    return pc * (this.insns.length + 1) + st.cur.callsite + 1;
  }

  /** is_state_visited: true when the current state is covered by an explored one. The
   *  checkpoints of the insn are walked newest first, as the kernel's list: a fully explored one
   *  equal to the current state prunes it; one still being explored below (a loop, or pending
   *  siblings) prunes only at the insns where loops converge (an iterator's next, a may_goto, a
   *  callback call) and is otherwise checked for an endless loop. Every miss counts while a new
   *  checkpoint is due, and checkpoints that keep missing are dropped. */
  private isStateVisited(): boolean {
    const pc = this.pc;
    const cur = this.st;
    const key = this.exploredKey(pc, cur);
    let at = this.explored.get(key);
    if (!at) this.explored.set(key, (at = new StatesAt()));
    const list = at.list;
    const before = list.length;
    // Forced checkpoints (is_force_checkpoint: callback calls, iterators' next, may_goto); with
    // BPF_F_TEST_STATE_FREQ (env->test_state_freq, a privileged loader's flag only: bpf_check
    // ignores it without CAP_BPF) a checkpoint at every prune point; and one after more than 40
    // insn history entries since the last (the kernel keeps the history short).
    const forced = this.cfg.force[pc] === 1;
    const force = forced || (((this.opts.progFlags ?? 0) & 8) !== 0 && this.bpfCapable) || this.curHist.kernelEntries > 40;
    let addNew = force || (this.jmps - this.prevJmps >= 2 && this.processed - this.prevInsns >= 8);
    const topLive = this.cfg.liveIn[pc]!;
    const live = (i: number): number => {
      if (i === cur.frames.length - 1) return topLive;
      const next = cur.frames[i + 1]!;
      return next.inCallback ? this.cfg.liveIn[next.callsite]! : this.cfg.liveIn[next.callsite + 1]! & ~0x3f;
    };
    const hash = loopHash(cur);
    const mayGoto = this.insns[pc]!.code === MAY_GOTO;
    // An iterator's next call converges its loop by its own rule (verifier/iters.ts).
    const iterNext = isIterNextInsn(this, this.insns[pc]!);
    // Callback-calling helpers (calls_callback): a may_goto and an iterator's next are forced
    // checkpoints too, with rules of their own.
    const cbSite = forced && !mayGoto && !iterNext;
    // rbtree next/prev and add/find have their own convergence rules (verifier/rbtree.ts).
    const rbSite = cbSite ? rbtreeSite(this, this.insns[pc]!, this.fromCallback) : undefined;
    // clean_live_states: fully explored states here forget their dead registers and stack slots
    // (printed and propagated as the kernel's cleaned states are); not while their loop's
    // precision marks may still grow.
    for (const cp of list) {
      if (cp.branches > 0 || cp.cleaned || !sameCallsites(cp.state, cur) || this.incompleteMarks(cp)) continue;
      cleanState(cp.state, pc, live, this.liveness);
      cp.cleaned = true;
    }
    for (let i = list.length - 1; i >= 0; i--) {
      const cp = list[i]!;
      if (cp.branches > 0) {
        if (iterNext) {
          // A state of an earlier iteration, equal by range, with the iterator active: the loop
          // converges here (next keeps returning NULL once drained). No endless-loop check: each
          // next call is an iteration deeper.
          if (statesEqual(cp.state, cur, live, 'range', this.pruneCaps) && iterArgActive(this, cur)) return this.hit(cp, true);
        } else {
          // A may_goto reached through more of its fall-throughs than the state (the next
          // iteration of the loop it bounds).
          if (mayGoto && cp.state.mayGotoDepth !== cur.mayGotoDepth && statesEqual(cp.state, cur, live, 'range', this.pruneCaps)) return this.hit(cp, true);
          if (cbSite) {
            // By range (calls_callback); the RFC rbtree calls keep their own lineage rules on
            // top of the plain comparison (verifier/rbtree.ts).
            if (statesEqual(cp.state, cur, live, rbSite === undefined ? 'range' : 'within', this.pruneCaps) && (rbSite === undefined ? rbtreeSameNodes(this, cp.state, cur, live) : rbtreeMayPrune(this, rbSite, pc, cp.state, cur, live) && this.isAncestor(cp))) return this.hit(cp, true);
            // An rbtree call reached again in the same state as on an earlier lap, which it may
            // not prune against: an endless loop, unless an iteration moved on (rbtree.ts).
            if ((rbSite === 'step' || rbSite === 'call') && statesEqual(cp.state, cur, live, 'exact', this.pruneCaps) && this.isAncestor(cp) && rbtreeEndless(this, rbSite, pc, cp.state, cur, live)) this.endlessLoop(pc, cp);
          } else if (
            cp.hash === hash &&
            cp.state.mayGotoDepth === cur.mayGotoDepth &&
            cp.state.callbackUnrollDepth === cur.callbackUnrollDepth &&
            maybeLooping(cp.state, cur) &&
            statesEqual(cp.state, cur, live, 'exact', this.pruneCaps) &&
            !iterActiveDepthsDiffer(cp.state, cur) &&
            this.isAncestor(cp) &&
            !iterationProgressed(this, cp.state, cur, live)
          )
            this.endlessLoop(pc, cp);
        }
        // A loop being explored: new checkpoints only now and then, as its laps rarely match.
        if (!force && this.jmps - this.prevJmps < 20 && this.processed - this.prevInsns < 100) addNew = false;
      } else {
        const loop = this.incompleteMarks(cp);
        if (statesEqual(cp.state, cur, live, loop ? 'range' : 'within', this.pruneCaps) && rbtreeSameNodes(this, cp.state, cur, live)) return this.hit(cp, loop);
      }
      // A miss counts only while a new checkpoint is due (so a loop's laps do not push out the
      // states of its first iterations); a checkpoint that keeps missing is dropped (more
      // leeway for a forced one still being explored: iterators converge against it).
      if (addNew) cp.miss++;
      const n = forced && cp.branches > 0 ? 64 : 3;
      if (cp.miss > cp.hit * n + n) {
        list.splice(i, 1);
        this.stats.curStates--;
        cp.evicted = true;
        if (cp.branches > 0 || this.incompleteMarks(cp)) {
          cp.inFreeList = true;
          this.freeList++;
        }
      }
    }
    if (before > this.stats.maxStatesPerInsn) this.stats.maxStatesPerInsn = before;
    // BPF_COMPLEXITY_LIMIT_STATES: unprivileged, at most 64 states are kept per insn.
    if (!this.bpfCapable && before > 64) return false;
    this.fromCallback = false;
    if (!addNew) return false;
    const cp = new Checkpoint(pc, cur.clone(), this.parent, this.curHist);
    this.lastAdded = cp;
    cp.hash = cbSite ? 0 : hash;
    this.curHist = new History();
    this.parent = cp;
    at.add(cp);
    this.prevJmps = this.jmps;
    this.prevInsns = this.processed;
    this.stats.totalStates++;
    this.stats.curStates++;
    this.updatePeak();
    this.maybeEnterScc(cp);
    return false;
  }

  private endlessLoop(pc: number, cp: Checkpoint): never {
    // verbose_linfo: the source line only when it is not the one printed last
    const line = this.input.sourceLine?.(pc);
    this.reject(`${line !== undefined && line !== this.lastLine ? `; ${line}\n` : ''}infinite loop detected at insn ${pc}\ncur state:${this.stateText(true)}\nold state:${formatFrame(cp.state.cur, 0, undefined, true)}`, false, 22);
  }

  private isAncestor(cp: Checkpoint): boolean {
    for (let p = this.parent; p; p = p.parent) if (p === cp) return true;
    return false;
  }

  /** Check one instruction; true when the path ends here. */
  private step(insn: Insn): boolean {
    const cls = insn.code & 7;
    switch (cls) {
      case Cls.ALU:
      case Cls.ALU64:
        checkAlu(this, insn);
        return false;
      case Cls.LDX: {
        this.readReg(insn.src);
        this.writable(insn.dst);
        const size = SIZES[insn.code & 0x18]!;
        const base = this.regs[insn.src]!;
        checkMemAccess(this, insn.src, insn.off, size, 'read', undefined, insn.dst, { ldsx: (insn.code & 0xe0) === Mode.MEMSX });
        this.saveAuxPtrType(base, true);
        return false;
      }
      case Cls.ST:
        this.readReg(insn.dst);
        checkMemAccess(this, insn.dst, insn.off, SIZES[insn.code & 0x18]!, 'write', undefined, -1, { imm: insn.imm });
        this.saveAuxPtrType(this.regs[insn.dst]!, false);
        return false;
      case Cls.STX:
        if ((insn.code & 0xe0) === Mode.ATOMIC) this.checkAtomic(insn);
        else {
          this.readReg(insn.src);
          this.readReg(insn.dst);
          checkMemAccess(this, insn.dst, insn.off, SIZES[insn.code & 0x18]!, 'write', this.regs[insn.src], -1);
          this.saveAuxPtrType(this.regs[insn.dst]!, false);
        }
        return false;
      case Cls.LD:
        if (insn.code === LD_IMM64) this.checkLdImm64(insn);
        else this.checkLdAbs(insn);
        return false;
      default:
        return this.checkJmp(insn);
    }
  }

  private checkJmp(insn: Insn): boolean {
    const op = insn.code & 0xf0;
    this.jmps++;
    if (op === JmpOp.CALL) {
      if ((insn.code & 0x08) !== 0) this.reject('BPF_CALL uses reserved fields', false, 22);
      if (insn.src === PseudoCall.LOCAL) {
        this.nextPc = checkFuncCall(this, insn);
      } else if (insn.src === PseudoCall.KFUNC) {
        // Only the graph kfuncs run under a bpf_spin_lock (is_bpf_graph_api_kfunc).
        if (this.st.lock && !graphKfuncAllowedLocked(this.input.kfunc?.(insn.imm)?.name ?? '')) this.reject('function calls are not allowed while holding a lock', false, 22);
        // check_kfunc_call skips a call of kfunc id 0 ("skip for now"); reached, it is refused
        // after the walk (fixup_kfunc_call), unreached it goes with the dead code
        if (insn.imm === 0 && insn.off === 0) {
          this.kfuncZeroReached = true;
          return false;
        }
        checkKfuncCall(this, insn);
        if (this.input.kfunc?.(insn.imm)?.name === THROW_KFUNC) {
          throwExit(this);
          this.scratchAllFlag = true;
          return true;
        }
      } else {
        const tailCall = tailCallSite(this, insn);
        checkHelperCall(this, insn);
        tailCall?.();
      }
      this.scratchRegs |= 1;
      return false;
    }
    if (op === JmpOp.JA) {
      this.nextPc = (insn.code & 7) === Cls.JMP32 ? this.pc + insn.imm + 1 : this.pc + insn.off + 1;
      return false;
    }
    if (op === JmpOp.EXIT) {
      const top = this.st.frames.length === 1;
      if (this.st.lock && top) this.reject('BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region', false, 22);
      if (this.st.rcuLock && top) this.reject('BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region', false, 22);
      if (!top) {
        if (this.frame.inCallback && this.regs[0]!.type !== RegType.SCALAR) this.reject('R0 not a scalar value');
        this.beforeFrameExit();
        this.nextPc = funcExit(this);
        this.doPrintState = true;
        return false;
      }
      rbtreeExit(this);
      checkReferenceLeak(this);
      if (this.st.preemptLocks) this.reject('BPF_EXIT instruction in main prog cannot be used inside bpf_preempt_disable-ed region', false, 22);
      if (this.globalEntry && !inExceptionCallback(this)) {
        this.readReg(0);
        const r0 = this.regs[0]!;
        if (r0.type !== RegType.SCALAR) this.reject(`At subprogram exit the register R0 is not a scalar value (${regTypeName(r0)})`, false, 22);
      } else checkReturnCode(this);
      this.scratchAllFlag = true;
      return true;
    }
    if (insn.code === MAY_GOTO || op === JmpOp.JCOND) {
      this.checkMayGoto(insn);
      return false;
    }
    checkCondJmp(this, insn);
    // check_cond_jmp_op prints the state at the jump itself (so after mark_precise lines its pc
    // heads the line, not the next insn's).
    if (this.log.enabled && !this.pathDone) {
      this.log.insnState(this.pc, this.stateText(false));
      this.cleanScratch();
    }
    return false;
  }

  /** may_goto (kernel check_cond_jmp_op, BPF_JCOND): the jump (the loop's exit once the budget is
   *  spent) is followed now, the fall-through is pushed one may_goto deeper, its imprecise
   *  scalars widened against the previous visit of this insn on the path so the loop converges.
   *  At run time the kernel keeps the budget in a hidden slot below the frame (8 bytes, 16 for
   *  the x86-64 JIT's timed may_goto); the VM keeps it beside the frame, so the program's own
   *  stack depth is unchanged and stats.mayGoto says which functions need the slot. */
  private checkMayGoto(insn: Insn): void {
    // 6.18's check (6.13 dropped the refusal of off 0 and the offset from the message).
    if (insn.code !== MAY_GOTO || insn.src !== 0 || insn.dst !== 0 || insn.imm !== 0) this.reject(`invalid may_goto imm ${insn.imm}`, false, 22);
    const queued = this.st.clone();
    queued.mayGotoDepth++;
    const prev = this.findPrevEntry(this.pc);
    if (prev) widenScalars(prev.state, queued);
    this.pushBranch(queued, this.pc + 1);
    this.mayGotoFuncs.add(subprogOf(this.cfg, this.pc));
    this.jumpTo(this.pc + insn.off + 1);
  }

  /** find_prev_entry: the latest checkpoint at `pc` on the current path (a loop's previous
   *  iteration), in the same call chain, not the one just saved for this visit. */
  findPrevEntry(pc: number, skipJustSaved = true): Checkpoint | undefined {
    let p = this.parent;
    if (skipJustSaved && p && p === this.lastAdded && p.pc === pc) p = p.parent;
    const frames = this.st.frames;
    for (; p; p = p.parent) {
      if (p.evicted || p.pc !== pc || p.state.frames.length !== frames.length) continue;
      if (p.state.frames.every((f, i) => f.callsite === frames[i]!.callsite)) return p;
    }
    return undefined;
  }

  private checkLdImm64(insn: Insn): void {
    this.writable(insn.dst);
    const hi = this.insns[this.pc + 1]!.imm;
    switch (insn.src) {
      case PseudoLd.IMM64: {
        const k = this.input.ksym?.(this.pc);
        if (k) {
          // A typed kernel variable: a pointer into read-only kernel memory.
          const r = k.kind === 'btf' ? Reg.ptr(RegType.BTF_ID, RegFlag.TRUSTED) : Reg.ptr(RegType.MEM, RegFlag.RDONLY);
          if (k.kind === 'btf') {
            r.btfName = k.name;
            r.btfSize = k.size;
          } else r.memSize = k.size;
          this.setReg(insn.dst, r);
          return;
        }
        this.setReg(insn.dst, Reg.known((BigInt(hi >>> 0) << 32n) | BigInt(insn.imm >>> 0)));
        return;
      }
      case PseudoLd.MAP_FD:
      case PseudoLd.MAP_IDX: {
        const r = Reg.ptr(RegType.MAP_PTR);
        r.map = this.input.map(insn.imm);
        this.setReg(insn.dst, r);
        return;
      }
      case PseudoLd.MAP_VALUE:
      case PseudoLd.MAP_IDX_VALUE: {
        const map = this.input.map(insn.imm)!;
        // A BPF arena's direct value is a user address: a scalar until addr_space_cast.
        if (map.type === MapType.ARENA) {
          this.setReg(insn.dst, Reg.unknown());
          return;
        }
        if (hi >>> 0 >= map.valueSize) this.reject(`invalid access to map value pointer, value_size=${map.valueSize} off=${hi >>> 0}`, false, 22);
        const r = Reg.ptr(RegType.MAP_VALUE);
        r.map = map;
        r.off = hi;
        this.setReg(insn.dst, r);
        return;
      }
      case PseudoLd.FUNC: {
        const r = Reg.ptr(RegType.FUNC);
        r.subprog = this.pc + insn.imm + 1;
        this.setReg(insn.dst, r);
        return;
      }
      case PseudoLd.BTF_ID: {
        // A typed __ksym: kernel memory, read-only to the program.
        const r = Reg.ptr(RegType.BTF_ID, RegFlag.TRUSTED);
        r.btfName = 'ksym';
        this.setReg(insn.dst, r);
        return;
      }
      default:
        this.reject('invalid BPF_LD_IMM insn', false, 22);
    }
  }

  /** check_ld_abs: legacy packet loads, skb programs only, ctx in R6. */
  private checkLdAbs(insn: Insn): void {
    const t = this.input.progType;
    if (t !== ProgType.SOCKET_FILTER && t !== ProgType.SCHED_CLS && t !== ProgType.SCHED_ACT && t !== ProgType.CGROUP_SKB && t !== ProgType.LWT_IN && t !== ProgType.LWT_OUT && t !== ProgType.LWT_XMIT)
      this.reject('BPF_LD_[ABS|IND] instructions not allowed for this program type', false, 22);
    if (this.st.frames.some((f, i) => i > 0 && f.inCallback)) this.reject('cannot use BPF_LD_[ABS|IND] within callback', false, 22);
    // check_resource_leak: gen_ld_abs may end the program at run time, so the main function may
    // hold no lock and no reference there (a subprogram's failure only returns from it).
    if (this.st.lock) this.reject('BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region', false, 22);
    const held = this.st.frames.length === 1 ? this.st.refs.filter((r) => r.kind !== 'lock') : [];
    if (held.length) this.reject([...held.map((r) => `Unreleased reference id=${r.id} alloc_insn=${r.insn}`), 'BPF_LD_[ABS|IND] would lead to reference leak'].join('\n'), false, 22);
    if (this.st.rcuLock) this.reject('BPF_LD_[ABS|IND] cannot be used inside bpf_rcu_read_lock-ed region', false, 22);
    if (this.st.preemptLocks) this.reject('BPF_LD_[ABS|IND] cannot be used inside bpf_preempt_disable-ed region', false, 22);
    this.readReg(6);
    if ((insn.code & 0xe0) === Mode.IND) this.readReg(insn.src);
    if (this.regs[6]!.type !== RegType.CTX) this.reject('at the time of BPF_LD_ABS|IND R6 != pointer to skb', false, 22);
    for (let r = 1; r <= 5; r++) this.setReg(r, new Reg());
    const size = SIZES[insn.code & 0x18]!;
    this.setReg(0, Reg.scalar(size === 8 ? Scalar.unknown() : Scalar.fromLoad(size as 1 | 2 | 4, false)));
    // In a subprogram a failed load returns 0 from it (the hidden exit bpf_gen_ld_abs emits): the
    // load's success continues later, the failure returns to the caller now.
    if (this.st.frames.length > 1) {
      this.scratchRegs |= 1;
      this.pushBranch(this.st.clone(), this.pc + 1);
      this.setReg(0, Reg.known(0n));
      this.beforeFrameExit();
      this.nextPc = funcExit(this);
      this.doPrintState = true;
    }
  }

  /** atomic_ptr_type_ok: what no atomic may access (the context, a packet, the flow keys, a
   *  socket). An arena pointer is the JIT's question (bpf_jit_supports_insn); x86's takes these. */
  private static atomicPtrTypeOk(r: Reg): boolean {
    const t = r.type;
    return !(t === RegType.CTX || r.isPkt() || t === RegType.FLOW_KEYS || t === RegType.SOCKET || t === RegType.SOCK_COMMON || t === RegType.TCP_SOCK || t === RegType.XDP_SOCK);
  }

  /** check_atomic_load / check_atomic_store (Linux 6.15+): the pointer type is refused first (6.18
   *  looks at it before the register checks, "BPF_ATOMIC loads from R1 ctx is not allowed" even
   *  where the access itself would fail), then the access is a plain load (check_load_mem: dst
   *  marked as LDX marks it, B/H/W zero-extended) or store (check_store_reg: a pointer spills to
   *  the stack, leaks into a map unprivileged), except that it must be aligned whatever the
   *  program's flags say (strict_alignment_once) and a load keeps one pointer type per insn
   *  (save_aux_ptr_type without the LDX's trusted/untrusted BTF_ID leniency). */
  private checkAcqRel(insn: Insn, load: boolean): void {
    const ptr = load ? insn.src : insn.dst;
    if (ptr <= 10 && !Verifier.atomicPtrTypeOk(this.regs[ptr]!))
      this.reject(`BPF_ATOMIC ${load ? 'loads from' : 'stores into'} R${ptr} ${regTypeName(this.regs[ptr]!)} is not allowed`);
    const size = SIZES[insn.code & 0x18]!;
    if (load) {
      this.readReg(insn.src);
      this.writable(insn.dst);
      const base = this.regs[insn.src]!;
      checkMemAccess(this, insn.src, insn.off, size, 'read', undefined, insn.dst, { strictAlignment: true });
      this.saveAuxPtrType(base, false);
    } else {
      this.readReg(insn.src);
      this.readReg(insn.dst);
      checkMemAccess(this, insn.dst, insn.off, size, 'write', this.regs[insn.src], -1, { strictAlignment: true });
      this.saveAuxPtrType(this.regs[insn.dst]!, false);
    }
  }

  /** check_atomic. */
  private checkAtomic(insn: Insn): void {
    if (insn.imm === AtomicOp.LOAD_ACQ || insn.imm === AtomicOp.STORE_REL) return this.checkAcqRel(insn, insn.imm === AtomicOp.LOAD_ACQ);
    if (!ATOMIC_OPS.some((a) => a.imm === insn.imm)) this.reject(`BPF_ATOMIC uses invalid atomic opcode ${(insn.imm >>> 0).toString(16).padStart(2, '0')}`, false, 22);
    const form = formOf(insn);
    const size = SIZES[insn.code & 0x18]!;
    if (size !== 4 && size !== 8) this.reject('invalid atomic operand size', false, 22);
    this.readReg(insn.src);
    this.readReg(insn.dst);
    const cmpxchg = form?.op === 'cmpxchg';
    const fetch = form ? form.kind === 'atomic' && !form.op.endsWith('=') : false;
    if (cmpxchg) this.readReg(0);
    if (cmpxchg && this.regs[0]!.isPointer && !this.allowPtrLeaks) this.reject('R0 leaks addr into mem');
    if (this.regs[insn.src]!.isPointer && !this.allowPtrLeaks) this.reject(`R${insn.src} leaks addr into mem`);
    const d = this.regs[insn.dst]!;
    if (!Verifier.atomicPtrTypeOk(d))
      this.reject(`BPF_ATOMIC stores into R${insn.dst} ${regTypeName(d)} is not allowed`);
    const loadReg = cmpxchg ? 0 : fetch ? insn.src : -1;
    // A fetch loads the old value into its source register (check_reg_arg DST_OP): not into r10.
    if (loadReg >= 0) this.writable(loadReg);
    // check_atomic_rmw: a read, a second read that fills the fetch register as a load would (a
    // spilled pointer or a known scalar comes back as it was), then a write of an unknown value.
    checkMemAccess(this, insn.dst, insn.off, size, 'read', undefined, -1, { strictAlignment: true });
    if (loadReg >= 0) checkMemAccess(this, insn.dst, insn.off, size, 'read', undefined, loadReg, { strictAlignment: true });
    this.saveAuxPtrType(this.regs[insn.dst]!, false);
    checkMemAccess(this, insn.dst, insn.off, size, 'write', undefined, -1, { strictAlignment: true });
  }

  /** The initial state of the main program (R1 = ctx, R10 = fp). */
  static entryState(): VState {
    const st = new VState();
    const f = new Frame(0, -1, 0);
    f.regs[1] = Reg.ptr(RegType.CTX);
    f.regs[10] = Reg.ptr(RegType.STACK);
    st.frames.push(f);
    return st;
  }
}
