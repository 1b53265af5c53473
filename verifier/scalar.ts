// The numeric part of a verifier register: a tnum plus signed/unsigned 64- and 32-bit bounds, kept
// consistent the way Linux 6.18's kernel/bpf/verifier.c keeps them (reg_bounds_sync), with the
// kernel's transfer functions for every ALU op (adjust_scalar_min_max_vals and friends), branch
// prediction (is_scalar_branch_taken), branch refinement (regs_refine_cond_op) and the log text
// (print_scalar_ranges). Where 6.18 differs from the 6.12 sources (signed-aware multiplication,
// BPF_NEG and byte-swap tracking) the host kernel's logs were the reference.
//
// Representation: smin/smax are s64 bigints, umin/umax u64 bigints, the 32-bit bounds are numbers
// (s32 in [-2^31, 2^31), u32 in [0, 2^32)). Operations mutate their destination in place.

import { AluOp, Cls, JmpOp } from '../vm/isa.js';
import {
  TNUM_UNKNOWN,
  type Tnum,
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumCast,
  tnumConst,
  tnumIn,
  tnumIntersect,
  tnumLshift,
  tnumMul,
  tnumOr,
  tnumOverlap,
  tnumRange,
  tnumRshift,
  tnumSub,
  tnumSubreg,
  tnumWithSubreg,
  tnumXor,
} from './tnum.js';

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const U32_MASK = 0xffff_ffffn;
const HI32_MASK = U64_MAX ^ U32_MASK;
const NOT_U32_MASK = ~U32_MASK;
const TWO64 = 1n << 64n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;
const SIGN64 = 1n << 63n;
const S32_MIN = -0x8000_0000;
const S32_MAX = 0x7fff_ffff;
const U32_MAX = 0xffff_ffff;
const S32_MIN_BIG = -0x8000_0000n;
const S32_MAX_BIG = 0x7fff_ffffn;

/** (s64)u for a u64 bigint. */
const toS64 = (u: bigint): bigint => (u >= SIGN64 ? u - TWO64 : u);
/** (u64)s for an s64 bigint. */
const toU64 = (s: bigint): bigint => (s < 0n ? s + TWO64 : s);
/** (u32) of any bigint. */
const lo32 = (x: bigint): number => Number(x & U32_MASK);
/** (s32) of any bigint. */
const lo32s = (x: bigint): number => Number(x & U32_MASK) | 0;

