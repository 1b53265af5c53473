// BTF encoding: the inverse of parseBtf. The built-in kernel BTF is built as BtfType records and
// written with this, so `btf dump --builtin` can emit a real `.btf` blob that bpftool, libbpf and
// our own parser read, and so the runtime parses the very bytes it exports (one source of truth).
import { BtfError } from '../errors.js';
import { BTF_MAGIC, BtfKind, type BtfType } from './btf.js';

/** Append-only string section with de-duplication; offset 0 is the empty string. */
class StringTable {
  private readonly offsets = new Map<string, number>([['', 0]]);
  private readonly chunks: Uint8Array[] = [new Uint8Array([0])];
  private size = 1;
  add(s: string): number {
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    const bytes = new TextEncoder().encode(s + '\0');
    const off = this.size;
    this.chunks.push(bytes);
    this.size += bytes.length;
    this.offsets.set(s, off);
    return off;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** Bytes a type record takes after its 12-byte header. */
function extraSize(t: Omit<BtfType, 'id'>): number {
  switch (t.kind) {
    case BtfKind.INT:
    case BtfKind.VAR:
    case BtfKind.DECL_TAG:
      return 4;
    case BtfKind.ARRAY:
      return 12;
    case BtfKind.STRUCT:
    case BtfKind.UNION:
      return 12 * (t.members?.length ?? 0);
    case BtfKind.ENUM:
      return 8 * (t.values?.length ?? 0);
    case BtfKind.ENUM64:
      return 12 * (t.values?.length ?? 0);
    case BtfKind.FUNC_PROTO:
      return 8 * (t.params?.length ?? 0);
    case BtfKind.DATASEC:
      return 12 * (t.vars?.length ?? 0);
    default:
      return 0;
  }
}

/** vlen as the header stores it: the member/value/param count, or the linkage of a FUNC. */
function vlenOf(t: Omit<BtfType, 'id'>): number {
  switch (t.kind) {
    case BtfKind.STRUCT:
    case BtfKind.UNION:
      return t.members!.length;
    case BtfKind.ENUM:
    case BtfKind.ENUM64:
      return t.values!.length;
    case BtfKind.FUNC_PROTO:
      return t.params!.length;
    case BtfKind.DATASEC:
      return t.vars!.length;
    case BtfKind.FUNC:
      return t.linkage ?? t.vlen;
    default:
      return 0;
  }
}

/**
 * Encode types (without the implicit void at id 0) as a little-endian BTF blob. Member offsets
 * use kind_flag encoding (bitfield size in the top byte) when any member is a bitfield, as clang
 * does.
 */
export function encodeBtf(types: readonly Omit<BtfType, 'id'>[]): Uint8Array {
  const strings = new StringTable();
  let typeLen = 0;
  for (const t of types) typeLen += 12 + extraSize(t);
  const typeBuf = new Uint8Array(typeLen);
  const dv = new DataView(typeBuf.buffer);
  let o = 0;
  const u32 = (v: number) => {
    dv.setUint32(o, v >>> 0, true);
    o += 4;
  };
  types.forEach((t, i) => {
    const where = `.BTF type [${i + 1}] ${t.name}`;
    const vlen = vlenOf(t);
    if (vlen > 0xffff) throw new BtfError(`too many members (${vlen})`, where);
    let kindFlag = t.kindFlag;
    if (t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) kindFlag = t.members!.some((m) => m.bitfieldSize > 0);
    u32(strings.add(t.name));
    u32(((kindFlag ? 1 : 0) << 31) | ((t.kind & 0x1f) << 24) | vlen);
    u32(t.sizeOrType);
    switch (t.kind) {
      case BtfKind.INT:
        u32(((t.intEncoding ?? 0) << 24) | ((t.intOffset ?? 0) << 16) | (t.intBits ?? t.sizeOrType * 8));
        break;
      case BtfKind.ARRAY:
        u32(t.elemType!);
        u32(t.indexType!);
        u32(t.nelems!);
        break;
      case BtfKind.STRUCT:
      case BtfKind.UNION:
        for (const m of t.members!) {
          u32(strings.add(m.name));
          u32(m.type);
          if (kindFlag) {
            if (m.bitOffset > 0xffffff) throw new BtfError(`member ${m.name} offset too large for a bitfield struct`, where);
            u32((m.bitfieldSize << 24) | m.bitOffset);
          } else u32(m.bitOffset);
        }
        break;
      case BtfKind.ENUM:
        for (const v of t.values!) {
          u32(strings.add(v.name));
          u32(Number(BigInt.asUintN(32, v.value)));
        }
        break;
      case BtfKind.ENUM64:
        for (const v of t.values!) {
          const u = BigInt.asUintN(64, v.value);
          u32(strings.add(v.name));
          u32(Number(u & 0xffffffffn));
          u32(Number(u >> 32n));
        }
        break;
      case BtfKind.FUNC_PROTO:
        for (const p of t.params!) {
          u32(strings.add(p.name));
          u32(p.type);
        }
        break;
      case BtfKind.VAR:
        u32(t.linkage ?? 0);
        break;
      case BtfKind.DATASEC:
        for (const v of t.vars!) {
          u32(v.type);
          u32(v.offset);
          u32(v.size);
        }
        break;
      case BtfKind.DECL_TAG:
        u32(t.componentIdx ?? -1);
        break;
    }
  });
  const str = strings.bytes();
  const hdrLen = 24;
  const out = new Uint8Array(hdrLen + typeLen + str.length);
  const h = new DataView(out.buffer);
  h.setUint16(0, BTF_MAGIC, true);
  h.setUint8(2, 1); // version
  h.setUint8(3, 0); // flags
  h.setUint32(4, hdrLen, true);
  h.setUint32(8, 0, true); // type_off
  h.setUint32(12, typeLen, true);
  h.setUint32(16, typeLen, true); // str_off
  h.setUint32(20, str.length, true);
  out.set(typeBuf, hdrLen);
  out.set(str, hdrLen + typeLen);
  return out;
}
