// A C printer for BTF, in the shape `bpftool btf dump file x.o format c` prints: named types in
// dependency order (a struct's embedded members before it, forward declarations to break pointer
// cycles), anonymous structs and unions inline, bitfields as `: N`, explicit padding where natural
// alignment would not reproduce the layout, and the vmlinux.h guard around it all.
import { BtfError } from '../errors.js';
import { Btf, BtfKind, type BtfType } from './btf.js';

const HEADER = `#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

`;
const FOOTER = `#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
`;

const enum Order {
  NONE,
  ORDERING,
  ORDERED,
}
const enum Emit {
  NONE,
  EMITTING,
  EMITTED,
}

const MAX_DEPTH = 256;

class CPrinter {
  private order: Order[];
  private emit: Emit[];
  private fwdEmitted: boolean[];
  private referenced: boolean[];
  private queue: number[] = [];
  /** Anonymous types being printed inline: re-entering one is a loop (only corrupt BTF has them). */
  private inline = new Set<number>();
  /** Work budget: corrupt BTF can make inline printing exponential; stop with an error instead. */
  private work = 0;
  private produced = 0;
  private readonly maxWork: number;
  private readonly maxProduced: number;
  out = '';

  private tick(id: number, chars = 0): void {
    this.produced += chars;
    if (++this.work > this.maxWork || this.produced > this.maxProduced) throw new BtfError('C output grows without bound (type graph too large or cyclic)', `.BTF type [${id}]`);
  }

  constructor(private readonly btf: Btf) {
    const n = btf.types.length;
    this.order = new Array(n).fill(Order.NONE);
    this.emit = new Array(n).fill(Emit.NONE);
    this.fwdEmitted = new Array(n).fill(false);
    this.referenced = new Array(n).fill(false);
    // Legitimate output is roughly proportional to the BTF; corrupt BTF can make it exponential.
    this.maxWork = 200_000 + 50 * n;
    this.maxProduced = (4 << 20) + 64 * btf.bytes.length;
    for (const t of btf.types) for (const r of refs(t)) this.referenced[r] = true;
  }

  dumpAll(): string {
    this.out = HEADER;
    for (let id = 1; id < this.btf.types.length; id++) this.dump(id);
    return this.out + FOOTER;
  }

  private dump(id: number): void {
    this.queue = [];
    this.orderType(id, false, 0);
    for (const q of this.queue) this.emitType(q, 0, 0);
  }

  /** Returns true when the type is a "strong" (named, embeddable) dependency. */
  private orderType(id: number, throughPtr: boolean, depth: number): boolean {
    if (id === 0 || depth > MAX_DEPTH) return false;
    this.tick(id);
    const t = this.btf.types[id]!;
    if (this.order[id] === Order.ORDERED) return true;
    if (this.order[id] === Order.ORDERING) return false; // cycle through a pointer: fwd decl
    switch (t.kind) {
      case BtfKind.INT:
      case BtfKind.FLOAT:
        this.order[id] = Order.ORDERED;
        return false;
      case BtfKind.PTR: {
        const r = this.orderType(t.sizeOrType, true, depth + 1);
        this.order[id] = Order.ORDERED;
        return r;
      }
      case BtfKind.ARRAY:
        return this.orderType(t.elemType!, false, depth + 1);
      case BtfKind.STRUCT:
      case BtfKind.UNION:
        if (throughPtr && t.name) return false;
        this.order[id] = Order.ORDERING;
        for (const m of t.members!) this.orderType(m.type, false, depth + 1);
        if (t.name) this.queue.push(id);
        this.order[id] = Order.ORDERED;
        return true;
      case BtfKind.ENUM:
      case BtfKind.ENUM64:
      case BtfKind.FWD:
        if (t.name || !this.referenced[id]) this.queue.push(id);
        this.order[id] = Order.ORDERED;
        return true;
      case BtfKind.TYPEDEF: {
        const strong = this.orderType(t.sizeOrType, throughPtr, depth + 1);
        if (throughPtr && !strong) return false;
        this.queue.push(id);
        this.order[id] = Order.ORDERED;
        return true;
      }
      case BtfKind.VOLATILE:
      case BtfKind.CONST:
      case BtfKind.RESTRICT:
      case BtfKind.TYPE_TAG:
        return this.orderType(t.sizeOrType, throughPtr, depth + 1);
      case BtfKind.FUNC_PROTO: {
        let strong = this.orderType(t.sizeOrType, throughPtr, depth + 1);
        for (const p of t.params!) if (this.orderType(p.type, throughPtr, depth + 1)) strong = true;
        return strong;
      }
      default:
        this.order[id] = Order.ORDERED;
        return false;
    }
  }

