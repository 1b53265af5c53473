// Every ALU and jump opcode against the BigInt model in model.ts, over boundary and random values,
// in both the register (X) and immediate (K) forms.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { I, exit, lddw, mov64, prog } from './enc.js';
import { ALU_ENC, JMP_ENC, alu32, alu64, corpus, jmp, s32, type AluName, type JmpName } from './model.js';

const rt = new Runtime();
const run = (insns: Parameters<typeof prog>[0]) => rt.execute(prog(insns)).r0;
const vals = corpus(40);
const imms = [0, 1, -1, 2, 7, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 0x1234, -5, 255, 0x80, 16, 8];
const ops = Object.keys(ALU_ENC) as AluName[];

describe('ALU64 against the BigInt model', () => {
  for (const op of ops) {
    const [code, off] = ALU_ENC[op];
    it(`${op} (register and immediate)`, () => {
      for (const a of vals.slice(0, 35)) {
        if (op !== 'neg') {
          for (const b of vals.slice(0, 35)) {
            const got = run([lddw(0, a), lddw(1, b), I(0x0f | code, 0, 1, off, 0), exit()]);
            if (got !== alu64(op, a, b)) expect.fail(`${op} 0x${a.toString(16)}, 0x${b.toString(16)}: got 0x${got.toString(16)}, want 0x${alu64(op, a, b).toString(16)}`);
          }
        }
        if (op.startsWith('movsx')) continue; // movsx has no immediate form
        for (const imm of imms) {
          const got = run([lddw(0, a), I(0x07 | code, 0, 0, off, op === 'neg' ? 0 : imm), exit()]);
          const want = alu64(op, a, op === 'neg' ? 0n : BigInt(imm));
          if (got !== want) expect.fail(`${op} 0x${a.toString(16)}, imm ${imm}: got 0x${got.toString(16)}, want 0x${want.toString(16)}`);
        }
      }
    });
  }
});

describe('ALU32 against the BigInt model (results zero-extended)', () => {
  for (const op of ops) {
    if (op === 'movsx32') continue;
    const [code, off] = ALU_ENC[op];
    it(`${op}32 (register and immediate)`, () => {
      for (const a of vals.slice(0, 35)) {
        if (op !== 'neg') {
          for (const b of vals.slice(0, 35)) {
            const got = run([lddw(0, a), lddw(1, b), I(0x0c | code, 0, 1, off, 0), exit()]);
            if (got !== alu32(op, a, b)) expect.fail(`${op}32 0x${a.toString(16)}, 0x${b.toString(16)}: got 0x${got.toString(16)}, want 0x${alu32(op, a, b).toString(16)}`);
          }
        }
        if (op.startsWith('movsx')) continue;
        for (const imm of imms) {
          const got = run([lddw(0, a), I(0x04 | code, 0, 0, off, op === 'neg' ? 0 : imm), exit()]);
          const want = alu32(op, a, op === 'neg' ? 0n : BigInt(imm));
          if (got !== want) expect.fail(`${op}32 0x${a.toString(16)}, imm ${imm}: got 0x${got.toString(16)}, want 0x${want.toString(16)}`);
        }
      }
    });
  }
});

