// Assembler for the llvm dialect: the text llvm-objdump prints (raw form) plus the annotations of
// vm/disasm.ts (`call pc+0x3`, `call kfunc#12`, `map_by_fd(0x3)`, `skb[r1 + 0x10]`, `.quad`), labels
// (`name:`), symbolic jump/call targets (`goto LBB0_2`, `call mix`), and objdump listings pasted
// as they are (`  12:\t<insn>`, `0000000000000000 <name>:`, ` <target>` suffixes, `; comments`).
// Which encodings exist comes from vm/opcodes.ts; this file only knows the spelling.
import { AsmError, describeValue } from '../src/errors.js';
import { PseudoCall, PseudoLd, type Insn } from './isa.js';
import { OPCODES, type OpForm, type OpKind } from './opcodes.js';
import { LD_PSEUDO_FUNCS } from './disasm.js';

export interface AsmOptions {
  /** Resolves `call name` when `name` is not a label of the program (helper names). */
  helperId?(name: string): number | undefined;
}

/** One parsed instruction waiting for label resolution. */
interface Pending {
  line: number;
  pc: number;
  slots: number;
  build(labels: ReadonlyMap<string, number>): Insn[];
}

const NUM = String.raw`[+-]?(?:0x[0-9a-fA-F]+|\d+)`;
const SYM = String.raw`[A-Za-z_.$][\w.$]*`;
const REG = String.raw`[rw]\d+`; // range-checked by reg() for a clear error

/** Assemble llvm-dialect text into instruction slots. Throws AsmError naming the line. */
export function assemble(text: string, opts: AsmOptions = {}): Insn[] {
  if (typeof text !== 'string') throw new AsmError(`expected the program text as a string, got ${describeValue(text)}`);
  const labels = new Map<string, number>();
  const pending: Pending[] = [];
  let pc = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let s = stripComment(lines[i]!).trim();
    if (!s) continue;
    // objdump symbol header: `0000000000000000 <name>:`
    const hdr = /^[0-9a-fA-F]+ <([^>]+)>:$/.exec(s);
    if (hdr) {
      defineLabel(labels, hdr[1]!, pc, lineNo);
      continue;
    }
    if (/^Disassembly of section|file format/.test(s)) continue;
    // A line that is one word ending in ':' is a label; that includes listing titles such as
    // `uprobe/libc.so.6:malloc/prog:` (disasm of an ELF object prints one per program).
    if (/^[^\s\d]\S*:$/.test(s)) {
      defineLabel(labels, s.slice(0, -1), pc, lineNo);
      continue;
    }
    // A label followed by an instruction on the same line.
    const lab = new RegExp(`^(${SYM}):\\s*(.*)$`).exec(s);
    if (lab) {
      defineLabel(labels, lab[1]!, pc, lineNo);
      s = lab[2]!.trim();
      if (!s) continue;
    }
    s = s.replace(/^\d+:\s*/, ''); // objdump pc column
    s = s.replace(/^(?:[0-9a-f]{2}[ \t]){8,16}\s*/, ''); // objdump raw-bytes column
    if (/^\.(text|section|globl|global|type|size|p2align|align|file)\b/.test(s)) continue;
    try {
      const p = parseInsn(s, pc, lineNo, opts);
      pending.push(p);
      pc += p.slots;
    } catch (e) {
      throw e instanceof AsmError ? e : new AsmError(String((e as Error).message ?? e), lineNo);
    }
  }
  const out: Insn[] = [];
  for (const p of pending) {
    const got = p.build(labels);
    out.push(...got);
  }
  return out;
}

function defineLabel(labels: Map<string, number>, name: string, pc: number, line: number): void {
  const prev = labels.get(name);
  if (prev !== undefined && prev !== pc) throw new AsmError(`duplicate label '${name}'`, line);
  labels.set(name, pc);
}

