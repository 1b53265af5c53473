// The opcode table: every valid instruction form of RFC 9669 (v1..v4) plus the legacy packet loads,
// described once. The decoder, the assembler (both dialects), the disassembler and the conformance
// tooling all read this table, so what counts as a valid encoding is written down in one place.
//
// A *form* is an opcode byte plus, where the byte alone is ambiguous, one discriminating field:
// `off` (sdiv/smod = 1, movsx = 8/16/32), `imm` (byte swap width, atomic operation) or `src`
// (call kind, LD_IMM64 pseudo source). Every other field is either an operand of the form or must be
// zero; `operands` says which.
import { AluOp, AtomicOp, Cls, JmpOp, Mode, PseudoCall, PseudoLd, Size, Src, isPercpuMov, type Insn } from './isa.js';

export type OpKind =
  | 'alu' // dst op= src|imm (incl. mov, sdiv/smod)
  | 'neg' // dst = -dst
  | 'movsx' // dst = (sN)src
  | 'addrcast' // dst = addr_space_cast(src, to, from): MOV64 with off 1, imm from | to << 16 (Linux 6.9+)
  | 'end' // le/be/bswap, width in imm
  | 'ldimm64' // two slots; src = pseudo source
  | 'ldabs' // legacy packet load, r0 = *(size *)skb[imm]
  | 'ldind' // legacy packet load, r0 = *(size *)skb[src + imm]
  | 'ldx' // dst = *(uN *)(src + off)
  | 'ldxsx' // dst = *(sN *)(src + off)
  | 'st' // *(uN *)(dst + off) = imm
  | 'stx' // *(uN *)(dst + off) = src
  | 'atomic' // atomic read-modify-write, operation in imm
  | 'ldacq' // dst = load_acquire((uN *)(src + off)): STX | ATOMIC | size, imm LOAD_ACQ (Linux 6.15)
  | 'strel' // store_release((uN *)(dst + off), src): STX | ATOMIC | size, imm STORE_REL (Linux 6.15)
  | 'ja' // goto +off
  | 'gotol' // goto +imm (JMP32 | JA)
  | 'jcond' // if dst op src|imm goto +off
  | 'maygoto' // may_goto +off: falls through while the frame's loop budget lasts (JMP | JCOND, src 0)
  | 'call' // call imm (helper / local / kfunc per src)
  | 'callx' // call register (dst)
  | 'exit';

/** Conformance groups as the bpf_conformance runner names them. */
export type ConfGroup = 'base32' | 'base64' | 'atomic32' | 'atomic64' | 'divmul32' | 'divmul64' | 'callx' | 'packet';
export type IsaVersion = 1 | 2 | 3 | 4;

/** Which instruction fields carry operands for a form (the rest must be zero or the form's fixed value). */
export interface Operands {
  dst?: boolean;
  src?: boolean;
  off?: boolean;
  imm?: boolean;
}

export interface OpForm {
  /** Unique, stable key; also the uBPF/bpf_conformance mnemonic where one exists (`add32`, `ldxw`,
   *  `jsgt32`, `lock fetch add32` -> `afadd32`, ...). */
  name: string;
  code: number;
  kind: OpKind;
  cls: Cls;
  /** Discriminating field value (see file comment). */
  fixed?: { off?: number; imm?: number; src?: number };
  operands: Operands;
  /** 32 or 64: register width of the operation (ALU/ALU64, JMP32/JMP, atomic size W/DW). */
  width: 32 | 64;
  /** Memory access size in bytes for loads/stores/atomics. */
  bytes?: 1 | 2 | 4 | 8;
  /** ALU/JMP operation in llvm's operator spelling (`+=`, `s>>=`, `s<`, ...), atomic op name, end kind. */
  op: string;
  /** Lowest ISA version that has this form, as bpf_conformance's instruction table assigns them
   *  (its runner skips tests above --cpu_version): JMP32 v3, jlt/jle/jslt/jsle v2, atomics and
   *  local/kfunc calls v3, sdiv/smod/movsx/ldsx/bswap/gotol v4. */
  version: IsaVersion;
  group: ConfGroup;
}

