import { describe, expect, it } from 'vitest';
import { AluOp, Cls, JmpOp } from '../../vm/isa.js';
import { Scalar, formatScalar, refineBranch, scalarAlu } from '../../verifier/scalar.js';

const ALU64 = Cls.ALU64, ALU = Cls.ALU, X = 0x08;
describe('smoke', () => {
  it('kernel examples', () => {
    const r6 = Scalar.unknown();
    const k = Scalar.known(100n);
    const t = r6.clone();
    expect(refineBranch(Cls.JMP | JmpOp.JGT, t, k, false)).toBe(true);
    expect(formatScalar(t, 1)).toBe('scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=100,var_off=(0x0; 0x7f))');
    const r7 = Scalar.unknown();
    scalarAlu(ALU64 | AluOp.AND, 0, 255, r7, r7);
    expect(formatScalar(r7)).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))');
    const r8 = t.clone();
    scalarAlu(ALU64 | AluOp.MUL | X, 0, 0, r8, r7);
    expect(formatScalar(r8)).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=25500,var_off=(0x0; 0x7fff))');
    const r9 = t.clone();
    scalarAlu(ALU64 | AluOp.NEG, 0, 0, r9, r9);
    expect(formatScalar(r9)).toBe('scalar(smin=smin32=-100,smax=smax32=0)');
    const w3 = t.clone();
    scalarAlu(ALU | AluOp.NEG, 0, 0, w3, w3);
    expect(formatScalar(w3)).toBe('scalar(smin=0,smax=umax=0xffffffff,smin32=-100,smax32=0,var_off=(0x0; 0xffffffff))');
    const r4 = r7.clone();
    scalarAlu(ALU | AluOp.END | X, 0, 16, r4, r4);
    expect(formatScalar(r4)).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=0xff00,var_off=(0x0; 0xff00))');
    const r5 = t.clone();
    scalarAlu(ALU64 | AluOp.END, 0, 32, r5, r5);
    expect(formatScalar(r5)).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=0x7f000000,var_off=(0x0; 0x7f000000))');
    expect(formatScalar(Scalar.known(-4n))).toBe('-4');
    expect(formatScalar(Scalar.known(0x12345n))).toBe('0x12345');
  });
});
