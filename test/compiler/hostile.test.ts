// Hostile programs against the compiling tier: what it writes into its generated source must be
// numbers the encoding can carry, and where its code and the interpreter's could part ways on odd
// encodings, both engines must give the same answer (the interpreter is the reference).
import { describe, expect, it } from 'vitest';
import { DecodeError, VmFault } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import type { Engine } from '../../vm/interpreter.js';
import type { Insn } from '../../vm/isa.js';
import { exit, mov64, prog } from '../vm/enc.js';

const ENGINES: readonly Engine[] = ['interpreter', 'compiled'];

/** Run `insns` under each engine; the outcome (r0, or the error's class and message) per engine. */
function both(insns: Insn[]): { outcome: string; notCompiled: unknown[] }[] {
  return ENGINES.map((engine) => {
    const rt = new Runtime({ engine });
    let outcome: string;
    try {
      outcome = `r0=${rt.execute(prog(insns)).r0}`;
    } catch (e) {
      outcome = e instanceof VmFault || e instanceof DecodeError ? `${e.constructor.name}: ${e.message}` : `raw ${String(e)}`;
    }
    return { outcome, notCompiled: rt.interpreter.compileStats.notCompiled };
  });
}

describe('hostile programs under the compiling tier', () => {
  it('instruction fields that are not integers the encoding carries are refused before either engine runs', () => {
    const g = globalThis as { __ebpfvmPwned?: number };
    // a program built in JavaScript may carry strings or fractions where numbers belong: the
    // compiled engine once spliced `off` into its source as text and ran the string as code
    const cases: [Partial<Insn>, RegExp][] = [
      [{ code: 0x61, dst: 0, src: 10, off: '-8;globalThis.__ebpfvmPwned=1;' as unknown as number }, /insn 1: invalid instruction: off "-8;globalThis.__ebpfvmPwned=1;" is not an integer in \[-32768, 32767\]/],
      [{ code: 0xb7, dst: '0;globalThis.__ebpfvmPwned=2;//' as unknown as number }, /insn 1: invalid instruction: dst ".*" is not an integer in \[0, 15\]/],
      [{ code: 0x85, imm: '1;globalThis.__ebpfvmPwned=3;' as unknown as number }, /insn 1: invalid instruction: imm ".*" is not an integer/],
      [{ code: 0x61, dst: 0, src: 10, off: 1e300 }, /off 1e\+300 is not an integer in \[-32768, 32767\]/],
      [{ code: 0x61, dst: 0, src: 10, off: -8.5 }, /off -8.5 is not an integer/],
      [{ code: 0x07, imm: 1.5 }, /imm 1.5 is not an integer/],
      [{ code: 0x07, imm: 2 ** 40 }, /imm 1099511627776 is not an integer/],
      [{ code: 0xb7, imm: NaN }, /imm NaN is not an integer/],
      [{ code: 0x1ff }, /code 511 is not an integer in \[0, 255\]/],
    ];
    for (const [fields, message] of cases) {
      g.__ebpfvmPwned = 0;
      const x = { code: 0, dst: 0, src: 0, off: 0, imm: 0, ...fields } as Insn;
      const [i, c] = both([mov64(0, 0), x, exit()]);
      expect(i!.outcome, JSON.stringify(fields)).toMatch(message);
      expect(i!.outcome).toMatch(/^DecodeError/);
      expect(c!.outcome).toBe(i!.outcome);
      expect(g.__ebpfvmPwned).toBe(0);
    }
  });

  it('a helper id given as its unsigned 32-bit value names the same helper in both engines', () => {
    // imm 0xffffffff is -1 to the interpreter (its decoded arrays are int32)
    const [i, c] = both([{ code: 0x85, dst: 0, src: 0, off: 0, imm: 0xffffffff }, exit()]);
    expect(i!.outcome).toMatch(/unknown helper #-1$/);
    expect(c!.outcome).toBe(i!.outcome);
    expect(c!.notCompiled).toEqual([]);
  });
});
