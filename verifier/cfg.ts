// Structure checks that need no abstract interpretation, in the kernel's order (bpf_check:
// add_subprog_and_kfunc, check_subprogs, check_cfg, compute_live_registers): encodings, subprogram
// boundaries, jumps inside their function, the last insn of each function, reachability, jumps into
// an LD_IMM64's second half. Also what the search needs from the graph: prune points (kernel
// mark_prune_point), forced checkpoints, and the registers live before each insn (6.18's
// compute_live_registers), which state pruning uses to ignore dead registers.
import { AluOp, Cls, JmpOp, LD_IMM64, Mode, PseudoCall, PseudoLd, type Insn } from '../vm/isa.js';
import { insnProblem } from '../vm/opcodes.js';
import { mapProgRefusal } from '../helpers/map-compat.js';
import { ProgType } from '../vm/prog-types.js';
import { KF, kfuncFlagBits } from '../helpers/kfuncs.js';
import { helperAllowed, helperCapability } from '../helpers/table.js';
import { MapType } from '../maps/types.js';
import { Reject } from './errors.js';
import { checkNoBackEdges, checkNoCalls } from './unpriv.js';
import type { VerifyInput } from './env.js';
import { timerOffset } from './timer.js';


export interface Cfg {
  /** Sorted first insns of the functions (0 first). */
  subprogs: number[];
  /** Per pc: 1 when the search may compare/save states here. */
  prune: Uint8Array;
  /** Per pc: always save a checkpoint here (callback-calling helpers). */
  force: Uint8Array;
  /** Per pc: bitmask of r0..r9 live before the insn. */
  liveIn: Uint16Array;
  /** Per pc: the insn is the second half of an LD_IMM64. */
  second: Uint8Array;
  /** Per pc: the loop (strongly connected component of the control flow graph) the insn belongs
   *  to, numbered as 6.18's compute_scc numbers them; 0 outside loops. */
  scc: Uint32Array;
  /** Per pc: a jump lands here or a call returns here (kernel jmp_point): each visit adds an
   *  entry to the path's insn history, and a history longer than 40 entries since the last
   *  checkpoint forces the next one (is_state_visited). */
  jmpPoint: Uint8Array;
  /** The successors of each insn (`successorTable`). */
  succ: Int32Array;
  /** Per pc: the target of a branch edge of check_cfg's search (a jump, a local call's or a
   *  function address's callee): the kernel's insn_aux_data.jump_target, which stops a bpf_fastcall
   *  pattern from growing past it (verifier/fastcall.ts). Not set for call return points. */
  jumpTarget: Uint8Array;
}

const isJmp = (code: number): boolean => (code & 7) === Cls.JMP || (code & 7) === Cls.JMP32;
/** may_goto (BPF_JMP | BPF_JCOND): a branch on no register. Its fields are checked when the search
 *  reaches it (`invalid may_goto off N imm N`), as the kernel's check_cond_jmp_op does. */
export const MAY_GOTO = Cls.JMP | JmpOp.JCOND;
/** Helpers that call a callback synchronously (bpf_loop, for_each_map_elem, find_vma,
 *  user_ringbuf_drain, rbtree add/find): their call insn is a forced checkpoint. */
const CALLBACK_HELPERS = new Set([164, 181, 180, 209, 213, 214]);
/** The RFC rbtree's open-coded iteration (next/prev): loops over the tree converge there, like
 *  mainline's iter_next kfuncs (forced checkpoint, widening, pruning against the loop's states). */
const ITER_HELPERS = new Set([222, 223]);

export function subprogOf(cfg: Cfg, pc: number): number {
  let lo = 0;
  for (let i = 0; i < cfg.subprogs.length; i++) if (cfg.subprogs[i]! <= pc) lo = i;
  return lo;
}

