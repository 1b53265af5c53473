// A C printer for BTF, in the shape `bpftool btf dump file x.o format c` prints: named types in
// dependency order (a struct's embedded members before it, forward declarations to break pointer
// cycles), anonymous structs and unions inline, bitfields as `: N`, explicit padding where natural
// alignment would not reproduce the layout, and the vmlinux.h guard around it all.
import { BtfError } from '../errors.js';
import { Btf, BtfKind, typeRefs, type BtfType } from './btf.js';

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
/** A compiler built-in: defining it again breaks compilation with another compiler, so btf_dump
 *  never prints its typedef. */
const BUILTIN_VA_LIST = '__builtin_va_list';

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
    for (const t of btf.types) for (const r of typeRefs(t)) this.referenced[r] = true;
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
        this.out += `${structKw(t)} ${this.typeName(id)};\n\n`;
        this.fwdEmitted[id] = true;
      } else if (t.kind === BtfKind.TYPEDEF) {
        if (t.name !== BUILTIN_VA_LIST) this.out += `${this.typedefDef(t)};\n\n`;
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
        if (!this.fwdEmitted[id] && t.name !== BUILTIN_VA_LIST) this.out += `${this.typedefDef(t)};\n\n`;
        this.emit[id] = Emit.EMITTED;
        break;
      case BtfKind.STRUCT:
      case BtfKind.UNION:
        this.emit[id] = Emit.EMITTING;
        if (topLevel || !t.name) {
          const inner = t.name ? id : contId;
          for (const m of t.members!) this.emitType(m.type, inner, depth + 1);
        } else if (!this.fwdEmitted[id] && id !== contId) {
          this.out += `${structKw(t)} ${this.typeName(id)};\n\n`;
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

  /** btf_dump_emit_typedef_def; old GCC describes __gnuc_va_list as a typedef of void. */
  private typedefDef(t: BtfType): string {
    const name = this.identName(t.id);
    if (t.sizeOrType === 0 && name === '__gnuc_va_list') return 'typedef __builtin_va_list __gnuc_va_list';
    return `typedef ${this.decl(t.sizeOrType, name, 0)}`;
  }

  private enumDef(t: BtfType, lvl: number): string {
    let s = `enum${t.name ? ' ' + this.typeName(t.id) : ''}`;
    if (!t.values!.length) return s;
    s += ' {';
    for (const v of t.values!) {
      const suffix = t.kind === BtfKind.ENUM64 ? (t.kindFlag ? 'LL' : 'ULL') : '';
      // Enumerators share the typedef namespace: a repeated one is `NAME___2` (btf_dump_emit_enum32_val).
      const n = this.dups(this.identNames, v.name);
      s += `\n${pfx(lvl + 1)}${v.name}${n > 1 ? `___${n}` : ''} = ${v.value}${suffix},`;
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
    let s = `${structKw(t)}${t.name ? ' ' + this.typeName(t.id) : ''} {`;
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
    // A newline before the brace only when something was printed: members or padding (`struct {}`).
    s += t.members!.length || t.sizeOrType ? `\n${pfx(lvl)}}` : '}';
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

  /** A C declaration of `name` with type `id`, spaced as btf_dump_emit_type_decl does: the chain of
   *  pointers, qualifiers, arrays and prototypes down to a base type, printed from the base outwards
   *  (`const char * const *p`, `int * (*f)(void)`). */
  decl(id: number, name: string, lvl: number): string {
    const stack: number[] = [];
    for (;;) {
      this.tick(id);
      stack.push(id);
      if (id === 0 || stack.length > MAX_DEPTH) break;
      const t = this.btf.types[id];
      if (!t) break;
      if (t.kind === BtfKind.PTR || t.kind === BtfKind.VOLATILE || t.kind === BtfKind.CONST || t.kind === BtfKind.RESTRICT || t.kind === BtfKind.FUNC_PROTO || t.kind === BtfKind.TYPE_TAG) id = t.sizeOrType;
      else if (t.kind === BtfKind.ARRAY) id = t.elemType!;
      else break;
    }
    return this.chain(stack, name, lvl);
  }

  /** btf_dump_emit_type_chain: pops the declaration stack (base type last pushed, printed first). */
  private chain(stack: number[], fname: string, lvl: number): string {
    let s = '';
    // Whether the previous token was `*`: `int **p`, not `int * * p`; defaults true so a lone
    // pointer to a prototype prints `(*f)`.
    let lastWasPtr = true;
    const mods = () => {
      while (stack.length) {
        const m = this.btf.types[stack[stack.length - 1]!];
        if (m?.kind === BtfKind.VOLATILE) s += 'volatile ';
        else if (m?.kind === BtfKind.CONST) s += 'const ';
        else if (m?.kind === BtfKind.RESTRICT) s += 'restrict ';
        else return;
        stack.pop();
      }
    };
    const dropMods = () => {
      while (stack.length) {
        const k = this.btf.types[stack[stack.length - 1]!]?.kind;
        if (k !== BtfKind.VOLATILE && k !== BtfKind.CONST && k !== BtfKind.RESTRICT && k !== BtfKind.TYPE_TAG) return;
        stack.pop();
      }
    };
    const withName = (ptr: boolean) => (fname && !ptr ? ' ' : '') + fname;
    while (stack.length) {
      const id = stack.pop()!;
      if (id === 0) {
        mods();
        s += 'void';
        lastWasPtr = false;
        continue;
      }
      const t = this.btf.types[id]!;
      switch (t.kind) {
        case BtfKind.INT:
        case BtfKind.FLOAT:
          mods();
          s += t.name;
          break;
        case BtfKind.STRUCT:
        case BtfKind.UNION:
          mods();
          s += t.name ? `${structKw(t)} ${this.typeName(id)}` : this.structDef(t, lvl);
          break;
        case BtfKind.ENUM:
        case BtfKind.ENUM64:
          mods();
          s += t.name ? `enum ${this.typeName(id)}` : this.enumDef(t, lvl);
          break;
        case BtfKind.FWD:
          mods();
          s += `${t.kindFlag ? 'union' : 'struct'} ${t.name}`;
          break;
        case BtfKind.TYPEDEF:
          mods();
          s += this.identName(id);
          break;
        case BtfKind.PTR:
          s += lastWasPtr ? '*' : ' *';
          break;
        case BtfKind.VOLATILE:
          s += ' volatile';
          break;
        case BtfKind.CONST:
          s += ' const';
          break;
        case BtfKind.RESTRICT:
          s += ' restrict';
          break;
        case BtfKind.TYPE_TAG:
          mods();
          s += ` __attribute__((btf_type_tag("${t.name}")))`;
          break;
        case BtfKind.ARRAY: {
          // Qualifiers on an array (a GCC quirk) mean nothing in C: dropped, as btf_dump does.
          dropMods();
          if (!stack.length) return s + withName(lastWasPtr) + `[${t.nelems}]`;
          const multidim = this.btf.types[stack[stack.length - 1]!]?.kind === BtfKind.ARRAY;
          if (fname && !lastWasPtr) s += ' ';
          const inner = this.chain(stack, fname, lvl);
          return s + (multidim ? inner : `(${inner})`) + `[${t.nelems}]`;
        }
        case BtfKind.FUNC_PROTO: {
          dropMods();
          s += stack.length ? ` (${this.chain(stack, fname, lvl)})` : withName(lastWasPtr);
          const ps = t.params!;
          // No parameters, or clang's single void one, is `(void)`; a trailing void one is `...`.
          if (ps.length === 0 || (ps.length === 1 && ps[0]!.type === 0)) return s + '(void)';
          const parts: string[] = [];
          for (let i = 0; i < ps.length; i++) {
            if (i === ps.length - 1 && ps[i]!.type === 0) {
              parts.push('...');
              break;
            }
            parts.push(this.decl(ps[i]!.type, ps[i]!.name, lvl));
          }
          return s + `(${parts.join(', ')})`;
        }
        default:
          return s + withName(lastWasPtr);
      }
      lastWasPtr = t.kind === BtfKind.PTR;
    }
    return s + withName(lastWasPtr);
  }

  private typeNames = new Map<string, number>();
  private identNames = new Map<string, number>();
  private resolved = new Map<number, string>();

  /** btf_dump_name_dups: the n-th use of a name in its namespace. */
  private dups(map: Map<string, number>, name: string): number {
    const n = (map.get(name) ?? 0) + 1;
    map.set(name, n);
    return n;
  }

  /** btf_dump_resolve_name: the second type of a name (in print order) becomes `name___2`, etc.
   *  Forward declarations and empty enums keep their name (they declare the same type). */
  private resolveName(id: number, map: Map<string, number>): string {
    const t = this.btf.types[id]!;
    if (!t.name) return '';
    const cached = this.resolved.get(id);
    if (cached !== undefined) return cached;
    let name = t.name;
    if (!(t.kind === BtfKind.FWD || (t.kind === BtfKind.ENUM && t.values!.length === 0))) {
      const n = this.dups(map, t.name);
      if (n > 1) name = `${t.name}___${n}`;
    }
    this.resolved.set(id, name);
    return name;
  }

  private typeName(id: number): string {
    return this.resolveName(id, this.typeNames);
  }

  private identName(id: number): string {
    return this.resolveName(id, this.identNames);
  }
}

function structKw(t: BtfType): string {
  return t.kind === BtfKind.UNION ? 'union' : 'struct';
}

function pfx(lvl: number): string {
  // btf_dump's indentation stops growing at 13 tabs.
  return '\t'.repeat(Math.min(lvl, 13));
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


/** The whole BTF as C, like `bpftool btf dump file x.o format c`. */
export function formatBtfC(btf: Btf): string {
  return new CPrinter(btf).dumpAll();
}

/** One type's C declaration (`struct foo`, `int (*)(void *)`), for messages and inspect. */
export function formatTypeDecl(btf: Btf, id: number, name = ''): string {
  return new CPrinter(btf).decl(id, name, 0);
}