const SIZE_BYTES: Record<number, 1 | 2 | 4 | 8> = { [Size.B]: 1, [Size.H]: 2, [Size.W]: 4, [Size.DW]: 8 };
const SIZE_SUFFIX: Record<number, string> = { [Size.B]: 'b', [Size.H]: 'h', [Size.W]: 'w', [Size.DW]: 'dw' };

const ALU_OPS: { name: string; op: number; llvm: string; divmul?: boolean }[] = [
  { name: 'add', op: AluOp.ADD, llvm: '+=' },
  { name: 'sub', op: AluOp.SUB, llvm: '-=' },
  { name: 'mul', op: AluOp.MUL, llvm: '*=', divmul: true },
  { name: 'div', op: AluOp.DIV, llvm: '/=', divmul: true },
  { name: 'or', op: AluOp.OR, llvm: '|=' },
  { name: 'and', op: AluOp.AND, llvm: '&=' },
  { name: 'lsh', op: AluOp.LSH, llvm: '<<=' },
  { name: 'rsh', op: AluOp.RSH, llvm: '>>=' },
  { name: 'mod', op: AluOp.MOD, llvm: '%=', divmul: true },
  { name: 'xor', op: AluOp.XOR, llvm: '^=' },
  { name: 'mov', op: AluOp.MOV, llvm: '=' },
  { name: 'arsh', op: AluOp.ARSH, llvm: 's>>=' },
];

export const JMP_OPS: { name: string; op: number; llvm: string; version: IsaVersion }[] = [
  { name: 'jeq', op: JmpOp.JEQ, llvm: '==', version: 1 },
  { name: 'jgt', op: JmpOp.JGT, llvm: '>', version: 1 },
  { name: 'jge', op: JmpOp.JGE, llvm: '>=', version: 1 },
  { name: 'jset', op: JmpOp.JSET, llvm: '&', version: 1 },
  { name: 'jne', op: JmpOp.JNE, llvm: '!=', version: 1 },
  { name: 'jsgt', op: JmpOp.JSGT, llvm: 's>', version: 1 },
  { name: 'jsge', op: JmpOp.JSGE, llvm: 's>=', version: 1 },
  { name: 'jlt', op: JmpOp.JLT, llvm: '<', version: 2 },
  { name: 'jle', op: JmpOp.JLE, llvm: '<=', version: 2 },
  { name: 'jslt', op: JmpOp.JSLT, llvm: 's<', version: 2 },
  { name: 'jsle', op: JmpOp.JSLE, llvm: 's<=', version: 2 },
];

export const ATOMIC_OPS: { name: string; imm: number; fetch: boolean; llvm: string }[] = [
  { name: 'add', imm: AtomicOp.ADD, fetch: false, llvm: '+=' },
  { name: 'or', imm: AtomicOp.OR, fetch: false, llvm: '|=' },
  { name: 'and', imm: AtomicOp.AND, fetch: false, llvm: '&=' },
  { name: 'xor', imm: AtomicOp.XOR, fetch: false, llvm: '^=' },
  { name: 'add', imm: AtomicOp.ADD | AtomicOp.FETCH, fetch: true, llvm: 'add' },
  { name: 'or', imm: AtomicOp.OR | AtomicOp.FETCH, fetch: true, llvm: 'or' },
  { name: 'and', imm: AtomicOp.AND | AtomicOp.FETCH, fetch: true, llvm: 'and' },
  { name: 'xor', imm: AtomicOp.XOR | AtomicOp.FETCH, fetch: true, llvm: 'xor' },
  { name: 'xchg', imm: AtomicOp.XCHG, fetch: true, llvm: 'xchg' },
  { name: 'cmpxchg', imm: AtomicOp.CMPXCHG, fetch: true, llvm: 'cmpxchg' },
];