export function checkStructure(input: VerifyInput, log: (s: string) => void, level: number, bpfCapable = true): Cfg {
  const insns = input.insns;
  const n = insns.length;
  if (n === 0) throw new Reject('empty program', -1);
  if (!bpfCapable) checkNoCalls(insns);
  // LD_IMM64 second halves: check_subprogs walks them as plain insns (code 0, no jump), the
  // encodings are resolve_pseudo_ldimm64's, after the function checks below.
  const second = new Uint8Array(n + 1);
  for (let pc = 0; pc + 1 < n; pc++) if (insns[pc]!.code === LD_IMM64) second[++pc] = 1;
  // Subprograms: pc 0, every local-call target, every function address taken.
  const starts = new Set<number>([0]);
  // The exception callback is a function of its own, reached from nowhere (verifier/exceptions.ts).
  const exc = input.exceptionCallback;
  if (exc !== undefined && exc > 0 && exc < n) starts.add(exc);
  for (let pc = 0; pc < n; pc++) {
    if (second[pc]) continue;
    const x = insns[pc]!;
    const isLocalCall = x.code === (Cls.JMP | JmpOp.CALL) && x.src === PseudoCall.LOCAL;
    const isFuncAddr = x.code === LD_IMM64 && x.src === PseudoLd.FUNC;
    if (!isLocalCall && !isFuncAddr) continue;
    const t = pc + x.imm + 1;
    if (t < 0 || t >= n) throw new Reject('call to invalid destination', pc);
    starts.add(t);
  }
  const subprogs = [...starts].sort((a, b) => a - b);
  if (level >= 2) subprogs.forEach((s, i) => log(`func#${i} @${s}\n`));
  for (let i = 0; i < subprogs.length; i++) {
    const start = subprogs[i]!;
    const end = subprogs[i + 1] ?? n;
    for (let pc = start; pc < end; pc++) {
      const x = insns[pc]!;
      if (!second[pc] && isJmp(x.code)) {
        const op = x.code & 0xf0;
        if (op !== JmpOp.EXIT && op !== JmpOp.CALL) {
          const t = x.code === (Cls.JMP32 | JmpOp.JA) ? pc + x.imm + 1 : pc + x.off + 1;
          if (t < start || t >= end) throw new Reject(`jump out of range from insn ${pc} to ${t}`, pc);
        }
      }
      if (pc === end - 1) {
        // check_subprogs reads the insn as it is: an LD_IMM64's second half is code 0, and an
        // exit an LD_IMM64 swallowed is resolve_pseudo_ldimm64's to refuse
        const c = x.code;
        if (c !== (Cls.JMP | JmpOp.EXIT) && c !== (Cls.JMP | JmpOp.JA) && c !== (Cls.JMP32 | JmpOp.JA)) throw new Reject('last insn is not an exit or jmp', pc);
      }
    }
  }
  // check_btf_func: a subprogram with LD_ABS/LD_IND or a tail call must return an integer (their
  // failure paths return 0 from it).
  for (let i = 1; i < subprogs.length; i++) {
    const start = subprogs[i]!;
    if (input.subprogRetScalar?.get(start) !== false) continue;
    const end = subprogs[i + 1] ?? n;
    let ldAbs = false;
    let tailCall = false;
    for (let pc = start; pc < end; pc++) {
      const x = insns[pc]!;
      if (second[pc]) continue;
      const mode = x.code & 0xe0;
      if ((x.code & 7) === Cls.LD && (mode === Mode.ABS || mode === Mode.IND)) ldAbs = true;
      if (x.code === (Cls.JMP | JmpOp.CALL) && x.src === 0 && x.imm === 12) tailCall = true;
    }
    if (ldAbs) throw new Reject("LD_ABS is only allowed in functions that return 'int'.", start);
    if (tailCall) throw new Reject("tail_call is only allowed in functions that return 'int'.", start);
  }
  checkEncodings(input, bpfCapable);
  // Without CAP_BPF no loops: the kernel's own search finds the first back-edge.
  if (!bpfCapable) checkNoBackEdges(insns, input.sourceLine);
  // Reachability (check_cfg's depth-first search) with prune points.
  const prune = new Uint8Array(n + 1);
  const force = new Uint8Array(n + 1);
  const jmpPoint = new Uint8Array(n + 1);
  const jumpTarget = new Uint8Array(n + 1);
  const seen = new Uint8Array(n + 1);
  const work: number[] = [0];
  const visit = (from: number, to: number): void => {
    if (to < 0 || to >= n) throw new Reject(`jump out of range from insn ${from} to ${to}`, from);
    if (!seen[to]) {
      seen[to] = 1;
      work.push(to);
    }
  };
  seen[0] = 1;
  // check_cfg walks again from the exception callback, which is presumed called.
  if (exc !== undefined && starts.has(exc) && !seen[exc]) {
    seen[exc] = 1;
    work.unshift(exc);
  }
  while (work.length) {
    const pc = work.pop()!;
    const x = insns[pc]!;
    if (x.code === LD_IMM64) {
      if (x.src === PseudoLd.FUNC) {
        // visit_func_call_insn with visit_callee: the insn, the next one and (a BRANCH edge)
        // the callee's first insn are prune points.
        prune[pc] = 1;
        prune[pc + 2] = 1;
        prune[pc + x.imm + 1] = 1;
        jmpPoint[pc + 2] = 1;
        jmpPoint[pc + x.imm + 1] = 1;
        jumpTarget[pc + x.imm + 1] = 1;
        visit(pc, pc + x.imm + 1);
      }
      visit(pc, pc + 2);
      continue;
    }
    if (!isJmp(x.code)) {
      visit(pc, pc + 1);
      continue;
    }
    const op = x.code & 0xf0;
    if (op === JmpOp.EXIT) continue;
    if (op === JmpOp.CALL) {
      // bpf_rbtree_add_impl calls its less callback synchronously, like the helpers above.
      // An iterator's next kfunc is a forced checkpoint too (its loops converge there).
      const kf = x.src === PseudoCall.KFUNC ? input.kfunc?.(x.imm) : undefined;
      if ((x.src === PseudoCall.HELPER && (CALLBACK_HELPERS.has(x.imm) || ITER_HELPERS.has(x.imm))) || kf?.name === 'bpf_rbtree_add_impl' || (kf && kfuncFlagBits(kf) & KF.KF_ITER_NEXT)) {
        force[pc] = 1;
        prune[pc] = 1;
        // Only the callback-calling ones are jmp points (the kernel's iter_next is not).
        if (!(x.src === PseudoCall.HELPER && ITER_HELPERS.has(x.imm)) && !(kf && kfuncFlagBits(kf) & KF.KF_ITER_NEXT)) jmpPoint[pc] = 1;
      }
      // bpf_timer_set_callback pushes its async callback's path: a prune point keeps the same
      // state from pushing it twice (visit_insn's is_async_callback_calling_insn).
      if (x.src === PseudoCall.HELPER && x.imm === 170) prune[pc] = 1;
      prune[pc + 1] = 1;
      jmpPoint[pc + 1] = 1;
      if (x.src === PseudoCall.LOCAL && (x.code & 0x08) === 0) {
        // visit_func_call_insn with visit_callee: the call insn is a prune point, and the BRANCH
        // edge to the callee makes its first insn one (push_insn).
        prune[pc] = 1;
        prune[pc + x.imm + 1] = 1;
        jmpPoint[pc + x.imm + 1] = 1;
        jumpTarget[pc + x.imm + 1] = 1;
        visit(pc, pc + x.imm + 1);
      }
      visit(pc, pc + 1);
      continue;
    }
    if (op === JmpOp.JA) {
      const t = (x.code & 7) === Cls.JMP32 ? pc + x.imm + 1 : pc + x.off + 1;
      prune[t] = 1;
      jmpPoint[t] = 1;
      jumpTarget[t] = 1;
      visit(pc, t);
      continue;
    }
    // The jump and its target are prune points (visit_insn, push_insn's BRANCH edge); a may_goto
    // always checkpoints (mark_force_checkpoint), so its loop converges against the loop entry.
    prune[pc] = 1;
    if (x.code === MAY_GOTO) force[pc] = 1;
    prune[pc + x.off + 1] = 1;
    jmpPoint[pc + x.off + 1] = 1;
    jumpTarget[pc + x.off + 1] = 1;
    visit(pc, pc + 1);
    visit(pc, pc + x.off + 1);
  }
  for (let pc = 0; pc < n; pc++) {
    if (!seen[pc]) throw new Reject(`unreachable insn ${pc}`, pc);
    if (insns[pc]!.code === LD_IMM64) {
      if (seen[pc + 1]) throw new Reject(`jump into the middle of ldimm64 insn ${pc}`, pc);
      pc++;
    }
  }
  const succ = successorTable(insns);
  const liveIn = computeLiveness(input, second, succ, bpfCapable);
  const scc = computeScc(insns, succ);
  return { subprogs, prune, force, liveIn, second, scc, jmpPoint, jumpTarget, succ };
}

