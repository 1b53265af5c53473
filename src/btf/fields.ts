// Special fields of BTF types (the kernel's btf_parse_fields / btf_find_field and
// btf_parse_struct_metas, kernel/bpf/btf.c): where a map value, a global-data section or a
// program-allocated struct keeps its bpf_spin_lock, graph roots (bpf_list_head / bpf_rb_root with
// their `contains:T:field` decl tag), graph nodes, bpf_refcount and kptrs. The verifier reads
// these records (lock offsets, which node type a root holds, fields loads and stores may not
// touch); the run time can read the same records to free what a value still holds.
import { BtfKind, type Btf, type BtfType } from './btf.js';

export type FieldType = 'bpf_spin_lock' | 'bpf_timer' | 'bpf_wq' | 'kptr_untrusted' | 'kptr' | 'percpu_kptr' | 'bpf_list_head' | 'bpf_list_node' | 'bpf_rb_root' | 'bpf_rb_node' | 'bpf_refcount';

export interface BtfField {
  type: FieldType;
  offset: number;
  size: number;
  /** Graph roots: the struct the root holds and where its node field is. */
  graphRoot?: { valueTypeId: number; valueType: string; nodeOffset: number; nodeName: string };
  /** kptrs: the pointee struct, in the program's BTF (`local`) or the kernel's (by name). */
  kptr?: { typeId: number; typeName: string };
}

export interface BtfRecord {
  /** Sorted by offset. */
  fields: BtfField[];
  spinLockOffset?: number;
  refcountOffset?: number;
}

/** btf_field_type_size / _align. */
const SIZE: Record<FieldType, [size: number, align: number]> = {
  bpf_spin_lock: [4, 4],
  bpf_timer: [16, 8],
  bpf_wq: [16, 8],
  kptr_untrusted: [8, 8],
  kptr: [8, 8],
  percpu_kptr: [8, 8],
  bpf_list_head: [16, 8],
  bpf_list_node: [24, 8],
  bpf_rb_root: [16, 8],
  bpf_rb_node: [32, 8],
  bpf_refcount: [4, 4],
};

/** What a map value may hold (map_check_btf's mask) and what an allocated object may hold
 *  (btf_parse_struct_metas's). */
export const MAP_VALUE_FIELDS: readonly FieldType[] = ['bpf_spin_lock', 'bpf_timer', 'bpf_wq', 'kptr_untrusted', 'kptr', 'percpu_kptr', 'bpf_list_head', 'bpf_rb_root', 'bpf_refcount'];
export const ALLOC_OBJ_FIELDS: readonly FieldType[] = ['bpf_spin_lock', 'bpf_list_head', 'bpf_list_node', 'bpf_rb_root', 'bpf_rb_node', 'bpf_refcount', 'kptr_untrusted', 'kptr', 'percpu_kptr'];
const ONCE: ReadonlySet<FieldType> = new Set(['bpf_spin_lock', 'bpf_timer', 'bpf_wq', 'bpf_refcount']);
const NAMED: readonly FieldType[] = ['bpf_spin_lock', 'bpf_timer', 'bpf_wq', 'bpf_list_head', 'bpf_list_node', 'bpf_rb_root', 'bpf_rb_node', 'bpf_refcount'];
const MAX_DEPTH = 32;
/** The most special fields one record holds (include/linux/bpf.h). */
const BTF_FIELDS_MAX = 11;

/** A BTF layout the kernel would refuse (its errno-style reason). */
export class FieldError extends Error {}

interface Info {
  type: FieldType;
  off: number;
  /** Graph roots: value type id and node field name, from the decl tag. */
  root?: { id: number; node: string };
  kptr?: { typeId: number; typeName: string };
}

const isStruct = (t: BtfType): boolean => t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION;

/** The decl tag `key...` on (pt, compIdx): its value, undefined when absent; two are an error. */
function declTag(btf: Btf, pt: BtfType, compIdx: number, key: string): string | undefined {
  let found: string | undefined;
  for (const t of btf.types) {
    if (t.kind !== BtfKind.DECL_TAG || t.sizeOrType !== pt.id || (t.componentIdx ?? -1) !== compIdx || !t.name.startsWith(key)) continue;
    if (found !== undefined) throw new FieldError(`two ${key} tags`);
    found = t.name.slice(key.length);
  }
  return found;
}

