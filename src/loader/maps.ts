// Map definitions: BTF-defined maps in `.maps` (libbpf's __uint/__type/__array conventions) and
// the legacy `maps` section of struct bpf_map_def records.
import { mapGraphRecord } from '../btf/graph-record.js';
import { mapValueRecord } from '../btf/fields.js';
import { BtfError, ElfError, LinkError } from '../errors.js';
import { MapType } from '../../maps/types.js';
import { builtinBtf } from '../btf/builtin.js';
import { BtfKind, type Btf, type BtfType } from '../btf/btf.js';
import { SHN_UNDEF, STT, RelocType, type ElfFile } from '../elf/file.js';
import type { ObjectSpec, ObjMapSpec, MapInitSlot } from './spec.js';

const MAPS_SEC = '.maps';
const LEGACY_MAPS_SEC = 'maps';

/** `__uint(name, N)` is `int (*name)[N]`: N is the array's element count. */
function uintMember(btf: Btf, typeId: number, where: string): number {
  const p = btf.resolve(typeId);
  if (p.kind !== BtfKind.PTR) throw new BtfError(`expected a pointer to an array (__uint), found ${btf.typeName(typeId)}`, where);
  const a = btf.resolve(p.sizeOrType);
  if (a.kind !== BtfKind.ARRAY) throw new BtfError(`expected a pointer to an array (__uint), found ${btf.typeName(typeId)}`, where);
  return a.nelems!;
}

/** A 64-bit map field (libbpf's get_map_field_long): `__uint` as above, or libbpf's
 *  `__ulong(name, V)`, an anonymous enum whose one enumerator is V (ENUM64 when V needs it). */
function ulongMember(btf: Btf, typeId: number, where: string): bigint {
  const t = btf.resolve(typeId);
  if (t.kind === BtfKind.PTR) return BigInt(uintMember(btf, typeId, where));
  if (t.kind !== BtfKind.ENUM && t.kind !== BtfKind.ENUM64) throw new BtfError(`expected __uint (a pointer to an array) or __ulong (an enum), found ${btf.typeName(typeId)}`, where);
  if (t.values!.length !== 1) throw new BtfError(`invalid __ulong: the enum has ${t.values!.length} enumerators, not 1`, where);
  return BigInt.asUintN(64, t.values![0]!.value);
}

/** `__type(name, T)` is `typeof(T) *name`: the pointee is the type. */
function typeMember(btf: Btf, typeId: number, where: string): number {
  const p = btf.resolve(typeId);
  if (p.kind !== BtfKind.PTR) throw new BtfError(`expected a pointer (__type), found ${btf.typeName(typeId)}`, where);
  return p.sizeOrType;
}

/** Offsets of special fields (bpf_spin_lock, rb_node) in a value type, searching nested structs. */
function findSpecial(btf: Btf, typeId: number, name: string, base = 0, depth = 0): number | undefined {
  if (depth > 8) return undefined;
  const t = btf.resolve(typeId);
  if ((t.kind === BtfKind.STRUCT || t.kind === BtfKind.UNION) && t.name === name) return base;
  if (t.kind !== BtfKind.STRUCT) return undefined;
  for (const m of t.members!) {
    if (m.bitfieldSize) continue;
    const r = findSpecial(btf, m.type, name, base + m.bitOffset / 8, depth + 1);
    if (r !== undefined) return r;
  }
  return undefined;
}

interface ParsedDef {
  spec: ObjMapSpec;
  /** Byte offset of the `values` member, when the definition has one. */
  valuesOffset?: number;
  valuesIsProg?: boolean;
}

const PAGE_SIZE = 4096;

/** libbpf's adjust_ringbuf_sz (x86-64 pages). */
export function adjustRingbufSize(sz: number): number {
  if (sz === 0) return 0;
  const pages = sz / PAGE_SIZE;
  if (Number.isInteger(pages) && (pages & (pages - 1)) === 0) return sz;
  for (let mul = 1; mul <= Math.floor(0xffffffff / PAGE_SIZE); mul *= 2) if (mul * PAGE_SIZE > sz) return mul * PAGE_SIZE;
  return sz; // nothing fits: let the kernel refuse it
}