describe('DESIGN section 3 corners, hand-derived', () => {
  const INT64_MIN = 0x8000000000000000n;
  it('division by zero gives 0, modulo by zero keeps the dividend', () => {
    expect(run([lddw(0, 0x1234567890n), mov64(1, 0), I(0x3f, 0, 1), exit()])).toBe(0n);
    expect(run([lddw(0, 0x1234567890n), mov64(1, 0), I(0x9f, 0, 1), exit()])).toBe(0x1234567890n);
    expect(run([lddw(0, 0x1234567890n), I(0x97, 0, 0, 0, 0), exit()])).toBe(0x1234567890n);
    // ALU32: the dividend's zero-extended low half
    expect(run([lddw(0, 0xaaaaaaaa_87654321n), mov64(1, 0), I(0x9c, 0, 1), exit()])).toBe(0x87654321n);
    expect(run([lddw(0, 0xaaaaaaaa_87654321n), mov64(1, 0), I(0x3c, 0, 1), exit()])).toBe(0n);
    // signed forms too
    expect(run([lddw(0, 0xaaaaaaaa_87654321n), mov64(1, 0), I(0x9c, 0, 1, 1), exit()])).toBe(0x87654321n);
    expect(run([lddw(0, -5n), mov64(1, 0), I(0x9f, 0, 1, 1), exit()])).toBe(0xfffffffffffffffbn);
    expect(run([lddw(0, -5n), mov64(1, 0), I(0x3f, 0, 1, 1), exit()])).toBe(0n);
  });
  it('INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0, 32 and 64 bit', () => {
    expect(run([lddw(0, INT64_MIN), I(0x37, 0, 0, 1, -1), exit()])).toBe(INT64_MIN);
    expect(run([lddw(0, INT64_MIN), I(0x97, 0, 0, 1, -1), exit()])).toBe(0n);
    expect(run([lddw(0, 0x80000000n), I(0x34, 0, 0, 1, -1), exit()])).toBe(0x80000000n);
    expect(run([lddw(0, 0x80000000n), I(0x94, 0, 0, 1, -1), exit()])).toBe(0n);
  });
  it('signed division truncates toward zero; modulo takes the dividend sign', () => {
    expect(run([lddw(0, -7n), I(0x37, 0, 0, 1, 2), exit()])).toBe(0xfffffffffffffffdn); // -3
    expect(run([lddw(0, -7n), I(0x97, 0, 0, 1, 2), exit()])).toBe(0xffffffffffffffffn); // -1
    expect(run([lddw(0, 7n), I(0x97, 0, 0, 1, -2), exit()])).toBe(1n);
    expect(run([mov64(0, -7), I(0x34, 0, 0, 1, 2), exit()])).toBe(0xfffffffdn);
  });
  it('unsigned division by a negative immediate divides by the sign-extended value', () => {
    expect(run([lddw(0, 0xffffffffffffffffn), I(0x37, 0, 0, 0, -1), exit()])).toBe(1n);
    expect(run([lddw(0, 0xfffffffffffffffen), I(0x37, 0, 0, 0, -1), exit()])).toBe(0n);
    expect(run([mov64(0, -1), I(0x34, 0, 0, 0, -1), exit()])).toBe(1n);
  });
  it('shift amounts are masked to 6 (64-bit) and 5 (32-bit) bits', () => {
    expect(run([mov64(0, 1), mov64(1, 65), I(0x6f, 0, 1), exit()])).toBe(2n);
    expect(run([mov64(0, 1), mov64(1, 33), I(0x6c, 0, 1), exit()])).toBe(2n);
    expect(run([lddw(0, INT64_MIN), mov64(1, 127), I(0xcf, 0, 1), exit()])).toBe(0xffffffffffffffffn);
    expect(run([mov64(0, 1), I(0x67, 0, 0, 0, 63), exit()])).toBe(INT64_MIN);
  });
  it('ALU32 results are zero-extended', () => {
    expect(run([lddw(0, 0xffffffff_ffffffffn), I(0x04, 0, 0, 0, 1), exit()])).toBe(0n);
    expect(run([lddw(0, 0xdeadbeef_00000001n), I(0xb4, 0, 0, 0, -1), exit()])).toBe(0xffffffffn);
    expect(run([lddw(0, 0xdeadbeef_00000001n), I(0x84, 0), exit()])).toBe(0xffffffffn);
    expect(run([lddw(1, 0x11111111_ffffff80n), I(0xbc, 0, 1, 8), exit()])).toBe(0xffffff80n);
  });
  it('mov with an immediate sign-extends in ALU64 only', () => {
    expect(run([mov64(0, -2), exit()])).toBe(0xfffffffffffffffen);
    expect(run([I(0xb4, 0, 0, 0, -2), exit()])).toBe(0xfffffffen);
  });
  it('movsx sign-extends 8, 16 and 32 bits', () => {
    expect(run([lddw(1, 0x80n), I(0xbf, 0, 1, 8), exit()])).toBe(0xffffffffffffff80n);
    expect(run([lddw(1, 0x8000n), I(0xbf, 0, 1, 16), exit()])).toBe(0xffffffffffff8000n);
    expect(run([lddw(1, 0x1_80000000n), I(0xbf, 0, 1, 32), exit()])).toBe(0xffffffff80000000n);
    expect(run([lddw(1, 0x7fn), I(0xbf, 0, 1, 8), exit()])).toBe(0x7fn);
  });
});

