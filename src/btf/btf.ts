// BTF: the type information clang emits into `.BTF`. Parsing is strict (every offset and index is
// checked against the blob, every referenced type id against the table) so a corrupt blob becomes a
// BtfError naming the type at fault. Layout questions (size, alignment, member offsets, bitfields)
// are answered here for the map, global-data and CO-RE code.
import { BtfError, describeValue } from '../errors.js';

export const BTF_MAGIC = 0xeb9f;

export const BtfKind = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;
export type BtfKind = (typeof BtfKind)[keyof typeof BtfKind];

export const KIND_NAMES = ['UNKN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE', 'CONST', 'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64'] as const;

/** INT encoding bits. */
export const IntEnc = { SIGNED: 1, CHAR: 2, BOOL: 4 } as const;
/** FUNC linkage / VAR linkage. */
export const Linkage = { STATIC: 0, GLOBAL: 1, EXTERN: 2 } as const;

export interface BtfMember {
  name: string;
  type: number;
  /** Offset from the start of the struct, in bits. */
  bitOffset: number;
  /** Bitfield width in bits; 0 when the member is not a bitfield. */
  bitfieldSize: number;
}
export interface BtfEnumValue {
  name: string;
  value: bigint;
}
export interface BtfParam {
  name: string;
  type: number;
}
export interface BtfVarSecinfo {
  type: number;
  offset: number;
  size: number;
}

/** One decoded type. Fields beyond id/kind/name are filled per kind. */
export interface BtfType {
  id: number;
  kind: BtfKind;
  name: string;
  kindFlag: boolean;
  vlen: number;
  /** size for INT/STRUCT/UNION/ENUM/ENUM64/DATASEC/FLOAT; referenced type id otherwise. */
  sizeOrType: number;
  // INT
  intEncoding?: number;
  intOffset?: number;
  intBits?: number;
  // ARRAY
  elemType?: number;
  indexType?: number;
  nelems?: number;
  // STRUCT/UNION
  members?: BtfMember[];
  // ENUM/ENUM64
  values?: BtfEnumValue[];
  // FUNC_PROTO
  params?: BtfParam[];
  // VAR (linkage), FUNC (linkage = vlen)
  linkage?: number;
  // DATASEC
  vars?: BtfVarSecinfo[];
  // DECL_TAG
  componentIdx?: number;
}

/** Kinds whose third word is a size rather than a type reference. */
function hasSize(kind: number): boolean {
  return kind === BtfKind.INT || kind === BtfKind.STRUCT || kind === BtfKind.UNION || kind === BtfKind.ENUM || kind === BtfKind.ENUM64 || kind === BtfKind.DATASEC || kind === BtfKind.FLOAT;
}

/** The types `t` refers to: its target, members, element and index, parameters and return, or
 *  variables (none for an INT, ENUM, FLOAT or FWD). */
export function typeRefs(t: BtfType): number[] {
  switch (t.kind) {
    case BtfKind.ARRAY:
      return [t.elemType!, t.indexType!];
    case BtfKind.STRUCT:
    case BtfKind.UNION:
      return t.members!.map((m) => m.type);
    case BtfKind.FUNC_PROTO:
      return [t.sizeOrType, ...t.params!.map((p) => p.type)];
    case BtfKind.DATASEC:
      return t.vars!.map((v) => v.type);
    case BtfKind.FWD:
      return [];
    default:
      return hasSize(t.kind) ? [] : [t.sizeOrType];
  }
}

/** Upper bound on types: a blob cannot hold more than one type per 12 bytes, this guards loops. */
const MAX_RESOLVE_DEPTH = 64;

export class Btf {
  /** types[0] is the implicit `void`. */
  readonly types: BtfType[] = [{ id: 0, kind: BtfKind.UNKN, name: '', kindFlag: false, vlen: 0, sizeOrType: 0 }];
  readonly strings: Uint8Array;
  private byName?: Map<string, number[]>;

