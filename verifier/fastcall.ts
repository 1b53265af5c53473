// The bpf_fastcall contract (kernel/bpf/verifier.c: mark_fastcall_patterns,
// check_fastcall_stack_contract, remove_fastcall_spills_fills). clang gives a call to a function
// with the bpf_fastcall attribute spills and fills of the live caller-saved registers it may not
// clobber (r0 when the function returns a value, r1..rN for its N arguments):
//
//   *(u64 *)(r10 - 16) = r1          <- pattern, lowest stack offsets of the function first
//   call bpf_get_smp_processor_id
//   r1 = *(u64 *)(r10 - 16)          <- pattern
//
// Where the call is one the kernel replaces by code that clobbers nothing else and whose prototype
// allows it (the x86-64 inlining of bpf_get_smp_processor_id in do_misc_fixups, for the program
// types whose prototype has allow_fastcall; the kfuncs bpf_cast_to_kern_ctx and bpf_rdonly_cast),
// the pairs are redundant: the kernel removes them from the xlated program
// and lowers the function's stack depth to the slots above them, unless some instruction outside
// every pattern touched those slots (then the whole function keeps its patterns). A pattern
// around a call the kernel does not inline (any other helper or kfunc with a prototype) is kept,
// and so is the function's stack depth, but its slots still count as pattern slots.
//
// Patterns are found before the search (they need no state); the search reports every stack
// access (mem.ts) to `fastcallStackAccess`; after it, `fastcallRemovals` says what goes.
import { helperAllowed, helperCapability } from '../helpers/table.js';
import { Cls, JmpOp, Mode, PseudoCall, Size, type Insn } from '../vm/isa.js';
import { ProgType } from '../vm/prog-types.js';
import { subprogOf, type Cfg } from './cfg.js';
import type { VerifyInput } from './env.js';

/** bpf_get_smp_processor_id: the helper the kernel inlines on x86-64 (a per-CPU load). */
export const GET_SMP_PROCESSOR_ID = 8;
/** The program types whose bpf_get_smp_processor_id prototype is bpf_get_smp_processor_id_proto,
 *  the one with allow_fastcall: tc, xdp and lwt (net/core/filter.c) and the tracing family
 *  (bpf_tracing_func_proto: kprobe, tracepoint, perf_event, raw_tp, tracing, lsm, syscall). The
 *  others get bpf_base_func_proto's bpf_get_raw_smp_processor_id_proto, without it: their
 *  patterns stay (the call is inlined all the same). */
const SMP_PROCESSOR_ID_FASTCALL_TYPES: ReadonlySet<number> = new Set([
  ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT, ProgType.LWT_SEG6LOCAL,
  ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE, ProgType.TRACING, ProgType.LSM, ProgType.SYSCALL,
]);
/** The kfuncs whose calls the kernel's fixup_kfunc_call replaces by `r0 = r1`. */
export const FASTCALL_KFUNCS: ReadonlySet<string> = new Set(['bpf_cast_to_kern_ctx', 'bpf_rdonly_cast']);

const STX_DW = Cls.STX | Mode.MEM | Size.DW;
const LDX_DW = Cls.LDX | Mode.MEM | Size.DW;
const CALL = Cls.JMP | JmpOp.CALL;
/** r0..r5 */
const ALL_CALLER_SAVED = 0x3f;
const S16_MIN = -0x8000;

export interface FastcallState {
  /** Per pc: a spill or fill of some pattern (insn_aux_data.fastcall_pattern). */
  readonly pattern: Uint8Array;
  /** Per call pc: how many spill/fill pairs go when the call is inlined (fastcall_spills_num). */
  readonly spills: Int16Array;
  /** Per function: where its pattern slots end (fastcall_stack_off); 0 when it has none. */
  readonly stackOff: number[];
  /** Per function: a pattern around a call that is not inlined (keep_fastcall_stack). */
  readonly keep: boolean[];
}

export interface FastcallCaps {
  bpfCapable: boolean;
  allowPtrLeaks: boolean;
}

/** The registers a call clobbers under the contract, and whether the kernel inlines it; undefined
 *  for a call without a prototype here (get_helper_proto / fetch_kfunc_meta fail: no pattern). */
function callContract(input: VerifyInput, x: Insn, caps: FastcallCaps): { clobbers: number; inlined: boolean } | undefined {
  if (x.src === PseudoCall.HELPER) {
    const h = input.helper(x.imm);
    if (!h) return undefined;
    const cap = helperCapability(h);
    if ((cap === 'CAP_BPF' && !caps.bpfCapable) || (cap === 'CAP_PERFMON' && !caps.allowPtrLeaks)) return undefined;
    if (!helperAllowed(h, input.progType, input.expectedAttachType ?? 0, input.structOps, input.iterTarget)) return undefined;
    // The kernel's bpf_trace_printk prototype declares two arguments (calls.ts reads the same).
    const nargs = x.imm === 6 ? 2 : h.proto.args.length;
    const clobbers = (h.proto.ret.type === 'RET_VOID' ? 0 : 1) | (((1 << nargs) - 1) << 1);
    // allow_fastcall and verifier_inlines_helper_call (x86-64 with the JIT, as on the host).
    return { clobbers, inlined: x.imm === GET_SMP_PROCESSOR_ID && SMP_PROCESSOR_ID_FASTCALL_TYPES.has(input.progType) };
  }
  if (x.src === PseudoCall.KFUNC) {
    const k = input.kfunc?.(x.imm);
    if (!k) return undefined;
    if (k.progTypes !== 'all' && !k.progTypes.includes(input.progType)) return undefined;
    const clobbers = (k.ret === 'void' ? 0 : 1) | (((1 << k.params.length) - 1) << 1);
    return { clobbers, inlined: FASTCALL_KFUNCS.has(k.name) };
  }
  return undefined;
}

