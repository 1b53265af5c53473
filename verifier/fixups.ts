// The rewrites the kernel's verifier makes to an accepted program before it runs (do_misc_fixups
// in kernel/bpf/verifier.c), as far as ebpfvm runs them: the program these give is the "xlated"
// program (`bpftool prog dump xlated`, test_loader's `__xlated`), and it is what a verified run
// executes (src/verify.ts). Implemented: the division and modulo guards, which make the
// exceptions of div/mod by a register (divide by zero, LLONG_MIN / -1) and of sdiv/smod by the
// constant -1 impossible by testing the divisor first, with the hidden scratch register r11
// (BPF_REG_AX) where the kernel uses it. The VM gives the same results without them (the ISA
// defines every quotient), so running the guarded program changes no verdict or value; what it
// changes is the pcs, as in the kernel. For an unprivileged program, each bpf_tail_call site gets
// the kernel's index bound check and mask (Spectre v1): an index above 32 bits then skips the call
// where the helper alone would have used its low half (verifier_runtime_jit's @unpriv retval).
// bpf_get_smp_processor_id is inlined as on x86-64 (a load from the per-CPU area, which the VM
// keeps in its arena, vm/isa.ts), and the bpf_fastcall spills and fills the
// verifier found redundant (verifier/fastcall.ts) are removed. A bpf_loop call with zero flags and
// one callback becomes the kernel's inlined loop (optimize_bpf_loop). The kfuncs bpf_cast_to_kern_ctx and
// bpf_rdonly_cast stay calls: the kernel makes them `r0 = r1`, but ebpfvm's do not always return
// their argument (an xdp context's xdp_buff, a socket's kernel struct live elsewhere). ebpfvm's
// calls clobber no argument register, so the spills and fills around them can go all the same.
//
// Jump, call and function offsets are moved as bpf_patch_insn_data moves them: a branch to a
// patched instruction lands on the first instruction of its patch.
import { ADDR_PERCPU, AluOp, BPF_MAX_LOOPS, Cls, JmpOp, LD_IMM64, Mode, PCPU_CPU_NUMBER_OFF, PseudoCall, PseudoLd, Size, Src, type Insn } from '../vm/isa.js';
import { GET_SMP_PROCESSOR_ID } from './fastcall.js';
import type { VerifyResult } from './env.js';
import type { Program } from '../vm/program.js';

/** The kernel's BPF_REG_AX: a scratch register only rewrites use (the VM has room for it). */
export const REG_AX = 11;

const alu = (is64: boolean, op: number, src: number, dst: number, srcReg: number, off: number, imm: number): Insn => ({
  code: (is64 ? Cls.ALU64 : Cls.ALU) | op | src,
  dst,
  src: srcReg,
  off,
  imm,
});
const jmp = (is64: boolean, op: number, dst: number, off: number, imm: number): Insn => ({ code: (is64 ? Cls.JMP : Cls.JMP32) | op | Src.K, dst, src: 0, off, imm });
const ja = (off: number): Insn => ({ code: Cls.JMP | JmpOp.JA, dst: 0, src: 0, off, imm: 0 });
const mov32Reg = (r: number): Insn => ({ code: Cls.ALU | AluOp.MOV | Src.X, dst: r, src: r, off: 0, imm: 0 });
const mov32From = (d: number, s: number): Insn => ({ code: Cls.ALU | AluOp.MOV | Src.X, dst: d, src: s, off: 0, imm: 0 });
const mov32Imm = (r: number, imm: number): Insn => ({ code: Cls.ALU | AluOp.MOV | Src.K, dst: r, src: 0, off: 0, imm });
const neg = (is64: boolean, r: number): Insn => alu(is64, AluOp.NEG, Src.K, r, 0, 0, 0);