  constructor(readonly bytes: Uint8Array) {
    const where = '.BTF';
    if (bytes.length < 24) throw new BtfError(`header truncated (${bytes.length} bytes)`, where);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magic = dv.getUint16(0, true);
    if (magic === 0x9feb) throw new BtfError('big-endian BTF is not supported', where);
    if (magic !== BTF_MAGIC) throw new BtfError(`bad magic 0x${magic.toString(16)}`, where);
    const version = dv.getUint8(2);
    if (version !== 1) throw new BtfError(`unsupported version ${version}`, where);
    const hdrLen = dv.getUint32(4, true);
    if (hdrLen < 24 || hdrLen > bytes.length) throw new BtfError(`header length ${hdrLen} is out of range`, where);
    const typeOff = dv.getUint32(8, true);
    const typeLen = dv.getUint32(12, true);
    const strOff = dv.getUint32(16, true);
    const strLen = dv.getUint32(20, true);
    const typeStart = hdrLen + typeOff;
    const strStart = hdrLen + strOff;
    if (typeStart + typeLen > bytes.length) throw new BtfError(`type section (offset ${typeOff}, ${typeLen} bytes) runs past the end (${bytes.length} bytes)`, where);
    if (strStart + strLen > bytes.length) throw new BtfError(`string section (offset ${strOff}, ${strLen} bytes) runs past the end (${bytes.length} bytes)`, where);
    if (typeLen % 4 !== 0) throw new BtfError(`type section length ${typeLen} is not a multiple of 4`, where);
    if (strLen > 0 && bytes[strStart + strLen - 1] !== 0) throw new BtfError('string section is not NUL-terminated', where);
    if (strLen > 0 && bytes[strStart] !== 0) throw new BtfError('string section does not start with an empty string', where);
    this.strings = bytes.subarray(strStart, strStart + strLen);
    this.parseTypes(dv, typeStart, typeStart + typeLen);
    this.validate();
  }

  /** String at `off` in the string section (BTF and BTF.ext share it). */
  str(off: number, where = '.BTF'): string {
    if (off >= this.strings.length) {
      if (off === 0) return '';
      throw new BtfError(`string offset ${off} is outside the string section (${this.strings.length} bytes)`, where);
    }
    let end = off;
    while (this.strings[end] !== 0) end++;
    let s = '';
    for (let i = off; i < end; i++) s += String.fromCharCode(this.strings[i]!);
    return s;
  }

  private parseTypes(dv: DataView, start: number, end: number): void {
    let o = start;
    const need = (n: number, id: number) => {
      if (o + n > end) throw new BtfError(`record runs past the end of the type section`, `.BTF type [${id}]`);
    };
    while (o < end) {
      const id = this.types.length;
      need(12, id);
      const nameOff = dv.getUint32(o, true);
      const info = dv.getUint32(o + 4, true);
      const sizeOrType = dv.getUint32(o + 8, true);
      o += 12;
      const kind = ((info >>> 24) & 0x1f) as BtfKind;
      const vlen = info & 0xffff;
      const kindFlag = (info >>> 31) === 1;
      const where = `.BTF type [${id}]`;
      const t: BtfType = { id, kind, name: this.str(nameOff, where), kindFlag, vlen, sizeOrType };
      switch (kind) {
        case BtfKind.INT: {
          need(4, id);
          const v = dv.getUint32(o, true);
          o += 4;
          t.intEncoding = (v >>> 24) & 0x0f;
          t.intOffset = (v >>> 16) & 0xff;
          t.intBits = v & 0xff;
          break;
        }
        case BtfKind.ARRAY:
          need(12, id);
          t.elemType = dv.getUint32(o, true);
          t.indexType = dv.getUint32(o + 4, true);
          t.nelems = dv.getUint32(o + 8, true);
          o += 12;
          break;
        case BtfKind.STRUCT:
        case BtfKind.UNION:
          need(12 * vlen, id);
          t.members = [];
          for (let i = 0; i < vlen; i++, o += 12) {
            const off = dv.getUint32(o + 8, true);
            t.members.push({
              name: this.str(dv.getUint32(o, true), where),
              type: dv.getUint32(o + 4, true),
              bitOffset: kindFlag ? off & 0xffffff : off,
              bitfieldSize: kindFlag ? off >>> 24 : 0,
            });
          }
          break;
        case BtfKind.ENUM:
          need(8 * vlen, id);
          t.values = [];
          for (let i = 0; i < vlen; i++, o += 8) {
            // kind_flag marks a signed enum; otherwise the 32-bit value is unsigned.
            const v = kindFlag ? BigInt(dv.getInt32(o + 4, true)) : BigInt(dv.getUint32(o + 4, true));
            t.values.push({ name: this.str(dv.getUint32(o, true), where), value: v });
          }
          break;
        case BtfKind.ENUM64:
          need(12 * vlen, id);
          t.values = [];
          for (let i = 0; i < vlen; i++, o += 12) {
            const lo = BigInt(dv.getUint32(o + 4, true));
            const hi = BigInt(dv.getUint32(o + 8, true));
            let v = (hi << 32n) | lo;
            if (kindFlag) v = BigInt.asIntN(64, v);
            t.values.push({ name: this.str(dv.getUint32(o, true), where), value: v });
          }
          break;
        case BtfKind.FUNC_PROTO:
          need(8 * vlen, id);
          t.params = [];
          for (let i = 0; i < vlen; i++, o += 8) t.params.push({ name: this.str(dv.getUint32(o, true), where), type: dv.getUint32(o + 4, true) });
          break;
        case BtfKind.VAR:
          need(4, id);
          t.linkage = dv.getUint32(o, true);
          o += 4;
          break;
        case BtfKind.DATASEC:
          need(12 * vlen, id);
          t.vars = [];
          for (let i = 0; i < vlen; i++, o += 12) t.vars.push({ type: dv.getUint32(o, true), offset: dv.getUint32(o + 4, true), size: dv.getUint32(o + 8, true) });
          break;
        case BtfKind.DECL_TAG:
          need(4, id);
          t.componentIdx = dv.getInt32(o, true);
          o += 4;
          break;
        case BtfKind.FUNC:
          t.linkage = vlen;
          break;
        case BtfKind.PTR:
        case BtfKind.FWD:
        case BtfKind.TYPEDEF:
        case BtfKind.VOLATILE:
        case BtfKind.CONST:
        case BtfKind.RESTRICT:
        case BtfKind.FLOAT:
        case BtfKind.TYPE_TAG:
          break;
        default:
          throw new BtfError(`unknown kind ${kind}`, where);
      }
      this.types.push(t);
    }
  }

