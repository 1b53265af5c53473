// Assembler for the uBPF / bpf_conformance syntax, the language of the conformance suite's
// `-- asm` sections:
//
//   mov %r0, 1            add32 %r1, %r2        neg %r3           be16 %r0   le32 %r0   bswap64 %r0
//   sdiv32 %r0, -3        movsx832 %r0, %r1     (movsx<from><width>: 864 832 1664 1632 3264)
//   ldxw %r0, [%r1+4]     ldxsb %r0, [%r1-2]    stxdw [%r10-8], %r1   stw [%r1], 7
//   lddw %r0, 0x123456789
//   jne %r0, 15, label    jsgt32 %r1, %r2, +3   ja label   ja32 +1 (gotol)   may_goto label
//   call 5 / call helper 5 / call local func1 / call runtime 7 (kfunc) / call %r2 (callx) / callx %r2
//   lock add [%r1+8], %r2     lock fetch xor32 [%r1], %r2     lock xchg [%r1], %r2   lock cmpxchg32 ...
//   ldabsw 12             ldindh %r1, 4         exit           label:
//
// Registers may be written `%r1` or `r1` (newer suite files drop the `%`). Operands are separated by whitespace with optional trailing commas (memory operands contain no
// spaces), jump targets are `+N`/`-N` or a label, and the first `exit` also defines a label
// `exit`, as in the suite's own assembler. Registers %r11..%r15 are accepted (the suite uses them
// for negative tests); the VM rejects them at load time. Which encodings exist comes from
// vm/opcodes.ts; this file only knows the spelling.
import { AsmError, describeValue } from '../src/errors.js';
import { PseudoCall, type Insn } from './isa.js';
import { OPCODE_BY_NAME, OPCODES, type OpForm } from './opcodes.js';

interface Fixup {
  index: number;
  label: string;
  line: number;
  field: 'off' | 'imm';
}

/** Assemble uBPF-syntax text into instruction slots. Throws AsmError naming the line. */
export function assembleUbpf(text: string): Insn[] {
  if (typeof text !== 'string') throw new AsmError(`expected the program text as a string, got ${describeValue(text)}`);
  const out: Insn[] = [];
  const labels = new Map<string, number>();
  const fixups: Fixup[] = [];
  let sawExit = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const toks = lines[i]!.replace(/#.*$/, '').trim().split(/\s+/).filter(Boolean);
    if (toks.length === 0) continue;
    const mnem = toks[0]!.toLowerCase();
    const ops = toks.slice(1).map((o) => o.replace(/,$/, ''));
    if (mnem.endsWith(':')) {
      // Label names keep their case: references to them (`ja L2`) are not lowercased.
      const name = toks[0]!.slice(0, -1);
      if (labels.has(name)) throw new AsmError(`duplicate label '${name}'`, line);
      labels.set(name, out.length);
      if (ops.length) throw new AsmError(`unexpected text after label '${name}'`, line);
      continue;
    }
    if (mnem === 'exit' && !sawExit) {
      sawExit = true;
      if (!labels.has('exit')) labels.set('exit', out.length);
    }
    try {
      encodeLine(mnem, ops, out, fixups, line);
    } catch (e) {
      throw e instanceof AsmError ? e : new AsmError((e as Error).message, line);
    }
  }
  for (const f of fixups) {
    const at = labels.get(f.label);
    if (at === undefined) throw new AsmError(`unknown label '${f.label}'`, f.line);
    const rel = at - f.index - 1;
    if (f.field === 'off' && (rel < -0x8000 || rel > 0x7fff)) throw new AsmError(`jump to '${f.label}' out of 16-bit range`, f.line);
    out[f.index]![f.field] = rel;
  }
  return out;
}

function num(text: string | undefined, line: number): bigint {
  if (text === undefined) throw new AsmError('missing operand', line);
  const t = text.trim();
  const m = /^([+-]?)(0x[0-9a-f]+|\d+)$/i.exec(t);
  if (!m) throw new AsmError(`bad number '${text}'`, line);
  const v = BigInt(m[2]!.toLowerCase());
  return m[1] === '-' ? -v : v;
}

function imm32(text: string | undefined, line: number): number {
  const v = num(text, line);
  // Older suite files write hex immediates wider than 32 bits (`mov32 r1, 0x876543210`) and older
  // assemblers kept the low half; decimal values must fit.
  const hex = /0x/i.test(text ?? '');
  if (hex ? v < -0xffffffffffffffffn || v > 0xffffffffffffffffn : v < -0x80000000n || v > 0xffffffffn) throw new AsmError(`immediate out of 32-bit range: ${text}`, line);
  return Number(BigInt.asIntN(32, v));
}

