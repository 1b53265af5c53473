// An independent BigInt model of the ISA's arithmetic (RFC 9669 + DESIGN section 3), written from
// the spec and not from the interpreter, so the two can disagree.
export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
export const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
export const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);
const MIN64 = -(1n << 63n);
const MIN32 = -(1n << 31n);

export type AluName = 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'mod' | 'smod' | 'or' | 'and' | 'lsh' | 'rsh' | 'arsh' | 'neg' | 'xor' | 'mov' | 'movsx8' | 'movsx16' | 'movsx32';

/** [opcode high nibble, off] of each name. */
export const ALU_ENC: Record<AluName, [number, number]> = {
  add: [0x00, 0], sub: [0x10, 0], mul: [0x20, 0], div: [0x30, 0], sdiv: [0x30, 1], or: [0x40, 0], and: [0x50, 0],
  lsh: [0x60, 0], rsh: [0x70, 0], neg: [0x80, 0], mod: [0x90, 0], smod: [0x90, 1], xor: [0xa0, 0], mov: [0xb0, 0],
  arsh: [0xc0, 0], movsx8: [0xb0, 8], movsx16: [0xb0, 16], movsx32: [0xb0, 32],
};

export function alu64(op: AluName, a: bigint, b: bigint): bigint {
  a = u64(a);
  b = u64(b);
  switch (op) {
    case 'add': return u64(a + b);
    case 'sub': return u64(a - b);
    case 'mul': return u64(a * b);
    case 'div': return b === 0n ? 0n : a / b;
    case 'sdiv': return b === 0n ? 0n : s64(a) === MIN64 && s64(b) === -1n ? a : u64(s64(a) / s64(b));
    case 'mod': return b === 0n ? a : a % b;
    case 'smod': return b === 0n ? a : s64(b) === -1n ? 0n : u64(s64(a) % s64(b));
    case 'or': return a | b;
    case 'and': return a & b;
    case 'xor': return a ^ b;
    case 'lsh': return u64(a << (b & 63n));
    case 'rsh': return a >> (b & 63n);
    case 'arsh': return u64(s64(a) >> (b & 63n));
    case 'neg': return u64(-a);
    case 'mov': return b;
    case 'movsx8': return u64(BigInt.asIntN(8, b));
    case 'movsx16': return u64(BigInt.asIntN(16, b));
    case 'movsx32': return u64(BigInt.asIntN(32, b));
  }
}

export function alu32(op: AluName, a64: bigint, b64: bigint): bigint {
  const a = u32(a64);
  const b = u32(b64);
  switch (op) {
    case 'add': return u32(a + b);
    case 'sub': return u32(a - b);
    case 'mul': return u32(a * b);
    case 'div': return b === 0n ? 0n : a / b;
    case 'sdiv': return b === 0n ? 0n : s32(a) === MIN32 && s32(b) === -1n ? a : u32(s32(a) / s32(b));
    case 'mod': return b === 0n ? a : a % b;
    case 'smod': return b === 0n ? a : s32(b) === -1n ? 0n : u32(s32(a) % s32(b));
    case 'or': return a | b;
    case 'and': return a & b;
    case 'xor': return a ^ b;
    case 'lsh': return u32(a << (b & 31n));
    case 'rsh': return a >> (b & 31n);
    case 'arsh': return u32(s32(a) >> (b & 31n));
    case 'neg': return u32(-a);
    case 'mov': return b;
    case 'movsx8': return u32(BigInt.asIntN(8, b));
    case 'movsx16': return u32(BigInt.asIntN(16, b));
    case 'movsx32': throw new Error('no 32-bit movsx in ALU32');
  }
}

export type JmpName = 'jeq' | 'jgt' | 'jge' | 'jset' | 'jne' | 'jsgt' | 'jsge' | 'jlt' | 'jle' | 'jslt' | 'jsle';
export const JMP_ENC: Record<JmpName, number> = {
  jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40, jne: 0x50, jsgt: 0x60, jsge: 0x70, jlt: 0xa0, jle: 0xb0, jslt: 0xc0, jsle: 0xd0,
};

export function jmp(op: JmpName, a: bigint, b: bigint, bits: 32 | 64): boolean {
  const u = bits === 64 ? u64 : u32;
  const s = bits === 64 ? s64 : s32;
  const [ua, ub, sa, sb] = [u(a), u(b), s(a), s(b)];
  switch (op) {
    case 'jeq': return ua === ub;
    case 'jne': return ua !== ub;
    case 'jgt': return ua > ub;
    case 'jge': return ua >= ub;
    case 'jlt': return ua < ub;
    case 'jle': return ua <= ub;
    case 'jset': return (ua & ub) !== 0n;
    case 'jsgt': return sa > sb;
    case 'jsge': return sa >= sb;
    case 'jslt': return sa < sb;
    case 'jsle': return sa <= sb;
  }
}

/** Interesting 64-bit values: boundaries of every width, plus a seeded pseudo-random tail. */
export function corpus(nRandom: number, seed = 1): bigint[] {
  const vals = [0n, 1n, 2n, 3n, 7n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
    0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0x123456789abcdef0n,
    0xffffffff80000000n, 0x80000000ffffffffn, 63n, 64n, 31n, 32n, 33n, u64(-2n), u64(-3n), u64(-7n)];
  let x = BigInt(seed) | 1n;
  for (let i = 0; i < nRandom; i++) {
    // xorshift64*
    x ^= x >> 12n; x ^= u64(x << 25n); x ^= x >> 27n;
    const r = u64(x * 0x2545f4914f6cdd1dn);
    vals.push(i % 3 === 0 ? r >> BigInt(i % 64) : r);
  }
  return vals;
}
