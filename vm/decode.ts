// Load-time validation and pre-decoding. `validate` refuses what no kernel would run: reserved
// opcodes and fields, broken LD_IMM64 pairs, jumps outside the program or into the middle of an
// LD_IMM64. `predecode` turns the instruction objects into parallel typed arrays so the
// interpreter's hot loop touches no per-instruction objects (rbpf/uBPF style).

import { DecodeError, describeValue } from '../src/errors.js';
import { AluOp, AtomicOp, Cls, JmpOp, LD_IMM64, MAX_BPF_STACK, Mode, PseudoCall, Src, type Insn } from './isa.js';
import type { Program } from './program.js';
import { formOf, insnProblem } from './opcodes.js';

/** Parallel arrays of one program. Slot `length` is a sentinel (opcode 0, which is invalid) so
 *  running off the end is caught by the dispatch switch's default arm. */
export interface Decoded {
  readonly length: number;
  readonly code: Uint8Array;
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly off: Int32Array;
  readonly imm: Int32Array;
  /** What the interpreter reads: four words per slot, [code | dst << 8 | src << 12, off, imm,
   *  imm >> 31 (the sign-extended upper half of a K operand)]. One array instead of five keeps
   *  the dispatch loop's loads together (bench/README.md). */
  readonly packed: Int32Array;
  /** The interpreter's cache of resolved LD_IMM64 pseudo values (map handles, direct value
   *  addresses, function handles): 3 words per slot [resolved, lo, hi], made on first use. */
  pseudo?: Int32Array;
  /** The instructions that fault whenever they run, and why: writes to r10 and stack accesses
   *  outside the frame (`staticFaults`); packed as opcode 0. */
  readonly faults: ReadonlyMap<number, string>;
}

/** The plain LDX / STX (same size and operands) that a load-acquire / store-release runs as, or
 *  `x` itself. A run is single-threaded, so acquire and release order nothing: the access, the
 *  zero-extension of a B/H/W load and the faults are the plain instruction's. Both engines run
 *  these through this one mapping (predecode, codegen's withPlainAccesses), so they agree. */
export function plainAccess(x: Insn): Insn {
  if ((x.code & 0xe7) !== (Cls.STX | Mode.ATOMIC)) return x;
  if (x.imm === AtomicOp.LOAD_ACQ) return { code: Cls.LDX | Mode.MEM | (x.code & 0x18), dst: x.dst, src: x.src, off: x.off, imm: 0 };
  if (x.imm === AtomicOp.STORE_REL) return { code: Cls.STX | Mode.MEM | (x.code & 0x18), dst: x.dst, src: x.src, off: x.off, imm: 0 };
  return x;
}

const plainCache = new WeakMap<readonly Insn[], readonly Insn[]>();
/** `insns` with every load-acquire / store-release as its plain access (`plainAccess`): the same
 *  array when it has none, so analyses cached per array (vm/compiler/ranges.ts) still hit. */
export function withPlainAccesses(insns: readonly Insn[]): readonly Insn[] {
  let r = plainCache.get(insns);
  if (r === undefined) {
    r = insns.some((x) => plainAccess(x) !== x) ? insns.map(plainAccess) : insns;
    plainCache.set(insns, r);
  }
  return r;
}

export function predecode(insns: readonly Insn[]): Decoded {
  const n = insns.length;
  const code = new Uint8Array(n + 1);
  const dst = new Uint8Array(n + 1);
  const src = new Uint8Array(n + 1);
  const off = new Int32Array(n + 1);
  const imm = new Int32Array(n + 1);
  const packed = new Int32Array((n + 1) * 4);
  const faults = staticFaults(insns);
  for (let i = 0; i < n; i++) {
    const x = insns[i]!;
    code[i] = x.code;
    dst[i] = x.dst;
    src[i] = x.src;
    off[i] = x.off;
    imm[i] = x.imm;
    // A write to r10 or an access outside the frame is packed as opcode 0 (never valid): it
    // faults when it runs, in the interpreter's default arm, so dead code may hold one as the
    // kernel allows.
    const op = faults.has(i) ? 0 : plainAccess(x).code & 0xff;
    packed[i * 4] = op | ((x.dst & 0xf) << 8) | ((x.src & 0xf) << 12);
    packed[i * 4 + 1] = x.off;
    packed[i * 4 + 2] = x.imm;
    packed[i * 4 + 3] = x.imm >> 31;
  }
  // `pseudo` is present (undefined) from the start: adding it later would give programs that use
  // LD_IMM64 pseudo values another hidden class, and the interpreter loop would deoptimise as
  // soon as it met both kinds (rbtree add+remove ran 2x slower after one empty run).
  return { length: n, code, dst, src, off, imm, packed, pseudo: undefined, faults };
}

