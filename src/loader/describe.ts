// A plain-data summary of an ObjectSpec: what `ebpfvm inspect` prints (text or JSON) and what the
// libbpf reference test compares against libbpf's own view of the same object.
import { progTypeName, ProgType } from '../../vm/prog-types.js';
import { mapTypeName } from '../../maps/types.js';
import { KIND_NAMES, type Btf } from '../btf/btf.js';
import { SHT } from '../elf/file.js';
import type { ObjectSpec } from './spec.js';
import { AttachType } from './sections.js';

export interface ObjectSummary {
  name: string;
  license: string;
  gpl: boolean;
  kernVersion?: number;
  sections: { index: number; name: string; type: number; flags: number; size: number; relocations: number }[];
  programs: { name: string; section: string; type: string; typeId: number; attachType: string; attachTypeId: number; attachTo?: string; insns: number; autoload: boolean; sleepable: boolean }[];
  maps: { name: string; type: string; typeId: number; keySize: number; valueSize: number; maxEntries: number; flags: number; numaNode?: number; pinning?: number; mapExtra?: string; origin: string; section: string; keyType?: string; valueType?: string; btfKeyTypeId?: number; btfValueTypeId?: number; inner?: { type: string; keySize: number; valueSize: number; maxEntries: number; flags: number }; init?: { index: number; kind: string; target: string }[] }[];
  globals: { name: string; section: string; map: string; offset: number; size: number; type: string; linkage: string }[];
  externs: { name: string; kind: string; weak: boolean; type?: string; offset?: number; size?: number }[];
  btf?: { types: number; strings: number; kinds: Record<string, number>; funcInfo: number; lineInfo: number; coreRelos: number };
  /** Every BTF type in raw form (inspect --btf-types), the fields libbpf's btf__ API reports. */
  btfTypes?: BtfTypeRow[];
  notes: string[];
}

export interface BtfTypeRow {
  id: number;
  kind: number;
  name: string;
  vlen: number;
  kflag: number;
  sizeOrType: number;
  members?: number[][];
  vars?: number[][];
  array?: number[];
  resolvedSize?: number;
  align?: number;
}

/** Raw rows for each type, with size and alignment where libbpf defines them. */
export function btfTypeRows(btf: Btf): BtfTypeRow[] {
  const attempt = (f: () => number) => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  return btf.types.slice(1).map((t) => {
    const o: BtfTypeRow = { id: t.id, kind: t.kind, name: t.name, vlen: t.vlen, kflag: t.kindFlag ? 1 : 0, sizeOrType: t.sizeOrType };
    if (t.members) o.members = t.members.map((m) => [m.type, m.bitOffset, m.bitfieldSize]);
    if (t.vars) o.vars = t.vars.map((v) => [v.type, v.offset, v.size]);
    if (t.elemType !== undefined) o.array = [t.elemType, t.indexType!, t.nelems!];
    const size = attempt(() => btf.sizeof(t.id));
    if (size !== undefined) o.resolvedSize = size;
    const align = attempt(() => btf.alignof(t.id));
    if (align !== undefined && align > 0) o.align = align;
    return o;
  });
}

const attachNames = new Map<number, string>(Object.entries(AttachType).map(([k, v]) => [v, k.toLowerCase()]));

export function summarize(spec: ObjectSpec, opts: { btfTypes?: boolean } = {}): ObjectSummary {
  const s: ObjectSummary = {
    name: spec.name,
    license: spec.license,
    gpl: spec.gpl,
    sections: spec.elf.sections.filter((x) => x.type !== SHT.NULL).map((x) => ({ index: x.index, name: x.name, type: x.type, flags: x.flags, size: x.size, relocations: spec.elf.relocations.get(x.index)?.length ?? 0 })),
    programs: [...spec.programs.values()].map((p) => {
      const o: ObjectSummary['programs'][number] = {
        name: p.name,
        section: p.section,
        type: p.known ? progTypeName(p.progType) : 'unknown',
        typeId: p.progType,
        attachType: p.progType === ProgType.STRUCT_OPS && p.known ? `member ${p.expectedAttachType}` : p.hasAttachType ? attachNames.get(p.expectedAttachType) ?? String(p.expectedAttachType) : 'none',
        attachTypeId: p.expectedAttachType,
        insns: p.func.insns.length,
        autoload: p.autoload,
        sleepable: p.sleepable,
      };
      if (p.attachTo !== undefined) o.attachTo = p.attachTo;
      return o;
    }),
    maps: [...spec.maps.values()].map((m) => {
      const o: ObjectSummary['maps'][number] = { name: m.name, type: mapTypeName(m.type), typeId: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, origin: m.origin, section: m.section };
      if (m.numaNode !== undefined) o.numaNode = m.numaNode;
      if (m.pinning !== undefined) o.pinning = m.pinning;
      if (m.mapExtra !== undefined) o.mapExtra = m.mapExtra.toString();
      if (m.keyType) o.keyType = m.keyType;
      if (m.valueType) o.valueType = m.valueType;
      if (m.btfKeyTypeId !== undefined) o.btfKeyTypeId = m.btfKeyTypeId;
      if (m.btfValueTypeId !== undefined) o.btfValueTypeId = m.btfValueTypeId;
      if (m.innerMap) o.inner = { type: mapTypeName(m.innerMap.type), keySize: m.innerMap.keySize, valueSize: m.innerMap.valueSize, maxEntries: m.innerMap.maxEntries, flags: m.innerMap.flags };
      if (m.initSlots) o.init = m.initSlots.map((x) => ({ ...x }));
      return o;
    }),
    globals: [...spec.globals.values()].map((g) => ({ name: g.name, section: g.section, map: g.map, offset: g.offset, size: g.size, type: g.type, linkage: g.linkage })),
    externs: spec.externs.map((e) => {
      const o: ObjectSummary['externs'][number] = { name: e.name, kind: e.kind, weak: e.weak };
      if (e.kconfigType) o.type = e.kconfigType;
      if (e.offset !== undefined) o.offset = e.offset;
      if (e.size !== undefined) o.size = e.size;
      return o;
    }),
    notes: [...spec.notes],
  };
  if (spec.kernVersion !== undefined) s.kernVersion = spec.kernVersion;
  if (spec.btf) s.btf = btfSummary(spec);
  if (spec.btf && opts.btfTypes) s.btfTypes = btfTypeRows(spec.btf);
  return s;
}