  private emitType(id: number, contId: number, depth: number): void {
    if (id === 0 || depth > MAX_DEPTH) return;
    this.tick(id);
    const topLevel = contId === 0;
    if (this.emit[id] === Emit.EMITTED) return;
    const t = this.btf.types[id]!;
    if (this.emit[id] === Emit.EMITTING) {
      if (this.fwdEmitted[id]) return;
      if (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) {
        if (id === contId || !t.name) return;
        this.out += `${structKw(t)} ${t.name};\n\n`;
        this.fwdEmitted[id] = true;
      } else if (t.kind === BtfKind.TYPEDEF) {
        this.out += `typedef ${this.decl(t.sizeOrType, t.name, 0)};\n\n`;
        this.fwdEmitted[id] = true;
      }
      return;
    }
    switch (t.kind) {
      case BtfKind.INT:
      case BtfKind.FLOAT:
        this.emit[id] = Emit.EMITTED;
        break;
      case BtfKind.ENUM:
      case BtfKind.ENUM64:
        if (topLevel) this.out += `${this.enumDef(t, 0)};\n\n`;
        this.emit[id] = Emit.EMITTED;
        break;
      case BtfKind.PTR:
      case BtfKind.VOLATILE:
      case BtfKind.CONST:
      case BtfKind.RESTRICT:
      case BtfKind.TYPE_TAG:
        this.emitType(t.sizeOrType, contId, depth + 1);
        break;
      case BtfKind.ARRAY:
        this.emitType(t.elemType!, contId, depth + 1);
        break;
      case BtfKind.FWD:
        this.out += `${t.kindFlag ? 'union' : 'struct'} ${t.name};\n\n`;
        this.emit[id] = Emit.EMITTED;
        break;
      case BtfKind.TYPEDEF:
        this.emit[id] = Emit.EMITTING;
        this.emitType(t.sizeOrType, id, depth + 1);
        if (!this.fwdEmitted[id]) this.out += `typedef ${this.decl(t.sizeOrType, t.name, 0)};\n\n`;
        this.emit[id] = Emit.EMITTED;
        break;
      case BtfKind.STRUCT:
      case BtfKind.UNION:
        this.emit[id] = Emit.EMITTING;
        if (topLevel || !t.name) {
          const inner = t.name ? id : contId;
          for (const m of t.members!) this.emitType(m.type, inner, depth + 1);
        } else if (!this.fwdEmitted[id] && id !== contId) {
          this.out += `${structKw(t)} ${t.name};\n\n`;
          this.fwdEmitted[id] = true;
        }
        if (topLevel) {
          this.out += `${this.structDef(t, 0)};\n\n`;
          this.emit[id] = Emit.EMITTED;
        } else this.emit[id] = Emit.NONE;
        break;
      case BtfKind.FUNC_PROTO:
        this.emitType(t.sizeOrType, contId, depth + 1);
        for (const p of t.params!) this.emitType(p.type, contId, depth + 1);
        break;
      default:
        break;
    }
  }

  private enumDef(t: BtfType, lvl: number): string {
    let s = `enum${t.name ? ' ' + t.name : ''}`;
    if (!t.values!.length) return s;
    s += ' {';
    for (const v of t.values!) {
      const suffix = t.kind === BtfKind.ENUM64 ? (t.kindFlag ? 'LL' : 'ULL') : '';
      s += `\n${pfx(lvl + 1)}${v.name} = ${v.value}${suffix},`;
    }
    return s + `\n${pfx(lvl)}}`;
  }

  private structDef(t: BtfType, lvl: number): string {
    this.tick(t.id);
    if (this.inline.has(t.id)) throw new BtfError('anonymous struct/union contains itself', `.BTF type [${t.id}]`);
    if (!t.name) this.inline.add(t.id);
    try {
      return this.structBody(t, lvl);
    } finally {
      this.inline.delete(t.id);
    }
  }

