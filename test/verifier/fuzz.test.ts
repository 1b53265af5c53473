// A hostile or corrupt program never makes the verifier throw a raw JS error, loop or grow without
// bound: random instruction streams built from the opcode table (valid forms with random fields,
// plus raw garbage) always end in a verdict with a log, within the instruction limit.
import { describe, expect, it } from 'vitest';
import { OPCODES } from '../../vm/opcodes.js';
import { helperById } from '../../helpers/table.js';
import { verify, type VerifierMap } from '../../verifier/index.js';
import type { Insn } from '../../vm/isa.js';

const MAP: VerifierMap = { id: 1, name: 'm', type: 2, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, frozen: false };

/** xorshift32: reproducible streams. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function randomProgram(next: () => number): Insn[] {
  const n = 2 + (next() % 40);
  const insns: Insn[] = [];
  const pick = <T,>(a: readonly T[]): T => a[next() % a.length]!;
  for (let i = 0; i < n; i++) {
    if (next() % 10 === 0) {
      insns.push({ code: next() & 0xff, dst: next() % 16, src: next() % 16, off: ((next() & 0xffff) << 16) >> 16, imm: next() | 0 });
      continue;
    }
    const f = pick(OPCODES);
    const small = (): number => (next() % 2 ? (next() % 64) - 32 : ((next() & 0xffff) << 16) >> 16);
    insns.push({
      code: f.code,
      dst: next() % 11,
      src: f.fixed?.src ?? next() % 11,
      off: f.fixed?.off ?? (f.kind === 'jcond' || f.kind === 'ja' ? (next() % 12) - 4 : small()),
      imm: f.fixed?.imm ?? (f.kind === 'call' ? pick([1, 2, 5, 6, 12, 16, 131, 181, next() % 300]) : small()),
    });
    if (f.kind === 'ldimm64') insns.push({ code: 0, dst: 0, src: 0, off: 0, imm: next() | 0 });
  }
  insns.push({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  return insns;
}

/** Programs more likely to be valid: registers initialised, ALU and jumps (backwards too, so
 *  loops and the instruction limit are exercised), stack stores and loads through r10. */
function saneProgram(next: () => number): Insn[] {
  const insns: Insn[] = [];
  for (let r = 0; r < 10; r++) if (r !== 1) insns.push({ code: 0xb7, dst: r, src: 0, off: 0, imm: (next() % 200) - 100 });
  const alu = OPCODES.filter((f) => (f.kind === 'alu' || f.kind === 'neg') && !f.name.startsWith('div') && !f.name.startsWith('mod') && !f.name.startsWith('sdiv') && !f.name.startsWith('smod'));
  const jumps = OPCODES.filter((f) => f.kind === 'jcond');
  const n = 5 + (next() % 30);
  for (let i = 0; i < n; i++) {
    const k = next() % 10;
    const reg = (): number => [0, 2, 3, 4, 5, 6, 7, 8, 9][next() % 9]!;
    if (k < 5) {
      const f = alu[next() % alu.length]!;
      const shift = /sh/.test(f.name);
      insns.push({ code: f.code, dst: reg(), src: f.operands.src ? reg() : 0, off: f.fixed?.off ?? 0, imm: f.operands.imm ? (shift ? next() % 32 : (next() % 64) - 32) : 0 });
    } else if (k < 8) {
      const f = jumps[next() % jumps.length]!;
      insns.push({ code: f.code, dst: reg(), src: f.operands.src ? reg() : 0, off: (next() % 9) - 5, imm: f.operands.imm ? (next() % 64) - 32 : 0 });
    } else if (k === 8) insns.push({ code: 0x7b, dst: 10, src: reg(), off: -8 * (1 + (next() % 8)), imm: 0 });
    else insns.push({ code: 0x79, dst: reg(), src: 10, off: -8 * (1 + (next() % 8)), imm: 0 });
  }
  insns.push({ code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });
  return insns;
}

describe('verifier on random programs', () => {
  it('always returns a verdict with a log, never a raw error or a runaway', () => {
    const next = rng(12345);
    let accepted = 0;
    let internal = 0;
    for (let i = 0; i < 300; i++) {
      const insns = i % 2 ? randomProgram(next) : saneProgram(next);
      const r = verify({ name: 'f', insns, progType: 1 + (next() % 2) * 5, gpl: true, map: (id) => (id === 1 ? MAP : undefined), helper: helperById }, { insnLimit: 3000 });
      expect(typeof r.accepted).toBe('boolean');
      expect(r.processed).toBeLessThanOrEqual(3001);
      if (r.accepted) accepted++;
      else {
        expect(r.log).toMatch(/processed \d+ insns/);
        expect(r.error).toBeTruthy();
        if (r.error!.startsWith('verifier internal error')) internal++;
      }
    }
    // Internal errors are wrapped, never thrown; there should be none at all.
    expect(internal).toBe(0);
    expect(accepted).toBeGreaterThan(0);
  }, 120_000);
});