function stripComment(line: string): string {
  // `;` always starts a comment; `#` and `//` only at the start or after whitespace (`kfunc#id`,
  // section names such as `uprobe//bin/bash:readline` in listing titles).
  let s = line;
  const semi = s.indexOf(';');
  if (semi >= 0) s = s.slice(0, semi);
  const c = /(^|\s)(#|\/\/)/.exec(s);
  if (c) s = s.slice(0, c.index);
  return s;
}

// ---------------------------------------------------------------------------------------------

function parseNum(text: string, line: number): bigint {
  const t = text.trim();
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(body)) throw new AsmError(`bad number '${text}'`, line);
  const v = BigInt(body);
  return neg ? -v : v;
}

/** A 32-bit immediate: accepts -2^31..2^32-1 (unsigned values wrap, as llvm-mc accepts them). */
function imm32(text: string, line: number): number {
  const v = parseNum(text, line);
  if (v < -0x80000000n || v > 0xffffffffn) throw new AsmError(`immediate ${text} does not fit in 32 bits`, line);
  return Number(BigInt.asIntN(32, v));
}

function off16(text: string, line: number): number {
  const v = parseNum(text, line);
  if (v < -0x8000n || v > 0x7fffn) throw new AsmError(`offset ${text} does not fit in 16 bits`, line);
  return Number(v);
}

function reg(text: string, line: number): { n: number; w: boolean } {
  const m = /^([rw])(\d+)$/.exec(text.trim());
  if (!m || Number(m[2]) > 10) throw new AsmError(`bad register '${text}'`, line);
  return { n: Number(m[2]), w: m[1] === 'w' };
}

/** Memory operand `rN + 0x4` / `rN - 0x4` / `rN`. */
function mem(text: string, line: number): { r: number; off: number } {
  const m = new RegExp(`^(${REG})\\s*(?:([+-])\\s*(${NUM}))?$`).exec(text.trim());
  if (!m) throw new AsmError(`bad memory operand '${text}'`, line);
  const r = reg(m[1]!, line);
  if (r.w) throw new AsmError(`memory base must be a 64-bit register: '${m[1]}'`, line);
  const off = m[3] ? off16((m[2] === '-' ? '-' : '') + m[3].replace(/^[+]/, ''), line) : 0;
  return { r: r.n, off };
}

const BYTES: Record<string, 1 | 2 | 4 | 8> = { u8: 1, u16: 2, u32: 4, u64: 8, s8: 1, s16: 2, s32: 4 };

function find(line: number, what: string, pred: (f: OpForm) => boolean): OpForm {
  const f = OPCODES.find(pred);
  if (!f) throw new AsmError(`no such instruction: ${what}`, line);
  return f;
}

function enc(f: OpForm, fields: Partial<Insn>): Insn {
  const fx = f.fixed ?? {};
  return { code: f.code, dst: fields.dst ?? 0, src: fields.src ?? fx.src ?? 0, off: fields.off ?? fx.off ?? 0, imm: fields.imm ?? fx.imm ?? 0 };
}

const one = (line: number, pc: number, insn: Insn): Pending => ({ line, pc, slots: 1, build: () => [insn] });

/** A jump target: explicit `+0x3`/`-3`, or a label (resolved relative to the next slot). */
function target(text: string, pc: number, line: number, bits: 16 | 32): (labels: ReadonlyMap<string, number>) => number {
  const t = text.trim();
  if (/^[+-]/.test(t)) {
    const v = bits === 16 ? off16(t, line) : imm32(t, line);
    return () => v;
  }
  if (new RegExp(`^${SYM}$`).test(t)) {
    return (labels) => {
      const at = labels.get(t);
      if (at === undefined) throw new AsmError(`unknown label '${t}'`, line);
      const rel = at - pc - 1;
      if (bits === 16 && (rel < -0x8000 || rel > 0x7fff)) throw new AsmError(`jump to '${t}' out of range for goto (use gotol)`, line);
      return rel;
    };
  }
  throw new AsmError(`bad jump target '${text}'`, line);
}

/** `raw` without an objdump target annotation ` <LBB0_2>` at its end, the blanks before it left
 *  for the caller's trim. Done by hand: the regex /\s+<[^<>]*>$/ backtracked quadratically over a
 *  long run of blanks (a line of 80,000 took 2.3 s, of a megabyte minutes). */