function buildTable(): OpForm[] {
  const t: OpForm[] = [];
  // ALU and ALU64.
  for (const cls of [Cls.ALU, Cls.ALU64] as const) {
    const w = cls === Cls.ALU ? 32 : 64;
    const sfx = w === 32 ? '32' : '';
    for (const a of ALU_OPS) {
      const group: ConfGroup = a.divmul ? (w === 32 ? 'divmul32' : 'divmul64') : w === 32 ? 'base32' : 'base64';
      for (const src of [Src.K, Src.X] as const) {
        const operands: Operands = src === Src.K ? { dst: true, imm: true } : { dst: true, src: true };
        const reg = src === Src.X ? '.r' : '.i';
        t.push({ name: a.name + sfx + reg, code: cls | a.op | src, kind: 'alu', cls, operands, width: w, op: a.llvm, version: 1, group, fixed: { off: 0 } });
        if (a.op === AluOp.DIV || a.op === AluOp.MOD) {
          const sname = a.op === AluOp.DIV ? 'sdiv' : 'smod';
          t.push({ name: sname + sfx + reg, code: cls | a.op | src, kind: 'alu', cls, operands, width: w, op: 's' + a.llvm, version: 4, group, fixed: { off: 1 } });
        }
      }
      if (a.op === AluOp.MOV) {
        for (const bits of w === 32 ? [8, 16] : [8, 16, 32]) {
          t.push({ name: `movsx${bits}${w}`, code: cls | AluOp.MOV | Src.X, kind: 'movsx', cls, operands: { dst: true, src: true }, width: w, op: `(s${bits})`, version: 4, group: w === 32 ? 'base32' : 'base64', fixed: { off: bits } });
        }
      }
    }
    if (cls === Cls.ALU64) {
      // addr_space_cast (BPF arenas): imm 1 casts address space 1 (user) to 0 (kernel), 1 << 16
      // the other way; the kernel's verifier refuses other imm values, the decoder here too.
      // Not in RFC 9669 or bpf_conformance.
      for (const imm of [1, 1 << 16]) {
        t.push({ name: imm === 1 ? 'addr_space_cast.0.1' : 'addr_space_cast.1.0', code: cls | AluOp.MOV | Src.X, kind: 'addrcast', cls, operands: { dst: true, src: true }, width: 64, op: 'addr_space_cast', version: 4, group: 'base64', fixed: { off: 1, imm } });
      }
    }
    t.push({ name: 'neg' + sfx, code: cls | AluOp.NEG, kind: 'neg', cls, operands: { dst: true }, width: w, op: '-', version: 1, group: 'base32' });
  }
  // Byte swaps: ALU|END|K = to little endian, ALU|END|X = to big endian, ALU64|END|K = bswap (v4).
  for (const [code, kind] of [[Cls.ALU | AluOp.END | Src.K, 'le'], [Cls.ALU | AluOp.END | Src.X, 'be'], [Cls.ALU64 | AluOp.END | Src.K, 'bswap']] as const) {
    for (const bits of [16, 32, 64]) {
      t.push({ name: `${kind}${bits}`, code, kind: 'end', cls: (code & 7) as Cls, operands: { dst: true }, width: 64, op: kind, version: kind === 'bswap' ? 4 : 1, group: bits === 64 ? 'base64' : 'base32', fixed: { imm: bits } });
    }
  }
  // Jumps.
  t.push({ name: 'ja', code: Cls.JMP | JmpOp.JA, kind: 'ja', cls: Cls.JMP, operands: { off: true }, width: 64, op: 'goto', version: 1, group: 'base32' });
  t.push({ name: 'ja32', code: Cls.JMP32 | JmpOp.JA, kind: 'gotol', cls: Cls.JMP32, operands: { imm: true }, width: 32, op: 'gotol', version: 4, group: 'base32' });
  for (const cls of [Cls.JMP, Cls.JMP32] as const) {
    const w = cls === Cls.JMP ? 64 : 32;
    for (const j of JMP_OPS) {
      for (const src of [Src.K, Src.X] as const) {
        const operands: Operands = src === Src.K ? { dst: true, imm: true, off: true } : { dst: true, src: true, off: true };
        t.push({ name: j.name + (w === 32 ? '32' : '') + (src === Src.X ? '.r' : '.i'), code: cls | j.op | src, kind: 'jcond', cls, operands, width: w, op: j.llvm, version: w === 32 ? 3 : j.version, group: w === 32 ? 'base32' : 'base64' });
      }
    }
  }
  // may_goto (Linux 6.9+, what `can_loop`/`cond_break` compile to): BPF_JCOND with src
  // BPF_MAY_GOTO = 0, the only JCOND the kernel defines. Not in RFC 9669 or bpf_conformance.
  t.push({ name: 'may_goto', code: Cls.JMP | JmpOp.JCOND, kind: 'maygoto', cls: Cls.JMP, operands: { off: true }, width: 64, op: 'may_goto', version: 4, group: 'base64' });
  t.push({ name: 'call', code: Cls.JMP | JmpOp.CALL, kind: 'call', cls: Cls.JMP, operands: { imm: true }, width: 64, op: 'helper', version: 1, group: 'base32', fixed: { src: PseudoCall.HELPER } });
  t.push({ name: 'call.local', code: Cls.JMP | JmpOp.CALL, kind: 'call', cls: Cls.JMP, operands: { imm: true }, width: 64, op: 'local', version: 3, group: 'base32', fixed: { src: PseudoCall.LOCAL } });
  t.push({ name: 'call.kfunc', code: Cls.JMP | JmpOp.CALL, kind: 'call', cls: Cls.JMP, operands: { imm: true }, width: 64, op: 'kfunc', version: 3, group: 'base32', fixed: { src: PseudoCall.KFUNC } });
  t.push({ name: 'callx', code: Cls.JMP | JmpOp.CALL | Src.X, kind: 'callx', cls: Cls.JMP, operands: { dst: true }, width: 64, op: 'callx', version: 1, group: 'callx' });
  t.push({ name: 'exit', code: Cls.JMP | JmpOp.EXIT, kind: 'exit', cls: Cls.JMP, operands: {}, width: 64, op: 'exit', version: 1, group: 'base32' });
  // LD_IMM64, one form per pseudo source.
  for (const [key, src] of Object.entries(PseudoLd)) {
    t.push({ name: src === 0 ? 'lddw' : `lddw.${key.toLowerCase()}`, code: Cls.LD | Size.DW | Mode.IMM, kind: 'ldimm64', cls: Cls.LD, operands: { dst: true, imm: true }, width: 64, bytes: 8, op: key, version: 1, group: 'base64', fixed: { src } });
  }
  // Memory.
  for (const size of [Size.B, Size.H, Size.W, Size.DW]) {
    const bytes = SIZE_BYTES[size]!;
    const sfx = SIZE_SUFFIX[size]!;
    const group: ConfGroup = size === Size.DW ? 'base64' : 'base32';
    t.push({ name: 'ldx' + sfx, code: Cls.LDX | Mode.MEM | size, kind: 'ldx', cls: Cls.LDX, operands: { dst: true, src: true, off: true }, width: 64, bytes, op: 'u', version: 1, group });
    if (size !== Size.DW) {
      t.push({ name: 'ldxs' + sfx, code: Cls.LDX | Mode.MEMSX | size, kind: 'ldxsx', cls: Cls.LDX, operands: { dst: true, src: true, off: true }, width: 64, bytes, op: 's', version: 4, group: 'base64' });
      t.push({ name: 'ldabs' + sfx, code: Cls.LD | Mode.ABS | size, kind: 'ldabs', cls: Cls.LD, operands: { imm: true }, width: 64, bytes, op: 'abs', version: 1, group: 'packet' });
      t.push({ name: 'ldind' + sfx, code: Cls.LD | Mode.IND | size, kind: 'ldind', cls: Cls.LD, operands: { src: true, imm: true }, width: 64, bytes, op: 'ind', version: 1, group: 'packet' });
    }
    t.push({ name: 'st' + sfx, code: Cls.ST | Mode.MEM | size, kind: 'st', cls: Cls.ST, operands: { dst: true, off: true, imm: true }, width: 64, bytes, op: 'u', version: 1, group });
    t.push({ name: 'stx' + sfx, code: Cls.STX | Mode.MEM | size, kind: 'stx', cls: Cls.STX, operands: { dst: true, src: true, off: true }, width: 64, bytes, op: 'u', version: 1, group });
  }
  for (const size of [Size.W, Size.DW]) {
    const w = size === Size.W ? 32 : 64;
    for (const a of ATOMIC_OPS) {
      // Names follow bpf_conformance's `lock [fetch] op[32]` spelled as one word.
      const name = `lock.${a.fetch && a.name !== 'xchg' && a.name !== 'cmpxchg' ? 'fetch.' : ''}${a.name}${w === 32 ? '32' : ''}`;
      t.push({ name, code: Cls.STX | Mode.ATOMIC | size, kind: 'atomic', cls: Cls.STX, operands: { dst: true, src: true, off: true }, width: w, bytes: w === 32 ? 4 : 8, op: a.llvm, version: 3, group: w === 32 ? 'atomic32' : 'atomic64', fixed: { imm: a.imm } });
    }
  }
  // Load-acquire / store-release (Linux 6.15, not in RFC 9669 or bpf_conformance): every size;
  // the register width is 32 below DW as for llvm's spelling (`w0 = load_acquire((u8 *)...)`).
  for (const size of [Size.B, Size.H, Size.W, Size.DW]) {
    const bytes = SIZE_BYTES[size]!;
    const w = size === Size.DW ? 64 : 32;
    const group: ConfGroup = w === 32 ? 'atomic32' : 'atomic64';
    const sfx = SIZE_SUFFIX[size]!;
    t.push({ name: 'ldacq' + sfx, code: Cls.STX | Mode.ATOMIC | size, kind: 'ldacq', cls: Cls.STX, operands: { dst: true, src: true, off: true }, width: w, bytes, op: 'load_acquire', version: 4, group, fixed: { imm: AtomicOp.LOAD_ACQ } });
    t.push({ name: 'strel' + sfx, code: Cls.STX | Mode.ATOMIC | size, kind: 'strel', cls: Cls.STX, operands: { dst: true, src: true, off: true }, width: w, bytes, op: 'store_release', version: 4, group, fixed: { imm: AtomicOp.STORE_REL } });
  }
  return t;
}

