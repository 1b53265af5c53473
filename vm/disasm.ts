// Disassembler, two dialects (DESIGN section 4):
//
// - `llvm`: the text llvm-objdump-19 prints. With `raw: true` it is exactly objdump's instruction
//   text (checked against goldens in test/fixtures/objdump); without it, what objdump prints bare
//   or lossily is annotated so that the text assembles back to the same bytes (vm/asm.ts):
//   `call pc+0x3` (local call), `call kfunc#12` (kfunc), helper and map names as `; comments`,
//   LD_IMM64 pseudo sources as `map_by_fd(0x3)`, `skb[r1 + 0x10]`, jump targets as `<label>`.
// - `kernel`: what the verifier log and `bpftool prog dump xlated` print (kernel/bpf/disasm.c):
//   `(b7) r0 = 0`, `*(u32 *)(r10 -4) = r1`, `goto pc+3`, `call bpf_map_lookup_elem#1`.
//
// Names come from optional callbacks so vm/ never imports the helper table or the ELF loader.
import { DecodeError, describeValue } from '../src/errors.js';
import { AluOp, Cls, Mode, PseudoCall, PseudoLd, isPercpuMov, type Insn } from './isa.js';
import { OPCODES, formOf, insnError, slotCount, type OpForm } from './opcodes.js';

export type Dialect = 'llvm' | 'kernel';

/** Optional names a caller (CLI, loader, verifier) can supply. All are pure lookups. */
export interface DisasmAnnotations {
  /** Function or label name that starts at this pc (ELF symbols, Program.funcs). */
  symbolAt?(pc: number): string | undefined;
  /** Helper name for a helper id (`bpf_map_lookup_elem`). */
  helperName?(id: number): string | undefined;
  /** Kfunc name for a BTF id. */
  kfuncName?(btfId: number): string | undefined;
  /** Map name for an LD_IMM64 map reference (`imm` = map fd/index/id, `src` = pseudo source). */
  mapName?(imm: number, src: number): string | undefined;
  /** Source line text for a pc (BTF line_info), printed as a `; comment` line before it. */
  sourceLine?(pc: number): string | undefined;
}

export interface DisasmOptions extends DisasmAnnotations {
  /** Default 'llvm'. */
  dialect?: Dialect;
  /** llvm dialect: exactly llvm-objdump's text (no annotations, lossy forms kept lossy). */
  raw?: boolean;
  /** llvm dialect: spell 32-bit loads/stores/atomics with w registers, as objdump does with
   *  --mcpu=v3 and later. Default true. With false, matches objdump's default CPU (v1), which
   *  prints `<unknown>` for 32-bit fetch atomics. */
  alu32?: boolean;
  /** The program is the verifier's rewrite (Program.xlated): r11, the kernel's AX, is a register. */
  xlated?: boolean;
  /** kernel dialect, the verifier's log: a register past r10 is printed as it is (print_bpf_insn
   *  does; check_reg_arg then refuses it, "R11 is invalid"), not as an invalid insn. */
  anyRegister?: boolean;
  /** kernel dialect: print the full 64-bit value of map-pointer LD_IMM64s (allow_ptr_leaks). */
  allowPtrLeaks?: boolean;
}

const hex = (n: number | bigint): string => (n < 0 ? '-0x' + (-BigInt(n)).toString(16) : '0x' + n.toString(16));
const plusHex = (n: number): string => (n < 0 ? '-0x' + (-n).toString(16) : '+0x' + n.toString(16));
const memOff = (n: number): string => (n < 0 ? `- 0x${(-n).toString(16)}` : `+ 0x${n.toString(16)}`);
const TYPE: Record<number, string> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };
const STYPE: Record<number, string> = { 1: 's8', 2: 's16', 4: 's32' };

const LD_PSEUDO_NAME: Record<number, string> = {
  [PseudoLd.MAP_FD]: 'map_by_fd',
  [PseudoLd.MAP_VALUE]: 'map_by_fd',
  [PseudoLd.BTF_ID]: 'var_addr',
  [PseudoLd.FUNC]: 'code_addr',
  [PseudoLd.MAP_IDX]: 'map_by_idx',
  [PseudoLd.MAP_IDX_VALUE]: 'map_by_idx',
};
/** Annotated spelling of LD_IMM64 pseudo sources, parsed back by the assembler. */
export const LD_PSEUDO_FUNCS: Readonly<Record<string, number>> = {
  map_by_fd: PseudoLd.MAP_FD,
  'map_val(map_by_fd': PseudoLd.MAP_VALUE,
  var_addr: PseudoLd.BTF_ID,
  code_addr: PseudoLd.FUNC,
  map_by_idx: PseudoLd.MAP_IDX,
  'map_val(map_by_idx': PseudoLd.MAP_IDX_VALUE,
};

