// Global data: each .data/.rodata/.bss (and their .name variants) section becomes a single-entry
// ARRAY map holding the section image, named like libbpf names it, and each variable in it becomes
// a GlobalVar that reads and writes that image before load.
import { LinkError } from '../errors.js';
import { MapType, MapFlag } from '../../maps/types.js';
import { BtfKind } from '../btf/btf.js';
import { SHT, STT, type ElfFile, type ElfSection } from '../elf/file.js';
import type { GlobalVar, ObjectSpec, ObjMapSpec } from './spec.js';

const BPF_OBJ_NAME_LEN = 16;
export const MAX_DATA_SECTION = 16 << 20; // the kernel refuses array values above KMALLOC_MAX_SIZE (4 MiB) anyway

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
    // The kernel caps map values far below this; a larger .bss is a corrupt header, not data.
    if (sec.size > MAX_DATA_SECTION) throw new LinkError(`size ${sec.size} exceeds the ${MAX_DATA_SECTION}-byte limit for global data`, `section ${sec.name}`);
    const mapName = internalMapName(spec.name, sec.name);
    const image = new Uint8Array(sec.size);
    if (sec.type !== SHT.NOBITS) image.set(sec.data);
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
      contents: [{ key: new Uint8Array(4), value: image }],
    };
    if (ds) m.btfValueTypeId = ds.id;
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
        get: () => image.subarray(offset, offset + size),
        set: (value) => {
          const bytes = value instanceof Uint8Array ? value : encodeScalar(value, size, where);
          if (bytes.length !== size) throw new LinkError(`expected ${size} bytes, got ${bytes.length}`, where);
          image.set(bytes, offset);
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