  /** Every type reference must name an existing type; sizes must be sane. */
  private validate(): void {
    const n = this.types.length;
    const ref = (t: BtfType, id: number, what: string) => {
      if (id >= n) throw new BtfError(`${what} refers to type ${id}, but there are only ${n - 1} types`, `.BTF type [${t.id}] ${t.name}`);
    };
    for (const t of this.types) {
      if (t.id === 0) continue;
      if (!hasSize(t.kind) && t.kind !== BtfKind.FWD) ref(t, t.sizeOrType, 'type');
      t.members?.forEach((m) => ref(t, m.type, `member ${m.name}`));
      t.params?.forEach((p) => ref(t, p.type, `parameter ${p.name}`));
      t.vars?.forEach((v) => ref(t, v.type, 'datasec variable'));
      if (t.elemType !== undefined) ref(t, t.elemType, 'array element');
      if (t.indexType !== undefined) ref(t, t.indexType, 'array index');
      if (t.kind === BtfKind.INT && (t.intBits! > 128 || t.intBits! === 0)) throw new BtfError(`bad int width ${t.intBits}`, `.BTF type [${t.id}] ${t.name}`);
    }
    this.checkLoops();
  }

  /** A type may not contain itself except through a pointer (the kernel's btf_resolve: "Loop
   *  detected"). Every walker of types (sizes, the map codecs, the C printer, the verifier's
   *  field search) may then follow members, elements, modifiers and variables without a loop:
   *  a struct that holds itself twice by value made the codecs' walk exponential. */
  private checkLoops(): void {
    const n = this.types.length;
    // 0 unvisited, 1 on the current path, 2 done
    const state = new Uint8Array(n);
    const edges = (t: BtfType): number[] => (t.kind === BtfKind.PTR ? [] : typeRefs(t));
    const stack: { id: number; next: number[] }[] = [];
    for (let root = 1; root < n; root++) {
      if (state[root] !== 0) continue;
      state[root] = 1;
      stack.push({ id: root, next: edges(this.types[root]!) });
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const to = top.next.pop();
        if (to === undefined) {
          state[top.id] = 2;
          stack.pop();
        } else if (to !== 0 && state[to] === 1) {
          const path = stack.slice(stack.findIndex((f) => f.id === to)).map((f) => `[${f.id}]`);
          const t = this.types[to]!;
          throw new BtfError(`type loop: ${[...path, `[${to}]`].join(' -> ')} (a type contains itself other than through a pointer)`, `.BTF type [${to}]${t.name ? ` ${t.name}` : ''}`);
        } else if (to !== 0 && state[to] === 0) {
          state[to] = 1;
          stack.push({ id: to, next: edges(this.types[to]!) });
        }
      }
    }
  }

  /** Append a type (libbpf adds some at open, e.g. the `dummy_ksym` variable); returns its id. */
  addType(t: Omit<BtfType, 'id'>): number {
    const id = this.types.length;
    this.types.push({ ...t, id });
    this.byName = undefined;
    return id;
  }

  get count(): number {
    return this.types.length - 1;
  }

  type(id: number, where = '.BTF'): BtfType {
    const t = this.types[id];
    if (!t) throw new BtfError(`type id ${id} does not exist (${this.types.length - 1} types)`, where);
    return t;
  }

  /** Ids of types with this name (optionally of one kind). */
  find(name: string, kind?: BtfKind): BtfType[] {
    if (!this.byName) {
      this.byName = new Map();
      for (const t of this.types) if (t.name) (this.byName.get(t.name) ?? this.byName.set(t.name, []).get(t.name)!).push(t.id);
    }
    return (this.byName.get(name) ?? []).map((id) => this.types[id]!).filter((t) => kind === undefined || t.kind === kind);
  }

  /** Skip typedefs and cv/type-tag modifiers. */
  resolve(id: number): BtfType {
    let t = this.type(id);
    for (let depth = 0; ; depth++) {
      if (depth > MAX_RESOLVE_DEPTH) throw new BtfError('type reference loop', `.BTF type [${id}]`);
      if (t.kind === BtfKind.TYPEDEF || t.kind === BtfKind.VOLATILE || t.kind === BtfKind.CONST || t.kind === BtfKind.RESTRICT || t.kind === BtfKind.TYPE_TAG) {
        t = this.type(t.sizeOrType);
      } else return t;
    }
  }

  /** [offset, end) in bytes of a member of struct `struct`, by a dotted path into nested structs
   *  (`icsk_ack.pending`): where the kernel's offsetof/offsetofend put it in this BTF's layout.
   *  `where` names the BTF in the error. */
  memberRange(struct: string, path: string, where = '.BTF'): [number, number] {
    let t = this.find(struct, BtfKind.STRUCT)[0];
    if (!t) throw new BtfError(`no struct ${struct}`, where);
    let off = 0;
    for (const name of path.split('.')) {
      const m = t.members?.find((x) => x.name === name);
      if (!m) throw new BtfError(`struct ${struct} has no member ${path}`, where);
      off += m.bitOffset / 8;
      t = this.resolve(m.type);
    }
    return [off, off + this.sizeof(t.id)];
  }

  /** sizeof, like btf__resolve_size. */
  sizeof(id: number, depth = 0): number {
    if (depth > MAX_RESOLVE_DEPTH) throw new BtfError('type reference loop while computing a size', `.BTF type [${id}]`);
    const t = this.type(id);
    switch (t.kind) {
      case BtfKind.INT:
      case BtfKind.STRUCT:
      case BtfKind.UNION:
      case BtfKind.ENUM:
      case BtfKind.ENUM64:
      case BtfKind.DATASEC:
      case BtfKind.FLOAT:
        return t.sizeOrType;
      case BtfKind.PTR:
        return 8;
      case BtfKind.ARRAY: {
        const n = t.nelems! * this.sizeof(t.elemType!, depth + 1);
        if (n > 0xffffffff) throw new BtfError('array size overflows', `.BTF type [${id}]`);
        return n;
      }
      case BtfKind.TYPEDEF:
      case BtfKind.VOLATILE:
      case BtfKind.CONST:
      case BtfKind.RESTRICT:
      case BtfKind.TYPE_TAG:
      case BtfKind.VAR:
      case BtfKind.DECL_TAG: // as btf__resolve_size: the size of what is tagged
        return this.sizeof(t.sizeOrType, depth + 1);
      default:
        throw new BtfError(`type of kind ${KIND_NAMES[t.kind]} has no size`, `.BTF type [${id}] ${t.name}`);
    }
  }

  private alignCache = new Map<number, number>();
  private aligning = new Set<number>();

  /** alignof, like btf__align_of (memoized: corrupt BTF could otherwise make it exponential). */
  alignof(id: number, depth = 0): number {
    const known = this.alignCache.get(id);
    if (known !== undefined) return known;
    if (depth > MAX_RESOLVE_DEPTH || this.aligning.has(id)) throw new BtfError('type reference loop while computing alignment', `.BTF type [${id}]`);
    this.aligning.add(id);
    try {
      const a = this.alignofUncached(id, depth);
      this.alignCache.set(id, a);
      return a;
    } finally {
      this.aligning.delete(id);
    }
  }

  private alignofUncached(id: number, depth: number): number {
    const t = this.type(id);
    switch (t.kind) {
      case BtfKind.INT:
      case BtfKind.ENUM:
      case BtfKind.ENUM64:
      case BtfKind.FLOAT:
        return Math.min(8, Math.max(1, t.sizeOrType));
      case BtfKind.PTR:
        return 8;
      case BtfKind.ARRAY:
        return this.alignof(t.elemType!, depth + 1);
      case BtfKind.TYPEDEF:
      case BtfKind.VOLATILE:
      case BtfKind.CONST:
      case BtfKind.RESTRICT:
      case BtfKind.TYPE_TAG:
        return this.alignof(t.sizeOrType, depth + 1);
      case BtfKind.STRUCT:
      case BtfKind.UNION: {
        let a = 1;
        for (const m of t.members!) {
          // A member at an offset that is not a multiple of its natural alignment means packed.
          const ma = this.alignof(m.type, depth + 1);
          if (m.bitfieldSize === 0 && m.bitOffset % (8 * ma) !== 0) return 1;
          a = Math.max(a, ma);
        }
        if (t.sizeOrType % a !== 0) return 1;
        return a;
      }
      default:
        throw new BtfError(`type of kind ${KIND_NAMES[t.kind]} has no alignment`, `.BTF type [${id}] ${t.name}`);
    }
  }

  /** A readable name like `struct foo`, `unsigned int`, `u32 *`. */
  typeName(id: number, depth = 0): string {
    if (id === 0) return 'void';
    if (depth > MAX_RESOLVE_DEPTH) return '...';
    const t = this.type(id);
    switch (t.kind) {
      case BtfKind.STRUCT:
        return `struct ${t.name || '(anon)'}`;
      case BtfKind.UNION:
        return `union ${t.name || '(anon)'}`;
      case BtfKind.ENUM:
      case BtfKind.ENUM64:
        return `enum ${t.name || '(anon)'}`;
      case BtfKind.FWD:
        return `${t.kindFlag ? 'union' : 'struct'} ${t.name}`;
      case BtfKind.PTR:
        return `${this.typeName(t.sizeOrType, depth + 1)} *`;
      case BtfKind.ARRAY:
        return `${this.typeName(t.elemType!, depth + 1)}[${t.nelems}]`;
      case BtfKind.CONST:
        return `const ${this.typeName(t.sizeOrType, depth + 1)}`;
      case BtfKind.VOLATILE:
        return `volatile ${this.typeName(t.sizeOrType, depth + 1)}`;
      case BtfKind.RESTRICT:
        return `${this.typeName(t.sizeOrType, depth + 1)} restrict`;
      case BtfKind.TYPE_TAG:
        return `${this.typeName(t.sizeOrType, depth + 1)} __attribute__((btf_type_tag("${t.name}")))`;
      case BtfKind.FUNC_PROTO:
        return `${this.typeName(t.sizeOrType, depth + 1)} (*)(${t.params!.map((p) => (p.type === 0 ? '...' : this.typeName(p.type, depth + 1))).join(', ')})`;
      case BtfKind.VAR:
      case BtfKind.FUNC:
      case BtfKind.DATASEC:
        return t.name;
      default:
        return t.name;
    }
  }

  /** DATASEC by section name. */
  datasec(name: string): BtfType | undefined {
    return this.find(name, BtfKind.DATASEC)[0];
  }
}

export function parseBtf(bytes: Uint8Array): Btf {
  if (!(bytes instanceof Uint8Array)) throw new BtfError(`expected the BTF bytes as a Uint8Array, got ${describeValue(bytes)}`, '.BTF');
  try {
    return new Btf(bytes);
  } catch (e) {
    if (e instanceof BtfError) throw e;
    throw new BtfError(`malformed BTF: ${(e as Error)?.message ?? String(e)}`, '.BTF');
  }
}