const maxB = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const minB = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export class Scalar {
  varOff: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32min: number;
  s32max: number;
  u32min: number;
  u32max: number;

  constructor(varOff: Tnum, smin: bigint, smax: bigint, umin: bigint, umax: bigint, s32min: number, s32max: number, u32min: number, u32max: number) {
    this.varOff = varOff;
    this.smin = smin;
    this.smax = smax;
    this.umin = umin;
    this.umax = umax;
    this.s32min = s32min;
    this.s32max = s32max;
    this.u32min = u32min;
    this.u32max = u32max;
  }

  /** Nothing known (the kernel's __mark_reg_unknown). */
  static unknown(): Scalar {
    return new Scalar(TNUM_UNKNOWN, S64_MIN, S64_MAX, 0n, U64_MAX, S32_MIN, S32_MAX, 0, U32_MAX);
  }

  /** The constant `v` (taken modulo 2^64, so negative values are fine). */
  static known(v: bigint): Scalar {
    const s = Scalar.unknown();
    s.markKnown(v);
    return s;
  }

  /** What a load of `bytes` bytes from memory of unknown content gives (zero- or sign-extended):
   *  the kernel's coerce_reg_to_size / coerce_reg_to_size_sx applied to an unknown register. */
  static fromLoad(bytes: 1 | 2 | 4 | 8, signed: boolean): Scalar {
    const s = Scalar.unknown();
    if (bytes === 8) return s;
    if (signed) s.coerceToSizeSx(bytes);
    else s.coerceToSize(bytes);
    return s;
  }

  clone(): Scalar {
    return new Scalar(this.varOff, this.smin, this.smax, this.umin, this.umax, this.s32min, this.s32max, this.u32min, this.u32max);
  }

  /** Copy every field of `o` into this one. */
  assign(o: Scalar): void {
    this.varOff = o.varOff;
    this.smin = o.smin;
    this.smax = o.smax;
    this.umin = o.umin;
    this.umax = o.umax;
    this.s32min = o.s32min;
    this.s32max = o.s32max;
    this.u32min = o.u32min;
    this.u32max = o.u32max;
  }

  equals(o: Scalar): boolean {
    return (
      this.varOff.value === o.varOff.value &&
      this.varOff.mask === o.varOff.mask &&
      this.smin === o.smin &&
      this.smax === o.smax &&
      this.umin === o.umin &&
      this.umax === o.umax &&
      this.s32min === o.s32min &&
      this.s32max === o.s32max &&
      this.u32min === o.u32min &&
      this.u32max === o.u32max
    );
  }

  isConst(): boolean {
    return this.varOff.mask === 0n;
  }

  /** The 64-bit value (u64) when isConst(). */
  constValue(): bigint {
    return this.varOff.value;
  }

  isConst32(): boolean {
    return (this.varOff.mask & U32_MASK) === 0n;
  }

  /** The low 32 bits (u32) when isConst32(). */
  constValue32(): number {
    return lo32(this.varOff.value);
  }

  /** Whether every field is the unknown state's (var_off unknown, all bounds unbounded). */
  isUnknown(): boolean {
    return (
      this.varOff.mask === U64_MAX &&
      this.smin === S64_MIN &&
      this.smax === S64_MAX &&
      this.umin === 0n &&
      this.umax === U64_MAX &&
      this.s32min === S32_MIN &&
      this.s32max === S32_MAX &&
      this.u32min === 0 &&
      this.u32max === U32_MAX
    );
  }

  /** Whether the concrete u64 `v` is allowed by every component (tnum and all four ranges). */
  contains(v: bigint): boolean {
    v &= U64_MAX;
    if ((v & ~this.varOff.mask) !== this.varOff.value) return false;
    if (v < this.umin || v > this.umax) return false;
    const s = toS64(v);
    if (s < this.smin || s > this.smax) return false;
    const u32 = lo32(v);
    if (u32 < this.u32min || u32 > this.u32max) return false;
    const s32 = u32 | 0;
    return s32 >= this.s32min && s32 <= this.s32max;
  }

  /** Whether the bounds contradict each other or the tnum (no concrete value can be a member). */
  isEmpty(): boolean {
    if (this.umin > this.umax || this.smin > this.smax || this.u32min > this.u32max || this.s32min > this.s32max) return true;
    const t = this.varOff;
    if (t.value > this.umax || (t.value | t.mask) < this.umin) return true;
    const t32v = lo32(t.value);
    const t32m = lo32(t.mask);
    return t32v > this.u32max || (t32v | t32m) >>> 0 < this.u32min;
  }

  markKnown(v: bigint): void {
    if (v >= 0n && v <= S32_MAX_BIG) {
      // small non-negative constants (most of them): every bound is the same number
      this.varOff = { value: v, mask: 0n };
      this.umin = this.umax = this.smin = this.smax = v;
      this.u32min = this.u32max = this.s32min = this.s32max = Number(v);
      return;
    }
    v &= U64_MAX;
    this.varOff = tnumConst(v);
    this.umin = this.umax = v;
    this.smin = this.smax = toS64(v);
    this.u32min = this.u32max = lo32(v);
    this.s32min = this.s32max = lo32s(v);
  }

  /** The low half becomes the constant `v` (u32), the high half keeps its tnum (__mark_reg32_known). */
  markKnown32(v: number): void {
    v >>>= 0;
    this.varOff = tnumWithSubreg(this.varOff, tnumConst(BigInt(v)));
    this.u32min = this.u32max = v;
    this.s32min = this.s32max = v | 0;
  }

  markUnknown(): void {
    this.varOff = TNUM_UNKNOWN;
    this.markUnbounded();
  }

  markUnbounded(): void {
    this.mark64Unbounded();
    this.mark32Unbounded();
  }

  mark64Unbounded(): void {
    this.smin = S64_MIN;
    this.smax = S64_MAX;
    this.umin = 0n;
    this.umax = U64_MAX;
  }

  mark32Unbounded(): void {
    this.s32min = S32_MIN;
    this.s32max = S32_MAX;
    this.u32min = 0;
    this.u32max = U32_MAX;
  }

  // ---- reg_bounds_sync ------------------------------------------------------------------------

  /** Learn the bounds from the tnum, the bounds from each other and the tnum from the bounds
   *  (the kernel's reg_bounds_sync). */
  sync(): void {
    if (this.varOff.mask === 0n) {
      // A constant tnum inside every range pins every bound (what the general path computes,
      // without the work).
      const v = this.varOff.value;
      const sv = toS64(v);
      const v32 = lo32(v);
      if (this.umin <= v && v <= this.umax && this.smin <= sv && sv <= this.smax && this.u32min <= v32 && v32 <= this.u32max && this.s32min <= (v32 | 0) && (v32 | 0) <= this.s32max) {
        this.umin = this.umax = v;
        this.smin = this.smax = sv;
        this.u32min = this.u32max = v32;
        this.s32min = this.s32max = v32 | 0;
        return;
      }
    }
    const t = this.varOff;
    if (t.value <= U32_MASK && t.mask <= U32_MASK && this.umin <= U32_MASK && this.smin <= U32_MASK && this.smax >= 0n) {
      this.syncSmall();
      return;
    }
    this.syncGeneral();
  }

  /** reg_bounds_sync on bigints, for any state. */
  syncGeneral(): void {
    this.updateBounds();
    // The kernel runs three deduction rounds; a round that changes nothing is a fixed point, so
    // the remaining rounds would change nothing either.
    for (let round = 0; round < 3; round++) {
      const { smin, smax, umin, umax, s32min, s32max, u32min, u32max, varOff } = this;
      this.deduceBounds();
      if (
        smin === this.smin &&
        smax === this.smax &&
        umin === this.umin &&
        umax === this.umax &&
        s32min === this.s32min &&
        s32max === this.s32max &&
        u32min === this.u32min &&
        u32max === this.u32max &&
        varOff === this.varOff
      )
        break;
    }
    this.boundOffset();
    this.updateBounds();
  }

  /** reg_bounds_sync when the upper half is known zero (the tnum's high bits are known 0 and no
   *  64-bit bound can leave [0, 2^32) once the tnum has bounded it): the same steps as
   *  syncGeneral, each specialised to that case, on numbers; bigints are rebuilt only for the
   *  fields that change. A property test checks it against syncGeneral. */
  private syncSmall(): void {
    let tv = Number(this.varOff.value);
    let tm = Number(this.varOff.mask);
    const tv0 = tv;
    const tm0 = tm;
    // The bigint bounds as numbers (-1: outside [0, 2^32), where __update_reg64_bounds clamps
    // them to the tnum's ends; the caller guarantees umin and smin are not above 2^32 - 1).
    const umin0 = Number(this.umin);
    const smin0 = this.smin >= 0n ? Number(this.smin) : -1;
    const umax0 = this.umax <= U32_MASK ? Number(this.umax) : -1;
    const smax0 = this.smax <= U32_MASK ? Number(this.smax) : -1;
    const vm = (tv | tm) >>> 0;
    let umin = umin0;
    let smin = smin0 < 0 ? tv : smin0;
    let umax = umax0 < 0 ? vm : umax0;
    let smax = smax0 < 0 ? vm : smax0;
    let { s32min, s32max, u32min, u32max } = this;
    const update = (): void => {
      const s32lo = (tv | (tm & 0x8000_0000)) | 0;
      const s32hi = (tv | (tm & 0x7fff_ffff)) | 0;
      if (s32lo > s32min) s32min = s32lo;
      if (s32hi < s32max) s32max = s32hi;
      if (tv > u32min) u32min = tv;
      const hi = (tv | tm) >>> 0;
      if (hi < u32max) u32max = hi;
      if (tv > smin) smin = tv;
      if (hi < smax) smax = hi;
      if (tv > umin) umin = tv;
      if (hi < umax) umax = hi;
    };
    update();
    for (let round = 0; round < 3; round++) {
      const b0 = umin, b1 = umax, b2 = smin, b3 = smax, b4 = s32min, b5 = s32max, b6 = u32min, b7 = u32max, b8 = tv, b9 = tm;
      // __reg32_deduce_bounds: the high halves are all zero, so both 64-bit ranges give u32/s32 ranges
      if (umin > u32min) u32min = umin;
      if (umax < u32max) u32max = umax;
      if ((umin | 0) <= (umax | 0)) {
        if ((umin | 0) > s32min) s32min = umin | 0;
        if ((umax | 0) < s32max) s32max = umax | 0;
      }
      if (smin <= smax) {
        if (smin > u32min) u32min = smin;
        if (smax < u32max) u32max = smax;
      }
      if ((smin | 0) <= (smax | 0)) {
        if ((smin | 0) > s32min) s32min = smin | 0;
        if ((smax | 0) < s32max) s32max = smax | 0;
      }
      if ((u32min | 0) <= (u32max | 0)) {
        if ((u32min | 0) > s32min) s32min = u32min | 0;
        if ((u32max | 0) < s32max) s32max = u32max | 0;
      }
      const s32minU = s32min >>> 0;
      const s32maxU = s32max >>> 0;
      if (s32minU <= s32maxU) {
        if (s32minU > u32min) u32min = s32minU;
        if (s32maxU < u32max) u32max = s32maxU;
      } else if (u32max < s32minU) {
        s32min = u32min | 0;
        if (s32maxU < u32max) u32max = s32maxU;
      } else if (s32maxU < u32min) {
        s32max = u32max | 0;
        if (s32minU > u32min) u32min = s32minU;
      }
      // __reg64_deduce_bounds: everything is non-negative, so signed and unsigned agree
      if (umin <= umax) {
        if (umin > smin) smin = umin;
        if (umax < smax) smax = umax;
      }
      if (smin <= smax) {
        if (smin > umin) umin = smin;
        if (smax < umax) umax = smax;
      } else if (umax < smin) {
        smin = umin;
        if (smax < umax) umax = smax;
      } else if (smax < umin) {
        smax = umax;
        if (smin > umin) umin = smin;
      }
      // __reg_deduce_mixed_bounds: a 64-bit bound is its own low half here
      if (u32min > umin) umin = u32min;
      if (u32max < umax) umax = u32max;
      if (u32min > smin) smin = u32min;
      if (u32max < smax) smax = u32max;
      const s32minU2 = s32min >>> 0;
      const s32maxU2 = s32max >>> 0;
      if (s32minU2 <= s32maxU2) {
        if (s32minU2 > umin) umin = s32minU2;
        if (s32maxU2 < umax) umax = s32maxU2;
        if (s32minU2 > smin) smin = s32minU2;
        if (s32maxU2 < smax) smax = s32maxU2;
      }
      if (s32min >= 0 && smax <= S32_MAX) {
        smin = umin = s32min;
        smax = umax = s32max;
        const d = range32Delta(smin, smax);
        const v = (tv | (smin & ~d)) >>> 0;
        tm = (tm & d) >>> 0;
        tv = (v & ~tm) >>> 0;
      }
      if (b0 === umin && b1 === umax && b2 === smin && b3 === smax && b4 === s32min && b5 === s32max && b6 === u32min && b7 === u32max && b8 === tv && b9 === tm) break;
    }
    // __reg_bound_offset
    const d64 = range32Delta(umin, umax);
    const v64 = (tv | (umin & ~d64)) >>> 0;
    const m64 = (tm & d64) >>> 0;
    const d32 = range32Delta(u32min, u32max);
    const v32 = (v64 | (u32min & ~d32)) >>> 0;
    tm = (m64 & d32) >>> 0;
    tv = (v32 & ~tm) >>> 0;
    update();
    if (tv !== tv0 || tm !== tm0) this.varOff = { value: BigInt(tv), mask: BigInt(tm) };
    if (umin !== umin0) this.umin = BigInt(umin);
    if (umax !== umax0) this.umax = BigInt(umax);
    if (smin !== smin0) this.smin = BigInt(smin);
    if (smax !== smax0) this.smax = BigInt(smax);
    this.s32min = s32min;
    this.s32max = s32max;
    this.u32min = u32min;
    this.u32max = u32max;
  }

  /** __update_reg_bounds: the tnum bounds every range. */
  updateBounds(): void {
    this.update32Bounds();
    this.update64Bounds();
  }

  private update32Bounds(): void {
    const v = lo32(this.varOff.value);
    const m = lo32(this.varOff.mask);
    const smin = (v | (m & 0x8000_0000)) | 0;
    const smax = (v | (m & 0x7fff_ffff)) | 0;
    if (smin > this.s32min) this.s32min = smin;
    if (smax < this.s32max) this.s32max = smax;
    if (v > this.u32min) this.u32min = v;
    const umax = (v | m) >>> 0;
    if (umax < this.u32max) this.u32max = umax;
  }

  private update64Bounds(): void {
    const v = this.varOff.value;
    const m = this.varOff.mask;
    const smin = toS64(v | (m & SIGN64));
    const smax = toS64(v | (m & S64_MAX));
    if (smin > this.smin) this.smin = smin;
    if (smax < this.smax) this.smax = smax;
    if (v > this.umin) this.umin = v;
    const umax = v | m;
    if (umax < this.umax) this.umax = umax;
  }

  /** __reg_deduce_bounds: 32 from 64, signed from unsigned and back, 64 from 32. */
  private deduceBounds(): void {
    this.deduce32Bounds();
    this.deduce64Bounds();
    this.deduceMixedBounds();
  }

  private deduce32Bounds(): void {
    const umin = this.umin;
    const umax = this.umax;
    const smin = this.smin;
    const smax = this.smax;
    const uminHi = umin >> 32n;
    const umaxHi = umax >> 32n;
    if (uminHi === umaxHi) {
      // The high halves agree over the whole u64 range: the low halves form a range.
      const lo = lo32(umin);
      const hi = lo32(umax);
      if (lo > this.u32min) this.u32min = lo;
      if (hi < this.u32max) this.u32max = hi;
      if ((lo | 0) <= (hi | 0)) {
        if ((lo | 0) > this.s32min) this.s32min = lo | 0;
        if ((hi | 0) < this.s32max) this.s32max = hi | 0;
      }
    }
    const sminHi = smin >> 32n;
    const smaxHi = smax >> 32n;
    if (sminHi === smaxHi) {
      const lo = lo32(smin);
      const hi = lo32(smax);
      if (lo <= hi) {
        if (lo > this.u32min) this.u32min = lo;
        if (hi < this.u32max) this.u32max = hi;
      }
      if ((lo | 0) <= (hi | 0)) {
        if ((lo | 0) > this.s32min) this.s32min = lo | 0;
        if ((hi | 0) < this.s32max) this.s32max = hi | 0;
      }
    }
    // The high halves are two consecutive numbers and the low halves go from negative to
    // non-negative: the low halves form an s32 range.
    if (((lo32(uminHi) + 1) >>> 0) === lo32(umaxHi) && lo32s(umin) < 0 && lo32s(umax) >= 0) {
      const lo = lo32s(umin);
      const hi = lo32s(umax);
      if (lo > this.s32min) this.s32min = lo;
      if (hi < this.s32max) this.s32max = hi;
    }
    if (((lo32(sminHi) + 1) >>> 0) === lo32(smaxHi) && lo32s(smin) < 0 && lo32s(smax) >= 0) {
      const lo = lo32s(smin);
      const hi = lo32s(smax);
      if (lo > this.s32min) this.s32min = lo;
      if (hi < this.s32max) this.s32max = hi;
    }
    // A u32 range that does not cross the s32 sign boundary is an s32 range too.
    if ((this.u32min | 0) <= (this.u32max | 0)) {
      if ((this.u32min | 0) > this.s32min) this.s32min = this.u32min | 0;
      if ((this.u32max | 0) < this.s32max) this.s32max = this.u32max | 0;
    }
    const s32minU = this.s32min >>> 0;
    const s32maxU = this.s32max >>> 0;
    if (s32minU <= s32maxU) {
      if (s32minU > this.u32min) this.u32min = s32minU;
      if (s32maxU < this.u32max) this.u32max = s32maxU;
    } else if (this.u32max < s32minU) {
      // The u32 range overlaps only the non-negative part of the s32 range.
      this.s32min = this.u32min | 0;
      if (s32maxU < this.u32max) this.u32max = s32maxU;
    } else if (s32maxU < this.u32min) {
      // ... only the negative part.
      this.s32max = this.u32max | 0;
      if (s32minU > this.u32min) this.u32min = s32minU;
    }
  }

  private deduce64Bounds(): void {
    const sUmin = toS64(this.umin);
    const sUmax = toS64(this.umax);
    if (sUmin <= sUmax) {
      if (sUmin > this.smin) this.smin = sUmin;
      if (sUmax < this.smax) this.smax = sUmax;
    }
    const uSmin = toU64(this.smin);
    const uSmax = toU64(this.smax);
    if (uSmin <= uSmax) {
      if (uSmin > this.umin) this.umin = uSmin;
      if (uSmax < this.umax) this.umax = uSmax;
    } else if (this.umax < uSmin) {
      this.smin = toS64(this.umin);
      if (uSmax < this.umax) this.umax = uSmax;
    } else if (uSmax < this.umin) {
      this.smax = toS64(this.umax);
      if (uSmin > this.umin) this.umin = uSmin;
    }
  }

  private deduceMixedBounds(): void {
    // Replacing the low half of a 64-bit bound by a 32-bit bound only ever moves the bound within
    // its own 2^32 block, so "is it tighter" is a comparison of low halves: done on numbers, with
    // one bigint rebuild per bound that actually moves.
    const uminLo = lo32(this.umin);
    const umaxLo = lo32(this.umax);
    const sminLo = lo32(this.smin);
    const smaxLo = lo32(this.smax);
    let newUminLo = uminLo > this.u32min ? uminLo : this.u32min;
    let newUmaxLo = umaxLo < this.u32max ? umaxLo : this.u32max;
    let newSminLo = sminLo > this.u32min ? sminLo : this.u32min;
    let newSmaxLo = smaxLo < this.u32max ? smaxLo : this.u32max;
    const s32minU = this.s32min >>> 0;
    const s32maxU = this.s32max >>> 0;
    if (s32minU <= s32maxU) {
      if (s32minU > newUminLo) newUminLo = s32minU;
      if (s32maxU < newUmaxLo) newUmaxLo = s32maxU;
      if (s32minU > newSminLo) newSminLo = s32minU;
      if (s32maxU < newSmaxLo) newSmaxLo = s32maxU;
    }
    if (newUminLo !== uminLo) this.umin = (this.umin & HI32_MASK) | BigInt(newUminLo);
    if (newUmaxLo !== umaxLo) this.umax = (this.umax & HI32_MASK) | BigInt(newUmaxLo);
    // for s64 the high half is cleared in two's complement (bigint & works on the infinite form)
    if (newSminLo !== sminLo) this.smin = (this.smin & NOT_U32_MASK) | BigInt(newSminLo);
    if (newSmaxLo !== smaxLo) this.smax = (this.smax & NOT_U32_MASK) | BigInt(newSmaxLo);
    // After a sign-extending load: a non-negative s32 range inside [S32_MIN, S32_MAX] as s64
    // rules out the all-ones upper half.
    if (this.s32min >= 0 && this.smin >= S32_MIN_BIG && this.smax <= S32_MAX_BIG) {
      this.smin = this.umin = BigInt(this.s32min);
      this.smax = this.umax = BigInt(this.s32max);
      this.varOff = tnumIntersect(this.varOff, tnumRange(this.smin, this.smax));
    }
  }

  /** __reg_bound_offset: the unsigned ranges bound the tnum. */
  private boundOffset(): void {
    const t = this.varOff;
    // tnum_intersect(var_off, tnum_range(umin, umax)), then the low half with the u32 range
    const r = tnumRange(this.umin, this.umax);
    const v64 = t.value | r.value;
    const m64 = t.mask & r.mask;
    const a = this.u32min;
    const b = this.u32max;
    const bits = 32 - Math.clz32(a ^ b);
    const delta = bits === 32 ? 0xffff_ffff : 2 ** bits - 1;
    const r32v = (a & ~delta) >>> 0;
    const v32 = (lo32(v64) | r32v) >>> 0;
    const m32 = (lo32(m64) & delta) >>> 0;
    const value = (v64 & ~m64 & HI32_MASK) | BigInt((v32 & ~m32) >>> 0);
    const mask = (m64 & HI32_MASK) | BigInt(m32);
    if (value !== t.value || mask !== t.mask) this.varOff = { value, mask };
  }

  // ---- truncation and extension -----------------------------------------------------------------

  /** Zero-extend the low half into the whole register (zext_32_to_64 after an ALU32 op). */
  zext32(): void {
    this.varOff = tnumSubreg(this.varOff);
    this.umin = BigInt(this.u32min);
    this.umax = BigInt(this.u32max);
    if (this.s32min >= 0 && this.s32max >= 0) {
      this.smin = BigInt(this.s32min);
      this.smax = BigInt(this.s32max);
    } else {
      this.smin = 0n;
      this.smax = U32_MASK;
    }
  }

  /** Keep the low `bytes` bytes, zero-extended (coerce_reg_to_size; bytes < 8). */
  coerceToSize(bytes: number): void {
    this.varOff = tnumCast(this.varOff, bytes);
    const mask = (1n << BigInt(bytes * 8)) - 1n;
    if ((this.umin & ~mask) === (this.umax & ~mask)) {
      this.umin &= mask;
      this.umax &= mask;
    } else {
      this.umin = 0n;
      this.umax = mask;
    }
    this.smin = this.umin;
    this.smax = this.umax;
    if (bytes < 4) this.mark32Unbounded();
    this.sync();
  }

  /** Sign-extend the low `bytes` bytes (1, 2 or 4) into 64 bits (coerce_reg_to_size_sx). */
  coerceToSizeSx(bytes: number): void {
    const bits = bytes * 8;
    if (this.varOff.mask === 0n) {
      this.markKnown(BigInt.asIntN(bits, this.varOff.value));
      return;
    }
    // 6.18: when the low half's s32 range already fits the narrow type, sign-extending the low
    // `bits` bits is sign-extending the low half: the s64 range is the s32 range.
    const lim = 2 ** (bits - 1);
    if (this.s32min >= -lim && this.s32max <= lim - 1) {
      const lo = BigInt(this.s32min);
      const hi = BigInt(this.s32max);
      this.smin = lo;
      this.smax = hi;
      if (lo >= 0n === hi >= 0n) {
        this.umin = toU64(lo);
        this.umax = toU64(hi);
      } else {
        this.umin = 0n;
        this.umax = U64_MAX;
      }
      this.varOff = tnumRange(toU64(lo), toU64(hi));
      this.sync();
      return;
    }
    const nb = BigInt(bits);
    const topMax = (toU64(this.smax) >> nb) << nb;
    const topMin = (toU64(this.smin) >> nb) << nb;
    if (topMax === topMin) {
      const a = BigInt.asIntN(bits, this.smax);
      const b = BigInt.asIntN(bits, this.smin);
      const hi = maxB(a, b);
      const lo = minB(a, b);
      if (hi >= 0n === lo >= 0n) {
        this.smin = lo;
        this.smax = hi;
        this.s32min = Number(lo);
        this.s32max = Number(hi);
        this.umin = toU64(lo);
        this.umax = toU64(hi);
        this.u32min = lo32(lo);
        this.u32max = lo32(hi);
        this.varOff = tnumRange(this.umin, this.umax);
        return;
      }
    }
    // set_sext64_default_val
    this.smin = BigInt(-lim);
    this.smax = BigInt(lim - 1);
    this.s32min = -lim;
    this.s32max = lim - 1;
    this.umin = 0n;
    this.u32min = 0;
    this.umax = U64_MAX;
    this.u32max = U32_MAX;
    this.varOff = TNUM_UNKNOWN;
  }

  /** Sign-extend the low `bytes` bytes (1 or 2) of the low half into 32 bits
   *  (coerce_subreg_to_size_sx; the caller zero-extends into 64 bits). */
  coerceSubregToSizeSx(bytes: number): void {
    const bits = bytes * 8;
    if (this.varOff.mask === 0n) {
      // tnum_const((s8/s16)value): the whole 64-bit tnum becomes the sign-extended constant
      const v = BigInt.asIntN(bits, this.varOff.value) & U64_MAX;
      this.varOff = tnumConst(v);
      this.s32min = this.s32max = lo32s(v);
      this.u32min = this.u32max = lo32(v);
      return;
    }
    const topMax = ((this.s32max >>> 0) >>> bits) << bits;
    const topMin = ((this.s32min >>> 0) >>> bits) << bits;
    if (topMax === topMin) {
      const a = bits === 8 ? (this.s32max << 24) >> 24 : (this.s32max << 16) >> 16;
      const b = bits === 8 ? (this.s32min << 24) >> 24 : (this.s32min << 16) >> 16;
      const hi = Math.max(a, b);
      const lo = Math.min(a, b);
      if (lo >= 0 === hi >= 0) {
        this.s32min = lo;
        this.s32max = hi;
        this.u32min = lo >>> 0;
        this.u32max = hi >>> 0;
        this.varOff = tnumSubreg(tnumRange(toU64(BigInt(lo)), toU64(BigInt(hi))));
        return;
      }
    }
    const lim = bits === 8 ? 0x80 : 0x8000;
    this.s32min = -lim;
    this.s32max = lim - 1;
    this.u32min = 0;
    this.u32max = U32_MAX;
    this.varOff = tnumSubreg(TNUM_UNKNOWN);
  }
}

