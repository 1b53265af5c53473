// Soundness of the scalar domain against the ISA's concrete semantics (test/vm/model.ts, written
// from RFC 9669 and DESIGN section 3): abstract values are built by random walks of branch
// refinements and ALU steps from `unknown` or a constant while one concrete member is carried
// along; every step must keep the member, every ALU op's concrete result must be a member of the
// abstract result, isBranchTaken must never be wrong, refineBranch must never drop a pair that
// takes the edge, and sync() must never lose a member.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AluOp, Cls, JmpOp } from '../../vm/isa.js';
import { Scalar, formatScalar, isBranchTaken, refineBranch, scalarAlu, scalarWithin } from '../../verifier/scalar.js';
import { type AluName, type JmpName, ALU_ENC, JMP_ENC, alu32, alu64, corpus, jmp, u64 } from '../vm/model.js';

const X = 0x08;
const CORPUS = corpus(40, 11);
const u64Arb = fc.oneof(
  fc.constantFrom(...CORPUS),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: 300n }),
  fc.bigInt({ min: -300n, max: -1n }).map(u64),
  fc.bigInt({ min: 0n, max: 0xffffffffn }),
);
const JMP_NAMES = Object.keys(JMP_ENC) as JmpName[];
const STEP_ALU: AluName[] = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'lsh', 'rsh', 'arsh', 'neg', 'movsx8', 'movsx16', 'movsx32'];

/** One step of a walk: a refinement against a constant, or an ALU op with a constant. */
const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('jmp' as const), op: fc.constantFrom(...JMP_NAMES), k: u64Arb, bits: fc.constantFrom(32 as const, 64 as const) }),
  fc.record({ kind: fc.constant('alu' as const), op: fc.constantFrom(...STEP_ALU), k: u64Arb, bits: fc.constantFrom(32 as const, 64 as const) }),
);

/** The concrete result of an ALU instruction (imm/register value `b` already sign-extended). */
function concreteAlu(op: AluName, bits: 32 | 64, a: bigint, b: bigint): bigint {
  if (op === 'neg') return bits === 64 ? alu64('neg', a, 0n) : alu32('neg', a, 0n);
  if (op.startsWith('movsx')) return bits === 64 ? alu64(op, 0n, a) : alu32(op, 0n, a);
  return bits === 64 ? alu64(op, a, b) : alu32(op, a, b);
}

/** Apply an ALU op through the domain, as the verifier core would (MOVSX reads dst as source). */
function abstractAlu(op: AluName, bits: 32 | 64, dst: Scalar, src: Scalar): void {
  const [code, off] = ALU_ENC[op];
  const cls = bits === 64 ? Cls.ALU64 : Cls.ALU;
  if (op === 'neg') scalarAlu(cls | code, 0, 0, dst, dst);
  else if (op.startsWith('movsx')) scalarAlu(cls | code | X, off, 0, dst, dst.clone());
  else scalarAlu(cls | code | X, off, 0, dst, src);
}

const shiftOk = (op: AluName, bits: number, k: bigint): boolean => !['lsh', 'rsh', 'arsh'].includes(op) || k < BigInt(bits);

/** Walk: returns the abstract value and its member, checking every step keeps the member. */
function walk(start: bigint, fromConst: boolean, steps: { kind: 'jmp' | 'alu'; op: string; k: bigint; bits: 32 | 64 }[]): [Scalar, bigint] {
  let x = start;
  const s = fromConst ? Scalar.known(x) : Scalar.unknown();
  for (const st of steps) {
    if (st.kind === 'jmp') {
      const op = st.op as JmpName;
      const taken = jmp(op, x, st.k, st.bits);
      const code = (st.bits === 64 ? Cls.JMP : Cls.JMP32) | JMP_ENC[op];
      const k = Scalar.known(st.k);
      const pred = isBranchTaken(code, s, k);
      if (pred !== -1) {
        expect(pred).toBe(taken ? 1 : 0);
        continue; // the verifier does not refine a decided branch
      }
      const before = s.clone();
      expect(refineBranch(code, s, k, taken)).toBe(true);
      if (!s.contains(x)) throw new Error(`refine ${op}/${st.bits} ${st.k} ${taken} lost ${x}: ${formatScalar(before)} -> ${formatScalar(s)}`);
    } else {
      const op = st.op as AluName;
      if (op === 'movsx32' && st.bits === 32) continue;
      const k = st.op === 'lsh' || st.op === 'rsh' || st.op === 'arsh' ? st.k % BigInt(st.bits) : st.k;
      const before = s.clone();
      abstractAlu(op, st.bits, s, Scalar.known(k));
      const nx = concreteAlu(op, st.bits, x, k);
      if (!s.contains(nx)) throw new Error(`${op}/${st.bits} ${k}: ${x} -> ${nx} not in ${formatScalar(s)} (from ${formatScalar(before)})`);
      x = nx;
    }
  }
  return [s, x];
}