const NO_FAULTS: ReadonlyMap<number, string> = new Map();

/** The instructions of a program that fault whenever they run, with the fault's reason; both
 *  engines read this one analysis (predecode, vm/compiler/codegen.ts), so they fault alike.
 *  - A write to r10, the read-only frame pointer (`writesFramePointer`).
 *  - A stack access outside the frame: through r10, or through a register set from r10 by moves
 *    and constant adds earlier in the same straight-line code, at a fixed offset not inside
 *    [r10 - 512, r10). Each frame is its own stack, as under the kernel's JIT (where a callee's
 *    r10 + 8 is its return address): the VM's frames are adjacent in one region, so without this
 *    a callee's r10 + 8 would be its caller's bottom slot. The kernel's verifier refuses such an
 *    access ('invalid write to stack R1 off=8 size=8'); this is the same check for an unverified
 *    run, and costs nothing at run time. What it cannot see, a pointer from r10 that went through
 *    memory, a call or a join of paths, is still checked against the live stack (this frame and
 *    its callers', which a callee legitimately reaches through a pointer its caller passed).
 *  An instruction is analysed only from the straight-line code before it (every jump, call and
 *  function target starts afresh), so a fault is only ever claimed where every path agrees. */
export function staticFaults(insns: readonly Insn[]): ReadonlyMap<number, string> {
  const n = insns.length;
  let out: Map<number, string> | undefined;
  const starts = new Uint8Array(n + 1);
  let anyFp = false;
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    if (x.dst === 10 || x.src === 10) anyFp = true;
    const c = x.code & 0x07;
    if (x.code === LD_IMM64) {
      if (x.src === 4) mark(starts, pc + x.imm + 1);
      pc++;
    } else if (c === Cls.JMP || c === Cls.JMP32) {
      const op = x.code & 0xf0;
      if (op === JmpOp.CALL) {
        if ((x.code & Src.X) === 0 && x.src === PseudoCall.LOCAL) mark(starts, pc + x.imm + 1);
      } else if (op !== JmpOp.EXIT) mark(starts, c === Cls.JMP32 && op === JmpOp.JA ? pc + x.imm + 1 : pc + x.off + 1);
    }
  }
  if (!anyFp) return NO_FAULTS;
  // fp[r]: r holds r10 + fp[r] here (NaN: unknown)
  const fp = new Float64Array(11).fill(NaN);
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    if (starts[pc] === 1) fp.fill(NaN);
    fp[10] = 0;
    const why = writesFramePointer(x) ? 'r10 is read-only' : frameAccessProblem(plainAccess(x), fp);
    if (why !== undefined) (out ??= new Map()).set(pc, why);
    // what the instruction does to the registers tracked
    const c = x.code & 0x07;
    const d = x.dst;
    if (x.code === LD_IMM64) {
      if (d < 11) fp[d] = NaN;
      pc++;
    } else if (x.code === (Cls.ALU64 | AluOp.MOV | Src.X) && x.off === 0 && d < 11 && x.src < 11) fp[d] = fp[x.src]!;
    else if ((x.code === (Cls.ALU64 | AluOp.ADD) || x.code === (Cls.ALU64 | AluOp.SUB)) && x.off === 0 && d < 11) fp[d] = fp[d]! + (x.code === (Cls.ALU64 | AluOp.ADD) ? x.imm | 0 : -(x.imm | 0));
    else if (c === Cls.ALU || c === Cls.ALU64 || c === Cls.LDX) {
      if (d < 11) fp[d] = NaN;
    } else if (c === Cls.STX && (x.code & 0xe0) === Mode.ATOMIC) {
      // fetching atomics write src (cmpxchg r0), a load-acquire dst
      if (d < 11) fp[d] = NaN;
      if (x.src < 11) fp[x.src] = NaN;
      fp[0] = NaN;
    } else if (c === Cls.JMP || c === Cls.JMP32) {
      const op = x.code & 0xf0;
      // a call clobbers r0-r5 (r6-r9 come back as they were); after an exit or a jump, straight
      // -line code ends
      if (op === JmpOp.CALL) fp.fill(NaN, 0, 6);
      else if (op === JmpOp.EXIT || op === JmpOp.JA) fp.fill(NaN);
    } else if (c === Cls.LD) fp.fill(NaN, 0, 6); // LD_ABS / LD_IND: r0 and r1-r5 clobbered
  }
  return out ?? NO_FAULTS;
}

