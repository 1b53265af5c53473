// Exactness against the host kernel: test/fixtures/verifier-scalar/*.json hold small programs
// (every ALU op in both widths and forms, every conditional jump in both widths and forms, on
// ranged inputs) and the level-2 log Linux 6.18 printed for them (scripts/record-verifier-scalar.mjs).
// This replays each program over the scalar domain alone, exploring paths in the kernel's order
// (fall-through first, the pushed branch when the path exits), and checks that every scalar
// register the kernel printed prints the same from our Scalar. Register ids (`id=N`) belong to the
// verifier core and the kernel's `P` precision mark too, so both are left out of the comparison;
// a branch the kernel decided (one edge explored) must be decided the same way by isBranchTaken,
// and an AND/OR the kernel splits into two states (maybe_fork_scalars) must be one forkWidth names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cls, JmpOp, LD_IMM64, imm64, rawInsns } from '../../vm/isa.js';
import { Scalar, forkWidth, formatScalar, isBranchTaken, refineBranch, scalarAlu } from '../../verifier/scalar.js';

interface Fixture {
  kernel: string;
  programs: Record<string, { asm: string; insns: string; log: string }>;
}

const DIR = join(import.meta.dirname, '../fixtures/verifier-scalar');
const GROUPS = ['alu', 'branch', 'random'];

type Regs = (Scalar | null)[];

/** Split `R1=ctx() R6=scalar(id=1,var_off=(0x0; 0xff))` into [regno, text] pairs. */
function parseRegs(text: string): [number, string][] {
  const out: [number, string][] = [];
  let depth = 0;
  let cur = '';
  const flush = (): void => {
    const m = /^R(\d+)=(.*)$/.exec(cur);
    if (m) out.push([Number(m[1]), m[2]!]);
    cur = '';
  };
  for (const ch of text.trim()) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ' ' && depth === 0) flush();
    else cur += ch;
  }
  flush();
  return out;
}

/** The kernel's text without what the scalar domain does not own (ids, precision marks). */
function normalize(t: string): string {
  return t.replace(/^P/, '').replace(/id=\d+(?:[+-]\d+)?,?/, '').replace(/,\)$/, ')');
}
const isScalarText = (t: string): boolean => /^P?(scalar\(|-?\d|0x)/.test(t);

interface Result {
  compared: number;
  mismatches: string[];
}

function replay(name: string, prog: { insns: string; log: string }, res: Result): void {
  const insns = rawInsns(Buffer.from(prog.insns, 'hex'));
  let regs: Regs = new Array<Scalar | null>(11).fill(null);
  const stack: { from: number; to: number; regs: Regs }[] = [];
  let pc = 0;
  const compare = (line: string, states: string): void => {
    for (const [r, text] of parseRegs(states)) {
      const mine = regs[r];
      if (!isScalarText(text)) {
        if (mine) res.mismatches.push(`${name}: ${line}\n  R${r}: kernel ${text}, ours ${formatScalar(mine)}`);
        continue;
      }
      res.compared++;
      const want = normalize(text);
      const got = mine ? formatScalar(mine) : '(not a scalar)';
      if (got !== want) res.mismatches.push(`${name}: ${line}\n  R${r}: kernel ${want}\n      ours   ${got}`);
    }
  };
  for (const line of prog.log.split('\n')) {
    let m = /^from (\d+) to (\d+): (.*)$/.exec(line);
    if (m) {
      const top = stack.pop();
      if (!top || top.from !== Number(m[1]) || top.to !== Number(m[2])) {
        res.mismatches.push(`${name}: kernel explores "${line.slice(0, 20)}", we pushed ${top ? `${top.from}->${top.to}` : 'nothing'}`);
        return;
      }
      regs = top.regs;
      pc = top.to;
      compare(line, m[3]!);
      continue;
    }
    m = /^(\d+): \(([0-9a-f]{2})\) ([^;]*?)\s*(?:; (.*))?$/.exec(line);
    if (!m) continue; // state dumps (`N: R1=...`), `processed ...`
    const at = Number(m[1]);
    if (at !== pc) {
      res.mismatches.push(`${name}: kernel at insn ${at}, we at ${pc} (a branch decided differently)`);
      return;
    }
    const insn = insns[pc]!;
    const cls = insn.code & 7;
    if (insn.code === LD_IMM64) {
      regs[insn.dst] = Scalar.known(imm64(insn, insns[pc + 1]!));
      pc += 2;
    } else if (cls === Cls.ALU || cls === Cls.ALU64) {
      const dst = regs[insn.dst] ?? (regs[insn.dst] = Scalar.unknown());
      const src = (insn.code & 8) !== 0 ? regs[insn.src]! : Scalar.known(BigInt(insn.imm));
      // AND/OR with a constant on a register in [-1, 0]: the kernel continues with -1 and pushes
      // the same instruction with 0 (maybe_fork_scalars)
      const width = forkWidth(insn.code, dst, src);
      if (width) {
        const other = regs.map((r) => r?.clone() ?? null);
        if (width === 64) {
          other[insn.dst]!.markKnown(0n);
          dst.markKnown(-1n);
        } else {
          other[insn.dst]!.markKnown32(0);
          dst.markKnown32(-1);
        }
        stack.push({ from: pc, to: pc, regs: other });
      }
      scalarAlu(insn.code, insn.off, insn.imm, dst, src);
      pc++;
    } else if (cls === Cls.JMP || cls === Cls.JMP32) {
      const op = insn.code & 0xf0;
      if (op === JmpOp.CALL) {
        regs[0] = Scalar.unknown();
        for (let r = 1; r <= 5; r++) regs[r] = null;
        pc++;
      } else if (op === JmpOp.EXIT) {
        pc = -1; // the next line must be a `from`
      } else if (op === JmpOp.JA) {
        pc += insn.off + 1;
      } else {
        const target = pc + insn.off + 1;
        const a = regs[insn.dst]!;
        const b = (insn.code & 8) !== 0 ? regs[insn.src]! : Scalar.known(BigInt(insn.imm));
        const pred = isBranchTaken(insn.code, a, b);
        if (pred === 1) pc = target;
        else if (pred === 0) pc++;
        else {
          const taken = regs.map((r) => r?.clone() ?? null);
          const tb = (insn.code & 8) !== 0 ? taken[insn.src]! : b.clone();
          refineBranch(insn.code, taken[insn.dst]!, tb, true);
          stack.push({ from: pc, to: target, regs: taken });
          refineBranch(insn.code, a, b, false);
          pc++;
        }
      }
    } else {
      res.mismatches.push(`${name}: unsupported insn ${line}`);
      return;
    }
    if (m[4]) compare(line, m[4]);
  }
  if (stack.length) res.mismatches.push(`${name}: we pushed ${stack.length} branch(es) the kernel never explored`);
}

describe('scalar domain against the host kernel (6.18) logs', () => {
  for (const group of GROUPS) {
    it(`${group}: every printed scalar state matches`, () => {
      const fx = JSON.parse(readFileSync(join(DIR, `${group}.json`), 'utf8')) as Fixture;
      const res: Result = { compared: 0, mismatches: [] };
      for (const [name, prog] of Object.entries(fx.programs)) replay(name, prog, res);
      const rate = ((res.compared - res.mismatches.length) / res.compared) * 100;
      console.log(`${group}: ${res.compared} register states compared, ${res.mismatches.length} differ (${rate.toFixed(2)} % agree)`);
      expect(res.compared).toBeGreaterThan(1000);
      expect(res.mismatches.slice(0, 8)).toEqual([]);
    });
  }
});
