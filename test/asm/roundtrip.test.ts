// asm(disasm(bytes)) == bytes: a property test over random valid instructions drawn from the
// opcode table, plus the same over every sample form and over the clang-built fixture programs.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../vm/asm.js';
import { disassemble } from '../../vm/disasm.js';
import { encodeInsns, rawInsns, type Insn } from '../../vm/isa.js';
import { OPCODES, type OpForm } from '../../vm/opcodes.js';
import { allSamples } from './samples.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/objdump');
const hexOf = (insns: Insn[]): string => Buffer.from(encodeInsns(insns)).toString('hex');

/** A random valid instruction (one or two slots) of form `f`. */
function arbInsn(f: OpForm): fc.Arbitrary<Insn[]> {
  const reg = fc.integer({ min: 0, max: 10 });
  const off = fc.integer({ min: -0x8000, max: 0x7fff });
  const imm = fc.integer({ min: -0x80000000, max: 0x7fffffff });
  return fc.record({ dst: reg, src: reg, off, imm, hi: imm }).map(({ dst, src, off: o, imm: i, hi }) => {
    const fx = f.fixed ?? {};
    const x: Insn = {
      code: f.code,
      dst: f.operands.dst ? dst : 0,
      src: f.operands.src ? src : (fx.src ?? 0),
      off: f.operands.off ? o : (fx.off ?? 0),
      imm: f.operands.imm ? i : (fx.imm ?? 0),
    };
    return f.kind === 'ldimm64' ? [x, { code: 0, dst: 0, src: 0, off: 0, imm: hi }] : [x];
  });
}
const arbValid: fc.Arbitrary<Insn[]> = fc.constantFrom(...OPCODES).chain(arbInsn);

describe('asm(disasm(b)) == b', () => {
  it('random programs of valid instructions (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(arbValid, { minLength: 1, maxLength: 40 }), (prog) => {
        const insns = prog.flat();
        const text = disassemble(insns);
        expect(hexOf(assemble(text))).toBe(hexOf(insns));
      }),
      { numRuns: 400 },
    );
  });

  it('with helper/kfunc/map names and symbols as annotations', () => {
    fc.assert(
      fc.property(fc.array(arbValid, { minLength: 1, maxLength: 30 }), (prog) => {
        const insns = prog.flat();
        const text = disassemble(insns, {
          helperName: (id) => (id === 1 ? 'bpf_map_lookup_elem' : undefined),
          kfuncName: (id) => `kf_${id}`,
          mapName: (imm) => `map${imm}`,
          symbolAt: (pc) => (pc === 0 ? 'entry' : undefined),
          sourceLine: (pc) => (pc % 3 === 0 ? `line for ${pc}` : undefined),
        });
        expect(hexOf(assemble(text))).toBe(hexOf(insns));
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary bytes, valid or not (invalid slots print as .quad)', () => {
    const slot = fc.record({
      code: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constant(0x18)),
      dst: fc.integer({ min: 0, max: 15 }),
      src: fc.integer({ min: 0, max: 15 }),
      off: fc.integer({ min: -0x8000, max: 0x7fff }),
      imm: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    });
    fc.assert(
      fc.property(fc.array(slot, { minLength: 1, maxLength: 20 }), (insns) => {
        expect(hexOf(assemble(disassemble(insns)))).toBe(hexOf(insns));
      }),
      { numRuns: 300 },
    );
  });

  it('every sample form, one per line', () => {
    for (const { slots } of allSamples()) {
      const text = disassemble(slots);
      expect(hexOf(assemble(text)), text).toBe(hexOf(slots));
    }
  });

  for (const cpu of ['v1', 'v2', 'v3', 'v4']) {
    it(`clang -mcpu=${cpu} fixture program`, () => {
      const insns = rawInsns(new Uint8Array(readFileSync(join(dir, `progs.${cpu}.bin`))));
      expect(hexOf(assemble(disassemble(insns)))).toBe(hexOf(insns));
    });
  }

  it('objdump golden listings assemble back wherever objdump is lossless', () => {
    // objdump drops information for LD_IMM64 pseudo sources (upper imm), ld_ind's imm and the
    // kind of call (helper/local/kfunc all print `call N`); everything else must round-trip.
    const bin = rawInsns(new Uint8Array(readFileSync(join(dir, 'forms.bin'))));
    const text = readFileSync(join(dir, 'forms.v4.txt'), 'utf8');
    const out = assemble(text);
    expect(out.length).toBe(bin.length);
    let compared = 0;
    for (let pc = 0; pc < bin.length; pc++) {
      const b = bin[pc]!;
      const lossy = (b.code === 0x18 && b.src !== 0) || (pc > 0 && bin[pc - 1]!.code === 0x18 && bin[pc - 1]!.src !== 0) || (b.code & 0xe7) === 0x40 || (b.code === 0x85 && b.src !== 0);
      if (lossy) continue;
      expect(out[pc], `pc ${pc}`).toEqual(b);
      compared++;
    }
    expect(compared).toBeGreaterThan(900);
  });
});
