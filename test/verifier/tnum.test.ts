// Soundness of the tnum domain: for random tnums and random members of them, the concrete result
// of each operation is a member of the abstract result. Plus the kernel's own worked examples.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  TNUM_UNKNOWN,
  type Tnum,
  bitLength64,
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumCast,
  tnumConst,
  tnumContains,
  tnumIn,
  tnumIntersect,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumOverlap,
  tnumRange,
  tnumRshift,
  tnumSub,
  tnumUnion,
  tnumXor,
} from '../../verifier/tnum.js';
import { corpus, s32, s64, u32, u64 } from '../vm/model.js';

const CORPUS = corpus(40, 7);
const u64Arb = fc.oneof(fc.constantFrom(...CORPUS), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 300n }));
/** Masks biased toward the shapes the verifier meets: low bits unknown, a few scattered bits, all. */
const maskArb = fc.oneof(
  fc.integer({ min: 0, max: 64 }).map((n) => (1n << BigInt(n)) - 1n),
  u64Arb,
  fc.constantFrom(0n, (1n << 64n) - 1n, 0xffffffffn, 0xffffffff00000000n),
  fc.tuple(u64Arb, u64Arb).map(([a, b]) => a & b),
);
/** A tnum and one of its members. */
const memberArb = fc.tuple(u64Arb, maskArb).map(([x, mask]): [Tnum, bigint] => [{ value: x & ~mask & ((1n << 64n) - 1n), mask }, x]);
/** A second member of the same tnum (x with its unknown bits replaced). */
const otherMember = (t: Tnum, bits: bigint): bigint => t.value | (bits & t.mask);

const RUNS = { numRuns: 1000 };

describe('tnum soundness', () => {
  const binary: [string, (a: Tnum, b: Tnum) => Tnum, (x: bigint, y: bigint) => bigint][] = [
    ['add', tnumAdd, (x, y) => u64(x + y)],
    ['sub', tnumSub, (x, y) => u64(x - y)],
    ['mul', tnumMul, (x, y) => u64(x * y)],
    ['and', tnumAnd, (x, y) => x & y],
    ['or', tnumOr, (x, y) => x | y],
    ['xor', tnumXor, (x, y) => x ^ y],
  ];
  for (const [name, abs, conc] of binary) {
    it(`${name}: op(x, y) is a member of op(a, b)`, () => {
      fc.assert(
        fc.property(memberArb, memberArb, u64Arb, ([a, x], [b, y], bits) => {
          const r = abs(a, b);
          expect(tnumContains(r, conc(x, y))).toBe(true);
          expect(tnumContains(r, conc(otherMember(a, bits), otherMember(b, ~bits)))).toBe(true);
          // a well-formed tnum: no value bit under a mask bit
          expect(r.value & r.mask).toBe(0n);
        }),
        RUNS,
      );
    });
  }
  it('shifts, neg and casts', () => {
    fc.assert(
      fc.property(memberArb, fc.integer({ min: 0, max: 63 }), fc.constantFrom(1, 2, 4, 8), ([a, x], sh, bytes) => {
        expect(tnumContains(tnumLshift(a, sh), u64(x << BigInt(sh)))).toBe(true);
        expect(tnumContains(tnumRshift(a, sh), x >> BigInt(sh))).toBe(true);
        expect(tnumContains(tnumArshift(a, sh, 64), u64(s64(x) >> BigInt(sh)))).toBe(true);
        expect(tnumContains(tnumArshift(a, sh & 31, 32), u32(s32(x) >> BigInt(sh & 31)))).toBe(true);
        expect(tnumContains(tnumNeg(a), u64(-x))).toBe(true);
        expect(tnumContains(tnumCast(a, bytes), BigInt.asUintN(bytes * 8, x))).toBe(true);
      }),
      RUNS,
    );
  });
  it('range holds every value between its ends', () => {
    fc.assert(
      fc.property(u64Arb, u64Arb, u64Arb, (p, q, r) => {
        const [lo, hi] = p <= q ? [p, q] : [q, p];
        const t = tnumRange(lo, hi);
        const mid = hi === lo ? lo : lo + (r % (hi - lo + 1n));
        expect(tnumContains(t, lo) && tnumContains(t, hi) && tnumContains(t, mid)).toBe(true);
      }),
      RUNS,
    );
  });
  it('union, intersect, overlap and in agree with membership', () => {
    fc.assert(
      fc.property(memberArb, memberArb, ([a, x], [b, y]) => {
        const u = tnumUnion(a, b);
        expect(tnumContains(u, x) && tnumContains(u, y)).toBe(true);
        expect(tnumIn(u, a) && tnumIn(u, b)).toBe(true);
        if (tnumContains(b, x)) {
          expect(tnumOverlap(a, b)).toBe(true);
          expect(tnumContains(tnumIntersect(a, b), x)).toBe(true);
        }
        expect(tnumIn(TNUM_UNKNOWN, a)).toBe(true);
        expect(tnumIn(a, tnumConst(x))).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('tnum exactness (the kernel computes these)', () => {
  it('range: the common high bits are known', () => {
    expect(tnumRange(0n, 100n)).toEqual({ value: 0n, mask: 0x7fn });
    expect(tnumRange(0x10000000an, 0x10000000fn)).toEqual({ value: 0x100000008n, mask: 7n });
    expect(tnumRange(0n, 1n << 63n)).toEqual(TNUM_UNKNOWN);
  });
  it('mul: 6.18 keeps more bits than the 6.12 algorithm', () => {
    // {1,3,5,7} * {2,3}: 6.12 gave (0; 0x3f), 6.18's union-based multiply gives (0; 0x1f)
    expect(tnumMul({ value: 1n, mask: 6n }, { value: 2n, mask: 1n })).toEqual({ value: 0n, mask: 0x1fn });
    expect(tnumMul({ value: 0n, mask: 0x7fn }, { value: 0n, mask: 0xffn })).toEqual({ value: 0n, mask: 0x7fffn });
  });
  it('bitLength64 is fls64', () => {
    expect([0n, 1n, 0xffn, 1n << 32n, 1n << 63n].map(bitLength64)).toEqual([0, 1, 8, 33, 64]);
  });
});