function legacyCallx(x: Insn): boolean {
  return x.code === (Cls.JMP | JmpOp.CALL | 0x08) && x.dst === 0 && x.src === 0 && x.off === 0 && x.imm > 0 && x.imm <= 10;
}

/** resolve_pseudo_ldimm64's walk (after check_subprogs and check_btf_func, before check_cfg):
 *  LDX reserved fields, LD_IMM64 encodings and their maps, opcodes outside the kernel's insn
 *  table. The other reserved-field checks are do_check's when it reaches the insn; they are
 *  made here, after these, for every insn. */
function checkEncodings(input: VerifyInput, bpfCapable: boolean): void {
  const insns = input.insns;
  const n = insns.length;
  let arenaId: number | undefined;
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    const mode = x.code & 0xe0;
    if ((x.code & 7) === Cls.LDX && ((mode !== Mode.MEM && mode !== Mode.MEMSX) || x.imm !== 0)) throw new Reject('BPF_LDX uses reserved fields', pc, 22);
    if (x.code === LD_IMM64) {
      const y = insns[pc + 1];
      if (!y || y.code !== 0 || y.dst || y.src || y.off) throw new Reject('invalid bpf_ld_imm64 insn', pc, 22);
      pc++;
      if (x.src === PseudoLd.IMM64 || x.src === PseudoLd.BTF_ID || x.src === PseudoLd.FUNC) continue;
      const valueLoad = x.src === PseudoLd.MAP_VALUE || x.src === PseudoLd.MAP_IDX_VALUE;
      if (!valueLoad && !((x.src === PseudoLd.MAP_FD || x.src === PseudoLd.MAP_IDX) && y.imm === 0)) throw new Reject('unrecognized bpf_ld_imm64 insn', pc - 1, 22);
      const map = input.map(x.imm);
      if (!map) throw new Reject(`fd ${x.imm} is not pointing to valid bpf_map`, pc - 1);
      // check_map_prog_compatibility, from the one table the loader also applies; an extension
      // is still of its own type here (resolve_pseudo_ldimm64 runs before check_attach_btf_id
      // records its target's)
      const progType = input.extension ? ProgType.EXT : input.progType;
      const refusal = mapProgRefusal({ type: map.type, hasSpinLock: map.spinLockOffset !== undefined, hasTimer: timerOffset(map) !== undefined, hasWq: map.record?.fields.some((f) => f.type === 'bpf_wq') ?? false }, { progType, expectedAttachType: input.extension ? 0 : (input.expectedAttachType ?? 0), sleepable: input.sleepable ?? false });
      if (refusal) throw new Reject(refusal, pc - 1, 22);
      if (valueLoad) {
        const off = y.imm >>> 0;
        if (off >= BPF_MAX_VAR_OFF) throw new Reject(`direct value offset of ${off} is not allowed`, pc - 1, 22);
        // array_map_direct_value_addr: the offset must be inside the value
        if (map.type === MapType.ARRAY && off >= map.valueSize) throw new Reject(`invalid access to map value pointer, value_size=${map.valueSize} off=${off}`, pc - 1, 22);
      }
      if (map.type === MapType.ARENA) {
        // One BPF arena per program (resolve_pseudo_ldimm64); it maps kernel and user memory
        // into the program: CAP_BPF and CAP_PERFMON only.
        if (arenaId !== undefined && arenaId !== map.id) throw new Reject('Only one arena per program', pc - 1, 16);
        if (!bpfCapable) throw new Reject('CAP_BPF and CAP_PERFMON are required to use arena', pc - 1, 1);
        arenaId = map.id;
      }
      continue;
    }
    if (!KERNEL_INSN_TABLE[x.code & 0xff]) throw new Reject(`unknown opcode ${(x.code & 0xff).toString(16).padStart(2, '0')}`, pc, 22);
  }
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    if (x.code === LD_IMM64) {
      // check_ld_imm
      if (x.off !== 0) throw new Reject('BPF_LD_IMM64 uses reserved fields', pc, 22);
      pc++;
      continue;
    }
    if (x.code === (Cls.ALU64 | AluOp.MOV | 0x08) && x.off === 1) {
      // addr_space_cast (check_alu_op): between address spaces 1 and 0 only, in a program with
      // a BPF arena.
      if (x.imm !== 1 && x.imm !== 1 << 16) throw new Reject('addr_space_cast insn can only convert between address space 1 and 0', pc, 22);
      if (arenaId === undefined) throw new Reject('addr_space_cast insn can only be used in a program that has an associated arena', pc, 22);
    }
    const problem = insnProblem(insns, pc);
    // A register past r10 is check_reg_arg's to refuse ("R15 is invalid") when the insn is reached.
    // An atomic's operation (imm) is check_atomic's to refuse when the insn is reached ("BPF_ATOMIC
    // uses invalid atomic opcode 101", "invalid atomic operand size" for a B/H read-modify-write).
    const atomicOp = (x.code & 0xe7) === (Cls.STX | Mode.ATOMIC) && problem?.reason.startsWith('invalid imm');
    if (problem && !atomicOp && !legacyCallx(x) && x.code !== MAY_GOTO && !/^invalid (destination|source) register/.test(problem.reason)) throw new Reject(reservedMessage(x), pc, 22);
  }
}