function dropTargetAnnotation(raw: string): string {
  if (!raw.endsWith('>')) return raw;
  const lt = raw.lastIndexOf('<');
  if (lt <= 0 || raw.indexOf('>', lt) !== raw.length - 1 || !/\s/.test(raw[lt - 1]!)) return raw;
  return raw.slice(0, lt);
}

function parseInsn(raw: string, pc: number, line: number, opts: AsmOptions): Pending {
  // Drop an objdump target annotation ` <LBB0_2>` (the explicit offset is authoritative).
  const s = dropTargetAnnotation(raw).replace(/\s+/g, ' ').trim();
  let m: RegExpExecArray | null;
  const is = (kind: OpKind) => (f: OpForm) => f.kind === kind;

  if (s === 'exit') return one(line, pc, enc(find(line, s, is('exit')), {}));
  if ((m = /^\.quad (\S+)$/.exec(s))) {
    const v = BigInt.asUintN(64, parseNum(m[1]!, line));
    const b = Number(v & 0xffn);
    const regs = Number((v >> 8n) & 0xffn);
    return one(line, pc, { code: b, dst: regs & 0xf, src: regs >> 4, off: Number(BigInt.asIntN(16, (v >> 16n) & 0xffffn)), imm: Number(BigInt.asIntN(32, v >> 32n)) });
  }
  if ((m = /^callx (\S+)$/.exec(s))) return one(line, pc, enc(find(line, s, is('callx')), { dst: reg(m[1]!, line).n }));
  if ((m = /^call (.+)$/.exec(s))) return parseCall(m[1]!, pc, line, opts);
  if ((m = /^(goto|gotol) (\S+)$/.exec(s))) {
    const long = m[1] === 'gotol';
    const f = find(line, s, is(long ? 'gotol' : 'ja'));
    const t = target(m[2]!, pc, line, long ? 32 : 16);
    return { line, pc, slots: 1, build: (l) => [enc(f, long ? { imm: t(l) } : { off: t(l) })] };
  }
  if ((m = /^may_goto (\S+)$/.exec(s))) {
    const f = find(line, s, is('maygoto'));
    const t = target(m[1]!, pc, line, 16);
    return { line, pc, slots: 1, build: (l) => [enc(f, { off: t(l) })] };
  }
  if ((m = new RegExp(`^if (${REG}) (==|!=|>=|<=|>|<|s>=|s<=|s>|s<|&) (${REG}|${NUM}) goto (\\S+)$`).exec(s))) {
    const d = reg(m[1]!, line);
    const isReg = /^[rw]/.test(m[3]!);
    const r = isReg ? reg(m[3]!, line) : undefined;
    if (r && r.w !== d.w) throw new AsmError(`mixed register widths in '${s}'`, line);
    const w = d.w ? 32 : 64;
    const f = find(line, s, (x) => x.kind === 'jcond' && x.width === w && x.op === m![2] && !!x.operands.src === isReg);
    const imm = isReg ? 0 : imm32(m[3]!, line);
    const t = target(m[4]!, pc, line, 16);
    return { line, pc, slots: 1, build: (l) => [enc(f, { dst: d.n, src: r?.n ?? 0, imm, off: t(l) })] };
  }
  if ((m = new RegExp(`^lock \\*\\((u32|u64) \\*\\)\\(([^)]*)\\) (\\+=|\\|=|&=|\\^=) (${REG})$`).exec(s))) {
    const w = m[1] === 'u32' ? 32 : 64;
    const a = mem(m[2]!, line);
    const f = find(line, s, (x) => x.kind === 'atomic' && x.width === w && x.op === m![3]);
    return one(line, pc, enc(f, { dst: a.r, off: a.off, src: reg(m[4]!, line).n }));
  }
  if ((m = new RegExp(`^(${REG}) = atomic_fetch_(add|or|and|xor)\\(\\((u32|u64) \\*\\)\\(([^)]*)\\), (${REG})\\)$`).exec(s))) {
    const w = m[3] === 'u32' ? 32 : 64;
    const a = mem(m[4]!, line);
    const src = reg(m[5]!, line).n;
    if (reg(m[1]!, line).n !== src) throw new AsmError(`atomic_fetch result must be the source register`, line);
    const f = find(line, s, (x) => x.kind === 'atomic' && x.width === w && x.op === m![2]);
    return one(line, pc, enc(f, { dst: a.r, off: a.off, src }));
  }
  if ((m = new RegExp(`^(${REG}) = (xchg_64|xchg32_32)\\(([^,]*), (${REG})\\)$`).exec(s))) {
    const w = m[2] === 'xchg_64' ? 64 : 32;
    const a = mem(m[3]!, line);
    const src = reg(m[4]!, line).n;
    if (reg(m[1]!, line).n !== src) throw new AsmError(`xchg result must be the source register`, line);
    return one(line, pc, enc(find(line, s, (x) => x.kind === 'atomic' && x.width === w && x.op === 'xchg'), { dst: a.r, off: a.off, src }));
  }
  if ((m = new RegExp(`^(${REG}) = (cmpxchg_64|cmpxchg32_32)\\(([^,]*), (${REG}), (${REG})\\)$`).exec(s))) {
    const w = m[2] === 'cmpxchg_64' ? 64 : 32;
    if (reg(m[1]!, line).n !== 0 || reg(m[4]!, line).n !== 0) throw new AsmError(`cmpxchg compares and returns r0`, line);
    const a = mem(m[3]!, line);
    return one(line, pc, enc(find(line, s, (x) => x.kind === 'atomic' && x.width === w && x.op === 'cmpxchg'), { dst: a.r, off: a.off, src: reg(m[5]!, line).n }));
  }
  if ((m = new RegExp(`^(${REG}) = load_acquire\\(\\((u8|u16|u32|u64) \\*\\)\\(([^)]*)\\)\\)$`).exec(s))) {
    const bytes = BYTES[m[2]!]!;
    const a = mem(m[3]!, line);
    return one(line, pc, enc(find(line, s, (x) => x.kind === 'ldacq' && x.bytes === bytes), { dst: reg(m[1]!, line).n, src: a.r, off: a.off }));
  }
  if ((m = new RegExp(`^store_release\\(\\((u8|u16|u32|u64) \\*\\)\\(([^)]*)\\), (${REG})\\)$`).exec(s))) {
    const bytes = BYTES[m[1]!]!;
    const a = mem(m[2]!, line);
    return one(line, pc, enc(find(line, s, (x) => x.kind === 'strel' && x.bytes === bytes), { dst: a.r, off: a.off, src: reg(m[3]!, line).n }));
  }
  if ((m = new RegExp(`^\\*\\((u8|u16|u32|u64) \\*\\)\\(([^)]*)\\) = (${REG}|${NUM})$`).exec(s))) {
    const bytes = BYTES[m[1]!]!;
    const a = mem(m[2]!, line);
    if (/^[rw]/.test(m[3]!)) {
      const f = find(line, s, (x) => x.kind === 'stx' && x.bytes === bytes);
      return one(line, pc, enc(f, { dst: a.r, off: a.off, src: reg(m[3]!, line).n }));
    }
    const f = find(line, s, (x) => x.kind === 'st' && x.bytes === bytes);
    return one(line, pc, enc(f, { dst: a.r, off: a.off, imm: imm32(m[3]!, line) }));
  }
  if ((m = new RegExp(`^(${REG}) = \\*\\((u8|u16|u32|u64|s8|s16|s32) \\*\\)\\(([^)]*)\\)$`).exec(s))) {
    const bytes = BYTES[m[2]!]!;
    const sx = m[2]!.startsWith('s');
    const a = mem(m[3]!, line);
    const f = find(line, s, (x) => x.kind === (sx ? 'ldxsx' : 'ldx') && x.bytes === bytes);
    return one(line, pc, enc(f, { dst: reg(m[1]!, line).n, src: a.r, off: a.off }));
  }
  if ((m = new RegExp(`^r0 = \\*\\((u8|u16|u32|u64) \\*\\)skb\\[([^\\]]*)\\]$`).exec(s))) {
    const bytes = BYTES[m[1]!]!;
    const inner = m[2]!.trim();
    if (/^[rw]/.test(inner)) {
      const a = new RegExp(`^(${REG})\\s*(?:([+-])\\s*(${NUM}))?$`).exec(inner);
      if (!a) throw new AsmError(`bad packet operand '${inner}'`, line);
      const imm = a[3] ? imm32((a[2] === '-' ? '-' : '') + a[3], line) : 0;
      return one(line, pc, enc(find(line, s, (x) => x.kind === 'ldind' && x.bytes === bytes), { src: reg(a[1]!, line).n, imm }));
    }
    return one(line, pc, enc(find(line, s, (x) => x.kind === 'ldabs' && x.bytes === bytes), { imm: imm32(inner, line) }));
  }
  if ((m = new RegExp(`^ld_pseudo (${REG}), (${NUM}), (${NUM})$`).exec(s))) {
    const src = Number(parseNum(m[2]!, line));
    const f = find(line, s, (x) => x.kind === 'ldimm64' && x.fixed?.src === src);
    const lo = imm32(m[3]!, line);
    return { line, pc, slots: 2, build: () => [enc(f, { dst: reg(m![1]!, line).n, imm: lo }), { code: 0, dst: 0, src: 0, off: 0, imm: 0 }] };
  }
  if ((m = new RegExp(`^(${REG}) = (.+) ll$`).exec(s))) return parseLdImm64(m[1]!, m[2]!, pc, line);
  if ((m = new RegExp(`^(${REG}) = \\((s8|s16|s32)\\)(${REG})$`).exec(s))) {
    const d = reg(m[1]!, line);
    const bits = Number(m[2]!.slice(1));
    const w = d.w ? 32 : 64;
    const f = find(line, s, (x) => x.kind === 'movsx' && x.width === w && x.fixed?.off === bits);
    return one(line, pc, enc(f, { dst: d.n, src: reg(m[3]!, line).n }));
  }
  if ((m = new RegExp(`^(${REG}) = addr_space_cast\\((${REG}), (${NUM}), (${NUM})\\)$`).exec(s))) {
    const imm = Number(parseNum(m[3]!, line)) * 65536 + Number(parseNum(m[4]!, line));
    const f = find(line, s, (x) => x.kind === 'addrcast' && x.fixed?.imm === imm);
    return one(line, pc, enc(f, { dst: reg(m[1]!, line).n, src: reg(m[2]!, line).n }));
  }
  if ((m = new RegExp(`^(${REG}) = -(${REG})$`).exec(s))) {
    const d = reg(m[1]!, line);
    if (reg(m[2]!, line).n !== d.n) throw new AsmError(`neg negates its destination: '${s}'`, line);
    return one(line, pc, enc(find(line, s, (x) => x.kind === 'neg' && x.width === (d.w ? 32 : 64)), { dst: d.n }));
  }
  if ((m = new RegExp(`^(${REG}) = (le|be|bswap)(16|32|64) (${REG})$`).exec(s))) {
    const d = reg(m[1]!, line);
    if (reg(m[4]!, line).n !== d.n) throw new AsmError(`byte swap works in place: '${s}'`, line);
    const f = find(line, s, (x) => x.kind === 'end' && x.op === m![2] && x.fixed?.imm === Number(m![3]));
    return one(line, pc, enc(f, { dst: d.n }));
  }
  if ((m = new RegExp(`^(${REG}) (=|\\+=|-=|\\*=|/=|s/=|%=|s%=|\\|=|&=|<<=|>>=|s>>=|\\^=) (${REG}|${NUM})$`).exec(s))) {
    const d = reg(m[1]!, line);
    const isReg = /^[rw]/.test(m[3]!);
    const w = d.w ? 32 : 64;
    const f = find(line, s, (x) => x.kind === 'alu' && x.width === w && x.op === m![2] && !!x.operands.src === isReg);
    if (isReg) {
      const r = reg(m[3]!, line);
      if (r.w !== d.w) throw new AsmError(`mixed register widths in '${s}'`, line);
      return one(line, pc, enc(f, { dst: d.n, src: r.n }));
    }
    return one(line, pc, enc(f, { dst: d.n, imm: imm32(m[3]!, line) }));
  }
  throw new AsmError(`cannot parse '${raw.trim()}'`, line);
}