/** The patch replacing `x` (at an instruction start), or undefined when the kernel leaves it. */
function patchFor(x: Insn): Insn[] | undefined {
  const c = x.code & 0x07;
  if (c !== Cls.ALU && c !== Cls.ALU64) return undefined;
  const op = x.code & 0xf0;
  if (op !== AluOp.DIV && op !== AluOp.MOD) return undefined;
  const is64 = c === Cls.ALU64;
  const isDiv = op === AluOp.DIV;
  const signed = x.off === 1;
  const d = x.dst;
  if ((x.code & Src.X) === 0) {
    // sdiv/smod by -1: x / -1 is -x (LLONG_MIN / -1 overflows to LLONG_MIN), x % -1 is 0.
    if (!signed || x.imm !== -1) return undefined;
    return [isDiv ? neg(is64, d) : mov32Imm(d, 0)];
  }
  const s = x.src;
  const orig = { ...x };
  if (!signed) {
    // x / 0 is 0; x % 0 is x (for 32 bits, zero-extended).
    if (isDiv) return [jmp(is64, JmpOp.JNE, s, 2, 0), alu(false, AluOp.XOR, Src.X, d, d, 0, 0), ja(1), orig];
    const p = [jmp(is64, JmpOp.JEQ, s, 1 + (is64 ? 0 : 1), 0), orig, ja(1), mov32Reg(d)];
    return is64 ? p.slice(0, 2) : p;
  }
  // AX = src + 1: AX > 1 is the ordinary case; AX == 0 is a divisor of -1; AX == 1 of 0.
  const ax = [{ code: Cls.ALU64 | AluOp.MOV | Src.X, dst: REG_AX, src: s, off: 0, imm: 0 }, alu(is64, AluOp.ADD, Src.K, REG_AX, 0, 0, 1)];
  if (isDiv) {
    // x s/ 0 is 0; x s/ -1 is -x.
    return [...ax, jmp(is64, JmpOp.JGT, REG_AX, 4, 1), jmp(is64, JmpOp.JEQ, REG_AX, 1, 0), alu(is64, AluOp.MOV, Src.K, d, 0, 0, 0), neg(is64, d), ja(1), orig];
  }
  // x s% 0 is x (zero-extended for 32 bits); x s% -1 is 0.
  const p = [...ax, jmp(is64, JmpOp.JGT, REG_AX, 3, 1), jmp(is64, JmpOp.JEQ, REG_AX, 3 + (is64 ? 0 : 1), 1), mov32Imm(d, 0), ja(1), orig, ja(1), mov32Reg(d)];
  return is64 ? p.slice(0, -2) : p;
}

/** Is this slot a branch whose offset (or imm) names a target pc? Which field holds it. */
function branchField(x: Insn): 'off' | 'imm' | undefined {
  const c = x.code & 0x07;
  if (x.code === LD_IMM64) return x.src === PseudoLd.FUNC ? 'imm' : undefined;
  if (c !== Cls.JMP && c !== Cls.JMP32) return undefined;
  const op = x.code & 0xf0;
  if (op === JmpOp.EXIT) return undefined;
  if (op === JmpOp.CALL) return c === Cls.JMP && (x.code & Src.X) === 0 && x.src === PseudoCall.LOCAL ? 'imm' : undefined;
  return c === Cls.JMP32 && op === JmpOp.JA ? 'imm' : 'off';
}

export interface Xlated {
  insns: Insn[];
  /** New pc of each old pc (and of the end, `insns.length`): where its patch starts. */
  pcMap: Int32Array;
}

/** What the verifier found that the rewrite depends on (VerifyResult's fields of the same names). */
export interface FixupFacts {
  /** Unprivileged tail call sites and their prog array's max_entries. */
  tailCallBounds?: readonly { pc: number; maxEntries: number }[];
  /** ALU64 insns on BPF arena pointers (needs_zext): they run as 32-bit ALU insns. */
  arenaAlu32?: readonly number[];
  /** The program's BPF arena has BPF_F_NO_USER_CONV: addr_space_cast to the user view becomes
   *  a 32-bit move too (do_misc_fixups). */
  arenaNoUserConv?: boolean;
  /** bpf_fastcall spills and fills to remove (VerifyResult.fastcallRemoved). */
  fastcallRemoved?: readonly number[];
  /** bpf_loop calls to inline (VerifyResult.inlinedLoops). */
  inlinedLoops?: readonly { pc: number; callback: number; stackBase: number }[];
}

/** The facts of a verdict the rewrite needs (everything but the program's own arena flags). */
export function fixupFacts(r: Pick<VerifyResult, 'tailCallBounds' | 'arenaAlu32' | 'fastcallRemoved' | 'inlinedLoops'>): FixupFacts {
  const f: FixupFacts = {};
  if (r.tailCallBounds) f.tailCallBounds = r.tailCallBounds;
  if (r.arenaAlu32) f.arenaAlu32 = r.arenaAlu32;
  if (r.fastcallRemoved) f.fastcallRemoved = r.fastcallRemoved;
  if (r.inlinedLoops) f.inlinedLoops = r.inlinedLoops;
  return f;
}

