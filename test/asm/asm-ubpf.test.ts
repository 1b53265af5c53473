// The uBPF / bpf_conformance syntax assembler. Each uBPF line is checked against the llvm-dialect
// spelling of the same instruction (whose encodings are pinned by the llvm-objdump goldens), so
// the two assemblers cannot drift apart silently.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../vm/asm.js';
import { disassemble } from '../../vm/disasm.js';
import { assembleUbpf } from '../../vm/asm-ubpf.js';
import { AsmError } from '../../src/errors.js';
import { OPCODES, type OpForm } from '../../vm/opcodes.js';

const PAIRS: [string, string][] = [
  ['mov %r0, 1', 'r0 = 1'],
  ['mov32 %r1, -1', 'w1 = -1'],
  ['mov %r1, %r2', 'r1 = r2'],
  ['add %r1, 0x10', 'r1 += 0x10'],
  ['add32 %r1, %r2', 'w1 += w2'],
  ['sub %r3, %r4', 'r3 -= r4'],
  ['mul32 %r3, 7', 'w3 *= 7'],
  ['div %r3, %r4', 'r3 /= r4'],
  ['sdiv %r3, -3', 'r3 s/= -3'],
  ['sdiv32 %r3, %r4', 'w3 s/= w4'],
  ['mod %r3, 5', 'r3 %= 5'],
  ['smod32 %r3, %r4', 'w3 s%= w4'],
  ['or %r1, %r2', 'r1 |= r2'],
  ['and32 %r1, 255', 'w1 &= 255'],
  ['lsh %r1, 3', 'r1 <<= 3'],
  ['rsh32 %r1, %r9', 'w1 >>= w9'],
  ['arsh %r1, 1', 'r1 s>>= 1'],
  ['xor64 %r1, %r2', 'r1 ^= r2'],
  ['neg %r5', 'r5 = -r5'],
  ['neg32 %r5', 'w5 = -w5'],
  ['movsx864 %r1, %r2', 'r1 = (s8)r2'],
  ['movsx1664 %r1, %r2', 'r1 = (s16)r2'],
  ['movsx3264 %r1, %r2', 'r1 = (s32)r2'],
  ['movsx832 %r1, %r2', 'w1 = (s8)w2'],
  ['movsx1632 %r1, %r2', 'w1 = (s16)w2'],
  ['le16 %r0', 'r0 = le16 r0'],
  ['le64 %r0', 'r0 = le64 r0'],
  ['be32 %r0', 'r0 = be32 r0'],
  ['bswap16 %r0', 'r0 = bswap16 r0'],
  ['swap64 %r0', 'r0 = bswap64 r0'],
  ['lddw %r0, 0x123456789', 'r0 = 0x123456789 ll'],
  ['lddw %r0, -1', 'r0 = -1 ll'],
  ['ldxb %r0, [%r1+4]', 'r0 = *(u8 *)(r1 + 4)'],
  ['ldxh %r0, [%r1-2]', 'r0 = *(u16 *)(r1 - 2)'],
  ['ldxw %r0, [%r1]', 'r0 = *(u32 *)(r1 + 0)'],
  ['ldxdw %r0, [%r10-8]', 'r0 = *(u64 *)(r10 - 8)'],
  ['ldxsb %r0, [%r1+1]', 'r0 = *(s8 *)(r1 + 1)'],
  ['ldxsh %r0, [%r1+2]', 'r0 = *(s16 *)(r1 + 2)'],
  ['ldxsw %r0, [%r1+0x10]', 'r0 = *(s32 *)(r1 + 0x10)'],
  ['stb [%r1+1], 5', '*(u8 *)(r1 + 1) = 5'],
  ['sth [%r1+2], -1', '*(u16 *)(r1 + 2) = -1'],
  ['stw [%r10-4], 0x7fffffff', '*(u32 *)(r10 - 4) = 0x7fffffff'],
  ['stdw [%r10-8], 1', '*(u64 *)(r10 - 8) = 1'],
  ['stxb [%r1], %r2', '*(u8 *)(r1 + 0) = r2'],
  ['stxh [%r1+2], %r2', '*(u16 *)(r1 + 2) = r2'],
  ['stxw [%r1+4], %r2', '*(u32 *)(r1 + 4) = r2'],
  ['stxdw [%r10-8], %r1', '*(u64 *)(r10 - 8) = r1'],
  ['jeq %r0, 15, +3', 'if r0 == 15 goto +3'],
  ['jne32 %r0, %r1, -1', 'if w0 != w1 goto -1'],
  ['jgt %r0, %r1, +0', 'if r0 > r1 goto +0'],
  ['jge32 %r0, 1, +1', 'if w0 >= 1 goto +1'],
  ['jlt %r0, 1, +1', 'if r0 < 1 goto +1'],
  ['jle %r0, %r2, +1', 'if r0 <= r2 goto +1'],
  ['jset %r0, 8, +1', 'if r0 & 8 goto +1'],
  ['jsgt32 %r0, -1, +1', 'if w0 s> -1 goto +1'],
  ['jsge %r0, %r3, +1', 'if r0 s>= r3 goto +1'],
  ['jslt %r0, 0, +1', 'if r0 s< 0 goto +1'],
  ['jsle32 %r0, %r3, +1', 'if w0 s<= w3 goto +1'],
  ['ja +2', 'goto +2'],
  ['ja32 -1', 'gotol -1'],
  ['may_goto +3', 'may_goto +3'],
  ['may_goto -1', 'may_goto -1'],
  ['call 5', 'call 5'],
  ['call helper 1', 'call 1'],
  ['call local +3', 'call pc+3'],
  ['call runtime 17', 'call kfunc#17'],
  ['call %r2', 'callx r2'],
  ['callx %r3', 'callx r3'],
  ['exit', 'exit'],
  ['lock add [%r1+8], %r2', 'lock *(u64 *)(r1 + 8) += r2'],
  ['lock or32 [%r1], %r2', 'lock *(u32 *)(r1 + 0) |= w2'],
  ['lock and [%r1], %r2', 'lock *(u64 *)(r1 + 0) &= r2'],
  ['lock xor32 [%r1], %r2', 'lock *(u32 *)(r1 + 0) ^= w2'],
  ['lock fetch add [%r1], %r2', 'r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)'],
  ['lock fetch or32 [%r1-4], %r2', 'w2 = atomic_fetch_or((u32 *)(r1 - 4), w2)'],
  ['lock fetch and [%r1], %r2', 'r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)'],
  ['lock fetch xor32 [%r1], %r2', 'w2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)'],
  ['lock xchg [%r1], %r2', 'r2 = xchg_64(r1 + 0, r2)'],
  ['lock xchg32 [%r1], %r2', 'w2 = xchg32_32(r1 + 0, w2)'],
  ['lock cmpxchg [%r1], %r2', 'r0 = cmpxchg_64(r1 + 0, r0, r2)'],
  ['lock cmpxchg32 [%r1], %r2', 'w0 = cmpxchg32_32(r1 + 0, w0, w2)'],
  ['ldabsw 12', 'r0 = *(u32 *)skb[12]'],
  ['ldabsb 0', 'r0 = *(u8 *)skb[0]'],
  ['ldindh %r1, 4', 'r0 = *(u16 *)skb[r1 + 4]'],
];