function parseCall(arg: string, pc: number, line: number, opts: AsmOptions): Pending {
  const a = arg.trim();
  let m: RegExpExecArray | null;
  const helper = OPCODES.find((f) => f.kind === 'call' && f.fixed?.src === PseudoCall.HELPER)!;
  const local = OPCODES.find((f) => f.kind === 'call' && f.fixed?.src === PseudoCall.LOCAL)!;
  const kfunc = OPCODES.find((f) => f.kind === 'call' && f.fixed?.src === PseudoCall.KFUNC)!;
  if ((m = new RegExp(`^pc\\s*(${NUM})$`).exec(a))) return one(line, pc, enc(local, { imm: imm32(m[1]!, line) }));
  if ((m = new RegExp(`^kfunc#(${NUM})$`).exec(a))) return one(line, pc, enc(kfunc, { imm: imm32(m[1]!, line) }));
  if (new RegExp(`^${NUM}$`).test(a)) return one(line, pc, enc(helper, { imm: imm32(a, line) }));
  if (new RegExp(`^${SYM}$`).test(a)) {
    return {
      line,
      pc,
      slots: 1,
      build: (labels) => {
        const at = labels.get(a);
        if (at !== undefined) return [enc(local, { imm: at - pc - 1 })];
        const id = opts.helperId?.(a);
        if (id !== undefined) return [enc(helper, { imm: id })];
        throw new AsmError(`unknown call target '${a}' (not a label or a known helper)`, line);
      },
    };
  }
  throw new AsmError(`bad call target '${arg}'`, line);
}