function mark(starts: Uint8Array, t: number): void {
  if (t >= 0 && t < starts.length) starts[t] = 1;
}

/** Why a load or store at a fixed offset from the frame pointer leaves its frame, in the kernel's
 *  words (check_stack_access_within_bounds), or undefined. */
function frameAccessProblem(x: Insn, fp: Float64Array): string | undefined {
  const c = x.code & 0x07;
  const mode = x.code & 0xe0;
  let base: number;
  let what: string;
  if (c === Cls.LDX && (mode === Mode.MEM || mode === Mode.MEMSX)) {
    base = x.src;
    what = 'read from';
  } else if ((c === Cls.ST || c === Cls.STX) && mode === Mode.MEM) {
    base = x.dst;
    what = 'write to';
  } else if (c === Cls.STX && mode === Mode.ATOMIC) {
    // the kernel checks an atomic's read first
    base = x.dst;
    what = 'read from';
  } else return undefined;
  if (base > 10) return undefined;
  const delta = fp[base]!;
  if (Number.isNaN(delta)) return undefined;
  const size = [4, 2, 1, 8][(x.code >> 3) & 3]!;
  const off = delta + x.off;
  if (off >= -MAX_BPF_STACK && off + size <= 0) return undefined;
  return `invalid ${what} stack R${base} off=${off} size=${size}: outside this frame (r10 - ${MAX_BPF_STACK} to r10); each call has its own frame (the kernel's verifier refuses this access; this run is unverified)`;
}

/** Throw DecodeError (with the instruction index) for the first malformed instruction. Which
 *  encodings are valid is vm/opcodes.ts's table (`insnError`); this adds what needs the whole
 *  program or is a rule of the machine rather than of the encoding: jump, call and function
 *  targets inside the program and not into an LD_IMM64's second slot, and the pre-LLVM-19 callx
 *  encoding (register in imm) that older assemblers emit. A write to r10 is not refused here: the
 *  kernel's verifier only looks at reachable code (dead code may hold one), so it faults when run
 *  (`writesFramePointer`) and the verifier refuses it where it is reachable. `maxReg` is 11 for
 *  the verifier's rewrite of a program (Program.xlated), which may use r11 (the kernel's AX). */