describe('uBPF-syntax assembler', () => {
  it.each(PAIRS)('%s  ==  %s', (ubpf, llvm) => {
    expect(assembleUbpf(ubpf)).toEqual(assemble(llvm));
  });

  it('spells every form of the opcode table (dst 1, src 2, off 4, imm 5)', () => {
    const spell = (f: OpForm): string | undefined => {
      const [base, kind] = f.name.split('.') as [string, string | undefined];
      switch (f.kind) {
        case 'alu':
          return kind === 'r' ? `${base} %r1, %r2` : `${base} %r1, 5`;
        case 'jcond':
          return kind === 'r' ? `${base} %r1, %r2, +4` : `${base} %r1, 5, +4`;
        case 'movsx':
          return `${f.name} %r1, %r2`;
        case 'end':
        case 'neg':
          return `${f.name} %r1`;
        case 'ldx':
        case 'ldxsx':
        case 'ldacq':
          return `${f.name} %r1, [%r2+4]`;
        case 'st':
          return `${f.name} [%r1+4], 5`;
        case 'stx':
        case 'strel':
          return `${f.name} [%r1+4], %r2`;
        case 'atomic':
          return `${f.name.replace(/\./g, ' ')} [%r1+4], %r2`;
        case 'ldabs':
          return `${f.name} 5`;
        case 'ldind':
          return `${f.name} %r2, 5`;
        case 'ja':
          return 'ja +4';
        case 'gotol':
          return 'ja32 +5';
        case 'maygoto':
          return 'may_goto +4';
        case 'call':
          return f.name === 'call' ? 'call 5' : f.name === 'call.local' ? 'call local +5' : 'call runtime 5';
        case 'callx':
          return 'callx %r1';
        case 'exit':
          return 'exit';
        case 'ldimm64':
          return f.name === 'lddw' ? 'lddw %r1, 5' : undefined; // pseudo sources have no uBPF spelling
      }
    };
    let n = 0;
    for (const f of OPCODES) {
      const text = spell(f);
      if (text === undefined) continue;
      const fx = f.fixed ?? {};
      const want = {
        code: f.code,
        dst: f.operands.dst ? 1 : 0,
        src: f.operands.src ? 2 : (fx.src ?? 0),
        off: f.operands.off ? 4 : (fx.off ?? 0),
        imm: f.operands.imm ? 5 : (fx.imm ?? 0),
      };
      expect(assembleUbpf(text)[0], `${f.name}: ${text}`).toEqual(want);
      n++;
    }
    expect(n).toBeGreaterThan(150);
  });

  it('labels: forward/backward jumps, local calls, the implicit `exit` label', () => {
    const insns = assembleUbpf(`
      # comment line
      mov %r0, 0
      loop:
      add %r0, 1          # trailing comment
      jlt %r0, 3, loop
      call local fn
      jeq %r0, 0, exit
      ja32 done
      fn:
      exit
      done:
      exit
    `);
    expect(insns.map((i) => [i.code, i.off, i.imm])).toEqual([
      [0xb7, 0, 0],
      [0x07, 0, 1],
      [0xa5, -2, 3],
      [0x85, 0, 2],
      [0x15, 1, 0], // `exit` = the first exit (at fn)
      [0x06, 0, 1],
      [0x95, 0, 0],
      [0x95, 0, 0],
    ]);
  });

  it('labels keep their case (upstream exit-not-last.data and prime.data jump to `L2`, `L3`)', () => {
    const insns = assembleUbpf('mov r1, 0\nja L2\nL1:\nmov r2, 0\nexit\nL2:\nmov r0, 0\nja L1');
    expect(insns.map((i) => [i.code, i.off])).toEqual([
      [0xb7, 0],
      [0x05, 2],
      [0xb7, 0],
      [0x95, 0],
      [0xb7, 0],
      [0x05, -4],
    ]);
  });

  it('accepts %r11-%r15 (the suite uses them for negative tests) but not %r16', () => {
    expect(assembleUbpf('mov %r11, 1')[0]!.dst).toBe(11);
    expect(() => assembleUbpf('mov %r16, 1')).toThrow(/invalid register/);
  });

  it('reports bad input with the line number', () => {
    const cases: [string, RegExp, number][] = [
      ['exit\nfrob %r1', /invalid mnemonic: frob/, 2],
      ['mov %r0', /invalid number of operands/, 1],
      ['mov %r0, 4294967296', /out of 32-bit range/, 1],
      ['ldxw %r0, [%r1+70000]', /out of 16-bit range/, 1],
      ['ldxw %r0, %r1', /invalid memory operand/, 1],
      ['ja nowhere\nexit', /unknown label 'nowhere'/, 1],
      ['a:\na:\nexit', /duplicate label/, 2],
      ['call magic 5', /invalid call mode/, 1],
      ['lock frob [%r1], %r2', /invalid atomic operation/, 1],
    ];
    for (const [text, re, line] of cases) {
      let err: unknown;
      try {
        assembleUbpf(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(AsmError);
      expect((err as AsmError).message).toMatch(re);
      expect((err as AsmError).line).toBe(line);
    }
  });
});

describe('uBPF syntax round trip (property)', () => {
  // A test-only printer for the uBPF syntax, so random instructions can be spelled and assembled.
  const spellRandom = (f: OpForm, x: { dst: number; src: number; off: number; imm: number }): string | undefined => {
    const [base, kind] = f.name.split('.') as [string, string | undefined];
    const mem = (r: number, off: number) => `[%r${r}${off < 0 ? '-' : '+'}${Math.abs(off)}]`;
    const imm = (v: number) => (v < 0 ? String(v) : '0x' + v.toString(16));
    const rel = (v: number) => (v < 0 ? String(v) : '+' + v);
    switch (f.kind) {
      case 'alu':
        return kind === 'r' ? `${base} %r${x.dst}, %r${x.src}` : `${base} %r${x.dst}, ${imm(x.imm)}`;
      case 'jcond':
        return kind === 'r' ? `${base} %r${x.dst}, %r${x.src}, ${rel(x.off)}` : `${base} %r${x.dst}, ${imm(x.imm)}, ${rel(x.off)}`;
      case 'movsx':
        return `${f.name} %r${x.dst}, %r${x.src}`;
      case 'end':
      case 'neg':
        return `${f.name} %r${x.dst}`;
      case 'ldx':
      case 'ldxsx':
      case 'ldacq':
        return `${f.name} %r${x.dst}, ${mem(x.src, x.off)}`;
      case 'st':
        return `${f.name} ${mem(x.dst, x.off)}, ${imm(x.imm)}`;
      case 'stx':
      case 'strel':
        return `${f.name} ${mem(x.dst, x.off)}, %r${x.src}`;
      case 'atomic':
        return `${f.name.replace(/\./g, ' ')} ${mem(x.dst, x.off)}, %r${x.src}`;
      case 'ldabs':
        return `${f.name} ${imm(x.imm)}`;
      case 'ldind':
        return `${f.name} %r${x.src}, ${imm(x.imm)}`;
      case 'ja':
        return `ja ${rel(x.off)}`;
      case 'gotol':
        return `ja32 ${rel(x.imm)}`;
      case 'maygoto':
        return `may_goto ${rel(x.off)}`;
      case 'call':
        return f.name === 'call' ? `call ${imm(x.imm)}` : f.name === 'call.local' ? `call local ${rel(x.imm)}` : `call runtime ${imm(x.imm)}`;
      case 'callx':
        return `callx %r${x.dst}`;
      case 'exit':
        return 'exit';
      case 'ldimm64':
        return undefined;
    }
  };
  it('random instructions of every form assemble to the same encoding as the llvm spelling', () => {
    const forms = OPCODES.filter((f) => f.kind !== 'ldimm64');
    fc.assert(
      fc.property(
        fc.constantFrom(...forms),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: -0x8000, max: 0x7fff }),
        fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        (f, dst, src, off, immv) => {
          const fx = f.fixed ?? {};
          const want = {
            code: f.code,
            dst: f.operands.dst ? dst : 0,
            src: f.operands.src ? src : (fx.src ?? 0),
            off: f.operands.off ? off : (fx.off ?? 0),
            imm: f.operands.imm ? immv : (fx.imm ?? 0),
          };
          // uBPF's syntax has no address-space casts (BPF arenas, Linux 6.9+): llvm's spelling only
          if (f.kind !== 'addrcast') expect(assembleUbpf(spellRandom(f, want)!)).toEqual([want]);
          expect(assemble(disassemble([want]))).toEqual([want]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