/** `rD = <value> ll`: a plain 64-bit constant or an annotated pseudo source. */
function parseLdImm64(dstText: string, value: string, pc: number, line: number): Pending {
  const d = reg(dstText, line);
  if (d.w) throw new AsmError(`lddw loads a 64-bit register`, line);
  const v = value.trim();
  if (new RegExp(`^${NUM}$`).test(v)) {
    const n = parseNum(v, line);
    if (n < -(1n << 63n) || n > (1n << 64n) - 1n) throw new AsmError(`immediate ${v} does not fit in 64 bits`, line);
    const u = BigInt.asUintN(64, n);
    const f = OPCODES.find((x) => x.kind === 'ldimm64' && x.fixed?.src === PseudoLd.IMM64)!;
    return {
      line,
      pc,
      slots: 2,
      build: () => [enc(f, { dst: d.n, imm: Number(BigInt.asIntN(32, u)) }), { code: 0, dst: 0, src: 0, off: 0, imm: Number(BigInt.asIntN(32, u >> 32n)) }],
    };
  }
  // map_by_fd(0x3) | map_val(map_by_fd(0x3)) + 0x8 | var_addr(..) | code_addr(label|N) | map_by_idx(..)
  const val = new RegExp(`^map_val\\((map_by_fd|map_by_idx)\\((${NUM})\\)\\)(?: \\+ (${NUM}))?$`).exec(v);
  const plain = new RegExp(`^(map_by_fd|map_by_idx|var_addr|code_addr)\\((${NUM}|${SYM})\\)(?: \\+ (${NUM}))?$`).exec(v);
  const m = val ?? plain;
  if (!m) throw new AsmError(`bad 64-bit immediate '${value}'`, line);
  const src = LD_PSEUDO_FUNCS[val ? `map_val(${m[1]}` : m[1]!]!;
  const f = OPCODES.find((x) => x.kind === 'ldimm64' && x.fixed?.src === src)!;
  const hi = m[3] ? imm32(m[3], line) : 0;
  const arg = m[2]!;
  const lo = (labels: ReadonlyMap<string, number>): number => {
    if (new RegExp(`^${NUM}$`).test(arg)) return imm32(arg, line);
    if (src !== PseudoLd.FUNC) throw new AsmError(`'${arg}' is not a number`, line);
    const at = labels.get(arg);
    if (at === undefined) throw new AsmError(`unknown label '${arg}'`, line);
    return at - pc - 1;
  };
  return { line, pc, slots: 2, build: (labels) => [enc(f, { dst: d.n, imm: lo(labels) }), { code: 0, dst: 0, src: 0, off: 0, imm: hi }] };
}
