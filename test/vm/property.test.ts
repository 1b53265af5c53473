// Random straight-line ALU programs over four registers (aliasing included) against the BigInt
// model, and the kernel view against a byte-map model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { KernelMemory } from '../../vm/kmem.js';
import type { Insn } from '../../vm/isa.js';
import { I, exit, lddw, prog } from './enc.js';
import { ALU_ENC, alu32, alu64, u64, type AluName } from './model.js';

const NAMES = Object.keys(ALU_ENC) as AluName[];
const rt = new Runtime();

interface Step {
  op: AluName;
  wide: boolean;
  dst: number;
  src: number;
  useImm: boolean;
  imm: number;
}

const step = fc.record({
  op: fc.constantFrom(...NAMES),
  wide: fc.boolean(),
  dst: fc.integer({ min: 0, max: 3 }),
  src: fc.integer({ min: 0, max: 3 }),
  useImm: fc.boolean(),
  imm: fc.oneof(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.constantFrom(0, 1, -1, 31, 32, 63, 64)),
});

function encode(s: Step): Insn | undefined {
  const [code, off] = ALU_ENC[s.op];
  if (s.op.startsWith('movsx') && (s.useImm || (!s.wide && s.op === 'movsx32'))) return undefined;
  if (s.op === 'neg') return I((s.wide ? 0x07 : 0x04) | code, s.dst);
  return s.useImm ? I((s.wide ? 0x07 : 0x04) | code, s.dst, 0, off, s.imm) : I((s.wide ? 0x0f : 0x0c) | code, s.dst, s.src, off);
}

describe('random ALU programs agree with the model', () => {
  it('straight-line sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 4, maxLength: 4 }), fc.array(step, { minLength: 1, maxLength: 30 }), (init, steps) => {
        const regs = init.slice();
        const insns: Insn[] = [];
        regs.forEach((v, r) => insns.push(...lddw(r, v)));
        for (const s of steps) {
          const insn = encode(s);
          if (!insn) continue;
          insns.push(insn);
          const b = s.op === 'neg' ? 0n : s.useImm ? u64(BigInt(s.imm)) : regs[s.src]!;
          regs[s.dst] = s.wide ? alu64(s.op, regs[s.dst]!, b) : alu32(s.op, regs[s.dst]!, b);
        }
        // fold all four registers into r0 so every result is checked
        insns.push(I(0xaf, 0, 1), I(0x67, 0, 0, 0, 1), I(0xaf, 0, 2), I(0x67, 0, 0, 0, 1), I(0xaf, 0, 3), exit());
        let want = regs[0]! ^ regs[1]!;
        want = u64(want << 1n) ^ regs[2]!;
        want = u64(want << 1n) ^ regs[3]!;
        expect(rt.execute(prog(insns)).r0).toBe(want);
      }),
      { numRuns: 400 },
    );
  });
});

describe('kernel memory view', () => {
  it('reads what was mapped, misses what was not (byte-map model)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.bigInt({ min: 0n, max: 20000n }), bytes: fc.uint8Array({ minLength: 1, maxLength: 5000 }) }), { maxLength: 6 }),
        fc.array(fc.record({ at: fc.bigInt({ min: 0n, max: 26000n }), len: fc.integer({ min: 1, max: 64 }) }), { maxLength: 20 }),
        (maps, reads) => {
          const base = 0xffffffff_fffff000n - 10000n; // straddles the 2^64 wrap region's neighbourhood and page edges
          const km = new KernelMemory();
          const model = new Map<bigint, number>();
          for (const m of maps) {
            km.map(base + m.at, m.bytes);
            m.bytes.forEach((b, i) => model.set(base + m.at + BigInt(i), b));
          }
          for (const r of reads) {
            const got = km.read(base + r.at, r.len);
            const want: number[] = [];
            let ok = true;
            for (let i = 0; i < r.len; i++) {
              const v = model.get(base + r.at + BigInt(i));
              if (v === undefined) ok = false;
              want.push(v ?? 0);
            }
            if (ok) expect(got && Array.from(got)).toEqual(want);
            else expect(got).toBeUndefined();
          }
        },
      ),
      { numRuns: 100 },
    );
  });
  it('addresses wrap at 2^64', () => {
    const km = new KernelMemory();
    km.map(0xfffffffffffffffen, new Uint8Array([1, 2, 3, 4]));
    expect(Array.from(km.read(0xfffffffffffffffen, 2)!)).toEqual([1, 2]);
    expect(Array.from(km.read(0n, 2)!)).toEqual([3, 4]);
    expect(km.read(-2n, 4)).toEqual(new Uint8Array([1, 2, 3, 4]));
  });
});