/** do_misc_fixups' x86-64 bpf_get_smp_processor_id: the CPU number read from this CPU's per-CPU
 *  area (`w0 = &pcpu_hot.cpu_number; r0 = &(void __percpu *)(r0); r0 = *(u32 *)(r0 + 0)`). r0
 *  only is written, which is what lets bpf_fastcall spills and fills around the call go. */
const SMP_PROCESSOR_ID_PATCH: readonly Insn[] = [
  mov32Imm(0, PCPU_CPU_NUMBER_OFF),
  { code: Cls.ALU64 | AluOp.MOV | Src.X, dst: 0, src: 0, off: ADDR_PERCPU, imm: 0 },
  { code: Cls.LDX | Mode.MEM | Size.W, dst: 0, src: 0, off: 0, imm: 0 },
];


/** An unprivileged bpf_tail_call (do_misc_fixups): the index is bounded with a 64-bit compare and
 *  masked with the array's index_mask (max_entries rounded up to a power of two, minus one)
 *  before the call, against out-of-bounds speculation; an index that only its low 32 bits would
 *  put in range (which the helper uses) skips the call. */
function tailCallPatch(call: Insn, maxEntries: number): Insn[] {
  let mask = 1;
  while (mask < maxEntries) mask *= 2;
  return [jmp(true, JmpOp.JGE, 3, 2, maxEntries), alu(false, AluOp.AND, Src.K, 3, 0, 0, mask - 1), { ...call }];
}

const reg64 = (op: number, d: number, sr: number): Insn => ({ code: Cls.ALU64 | op | Src.X, dst: d, src: sr, off: 0, imm: 0 });
const stxDw = (sr: number, off: number): Insn => ({ code: Cls.STX | Mode.MEM | Size.DW, dst: 10, src: sr, off, imm: 0 });
const ldxDw = (d: number, off: number): Insn => ({ code: Cls.LDX | Mode.MEM | Size.DW, dst: d, src: 10, off, imm: 0 });
/** Where the callback call sits in LOOP_PATCH's output (its imm is set once the pcs are known). */
const LOOP_CALL_AT = 12;

/** inline_bpf_loop: bpf_loop(nr, callback, ctx, 0) as a loop calling the callback directly, with
 *  the count, the index and ctx in r6-r8 (saved in the three slots at `stackBase` and restored).
 *  The kernel's, with its differences from the helper: a count above BPF_MAX_LOOPS is tested on
 *  all 64 bits and gives -E2BIG zero-extended (`w0 = -7`). */
function loopPatch(stackBase: number): Insn[] {
  return [
    jmp(true, JmpOp.JLE, 1, 2, BPF_MAX_LOOPS),
    mov32Imm(0, -7),
    ja(16),
    stxDw(6, stackBase),
    stxDw(7, stackBase + 8),
    stxDw(8, stackBase + 16),
    reg64(AluOp.MOV, 6, 1),
    mov32Imm(7, 0),
    reg64(AluOp.MOV, 8, 3),
    { code: Cls.JMP | JmpOp.JGE | Src.X, dst: 7, src: 6, off: 5, imm: 0 },
    reg64(AluOp.MOV, 1, 7),
    reg64(AluOp.MOV, 2, 8),
    { code: Cls.JMP | JmpOp.CALL, dst: 0, src: PseudoCall.LOCAL, off: 0, imm: 0 },
    alu(true, AluOp.ADD, Src.K, 7, 0, 0, 1),
    jmp(true, JmpOp.JEQ, 0, -6, 0),
    reg64(AluOp.MOV, 0, 7),
    ldxDw(6, stackBase),
    ldxDw(7, stackBase + 8),
    ldxDw(8, stackBase + 16),
  ];
}