export function validate(insns: readonly Insn[], maxReg = 10): void {
  if (!Array.isArray(insns)) throw new DecodeError(`not a program: insns is ${describeValue(insns)}, not an array of instructions`);
  const n = insns.length;
  if (n === 0) throw new DecodeError('empty program');
  // Programs built in JavaScript (not decoded from bytes) can hold anything in these fields: only
  // what the 8-byte encoding can carry is an instruction. Both engines rely on it (typed-array
  // stores would wrap other numbers, and the compiling tier writes the fields into its source).
  for (let pc = 0; pc < n; pc++) {
    const x = insns[pc]!;
    const bad = fieldProblem(x);
    if (bad !== undefined) throw new DecodeError(`invalid instruction: ${bad}`, pc);
  }
  // Second halves of LD_IMM64 are not instructions: jumps may not land there.
  const isSecondHalf = new Uint8Array(n);
  for (let pc = 0; pc < n; pc++) {
    if (insns[pc]!.code === LD_IMM64) {
      if (pc + 1 >= n) throw new DecodeError('incomplete lddw: LD_IMM64 is the last instruction', pc);
      const second = insns[pc + 1]!;
      if (second.code !== 0 || second.dst !== 0 || second.src !== 0 || second.off !== 0) {
        throw new DecodeError('invalid lddw: second slot must have opcode, registers and offset 0', pc);
      }
      isSecondHalf[pc + 1] = 1;
      pc++;
    }
  }
  const target = (pc: number, t: number, what: string): void => {
    if (t < 0 || t >= n) throw new DecodeError(`${what} target ${t} out of range [0, ${n})`, pc);
    if (isSecondHalf[t]) throw new DecodeError(`${what} target ${t} is the middle of an lddw`, pc);
  };
  for (let pc = 0; pc < n; pc++) {
    if (isSecondHalf[pc]) continue;
    const x = insns[pc]!;
    const problem = legacyCallx(x) ? undefined : insnProblem(insns, pc, maxReg);
    const reason = problem && (problem.detail ?? problem.reason);
    if (reason) throw new DecodeError(`${reason} (opcode 0x${x.code.toString(16).padStart(2, '0')})`, pc);
    const c = x.code & 0x07;
    if (c === Cls.JMP || c === Cls.JMP32) {
      const op = x.code & 0xf0;
      if (op === JmpOp.CALL) {
        if (c === Cls.JMP && (x.code & Src.X) === 0 && x.src === PseudoCall.LOCAL) target(pc, pc + x.imm + 1, 'call');
      } else if (op !== JmpOp.EXIT) {
        const t = c === Cls.JMP32 && op === JmpOp.JA ? pc + x.imm + 1 : pc + x.off + 1;
        target(pc, t, 'jump');
      }
    } else if (x.code === LD_IMM64 && x.src === 4) {
      target(pc, pc + x.imm + 1, 'function');
    }
  }
}

/** A Program from a JavaScript caller is at least an object with an instructions array (the
 *  rest is checked where it is read: validate, the program-type table). */
export function checkProgram(prog: Program): void {
  if (typeof prog !== 'object' || prog === null) throw new DecodeError(`not a program: ${describeValue(prog)}`);
  if (!Array.isArray(prog.insns)) throw new DecodeError(`program ${String(prog.name)}: insns is ${describeValue(prog.insns)}, not an array of instructions`);
}

/** Why an instruction object's fields do not fit the encoding, or undefined. imm may also be given
 *  as its unsigned 32-bit value (the same bits). */
function fieldProblem(x: Insn): string | undefined {
  if (typeof x !== 'object' || x === null) return `not an instruction object (${String(x)})`;
  const range = (name: keyof Insn, lo: number, hi: number): string | undefined => {
    const v: unknown = x[name];
    return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? undefined : `${name} ${typeof v === 'string' ? JSON.stringify(v) : String(v)} is not an integer in [${lo}, ${hi}]`;
  };
  return range('code', 0, 0xff) ?? range('dst', 0, 15) ?? range('src', 0, 15) ?? range('off', -0x8000, 0x7fff) ?? range('imm', -0x80000000, 0xffffffff);
}

/** callx with the register in imm and dst 0 (what assemblers before LLVM 19 emit); the table
 *  keeps only the RFC encoding (register in dst, imm 0). The interpreter reads either. */
function legacyCallx(x: Insn): boolean {
  return x.code === (Cls.JMP | JmpOp.CALL | Src.X) && x.dst === 0 && x.src === 0 && x.off === 0 && x.imm > 0 && x.imm <= 10;
}

/** r10 is the read-only frame pointer: true for an instruction that would write it. */
export function writesFramePointer(x: Insn): boolean {
  if (x.dst !== 10) return false;
  const kind = formOf(x)?.kind;
  return kind === 'alu' || kind === 'neg' || kind === 'movsx' || kind === 'end' || kind === 'ldimm64' || kind === 'ldx' || kind === 'ldxsx' || kind === 'ldacq';
}