/** Parse one map definition struct (also used for inner map templates). */
function parseMapDef(btf: Btf, name: string, def: BtfType, where: string, inner: boolean): ParsedDef {
  if (def.kind !== BtfKind.STRUCT) throw new BtfError(`map definition must be a struct, found ${btf.typeName(def.id)}`, where);
  const spec: ObjMapSpec = { name, type: MapType.UNSPEC, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0, origin: 'btf', section: MAPS_SEC, autocreate: true };
  const out: ParsedDef = { spec };
  let keyId = 0;
  let valueId = 0;
  for (const m of def.members!) {
    const mw = `${where} field ${m.name}`;
    switch (m.name) {
      case 'type':
        spec.type = uintMember(btf, m.type, mw);
        break;
      case 'max_entries':
        spec.maxEntries = uintMember(btf, m.type, mw);
        break;
      case 'map_flags':
        spec.flags = uintMember(btf, m.type, mw);
        break;
      case 'numa_node':
        spec.numaNode = uintMember(btf, m.type, mw);
        break;
      case 'pinning':
        spec.pinning = uintMember(btf, m.type, mw);
        if (spec.pinning > 1) throw new BtfError(`pinning ${spec.pinning} is not supported (0 none, 1 by name)`, mw);
        break;
      case 'map_extra':
        spec.mapExtra = ulongMember(btf, m.type, mw);
        break;
      case 'key_size': {
        const v = uintMember(btf, m.type, mw);
        if (spec.keySize && spec.keySize !== v) throw new BtfError(`key_size ${v} conflicts with key type size ${spec.keySize}`, mw);
        spec.keySize = v;
        break;
      }
      case 'value_size': {
        const v = uintMember(btf, m.type, mw);
        if (spec.valueSize && spec.valueSize !== v) throw new BtfError(`value_size ${v} conflicts with value type size ${spec.valueSize}`, mw);
        spec.valueSize = v;
        break;
      }
      case 'key': {
        keyId = typeMember(btf, m.type, mw);
        const sz = btf.sizeof(keyId);
        if (spec.keySize && spec.keySize !== sz) throw new BtfError(`key type size ${sz} conflicts with key_size ${spec.keySize}`, mw);
        spec.keySize = sz;
        spec.btfKeyTypeId = keyId;
        spec.keyType = btf.typeName(keyId);
        break;
      }
      case 'value': {
        valueId = typeMember(btf, m.type, mw);
        const sz = btf.sizeof(valueId);
        if (spec.valueSize && spec.valueSize !== sz) throw new BtfError(`value type size ${sz} conflicts with value_size ${spec.valueSize}`, mw);
        spec.valueSize = sz;
        spec.btfValueTypeId = valueId;
        spec.valueType = btf.typeName(valueId);
        break;
      }
      case 'values': {
        if (inner) throw new BtfError('inner map definitions cannot have values', mw);
        // __array(values, T) is `T *values[]`: a zero-length array of pointers to the template.
        const arr = btf.resolve(m.type);
        if (arr.kind !== BtfKind.ARRAY || arr.nelems !== 0) throw new BtfError('values must be a zero-length array (__array)', mw);
        const ptr = btf.resolve(arr.elemType!);
        if (ptr.kind !== BtfKind.PTR) throw new BtfError('values must be an array of pointers (__array)', mw);
        const target = btf.resolve(ptr.sizeOrType);
        out.valuesOffset = m.bitOffset / 8;
        if (target.kind === BtfKind.FUNC_PROTO) {
          out.valuesIsProg = true;
        } else if (target.kind === BtfKind.STRUCT) {
          spec.innerMap = parseMapDef(btf, `${name}.inner`, target, `${where} inner map`, true).spec;
          out.valuesIsProg = false;
        } else throw new BtfError(`values element type ${btf.typeName(target.id)} is neither a map definition nor a function prototype`, mw);
        break;
      }
      default:
        throw new BtfError(`unknown map definition field "${m.name}"`, mw);
    }
  }
  const isMapInMap = spec.type === MapType.ARRAY_OF_MAPS || spec.type === MapType.HASH_OF_MAPS;
  if (isMapInMap) {
    // Without a template the definition still opens, as in libbpf: creating the map fails at
    // load (-EINVAL), unless the loader is given an inner map (LoadOptions.innerMaps).
    // The value of a map-in-map is a map id (u32); libbpf fills it in when it is missing.
    if (!spec.valueSize) spec.valueSize = 4;
  } else if (spec.innerMap) {
    throw new BtfError(`an inner map template is only valid for array_of_maps/hash_of_maps`, where);
  }
  if (spec.type === MapType.PROG_ARRAY && !spec.valueSize) spec.valueSize = 4;
  // libbpf's adjust_ringbuf_sz: a ring buffer's max_entries becomes the smallest page-size
  // power-of-2 multiple above it (a size that already is one, and 0, pass through)
  if (spec.type === MapType.RINGBUF || spec.type === MapType.USER_RINGBUF) spec.maxEntries = adjustRingbufSize(spec.maxEntries);
  if (valueId) {
    const lock = findSpecial(btf, valueId, 'bpf_spin_lock');
    if (lock !== undefined) spec.spinLockOffset = lock;
    const node = findSpecial(btf, valueId, 'rb_node');
    if (node !== undefined) spec.rbNodeOffset = node;
    const graph = mapGraphRecord(btf, valueId);
    // A malformed declaration leaves the map without special fields, as the kernel's error
    // record does (map_check_btf creates the map; the verifier refuses their use).
    if (graph && typeof graph !== 'string') spec.graph = graph;
    // A struct bpf_timer, in the map types map_check_btf allows it in (elsewhere the kernel
    // refuses the map, libbpf creates it again without BTF, and the verifier then refuses the
    // timer helpers: verifier/timer.ts).
    if (spec.type === MapType.HASH || spec.type === MapType.LRU_HASH || spec.type === MapType.ARRAY) {
      const fields = mapValueRecord(btf, valueId, spec.valueSize)?.fields;
      const timer = fields?.find((f) => f.type === 'bpf_timer');
      if (timer) spec.timerOffset = timer.offset;
      const wq = fields?.find((f) => f.type === 'bpf_wq');
      if (wq) spec.wqOffset = wq.offset;
    }
  }
  return out;
}