function off16(text: string, line: number): number {
  const v = num(text, line);
  if (v < -0x8000n || v > 0xffffn) throw new AsmError(`offset out of 16-bit range: ${text}`, line);
  return Number(BigInt.asIntN(16, v));
}

function reg(text: string | undefined, line: number): number {
  const m = /^%?r(\d+)$/i.exec(text ?? '');
  if (!m || Number(m[1]) > 15) throw new AsmError(`invalid register: ${text ?? '(missing)'}`, line);
  return Number(m[1]);
}

/** `[%r1+4]`, `[%r10-8]`, `[%r1]`. */
function memop(text: string | undefined, line: number): { r: number; off: number } {
  const m = /^\[(%?r\d+)(?:([+-])(0x[0-9a-f]+|\d+))?\]$/i.exec(text ?? '');
  if (!m) throw new AsmError(`invalid memory operand: ${text ?? '(missing)'}`, line);
  return { r: reg(m[1], line), off: m[3] ? off16((m[2] === '-' ? '-' : '') + m[3], line) : 0 };
}

function form(name: string, line: number): OpForm {
  const f = OPCODE_BY_NAME.get(name);
  if (!f) throw new AsmError(`invalid mnemonic: ${name}`, line);
  return f;
}

function make(f: OpForm, fields: Partial<Insn>): Insn {
  const fx = f.fixed ?? {};
  return { code: f.code, dst: fields.dst ?? 0, src: fields.src ?? fx.src ?? 0, off: fields.off ?? fx.off ?? 0, imm: fields.imm ?? fx.imm ?? 0 };
}

function arity(mnem: string, ops: string[], n: number, line: number): void {
  if (ops.length !== n) throw new AsmError(`invalid number of operands for ${mnem}: expected ${n}, got ${ops.length}`, line);
}

const isReg = (t: string | undefined): boolean => !!t && /^%?r\d+$/i.test(t);