function fieldOne(btf: Btf, pt: BtfType, varType: BtfType, compIdx: number, off: number, expectedSize: number, mask: ReadonlySet<FieldType>, seen: Set<FieldType>, depth: number): Info[] {
  let nelems = 1;
  let t = varType;
  for (let i = 0; t.kind === BtfKind.ARRAY; i++) {
    if (i >= MAX_DEPTH) throw new FieldError('array nesting too deep');
    nelems *= t.nelems ?? 0;
    t = btf.type(t.elemType!);
  }
  if (nelems === 0) return [];
  let type: FieldType | undefined = NAMED.find((n) => mask.has(n) && t.name === n && isStruct(t));
  if (type && ONCE.has(type)) {
    if (seen.has(type)) throw new FieldError(`two ${type} fields`);
    seen.add(type);
  }
  if (!type && isStruct(t)) {
    // Special fields of a nested struct (btf_find_nested_struct), repeated per array element.
    const size = btf.sizeof(t.id);
    if (expectedSize && expectedSize !== size * nelems) return [];
    if (depth + 1 >= MAX_DEPTH) throw new FieldError('struct nesting too deep');
    const inner = structFields(btf, t, mask, seen, depth + 1).map((f) => ({ ...f, off: f.off + off }));
    if (nelems > 1 && inner.length) {
      if (inner.some((f) => !['kptr_untrusted', 'kptr', 'percpu_kptr', 'bpf_list_head', 'bpf_rb_root'].includes(f.type))) throw new FieldError('repeated field of a kind that cannot repeat');
      return repeat(inner, nelems, size);
    }
    return inner;
  }
  let kptr: Info['kptr'];
  if (!type) {
    // Only a pointer with a kptr type tag is a kptr (btf_find_kptr).
    if (t.kind !== BtfKind.PTR || !(mask.has('kptr') || mask.has('kptr_untrusted') || mask.has('percpu_kptr'))) return [];
    const tag = btf.type(t.sizeOrType);
    if (tag.kind !== BtfKind.TYPE_TAG) return [];
    const k: FieldType | undefined = tag.name === 'kptr' ? 'kptr' : tag.name === 'kptr_untrusted' ? 'kptr_untrusted' : tag.name === 'percpu_kptr' ? 'percpu_kptr' : undefined;
    if (!k) return [];
    const target = btf.resolve(tag.sizeOrType);
    if (!isStruct(target)) throw new FieldError('kptr to a non-struct');
    type = k;
    kptr = { typeId: target.id, typeName: target.name };
  }
  const [size, align] = SIZE[type];
  if (expectedSize && expectedSize !== size * nelems) return [];
  if (off % align) return [];
  const info: Info = { type, off };
  if (kptr) info.kptr = kptr;
  if (type === 'bpf_list_head' || type === 'bpf_rb_root') {
    if (btf.sizeof(t.id) !== size) return [];
    const tag = declTag(btf, pt, compIdx, 'contains:');
    if (tag === undefined) throw new FieldError(`${type} without a contains: tag`);
    const colon = tag.indexOf(':');
    if (colon < 0 || colon === tag.length - 1) throw new FieldError(`malformed contains: tag '${tag}'`);
    const value = btf.find(tag.slice(0, colon), BtfKind.STRUCT)[0];
    if (!value) throw new FieldError(`contains: names struct ${tag.slice(0, colon)}, which the BTF does not have`);
    info.root = { id: value.id, node: tag.slice(colon + 1) };
  }
  return nelems > 1 ? repeat([info], nelems, size) : [info];
}

function repeat(infos: Info[], n: number, elemSize: number): Info[] {
  const out: Info[] = [];
  for (let i = 0; i < n; i++) for (const f of infos) out.push({ ...f, off: f.off + i * elemSize });
  return out;
}

function structFields(btf: Btf, t: BtfType, mask: ReadonlySet<FieldType>, seen: Set<FieldType>, depth: number): Info[] {
  const out: Info[] = [];
  (t.members ?? []).forEach((m, i) => {
    if (m.bitOffset % 8) throw new FieldError('member at a bit offset');
    out.push(...fieldOne(btf, t, btf.type(m.type), i, m.bitOffset / 8, 0, mask, seen, depth));
  });
  return out;
}

/** btf_parse_fields: the special fields of struct or DATASEC `typeId` among `mask`, undefined
 *  when it has none; a FieldError when the kernel would refuse the layout. */
