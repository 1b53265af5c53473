// Load-time decode errors (reserved fields, bad lddw pairs, bad jump targets) and the run-time
// faults that are not about memory or calls: falling off the end, the budget, fault contents.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { DecodeError, VmFault } from '../../src/errors.js';
import { validate } from '../../vm/decode.js';
import { rawInsns, encodeInsns, type Insn } from '../../vm/isa.js';
import { ADD, DW, I, alu64k, call, exit, ja, lddw, ldx, mov64, prog } from './enc.js';

function decodeError(insns: Insn[]): DecodeError {
  try {
    validate(insns);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
}

describe('decode-time validation', () => {
  const bad: [string, Insn[], RegExp, number][] = [
    ['unknown opcode', [I(0x8f), exit()], /unknown|reserved/, 0],
    ['opcode 0 (not an instruction)', [mov64(0, 0), I(0x00), exit()], /unknown LD/, 1],
    ['register 11', [I(0xb7, 11), exit()], /invalid destination register r11/, 0],
    ['source register 12', [I(0xbf, 0, 12), exit()], /invalid source register/, 0],
    ['imm set in a register ALU op', [I(0x0f, 0, 1, 0, 5), exit()], /reserved imm/, 0],
    ['src set in an immediate ALU op', [I(0x07, 0, 1, 0, 5), exit()], /reserved src/, 0],
    ['offset on add', [I(0x07, 0, 0, 1, 5), exit()], /reserved offset/, 0],
    ['div offset 2', [I(0x37, 0, 0, 2, 5), exit()], /invalid offset for div/, 0],
    ['movsx with an immediate', [I(0xb7, 0, 0, 8, 5), exit()], /movsx/, 0],
    ['movsx32 in ALU32', [I(0xbc, 0, 1, 32), exit()], /movsx/, 0],
    ['byte swap width 8', [I(0xdc, 0, 0, 0, 8), exit()], /byte swap width/, 0],
    ['ALU64 END from register', [I(0xdf, 0, 0, 0, 16), exit()], /reserved byte swap/, 0],
    ['neg with src', [I(0x87, 0, 1), exit()], /neg/, 0],
    ['exit with fields', [I(0x95, 1)], /exit/, 0],
    ['call in JMP32', [I(0x86, 0, 0, 0, 1), exit()], /call in JMP32/, 0],
    ['call src 3', [I(0x85, 0, 3, 0, 1), exit()], /invalid call source/, 0],
    ['lddw last', [mov64(0, 0), I(0x18, 0, 0, 0, 1)], /incomplete lddw/, 1],
    ['lddw second slot not zero', [I(0x18, 0, 0, 0, 1), I(0xb7), exit()], /second slot/, 0],
    ['lddw src 7', [I(0x18, 0, 7, 0, 1), I(0), exit()], /invalid lddw source/, 0],
    ['ldx DW sign-extending', [I(0x99, 0, 1), exit()], /unknown load/, 0],
    ['ldx with imm', [I(0x61, 0, 1, 0, 1), exit()], /reserved imm/, 0],
    ['st with src', [I(0x62, 1, 2, 0, 1), exit()], /reserved src/, 0],
    ['atomic bad op', [I(0xdb, 1, 2, 0, 0x10), exit()], /invalid atomic operation/, 0],
    ['atomic byte-sized', [I(0xd3, 1, 2, 0, 0), exit()], /invalid atomic operand size/, 0],
    ['LD_ABS DW', [I(0x38), exit()], /unknown LD/, 0],
    ['jump past the end', [ja(5), exit()], /jump target 6 out of range/, 0],
    ['jump before the start', [ja(-2), exit()], /jump target -1 out of range/, 0],
    ['jump into an lddw', [ja(1), ...lddw(0, 1n), exit()], /middle of an lddw/, 0],
    ['gotol past the end', [I(0x06, 0, 0, 0, 9), exit()], /out of range/, 0],
    ['local call past the end', [I(0x85, 0, 1, 0, 9), exit()], /call target/, 0],
    ['function reference past the end', [...lddw(1, 7n, 4), exit()], /function target/, 0],
    ['empty program', [], /empty program/, -1],
  ];
  for (const [name, insns, re, pc] of bad) {
    it(name, () => {
      const e = decodeError(insns);
      expect(e.message).toMatch(re);
      if (pc >= 0) expect(e.pc).toBe(pc);
    });
  }
  it('execute refuses malformed code with the DecodeError before running', () => {
    expect(() => new Runtime().execute(prog([I(0x8f), exit()]))).toThrow(DecodeError);
    expect(() => new Runtime().registerProgram(prog([ja(3), exit()]))).toThrow(/insn 0: jump target/);
  });
  it('accepts every v4 form', () => {
    expect(() =>
      validate([I(0x37, 0, 0, 1, 3), I(0x3c, 0, 1, 1), I(0x9f, 0, 1, 1), I(0xbf, 0, 1, 32), I(0xbc, 0, 1, 16), I(0xd7, 0, 0, 0, 64), I(0x91, 0, 1, 2), I(0x06, 0, 0, 0, 0), I(0xdb, 1, 2, 0, 0xf1), I(0xc3, 1, 2, 0, 0xa1), exit()]),
    ).not.toThrow();
  });
  it('raw bytes round-trip through rawInsns / encodeInsns', () => {
    const insns = [mov64(1, -7), ...lddw(2, 0x1122334455667788n), ldx(DW, 3, 1, -16), exit()];
    expect(rawInsns(encodeInsns(insns))).toEqual(insns);
  });
});

describe('run-time faults', () => {
  it('a write to r10 faults when it runs; in dead code it loads and runs (as in the kernel)', () => {
    const writes = [I(0xb7, 10, 0, 0, 1), I(0x07, 10, 0, 0, -8), I(0x87, 10), I(0x79, 10, 1, 0), ...lddw(10, 1n)];
    for (let k = 0; k < writes.length; k++) {
      const w = writes[k]!;
      const slots = w.code === 0x18 ? [w, writes[k + 1]!] : [w];
      if (w.code === 0) continue; // the second slot of the lddw
      // 0: r0 = 7; 1: if r0 == 7 goto +n (always); 2..: the write; then exit
      const dead = prog([mov64(0, 7), I(0x15, 0, 0, slots.length, 7), ...slots, exit()]);
      expect(() => validate(dead.insns)).not.toThrow();
      expect(new Runtime().execute(dead).r0).toBe(7n);
      const live = prog([mov64(1, 0), ...slots, mov64(0, 1), exit()]);
      let f: VmFault | undefined;
      try {
        new Runtime().execute(live);
      } catch (e) {
        f = e as VmFault;
      }
      expect(f, `0x${w.code.toString(16)}`).toBeInstanceOf(VmFault);
      expect(f!.reason).toMatch(/r10 is read-only/);
      expect(f!.pc).toBe(1);
      expect(f!.opcode).toBe(w.code);
    }
  });
  it('falling off the end of the program', () => {
    const f = (() => {
      try {
        new Runtime().execute(prog([mov64(0, 1), alu64k(ADD, 0, 1)]));
      } catch (e) {
        return e as VmFault;
      }
      throw new Error('no fault');
    })();
    expect(f).toBeInstanceOf(VmFault);
    expect(f.reason).toMatch(/fell off the end/);
    expect(f.pc).toBe(2);
  });
  it('the instruction budget stops an infinite loop (default is 100 million)', () => {
    const rt = new Runtime({ maxInsns: 5000 });
    expect(rt.options.maxInsns).toBe(5000);
    expect(new Runtime().options.maxInsns).toBe(100_000_000);
    expect(() => rt.execute(prog([ja(-1), exit()]))).toThrow(/instruction budget of 5000 exhausted/);
    expect(() => rt.execute(prog([ja(-1), exit()]), { maxInsns: 10 })).toThrow(/budget of 10 /);
    // exactly at the budget is fine
    expect(rt.execute(prog([mov64(0, 1), exit()]), { maxInsns: 2 }).r0).toBe(1n);
    expect(() => rt.execute(prog([mov64(0, 1), exit()]), { maxInsns: 1 })).toThrow(/budget/);
  });
  it('a fault carries pc, opcode, registers, the source line and the function name', () => {
    const p = prog([mov64(0, 0), mov64(3, 33), call(0), mov64(1, 0), ldx(DW, 0, 1, 0), exit()], {
      name: 'main',
      lineInfo: [
        { pc: 0, file: 'x.c', line: 3, col: 1, text: 'int x = 0;' },
        { pc: 4, file: 'x.c', line: 7, col: 5, text: '  return *p;' },
      ],
      funcs: [{ pc: 0, name: 'main' }, { pc: 3, name: 'helper_fn' }],
    });
    const rt = new Runtime({ helpers: [{ id: 0, name: 'nop', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl: () => 0 }] });
    try {
      rt.execute(p);
      expect.fail('no fault');
    } catch (e) {
      const f = e as VmFault;
      expect(f).toBeInstanceOf(VmFault);
      expect(f.pc).toBe(4);
      expect(f.opcode).toBe(0x79);
      expect(f.registers).toHaveLength(11);
      expect(f.registers[3]).toBe(33n);
      expect(f.sourceLine).toBe('x.c:7 return *p;');
      expect(f.program).toBe('main/helper_fn');
      expect(f.exitCode).toBe(1);
      expect(f.message).toMatch(/^main\/helper_fn pc 4 \(opcode 0x79\): read of 8 bytes at 0x0/);
    }
  });
});