/** BPF_MAX_VAR_OFF: the largest offset a direct map value load may carry. */
const BPF_MAX_VAR_OFF = 1 << 29;

/** The kernel's bpf_opcode_in_insntable (kernel/bpf/core.c, 6.18): the opcodes the verifier knows
 *  at all; any other is "unknown opcode" before the search. */
const KERNEL_INSN_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  const on = (c: number) => (t[c] = 1);
  const aluOps = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0];
  for (const cls of [Cls.ALU, Cls.ALU64]) {
    for (const op of aluOps) for (const src of [0, 8]) on(cls | op | src);
    on(cls | 0x80); // NEG
  }
  on(Cls.ALU | 0xd0); // END TO_LE
  on(Cls.ALU | 0xd8); // END TO_BE
  on(Cls.ALU64 | 0xd0); // BSWAP
  const conds = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
  for (const cls of [Cls.JMP, Cls.JMP32]) {
    for (const op of conds) for (const src of [0, 8]) on(cls | op | src);
    on(cls | 0x00); // JA
  }
  on(Cls.JMP | 0x80); // CALL
  on(Cls.JMP | 0x90); // EXIT
  on(Cls.JMP | 0xe0); // JCOND (may_goto)
  const sizes = [0x00, 0x08, 0x10, 0x18];
  for (const sz of sizes) {
    on(Cls.STX | 0xc0 | sz); // ATOMIC (B and H: load-acquire / store-release)
    on(Cls.STX | Mode.MEM | sz);
    on(Cls.ST | Mode.MEM | sz);
    on(Cls.LDX | Mode.MEM | sz);
  }
  for (const sz of [0x00, 0x08, 0x10]) {
    on(Cls.LDX | Mode.MEMSX | sz);
    on(Cls.LD | 0x20 | sz); // ABS
    on(Cls.LD | 0x40 | sz); // IND
  }
  on(LD_IMM64);
  return t;
})();

