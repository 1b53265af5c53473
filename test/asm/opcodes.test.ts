// The opcode table: its shape, and agreement with the load-time validator (vm/decode.ts), so the
// two descriptions of "valid instruction" cannot drift apart.
import { describe, expect, it } from 'vitest';
import { validate } from '../../vm/decode.js';
import type { Insn } from '../../vm/isa.js';
import { formOf, insnError, OPCODE_BY_NAME, OPCODES, slotCount } from '../../vm/opcodes.js';

describe('opcode table', () => {
  it('has unique names and one form per (code, discriminator)', () => {
    expect(OPCODE_BY_NAME.size).toBe(OPCODES.length);
    const keys = OPCODES.map((f) => `${f.code}/${JSON.stringify(f.fixed ?? {})}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('covers RFC 9669: 14 ALU ops x 2 widths x 2 sources, all jumps, atomics, loads/stores', () => {
    const count = (k: string) => OPCODES.filter((f) => f.kind === k).length;
    expect(count('alu')).toBe(2 * 2 * (12 + 2)); // 12 ops + sdiv + smod
    expect(count('movsx')).toBe(5);
    expect(count('end')).toBe(9);
    expect(count('jcond')).toBe(11 * 2 * 2);
    expect(count('atomic')).toBe(20);
    expect(count('ldx') + count('ldxsx') + count('st') + count('stx')).toBe(4 + 3 + 4 + 4);
    expect(count('ldimm64')).toBe(7);
    expect(count('call')).toBe(3);
  });

  it('finds the form of each sample and reports reserved fields', () => {
    for (const f of OPCODES) {
      const fx = f.fixed ?? {};
      const insn: Insn = { code: f.code, dst: f.operands.dst ? 1 : 0, src: f.operands.src ? 2 : (fx.src ?? 0), off: fx.off ?? 0, imm: fx.imm ?? 0 };
      expect(formOf(insn)).toBe(f);
    }
    const prog = (x: Insn): Insn[] => [x, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }];
    expect(insnError(prog({ code: 0x07, dst: 1, src: 3, off: 0, imm: 1 }), 0)).toMatch(/reserved src/);
    expect(insnError(prog({ code: 0x07, dst: 1, src: 0, off: 2, imm: 1 }), 0)).toMatch(/invalid off 2/);
    expect(insnError(prog({ code: 0xdc, dst: 1, src: 0, off: 0, imm: 8 }), 0)).toMatch(/invalid imm 8/);
    expect(insnError(prog({ code: 0xb7, dst: 11, src: 0, off: 0, imm: 1 }), 0)).toMatch(/invalid destination register r11/);
    expect(insnError(prog({ code: 0xff, dst: 0, src: 0, off: 0, imm: 0 }), 0)).toMatch(/unknown opcode 0xff/);
    expect(insnError([{ code: 0x18, dst: 1, src: 0, off: 0, imm: 0 }], 0)).toMatch(/incomplete lddw/);
    expect(slotCount({ code: 0x18, dst: 0, src: 0, off: 0, imm: 0 })).toBe(2);
  });

  it('agrees with vm/decode validate() on every opcode byte and discriminator', () => {
    // Differences that are by design: validate() also checks jump targets (not a per-instruction
    // property), and is lenient with callx (it also accepts the pre-LLVM-19 encoding with the
    // register in imm), where the table keeps the RFC/LLVM 19 encoding (register in dst, imm 0).
    const zero: Insn = { code: 0, dst: 0, src: 0, off: 0, imm: 0 };
    const exit: Insn = { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 };
    const bad: string[] = [];
    for (let code = 0; code < 256; code++)
      for (const dst of [0, 1, 11])
        for (const src of [0, 1, 2, 4, 11])
          for (const off of [0, 1, 8, 16, 32])
            for (const imm of [0, 1, 16, 32, 64, 0x41, 0xe1, 0xf1, 0xa0, 0x50, -1]) {
              const insn: Insn = { code, dst, src, off, imm };
              const prog = [insn, code === 0x18 ? zero : exit, exit];
              let decodeErr: string | undefined;
              try {
                validate(prog);
              } catch (e) {
                decodeErr = (e as Error).message;
              }
              const tableErr = insnError(prog, 0);
              if (!!decodeErr === !!tableErr) continue;
              if (decodeErr && /target|middle of an lddw/.test(decodeErr) && !tableErr) continue;
              if (code === 0x8d && !decodeErr) continue;
              bad.push(`${JSON.stringify(insn)}: decode ${decodeErr ?? 'ok'}, table ${tableErr ?? 'ok'}`);
            }
    if (bad.length) throw new Error(`${bad.length} disagreements:\n${bad.slice(0, 12).join("\n")}`);
  });
});
