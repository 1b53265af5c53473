// The run time's view of a type's special fields (maps/graph.ts's GraphRecord): what
// src/btf/fields.ts parses the way the kernel does (btf_parse_fields: spin locks, graph roots with
// their `contains:T:field` tags, graph nodes, refcounts, kptrs; through nested structs, arrays and
// data sections), linked into records that point at the records of the types their roots hold and
// their kptrs point to. The loader attaches the record of each map value and data section to its
// MapSpec; bpf_obj_new takes the record of the local type id it is given.
import { BtfKind, type Btf } from './btf.js';
import { ALLOC_OBJ_FIELDS, FieldError, MAP_VALUE_FIELDS, parseFields, type BtfField, type FieldType } from './fields.js';
import type { GraphField, GraphFieldKind, GraphRecord } from '../../maps/graph.js';

/** fields.ts's field types the run time acts on (timers and workqueues are not graph fields). */
const KIND: Partial<Record<FieldType, GraphFieldKind>> = {
  bpf_spin_lock: 'spin_lock',
  bpf_rb_root: 'rb_root',
  bpf_list_head: 'list_head',
  bpf_rb_node: 'rb_node',
  bpf_list_node: 'list_node',
  bpf_refcount: 'refcount',
  kptr: 'kptr',
  kptr_untrusted: 'kptr',
  percpu_kptr: 'kptr',
};

/** Records of one BTF's program-allocated types, cached by type id (a record may refer to itself
 *  through a root or a kptr). */
export class GraphRecords {
  private readonly cache = new Map<number, GraphRecord>();

  constructor(private readonly btf: Btf) {}

  /** The record of struct `typeId` as bpf_obj_new allocates it, or a message saying why there is
   *  none (no such type, not a struct, a layout the kernel refuses). */
  record(typeId: number): GraphRecord | string {
    if (!Number.isInteger(typeId) || typeId <= 0 || typeId >= this.btf.types.length) return `type id ${typeId} does not exist in the program's BTF (${this.btf.types.length - 1} types)`;
    const t = this.btf.resolve(typeId);
    if (t.kind !== BtfKind.STRUCT) return `type id ${typeId} (${this.btf.typeName(typeId)}) is not a struct`;
    try {
      return this.build(t.id, ALLOC_OBJ_FIELDS);
    } catch (e) {
      if (e instanceof FieldError) return `struct ${t.name}: ${e.message}`;
      throw e;
    }
  }

  /** The record of a map value or data section (`MAP_VALUE_FIELDS`), FieldError when refused. */
  value(typeId: number): GraphRecord {
    return this.build(typeId, MAP_VALUE_FIELDS);
  }

  private build(id: number, mask: readonly FieldType[]): GraphRecord {
    const key = mask === MAP_VALUE_FIELDS ? -id : id;
    const known = this.cache.get(key);
    if (known) return known;
    const t = this.btf.type(id);
    const size = this.btf.sizeof(id);
    const rec: GraphRecord = { name: t.name || `(anon ${id})`, typeId: id, size, fields: [], byOffset: new Map(), refcountOff: -1 };
    this.cache.set(key, rec); // before the fields: a node type may hold a root of itself
    const parsed = parseFields(this.btf, id, mask, size);
    for (const f of parsed?.fields ?? []) {
      const g = this.field(f);
      if (!g) continue;
      rec.fields.push(g);
      rec.byOffset.set(g.offset, g);
      if (g.kind === 'refcount') rec.refcountOff = g.offset;
    }
    return rec;
  }

  private field(f: BtfField): GraphField | undefined {
    const kind = KIND[f.type];
    if (!kind) return undefined;
    const g: GraphField = { kind, offset: f.offset };
    if (f.graphRoot) g.contains = { record: this.build(f.graphRoot.valueTypeId, ALLOC_OBJ_FIELDS), nodeOffset: f.graphRoot.nodeOffset, nodeField: f.graphRoot.nodeName };
    if (f.kptr) {
      g.kptr = { tag: f.type, typeName: f.kptr.typeName };
      // The pointee's own record, so freeing the value drops the object and what it holds (a
      // kernel type gets an empty one: only objects this runtime allocated are ever freed).
      const target = this.btf.types[f.kptr.typeId];
      if (target?.kind === BtfKind.STRUCT) {
        try {
          g.kptr.record = this.build(target.id, ALLOC_OBJ_FIELDS);
        } catch (e) {
          if (!(e instanceof FieldError)) throw e;
        }
      }
    }
    return g;
  }
}

const byBtf = new WeakMap<Btf, GraphRecords>();

/** The records of one BTF (cached per BTF object). */
export function graphRecordsOf(btf: Btf): GraphRecords {
  let r = byBtf.get(btf);
  if (!r) byBtf.set(btf, (r = new GraphRecords(btf)));
  return r;
}

/** What a map value or data section of type `typeId` must be created with: its record when it
 *  holds graph roots or kptrs (undefined when it holds none); a layout the kernel refuses is an
 *  error message (the kernel's map_check_btf then keeps a record without fields). */
export function mapGraphRecord(btf: Btf, typeId: number): GraphRecord | string | undefined {
  const t = btf.resolve(typeId);
  if (t.kind !== BtfKind.STRUCT && t.kind !== BtfKind.DATASEC) return undefined;
  let r: GraphRecord;
  try {
    r = graphRecordsOf(btf).value(t.id);
  } catch (e) {
    if (e instanceof FieldError) return e.message;
    throw e;
  }
  return r.fields.some((f) => f.kind === 'rb_root' || f.kind === 'list_head' || f.kind === 'kptr') ? r : undefined;
}
