// Load-time validation and pre-decoding. `validate` refuses what no kernel would run: reserved
// opcodes and fields, broken LD_IMM64 pairs, jumps outside the program or into the middle of an
// LD_IMM64. `predecode` turns the instruction objects into parallel typed arrays so the
// interpreter's hot loop touches no per-instruction objects (rbpf/uBPF style).

import { DecodeError } from '../src/errors.js';
import { AluOp, AtomicOp, Cls, JmpOp, LD_IMM64, Mode, PseudoCall, Size, Src, type Insn } from './isa.js';

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
}

export function predecode(insns: readonly Insn[]): Decoded {
  const n = insns.length;
  const code = new Uint8Array(n + 1);
  const dst = new Uint8Array(n + 1);
  const src = new Uint8Array(n + 1);
  const off = new Int32Array(n + 1);
  const imm = new Int32Array(n + 1);
  const packed = new Int32Array((n + 1) * 4);
  for (let i = 0; i < n; i++) {
    const x = insns[i]!;
    code[i] = x.code;
    dst[i] = x.dst;
    src[i] = x.src;
    off[i] = x.off;
    imm[i] = x.imm;
    packed[i * 4] = (x.code & 0xff) | ((x.dst & 0xf) << 8) | ((x.src & 0xf) << 12);
    packed[i * 4 + 1] = x.off;
    packed[i * 4 + 2] = x.imm;
    packed[i * 4 + 3] = x.imm >> 31;
  }
  // `pseudo` is present (undefined) from the start: adding it later would give programs that use
  // LD_IMM64 pseudo values another hidden class, and the interpreter loop would deoptimise as
  // soon as it met both kinds (rbtree add+remove ran 2x slower after one empty run).
  return { length: n, code, dst, src, off, imm, packed, pseudo: undefined };
}

const ATOMIC_OPS = new Set<number>([
  AtomicOp.ADD,
  AtomicOp.OR,
  AtomicOp.AND,
  AtomicOp.XOR,
  AtomicOp.ADD | AtomicOp.FETCH,
  AtomicOp.OR | AtomicOp.FETCH,
  AtomicOp.AND | AtomicOp.FETCH,
  AtomicOp.XOR | AtomicOp.FETCH,
  AtomicOp.XCHG,
  AtomicOp.CMPXCHG,
]);