/** Label used for a jump/call target when no symbol names it. */
export function defaultLabel(pc: number): string {
  return `L${pc}`;
}

/** Text of one instruction (no pc column). `pc` indexes `insns`; LD_IMM64 reads slot pc+1. */
export function formatInsn(insns: readonly Insn[], pc: number, opts: DisasmOptions = {}): string {
  return opts.dialect === 'kernel' ? formatKernel(insns, pc, opts) : formatLlvm(insns, pc, opts);
}

// ---------------------------------------------------------------------------------------------
// llvm dialect

function formatLlvm(insns: readonly Insn[], pc: number, opts: DisasmOptions): string {
  const insn = insns[pc]!;
  const raw = !!opts.raw;
  const alu32 = opts.alu32 !== false;
  const f = validForm(insns, pc, opts.xlated);
  if (!f) return raw ? '<unknown>' : `.quad ${quadOf(insn)}`;
  const w = f.width === 32 ? 'w' : 'r';
  const d = `${w}${insn.dst}`;
  const s = `${w}${insn.src}`;
  const target = (rel: number): string => {
    if (raw) return '';
    const t = pc + 1 + rel;
    return ` <${opts.symbolAt?.(t) ?? defaultLabel(t)}>`;
  };
  switch (f.kind) {
    case 'alu':
      return f.operands.src ? `${d} ${f.op} ${s}` : `${d} ${f.op} ${hex(insn.imm)}`;
    case 'neg':
      return `${d} = -${d}`;
    case 'movsx':
      return `${d} = ${f.op}${s}`;
    case 'addrcast':
      return `${d} = addr_space_cast(${s}, ${hex(insn.imm >>> 16)}, ${hex(insn.imm & 0xffff)})`;
    case 'end':
      return `r${insn.dst} = ${f.op}${insn.imm} r${insn.dst}`;
    case 'ldimm64': {
      const next = insns[pc + 1]!;
      const src = insn.src;
      if (src === PseudoLd.IMM64) return `r${insn.dst} = ${hex(BigInt.asIntN(64, (BigInt(next.imm) << 32n) | BigInt(insn.imm >>> 0)))} ll`;
      if (raw) return `ld_pseudo\tr${insn.dst}, ${hex(src)}, ${hex(insn.imm >>> 0)}`;
      const fn = LD_PSEUDO_NAME[src]!;
      const isVal = src === PseudoLd.MAP_VALUE || src === PseudoLd.MAP_IDX_VALUE;
      const inner = `${fn}(${hex(insn.imm)})`;
      const expr = isVal ? `map_val(${inner})` : inner;
      const add = next.imm !== 0 ? ` + ${hex(next.imm)}` : '';
      const name = src === PseudoLd.FUNC ? undefined : opts.mapName?.(insn.imm, src);
      const note = src === PseudoLd.FUNC ? ` <${opts.symbolAt?.(pc + 1 + insn.imm) ?? defaultLabel(pc + 1 + insn.imm)}>` : name ? ` ; ${name}` : '';
      return `r${insn.dst} = ${expr}${add} ll${note}`;
    }
    case 'ldabs':
      return `r0 = *(${TYPE[f.bytes!]} *)skb[${hex(insn.imm)}]`;
    case 'ldind':
      return raw || insn.imm === 0 ? `r0 = *(${TYPE[f.bytes!]} *)skb[r${insn.src}]` : `r0 = *(${TYPE[f.bytes!]} *)skb[r${insn.src} ${memOff(insn.imm)}]`;
    case 'ldx': {
      const r = alu32 && f.bytes !== 8 ? 'w' : 'r';
      return `${r}${insn.dst} = *(${TYPE[f.bytes!]} *)(r${insn.src} ${memOff(insn.off)})`;
    }
    case 'ldxsx':
      return `r${insn.dst} = *(${STYPE[f.bytes!]} *)(r${insn.src} ${memOff(insn.off)})`;
    case 'st':
      return `*(${TYPE[f.bytes!]} *)(r${insn.dst} ${memOff(insn.off)}) = ${hex(insn.imm)}`;
    case 'stx': {
      const r = alu32 && f.bytes !== 8 ? 'w' : 'r';
      return `*(${TYPE[f.bytes!]} *)(r${insn.dst} ${memOff(insn.off)}) = ${r}${insn.src}`;
    }
    case 'atomic': {
      const mem = `r${insn.dst} ${memOff(insn.off)}`;
      const is32 = f.width === 32;
      // Without alu32, llvm spells 32-bit atomics with r registers and cannot decode the fetch forms.
      const r = is32 && alu32 ? 'w' : 'r';
      if (is32 && !alu32 && raw) {
        // objdump's default CPU knows only the v1 XADDW encoding and ignores its fetch bit.
        if (f.op !== '+=' && f.op !== 'add') return '<unknown>';
        return `lock *(u32 *)(${mem}) += r${insn.src}`;
      }
      if (f.op.endsWith('=')) return `lock *(${is32 ? 'u32' : 'u64'} *)(${mem}) ${f.op} ${r}${insn.src}`;
      if (f.op === 'xchg') return is32 ? `${r}${insn.src} = xchg32_32(${mem}, ${r}${insn.src})` : `r${insn.src} = xchg_64(${mem}, r${insn.src})`;
      if (f.op === 'cmpxchg') return is32 ? `${r}0 = cmpxchg32_32(${mem}, ${r}0, ${r}${insn.src})` : `r0 = cmpxchg_64(${mem}, r0, r${insn.src})`;
      return `${r}${insn.src} = atomic_fetch_${f.op}((${is32 ? 'u32' : 'u64'} *)(${mem}), ${r}${insn.src})`;
    }
    case 'ldacq':
    case 'strel': {
      // llvm-objdump-19 predates these (LLVM 21 spells them); its raw text is `<unknown>`.
      if (raw) return '<unknown>';
      const r = f.bytes !== 8 && alu32 ? 'w' : 'r';
      const mem = `(${TYPE[f.bytes!]} *)(r${f.kind === 'ldacq' ? insn.src : insn.dst} ${memOff(insn.off)})`;
      return f.kind === 'ldacq' ? `${r}${insn.dst} = load_acquire(${mem})` : `store_release(${mem}, ${r}${insn.src})`;
    }
    case 'ja':
      return `goto ${plusHex(insn.off)}${target(insn.off)}`;
    case 'gotol':
      return `gotol ${plusHex(insn.imm)}${target(insn.imm)}`;
    case 'maygoto':
      return `may_goto ${plusHex(insn.off)}${target(insn.off)}`;
    case 'jcond': {
      const rhs = f.operands.src ? s : hex(insn.imm);
      return `if ${d} ${f.op} ${rhs} goto ${plusHex(insn.off)}${target(insn.off)}`;
    }
    case 'call': {
      if (raw) return `call ${hex(insn.imm)}`;
      if (insn.src === PseudoCall.LOCAL) return `call pc${plusHex(insn.imm)}${target(insn.imm)}`;
      if (insn.src === PseudoCall.KFUNC) {
        const name = opts.kfuncName?.(insn.imm);
        return `call kfunc#${insn.imm}${name ? ` ; ${name}` : ''}`;
      }
      const name = opts.helperName?.(insn.imm);
      return `call ${hex(insn.imm)}${name ? ` ; ${name}` : ''}`;
    }
    case 'callx':
      return `callx r${insn.dst}`;
    case 'exit':
      return 'exit';
  }
}