/** The kernel's "uses reserved fields" message for the insn (check_alu_op, check_cond_jmp_op,
 *  do_check's per-class checks). */
function reservedMessage(x: Insn): string {
  const c = x.code & 7;
  const op = x.code & 0xf0;
  if (c === Cls.ALU || c === Cls.ALU64) {
    if (op === AluOp.NEG) return 'BPF_NEG uses reserved fields';
    if (op === AluOp.END) return 'BPF_END uses reserved fields';
    if (op === AluOp.MOV) return 'BPF_MOV uses reserved fields';
    return 'BPF_ALU uses reserved fields';
  }
  if (c === Cls.JMP || c === Cls.JMP32) {
    if (op === JmpOp.CALL) return 'BPF_CALL uses reserved fields';
    if (op === JmpOp.EXIT) return 'BPF_EXIT uses reserved fields';
    if (op === JmpOp.JA) return 'BPF_JA uses reserved fields';
    return 'BPF_JMP/JMP32 uses reserved fields';
  }
  if (c === Cls.LD) return (x.code & 0xe0) === Mode.IMM ? 'BPF_LD_IMM64 uses reserved fields' : 'BPF_LD_[ABS|IND] uses reserved fields';
  return `${['BPF_LD', 'BPF_LDX', 'BPF_ST', 'BPF_STX'][c]!} uses reserved fields`;
}