function encodeLine(mnem: string, ops: string[], out: Insn[], fixups: Fixup[], line: number): void {
  const push = (x: Insn): void => void out.push(x);
  const jumpTarget = (t: string | undefined, field: 'off' | 'imm'): number => {
    if (t === undefined) throw new AsmError('missing jump target', line);
    if (/^[+-]/.test(t)) return field === 'off' ? off16(t, line) : imm32(t, line);
    fixups.push({ index: out.length, label: t, line, field });
    return 0;
  };
  let m: RegExpExecArray | null;

  if (mnem === 'exit') {
    arity(mnem, ops, 0, line);
    return push(make(form('exit', line), {}));
  }
  if (mnem === 'ja' || mnem === 'ja32' || mnem === 'gotol') {
    arity(mnem, ops, 1, line);
    return mnem === 'ja' ? push(make(form('ja', line), { off: jumpTarget(ops[0], 'off') })) : push(make(form('ja32', line), { imm: jumpTarget(ops[0], 'imm') }));
  }
  if (mnem === 'may_goto') {
    arity(mnem, ops, 1, line);
    return push(make(form('may_goto', line), { off: jumpTarget(ops[0], 'off') }));
  }
  if (mnem === 'callx') {
    arity(mnem, ops, 1, line);
    return push(make(form('callx', line), { dst: reg(ops[0], line) }));
  }
  if (mnem === 'call') {
    const [mode, target] = ops.length === 1 ? ['helper', ops[0]] : ops.length === 2 ? [ops[0], ops[1]] : ['', undefined];
    if (target === undefined) throw new AsmError(`invalid number of operands for call`, line);
    if (mode === 'helper') {
      if (isReg(target)) return push(make(form('callx', line), { dst: reg(target, line) }));
      return push(make(form('call', line), { imm: imm32(target, line) }));
    }
    if (mode === 'local') {
      const f = OPCODES.find((x) => x.kind === 'call' && x.fixed?.src === PseudoCall.LOCAL)!;
      return push(make(f, { imm: jumpTarget(target, 'imm') }));
    }
    if (mode === 'runtime') return push(make(form('call.kfunc', line), { imm: imm32(target, line) }));
    throw new AsmError(`invalid call mode '${mode}' (helper, local or runtime)`, line);
  }
  if (mnem === 'lock') {
    // lock [fetch] <op>[32] <mem>, <reg>
    let rest = ops;
    let fetch = false;
    if (rest[0] === 'fetch') {
      fetch = true;
      rest = rest.slice(1);
    }
    if (rest.length !== 3) throw new AsmError('invalid number of operands for lock', line);
    const op = rest[0]!.toLowerCase();
    const base = op.replace(/32$/, '');
    const is32 = op.endsWith('32');
    if (!['add', 'or', 'and', 'xor', 'xchg', 'cmpxchg'].includes(base)) throw new AsmError(`invalid atomic operation: ${op}`, line);
    const always = base === 'xchg' || base === 'cmpxchg'; // these always fetch
    const f = form(`lock.${fetch && !always ? 'fetch.' : ''}${base}${is32 ? '32' : ''}`, line);
    const a = memop(rest[1], line);
    return push(make(f, { dst: a.r, off: a.off, src: reg(rest[2], line) }));
  }
  if (mnem === 'lddw') {
    arity(mnem, ops, 2, line);
    const v = num(ops[1], line);
    if (v < -(1n << 63n) || v > (1n << 64n) - 1n) throw new AsmError(`immediate out of 64-bit range: ${ops[1]}`, line);
    const u = BigInt.asUintN(64, v);
    push(make(form('lddw', line), { dst: reg(ops[0], line), imm: Number(BigInt.asIntN(32, u)) }));
    return push({ code: 0, dst: 0, src: 0, off: 0, imm: Number(BigInt.asIntN(32, u >> 32n)) });
  }
  if ((m = /^(ldx|ldxs|ldacq)(b|h|w|dw)$/.exec(mnem))) {
    arity(mnem, ops, 2, line);
    const a = memop(ops[1], line);
    return push(make(form(mnem, line), { dst: reg(ops[0], line), src: a.r, off: a.off }));
  }
  if ((m = /^(st|stx|strel)(b|h|w|dw)$/.exec(mnem))) {
    arity(mnem, ops, 2, line);
    const a = memop(ops[0], line);
    if (m[1] !== 'st') return push(make(form(mnem, line), { dst: a.r, off: a.off, src: reg(ops[1], line) }));
    return push(make(form(mnem, line), { dst: a.r, off: a.off, imm: imm32(ops[1], line) }));
  }
  if ((m = /^ldabs(b|h|w)$/.exec(mnem))) {
    arity(mnem, ops, 1, line);
    return push(make(form(mnem, line), { imm: imm32(ops[0], line) }));
  }
  if ((m = /^ldind(b|h|w)$/.exec(mnem))) {
    arity(mnem, ops, 2, line);
    return push(make(form(mnem, line), { src: reg(ops[0], line), imm: imm32(ops[1], line) }));
  }
  if ((m = /^(le|be|swap|bswap)(16|32|64)$/.exec(mnem))) {
    arity(mnem, ops, 1, line);
    const kind = m[1] === 'swap' ? 'bswap' : m[1];
    return push(make(form(`${kind}${m[2]}`, line), { dst: reg(ops[0], line) }));
  }
  if ((m = /^neg(32|64)?$/.exec(mnem))) {
    arity(mnem, ops, 1, line);
    return push(make(form(m[1] === '32' ? 'neg32' : 'neg', line), { dst: reg(ops[0], line) }));
  }
  if ((m = /^movsx(8|16|32)(32|64)$/.exec(mnem))) {
    arity(mnem, ops, 2, line);
    return push(make(form(mnem, line), { dst: reg(ops[0], line), src: reg(ops[1], line) }));
  }
  if ((m = /^(add|sub|mul|div|sdiv|or|and|lsh|rsh|mod|smod|xor|mov|arsh)(32|64)?$/.exec(mnem))) {
    arity(mnem, ops, 2, line);
    const name = m[1]! + (m[2] === '32' ? '32' : '');
    if (isReg(ops[1])) return push(make(form(name + '.r', line), { dst: reg(ops[0], line), src: reg(ops[1], line) }));
    return push(make(form(name + '.i', line), { dst: reg(ops[0], line), imm: imm32(ops[1], line) }));
  }
  if ((m = /^(jeq|jgt|jge|jset|jne|jsgt|jsge|jlt|jle|jslt|jsle)(32)?$/.exec(mnem))) {
    arity(mnem, ops, 3, line);
    const name = m[1]! + (m[2] ?? '');
    const dst = reg(ops[0], line);
    if (isReg(ops[1])) return push(make(form(name + '.r', line), { dst, src: reg(ops[1], line), off: jumpTarget(ops[2], 'off') }));
    const imm = imm32(ops[1], line);
    return push(make(form(name + '.i', line), { dst, imm, off: jumpTarget(ops[2], 'off') }));
  }
  throw new AsmError(`invalid mnemonic: ${mnem}`, line);
}