function quadOf(insn: Insn): string {
  const v =
    (BigInt(insn.imm >>> 0) << 32n) |
    (BigInt(insn.off & 0xffff) << 16n) |
    (BigInt(((insn.src & 0xf) << 4) | (insn.dst & 0xf)) << 8n) |
    BigInt(insn.code & 0xff);
  return '0x' + v.toString(16).padStart(16, '0');
}

/** The form at pc if the instruction is fully valid (all reserved fields zero). */
function validForm(insns: readonly Insn[], pc: number, xlated?: boolean, anyRegister?: boolean): OpForm | undefined {
  const f = formOf(insns[pc]!);
  if (!f) return undefined;
  return insnError(insns, pc, anyRegister ? 15 : xlated ? 11 : 10) === undefined ? f : undefined;
}

// ---------------------------------------------------------------------------------------------
// kernel dialect (kernel/bpf/disasm.c print_bpf_insn; facts about its formats, our own code)

const KERNEL_ALU: Record<number, string> = {
  [AluOp.ADD]: '+=', [AluOp.SUB]: '-=', [AluOp.MUL]: '*=', [AluOp.DIV]: '/=', [AluOp.OR]: '|=', [AluOp.AND]: '&=',
  [AluOp.LSH]: '<<=', [AluOp.RSH]: '>>=', [AluOp.MOD]: '%=', [AluOp.XOR]: '^=', [AluOp.MOV]: '=', [AluOp.ARSH]: 's>>=',
};
const kOff = (n: number): string => (n < 0 ? `${n}` : `+${n}`);