export function collectBtfMaps(elf: ElfFile, spec: ObjectSpec): void {
  const sec = elf.section(MAPS_SEC);
  if (!sec) return;
  const btf = spec.btf;
  if (!btf) throw new BtfError('BTF-defined maps need a .BTF section', `section ${MAPS_SEC}`);
  const ds = btf.datasec(MAPS_SEC);
  if (!ds) throw new BtfError('no DATASEC for the .maps section', `section ${MAPS_SEC}`);
  const parsed = new Map<string, { def: ParsedDef; offset: number; size: number }>();
  for (const v of ds.vars!) {
    const vt = btf.type(v.type, `DATASEC ${MAPS_SEC}`);
    if (vt.kind !== BtfKind.VAR) throw new BtfError(`entry [${v.type}] is not a variable`, `DATASEC ${MAPS_SEC}`);
    const where = `map ${vt.name}`;
    const sym = elf.symbols.find((s) => s.name === vt.name && s.shndx === sec.index);
    if (!sym) throw new ElfError('no ELF symbol for the map definition', where);
    const def = btf.resolve(vt.sizeOrType);
    const p = parseMapDef(btf, vt.name, def, where, false);
    if (p.spec.btfKeyTypeId === undefined) delete p.spec.btfKeyTypeId;
    if (spec.maps.has(vt.name)) throw new LinkError('duplicate map name', where);
    spec.maps.set(vt.name, p.spec);
    parsed.set(vt.name, { def: p, offset: sym.value, size: v.size || btf.sizeof(vt.sizeOrType) });
  }
  // `values = { [i] = &x }` initialisers are relocations in .maps pointing at maps or programs.
  for (const r of elf.relocations.get(sec.index) ?? []) {
    const sym = elf.symbols[r.symbol]!;
    const owner = [...parsed.entries()].find(([, p]) => r.offset >= p.offset && r.offset < p.offset + p.size);
    const where = `section ${MAPS_SEC} relocation at ${r.offset}`;
    if (!owner) throw new LinkError('does not fall inside any map definition', where);
    const [mapName, p] = owner;
    if (p.def.valuesOffset === undefined) throw new LinkError(`map ${mapName} has no values field to initialise`, where);
    const rel = r.offset - p.offset - p.def.valuesOffset;
    if (rel < 0 || rel % 8 !== 0) throw new LinkError(`map ${mapName}: initialiser is not a values slot`, where);
    if (r.type !== RelocType.R_BPF_64_ABS64) throw new LinkError(`map ${mapName}: unexpected relocation type ${r.type} for values`, where);
    if (sym.shndx === SHN_UNDEF) throw new LinkError(`map ${mapName}: values refers to undefined symbol ${sym.name}`, where);
    const slot: MapInitSlot = { index: rel / 8, kind: p.def.valuesIsProg ? 'prog' : 'map', target: sym.name };
    if (slot.kind === 'prog' && sym.type !== STT.FUNC) throw new LinkError(`map ${mapName}: values[${slot.index}] must be a program, found ${sym.name}`, where);
    if (slot.kind === 'map' && sym.shndx !== sec.index) throw new LinkError(`map ${mapName}: values[${slot.index}] must be a map, found ${sym.name}`, where);
    const m = spec.maps.get(mapName)!;
    if (slot.index >= m.maxEntries) throw new LinkError(`map ${mapName}: values[${slot.index}] is beyond max_entries ${m.maxEntries}`, where);
    (m.initSlots ??= []).push(slot);
  }
  for (const m of spec.maps.values()) m.initSlots?.sort((a, b) => a.index - b.index);
}