/** Registers read and written by one insn (bitmasks over r0..r9). */
export function useDef(input: VerifyInput, pc: number, bpfCapable = true): { use: number; def: number } {
  const x = input.insns[pc]!;
  const c = x.code & 7;
  const bit = (r: number): number => (r < 10 ? 1 << r : 0);
  switch (c) {
    case Cls.ALU:
    case Cls.ALU64: {
      const op = x.code & 0xf0;
      const src = (x.code & 0x08) !== 0 && op !== 0xd0 ? bit(x.src) : 0;
      if (op === 0xb0) return { use: src, def: bit(x.dst) };
      return { use: src | bit(x.dst), def: bit(x.dst) };
    }
    case Cls.LDX:
      return { use: bit(x.src), def: bit(x.dst) };
    case Cls.ST:
      return { use: bit(x.dst), def: 0 };
    case Cls.STX: {
      if ((x.code & 0xe0) !== 0xc0) return { use: bit(x.dst) | bit(x.src), def: 0 };
      if (x.imm === 0x100) return { use: bit(x.src), def: bit(x.dst) }; // load-acquire
      const fetch = (x.imm & 1) !== 0 || x.imm === 0xe1 || x.imm === 0xf1;
      if (x.imm === 0xf1) return { use: bit(x.dst) | bit(x.src) | 1, def: 1 };
      return { use: bit(x.dst) | bit(x.src), def: fetch ? bit(x.src) : 0 };
    }
    case Cls.LD: {
      if (x.code === LD_IMM64) return { use: 0, def: bit(x.dst) };
      // LD_ABS / LD_IND: compute_insn_live_regs keeps its defaults for them, every register
      // used and none defined (conservative: the insn reads r6 and clobbers r0-r5).
      return { use: 0x3ff, def: 0 };
    }
    default: {
      const op = x.code & 0xf0;
      if (op === JmpOp.EXIT) return { use: 1, def: 0 };
      if (op === JmpOp.JA || x.code === MAY_GOTO) return { use: 0, def: 0 };
      if (op === JmpOp.CALL) {
        if ((x.code & 0x08) !== 0) return { use: 0x3e | bit(x.dst), def: 0x3f };
        if (x.src === PseudoCall.HELPER) {
          // get_call_summary: a helper the program type (or the loader's capabilities) gives no
          // prototype is summarised as using r1-r5 (its refusal comes later, in do_check).
          const h0 = input.helper(x.imm);
          const cap = h0 && helperCapability(h0);
          const h = h0 && helperAllowed(h0, input.progType, input.expectedAttachType ?? 0, input.structOps, input.iterTarget) && (cap === undefined || bpfCapable) ? h0 : undefined;
          // bpf_trace_printk's kernel prototype declares fmt and its size only (the table lists
          // the three values too, which checkHelperCall skips the same way).
          const nargs = x.imm === 6 && h?.name === 'trace_printk' ? 2 : h ? h.proto.args.length : 5;
          return { use: ((1 << (nargs + 1)) - 1) & ~1, def: 0x3f };
        }
        if (x.src === PseudoCall.KFUNC) {
          // get_call_summary: a kfunc uses as many registers as its BTF prototype has parameters.
          // A kfunc not registered for the program type fails fetch_kfunc_meta: r1-r5 too.
          const k0 = input.kfunc?.(x.imm);
          const k = k0 && (k0.progTypes === 'all' || k0.progTypes.includes(input.progType)) ? k0 : undefined;
          const nargs = k ? k.params.length : 5;
          return { use: ((1 << (nargs + 1)) - 1) & ~1, def: 0x3f };
        }
        return { use: 0x3e, def: 0x3f };
      }
      return { use: bit(x.dst) | ((x.code & 0x08) !== 0 ? bit(x.src) : 0), def: 0 };
    }
  }
}

/** Backward dataflow per function: a call's successor is the next insn (callee-saved r6-r9 flow
 *  through it), exit uses r0. */
function computeLiveness(input: VerifyInput, second: Uint8Array, succ: Int32Array, bpfCapable: boolean): Uint16Array {
  const n = input.insns.length;
  const use = new Uint16Array(n);
  const def = new Uint16Array(n);
  for (let pc = 0; pc < n; pc++) {
    if (second[pc]) continue;
    const ud = useDef(input, pc, bpfCapable);
    use[pc] = ud.use;
    def[pc] = ud.def;
  }
  const live = new Uint16Array(n + 1);
  let changed = true;
  let rounds = 0;
  while (changed && rounds++ < 10000) {
    changed = false;
    for (let pc = n - 1; pc >= 0; pc--) {
      if (second[pc]) continue;
      const a = succ[2 * pc]!;
      const b = succ[2 * pc + 1]!;
      const out = (a >= 0 ? live[a]! : 0) | (b >= 0 ? live[b]! : 0);
      const v = (use[pc]! | (out & ~def[pc]!)) & 0x3ff;
      if (v !== live[pc]) {
        live[pc] = v;
        changed = true;
      }
    }
  }
  return live;
}