/** Throw DecodeError (with the instruction index) for the first malformed instruction. */
export function validate(insns: readonly Insn[]): void {
  const n = insns.length;
  if (n === 0) throw new DecodeError('empty program');
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
    const reason = check(x);
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

const reg = (r: number): boolean => r <= 10;

/** The reason an instruction is malformed, or undefined when it is fine. */
function check(x: Insn): string | undefined {
  const c = x.code & 0x07;
  if (!reg(x.dst)) return `invalid destination register r${x.dst}`;
  if (!reg(x.src) && !(x.code === LD_IMM64)) return `invalid source register r${x.src}`;
  switch (c) {
    case Cls.ALU:
    case Cls.ALU64: {
      const op = x.code & 0xf0;
      const isX = (x.code & Src.X) !== 0;
      if (op > AluOp.END) return 'unknown ALU operation';
      if (x.dst === 10) return 'r10 is read-only';
      if (op === AluOp.END) {
        if (c === Cls.ALU64 && isX) return 'reserved byte swap encoding';
        if (x.src !== 0 || x.off !== 0) return 'reserved fields set in byte swap';
        if (x.imm !== 16 && x.imm !== 32 && x.imm !== 64) return `invalid byte swap width ${x.imm}`;
        return undefined;
      }
      if (op === AluOp.NEG) {
        if (isX || x.src !== 0 || x.off !== 0 || x.imm !== 0) return 'reserved fields set in neg';
        return undefined;
      }
      if (isX) {
        if (x.imm !== 0) return 'reserved imm set in register ALU operation';
      } else if (x.src !== 0) return 'reserved src set in immediate ALU operation';
      if (op === AluOp.DIV || op === AluOp.MOD) {
        if (x.off !== 0 && x.off !== 1) return 'invalid offset for div/mod';
      } else if (op === AluOp.MOV) {
        if (x.off !== 0) {
          const widths = c === Cls.ALU64 ? [8, 16, 32] : [8, 16];
          if (!isX || !widths.includes(x.off)) return 'invalid movsx width';
        }
      } else if (x.off !== 0) return 'reserved offset set in ALU operation';
      return undefined;
    }
    case Cls.JMP:
    case Cls.JMP32: {
      const op = x.code & 0xf0;
      const isX = (x.code & Src.X) !== 0;
      if (op > JmpOp.JSLE) return 'unknown jump operation';
      if (op === JmpOp.JA) {
        if (isX || x.src !== 0 || x.dst !== 0) return 'reserved fields set in ja';
        if (c === Cls.JMP ? x.imm !== 0 : x.off !== 0) return 'reserved fields set in ja';
        return undefined;
      }
      if (op === JmpOp.CALL) {
        if (c === Cls.JMP32) return 'call in JMP32 class';
        if (isX) {
          // callx: the register is in dst (LLVM) or imm (older assemblers).
          if (x.off !== 0 || x.src !== 0) return 'reserved fields set in callx';
          if (x.dst === 0 && (x.imm < 0 || x.imm > 10)) return 'invalid callx register';
          return undefined;
        }
        if (x.dst !== 0 || x.off !== 0) return 'reserved fields set in call';
        if (x.src > PseudoCall.KFUNC) return `invalid call source ${x.src}`;
        return undefined;
      }
      if (op === JmpOp.EXIT) {
        if (c === Cls.JMP32) return 'exit in JMP32 class';
        if (isX || x.dst !== 0 || x.src !== 0 || x.off !== 0 || x.imm !== 0) return 'reserved fields set in exit';
        return undefined;
      }
      if (isX) {
        if (x.imm !== 0) return 'reserved imm set in register jump';
      } else if (x.src !== 0) return 'reserved src set in immediate jump';
      return undefined;
    }
    case Cls.LD: {
      const mode = x.code & 0xe0;
      const size = x.code & 0x18;
      if (x.code === LD_IMM64) {
        if (x.src > 6) return `invalid lddw source ${x.src}`;
        if (x.dst === 10) return 'r10 is read-only';
        if (x.off !== 0) return 'reserved offset set in lddw';
        return undefined;
      }
      if ((mode === Mode.ABS || mode === Mode.IND) && size !== Size.DW) {
        if (x.dst !== 0 || x.off !== 0) return 'reserved fields set in legacy packet load';
        if (mode === Mode.ABS && x.src !== 0) return 'reserved src set in ld_abs';
        return undefined;
      }
      return 'unknown LD instruction';
    }
    case Cls.LDX: {
      const mode = x.code & 0xe0;
      if (mode !== Mode.MEM && !(mode === Mode.MEMSX && (x.code & 0x18) !== Size.DW)) return 'unknown load instruction';
      if (x.imm !== 0) return 'reserved imm set in load';
      if (x.dst === 10) return 'r10 is read-only';
      return undefined;
    }
    case Cls.ST: {
      if ((x.code & 0xe0) !== Mode.MEM) return 'unknown store instruction';
      if (x.src !== 0) return 'reserved src set in store immediate';
      return undefined;
    }
    case Cls.STX: {
      const mode = x.code & 0xe0;
      const size = x.code & 0x18;
      if (mode === Mode.MEM) {
        if (x.imm !== 0) return 'reserved imm set in store';
        return undefined;
      }
      if (mode === Mode.ATOMIC && (size === Size.W || size === Size.DW)) {
        if (!ATOMIC_OPS.has(x.imm)) return `invalid atomic operation 0x${(x.imm >>> 0).toString(16)}`;
        return undefined;
      }
      return 'unknown store instruction';
    }
  }
  return 'unknown instruction class';
}