/** The unknown-bits mask of tnum_range(a, b) for u32 numbers. */
function range32Delta(a: number, b: number): number {
  const bits = 32 - Math.clz32((a ^ b) >>> 0);
  return bits === 32 ? 0xffff_ffff : 2 ** bits - 1;
}

// ---- ALU ------------------------------------------------------------------------------------------

const SRC_X = 0x08;

/** A reusable constant for the immediate operand (never handed out). */
const immScratch = Scalar.unknown();

function add32(dst: Scalar, src: Scalar): void {
  const smin = dst.s32min + src.s32min;
  const smax = dst.s32max + src.s32max;
  if (smin < S32_MIN || smin > S32_MAX || smax < S32_MIN || smax > S32_MAX) {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  } else {
    dst.s32min = smin;
    dst.s32max = smax;
  }
  // 6.18: when both ends wrap (or neither does) the wrapped ends still bound the result
  const umin = dst.u32min + src.u32min;
  const umax = dst.u32max + src.u32max;
  if (umin <= U32_MAX && umax > U32_MAX) {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  } else {
    dst.u32min = umin >>> 0;
    dst.u32max = umax >>> 0;
  }
}

function add64(dst: Scalar, src: Scalar): void {
  const smin = dst.smin + src.smin;
  const smax = dst.smax + src.smax;
  if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  } else {
    dst.smin = smin;
    dst.smax = smax;
  }
  const umin = dst.umin + src.umin;
  const umax = dst.umax + src.umax;
  if (umin <= U64_MAX && umax > U64_MAX) {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  } else {
    dst.umin = umin & U64_MAX;
    dst.umax = umax & U64_MAX;
  }
}