/** struct bpf_map_def: type, key_size, value_size, max_entries, map_flags (then optional fields). */
export function collectLegacyMaps(elf: ElfFile, spec: ObjectSpec): void {
  const sec = elf.section(LEGACY_MAPS_SEC);
  if (!sec) return;
  const syms = elf.symbols.filter((s) => s.shndx === sec.index && s.type !== STT.SECTION && s.name).sort((a, b) => a.value - b.value);
  if (syms.length === 0) return;
  spec.notes.push(`section "maps" uses the legacy struct bpf_map_def; libbpf 1.0 dropped it, prefer BTF-defined maps in ".maps"`);
  const defSize = sec.size / syms.length;
  if (!Number.isInteger(defSize) || defSize < 20) throw new ElfError(`cannot split ${sec.size} bytes into ${syms.length} map definitions`, `section ${LEGACY_MAPS_SEC}`);
  const dv = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
  for (const s of syms) {
    const where = `map ${s.name}`;
    if (s.value + 20 > sec.size) throw new ElfError(`definition at offset ${s.value} runs past the section (${sec.size} bytes)`, where);
    const m: ObjMapSpec = {
      name: s.name,
      type: dv.getUint32(s.value, true),
      keySize: dv.getUint32(s.value + 4, true),
      valueSize: dv.getUint32(s.value + 8, true),
      maxEntries: dv.getUint32(s.value + 12, true),
      flags: dv.getUint32(s.value + 16, true),
      origin: 'legacy',
      section: LEGACY_MAPS_SEC,
      autocreate: true,
    };
    if (spec.maps.has(s.name)) throw new LinkError('duplicate map name', where);
    spec.maps.set(s.name, m);
  }
}

/** Map name for a relocation symbol in .maps / maps (STT_SECTION symbols are resolved by offset). */
export function mapForSymbol(elf: ElfFile, spec: ObjectSpec, symIndex: number, addend: number): ObjMapSpec | undefined {
  const sym = elf.symbols[symIndex]!;
  if (sym.name && sym.type !== STT.SECTION) return spec.maps.get(sym.name);
  const off = sym.value + addend;
  const named = elf.symbols.find((s) => s.shndx === sym.shndx && s.type !== STT.SECTION && s.name && s.value === off);
  return named ? spec.maps.get(named.name) : undefined;
}

const BPF_F_LINK = 1 << 13;

/** The bytes of a struct_ops variable's members that are not function pointers, by name (what
 *  the type's init_member reads: tcp_congestion_ops' name and flags). */
function dataMembers(btf: Btf, t: BtfType, image: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const m of t.members ?? []) {
    if (m.bitfieldSize || !m.name) continue;
    const mt = btf.resolve(m.type);
    if (mt.kind === BtfKind.PTR && btf.resolve(mt.sizeOrType).kind === BtfKind.FUNC_PROTO) continue;
    const off = m.bitOffset / 8;
    out.set(m.name, image.slice(off, off + btf.sizeof(m.type)));
  }
  return out;
}

/** `.struct_ops` (and `.struct_ops.link`) variables: one STRUCT_OPS map each, whose function
 *  pointer members are relocations to struct_ops programs. As libbpf, a program's expected attach
 *  type becomes the index of the member it fills. */
