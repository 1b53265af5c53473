// Load-acquire and store-release (BPF_STX | BPF_ATOMIC | size, imm 0x100 / 0x110, Linux 6.15):
// hand-assembled, every size on both engines with its expected value (a B/H/W load zero-extends),
// the faults (those of the plain access), the text of both disassembler dialects and the
// assemblers. The verifier's side, against the host kernel, is test/progs/verifier/acqrel.c.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { VmFault } from '../../src/errors.js';
import { MemFlag } from '../../vm/memory.js';
import { assemble } from '../../vm/asm.js';
import { assembleUbpf } from '../../vm/asm-ubpf.js';
import { disassemble } from '../../vm/disasm.js';
import { plainAccess } from '../../vm/decode.js';
import type { Engine } from '../../vm/interpreter.js';
import { B, DW, H, I, W, exit, lddw, ldx, mov64, prog, stx } from './enc.js';

const ENGINES: readonly Engine[] = ['interpreter', 'compiled'];
const ldacq = (size: number, dst: number, src: number, off: number) => I(0xc3 | size, dst, src, off, 0x100);
const strel = (size: number, dst: number, src: number, off: number) => I(0xc3 | size, dst, src, off, 0x110);
const SIZES = [[B, 1], [H, 2], [W, 4], [DW, 8]] as const;
const V = 0x8899aabb_ccddeeffn; // every byte has its top bit set: a sign-extension would show

function setup(engine: Engine, flags = MemFlag.READ | MemFlag.WRITE) {
  const rt = new Runtime({ engine });
  const mem = rt.arena.allocRegion(32, flags, 'input', 'mem');
  return { rt, mem };
}

function outcome(fn: () => { r0: bigint }): string {
  try {
    return `r0 ${fn().r0.toString(16)}`;
  } catch (e) {
    if (e instanceof VmFault) return `fault at ${e.pc}: ${e.reason}`;
    throw e;
  }
}

describe('load-acquire / store-release on both engines', () => {
  for (const engine of ENGINES) {
    it(`${engine}: a load-acquire of every size at every offset zero-extends like a plain load`, () => {
      const { rt, mem } = setup(engine);
      for (const [size, n] of SIZES) {
        for (let o = 0; o + n <= 16; o += n) {
          const want = (((V << 64n) | V) >> BigInt(o * 8)) & ((1n << BigInt(n * 8)) - 1n);
          const r = rt.execute(prog([lddw(2, V), stx(DW, 1, 2, 0), stx(DW, 1, 2, 8), mov64(0, -1), ldacq(size, 0, 1, o), exit()]), { args: [mem] });
          expect(r.r0, `size ${n} off ${o}`).toBe(want);
        }
      }
      // the compiled engine compiled them (no silent fallback to the interpreter)
      if (engine === 'compiled') {
        expect(rt.interpreter.compileStats.notCompiled).toEqual([]);
        expect(rt.interpreter.compileStats.compiled).toBeGreaterThanOrEqual(10);
      }
    });

    it(`${engine}: a store-release of every size writes the low bytes of src only`, () => {
      const { rt, mem } = setup(engine);
      for (const [size, n] of SIZES) {
        const r = rt.execute(prog([lddw(2, 0x1122334455667788n), stx(DW, 1, 2, 0), lddw(3, V), strel(size, 1, 3, 0), ldx(DW, 0, 1, 0), exit()]), { args: [mem] });
        const mask = (1n << BigInt(n * 8)) - 1n;
        expect(r.r0, `size ${n}`).toBe((0x1122334455667788n & ~mask) | (V & mask));
      }
    });

    it(`${engine}: the values of the host kernel's test runs (test/progs/verifier/acqrel.c)`, () => {
      const { rt } = setup(engine);
      // *(u64 *)(r10 - 8) = 0x1122334455667788; r0 = load_acquire((u16 *)(r10 - 6))
      const acq = rt.execute(prog([lddw(1, 0x1122334455667788n), stx(DW, 10, 1, -8), ldacq(H, 0, 10, -6), exit()]));
      expect(acq.r0).toBe(0x5566n);
      // store_release((u8 *)(r10 - 6), r2) over it, the low word read back: 0x55117788
      const rel = rt.execute(prog([lddw(1, 0x1122334455667788n), stx(DW, 10, 1, -8), lddw(2, 0x0a0b0c0d0e0f1011n), strel(B, 10, 2, -6), ldx(W, 0, 10, -8), exit()]));
      expect(rel.r0).toBe(0x55117788n);
    });
  }

  it('faults as the plain access does, identically on both engines', () => {
    const cases: [string, number, (m: number) => ReturnType<typeof prog>][] = [
      ['load past the region', MemFlag.READ | MemFlag.WRITE, () => prog([ldacq(W, 0, 1, 30), exit()])],
      ['store past the region', MemFlag.READ | MemFlag.WRITE, () => prog([mov64(2, 1), strel(DW, 1, 2, 28), mov64(0, 0), exit()])],
      ['store to read-only memory', MemFlag.READ, () => prog([mov64(2, 1), strel(H, 1, 2, 0), mov64(0, 0), exit()])],
      ['load from read-only memory (allowed)', MemFlag.READ, () => prog([ldacq(DW, 0, 1, 0), exit()])],
      ['load into r10', MemFlag.READ | MemFlag.WRITE, () => prog([ldacq(DW, 10, 1, 0), mov64(0, 0), exit()])],
      ['load through a null pointer', MemFlag.READ | MemFlag.WRITE, () => prog([mov64(1, 0), ldacq(B, 0, 1, 0), exit()])],
    ];
    for (const [name, flags, p] of cases) {
      const [a, b] = ENGINES.map((e) => {
        const { rt, mem } = setup(e, flags);
        return outcome(() => rt.execute(p(mem), { args: [mem] }));
      });
      expect(b, name).toBe(a);
      // and the same as the plain LDX / STX the engines run it as
      const plain = (() => {
        const { rt, mem } = setup('interpreter', flags);
        return outcome(() => rt.execute(prog(p(mem).insns.map(plainAccess)), { args: [mem] }));
      })();
      expect(a, name).toBe(plain);
      if (name.includes('allowed')) expect(a).toMatch(/^r0 /);
      else expect(a, name).toMatch(/^fault at /);
    }
  });
});