describe('byte swaps', () => {
  const v = 0x0123456789abcdefn;
  const cases: [string, number, number, bigint][] = [
    ['le16', 0xd4, 16, 0xcdefn],
    ['le32', 0xd4, 32, 0x89abcdefn],
    ['le64', 0xd4, 64, v],
    ['be16', 0xdc, 16, 0xefcdn],
    ['be32', 0xdc, 32, 0xefcdab89n],
    ['be64', 0xdc, 64, 0xefcdab8967452301n],
    ['bswap16', 0xd7, 16, 0xefcdn],
    ['bswap32', 0xd7, 32, 0xefcdab89n],
    ['bswap64', 0xd7, 64, 0xefcdab8967452301n],
  ];
  for (const [name, code, width, want] of cases) {
    it(name, () => expect(run([lddw(0, v), I(code, 0, 0, 0, width), exit()])).toBe(want));
  }
});

describe('jumps against the model', () => {
  const names = Object.keys(JMP_ENC) as JmpName[];
  const jvals = vals.slice(0, 30);
  for (const name of names) {
    const op = JMP_ENC[name];
    it(`${name} / ${name}32, register and immediate`, () => {
      for (const a of jvals) {
        for (const b of jvals) {
          for (const [cls, bits] of [[0x0d, 64], [0x0e, 32]] as const) {
            const got = run([lddw(1, a), lddw(2, b), mov64(0, 0), I(cls | op, 1, 2, 1), exit(), mov64(0, 1), exit()]);
            if ((got === 1n) !== jmp(name, a, b, bits)) expect.fail(`${name}/${bits} 0x${a.toString(16)} 0x${b.toString(16)}`);
          }
        }
        for (const imm of imms) {
          for (const [cls, bits] of [[0x05, 64], [0x06, 32]] as const) {
            const b = bits === 64 ? BigInt(imm) : BigInt(imm);
            const got = run([lddw(1, a), mov64(0, 0), I(cls | op, 1, 0, 1, imm), exit(), mov64(0, 1), exit()]);
            if ((got === 1n) !== jmp(name, a, b, bits)) expect.fail(`${name}/${bits} 0x${a.toString(16)} imm ${imm}`);
          }
        }
      }
    });
  }
  it('ja, and gotol (JMP32 ja takes its offset from imm)', () => {
    expect(run([mov64(0, 1), I(0x05, 0, 0, 1), mov64(0, 2), exit()])).toBe(1n);
    expect(run([mov64(0, 1), I(0x06, 0, 0, 0, 1), mov64(0, 2), exit()])).toBe(1n);
    // backwards gotol
    expect(run([mov64(0, 0), I(0x06, 0, 0, 0, 2), I(0x07, 0, 0, 0, 5), exit(), I(0x07, 0, 0, 0, 1), I(0x55, 0, 0, -4, 6), exit()])).toBe(6n);
  });
  it('JMP32 compares only the low halves', () => {
    expect(run([lddw(1, 0xffffffff_00000005n), mov64(0, 0), I(0x16, 1, 0, 1, 5), exit(), mov64(0, 1), exit()])).toBe(1n);
    expect(run([lddw(1, 0xffffffff_00000005n), mov64(0, 0), I(0x15, 1, 0, 1, 5), exit(), mov64(0, 1), exit()])).toBe(0n);
    expect(s32(0x80000000n)).toBe(-0x80000000n);
  });
});