function sub32(dst: Scalar, src: Scalar): void {
  const smin = dst.s32min - src.s32max;
  const smax = dst.s32max - src.s32min;
  if (smin < S32_MIN || smin > S32_MAX || smax < S32_MIN || smax > S32_MAX) {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  } else {
    dst.s32min = smin;
    dst.s32max = smax;
  }
  // 6.18: when both ends wrap below zero (or neither does) the wrapped ends still bound the result
  const umin = dst.u32min - src.u32max;
  const umax = dst.u32max - src.u32min;
  if (umin < 0 && umax >= 0) {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  } else {
    dst.u32min = umin >>> 0;
    dst.u32max = umax >>> 0;
  }
}

function sub64(dst: Scalar, src: Scalar): void {
  const smin = dst.smin - src.smax;
  const smax = dst.smax - src.smin;
  if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  } else {
    dst.smin = smin;
    dst.smax = smax;
  }
  const umin = dst.umin - src.umax;
  const umax = dst.umax - src.umin;
  if (umin < 0n && umax >= 0n) {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  } else {
    dst.umin = umin & U64_MAX;
    dst.umax = umax & U64_MAX;
  }
}

function mul32(dst: Scalar, src: Scalar): void {
  const umin = dst.u32min * src.u32min;
  const umax = dst.u32max * src.u32max;
  if (umin > U32_MAX || umax > U32_MAX) {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  } else {
    dst.u32min = umin;
    dst.u32max = umax;
  }
  const p0 = dst.s32min * src.s32min;
  const p1 = dst.s32min * src.s32max;
  const p2 = dst.s32max * src.s32min;
  const p3 = dst.s32max * src.s32max;
  const lo = Math.min(p0, p1, p2, p3);
  const hi = Math.max(p0, p1, p2, p3);
  if (lo < S32_MIN || hi > S32_MAX) {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  } else {
    // + 0 turns a -0 product into 0
    dst.s32min = lo + 0;
    dst.s32max = hi + 0;
  }
}