const absArb = fc.tuple(u64Arb, fc.boolean(), fc.array(stepArb, { maxLength: 6 })).map(([x, c, steps]) => ({ x, c, steps }));
const build = (g: { x: bigint; c: boolean; steps: { kind: 'jmp' | 'alu'; op: string; k: bigint; bits: 32 | 64 }[] }): [Scalar, bigint] => walk(g.x, g.c, g.steps);

const RUNS = { numRuns: 400 };
const ALL_ALU: AluName[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'mod', 'smod', 'or', 'and', 'lsh', 'rsh', 'arsh', 'neg', 'xor', 'mov', 'movsx8', 'movsx16', 'movsx32'];

describe('scalar soundness', () => {
  it('random walks keep their member (refinements and ALU with constants)', () => {
    fc.assert(fc.property(absArb, (g) => void build(g)), { numRuns: 1500 });
  });

  for (const op of ALL_ALU) {
    for (const bits of [64, 32] as const) {
      if (op === 'movsx32' && bits === 32) continue;
      it(`${op}${bits === 32 ? ' (alu32)' : ''}: the concrete result is a member`, () => {
        fc.assert(
          fc.property(absArb, absArb, fc.boolean(), (ga, gb, imm) => {
            const [a, x] = build(ga);
            let [b, y] = build(gb);
            const [code, off] = ALU_ENC[op];
            const cls = bits === 64 ? Cls.ALU64 : Cls.ALU;
            const dst = a.clone();
            if (imm && op !== 'neg' && !op.startsWith('movsx')) {
              // immediate form: a 32-bit imm, sign-extended
              const immv = Number(BigInt.asIntN(32, y));
              y = u64(BigInt(immv));
              if (!shiftOk(op, bits, y)) return;
              if ((op === 'div' || op === 'mod' || op === 'sdiv' || op === 'smod') && y === 0n) return;
              scalarAlu(cls | code, off, immv, dst, Scalar.unknown());
            } else if (op === 'neg') {
              scalarAlu(cls | code, 0, 0, dst, dst);
            } else {
              scalarAlu(cls | code | X, off, 0, dst, b);
            }
            const conc = op === 'neg' || op.startsWith('movsx') ? concreteAlu(op, bits, op === 'neg' ? x : y, 0n) : concreteAlu(op, bits, x, y);
            if (!dst.contains(conc)) throw new Error(`${formatScalar(a)} ${op} ${formatScalar(b)} = ${formatScalar(dst)} misses ${x} ${op} ${y} = ${conc}`);
          }),
          RUNS,
        );
      });
    }
  }

  it('byte swaps (le/be/bswap): the concrete result is a member', () => {
    const swap = (v: bigint, bytes: number): bigint => {
      let o = 0n;
      for (let i = 0; i < bytes; i++) o = (o << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
      return o;
    };
    fc.assert(
      fc.property(absArb, fc.constantFrom(16, 32, 64), fc.constantFrom(0xd4, 0xdc, 0xd7), (g, width, code) => {
        const [a, x] = build(g);
        const d = a.clone();
        scalarAlu(code, 0, width, d, d);
        const bytes = width / 8;
        const trunc = width === 64 ? x : x & ((1n << BigInt(width)) - 1n);
        const r = code === 0xd4 ? trunc : swap(trunc, bytes);
        if (!d.contains(r)) throw new Error(`${code.toString(16)} ${width} of ${formatScalar(a)} = ${formatScalar(d)} misses ${r}`);
      }),
      RUNS,
    );
  });

  it('loads: every loaded value is a member of fromLoad', () => {
    fc.assert(
      fc.property(u64Arb, fc.constantFrom(1, 2, 4, 8) as fc.Arbitrary<1 | 2 | 4 | 8>, fc.boolean(), (v, bytes, signed) => {
        const bits = bytes * 8;
        const r = signed ? u64(BigInt.asIntN(bits, v)) : BigInt.asUintN(bits, v);
        expect(Scalar.fromLoad(bytes, signed).contains(r)).toBe(true);
      }),
      RUNS,
    );
  });

  it('isBranchTaken is never wrong and refineBranch never drops a pair on its edge', () => {
    fc.assert(
      fc.property(absArb, absArb, fc.constantFrom(...JMP_NAMES), fc.constantFrom(32 as const, 64 as const), (ga, gb, op, bits) => {
        const [a, x] = build(ga);
        const [b, y] = build(gb);
        const code = (bits === 64 ? Cls.JMP : Cls.JMP32) | JMP_ENC[op] | X;
        const taken = jmp(op, x, y, bits);
        const pred = isBranchTaken(code, a, b);
        if (pred !== -1) expect(pred).toBe(taken ? 1 : 0);
        const a2 = a.clone();
        const b2 = b.clone();
        expect(refineBranch(code, a2, b2, taken)).toBe(true);
        if (!a2.contains(x) || !b2.contains(y))
          throw new Error(`${op}/${bits} ${taken}: ${formatScalar(a)} vs ${formatScalar(b)} -> ${formatScalar(a2)} / ${formatScalar(b2)} dropped ${x}, ${y}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('sync never loses a member and is idempotent on synced values', () => {
    fc.assert(
      fc.property(absArb, (g) => {
        const [a, x] = build(g);
        const b = a.clone();
        b.sync();
        expect(b.contains(x)).toBe(true);
        expect(scalarWithin(a, b)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('sync fast path', () => {
  // sync() takes a number-only path when the upper half is known zero; it must compute exactly
  // what the general bigint path computes (on states with no member both must report isEmpty).
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const s32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
  const small = fc.oneof(fc.bigInt({ min: 0n, max: 0xffffffffn }), fc.bigInt({ min: 0n, max: 300n }));
  const stateArb = fc
    .record({
      v: u32,
      m: fc.oneof(u32, fc.integer({ min: 0, max: 32 }).map((n) => 2 ** n - 1)),
      umin: small,
      umax: fc.oneof(small, u64Arb),
      smin: fc.oneof(small, fc.bigInt({ min: -(1n << 63n), max: 0xffffffffn })),
      smax: fc.oneof(small, fc.bigInt({ min: 0n, max: (1n << 63n) - 1n })),
      s32: fc.tuple(s32, s32),
      u32: fc.tuple(u32, u32),
    })
    .map((r) => {
      const mask = BigInt(r.m >>> 0);
      const s = new Scalar({ value: BigInt(r.v >>> 0) & ~mask, mask }, r.smin, r.smax, r.umin, r.umax, r.s32[0], r.s32[1], r.u32[0], r.u32[1]);
      return s;
    });
  it('equals the general path on every state it takes', () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const fast = s.clone();
        const general = s.clone();
        fast.sync();
        general.syncGeneral();
        const show = (x: Scalar): string => `${x.varOff.value}/${x.varOff.mask} s[${x.smin},${x.smax}] u[${x.umin},${x.umax}] s32[${x.s32min},${x.s32max}] u32[${x.u32min},${x.u32max}]`;
        // on an infeasible state (no member) both only have to say so
        if (general.isEmpty() && fast.isEmpty()) return;
        if (!fast.equals(general)) throw new Error(`${show(s)}:\n fast    ${show(fast)}\n general ${show(general)}`);
      }),
      { numRuns: Number(process.env.SYNC_RUNS ?? 3000) },
    );
  });
  it('equals the general path on states from random walks', () => {
    fc.assert(
      fc.property(absArb, (g) => {
        const [a] = build(g);
        const fast = a.clone();
        const general = a.clone();
        fast.sync();
        general.syncGeneral();
        expect(formatScalar(fast)).toBe(formatScalar(general));
        expect(fast.equals(general)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('scalar exactness by hand (values the host kernel printed)', () => {
  it('refinement of an unknown by `if r6 s> 3` / `s< -5`, NEG and MUL with signs', () => {
    const r6 = Scalar.unknown();
    refineBranch(Cls.JMP | JmpOp.JSGT, r6, Scalar.known(3n), false);
    expect(formatScalar(r6, 1)).toBe('scalar(id=1,smax=3)');
    refineBranch(Cls.JMP | JmpOp.JSLT, r6, Scalar.known(-5n), false);
    expect(formatScalar(r6, 1)).toBe('scalar(id=1,smin=smin32=-5,smax=smax32=3)');
    const neg = r6.clone();
    scalarAlu(Cls.ALU64 | AluOp.NEG, 0, 0, neg, neg);
    expect(formatScalar(neg)).toBe('scalar(smin=smin32=-3,smax=smax32=5)');
    const r7 = Scalar.unknown();
    scalarAlu(Cls.ALU64 | AluOp.AND, 0, 3, r7, r7);
    scalarAlu(Cls.ALU64 | AluOp.ADD, 0, 2, r7, r7);
    expect(formatScalar(r7)).toBe('scalar(smin=umin=smin32=umin32=2,smax=umax=smax32=umax32=5,var_off=(0x0; 0x7))');
    const m = r6.clone();
    scalarAlu(Cls.ALU64 | AluOp.MUL | X, 0, 0, m, r7);
    expect(formatScalar(m)).toBe('scalar(smin=smin32=-25,smax=smax32=15)');
    const fall = Scalar.unknown();
    refineBranch(Cls.JMP | JmpOp.JSGT, fall, Scalar.known(3n), true);
    expect(formatScalar(fall)).toBe('scalar(smin=umin=4,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff))');
    const neg6 = Scalar.unknown();
    refineBranch(Cls.JMP | JmpOp.JSLT, neg6, Scalar.known(-5n), true);
    expect(formatScalar(neg6)).toBe('scalar(smax=-6,umin=0x8000000000000000,umax=0xfffffffffffffffa,var_off=(0x8000000000000000; 0x7fffffffffffffff))');
  });
  it('a wide multiply keeps the tnum and derives bounds from it', () => {
    const r1 = Scalar.unknown();
    scalarAlu(Cls.ALU64 | AluOp.AND, 0, 6, r1, r1);
    scalarAlu(Cls.ALU64 | AluOp.OR, 0, 1, r1, r1);
    const r0 = Scalar.unknown();
    scalarAlu(Cls.ALU64 | AluOp.AND | X, 0, 0, r0, Scalar.known(0x4000000000000001n));
    expect(formatScalar(r0)).toBe('scalar(smin=smin32=0,smax=umax=0x4000000000000001,smax32=umax32=1,var_off=(0x0; 0x4000000000000001))');
    scalarAlu(Cls.ALU64 | AluOp.OR, 0, 2, r0, r0);
    scalarAlu(Cls.ALU64 | AluOp.MUL | X, 0, 0, r0, r1);
    expect(formatScalar(r0)).toBe(
      'scalar(smin=0x8000000000000002,smax=0x4000000000000015,umin=smin32=umin32=2,umax=0xc000000000000015,smax32=umax32=21,var_off=(0x0; 0xc00000000000001f))',
    );
  });
  it('loads from a map value (the host printed these for *(s8/s16/s32/u8/u16/u32/u64 *)(r1 + off))', () => {
    const cases: [1 | 2 | 4 | 8, boolean, string][] = [
      [1, true, 'scalar(smin=smin32=-128,smax=smax32=127)'],
      [2, true, 'scalar(smin=smin32=-32768,smax=smax32=32767)'],
      [4, true, 'scalar(smin=0xffffffff80000000,smax=0x7fffffff)'],
      [1, false, 'scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))'],
      [2, false, 'scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))'],
      [4, false, 'scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))'],
      [8, false, 'scalar()'],
    ];
    for (const [bytes, signed, text] of cases) expect(formatScalar(Scalar.fromLoad(bytes, signed))).toBe(text);
  });
  it('constants print as the kernel prints them', () => {
    expect([0n, -4n, 32767n, 32768n, -32768n, -32769n, 0x12345n].map((v) => formatScalar(Scalar.known(v)))).toEqual([
      '0',
      '-4',
      '32767',
      '0x8000',
      '-32768',
      '0xffffffffffff7fff',
      '0x12345',
    ]);
    expect(formatScalar(Scalar.unknown())).toBe('scalar()');
    expect(formatScalar(Scalar.unknown(), 3)).toBe('scalar(id=3)');
  });
  it('s64 <-> u32 printing in hex does not sign-extend', () => {
    const s = Scalar.unknown();
    s.s32min = -100000;
    s.smin = -100000n;
    expect(formatScalar(s)).toBe('scalar(smin=0xfffffffffffe7960,smin32=0xfffe7960)');
  });
});