function btfSummary(spec: ObjectSpec): NonNullable<ObjectSummary['btf']> {
  const btf = spec.btf as Btf;
  const kinds: Record<string, number> = {};
  for (const t of btf.types.slice(1)) kinds[KIND_NAMES[t.kind]!] = (kinds[KIND_NAMES[t.kind]!] ?? 0) + 1;
  const count = (m?: Map<string, unknown[]>) => [...(m?.values() ?? [])].reduce((a, l) => a + l.length, 0);
  return { types: btf.count, strings: btf.strings.length, kinds, funcInfo: count(spec.btfExt?.funcInfo), lineInfo: count(spec.btfExt?.lineInfo), coreRelos: count(spec.btfExt?.coreRelos) };
}

const SHT_NAMES: Record<number, string> = { 1: 'PROGBITS', 2: 'SYMTAB', 3: 'STRTAB', 4: 'RELA', 8: 'NOBITS', 9: 'REL', 0x6fff4c03: 'LLVM_ADDRSIG' };

/** Human-readable text for `ebpfvm inspect`. */
export function formatSummary(s: ObjectSummary): string {
  const L: string[] = [];
  L.push(`object ${s.name}: license "${s.license}" (${s.gpl ? 'GPL-compatible' : 'not GPL-compatible'})${s.kernVersion !== undefined ? `, version 0x${s.kernVersion.toString(16)}` : ''}`);
  L.push('', 'sections:');
  for (const x of s.sections) L.push(`  [${String(x.index).padStart(2)}] ${x.name.padEnd(24)} ${(SHT_NAMES[x.type] ?? `type ${x.type}`).padEnd(12)} size ${String(x.size).padStart(6)}${x.relocations ? `  ${x.relocations} relocations` : ''}`);
  L.push('', 'programs:');
  if (!s.programs.length) L.push('  (none)');
  for (const p of s.programs) L.push(`  ${p.name}: section ${p.section}, type ${p.type}, attach ${p.attachType}${p.attachTo ? ` (${p.attachTo})` : ''}, ${p.insns} insns${p.autoload ? '' : ', autoload off'}${p.sleepable ? ', sleepable' : ''}`);
  L.push('', 'maps:');
  if (!s.maps.length) L.push('  (none)');
  for (const m of s.maps) {
    const extra = [m.numaNode !== undefined ? `numa_node ${m.numaNode}` : '', m.pinning ? `pinning ${m.pinning}` : '', m.mapExtra ? `map_extra ${m.mapExtra}` : '', m.keyType ? `key ${m.keyType}` : '', m.valueType ? `value ${m.valueType}` : '']
      .filter(Boolean)
      .join(', ');
    L.push(`  ${m.name}: ${m.type}, key ${m.keySize}, value ${m.valueSize}, max_entries ${m.maxEntries}, flags 0x${m.flags.toString(16)} (${m.origin}, ${m.section})${extra ? `; ${extra}` : ''}`);
    if (m.inner) L.push(`    inner: ${m.inner.type}, key ${m.inner.keySize}, value ${m.inner.valueSize}, max_entries ${m.inner.maxEntries}`);
    for (const i of m.init ?? []) L.push(`    values[${i.index}] = ${i.kind} ${i.target}`);
  }
  L.push('', 'globals:');
  if (!s.globals.length) L.push('  (none)');
  for (const g of s.globals) L.push(`  ${g.name}: ${g.section}+${g.offset}, ${g.size} bytes, ${g.type || '?'}${g.linkage === 'static' ? ' (static)' : ''}`);
  L.push('', 'externs:');
  if (!s.externs.length) L.push('  (none)');
  for (const e of s.externs) L.push(`  ${e.name}: ${e.kind}${e.type ? ` ${e.type}` : ''}${e.offset !== undefined ? ` at .kconfig+${e.offset} (${e.size} bytes)` : ''}${e.weak ? ', weak' : ''}`);
  L.push('', 'btf:');
  if (!s.btf) L.push('  (none)');
  else {
    L.push(`  ${s.btf.types} types, ${s.btf.strings} bytes of strings; ${Object.entries(s.btf.kinds).map(([k, n]) => `${k.toLowerCase()} ${n}`).join(', ')}`);
    L.push(`  BTF.ext: ${s.btf.funcInfo} func_info, ${s.btf.lineInfo} line_info, ${s.btf.coreRelos} CO-RE relocations`);
  }
  for (const n of s.notes) L.push('', `note: ${n}`);
  return L.join('\n') + '\n';
}
