// BPF programs the benchmarks share (built with plain instruction objects so the benchmarks do not
// depend on the assembler).
import type { Insn } from '../vm/isa.js';
import type { Program } from '../vm/program.js';

/** One instruction slot from its fields (the benchmarks build programs without the assembler). */
export const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });

/** 1000 iterations of a 64-bit ALU body: 3 + 1000 * 9 + 1 = 9004 instructions. The same
 *  operations as `aluLoopJs` below. */
export function aluLoop(iterations = 1000): Program {
  return {
    name: 'alu64_loop',
    progType: 0,
    gpl: true,
    insns: [
      I(0xb7, 0, 0, 0, 1), // r0 = 1
      I(0xb7, 1, 0, 0, 0), // r1 = 0
      I(0xb7, 2, 0, 0, 7), // r2 = 7
      I(0x0f, 0, 2), // r0 += r2
      I(0xa7, 0, 0, 0, 0x55), // r0 ^= 0x55
      I(0x67, 0, 0, 0, 3), // r0 <<= 3
      I(0x77, 0, 0, 0, 1), // r0 >>= 1
      I(0x1f, 0, 1), // r0 -= r1
      I(0x27, 2, 0, 0, 3), // r2 *= 3
      I(0x07, 2, 0, 0, 1), // r2 += 1
      I(0x07, 1, 0, 0, 1), // r1 += 1
      I(0x55, 1, 0, -9, iterations), // if r1 != N goto loop
      I(0x95),
    ],
  };
}

/** r0 of `aluLoop`, computed with BigInt (independent reference for checks). */
export function aluLoopExpected(iterations = 1000): bigint {
  const M = (1n << 64n) - 1n;
  let r0 = 1n;
  let r1 = 0n;
  let r2 = 7n;
  do {
    r0 = (r0 + r2) & M;
    r0 ^= 0x55n;
    r0 = (r0 << 3n) & M;
    r0 >>= 1n;
    r0 = (r0 - r1) & M;
    r2 = (r2 * 3n) & M;
    r2 = (r2 + 1n) & M;
    r1 += 1n;
  } while (r1 !== BigInt(iterations));
  return r0;
}

/** Sum and rewrite an array of `n` u64 in memory (r1 = address): 6 instructions per element. */
export function memLoop(n = 1000): Program {
  return {
    name: 'mem_loop',
    progType: 0,
    gpl: true,
    insns: [
      I(0xb7, 0, 0, 0, 0), // r0 = 0
      I(0xb7, 4, 0, 0, 0), // r4 = 0 (index)
      I(0x79, 3, 1, 0), // r3 = *(u64 *)(r1 + 0)
      I(0x0f, 0, 3), // r0 += r3
      I(0x7b, 1, 0, 0), // *(u64 *)(r1 + 0) = r0
      I(0x07, 1, 0, 0, 8), // r1 += 8
      I(0x07, 4, 0, 0, 1), // r4 += 1
      I(0x55, 4, 0, -6, n), // if r4 != n goto loop
      I(0x95),
    ],
  };
}

/** The 64-bit ALU loop's body on 32-bit registers (ALU class, JMP32 back edge): 3 + 9N + 1. */
export function alu32Loop(iterations = 1000): Program {
  return {
    name: 'alu32_loop',
    progType: 0,
    gpl: true,
    insns: [
      I(0xb4, 0, 0, 0, 1), // w0 = 1
      I(0xb4, 1, 0, 0, 0), // w1 = 0
      I(0xb4, 2, 0, 0, 7), // w2 = 7
      I(0x0c, 0, 2), // w0 += w2
      I(0xa4, 0, 0, 0, 0x55), // w0 ^= 0x55
      I(0x64, 0, 0, 0, 3), // w0 <<= 3
      I(0x74, 0, 0, 0, 1), // w0 >>= 1
      I(0x1c, 0, 1), // w0 -= w1
      I(0x24, 2, 0, 0, 3), // w2 *= 3
      I(0x04, 2, 0, 0, 1), // w2 += 1
      I(0x04, 1, 0, 0, 1), // w1 += 1
      I(0x56, 1, 0, -9, iterations), // if w1 != N goto loop
      I(0x95),
    ],
  };
}

/** r0 of alu32Loop, computed independently in JS u32 arithmetic. */
export function alu32Expected(iterations = 1000): bigint {
  let w0 = 1;
  let w1 = 0;
  let w2 = 7;
  do {
    w0 = (w0 + w2) >>> 0;
    w0 = (w0 ^ 0x55) >>> 0;
    w0 = (w0 << 3) >>> 0;
    w0 = w0 >>> 1;
    w0 = (w0 - w1) >>> 0;
    w2 = Math.imul(w2, 3) >>> 0;
    w2 = (w2 + 1) >>> 0;
    w1 = (w1 + 1) >>> 0;
  } while (w1 !== iterations);
  return BigInt(w0);
}

/** Stack traffic: each iteration stores and reloads a u64 and a u32 through r10. 2 + 7N + 1. */
export function stackLoop(iterations = 1000): Program {
  return {
    name: 'stack_loop',
    progType: 0,
    gpl: true,
    insns: [
      I(0xb7, 0, 0, 0, 0), // r0 = 0
      I(0xb7, 1, 0, 0, 0), // r1 = 0
      I(0x7b, 10, 1, -8), // *(u64 *)(r10 - 8) = r1
      I(0x79, 2, 10, -8), // r2 = *(u64 *)(r10 - 8)
      I(0x0f, 0, 2), // r0 += r2
      I(0x63, 10, 0, -16), // *(u32 *)(r10 - 16) = w0
      I(0x61, 3, 10, -16), // r3 = *(u32 *)(r10 - 16)
      I(0x07, 1, 0, 0, 1), // r1 += 1
      I(0x55, 1, 0, -7, iterations), // if r1 != N goto loop
      I(0x95),
    ],
  };
}
