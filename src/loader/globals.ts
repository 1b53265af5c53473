// Global data: each .data/.rodata/.bss (and their .name variants) section becomes a single-entry
// ARRAY map holding the section image, named like libbpf names it, and each variable in it becomes
// a GlobalVar that reads and writes that image before load.
import { LinkError } from '../errors.js';
import { MapType, MapFlag } from '../../maps/types.js';
import { BtfKind, type Btf } from '../btf/btf.js';
import { FieldError } from '../btf/fields.js';
import { graphRecordsOf, mapGraphRecord } from '../btf/graph-record.js';
import type { GraphRecord } from '../../maps/graph.js';
import { SHT, STT, type ElfFile, type ElfSection } from '../elf/file.js';
import type { GlobalVar, ObjectSpec, ObjMapSpec } from './spec.js';

const BPF_OBJ_NAME_LEN = 16;
/** Largest global-data section: a section becomes one ARRAY value, and the kernel's array maps
 *  take value_size up to INT_MAX (array_map_alloc_check; Linux 6.18 creates a 1 GiB .bss map,
 *  its verifier then limits constant offsets into it to 512 MiB). Memory is taken only when the
 *  map is created, so a section must also fit the runtime's arena (-ENOMEM otherwise). */
export const MAX_DATA_SECTION = 0x7fffffff;

/** libbpf's internal_map_name(): object-name prefix (so maps of different objects differ) plus the
 *  section name, 15 characters at most; sections with a second dot (".data.custom") get no prefix. */