describe('load-acquire / store-release text', () => {
  const insns = [ldacq(B, 0, 1, 0), ldacq(H, 2, 3, -4), ldacq(W, 4, 5, 8), ldacq(DW, 6, 7, 16), strel(B, 1, 2, 0), strel(H, 3, 4, -2), strel(W, 5, 6, 4), strel(DW, 7, 8, -8)];

  it('kernel dialect: print_bpf_insn (6.18 kernel/bpf/disasm.c, as the host verifier logs it)', () => {
    expect(disassemble(insns, 'kernel').trim().split('\n')).toEqual([
      '0: (d3) r0 = load_acquire((u8 *)(r1 +0))',
      '1: (cb) r2 = load_acquire((u16 *)(r3 -4))',
      '2: (c3) r4 = load_acquire((u32 *)(r5 +8))',
      '3: (db) r6 = load_acquire((u64 *)(r7 +16))',
      '4: (d3) store_release((u8 *)(r1 +0), r2)',
      '5: (cb) store_release((u16 *)(r3 -2), r4)',
      '6: (c3) store_release((u32 *)(r5 +4), r6)',
      '7: (db) store_release((u64 *)(r7 -8), r8)',
    ]);
  });

  it('kernel dialect: an unknown atomic imm is BUG_<code>, a B/H read-modify-write prints by its imm', () => {
    expect(disassemble([I(0xdb, 0, 10, -8, 0x101)], 'kernel').trim()).toBe('0: BUG_db');
    expect(disassemble([I(0xd3, 1, 2, 0, 0)], 'kernel').trim()).toBe('0: (d3) lock *(u8 *)(r1 +0) += r2');
  });

  it('llvm dialect (LLVM 21 spelling) assembles back; objdump-19 raw text is <unknown>', () => {
    const text = disassemble(insns);
    expect(text.trim().split('\n').map((l) => l.replace(/^\s*\d+:\s*/, ''))).toEqual([
      'w0 = load_acquire((u8 *)(r1 + 0x0))',
      'w2 = load_acquire((u16 *)(r3 - 0x4))',
      'w4 = load_acquire((u32 *)(r5 + 0x8))',
      'r6 = load_acquire((u64 *)(r7 + 0x10))',
      'store_release((u8 *)(r1 + 0x0), w2)',
      'store_release((u16 *)(r3 - 0x2), w4)',
      'store_release((u32 *)(r5 + 0x4), w6)',
      'store_release((u64 *)(r7 - 0x8), r8)',
    ]);
    expect(assemble(text)).toEqual(insns);
    expect(assemble('w0 = load_acquire((u8 *)(r1 + 0))\nstore_release((u64 *)(r1 + 8), r2)')).toEqual([ldacq(B, 0, 1, 0), strel(DW, 1, 2, 8)]);
    expect(disassemble([insns[0]!], { raw: true }).trim()).toMatch(/<unknown>$/);
  });

  it('uBPF dialect: ldacq<size> / strel<size>, spelled as ldx / stx', () => {
    expect(assembleUbpf('ldacqb %r0, [%r1]\nldacqdw %r6, [%r7+16]\nstrelh [%r3-2], %r4\nstreldw [%r7-8], %r8')).toEqual([ldacq(B, 0, 1, 0), ldacq(DW, 6, 7, 16), strel(H, 3, 4, -2), strel(DW, 7, 8, -8)]);
  });
});
