// The eBPF instruction set of RFC 9669 (v1..v4): encoding constants and the decoded instruction.
// Every other module (interpreter, assembler, disassembler, verifier, conformance plugin) reads
// opcodes from here; nothing else spells an opcode number.

/** Instruction classes (low 3 bits of the opcode). */
export const Cls = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  JMP32: 0x06,
  ALU64: 0x07,
} as const;
export type Cls = (typeof Cls)[keyof typeof Cls];

/** Access size for load/store classes (bits 3-4). */
export const Size = {
  W: 0x00,
  H: 0x08,
  B: 0x10,
  DW: 0x18,
} as const;
export type Size = (typeof Size)[keyof typeof Size];

/** Addressing mode for load/store classes (bits 5-7). */
export const Mode = {
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  MEMSX: 0x80,
  ATOMIC: 0xc0,
} as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** Operand source for ALU/JMP classes (bit 3); for END it selects to-le (K) / to-be (X). */
export const Src = {
  K: 0x00,
  X: 0x08,
} as const;
export type Src = (typeof Src)[keyof typeof Src];

/** ALU operation (bits 4-7). */
export const AluOp = {
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  MOV: 0xb0,
  ARSH: 0xc0,
  END: 0xd0,
} as const;
export type AluOp = (typeof AluOp)[keyof typeof AluOp];

/** Jump operation (bits 4-7). */
export const JmpOp = {
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  JNE: 0x50,
  JSGT: 0x60,
  JSGE: 0x70,
  CALL: 0x80,
  EXIT: 0x90,
  JLT: 0xa0,
  JLE: 0xb0,
  JSLT: 0xc0,
  JSLE: 0xd0,
  /** Conditional pseudo-jump; the kernel's only one is may_goto (src 0). */
  JCOND: 0xe0,
} as const;
export type JmpOp = (typeof JmpOp)[keyof typeof JmpOp];

/** Atomic operation, held in the imm field of an ATOMIC store. */
export const AtomicOp = {
  ADD: 0x00,
  OR: 0x40,
  AND: 0x50,
  XOR: 0xa0,
  FETCH: 0x01,
  XCHG: 0xe0 | 0x01,
  CMPXCHG: 0xf0 | 0x01,
  /** dst = load_acquire((size *)(src + off)), B/H/W/DW; B/H/W zero-extend (Linux 6.15+). */
  LOAD_ACQ: 0x100,
  /** store_release((size *)(dst + off), src), B/H/W/DW (Linux 6.15+). */
  STORE_REL: 0x110,
} as const;
export type AtomicOp = (typeof AtomicOp)[keyof typeof AtomicOp];

/** src_reg values of LD_IMM64 (what the 64-bit immediate refers to). */
export const PseudoLd = {
  IMM64: 0,
  MAP_FD: 1,
  MAP_VALUE: 2,
  BTF_ID: 3,
  FUNC: 4,
  MAP_IDX: 5,
  MAP_IDX_VALUE: 6,
} as const;
export type PseudoLd = (typeof PseudoLd)[keyof typeof PseudoLd];

/** src_reg values of CALL. */
export const PseudoCall = {
  HELPER: 0,
  LOCAL: 1,
  KFUNC: 2,
} as const;
export type PseudoCall = (typeof PseudoCall)[keyof typeof PseudoCall];

export const INSN_SIZE = 8;
export const MAX_BPF_STACK = 512;
export const MAX_CALL_FRAMES = 8;
export const MAX_TAIL_CALLS = 33;
/** Frames one run may hold: MAX_CALL_FRAMES is the verifier's bound on one program's call chain,
 *  and a tail call from a subprogram replaces only that subprogram's frame, so each of the 33
 *  tail-called programs may add its own chain on top (tailcall_bpf2bpf_hierarchy*.c). */
export const MAX_RUN_FRAMES = MAX_CALL_FRAMES * (MAX_TAIL_CALLS + 1);
/** may_goto's budget per function invocation in the kernel's interpreter (BPF_MAX_LOOPS). */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;

/** One decoded 8-byte instruction slot. LD_IMM64 occupies two slots; the second is a pseudo
 *  instruction whose `imm` becomes the upper half (see `imm64`). */
export interface Insn {
  code: number; // opcode byte
  dst: number; // 0..15 (validated by the decoder, 0..10 are real registers)
  src: number;
  off: number; // signed 16-bit
  imm: number; // signed 32-bit
}

export const cls = (code: number): Cls => (code & 0x07) as Cls;
export const isAluClass = (code: number): boolean => (code & 0x07) === Cls.ALU || (code & 0x07) === Cls.ALU64;
export const isJmpClass = (code: number): boolean => (code & 0x07) === Cls.JMP || (code & 0x07) === Cls.JMP32;
export const LD_IMM64 = Cls.LD | Size.DW | Mode.IMM; // 0x18

/** Decode raw bytes into instruction slots without validating them (see vm/decode for checks). */
export function rawInsns(bytes: Uint8Array): Insn[] {
  const n = Math.floor(bytes.length / INSN_SIZE);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * INSN_SIZE;
    const regs = bytes[o + 1]!;
    out[i] = { code: bytes[o]!, dst: regs & 0x0f, src: regs >>> 4, off: dv.getInt16(o + 2, true), imm: dv.getInt32(o + 4, true) };
  }
  return out;
}

/** Encode instruction slots back to bytes. */
export function encodeInsns(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * INSN_SIZE);
  const dv = new DataView(out.buffer);
  insns.forEach((insn, i) => {
    const o = i * INSN_SIZE;
    out[o] = insn.code;
    out[o + 1] = (insn.dst & 0x0f) | ((insn.src & 0x0f) << 4);
    dv.setInt16(o + 2, insn.off, true);
    dv.setInt32(o + 4, insn.imm, true);
  });
  return out;
}

/** The 64-bit immediate of an LD_IMM64 pair, as an unsigned bigint. */
export function imm64(first: Insn, second: Insn): bigint {
  return (BigInt(second.imm >>> 0) << 32n) | BigInt(first.imm >>> 0);
}

/** BPF_MOV64_PERCPU_REG (`dst = &(void __percpu *)(src)`): ALU64 MOV X with off BPF_ADDR_PERCPU
 *  (-1), the current CPU's per-CPU offset added to src. Only the verifier's rewrite emits it (the
 *  kernel's verifier refuses it in a loaded program; so does the decoder outside Program.xlated). */
export const ADDR_PERCPU = -1;
/** The per-CPU areas a runtime keeps in its arena (VmEnv.percpuArea): one unit per CPU, read-only,
 *  each holding the CPU's number at PCPU_CPU_NUMBER_OFF (the kernel's pcpu_hot.cpu_number, which
 *  the verifier's inlined bpf_get_smp_processor_id loads, verifier/fixups.ts). The per-CPU address
 *  move adds `area + cpu * PERCPU_UNIT_SIZE`. The VM keeps no other per-CPU kernel variable. */
export const PERCPU_UNIT_SIZE = 64;
export const PCPU_CPU_NUMBER_OFF = 8;
export function isPercpuMov(x: Insn): boolean {
  return x.code === (Cls.ALU64 | AluOp.MOV | Src.X) && x.off === ADDR_PERCPU && x.imm === 0;
}