/** The kernel's insn_successors for every insn, two slots per pc (`2 * pc`, `2 * pc + 1`), -1
 *  where there is none: the fall-through first (+2 after an LD_IMM64), then a different jump
 *  target; exit has none, ja only its target, a call falls through (the callee is not a
 *  successor). Targets outside the program are left out. One flat table for the dataflow, the
 *  loop numbering and the stack liveness (verifier/liveness.ts), which each made a small array
 *  per insn (a third of a 1M-insn program's verification time went to collecting them). */
export function successorTable(insns: readonly Insn[]): Int32Array {
  const n = insns.length;
  const t = new Int32Array(2 * n).fill(-1);
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    let a = -1;
    let b = -1;
    if (!isJmp(x.code)) a = pc + (x.code === LD_IMM64 ? 2 : 1);
    else {
      const op = x.code & 0xf0;
      if (op === JmpOp.CALL) a = pc + 1;
      else if (op === JmpOp.JA) a = x.code === (Cls.JMP32 | JmpOp.JA) ? pc + x.imm + 1 : pc + x.off + 1;
      else if (op !== JmpOp.EXIT) {
        a = pc + 1;
        b = pc + x.off + 1;
        if (b === a) b = -1;
      }
    }
    if (a >= n || a < 0) a = -1;
    if (b >= n || b < 0) b = -1;
    if (a < 0) {
      a = b;
      b = -1;
    }
    t[2 * pc] = a;
    t[2 * pc + 1] = b;
  }
  return t;
}

/** The kernel's compute_scc (6.18): Tarjan's strongly connected components with Pearce's
 *  iterative low-link rule, roots tried in insn order, successors in insn_successors' order; a
 *  component gets the next number when it has two or more insns or a self edge. The numbers show
 *  in the level-2 liveness listing. A call to a callback-calling helper (bpf_loop) is no
 *  component of its own: upstream later counts it as an implicit loop, but the 6.18 hosts' logs
 *  label no such call, and their state counts (peak_states) hold no backedges for one. */
export function computeScc(insns: readonly Insn[], succ: Int32Array = successorTable(insns)): Uint32Array {
  const n = insns.length;
  const NOT_ON_STACK = 0xffffffff;
  const scc = new Uint32Array(n);
  const pre = new Uint32Array(n);
  const low = new Uint32Array(n);
  const stack = new Int32Array(n);
  const dfs = new Int32Array(n + 1);
  let nextPre = 1;
  let nextScc = 1;
  for (let i = 0; i < n; i++) {
    if (pre[i]) continue;
    let stackSz = 0;
    let dfsSz = 1;
    dfs[0] = i;
    outer: while (dfsSz) {
      const w = dfs[dfsSz - 1]!;
      if (pre[w] === 0) {
        low[w] = pre[w] = nextPre++;
        stack[stackSz++] = w;
      }
      for (let k = 0; k < 2; k++) {
        const t = succ[2 * w + k]!;
        if (t < 0) break;
        if (pre[t]) low[w] = Math.min(low[w]!, low[t]!);
        else {
          dfs[dfsSz++] = t;
          continue outer;
        }
      }
      if (low[w]! < pre[w]!) {
        dfsSz--;
        continue;
      }
      const assign = stack[stackSz - 1] !== w || succ[2 * w] === w || succ[2 * w + 1] === w;
      let t: number;
      do {
        t = stack[--stackSz]!;
        low[t] = NOT_ON_STACK;
        if (assign) scc[t] = nextScc;
      } while (t !== w);
      if (assign) nextScc++;
      dfsSz--;
    }
  }
  return scc;
}

/** 6.18's "Live regs before insn" listing (log level 2): the insn's loop number, if any, its
 *  index, the registers live before it. */
export function formatLiveness(cfg: Cfg, insns: readonly Insn[], text: (pc: number) => string): string {
  let out = 'Live regs before insn:\n';
  for (let pc = 0; pc < insns.length; pc++) {
    if (cfg.second[pc]) continue;
    let m = '';
    for (let r = 0; r < 10; r++) m += cfg.liveIn[pc]! & (1 << r) ? String(r) : '.';
    const loop = cfg.scc[pc] ? String(cfg.scc[pc]).padStart(3) + ' ' : '    ';
    out += `${loop}${String(pc).padStart(3)}: ${m} ${text(pc)}\n`;
  }
  return out;
}