function mul64(dst: Scalar, src: Scalar): void {
  const umin = dst.umin * src.umin;
  const umax = dst.umax * src.umax;
  if (umin > U64_MAX || umax > U64_MAX) {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  } else {
    dst.umin = umin;
    dst.umax = umax;
  }
  const p0 = dst.smin * src.smin;
  const p1 = dst.smin * src.smax;
  const p2 = dst.smax * src.smin;
  const p3 = dst.smax * src.smax;
  if (p0 < S64_MIN || p0 > S64_MAX || p1 < S64_MIN || p1 > S64_MAX || p2 < S64_MIN || p2 > S64_MAX || p3 < S64_MIN || p3 > S64_MAX) {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  } else {
    dst.smin = minB(minB(p0, p1), minB(p2, p3));
    dst.smax = maxB(maxB(p0, p1), maxB(p2, p3));
  }
}

/** After a bitwise op: the s32 range is the u32 range when that does not cross the sign bit. */
function s32FromU32(dst: Scalar): void {
  if ((dst.u32min | 0) <= (dst.u32max | 0)) {
    dst.s32min = dst.u32min | 0;
    dst.s32max = dst.u32max | 0;
  } else {
    dst.s32min = S32_MIN;
    dst.s32max = S32_MAX;
  }
}

function s64FromU64(dst: Scalar): void {
  if (toS64(dst.umin) <= toS64(dst.umax)) {
    dst.smin = toS64(dst.umin);
    dst.smax = toS64(dst.umax);
  } else {
    dst.smin = S64_MIN;
    dst.smax = S64_MAX;
  }
}

function and32(dst: Scalar, src: Scalar): void {
  const v = lo32(dst.varOff.value);
  if (src.isConst32() && dst.isConst32()) {
    dst.markKnown32(v);
    return;
  }
  dst.u32min = v;
  if (src.u32max < dst.u32max) dst.u32max = src.u32max;
  s32FromU32(dst);
}

function and64(dst: Scalar, src: Scalar): void {
  if (src.isConst() && dst.isConst()) {
    dst.markKnown(dst.varOff.value);
    return;
  }
  dst.umin = dst.varOff.value;
  if (src.umax < dst.umax) dst.umax = src.umax;
  s64FromU64(dst);
  dst.updateBounds();
}

function or32(dst: Scalar, src: Scalar): void {
  const v = lo32(dst.varOff.value);
  if (src.isConst32() && dst.isConst32()) {
    dst.markKnown32(v);
    return;
  }
  if (src.u32min > dst.u32min) dst.u32min = src.u32min;
  dst.u32max = (v | lo32(dst.varOff.mask)) >>> 0;
  s32FromU32(dst);
}

function or64(dst: Scalar, src: Scalar): void {
  if (src.isConst() && dst.isConst()) {
    dst.markKnown(dst.varOff.value);
    return;
  }
  if (src.umin > dst.umin) dst.umin = src.umin;
  dst.umax = dst.varOff.value | dst.varOff.mask;
  s64FromU64(dst);
  dst.updateBounds();
}

function xor32(dst: Scalar, src: Scalar): void {
  const v = lo32(dst.varOff.value);
  if (src.isConst32() && dst.isConst32()) {
    dst.markKnown32(v);
    return;
  }
  dst.u32min = v;
  dst.u32max = (v | lo32(dst.varOff.mask)) >>> 0;
  s32FromU32(dst);
}

function xor64(dst: Scalar, src: Scalar): void {
  if (src.isConst() && dst.isConst()) {
    dst.markKnown(dst.varOff.value);
    return;
  }
  dst.umin = dst.varOff.value;
  dst.umax = dst.varOff.value | dst.varOff.mask;
  s64FromU64(dst);
  dst.updateBounds();
}

/** The 32-bit bounds of a left shift by [umin, umax] (__scalar32_min_max_lsh). */
function lsh32Bounds(dst: Scalar, umin: number, umax: number): void {
  dst.s32min = S32_MIN;
  dst.s32max = S32_MAX;
  if (umax > 31 || dst.u32max > 2 ** (31 - umax)) {
    dst.u32min = 0;
    dst.u32max = U32_MAX;
  } else {
    dst.u32min = (dst.u32min * 2 ** umin) >>> 0;
    dst.u32max = (dst.u32max * 2 ** umax) >>> 0;
  }
}

function lsh64(dst: Scalar, shift: number): void {
  const s = BigInt(shift);
  // <<32 keeps the s32 bounds as the high half (the compiler's sign-extension idiom)
  if (shift === 32) {
    dst.smax = BigInt(dst.s32max) << 32n;
    dst.smin = BigInt(dst.s32min) << 32n;
  } else {
    dst.smax = S64_MAX;
    dst.smin = S64_MIN;
  }
  if (dst.umax > 1n << (63n - s)) {
    dst.umin = 0n;
    dst.umax = U64_MAX;
  } else {
    dst.umin = (dst.umin << s) & U64_MAX;
    dst.umax = (dst.umax << s) & U64_MAX;
  }
  lsh32Bounds(dst, shift, shift);
  dst.varOff = tnumLshift(dst.varOff, shift);
  dst.updateBounds();
}

function lsh32(dst: Scalar, shift: number): void {
  const sub = tnumSubreg(dst.varOff);
  lsh32Bounds(dst, shift, shift);
  dst.varOff = tnumSubreg(tnumLshift(sub, shift));
  dst.mark64Unbounded();
  dst.updateBounds();
}

function rsh32(dst: Scalar, shift: number): void {
  const sub = tnumSubreg(dst.varOff);
  dst.s32min = S32_MIN;
  dst.s32max = S32_MAX;
  dst.varOff = tnumRshift(sub, shift);
  dst.u32min = dst.u32min >>> shift;
  dst.u32max = dst.u32max >>> shift;
  dst.mark64Unbounded();
  dst.updateBounds();
}

function rsh64(dst: Scalar, shift: number): void {
  const s = BigInt(shift);
  dst.smin = S64_MIN;
  dst.smax = S64_MAX;
  dst.varOff = tnumRshift(dst.varOff, shift);
  dst.umin >>= s;
  dst.umax >>= s;
  dst.mark32Unbounded();
  dst.updateBounds();
}

function arsh32(dst: Scalar, shift: number): void {
  dst.s32min >>= shift;
  dst.s32max >>= shift;
  dst.varOff = tnumArshift(tnumSubreg(dst.varOff), shift, 32);
  dst.u32min = 0;
  dst.u32max = U32_MAX;
  dst.mark64Unbounded();
  dst.updateBounds();
}

function arsh64(dst: Scalar, shift: number): void {
  const s = BigInt(shift);
  dst.smin >>= s;
  dst.smax >>= s;
  dst.varOff = tnumArshift(dst.varOff, shift, 64);
  dst.umin = 0n;
  dst.umax = U64_MAX;
  dst.mark32Unbounded();
  dst.updateBounds();
}

