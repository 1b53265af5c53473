// BTF as `bpftool btf dump file x.o` (format raw) prints it: one line per type, members indented.
import { Btf, BtfKind, KIND_NAMES, type BtfType } from './btf.js';

const q = (s: string) => `'${s || '(anon)'}'`;
const LINKAGE = ['static', 'global', 'extern'];

function intEncoding(enc: number): string {
  switch (enc) {
    case 0:
      return '(none)';
    case 1:
      return 'SIGNED';
    case 2:
      return 'CHAR';
    case 4:
      return 'BOOL';
    default:
      return 'UNKN';
  }
}

function line(btf: Btf, t: BtfType): string {
  const head = `[${t.id}] ${KIND_NAMES[t.kind]} ${q(t.name)}`;
  switch (t.kind) {
    case BtfKind.INT:
      return `${head} size=${t.sizeOrType} bits_offset=${t.intOffset} nr_bits=${t.intBits} encoding=${intEncoding(t.intEncoding!)}`;
    case BtfKind.PTR:
    case BtfKind.TYPEDEF:
    case BtfKind.VOLATILE:
    case BtfKind.CONST:
    case BtfKind.RESTRICT:
    case BtfKind.TYPE_TAG:
      return `${head} type_id=${t.sizeOrType}`;
    case BtfKind.ARRAY:
      return `${head} type_id=${t.elemType} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
    case BtfKind.STRUCT:
    case BtfKind.UNION:
      return `${head} size=${t.sizeOrType} vlen=${t.vlen}` + t.members!.map((m) => `\n\t${q(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}${m.bitfieldSize ? ` bitfield_size=${m.bitfieldSize}` : ''}`).join('');
    case BtfKind.ENUM:
    case BtfKind.ENUM64: {
      const sfx = t.kind === BtfKind.ENUM64 ? (t.kindFlag ? 'LL' : 'ULL') : '';
      return `${head} encoding=${t.kindFlag ? 'SIGNED' : 'UNSIGNED'} size=${t.sizeOrType} vlen=${t.vlen}` + t.values!.map((v) => `\n\t${q(v.name)} val=${v.value}${sfx}`).join('');
    }
    case BtfKind.FWD:
      return `${head} fwd_kind=${t.kindFlag ? 'union' : 'struct'}`;
    case BtfKind.FUNC:
      return `${head} type_id=${t.sizeOrType} linkage=${LINKAGE[t.linkage!] ?? t.linkage}`;
    case BtfKind.FUNC_PROTO:
      return `${head} ret_type_id=${t.sizeOrType} vlen=${t.vlen}` + t.params!.map((p) => `\n\t${q(p.name)} type_id=${p.type}`).join('');
    case BtfKind.VAR:
      return `${head} type_id=${t.sizeOrType}, linkage=${t.linkage === 1 ? 'global' : t.linkage === 0 ? 'static' : 'extern'}`;
    case BtfKind.DATASEC:
      return `${head} size=${t.sizeOrType} vlen=${t.vlen}` + t.vars!.map((v) => `\n\ttype_id=${v.type} offset=${v.offset} size=${v.size} (${KIND_NAMES[btf.types[v.type]?.kind ?? 0]} ${q(btf.types[v.type]?.name ?? '')})`).join('');
    case BtfKind.FLOAT:
      return `${head} size=${t.sizeOrType}`;
    case BtfKind.DECL_TAG:
      return `${head} type_id=${t.sizeOrType} component_idx=${t.componentIdx}`;
    default:
      return head;
  }
}

/** The whole BTF in bpftool's raw format. */
export function formatBtfRaw(btf: Btf): string {
  return btf.types.slice(1).map((t) => line(btf, t) + '\n').join('');
}