export function collectStructOps(elf: ElfFile, spec: ObjectSpec): void {
  for (const secName of ['.struct_ops', '.struct_ops.link']) {
    const sec = elf.section(secName);
    if (!sec) continue;
    const where = `section ${secName}`;
    const btf = spec.btf;
    if (!btf) throw new BtfError('struct_ops maps need a .BTF section', where);
    const ds = btf.datasec(secName);
    if (!ds) throw new BtfError(`no DATASEC for ${secName}`, where);
    const vars: { name: string; offset: number; size: number; type: number }[] = [];
    for (const v of ds.vars!) {
      const vt = btf.type(v.type, `DATASEC ${secName}`);
      if (vt.kind !== BtfKind.VAR) continue;
      const sym = elf.symbols.find((x) => x.name === vt.name && x.shndx === sec.index);
      if (!sym) throw new ElfError('no ELF symbol for the struct_ops variable', `struct_ops ${vt.name}`);
      const t = btf.resolve(vt.sizeOrType);
      if (t.kind !== BtfKind.STRUCT) throw new BtfError(`must be a struct, found ${btf.typeName(t.id)}`, `struct_ops ${vt.name}`);
      const size = t.sizeOrType;
      if (sym.value + size > sec.size) throw new ElfError(`runs past the section (${sec.size} bytes)`, `struct_ops ${vt.name}`);
      vars.push({ name: vt.name, offset: sym.value, size, type: t.id });
      if (spec.maps.has(vt.name)) throw new LinkError('duplicate map name', `struct_ops ${vt.name}`);
      spec.maps.set(vt.name, {
        name: vt.name,
        type: MapType.STRUCT_OPS,
        keySize: 4,
        valueSize: size,
        maxEntries: 1,
        flags: secName.endsWith('.link') ? BPF_F_LINK : 0,
        origin: 'btf',
        section: secName,
        autocreate: true,
        btfValueTypeId: t.id,
        valueType: btf.typeName(t.id),
        contents: [{ key: new Uint8Array(4), value: sec.type === 8 ? new Uint8Array(size) : sec.data.slice(sym.value, sym.value + size) }],
        structOps: { programs: new Set(), data: dataMembers(btf, t, sec.type === 8 ? new Uint8Array(size) : sec.data.subarray(sym.value, sym.value + size)) },
      });
    }
    for (const r of elf.relocations.get(sec.index) ?? []) {
      const rw = `${where} relocation at ${r.offset}`;
      const v = vars.find((x) => r.offset >= x.offset && r.offset < x.offset + x.size);
      if (!v) throw new LinkError('does not fall inside any struct_ops variable', rw);
      const t = btf.type(v.type);
      const idx = t.members!.findIndex((m) => m.bitfieldSize === 0 && m.bitOffset / 8 === r.offset - v.offset);
      if (idx < 0) throw new LinkError(`offset ${r.offset - v.offset} is not a member of ${btf.typeName(v.type)}`, rw);
      const sym = elf.symbols[r.symbol]!;
      const prog = spec.programs.get(sym.name);
      if (!prog || sym.type !== STT.FUNC) throw new LinkError(`member ${t.members![idx]!.name} must point at a struct_ops program, found ${elf.symbolName(sym)}`, rw);
      // libbpf's bpf_map__init_kern_struct_ops: the expected attach type is the index of the
      // member of the same name in the kernel's struct (the object's own declaration of the
      // struct may order or cut its members differently); a member the kernel lacks fails
      const mname = t.members![idx]!.name;
      const kern = builtinBtf().find(t.name, BtfKind.STRUCT)[0];
      const kidx = kern ? kern.members!.findIndex((m) => m.name === mname) : idx;
      if (kidx < 0) throw new LinkError(`struct_ops init_kern ${v.name}: Cannot find member ${mname} in kernel BTF`, rw);
      prog.expectedAttachType = kidx;
      // the struct_ops type it implements a member of (libbpf's attach_btf_id)
      prog.attachTo = t.name;
      const m = spec.maps.get(v.name)!;
      (m.initSlots ??= []).push({ index: idx, kind: 'prog', target: prog.name });
      (m.structOps!.programs as Set<string>).add(mname);
    }
  }
}
