// Deterministic sample instructions for every form of the opcode table, with operand values chosen
// to hit the printing corners (zero, negative, extreme offsets and immediates, r10). Used to build
// the llvm-objdump goldens (test/fixtures/objdump/gen.mjs) and by the disassembler tests.
import type { Insn } from '../../vm/isa.js';
import { OPCODES, type OpForm } from '../../vm/opcodes.js';

const REGS = [0, 1, 9, 10];
const OFFS = [0, 4, -4, 0x7fff, -0x8000, 1];
const IMMS = [0, 1, -1, 0x7fffffff, -0x80000000, 0x1234, 255];
const IMM64S = [0n, 1n, 0xffffffffffffffffn, 0x8000000000000000n, 0x123456789abcdef0n, 0x100000000n, 0x7fffffffn, 0x80000000n];

/** One sample = the slots of one instruction (two for LD_IMM64). */
export function samplesOf(f: OpForm): Insn[][] {
  const out: Insn[][] = [];
  const fx = f.fixed ?? {};
  const base = (): Insn => ({ code: f.code, dst: 0, src: fx.src ?? 0, off: fx.off ?? 0, imm: fx.imm ?? 0 });
  const n = Math.max(REGS.length, f.operands.off ? OFFS.length : 0, f.operands.imm ? IMMS.length : 0);
  for (let i = 0; i < n; i++) {
    const x = base();
    if (f.operands.dst) x.dst = REGS[i % REGS.length]!;
    if (f.operands.src) x.src = REGS[(i + 1) % REGS.length]!;
    if (f.operands.off) x.off = OFFS[i % OFFS.length]!;
    if (f.operands.imm) x.imm = IMMS[i % IMMS.length]!;
    if (f.kind === 'ldimm64') {
      for (const v of IMM64S) {
        const lo = Number(BigInt.asIntN(32, v));
        const hi = Number(BigInt.asIntN(32, v >> 32n));
        out.push([{ ...x, imm: lo }, { code: 0, dst: 0, src: 0, off: 0, imm: hi }]);
      }
      break;
    }
    out.push([x]);
  }
  return out;
}

/** Samples of every form, in table order. */
export function allSamples(filter: (f: OpForm) => boolean = () => true): { form: OpForm; slots: Insn[] }[] {
  const out: { form: OpForm; slots: Insn[] }[] = [];
  for (const f of OPCODES) if (filter(f)) for (const s of samplesOf(f)) out.push({ form: f, slots: s });
  return out;
}