function swapBytes(x: bigint, bytes: number): bigint {
  let out = 0n;
  for (let i = 0; i < bytes; i++) {
    out = (out << 8n) | (x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** Byte swap or truncation (BPF_END). The verifier models a little-endian machine, as x86 runs
 *  it: to-le is a truncation, to-be and ALU64 bswap swap the bytes. */
function byteSwap(dst: Scalar, alu64: boolean, toBe: boolean, width: number): void {
  const bytes = width >> 3;
  if (alu64 || toBe) {
    const t = dst.varOff;
    const v = bytes === 8 ? t.value : t.value & ((1n << BigInt(width)) - 1n);
    const m = bytes === 8 ? t.mask : t.mask & ((1n << BigInt(width)) - 1n);
    dst.varOff = { value: swapBytes(v, bytes), mask: swapBytes(m, bytes) };
    dst.markUnbounded();
  }
  if (bytes < 8) dst.coerceToSize(bytes);
}

/** The concrete result of `a op b` (u64 operands) when the domain's result is that constant, or
 *  -1n when the op leaves the general path to decide (a shift out of range). */
function constAlu(op: number, alu64: boolean, a: bigint, b: bigint): bigint {
  if (alu64) {
    switch (op) {
      case AluOp.ADD:
        return (a + b) & U64_MAX;
      case AluOp.SUB:
        return (a - b) & U64_MAX;
      case AluOp.MUL:
        return (a * b) & U64_MAX;
      case AluOp.AND:
        return a & b;
      case AluOp.OR:
        return a | b;
      case AluOp.XOR:
        return a ^ b;
      case AluOp.NEG:
        return -a & U64_MAX;
      case AluOp.LSH:
        return b < 64n ? (a << b) & U64_MAX : -1n;
      case AluOp.RSH:
        return b < 64n ? a >> b : -1n;
      case AluOp.ARSH:
        return b < 64n ? (toS64(a) >> b) & U64_MAX : -1n;
      default:
        return -1n;
    }
  }
  const x = Number(a & U32_MASK);
  const y = Number(b & U32_MASK);
  switch (op) {
    case AluOp.ADD:
      return BigInt((x + y) >>> 0);
    case AluOp.SUB:
      return BigInt((x - y) >>> 0);
    case AluOp.MUL:
      return BigInt(Math.imul(x, y) >>> 0);
    case AluOp.AND:
      return BigInt((x & y) >>> 0);
    case AluOp.OR:
      return BigInt((x | y) >>> 0);
    case AluOp.XOR:
      return BigInt((x ^ y) >>> 0);
    case AluOp.NEG:
      return BigInt(-x >>> 0);
    // the kernel checks the 64-bit value of the shift amount even for a 32-bit shift
    case AluOp.LSH:
      return b < 32n ? BigInt((x << y) >>> 0) : -1n;
    case AluOp.RSH:
      return b < 32n ? BigInt(x >>> y) : -1n;
    case AluOp.ARSH:
      return b < 32n ? BigInt((x >> y) >>> 0) : -1n;
    default:
      return -1n;
  }
}

/** Whether the kernel computes a range for this op at all (is_safe_to_compute_dst_reg_range):
 *  shifts only by a constant below the operand width, no division or modulo. */
function rangeComputable(op: number, alu64: boolean, src: Scalar): boolean {
  switch (op) {
    case AluOp.ADD:
    case AluOp.SUB:
    case AluOp.AND:
    case AluOp.XOR:
    case AluOp.OR:
    case AluOp.MUL:
    case AluOp.NEG:
    case AluOp.END:
      return true;
    case AluOp.LSH:
    case AluOp.RSH:
    case AluOp.ARSH: {
      const bits = alu64 ? 64n : 32n;
      const isConst = alu64
        ? src.isConst() && src.smin === src.smax && src.umin === src.umax
        : src.isConst32() && src.s32min === src.s32max && src.u32min === src.u32max;
      // the kernel compares the 64-bit umax even for a 32-bit shift
      return isConst && src.umax < bits;
    }
    default:
      return false;
  }
}

/** The kernel's adjust_scalar_min_max_vals plus the scalar parts of check_alu_op (MOV, MOVSX,
 *  NEG, END): `dst` becomes the abstract result. For the immediate forms `src` is ignored and
 *  the (sign-extended) `imm` is used, as the kernel does. Division and modulo give an unknown
 *  scalar, as in 6.18. Register ids (for linked registers) are the caller's business. */
export function scalarAlu(opcode: number, off: number, imm: number, dst: Scalar, src: Scalar): void {
  const op = opcode & 0xf0;
  const alu64 = (opcode & 0x07) === Cls.ALU64;
  const srcX = (opcode & SRC_X) !== 0;

  if (op === AluOp.MOV) {
    if (!srcX) {
      dst.markKnown(alu64 ? BigInt(imm) : BigInt(imm >>> 0));
      return;
    }
    if (alu64) {
      dst.assign(src);
      if (off === 8 || off === 16 || off === 32) dst.coerceToSizeSx(off >> 3);
      return;
    }
    dst.assign(src);
    if (off === 8 || off === 16) dst.coerceSubregToSizeSx(off >> 3);
    dst.zext32();
    dst.sync();
    return;
  }
  if (op === AluOp.END) {
    // no zero-extension step: to-le 64 leaves the register as it is, the narrower forms truncate
    if (alu64 || srcX || imm !== 64) {
      byteSwap(dst, alu64, srcX, imm);
      dst.sync();
    }
    return;
  }

  // Both operands constant: the kernel's result is the constant result (the tnum stays constant
  // and reg_bounds_sync pins every bound to it), except for division and modulo (unknown).
  if (dst.varOff.mask === 0n && op !== AluOp.DIV && op !== AluOp.MOD) {
    const b = op === AluOp.NEG ? 0n : !srcX ? BigInt(imm) & U64_MAX : src.varOff.mask === 0n ? src.varOff.value : -1n;
    if (b >= 0n) {
      const r = constAlu(op, alu64, dst.varOff.value, b);
      if (r >= 0n) {
        dst.markKnown(r);
        return;
      }
    }
  }
  let s = src;
  if (!srcX && op !== AluOp.NEG) {
    immScratch.markKnown(BigInt(imm));
    s = immScratch;
  } else if (s === dst && op !== AluOp.NEG) {
    // the kernel works on a copy of the source: `r1 += r1` must not see its own half-updated bounds
    s = dst.clone();
  }
  if (!rangeComputable(op, alu64, s)) {
    dst.markUnknown();
    return;
  }
  switch (op) {
    case AluOp.ADD:
      add32(dst, s);
      add64(dst, s);
      dst.varOff = tnumAdd(dst.varOff, s.varOff);
      break;
    case AluOp.SUB:
      sub32(dst, s);
      sub64(dst, s);
      dst.varOff = tnumSub(dst.varOff, s.varOff);
      break;
    case AluOp.NEG: {
      // 0 - dst, with the subtraction's transfer functions
      const operand = dst.clone();
      dst.markKnown(0n);
      sub32(dst, operand);
      sub64(dst, operand);
      dst.varOff = tnumSub(dst.varOff, operand.varOff);
      break;
    }
    case AluOp.MUL:
      dst.varOff = tnumMul(dst.varOff, s.varOff);
      mul32(dst, s);
      mul64(dst, s);
      break;
    case AluOp.AND:
      dst.varOff = tnumAnd(dst.varOff, s.varOff);
      and32(dst, s);
      and64(dst, s);
      break;
    case AluOp.OR:
      dst.varOff = tnumOr(dst.varOff, s.varOff);
      or32(dst, s);
      or64(dst, s);
      break;
    case AluOp.XOR:
      dst.varOff = tnumXor(dst.varOff, s.varOff);
      xor32(dst, s);
      xor64(dst, s);
      break;
    case AluOp.LSH:
      if (alu64) lsh64(dst, Number(s.umin));
      else lsh32(dst, s.u32min);
      break;
    case AluOp.RSH:
      if (alu64) rsh64(dst, Number(s.umin));
      else rsh32(dst, s.u32min);
      break;
    case AluOp.ARSH:
      if (alu64) arsh64(dst, Number(s.umin));
      else arsh32(dst, s.u32min);
      break;
  }
  if (!alu64) dst.zext32();
  dst.sync();
}

/** sync_linked_regs' step for a register linked with a different delta: `dst` (a copy of the
 *  register the branch refined) plus the constant difference of the two deltas, added as the
 *  kernel adds it (the 32- and 64-bit bounds and the tnum, no fold to a constant first), then
 *  zero-extended when the refined register's link came from a 32-bit add, and synced. */
export function addLinkedDelta(dst: Scalar, delta: bigint, zext32: boolean): void {
  const d = Scalar.known(BigInt.asUintN(64, delta));
  add32(dst, d);
  add64(dst, d);
  dst.varOff = tnumAdd(dst.varOff, d.varOff);
  if (zext32) dst.zext32();
  dst.sync();
}

/** Whether `dst op= src` with a constant `src` is one the kernel splits into two states before
 *  computing (maybe_fork_scalars: AND/OR with a constant on a register in [-1, 0]): returns 64 or
 *  32 for the width that is forked, or 0. The caller pushes the state where dst is 0 (markKnown /
 *  markKnown32) and continues with dst = -1. */
export function forkWidth(opcode: number, dst: Scalar, src: Scalar): 0 | 32 | 64 {
  const op = opcode & 0xf0;
  if (op !== AluOp.AND && op !== AluOp.OR) return 0;
  if (!src.isConst()) return 0;
  if (dst.smin === -1n && dst.smax === 0n) return 64;
  if (dst.s32min === -1 && dst.s32max === 0) return 32;
  return 0;
}

// ---- branches -------------------------------------------------------------------------------------

const JSET_NOT = JmpOp.JSET | SRC_X; // the kernel's name for "JSET not taken"

/** a <op> b seen from b: b <flip(op)> a. */
function flipOp(op: number): number {
  switch (op) {
    case JmpOp.JGE:
      return JmpOp.JLE;
    case JmpOp.JGT:
      return JmpOp.JLT;
    case JmpOp.JLE:
      return JmpOp.JGE;
    case JmpOp.JLT:
      return JmpOp.JGT;
    case JmpOp.JSGE:
      return JmpOp.JSLE;
    case JmpOp.JSGT:
      return JmpOp.JSLT;
    case JmpOp.JSLE:
      return JmpOp.JSGE;
    case JmpOp.JSLT:
      return JmpOp.JSGT;
    default:
      return op;
  }
}

/** The condition of the fall-through edge. */
function revOp(op: number): number {
  switch (op) {
    case JmpOp.JEQ:
      return JmpOp.JNE;
    case JmpOp.JNE:
      return JmpOp.JEQ;
    case JmpOp.JSET:
      return JSET_NOT;
    case JSET_NOT:
      return JmpOp.JSET;
    case JmpOp.JGE:
      return JmpOp.JLT;
    case JmpOp.JGT:
      return JmpOp.JLE;
    case JmpOp.JLE:
      return JmpOp.JGT;
    case JmpOp.JLT:
      return JmpOp.JGE;
    case JmpOp.JSGE:
      return JmpOp.JSLT;
    case JmpOp.JSGT:
      return JmpOp.JSLE;
    case JmpOp.JSLE:
      return JmpOp.JSGT;
    case JmpOp.JSLT:
      return JmpOp.JSGE;
    default:
      return 0;
  }
}

/** The kernel's is_scalar_branch_taken: 1 always taken, 0 never, -1 unknown. */
export function isBranchTaken(opcode: number, a: Scalar, b: Scalar): -1 | 0 | 1 {
  const op = opcode & 0xf0;
  const is32 = (opcode & 0x07) === Cls.JMP32;
  // 32-bit bounds are compared as numbers, 64-bit ones as bigints (never mixed)
  let umin1: bigint | number, umax1: bigint | number, smin1: bigint | number, smax1: bigint | number;
  let umin2: bigint | number, umax2: bigint | number, smin2: bigint | number, smax2: bigint | number;
  let t1: Tnum, t2: Tnum;
  if (is32) {
    t1 = tnumSubreg(a.varOff);
    t2 = tnumSubreg(b.varOff);
    umin1 = a.u32min;
    umax1 = a.u32max;
    smin1 = a.s32min;
    smax1 = a.s32max;
    umin2 = b.u32min;
    umax2 = b.u32max;
    smin2 = b.s32min;
    smax2 = b.s32max;
  } else {
    t1 = a.varOff;
    t2 = b.varOff;
    umin1 = a.umin;
    umax1 = a.umax;
    smin1 = a.smin;
    smax1 = a.smax;
    umin2 = b.umin;
    umax2 = b.umax;
    smin2 = b.smin;
    smax2 = b.smax;
  }
  switch (op) {
    case JmpOp.JEQ:
    case JmpOp.JNE: {
      const eq = op === JmpOp.JEQ;
      if (t1.mask === 0n && t2.mask === 0n) return (t1.value === t2.value) === eq ? 1 : 0;
      const differ =
        !tnumOverlap(t1, t2) ||
        umin1 > umax2 ||
        umax1 < umin2 ||
        smin1 > smax2 ||
        smax1 < smin2 ||
        (!is32 && (a.u32min > b.u32max || a.u32max < b.u32min || a.s32min > b.s32max || a.s32max < b.s32min));
      if (differ) return eq ? 0 : 1;
      return -1;
    }
    case JmpOp.JSET: {
      let x = t1;
      let k = t2;
      if (k.mask !== 0n) {
        x = t2;
        k = t1;
      }
      if (k.mask !== 0n) return -1;
      if ((~x.mask & x.value & k.value) !== 0n) return 1;
      if (((x.mask | x.value) & k.value) === 0n) return 0;
      return -1;
    }
    case JmpOp.JGT:
      if (umin1 > umax2) return 1;
      if (umax1 <= umin2) return 0;
      return -1;
    case JmpOp.JSGT:
      if (smin1 > smax2) return 1;
      if (smax1 <= smin2) return 0;
      return -1;
    case JmpOp.JLT:
      if (umax1 < umin2) return 1;
      if (umin1 >= umax2) return 0;
      return -1;
    case JmpOp.JSLT:
      if (smax1 < smin2) return 1;
      if (smin1 >= smax2) return 0;
      return -1;
    case JmpOp.JGE:
      if (umin1 >= umax2) return 1;
      if (umax1 < umin2) return 0;
      return -1;
    case JmpOp.JSGE:
      if (smin1 >= smax2) return 1;
      if (smax1 < smin2) return 0;
      return -1;
    case JmpOp.JLE:
      if (umax1 <= umin2) return 1;
      if (umin1 > umax2) return 0;
      return -1;
    case JmpOp.JSLE:
      if (smax1 <= smin2) return 1;
      if (smin1 > smax2) return 0;
      return -1;
    default:
      return -1;
  }
}

/** regs_refine_cond_op: narrow r1 and r2 for `r1 op r2` being true. */
function refineCond(r1: Scalar, r2: Scalar, op: number, is32: boolean): void {
  switch (op) {
    case JmpOp.JGE:
    case JmpOp.JGT:
    case JmpOp.JSGE:
    case JmpOp.JSGT: {
      op = flipOp(op);
      const t = r1;
      r1 = r2;
      r2 = t;
      break;
    }
  }
  switch (op) {
    case JmpOp.JEQ:
      if (is32) {
        r1.u32min = Math.max(r1.u32min, r2.u32min);
        r1.u32max = Math.min(r1.u32max, r2.u32max);
        r1.s32min = Math.max(r1.s32min, r2.s32min);
        r1.s32max = Math.min(r1.s32max, r2.s32max);
        r2.u32min = r1.u32min;
        r2.u32max = r1.u32max;
        r2.s32min = r1.s32min;
        r2.s32max = r1.s32max;
        const t = tnumIntersect(tnumSubreg(r1.varOff), tnumSubreg(r2.varOff));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
        r2.varOff = tnumWithSubreg(r2.varOff, t);
      } else {
        r1.umin = maxB(r1.umin, r2.umin);
        r1.umax = minB(r1.umax, r2.umax);
        r1.smin = maxB(r1.smin, r2.smin);
        r1.smax = minB(r1.smax, r2.smax);
        r2.umin = r1.umin;
        r2.umax = r1.umax;
        r2.smin = r1.smin;
        r2.smax = r1.smax;
        r1.varOff = tnumIntersect(r1.varOff, r2.varOff);
        r2.varOff = r1.varOff;
      }
      return;
    case JmpOp.JNE: {
      if (!(is32 ? r2.isConst32() : r2.isConst())) {
        const t = r1;
        r1 = r2;
        r2 = t;
      }
      if (!(is32 ? r2.isConst32() : r2.isConst())) return;
      // a constant at the edge of r1's range shrinks it by one
      if (is32) {
        const v = r2.constValue32();
        if (r1.u32min === v) r1.u32min = (r1.u32min + 1) >>> 0;
        if (r1.u32max === v) r1.u32max = (r1.u32max - 1) >>> 0;
        if (r1.s32min === (v | 0)) r1.s32min = (r1.s32min + 1) | 0;
        if (r1.s32max === (v | 0)) r1.s32max = (r1.s32max - 1) | 0;
      } else {
        const v = r2.constValue();
        if (r1.umin === v) r1.umin = (r1.umin + 1n) & U64_MAX;
        if (r1.umax === v) r1.umax = (r1.umax - 1n) & U64_MAX;
        const sv = toS64(v);
        if (r1.smin === sv) r1.smin = toS64((toU64(r1.smin) + 1n) & U64_MAX);
        if (r1.smax === sv) r1.smax = toS64((toU64(r1.smax) - 1n) & U64_MAX);
      }
      return;
    }
    case JmpOp.JSET:
    case JSET_NOT: {
      if (!(is32 ? r2.isConst32() : r2.isConst())) {
        const t = r1;
        r1 = r2;
        r2 = t;
      }
      if (!(is32 ? r2.isConst32() : r2.isConst())) return;
      const v = is32 ? BigInt(r2.constValue32()) : r2.constValue();
      if (op === JmpOp.JSET) {
        // only a single-bit test tells which bit is set
        if (v === 0n || (v & (v - 1n)) !== 0n) return;
        if (is32) r1.varOff = tnumWithSubreg(r1.varOff, tnumOr(tnumSubreg(r1.varOff), tnumConst(v)));
        else r1.varOff = tnumOr(r1.varOff, tnumConst(v));
      } else {
        r1.markUnbounded();
        if (is32) r1.varOff = tnumWithSubreg(r1.varOff, tnumAnd(tnumSubreg(r1.varOff), tnumConst(~v & U32_MASK)));
        else r1.varOff = tnumAnd(r1.varOff, tnumConst(~v & U64_MAX));
      }
      return;
    }
    case JmpOp.JLE:
      if (is32) {
        r1.u32max = Math.min(r1.u32max, r2.u32max);
        r2.u32min = Math.max(r1.u32min, r2.u32min);
      } else {
        r1.umax = minB(r1.umax, r2.umax);
        r2.umin = maxB(r1.umin, r2.umin);
      }
      return;
    case JmpOp.JLT:
      // the kernel's arithmetic wraps here (u32/u64); a wrap only happens on an infeasible edge
      if (is32) {
        r1.u32max = Math.min(r1.u32max, (r2.u32max - 1) >>> 0);
        r2.u32min = Math.max((r1.u32min + 1) >>> 0, r2.u32min);
      } else {
        r1.umax = minB(r1.umax, (r2.umax - 1n) & U64_MAX);
        r2.umin = maxB((r1.umin + 1n) & U64_MAX, r2.umin);
      }
      return;
    case JmpOp.JSLE:
      if (is32) {
        r1.s32max = Math.min(r1.s32max, r2.s32max);
        r2.s32min = Math.max(r1.s32min, r2.s32min);
      } else {
        r1.smax = minB(r1.smax, r2.smax);
        r2.smin = maxB(r1.smin, r2.smin);
      }
      return;
    case JmpOp.JSLT:
      if (is32) {
        r1.s32max = Math.min(r1.s32max, (r2.s32max - 1) | 0);
        r2.s32min = Math.max((r1.s32min + 1) | 0, r2.s32min);
      } else {
        r1.smax = minB(r1.smax, toS64((toU64(r2.smax) - 1n) & U64_MAX));
        r2.smin = maxB(toS64((toU64(r1.smin) + 1n) & U64_MAX), r2.smin);
      }
      return;
  }
}

/** Narrow a and b to the states where `a op b` is `taken` (the kernel's reg_set_min_max for one
 *  edge: regs_refine_cond_op then reg_bounds_sync on both). Returns false when the edge is
 *  infeasible (the refined bounds contradict each other). For the immediate forms pass
 *  `Scalar.known(BigInt(imm))` as b. */
export function refineBranch(opcode: number, a: Scalar, b: Scalar, taken: boolean): boolean {
  const op = opcode & 0xf0;
  const is32 = (opcode & 0x07) === Cls.JMP32;
  if (a.isEmpty() || b.isEmpty()) return false;
  // `if r1 < r1` (a === b) is refined like two registers, on the one state, as the kernel does
  refineCond(a, b, taken ? op : revOp(op), is32);
  const emptyBefore = a.isEmpty() || b.isEmpty();
  a.sync();
  b.sync();
  return !(emptyBefore || a.isEmpty() || b.isEmpty());
}

/** Pruning: every value of cur is a value of old (range_within and tnum_in). */
export function scalarWithin(old: Scalar, cur: Scalar): boolean {
  return (
    old.umin <= cur.umin &&
    old.umax >= cur.umax &&
    old.smin <= cur.smin &&
    old.smax >= cur.smax &&
    old.u32min <= cur.u32min &&
    old.u32max >= cur.u32max &&
    old.s32min <= cur.s32min &&
    old.s32max >= cur.s32max &&
    tnumIn(old.varOff, cur.varOff)
  );
}

// ---- the log ---------------------------------------------------------------------------------------

/** An unsigned number as the kernel prints it: decimal up to 0xffff, else hex. */
export function formatUnum(v: bigint): string {
  return v <= 0xffffn ? v.toString() : `0x${v.toString(16)}`;
}

/** A signed number (given as its u64 pattern or as a signed bigint) as the kernel prints it:
 *  decimal in [-32768, 32767], else the u64 pattern in hex. */
export function formatSnum(v: bigint): string {
  const s = toS64(v & U64_MAX);
  return s >= -32768n && s <= 32767n ? s.toString() : `0x${(v & U64_MAX).toString(16)}`;
}

const RANGE_NAMES = ['smin', 'smax', 'umin', 'umax', 'smin32', 'smax32', 'umin32', 'umax32'] as const;
const rangeVals: bigint[] = new Array<bigint>(8).fill(0n);
const rangeOmit: boolean[] = new Array<boolean>(8).fill(false);

/** The kernel's print_scalar_ranges: equal bounds share one `a=b=value`, unbounded ones are left out. */
function formatRanges(s: Scalar, parts: string[]): void {
  const dec32 = (x: number): bigint => (x >= -32768 && x <= 32767 ? toU64(BigInt(x)) : BigInt(x >>> 0));
  rangeVals[0] = toU64(s.smin);
  rangeOmit[0] = s.smin === S64_MIN;
  rangeVals[1] = toU64(s.smax);
  rangeOmit[1] = s.smax === S64_MAX;
  rangeVals[2] = s.umin;
  rangeOmit[2] = s.umin === 0n;
  rangeVals[3] = s.umax;
  rangeOmit[3] = s.umax === U64_MAX;
  rangeVals[4] = dec32(s.s32min);
  rangeOmit[4] = s.s32min === S32_MIN;
  rangeVals[5] = dec32(s.s32max);
  rangeOmit[5] = s.s32max === S32_MAX;
  rangeVals[6] = BigInt(s.u32min);
  rangeOmit[6] = s.u32min === 0;
  rangeVals[7] = BigInt(s.u32max);
  rangeOmit[7] = s.u32max === U32_MAX;
  for (let i = 0; i < 8; i++) {
    if (rangeOmit[i]) continue;
    const name = RANGE_NAMES[i]!;
    const val = rangeVals[i]!;
    const neg1 = name[0] === 's' && val >= SIGN64;
    let text = `${name}=`;
    for (let j = i + 2; j < 8; j += 2) {
      if (rangeOmit[j] || rangeVals[j] !== val) continue;
      const n2 = RANGE_NAMES[j]!;
      const neg2 = n2[0] === 's' && val >= SIGN64;
      if (neg2 !== neg1) continue;
      rangeOmit[j] = true;
      text += `${n2}=`;
    }
    text += name[0] === 's' ? formatSnum(val) : formatUnum(val);
    parts.push(text);
  }
}

/** 6.18's text for a scalar register: `-4`, `0x12345` for constants, else
 *  `scalar(id=1,smin=...,var_off=(0x0; 0xff))`. `precise` prefixes the kernel's `P`;
 *  `addConstOff` is the `+N` the kernel prints after an id that carries a constant delta. */
export function formatScalar(s: Scalar, id?: number, precise?: boolean, addConstOff?: number): string {
  const p = precise ? 'P' : '';
  if (s.varOff.mask === 0n) return p + formatSnum(s.varOff.value);
  const parts: string[] = [];
  if (id) parts.push(addConstOff !== undefined ? `id=${id}${addConstOff >= 0 ? '+' : ''}${addConstOff}` : `id=${id}`);
  formatRanges(s, parts);
  if (s.varOff.mask !== U64_MAX) parts.push(`var_off=(0x${s.varOff.value.toString(16)}; 0x${s.varOff.mask.toString(16)})`);
  return `${p}scalar(${parts.join(',')})`;
}
