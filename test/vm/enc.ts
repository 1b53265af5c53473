// A tiny instruction encoder for the VM tests, independent of the assembler (vm/asm) so the two
// check each other rather than share mistakes.
import type { Insn } from '../../vm/isa.js';
import type { Program } from '../../vm/program.js';

export const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm: imm | 0 });

// ALU op numbers (high nibble) for readability.
export const ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
  NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0;
export const JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60, JSGE = 0x70, JLT = 0xa0,
  JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0;

export const alu64k = (op: number, dst: number, imm: number, off = 0) => I(0x07 | op, dst, 0, off, imm);
export const alu64x = (op: number, dst: number, src: number, off = 0) => I(0x0f | op, dst, src, off, 0);
export const alu32k = (op: number, dst: number, imm: number, off = 0) => I(0x04 | op, dst, 0, off, imm);
export const alu32x = (op: number, dst: number, src: number, off = 0) => I(0x0c | op, dst, src, off, 0);
export const mov64 = (dst: number, imm: number) => alu64k(MOV, dst, imm);
export const movr = (dst: number, src: number) => alu64x(MOV, dst, src);
export const jmpk = (op: number, dst: number, imm: number, off: number) => I(0x05 | op, dst, 0, off, imm);
export const jmpx = (op: number, dst: number, src: number, off: number) => I(0x0d | op, dst, src, off, 0);
export const jmp32k = (op: number, dst: number, imm: number, off: number) => I(0x06 | op, dst, 0, off, imm);
export const jmp32x = (op: number, dst: number, src: number, off: number) => I(0x0e | op, dst, src, off, 0);
export const ja = (off: number) => I(0x05, 0, 0, off, 0);
export const mayGoto = (off: number) => I(0xe5, 0, 0, off, 0);
export const exit = () => I(0x95);
export const call = (id: number) => I(0x85, 0, 0, 0, id);
export const callLocal = (rel: number) => I(0x85, 0, 1, 0, rel);
/** LD_IMM64 pair. */
export const lddw = (dst: number, v: bigint, src = 0): Insn[] => {
  const u = BigInt.asUintN(64, v);
  return [I(0x18, dst, src, 0, Number(u & 0xffffffffn) | 0), I(0, 0, 0, 0, Number(u >> 32n) | 0)];
};
// sizes
export const W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
export const ldx = (size: number, dst: number, src: number, off: number) => I(0x61 | size, dst, src, off);
export const ldxsx = (size: number, dst: number, src: number, off: number) => I(0x81 | size, dst, src, off);
export const stx = (size: number, dst: number, src: number, off: number) => I(0x63 | size, dst, src, off);
export const st = (size: number, dst: number, off: number, imm: number) => I(0x62 | size, dst, 0, off, imm);
/** LD_ABS (code 0x20/0x28/0x30, src 0) / LD_IND (0x40/0x48/0x50, src = index register). */
export const ld = (code: number, src: number, imm: number) => I(code, 0, src, 0, imm);
export const atomic = (size: number, dst: number, src: number, off: number, op: number) => I(0xc3 | size, dst, src, off, op);

export const prog = (insns: (Insn | Insn[])[], extra: Partial<Program> = {}): Program => ({
  name: 'test',
  progType: 0,
  insns: insns.flat(),
  gpl: true,
  ...extra,
});
