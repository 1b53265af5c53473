// The special fields of a program's BTF type (the kernel's btf_parse_fields / btf_record): spin
// locks, graph roots with their `contains:T:field` decl tags, graph nodes, refcounts and kptrs
// (`__kptr` type tags), found through nested structs and arrays as the kernel finds them. The
// loader attaches the record of each map value and data section to its MapSpec; bpf_obj_new
// takes the record of the type id it is given (maps/graph.ts is the run-time side).
import { BtfKind, type Btf, type BtfType } from './btf.js';
import type { GraphField, GraphFieldKind, GraphRecord } from '../../maps/graph.js';

const SPECIAL: Readonly<Record<string, GraphFieldKind>> = {
  bpf_spin_lock: 'spin_lock',
  bpf_rb_root: 'rb_root',
  bpf_list_head: 'list_head',
  bpf_rb_node: 'rb_node',
  bpf_list_node: 'list_node',
  bpf_refcount: 'refcount',
};
const KPTR_TAGS = new Set(['kptr', 'kptr_untrusted', 'percpu_kptr']);
const MAX_DEPTH = 16;

/** Records of one BTF, cached by type id (a record may refer to itself through a root). */
export class GraphRecords {
  private readonly cache = new Map<number, GraphRecord>();
  private tags: Map<string, string[]> | undefined;

  constructor(private readonly btf: Btf) {}

  /** The record of struct/DATASEC `typeId`, or a message saying why there is none. */
  record(typeId: number): GraphRecord | string {
    const t = this.btf.types[typeId];
    if (!t) return `type id ${typeId} does not exist in the program's BTF (${this.btf.types.length - 1} types)`;
    const r = this.btf.resolve(typeId);
    if (r.kind !== BtfKind.STRUCT && r.kind !== BtfKind.DATASEC) return `type id ${typeId} (${this.btf.typeName(typeId)}) is not a struct`;
    try {
      return this.build(r, 0);
    } catch (e) {
      if (e instanceof GraphBtfError) return e.message;
      throw e;
    }
  }

  private build(t: BtfType, depth: number): GraphRecord {
    const known = this.cache.get(t.id);
    if (known) return known;
    const rec: GraphRecord = { name: t.name || `(anon ${t.id})`, typeId: t.id, size: t.sizeOrType, fields: [], byOffset: new Map(), refcountOff: -1 };
    this.cache.set(t.id, rec); // before the fields: a node type may hold a root of itself
    if (t.kind === BtfKind.DATASEC) {
      for (const v of t.vars ?? []) {
        const vt = this.btf.type(v.type);
        if (vt.kind !== BtfKind.VAR) continue;
        this.walk(rec, vt.sizeOrType, v.offset, this.tagsOf(vt.id, -1), depth);
      }
    } else {
      (t.members ?? []).forEach((m, i) => {
        if (m.bitfieldSize) return;
        this.walk(rec, m.type, m.bitOffset / 8, this.tagsOf(t.id, i), depth);
      });
    }
    rec.fields.sort((a, b) => a.offset - b.offset);
    for (const f of rec.fields) {
      rec.byOffset.set(f.offset, f);
      if (f.kind === 'refcount') rec.refcountOff = f.offset;
    }
    return rec;
  }

  private walk(rec: GraphRecord, typeId: number, off: number, tags: readonly string[], depth: number): void {
    if (depth > MAX_DEPTH) return;
    const kptr = this.kptrTag(typeId);
    const t = this.btf.resolve(typeId);
    if (kptr && t.kind === BtfKind.PTR) {
      const target = this.btf.resolve(t.sizeOrType);
      const f: GraphField = { kind: 'kptr', offset: off, kptr: { tag: kptr, typeName: target.name } };
      // A program type (one with a definition here that is not the kernel's) gets its record, so
      // freeing the map value drops the object it points to.
      if (target.kind === BtfKind.STRUCT) f.kptr!.record = this.build(target, depth + 1);
      rec.fields.push(f);
      return;
    }
    if (t.kind === BtfKind.ARRAY) {
      const elemSize = this.btf.sizeof(t.elemType!);
      for (let i = 0; i < (t.nelems ?? 0); i++) this.walk(rec, t.elemType!, off + i * elemSize, tags, depth + 1);
      return;
    }
    if (t.kind !== BtfKind.STRUCT) return;
    const kind = SPECIAL[t.name];
    if (kind) {
      const f: GraphField = { kind, offset: off };
      if (kind === 'rb_root' || kind === 'list_head') f.contains = this.contains(kind, tags, rec, off, depth);
      rec.fields.push(f);
      return;
    }
    (t.members ?? []).forEach((m, i) => {
      if (m.bitfieldSize) return;
      this.walk(rec, m.type, off + m.bitOffset / 8, this.tagsOf(t.id, i), depth + 1);
    });
  }