export function parseFields(btf: Btf, typeId: number, mask: readonly FieldType[], valueSize: number): BtfRecord | undefined {
  const t = btf.type(typeId);
  const m = new Set(mask);
  const seen = new Set<FieldType>();
  let infos: Info[];
  if (isStruct(t)) infos = structFields(btf, t, m, seen, 0);
  else if (t.kind === BtfKind.DATASEC) {
    infos = [];
    for (const v of t.vars ?? []) {
      const vt = btf.type(v.type);
      infos.push(...fieldOne(btf, vt, btf.type(vt.sizeOrType), -1, v.offset, v.size, m, seen, 0));
    }
  } else throw new FieldError('not a struct or a section');
  if (!infos.length) return undefined;
  // btf_find_field fills an array of BTF_FIELDS_MAX infos: one more field is -E2BIG.
  if (infos.length > BTF_FIELDS_MAX) throw new FieldError(`${infos.length} special fields, more than BTF_FIELDS_MAX (${BTF_FIELDS_MAX})`);
  const rec: BtfRecord = { fields: [] };
  let next = 0;
  for (const f of infos) {
    const [size] = SIZE[f.type];
    if (f.off + size > valueSize) throw new FieldError(`${f.type} at ${f.off} runs past the value (${valueSize} bytes)`);
    if (f.off < next) throw new FieldError(`${f.type} at ${f.off} overlaps the previous field`);
    next = f.off + size;
    const field: BtfField = { type: f.type, offset: f.off, size };
    if (f.kptr) field.kptr = f.kptr;
    if (f.type === 'bpf_spin_lock') rec.spinLockOffset = f.off;
    if (f.type === 'bpf_refcount') rec.refcountOffset = f.off;
    if (f.root) field.graphRoot = graphRoot(btf, f.root.id, f.root.node, f.type === 'bpf_list_head' ? 'bpf_list_node' : 'bpf_rb_node');
    rec.fields.push(field);
  }
  const has = (x: FieldType) => rec.fields.some((f) => f.type === x);
  if ((has('bpf_list_head') || has('bpf_rb_root')) && rec.spinLockOffset === undefined) throw new FieldError('a graph root needs a bpf_spin_lock beside it');
  if (rec.refcountOffset === undefined && has('bpf_list_node') && has('bpf_rb_node')) throw new FieldError('a list node and an rbtree node need a bpf_refcount');
  rec.fields.sort((a, b) => a.offset - b.offset);
  return rec;
}

/** btf_parse_graph_root: the node field of the value type, by name, of the node's type. */
function graphRoot(btf: Btf, valueId: number, nodeName: string, nodeType: 'bpf_list_node' | 'bpf_rb_node'): NonNullable<BtfField['graphRoot']> {
  const t = btf.type(valueId);
  let found: NonNullable<BtfField['graphRoot']> | undefined;
  for (const m of t.members ?? []) {
    if (m.name !== nodeName) continue;
    if (found) throw new FieldError(`two members named ${nodeName}`);
    const n = btf.type(m.type);
    if (!isStruct(n) || n.name !== nodeType) throw new FieldError(`${t.name}.${nodeName} is not a struct ${nodeType}`);
    if (m.bitOffset % 64) throw new FieldError(`${t.name}.${nodeName} is misaligned`);
    found = { valueTypeId: valueId, valueType: t.name, nodeOffset: m.bitOffset / 8, nodeName };
  }
  if (!found) throw new FieldError(`${t.name} has no member ${nodeName}`);
  return found;
}

/** The map-value record of a map's value type: undefined without special fields and, as the
 *  kernel's map_check_btf keeps an error record that has no fields, when parsing fails. */
export function mapValueRecord(btf: Btf, valueTypeId: number, valueSize: number): BtfRecord | undefined {
  try {
    return parseFields(btf, valueTypeId, MAP_VALUE_FIELDS, valueSize);
  } catch (e) {
    if (e instanceof FieldError) return undefined;
    throw e;
  }
}

const ALLOC_NAMES = new Set(['bpf_spin_lock', 'bpf_list_head', 'bpf_list_node', 'bpf_rb_root', 'bpf_rb_node', 'bpf_refcount']);

/** btf_parse_struct_metas: the record of every struct of a program's BTF with a special field
 *  among its direct members (what bpf_obj_new objects carry). A struct whose layout the kernel
 *  refuses makes the whole BTF fail to load: a FieldError naming it. */
export function structMetas(btf: Btf): Map<number, BtfRecord> {
  const out = new Map<number, BtfRecord>();
  for (const t of btf.types) {
    if (t.kind !== BtfKind.STRUCT) continue;
    const special = (t.members ?? []).some((m) => {
      let mt = btf.type(m.type);
      while (mt.kind === BtfKind.ARRAY) mt = btf.type(mt.elemType!);
      if (isStruct(mt)) return ALLOC_NAMES.has(mt.name);
      // A kptr member (a pointer to a kptr type tag): an object may hold referenced kptrs too
      // (task kptrs stashed in a bpf_obj_new object, 6.18).
      if (mt.kind !== BtfKind.PTR) return false;
      const tag = btf.type(mt.sizeOrType);
      return tag.kind === BtfKind.TYPE_TAG && (tag.name === 'kptr' || tag.name === 'percpu_kptr');
    });
    if (!special) continue;
    let rec: BtfRecord | undefined;
    try {
      rec = parseFields(btf, t.id, ALLOC_OBJ_FIELDS, btf.sizeof(t.id));
    } catch (e) {
      if (e instanceof FieldError) throw new FieldError(`struct ${t.name}: ${e.message}`);
      throw e;
    }
    if (rec) out.set(t.id, rec);
  }
  return out;
}