  private structBody(t: BtfType, lvl: number): string {
    const isStruct = t.kind === BtfKind.STRUCT;
    const packed = isStruct && this.isPacked(t);
    let s = `${structKw(t)}${t.name ? ' ' + t.name : ''} {`;
    let off = 0;
    let prevBitfield = false;
    const tick = (n: number) => this.tick(t.id, n);
    for (const m of t.members!) {
      const align = packed ? 1 : safe(() => this.btf.alignof(m.type), 1);
      s += padding(off, m.bitOffset, align, prevBitfield && m.bitfieldSize !== 0, lvl + 1, tick);
      s += `\n${pfx(lvl + 1)}${this.decl(m.type, m.name, lvl + 1)}`;
      if (m.bitfieldSize) {
        s += `: ${m.bitfieldSize}`;
        off = m.bitOffset + m.bitfieldSize;
        prevBitfield = true;
      } else {
        off = m.bitOffset + Math.max(0, safe(() => this.btf.sizeof(m.type), 0)) * 8;
        prevBitfield = false;
      }
      s += ';';
    }
    if (isStruct) s += padding(off, t.sizeOrType * 8, packed ? 1 : safe(() => this.btf.alignof(t.id), 1), false, lvl + 1, tick);
    if (t.members!.length) s += '\n';
    s += `${pfx(lvl)}}`;
    if (packed) s += ' __attribute__((packed))';
    this.tick(t.id, s.length);
    return s;
  }

  /** btf_is_struct_packed: a member misaligned for its type, or a size not a multiple of the alignment. */
  private isPacked(t: BtfType): boolean {
    let maxAlign = 1;
    for (const m of t.members!) {
      const a = safe(() => this.btf.alignof(m.type), 1);
      if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return true;
      maxAlign = Math.max(maxAlign, a);
    }
    return t.sizeOrType % maxAlign !== 0;
  }

  /** A C declaration of `name` with type `id` (declarator syntax for pointers, arrays, functions). */
  decl(id: number, name: string, lvl: number, depth = 0): string {
    this.tick(id);
    const sp = (s: string) => (s ? ` ${s}` : '');
    if (depth > MAX_DEPTH) return `void${sp(name)}`;
    if (id === 0) return `void${sp(name)}`;
    const t = this.btf.types[id]!;
    switch (t.kind) {
      case BtfKind.PTR: {
        const target = this.btf.types[t.sizeOrType]!;
        const needParens = target.kind === BtfKind.ARRAY || target.kind === BtfKind.FUNC_PROTO;
        return this.decl(t.sizeOrType, needParens ? `(*${name})` : `*${name}`, lvl, depth + 1);
      }
      case BtfKind.ARRAY:
        return this.decl(t.elemType!, `${name}[${t.nelems}]`, lvl, depth + 1);
      case BtfKind.CONST:
      case BtfKind.VOLATILE:
      case BtfKind.RESTRICT: {
        const kwOf = (k: number) => (k === BtfKind.CONST ? 'const' : k === BtfKind.VOLATILE ? 'volatile' : 'restrict');
        const target = this.btf.types[t.sizeOrType]!;
        if (target.kind === BtfKind.PTR) return this.decl(t.sizeOrType, `${kwOf(t.kind)} ${name}`.trim(), lvl, depth + 1);
        // A run of qualifiers on a base type prints innermost first, as btf_dump does.
        const mods: string[] = [];
        let cur: BtfType = t;
        while ((cur.kind === BtfKind.CONST || cur.kind === BtfKind.VOLATILE || cur.kind === BtfKind.RESTRICT) && mods.length < MAX_DEPTH) {
          mods.push(kwOf(cur.kind));
          const next = this.btf.types[cur.sizeOrType];
          if (!next || next.kind === BtfKind.PTR) break;
          cur = next;
        }
        const baseId = cur.kind === BtfKind.CONST || cur.kind === BtfKind.VOLATILE || cur.kind === BtfKind.RESTRICT ? cur.sizeOrType : cur.id;
        return `${mods.reverse().join(' ')} ${this.decl(baseId, name, lvl, depth + 1)}`;
      }
      case BtfKind.TYPE_TAG:
        return this.decl(t.sizeOrType, `__attribute__((btf_type_tag("${t.name}")))${sp(name)}`, lvl, depth + 1);
      case BtfKind.FUNC_PROTO: {
        const params = t.params!.length === 0 ? 'void' : t.params!.map((p) => (p.type === 0 ? '...' : this.decl(p.type, p.name, lvl, depth + 1))).join(', ');
        return this.decl(t.sizeOrType, `${name}(${params})`, lvl, depth + 1);
      }
      case BtfKind.STRUCT:
      case BtfKind.UNION:
        return `${t.name ? `${structKw(t)} ${t.name}` : this.structDef(t, lvl)}${sp(name)}`;
      case BtfKind.ENUM:
      case BtfKind.ENUM64:
        return `${t.name ? `enum ${t.name}` : this.enumDef(t, lvl)}${sp(name)}`;
      case BtfKind.FWD:
        return `${t.kindFlag ? 'union' : 'struct'} ${t.name}${sp(name)}`;
      default:
        return `${t.name}${sp(name)}`;
    }
  }
}