export function internalMapName(objName: string, section: string): string {
  const sfx = Math.max(7, section.length);
  const pfx = section.indexOf('.', 1) >= 0 ? 0 : Math.min(BPF_OBJ_NAME_LEN - sfx - 1, objName.length);
  const name = (objName.slice(0, Math.max(0, pfx)) + section.slice(0, sfx)).slice(0, BPF_OBJ_NAME_LEN - 1);
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

export function isDataSection(s: ElfSection): boolean {
  const n = s.name;
  if (s.type === SHT.NOBITS) return n === '.bss' || n.startsWith('.bss.');
  if (s.type !== SHT.PROGBITS || s.size === 0) return false;
  return n === '.data' || n.startsWith('.data.') || n === '.rodata' || n.startsWith('.rodata.');
}

export function isReadOnlySection(name: string): boolean {
  return name === '.rodata' || name.startsWith('.rodata.');
}

/** Little-endian bytes of `value` sized to `size`, refusing values that do not fit. */
export function encodeScalar(value: number | bigint, size: number, where: string): Uint8Array {
  if (typeof value === 'number' && !Number.isInteger(value)) throw new LinkError(`${value} is not an integer`, where);
  const v = BigInt(value);
  const bits = BigInt(size * 8);
  if (size > 8 || v >= 1n << bits || v < -(1n << (bits - 1n))) throw new LinkError(`${value} does not fit in ${size} bytes`, where);
  const u = BigInt.asUintN(size * 8, v);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = Number((u >> BigInt(8 * i)) & 0xffn);
  return out;
}

export function collectGlobalData(elf: ElfFile, spec: ObjectSpec): void {
  const btf = spec.btf;
  for (const sec of elf.sections) {
    if (!isDataSection(sec)) continue;
    // The kernel's array maps refuse larger values (-E2BIG); such a .bss is a corrupt header.
    if (sec.size > MAX_DATA_SECTION) throw new LinkError(`size ${sec.size} exceeds the ${MAX_DATA_SECTION}-byte limit for global data (the kernel's largest array value)`, `section ${sec.name}`);
    const mapName = internalMapName(spec.name, sec.name);
    // A .bss image is all zeros, as a new array map is: it is made only when a variable is read or
    // set before load, so a large .bss costs memory only in the map.
    let image: Uint8Array | undefined;
    const content: { key: Uint8Array; value: Uint8Array } = { key: new Uint8Array(4), value: new Uint8Array(0) };
    const img = (): Uint8Array => {
      if (!image) {
        image = new Uint8Array(sec.size);
        if (sec.type !== SHT.NOBITS) image.set(sec.data);
        content.value = image;
        m.contents = [content];
      }
      return image;
    };
    const ro = isReadOnlySection(sec.name);
    const ds = btf?.datasec(sec.name);
    // libbpf makes data maps mmapable when they hold a non-static variable; .rodata is additionally
    // read-only for programs.
    const mmapable = ds !== undefined && ds.vars!.some((v) => btf!.type(v.type).kind === BtfKind.VAR && btf!.type(v.type).linkage !== 0);
    const m: ObjMapSpec = {
      name: mapName,
      type: MapType.ARRAY,
      keySize: 4,
      valueSize: sec.size,
      maxEntries: 1,
      flags: (mmapable ? MapFlag.MMAPABLE : 0) | (ro ? MapFlag.RDONLY_PROG : 0),
      origin: 'data',
      section: sec.name,
      autocreate: true,
    };
    if (sec.type !== SHT.NOBITS) img();
    if (ds) {
      m.btfValueTypeId = ds.id;
      // Graph roots and kptrs in global data (`private(...)` sections), and the one bpf_spin_lock
      // that guards them: the kernel parses a DATASEC value's fields like a struct's.
      const graph = mapGraphRecord(btf!, ds.id);
      // A malformed declaration does not stop the map: the kernel's map_check_btf keeps an error
      // record, so the section has no special fields at all (no lock either) and programs that
      // use them are rejected by the verifier (`map '.data.A' has no valid bpf_spin_lock`).
      if (graph && typeof graph !== 'string') m.graph = graph;
      // A section with a lock and no graph root (`struct bpf_spin_lock lockA SEC(".data.A")`) has
      // its lock too: mapGraphRecord leaves such records out.
      const rec = graph ?? dataLockRecord(btf!, ds.id);
      if (rec !== undefined && typeof rec !== 'string') {
        const locks = rec.fields.filter((f) => f.kind === 'spin_lock');
        if (locks.length === 1) m.spinLockOffset = locks[0]!.offset;
      }
    }
    if (spec.maps.has(mapName)) throw new LinkError(`map name ${mapName} is already used`, `section ${sec.name}`);
    spec.maps.set(mapName, m);

    const add = (name: string, offset: number, size: number, type: string, typeId: number | undefined, linkage: 'static' | 'global') => {
      const where = `global ${name} (${sec.name}+${offset})`;
      if (offset + size > sec.size) throw new LinkError(`variable (${size} bytes) runs past the section (${sec.size} bytes)`, where);
      const v: GlobalVar = {
        name,
        section: sec.name,
        map: mapName,
        offset,
        size,
        type,
        linkage,
        get: () => img().subarray(offset, offset + size),
        set: (value) => {
          const bytes = value instanceof Uint8Array ? value : encodeScalar(value, size, where);
          if (bytes.length !== size) throw new LinkError(`expected ${size} bytes, got ${bytes.length}`, where);
          img().set(bytes, offset);
        },
      };
      if (typeId !== undefined) v.typeId = typeId;
      // Static variables of different functions may share a name; the first one keeps it.
      if (!spec.globals.has(name)) spec.globals.set(name, v);
    };
    if (ds && btf) {
      for (const vi of ds.vars!) {
        const vt = btf.type(vi.type, `DATASEC ${sec.name}`);
        if (vt.kind !== BtfKind.VAR) continue;
        add(vt.name, vi.offset, vi.size, btf.typeName(vt.sizeOrType), vt.sizeOrType, vt.linkage === 0 ? 'static' : 'global');
      }
    } else {
      for (const s of elf.symbols) {
        if (s.shndx !== sec.index || s.type !== STT.OBJECT || !s.name) continue;
        add(s.name, s.value, s.size, '', undefined, s.bind === 0 ? 'static' : 'global');
      }
    }
  }
}

/** A data section's special fields when it has no graph root (a lone bpf_spin_lock); undefined
 *  when the kernel would refuse them (its error record has no fields). */
function dataLockRecord(btf: Btf, id: number): GraphRecord | undefined {
  try {
    return graphRecordsOf(btf).value(id);
  } catch (e) {
    if (e instanceof FieldError) return undefined;
    throw e;
  }
}

/** libbpf's ARENA_SEC: global `__arena` variables (clang's address_space(1) globals). */
export const ARENA_SEC = '.addr_space.1';

/** `.addr_space.1` (libbpf's init_arena_map_data): the section's image becomes the initial
 *  contents of the object's one BPF arena map, copied to the arena's first pages after the map
 *  is created (libbpf memcpys it into the mmap, which allocates those pages); relocations against
 *  the section address the arena (src/loader/link.ts). Errors as libbpf's open fails. */
export function collectArenaData(elf: ElfFile, spec: ObjectSpec): void {
  const arenas = [...spec.maps.values()].filter((m) => m.type === MapType.ARENA);
  if (arenas.length > 1) throw new LinkError(`only single ARENA map is supported (map '${arenas[1]!.name}' is also ARENA)`, `map ${arenas[0]!.name}`);
  const sec = elf.sections.find((s) => s.name === ARENA_SEC);
  if (!sec) return;
  const arena = arenas[0];
  if (!arena) throw new LinkError('to use global __arena variables the ARENA map should be explicitly declared in SEC(".maps")', `section ${ARENA_SEC}`);
  const mmapSize = arena.maxEntries * 4096;
  if (Math.ceil(sec.size / 4096) * 4096 > mmapSize) {
    throw new LinkError(`declared ARENA map size (${mmapSize}) is too small to hold global __arena variables of size ${sec.size}`, `section ${ARENA_SEC}`);
  }
  arena.arenaData = sec.type === SHT.NOBITS ? new Uint8Array(sec.size) : sec.data.slice();
}