/** Every valid instruction form. */
export const OPCODES: readonly OpForm[] = Object.freeze(buildTable());

/** Forms by name. */
export const OPCODE_BY_NAME: ReadonlyMap<string, OpForm> = new Map(OPCODES.map((f) => [f.name, f]));

// Forms sharing an opcode byte, for O(1) lookup by the decoder.
const BY_CODE: OpForm[][] = Array.from({ length: 256 }, () => []);
for (const f of OPCODES) BY_CODE[f.code]!.push(f);

/** True when some form uses this opcode byte. */
export function isKnownOpcode(code: number): boolean {
  return BY_CODE[code & 0xff]!.length > 0;
}

/** The form an instruction slot encodes, or undefined when its opcode/discriminator is not valid.
 *  Only the discriminating field is checked here; `insnError` checks the reserved fields too. */
export function formOf(insn: Insn): OpForm | undefined {
  const cands = BY_CODE[insn.code & 0xff]!;
  if (cands.length === 1) {
    const f = cands[0]!;
    return !f.fixed || matchesFixed(f, insn) ? f : undefined;
  }
  for (const f of cands) if (matchesFixed(f, insn)) return f;
  return undefined;
}

function matchesFixed(f: OpForm, insn: Insn): boolean {
  const fx = f.fixed;
  if (!fx) return true;
  if (fx.off !== undefined && insn.off !== fx.off) return false;
  if (fx.imm !== undefined && insn.imm !== fx.imm) return false;
  if (fx.src !== undefined && insn.src !== fx.src) return false;
  return true;
}