function structKw(t: BtfType): string {
  return t.kind === BtfKind.UNION ? 'union' : 'struct';
}

function pfx(lvl: number): string {
  return '\t'.repeat(lvl);
}

function safe<T>(f: () => T, dflt: T): T {
  try {
    return f();
  } catch {
    return dflt;
  }
}

/** Explicit padding members for a gap natural alignment would not produce (btf_dump's rules:
 *  align with the widest of long/int/short/char that fits, add a `type: 0` marker only when the
 *  compiler would not align there by itself, then fill with full-width markers). */
function padding(cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number, tick: (chars: number) => void): string {
  if (cur >= next) return '';
  const pads: [string, number][] = [['long', 64], ['int', 32], ['short', 16], ['char', 8]];
  let s = '';
  const emit = (type: string, bits: number) => {
    const line = `\n${pfx(lvl)}${type}: ${bits};`;
    tick(line.length);
    s += line;
  };
  const roundup = (x: number, a: number) => Math.ceil(x / a) * a;
  let padType = 'char';
  let padBits = 8;
  let newOff = cur;
  for (const [type, bits] of pads) {
    padType = type;
    padBits = bits;
    newOff = roundup(cur, bits);
    if (newOff <= next) break;
  }
  if (newOff > cur && newOff <= next) {
    if (inBitfield || (newOff === next && roundup(cur, nextAlign * 8) !== newOff) || (newOff !== next && next - newOff <= newOff - cur)) {
      emit(padType, inBitfield ? newOff - cur : 0);
    }
    cur = newOff;
  }
  while (cur !== next) {
    const bits = Math.min(next - cur, padBits);
    if (bits === padBits) {
      emit(padType, padBits);
      cur += bits;
      continue;
    }
    for (let i = pads.length - 1; i >= 0; i--) {
      const [type, pb] = pads[i]!;
      if (pb < bits) continue;
      emit(type, bits);
      cur += bits;
      break;
    }
  }
  return s;
}

/** Types a type refers to (for "referenced" bookkeeping). */
function refs(t: BtfType): number[] {
  switch (t.kind) {
    case BtfKind.PTR:
    case BtfKind.TYPEDEF:
    case BtfKind.VOLATILE:
    case BtfKind.CONST:
    case BtfKind.RESTRICT:
    case BtfKind.FUNC:
    case BtfKind.VAR:
    case BtfKind.DECL_TAG:
    case BtfKind.TYPE_TAG:
      return [t.sizeOrType];
    case BtfKind.ARRAY:
      return [t.elemType!, t.indexType!];
    case BtfKind.STRUCT:
    case BtfKind.UNION:
      return t.members!.map((m) => m.type);
    case BtfKind.FUNC_PROTO:
      return [t.sizeOrType, ...t.params!.map((p) => p.type)];
    case BtfKind.DATASEC:
      return t.vars!.map((v) => v.type);
    default:
      return [];
  }
}

/** The whole BTF as C, like `bpftool btf dump file x.o format c`. */
export function formatBtfC(btf: Btf): string {
  return new CPrinter(btf).dumpAll();
}

/** One type's C declaration (`struct foo`, `int (*)(void *)`), for messages and inspect. */
export function formatTypeDecl(btf: Btf, id: number, name = ''): string {
  return new CPrinter(btf).decl(id, name, 0);
}