/** mark_fastcall_patterns: every function's lowest 8-byte spill offset, then the patterns of its
 *  calls that start there. */
export function markFastcallPatterns(input: VerifyInput, cfg: Cfg, caps: FastcallCaps): FastcallState {
  const insns = input.insns;
  const n = insns.length;
  const st: FastcallState = { pattern: new Uint8Array(n), spills: new Int16Array(n), stackOff: cfg.subprogs.map(() => 0), keep: cfg.subprogs.map(() => false) };
  cfg.subprogs.forEach((start, s) => {
    const end = cfg.subprogs[s + 1] ?? n;
    let lowest = 0;
    for (let pc = start; pc < end; pc++) {
      const x = insns[pc]!;
      if (x.code === STX_DW && x.dst === 10 && !cfg.second[pc]) lowest = Math.min(lowest, x.off);
    }
    for (let pc = start; pc < end; pc++) {
      if (insns[pc]!.code === CALL && !cfg.second[pc]) markCall(input, cfg, caps, st, s, pc, lowest);
    }
  });
  return st;
}

/** mark_fastcall_pattern_for_call. */
function markCall(input: VerifyInput, cfg: Cfg, caps: FastcallCaps, st: FastcallState, s: number, pc: number, lowest: number): void {
  const insns = input.insns;
  const c = callContract(input, insns[pc]!, caps);
  if (!c || c.clobbers === ALL_CALLER_SAVED) return;
  let expected = ~c.clobbers & ALL_CALLER_SAVED;
  let i = 1;
  let off = lowest;
  // Pairs `*(u64 *)(r10 + off) = rX ... call ... rX = *(u64 *)(r10 + off)`, innermost first, at
  // consecutive offsets from the lowest up; a jump may land on the first spill only.
  for (; i <= 6; i++, off += 8) {
    if (pc - i < 0 || pc + i >= insns.length) break;
    if (cfg.jumpTarget[pc - i + 1] || cfg.jumpTarget[pc + i]) break;
    const stx = insns[pc - i]!;
    const ldx = insns[pc + i]!;
    if (stx.code !== STX_DW || ldx.code !== LDX_DW || stx.dst !== 10 || ldx.src !== 10) break;
    if (stx.src !== ldx.dst) break;
    if (((1 << stx.src) & expected) === 0) break;
    if (stx.off !== off || ldx.off !== off) break;
    expected &= ~(1 << stx.src);
    st.pattern[pc - i] = 1;
    st.pattern[pc + i] = 1;
  }
  if (i === 1) return;
  // A pattern around a call the kernel does not inline stays (forward compatibility with
  // functions clang knows as bpf_fastcall and this kernel does not).
  if (c.inlined) st.spills[pc] = i - 1;
  else st.keep[s] = true;
  // The kernel's min: the contract guards the slots of the function's *smallest* pattern only. A
  // larger pattern's upper slots may then be touched by other insns, and its spills there still
  // go: `*(r10-8) = r2; *(r10-16) = r1; call 8; r1 = *(r10-16); r2 = *(r10-8);
  // *(r10-16) = r1; call 8; r1 = *(r10-16); r0 = *(r10-8); exit` (sched_cls) is accepted, and
  // its rewrite returns the slot's old bytes (0) where the program as written returns r2. Kept as
  // the kernel has it (its verdicts and xlated listings are the reference); the run stays memory
  // safe (a rewritten program has no proven facts: every access keeps its run-time check).
  st.stackOff[s] = Math.min(st.stackOff[s]!, off);
}

/** check_fastcall_stack_contract: insn `pc` accesses the stack of the function starting at
 *  `funcStart` from offset `off` up. Below the pattern slots' end, only a pattern member may:
 *  anything else disables the function's patterns (once, for good). */
export function fastcallStackAccess(st: FastcallState, cfg: Cfg, funcStart: number, pc: number, off: number): void {
  const s = subprogOf(cfg, funcStart);
  if (st.stackOff[s]! <= off || st.pattern[pc]) return;
  st.stackOff[s] = S16_MIN;
  const end = cfg.subprogs[s + 1] ?? st.pattern.length;
  for (let i = cfg.subprogs[s]!; i < end; i++) {
    st.spills[i] = 0;
    st.pattern[i] = 0;
  }
}

/** remove_fastcall_spills_fills: the spill and fill pcs that go, and each function's stack depth
 *  after it (lowered to the pattern slots' end where a pattern went and none is kept). */
export function fastcallRemovals(st: FastcallState, cfg: Cfg, stackDepth: readonly number[]): { removed: number[]; stackDepth: number[] } {
  const removed: number[] = [];
  const depth = stackDepth.slice();
  cfg.subprogs.forEach((start, s) => {
    const end = cfg.subprogs[s + 1] ?? st.spills.length;
    let modified = false;
    for (let pc = start; pc < end; pc++) {
      const k = st.spills[pc]!;
      if (k <= 0) continue;
      for (let j = 1; j <= k; j++) removed.push(pc - j, pc + j);
      modified = true;
    }
    if (modified && !st.keep[s]) depth[s] = -st.stackOff[s]!;
  });
  return { removed: removed.sort((a, b) => a - b), stackDepth: depth };
}