function formatKernel(insns: readonly Insn[], pc: number, opts: DisasmOptions): string {
  const insn = insns[pc]!;
  const code = `(${insn.code.toString(16).padStart(2, '0')})`;
  // The verifier's per-CPU address move (no opcode table form: only a rewrite holds one).
  if (opts.xlated && isPercpuMov(insn)) return `${code} r${insn.dst} = &(void __percpu *)(r${insn.src})`;
  let f = validForm(insns, pc, opts.xlated, opts.anyRegister);
  if (!f && (insn.code & 0xe7) === (Cls.STX | Mode.ATOMIC)) {
    // print_bpf_insn spells a read-modify-write by its imm whatever the size ("lock *(u8 *)...",
    // refused later as "invalid atomic operand size"), and any other imm as BUG_<code>
    const size = ({ 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 } as const)[insn.code & 0x18]!;
    const rmw = OPCODES.find((o) => o.kind === 'atomic' && o.fixed?.imm === insn.imm);
    if (!rmw) return `BUG_${insn.code.toString(16).padStart(2, '0')}`;
    f = { ...rmw, bytes: size, width: size === 8 ? 64 : 32 };
  }
  if (!f) return `${code} invalid`;
  const w = f.cls === Cls.ALU || f.cls === Cls.JMP32 ? 'w' : 'r';
  switch (f.kind) {
    case 'alu': {
      const op = insn.off === 1 ? 's' + KERNEL_ALU[insn.code & 0xf0] : KERNEL_ALU[insn.code & 0xf0];
      return f.operands.src ? `${code} ${w}${insn.dst} ${op} ${w}${insn.src}` : `${code} ${w}${insn.dst} ${op} ${insn.imm}`;
    }
    case 'movsx':
      return `${code} ${w}${insn.dst} = (s${insn.off})${w}${insn.src}`;
    case 'addrcast':
      return `${code} r${insn.dst} = addr_space_cast(r${insn.src}, ${insn.imm >>> 16}, ${insn.imm & 0xffff})`;
    case 'neg':
      return `${code} ${w}${insn.dst} = -${w}${insn.dst}`;
    case 'end':
      return `${code} r${insn.dst} = ${f.op}${insn.imm} r${insn.dst}`;
    case 'stx':
      return `${code} *(${TYPE[f.bytes!]} *)(r${insn.dst} ${kOff(insn.off)}) = r${insn.src}`;
    case 'atomic': {
      const t = TYPE[f.bytes!];
      const mem = `(r${insn.dst} ${kOff(insn.off)})`;
      const sz = f.width === 64 ? '64' : '';
      if (f.op.endsWith('=')) return `${code} lock *(${t} *)${mem} ${f.op} r${insn.src}`;
      if (f.op === 'cmpxchg') return `${code} r0 = atomic${sz}_cmpxchg((${t} *)${mem}, r0, r${insn.src})`;
      if (f.op === 'xchg') return `${code} r${insn.src} = atomic${sz}_xchg((${t} *)${mem}, r${insn.src})`;
      return `${code} r${insn.src} = atomic${sz}_fetch_${f.op}((${t} *)${mem}, r${insn.src})`;
    }
    case 'ldacq':
      return `${code} r${insn.dst} = load_acquire((${TYPE[f.bytes!]} *)(r${insn.src} ${kOff(insn.off)}))`;
    case 'strel':
      return `${code} store_release((${TYPE[f.bytes!]} *)(r${insn.dst} ${kOff(insn.off)}), r${insn.src})`;
    case 'st':
      return `${code} *(${TYPE[f.bytes!]} *)(r${insn.dst} ${kOff(insn.off)}) = ${insn.imm}`;
    case 'ldx':
      return `${code} r${insn.dst} = *(${TYPE[f.bytes!]} *)(r${insn.src} ${kOff(insn.off)})`;
    case 'ldxsx':
      return `${code} r${insn.dst} = *(${STYPE[f.bytes!]} *)(r${insn.src} ${kOff(insn.off)})`;
    case 'ldabs':
      return `${code} r0 = *(${TYPE[f.bytes!]} *)skb[${insn.imm}]`;
    case 'ldind':
      return `${code} r0 = *(${TYPE[f.bytes!]} *)skb[r${insn.src} + ${insn.imm}]`;
    case 'ldimm64': {
      const next = insns[pc + 1]!;
      let v = (BigInt(next.imm >>> 0) << 32n) | BigInt(insn.imm >>> 0);
      const isPtr = insn.src !== PseudoLd.IMM64 && insn.src !== PseudoLd.FUNC;
      const name = isPtr ? opts.mapName?.(insn.imm, insn.src) : undefined;
      if (name !== undefined) return `${code} r${insn.dst} = ${name}`;
      if (isPtr && !opts.allowPtrLeaks) v = 0n;
      return `${code} r${insn.dst} = 0x${v.toString(16)}`;
    }
    case 'call': {
      if (insn.src === PseudoCall.LOCAL) return `${code} call pc${kOff(insn.imm)}`;
      const name = insn.src === PseudoCall.KFUNC ? (opts.kfuncName?.(insn.imm) ?? 'kernel-function') : (opts.helperName?.(insn.imm) ?? 'unknown');
      return `${code} call ${name}#${insn.imm}`;
    }
    case 'callx':
      return `${code} callx r${insn.dst}`;
    case 'ja':
      return `${code} goto pc${kOff(insn.off)}`;
    case 'gotol':
      return `${code} gotol pc${kOff(insn.imm)}`;
    case 'maygoto':
      return `${code} may_goto pc${kOff(insn.off)}`;
    case 'exit':
      return `${code} exit`;
    case 'jcond':
      return f.operands.src
        ? `${code} if ${w}${insn.dst} ${f.op} ${w}${insn.src} goto pc${kOff(insn.off)}`
        : `${code} if ${w}${insn.dst} ${f.op} 0x${(insn.imm >>> 0).toString(16)} goto pc${kOff(insn.off)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Listings

/** A whole program as text. llvm: objdump-style lines `%8d:\t<insn>` with label lines (`name:`)
 *  before jump/call targets and symbols, which the assembler reads back. kernel: `pc: (code) ...`
 *  lines as in the verifier log. Source lines (when given) are `; text` lines. The second argument
 *  may be just the dialect (`disassemble(insns, 'kernel')`, DESIGN section 9). */
export function disassemble(insns: readonly Insn[], optsOrDialect: DisasmOptions | Dialect = {}): string {
  const opts: DisasmOptions = typeof optsOrDialect === 'string' ? { dialect: optsOrDialect } : optsOrDialect;
  if (!Array.isArray(insns)) throw new DecodeError(`not a program: ${describeValue(insns)}, not an array of instructions`);
  const bad = insns.findIndex((x) => typeof x !== 'object' || x === null);
  if (bad >= 0) throw new DecodeError(`not an instruction object (${String(insns[bad])})`, bad);
  const out: string[] = [];
  const kernel = opts.dialect === 'kernel';
  const labels = kernel || opts.raw ? new Map<number, string>() : collectLabels(insns, opts);
  for (let pc = 0; pc < insns.length; pc += stepAt(insns, pc)) {
    const label = labels.get(pc);
    if (label !== undefined) out.push(`${label}:`);
    const src = opts.sourceLine?.(pc);
    if (src !== undefined) out.push(`; ${src.trim()}`);
    const text = formatInsn(insns, pc, opts);
    out.push(kernel ? `${pc}: ${text}` : `${String(pc).padStart(8)}:\t${text}`);
  }
  return out.join('\n') + '\n';
}

/** Slots the listing advances at pc: 2 for a valid LD_IMM64, else 1 (an invalid first half is
 *  printed alone so the bytes after it are still shown and round-trip). */
function stepAt(insns: readonly Insn[], pc: number): number {
  return slotCount(insns[pc]!) === 2 && validForm(insns, pc) ? 2 : 1;
}

/** Labels of a listing: every symbol plus every jump/local-call target inside the program. */
function collectLabels(insns: readonly Insn[], opts: DisasmAnnotations): Map<number, string> {
  const labels = new Map<number, string>();
  const add = (pc: number): void => {
    if (pc < 0 || pc > insns.length || labels.has(pc)) return;
    labels.set(pc, opts.symbolAt?.(pc) ?? defaultLabel(pc));
  };
  for (let pc = 0; pc < insns.length; pc += stepAt(insns, pc)) {
    const s = opts.symbolAt?.(pc);
    if (s !== undefined) labels.set(pc, s);
  }
  for (let pc = 0; pc < insns.length; pc += stepAt(insns, pc)) {
    const insn = insns[pc]!;
    const f = validForm(insns, pc);
    if (!f) continue;
    if (f.kind === 'ja' || f.kind === 'jcond' || f.kind === 'maygoto') add(pc + 1 + insn.off);
    else if (f.kind === 'gotol') add(pc + 1 + insn.imm);
    else if (f.kind === 'call' && insn.src === PseudoCall.LOCAL) add(pc + 1 + insn.imm);
    else if (f.kind === 'ldimm64' && insn.src === PseudoLd.FUNC) add(pc + 1 + insn.imm);
  }
  return labels;
}