/** Why slot `pc` of `insns` is not a valid instruction, or undefined when it is. Checks the
 *  opcode, registers (0..10, or 0..11 in the verifier's rewrite, `maxReg` 11, where r11 is the
 *  kernel's scratch register AX), reserved fields, and the second slot of LD_IMM64. Jump targets
 *  are not checked here (they need the whole program). */
export function insnError(insns: readonly Insn[], pc: number, maxReg = 10): string | undefined {
  const p = insnProblem(insns, pc, maxReg);
  return p && (p.detail ? `${p.reason} (${p.detail})` : p.reason);
}

/** `insnError` in parts: the table's reason and, where one is known, what the encoding was
 *  presumably meant to be (`unknown ALU operation`, `invalid byte swap width 8`). The decoder
 *  reports the detail when there is one. */
export function insnProblem(insns: readonly Insn[], pc: number, maxReg = 10): { reason: string; detail?: string } | undefined {
  const insn = insns[pc]!;
  // The verifier's rewrite (maxReg 11) may hold a per-CPU address move (vm/isa.ts isPercpuMov);
  // anywhere else its off -1 is an invalid movsx width, as for the kernel's verifier.
  if (maxReg === 11 && isPercpuMov(insn)) return insn.dst > 10 || insn.src > 10 ? { reason: `invalid register in a per-CPU address move` } : undefined;
  const f = formOf(insn);
  if (!f) {
    const code = insn.code & 0xff;
    const why = (reason: string, detail: string | undefined) => (detail ? { reason, detail } : { reason });
    if (!isKnownOpcode(code)) return why(`unknown opcode 0x${hex2(code)}`, unknownOpcodeDetail(code));
    const first = BY_CODE[code]![0]!;
    const fx = first.fixed ?? {};
    if (fx.off !== undefined) {
      const op = code & 0xf0;
      const detail = first.kind !== 'alu' && first.kind !== 'movsx' ? undefined : op === AluOp.DIV || op === AluOp.MOD ? 'invalid offset for div/mod' : op === AluOp.MOV ? 'invalid movsx width' : 'reserved offset set in ALU operation';
      return why(`invalid off ${insn.off} for opcode 0x${hex2(code)}`, detail);
    }
    if (fx.imm !== undefined) {
      // B/H atomics exist only as load-acquire / store-release: a read-modify-write op there is
      // the kernel's "invalid atomic operand size"
      const rmwOfByteOrHalf = first.kind === 'ldacq' && first.bytes! < 4 && ATOMIC_OPS.some((a) => a.imm === insn.imm);
      const detail = first.kind === 'end' ? `invalid byte swap width ${insn.imm}` : rmwOfByteOrHalf ? 'invalid atomic operand size' : `invalid atomic operation 0x${(insn.imm >>> 0).toString(16)}`;
      return why(`invalid imm ${insn.imm} for opcode 0x${hex2(code)}`, detail);
    }
    return why(`invalid src ${insn.src} for opcode 0x${hex2(code)}`, first.kind === 'call' ? `invalid call source ${insn.src}` : `invalid lddw source ${insn.src}`);
  }
  const ops = f.operands;
  const fx = f.fixed ?? {};
  if (!ops.dst && insn.dst !== 0) return { reason: `reserved dst field is ${insn.dst} (must be 0) for ${f.name}` };
  if (!ops.src && fx.src === undefined && insn.src !== 0) return { reason: `reserved src field is ${insn.src} (must be 0) for ${f.name}` };
  if (!ops.off && fx.off === undefined && insn.off !== 0) return { reason: `reserved off field is ${insn.off} (must be 0) for ${f.name}` };
  if (!ops.imm && fx.imm === undefined && insn.imm !== 0) return { reason: `reserved imm field is ${insn.imm} (must be 0) for ${f.name}` };
  if (ops.dst && insn.dst > maxReg) return { reason: `invalid destination register r${insn.dst}` };
  if (ops.src && insn.src > maxReg) return { reason: `invalid source register r${insn.src}` };
  if (f.kind === 'ldimm64') {
    const next = insns[pc + 1];
    if (!next) return { reason: 'incomplete lddw: missing second slot' };
    if (next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) return { reason: 'incomplete lddw: bad second slot' };
  }
  return undefined;
}

/** What an opcode byte no form uses is, by class (for error messages). */
function unknownOpcodeDetail(code: number): string | undefined {
  const cls = code & 0x07;
  const op = code & 0xf0;
  switch (cls) {
    case Cls.LD:
      return 'unknown LD instruction';
    case Cls.LDX:
      return 'unknown load instruction';
    case Cls.ST:
    case Cls.STX:
      return 'unknown store instruction';
    case Cls.JMP32:
      return op === JmpOp.CALL ? 'call in JMP32 class' : op === JmpOp.EXIT ? 'exit in JMP32 class' : 'unknown jump operation';
    case Cls.JMP:
      return 'unknown jump operation';
    default:
      return op === AluOp.END ? 'reserved byte swap encoding' : 'unknown ALU operation';
  }
}

/** Number of slots the instruction at `insn` occupies (2 for LD_IMM64). */
export function slotCount(insn: Insn): 1 | 2 {
  return insn.code === (Cls.LD | Size.DW | Mode.IMM) ? 2 : 1;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
