// The verifier's rewrites (verifier/fixups.ts, the kernel's do_misc_fixups division guards): the
// patches are the kernel's instruction for instruction (as its xlated program prints them, the
// text verifier_sdiv.c's __xlated expects), branches across a patch still reach their targets,
// and the rewritten program, r11 (AX) and all, runs on both engines with the ISA's results.
import { describe, expect, it } from 'vitest';
import { fixupInsns, xlateProgram } from '../../verifier/fixups.js';
import { assemble } from '../../vm/asm.js';
import { disassemble } from '../../vm/disasm.js';
import { Runtime } from '../../src/runtime.js';
import { ENGINES } from '../../vm/interpreter.js';
import type { Program } from '../../vm/program.js';

const prog = (text: string): Program => ({ name: 't', progType: 1, insns: assemble(text), gpl: true });
/** test_loader's form: `N: insn` without the `(code) ` prefix. */
const xlatedText = (p: Program) => disassemble(p.insns, { dialect: 'kernel', xlated: p.xlated === true }).replace(/^(\d+: )\([0-9a-f]{2}\) /gm, '$1');

describe('division fixups', () => {
  it("sdiv by a register: the kernel's nine-instruction guard with AX", () => {
    const x = xlateProgram(prog('r2 = 5\nr3 = -1\nr2 s/= r3\nr0 = r2\nexit'));
    expect(x.xlated).toBe(true);
    expect(xlatedText(x)).toBe(
      [
        '0: r2 = 5', '1: r3 = -1', '2: r11 = r3', '3: r11 += 1', '4: if r11 > 0x1 goto pc+4', '5: if r11 == 0x0 goto pc+1',
        '6: r2 = 0', '7: r2 = -r2', '8: goto pc+1', '9: r2 s/= r3', '10: r0 = r2', '11: exit', '',
      ].join('\n'),
    );
  });
  it('smod32 by a register keeps the zero-extension arm; smod64 does not', () => {
    expect(xlatedText(xlateProgram(prog('w2 s%= w3\nexit')))).toBe(
      ['0: r11 = r3', '1: w11 += 1', '2: if w11 > 0x1 goto pc+3', '3: if w11 == 0x1 goto pc+4', '4: w2 = 0', '5: goto pc+1', '6: w2 s%= w3', '7: goto pc+1', '8: w2 = w2', '9: exit', ''].join('\n'),
    );
    expect(fixupInsns(assemble('r2 s%= r3\nexit'))!.insns).toHaveLength(8);
  });
  it('unsigned div/mod by a register and sdiv/smod by -1 are rewritten; other constants are not', () => {
    expect(xlatedText(xlateProgram(prog('r2 /= r3\nexit')))).toBe(['0: if r3 != 0x0 goto pc+2', '1: w2 ^= w2', '2: goto pc+1', '3: r2 /= r3', '4: exit', ''].join('\n'));
    expect(xlatedText(xlateProgram(prog('w2 %= w3\nexit')))).toBe(['0: if w3 == 0x0 goto pc+2', '1: w2 %= w3', '2: goto pc+1', '3: w2 = w2', '4: exit', ''].join('\n'));
    expect(xlatedText(xlateProgram(prog('r2 s/= -1\nexit')))).toBe('0: r2 = -r2\n1: exit\n');
    expect(xlatedText(xlateProgram(prog('w2 s%= -1\nexit')))).toBe('0: w2 = 0\n1: exit\n');
    const p = prog('r2 s/= 3\nr2 /= 7\nexit');
    expect(xlateProgram(p)).toBe(p);
  });
  it('branches and calls across a patch keep their targets', () => {
    const insns = assemble(['if r1 > 3 goto +2', 'r2 /= r1', 'r0 = 1', 'r0 = 2', 'if r0 == 0 goto -5', 'exit'].join('\n'));
    const x = fixupInsns(insns)!;
    expect([...x.pcMap]).toEqual([0, 1, 5, 6, 7, 8, 9]);
    // pc 0 jumped to old pc 3 (new 6); old pc 4 jumped back to old pc 0
    expect(x.insns[0]!.off).toBe(6 - 0 - 1);
    expect(x.insns[7]!.off).toBe(0 - 7 - 1);
    // a jump to the patched instruction lands on its patch's first instruction
    const y = fixupInsns(assemble(['if r1 > 3 goto +0', 'r2 /= r1', 'exit'].join('\n')))!;
    expect(y.insns[0]!.off).toBe(0);
  });
  for (const engine of ENGINES) {
    it(`the rewritten program runs with the ISA's quotients and remainders (${engine})`, () => {
      const rt = new Runtime({ engine });
      const MIN = -(1n << 63n);
      const cases: [string, bigint, bigint, bigint][] = [
        ['r1 s/= r2', MIN, -1n, MIN],
        ['r1 s/= r2', 7n, 0n, 0n],
        ['r1 s/= r2', -7n, 2n, -3n],
        ['r1 s%= r2', MIN, -1n, 0n],
        ['r1 s%= r2', -7n, 0n, -7n],
        ['r1 s%= r2', -7n, 2n, -1n],
        ['w1 s/= w2', -(1n << 31n), -1n, 1n << 31n],
        ['w1 s%= w2', -1n, 0n, 0xffffffffn],
        ['r1 /= r2', 9n, 0n, 0n],
        ['r1 %= r2', 9n, 0n, 9n],
        ['w1 %= w2', -1n, 0n, 0xffffffffn],
        ['r1 s/= -1', MIN, 0n, MIN],
      ];
      for (const [op, a, b, want] of cases) {
        const x = xlateProgram(prog(`${op}\nr0 = r1\nexit`));
        expect(x.xlated, op).toBe(true);
        const steps: number[] = [];
        const r = rt.execute(x, { args: [a, b], ...(engine === 'interpreter' ? { trace: (_l: string, s: { pc: number }) => void steps.push(s.pc) } : {}) });
        expect(BigInt.asUintN(64, r.r0), `${op} (${a}, ${b})`).toBe(BigInt.asUintN(64, want));
        // the interpreter's trace shows the longer, guarded program ran (the original has pcs 0-2)
        if (engine === 'interpreter' && !op.endsWith('-1')) expect(Math.max(...steps), op).toBeGreaterThan(2);
      }
    });
  }
});

describe('unprivileged tail call fixup', () => {
  it("bounds and masks the index before each unprivileged bpf_tail_call, as do_misc_fixups does", () => {
    // A site of a 5-entry prog array: index_mask 7; a jump to the call lands on the bound check.
    const x = xlateProgram(prog('if r1 == 0 goto +1\nr0 = 1\ncall 12\nr0 = 2\nexit'), { tailCallBounds: [{ pc: 2, maxEntries: 5 }] });
    expect(xlatedText(x)).toBe(['0: if r1 == 0x0 goto pc+1', '1: r0 = 1', '2: if r3 >= 0x5 goto pc+2', '3: w3 &= 7', '4: call unknown#12', '5: r0 = 2', '6: exit', ''].join('\n'));
    // Without unprivileged sites nothing changes.
    const p = prog('call 12\nr0 = 2\nexit');
    expect(xlateProgram(p)).toBe(p);
  });
});
