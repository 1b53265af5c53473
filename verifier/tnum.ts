// Tracked numbers ("tnums"): the verifier's bit-level knowledge of a 64-bit value, as the kernel's
// kernel/bpf/tnum.c defines it. A bit whose `mask` bit is 1 is unknown; otherwise it equals the
// `value` bit (a `value` bit under a set `mask` bit is always 0). Every operation over-approximates:
// the concrete result of the operation on any members of the operands is a member of the result.
//
// Values are unsigned 64-bit bigints in [0, 2^64). Tnums are immutable; every operation returns a
// new one (the kernel passes them by value).

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

const U64 = 0xffff_ffff_ffff_ffffn;
const U32 = 0xffff_ffffn;
const HI32 = U64 ^ U32;

const mk = (value: bigint, mask: bigint): Tnum => ({ value, mask });

/** Nothing known about any bit. */
export const TNUM_UNKNOWN: Tnum = Object.freeze(mk(0n, U64));
/** The constant zero (shared, immutable). */
export const TNUM_ZERO: Tnum = Object.freeze(mk(0n, 0n));

/** Number of significant bits of a u64 (the kernel's fls64): 0 for 0, 64 for values >= 2^63. */
export function bitLength64(x: bigint): number {
  if (x === 0n) return 0;
  const hi = Number(x >> 32n);
  if (hi !== 0) return 64 - Math.clz32(hi);
  return 32 - Math.clz32(Number(x));
}

export function tnumConst(v: bigint): Tnum {
  return mk(v & U64, 0n);
}

/** The smallest tnum holding every value of [min, max] (unsigned): the common high bits are known. */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const bits = bitLength64(min ^ max);
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return mk(min & ~delta, delta);
}

export function tnumLshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return mk((a.value << s) & U64, (a.mask << s) & U64);
}

export function tnumRshift(a: Tnum, shift: number): Tnum {
  const s = BigInt(shift);
  return mk(a.value >> s, a.mask >> s);
}

/** Arithmetic shift right by `minShift` of a 32- or 64-bit value (the 32-bit form works on the low
 *  half and gives a zero-extended result). */
export function tnumArshift(a: Tnum, minShift: number, bitness: 32 | 64): Tnum {
  const s = BigInt(minShift);
  if (bitness === 32) {
    const v = BigInt.asIntN(32, a.value) >> s;
    const m = BigInt.asIntN(32, a.mask) >> s;
    return mk(v & U32, m & U32);
  }
  return mk((BigInt.asIntN(64, a.value) >> s) & U64, (BigInt.asIntN(64, a.mask) >> s) & U64);
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = a.mask + b.mask;
  const sv = a.value + b.value;
  const chi = ((sm + sv) ^ sv) & U64;
  const mu = chi | a.mask | b.mask;
  return mk(sv & ~mu & U64, mu);
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = a.value - b.value;
  const alpha = dv + a.mask;
  const beta = dv - b.mask;
  const mu = ((alpha ^ beta) & U64) | a.mask | b.mask;
  return mk(dv & ~mu & U64, mu);
}

/** Two's complement negation (0 - a). */
export function tnumNeg(a: Tnum): Tnum {
  return tnumSub(TNUM_ZERO, a);
}

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return mk(v, alpha & beta & ~v);
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  return mk(v, (a.mask | b.mask) & ~v);
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const mu = a.mask | b.mask;
  return mk((a.value ^ b.value) & ~mu, mu);
}

/** Every value that is a member of a or of b (bitwise: known only where both agree). */
export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const v = a.value & b.value;
  const mu = (a.value ^ b.value) | a.mask | b.mask;
  return mk(v & ~mu, mu);
}

/** Long multiplication over tnums, as Linux 6.18 does it: for each bit of `a` add the shifted `b`
 *  when the bit is a known 1, or take the union of "added" and "not added" when it is unknown. */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  let av = a.value;
  let am = a.mask;
  let bv = b.value;
  let bm = b.mask;
  let accV = 0n;
  let accM = 0n;
  while (av !== 0n || am !== 0n) {
    if ((av & 1n) !== 0n || (am & 1n) !== 0n) {
      // acc + b
      const sm = accM + bm;
      const sv = accV + bv;
      const chi = ((sm + sv) ^ sv) & U64;
      const mu = chi | accM | bm;
      const addV = sv & ~mu & U64;
      if ((av & 1n) !== 0n) {
        accV = addV;
        accM = mu;
      } else {
        // union(acc, acc + b)
        const uMu = (accV ^ addV) | accM | mu;
        accV = accV & addV & ~uMu;
        accM = uMu;
      }
    }
    av >>= 1n;
    am >>= 1n;
    bv = (bv << 1n) & U64;
    bm = (bm << 1n) & U64;
  }
  return mk(accV, accM);
}

/** Whether some value is a member of both a and b. */
export function tnumOverlap(a: Tnum, b: Tnum): boolean {
  const mu = ~a.mask & ~b.mask & U64;
  return (a.value & mu) === (b.value & mu);
}

/** The values that are members of both (where the two disagree on a known bit the result says 1:
 *  callers only intersect tnums that are known to overlap). */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return mk(v & ~mu, mu);
}

/** Truncate to the low `bytes` bytes (zero-extending). */
export function tnumCast(a: Tnum, bytes: number): Tnum {
  if (bytes >= 8) return a;
  const m = (1n << BigInt(bytes * 8)) - 1n;
  return mk(a.value & m, a.mask & m);
}

export function tnumIsConst(a: Tnum): boolean {
  return a.mask === 0n;
}

export function tnumEqualsConst(a: Tnum, v: bigint): boolean {
  return a.mask === 0n && a.value === v;
}

/** Whether every member is a multiple of `size` (a power of two). */
export function tnumIsAligned(a: Tnum, size: bigint): boolean {
  if (size === 0n) return true;
  return ((a.value | a.mask) & (size - 1n)) === 0n;
}

/** Whether every member of b is a member of a. */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if ((b.mask & ~a.mask) !== 0n) return false;
  return a.value === (b.value & ~a.mask);
}

/** Whether the concrete u64 `v` is a member of a. */
export function tnumContains(a: Tnum, v: bigint): boolean {
  return (v & ~a.mask & U64) === a.value;
}

export function tnumEquals(a: Tnum, b: Tnum): boolean {
  return a.value === b.value && a.mask === b.mask;
}

/** The low 32 bits (zero-extended). */
export function tnumSubreg(a: Tnum): Tnum {
  return mk(a.value & U32, a.mask & U32);
}

/** The high 32 bits kept, the low 32 bits known zero. */
export function tnumClearSubreg(a: Tnum): Tnum {
  return mk(a.value & HI32, a.mask & HI32);
}

/** The high half of `reg` with the low half of `subreg`. */
export function tnumWithSubreg(reg: Tnum, subreg: Tnum): Tnum {
  return mk((reg.value & HI32) | (subreg.value & U32), (reg.mask & HI32) | (subreg.mask & U32));
}

/** The high half of `a` with the low half the constant `value` (a u32). */
export function tnumConstSubreg(a: Tnum, value: number): Tnum {
  return mk((a.value & HI32) | BigInt(value >>> 0), a.mask & HI32);
}

/** The kernel's `(0x..; 0x..)` text of a var_off. */
export function formatTnum(a: Tnum): string {
  return `(0x${a.value.toString(16)}; 0x${a.mask.toString(16)})`;
}