  private contains(kind: 'rb_root' | 'list_head', tags: readonly string[], rec: GraphRecord, off: number, depth: number): GraphField['contains'] {
    const what = `struct ${kind === 'rb_root' ? 'bpf_rb_root' : 'bpf_list_head'} at offset ${off} of ${rec.name}`;
    const tag = tags.find((s) => s.startsWith('contains:'));
    if (!tag) throw new GraphBtfError(`${what} has no __contains(T, field) declaration tag`);
    const m = /^contains:([^:]+):(.+)$/.exec(tag);
    if (!m) throw new GraphBtfError(`${what}: malformed tag "${tag}" (expected contains:T:field)`);
    const [, typeName, fieldName] = m as unknown as [string, string, string];
    const t = this.btf.find(typeName, BtfKind.STRUCT).find((x) => x.members !== undefined);
    if (!t) throw new GraphBtfError(`${what}: __contains names struct ${typeName}, which the program's BTF does not define`);
    const member = (t.members ?? []).find((x) => x.name === fieldName);
    const nodeKind = kind === 'rb_root' ? 'bpf_rb_node' : 'bpf_list_node';
    if (!member || this.btf.resolve(member.type).name !== nodeKind) throw new GraphBtfError(`${what}: struct ${typeName} has no struct ${nodeKind} field named ${fieldName}`);
    return { record: this.build(t, depth + 1), nodeOffset: member.bitOffset / 8, nodeField: fieldName };
  }

  /** The kptr type tag on a member's pointer type (`T __kptr *` is PTR -> TYPE_TAG -> T). */
  private kptrTag(typeId: number): string | undefined {
    let t = this.btf.type(typeId);
    for (let i = 0; i < 8 && (t.kind === BtfKind.TYPEDEF || t.kind === BtfKind.CONST || t.kind === BtfKind.VOLATILE || t.kind === BtfKind.RESTRICT); i++) t = this.btf.type(t.sizeOrType);
    if (t.kind !== BtfKind.PTR) return undefined;
    for (let p = this.btf.type(t.sizeOrType), i = 0; i < 8 && p.kind !== BtfKind.STRUCT; p = this.btf.type(p.sizeOrType), i++) {
      if (p.kind === BtfKind.TYPE_TAG && KPTR_TAGS.has(p.name)) return p.name;
      if (p.kind !== BtfKind.TYPE_TAG && p.kind !== BtfKind.CONST && p.kind !== BtfKind.VOLATILE && p.kind !== BtfKind.TYPEDEF) break;
    }
    return undefined;
  }

  private tagsOf(target: number, idx: number): string[] {
    if (!this.tags) {
      this.tags = new Map();
      for (const t of this.btf.types) {
        if (t.kind !== BtfKind.DECL_TAG) continue;
        const key = `${t.sizeOrType}:${t.componentIdx ?? -1}`;
        (this.tags.get(key) ?? this.tags.set(key, []).get(key)!).push(t.name);
      }
    }
    return this.tags.get(`${target}:${idx}`) ?? [];
  }
}

class GraphBtfError extends Error {}

const byBtf = new WeakMap<Btf, GraphRecords>();

/** The records of one BTF (cached per BTF object). */
export function graphRecordsOf(btf: Btf): GraphRecords {
  let r = byBtf.get(btf);
  if (!r) byBtf.set(btf, (r = new GraphRecords(btf)));
  return r;
}

/** What a map value or data section of type `typeId` must be created with: its record when it
 *  holds graph roots or kptrs (undefined when it holds none); a malformed root declaration is an
 *  error message, as the kernel refuses such a map's BTF. */
export function mapGraphRecord(btf: Btf, typeId: number): GraphRecord | string | undefined {
  const t = btf.resolve(typeId);
  if (t.kind !== BtfKind.STRUCT && t.kind !== BtfKind.DATASEC) return undefined;
  const r = graphRecordsOf(btf).record(typeId);
  if (typeof r === 'string') return r;
  return r.fields.some((f) => f.kind === 'rb_root' || f.kind === 'list_head' || f.kind === 'kptr') ? r : undefined;
}