/** The fixed-up instructions of a linked program, or undefined when nothing is rewritten. */
export function fixupInsns(insns: readonly Insn[], facts: FixupFacts = {}): Xlated | undefined {
  const n = insns.length;
  const patches = new Map<number, Insn[]>();
  // The kernel turns them into NOPs, which opt_remove_nops drops: a privileged program's only, but
  // no program type with a bpf_fastcall helper or kfunc loads without CAP_BPF.
  for (const pc of facts.fastcallRemoved ?? []) if (pc < n) patches.set(pc, []);
  const loopCallbacks = new Map<number, number>();
  for (const l of facts.inlinedLoops ?? []) {
    if (l.pc >= n || l.callback >= n) continue;
    patches.set(l.pc, loopPatch(l.stackBase));
    loopCallbacks.set(l.pc, l.callback);
  }
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    if (x.code === LD_IMM64) pc++;
    else if (x.code === (Cls.JMP | JmpOp.CALL) && x.src === PseudoCall.HELPER && x.imm === GET_SMP_PROCESSOR_ID) patches.set(pc, SMP_PROCESSOR_ID_PATCH.map((i) => ({ ...i })));
  }
  for (const t of facts.tailCallBounds ?? []) if (t.pc < n) patches.set(t.pc, tailCallPatch(insns[t.pc]!, t.maxEntries));
  // PTR_TO_ARENA is 32-bit: a 64-bit operation on one becomes the 32-bit operation.
  for (const pc of facts.arenaAlu32 ?? []) if (pc < n) patches.set(pc, [{ ...insns[pc]!, code: (insns[pc]!.code & ~7) | Cls.ALU }]);
  if (facts.arenaNoUserConv) {
    for (let pc = 0; pc < n; pc++) {
      const x = insns[pc]!;
      if (x.code === (Cls.ALU64 | AluOp.MOV | Src.X) && x.off === 1) patches.set(pc, [mov32From(x.dst, x.src)]);
    }
  }
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    if (x.code === LD_IMM64) {
      pc++;
      continue;
    }
    const p = patches.has(pc) ? undefined : patchFor(x);
    if (p) patches.set(pc, p);
  }
  if (patches.size === 0) return undefined;
  const pcMap = new Int32Array(n + 1);
  let np = 0;
  for (let pc = 0; pc < n; pc++) {
    pcMap[pc] = np;
    np += patches.get(pc)?.length ?? 1;
  }
  pcMap[n] = np;
  const out: Insn[] = [];
  for (let pc = 0; pc < n; pc++) {
    const p = patches.get(pc);
    if (p) {
      const cb = loopCallbacks.get(pc);
      if (cb !== undefined) p[LOOP_CALL_AT]!.imm = pcMap[cb]! - (pcMap[pc]! + LOOP_CALL_AT) - 1;
      out.push(...p);
      continue;
    }
    const x = { ...insns[pc]! };
    const field = branchField(x);
    if (field !== undefined) {
      const target = pc + 1 + x[field];
      // Out-of-range targets are the decoder's to refuse; leave them as they were.
      if (target >= 0 && target <= n) x[field] = pcMap[target]! - pcMap[pc]! - 1;
    }
    out.push(x);
  }
  return { insns: out, pcMap };
}

/** The program a verified run executes: `prog` with the fixups applied and every pc-keyed fact
 *  (line info, function starts, CO-RE poison sites, refused helper calls, kfunc names, the exception callback) moved to
 *  the new pcs; `prog` itself when nothing is rewritten. */
export function xlateProgram(prog: Program, facts: FixupFacts = {}): Program {
  const x = fixupInsns(prog.insns, facts);
  if (!x) return prog;
  const at = (pc: number): number => (pc >= 0 && pc < x.pcMap.length ? x.pcMap[pc]! : pc);
  const remap = <V>(m: ReadonlyMap<number, V>): Map<number, V> => new Map([...m].map(([pc, v]) => [at(pc), v]));
  const out: Program = { ...prog, insns: x.insns, xlated: true };
  if (prog.lineInfo) out.lineInfo = prog.lineInfo.map((l) => ({ ...l, pc: at(l.pc) }));
  if (prog.funcs) out.funcs = prog.funcs.map((f) => ({ ...f, pc: at(f.pc) }));
  if (prog.coreFailures) out.coreFailures = remap(prog.coreFailures);
  if (prog.refusedCalls) out.refusedCalls = remap(prog.refusedCalls);
  if (prog.kfuncNames) out.kfuncNames = remap(prog.kfuncNames);
  if (prog.exceptionCallback !== undefined) out.exceptionCallback = at(prog.exceptionCallback);
  return out;
}
