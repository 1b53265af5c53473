// openObject: ELF bytes -> ObjectSpec, following libbpf's rules for what is a program, a map, a
// global variable and an extern. Nothing is created here; see load.ts for that.
import { BtfError, ElfError, LinkError, EbpfvmError, UsageError, describeValue } from '../errors.js';
import { rawInsns, INSN_SIZE } from '../../vm/isa.js';
import { ProgType } from '../../vm/prog-types.js';
import { parseElf, SHT, SHF, STB, STT, SHN_UNDEF, type ElfFile, type ElfSection, type ElfSymbol } from '../elf/file.js';
import { parseBtf, BtfKind, type Btf } from '../btf/btf.js';
import { parseBtfExt, type BtfExt } from '../btf/ext.js';
import { findSectionDef, attachTarget } from './sections.js';
import { isGplCompatible } from './license.js';
import { collectBtfMaps, collectLegacyMaps, collectStructOps } from './maps.js';
import { collectArenaData, collectGlobalData } from './globals.js';
import { collectExterns } from './externs.js';
import type { FuncSpec, ObjectSpec, ProgramSpec, InsnReloc } from './spec.js';

export interface OpenOptions {
  /** Object name used for global data map names (libbpf: the file name up to the first '.'). */
  name?: string;
}

/** libbpf's object name: base name up to the first '.'. */
export function objectNameFromPath(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

export function isCodeSection(s: ElfSection): boolean {
  return s.type === SHT.PROGBITS && (s.flags & SHF.EXECINSTR) !== 0;
}

export function openObject(bytes: Uint8Array, options: OpenOptions = {}): ObjectSpec {
  if (options === null || typeof options !== 'object') throw new UsageError(`openObject: options must be an object, got ${describeValue(options)}`);
  if (options.name !== undefined && typeof options.name !== 'string') throw new UsageError(`openObject: options.name must be a string, got ${describeValue(options.name)}`);
  try {
    return openInner(bytes, options);
  } catch (e) {
    if (e instanceof EbpfvmError) throw e;
    // Anything else is a bug in a bounds check; still report it as bad input with a location,
    // marked internal so tests and fuzzers notice the missing check.
    throw new ElfError(`malformed object: ${(e as Error)?.message ?? String(e)}`, options.name ?? 'object', { internal: true, cause: e });
  }
}

function openInner(bytes: Uint8Array, options: OpenOptions): ObjectSpec {
  const elf = parseElf(bytes);
  const name = options.name ?? 'obj';
  const btfSec = elf.section('.BTF');
  const btf = btfSec ? parseBtf(btfSec.data) : undefined;
  const extSec = elf.section('.BTF.ext');
  let btfExt: BtfExt | undefined;
  if (extSec) {
    if (!btf) throw new BtfError('present without .BTF', '.BTF.ext');
    btfExt = parseBtfExt(extSec.data, btf);
  }

  const licSec = elf.section('license');
  const license = licSec ? cString(licSec.data) : '';
  const verSec = elf.section('version');
  let kernVersion: number | undefined;
  if (verSec) {
    if (verSec.size !== 4) throw new ElfError(`size ${verSec.size}, expected 4`, 'section version');
    kernVersion = new DataView(verSec.data.buffer, verSec.data.byteOffset, 4).getUint32(0, true);
  }

  const spec: ObjectSpec = {
    name,
    license,
    gpl: isGplCompatible(license),
    programs: new Map(),
    functions: [],
    maps: new Map(),
    globals: new Map(),
    externs: [],
    kconfig: new Map(),
    notes: [],
    elf,
  };
  if (kernVersion !== undefined) spec.kernVersion = kernVersion;
  if (btf) spec.btf = btf;
  if (btfExt) spec.btfExt = btfExt;

  if (btf) fixupDatasecs(elf, btf);
  collectFunctions(elf, spec, btfExt);
  collectBtfMaps(elf, spec);
  collectLegacyMaps(elf, spec);
  collectStructOps(elf, spec);
  collectGlobalData(elf, spec);
  collectArenaData(elf, spec);
  collectExterns(elf, spec);
  return spec;
}

function cString(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length && b[i] !== 0; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** clang leaves DATASEC sizes (and sometimes variable offsets) for the linker; fill them from the
 *  ELF the way libbpf does, so layouts and the BTF dump agree with it. */
const STV_INTERNAL = 1;
const STV_HIDDEN = 2;

function fixupDatasecs(elf: ElfFile, btf: Btf): void {
  for (const t of btf.types) {
    if (t.kind !== BtfKind.DATASEC) continue;
    const sec = elf.section(t.name);
    if (!sec) continue; // .kconfig/.ksyms have no ELF section; externs.ts lays them out
    if (t.sizeOrType === 0) t.sizeOrType = sec.size;
    for (const v of t.vars!) {
      const vt = btf.type(v.type, `.BTF DATASEC ${t.name}`);
      if (vt.kind !== BtfKind.VAR) continue;
      if (vt.linkage === 0 && v.offset !== 0) continue; // static: clang already knows the offset
      const sym = elf.symbols.find((s) => s.name === vt.name && s.shndx === sec.index);
      if (!sym) continue;
      v.offset = sym.value;
      // A global with hidden or internal visibility is static to libbpf (it then leaves the
      // section's map without BPF_F_MMAPABLE, which a map holding a bpf_spin_lock needs).
      if (sym.visibility === STV_INTERNAL || sym.visibility === STV_HIDDEN) vt.linkage = 0;
    }
    sortDatasec(t);
  }
}

/** libbpf sorts DATASEC entries by offset after fixing them up. */
export function sortDatasec(t: { vars?: { offset: number }[] }): void {
  t.vars?.sort((a, b) => a.offset - b.offset);
}

function collectFunctions(elf: ElfFile, spec: ObjectSpec, ext: BtfExt | undefined): void {
  const relocsBySection = elf.relocations;
  for (const sec of elf.sections) {
    if (!isCodeSection(sec) || sec.size === 0) continue;
    const where = `section ${sec.name}`;
    if (sec.size % INSN_SIZE !== 0) throw new ElfError(`size ${sec.size} is not a multiple of ${INSN_SIZE}`, where);
    const all = rawInsns(sec.data);
    const syms = elf.symbols
      .filter((s) => s.shndx === sec.index && s.type === STT.FUNC)
      .sort((a, b) => a.value - b.value);
    if (syms.length === 0) throw new LinkError('executable section has no function symbols', where);
    const isText = sec.name === '.text';
    const progSection = sec.name.startsWith('?') ? sec.name.slice(1) : sec.name;
    const secRelocs = relocsBySection.get(sec.index) ?? [];
    const funcInfo = ext?.funcInfo.get(sec.name) ?? [];
    const lineInfo = ext?.lineInfo.get(sec.name) ?? [];
    const core = ext?.coreRelos.get(sec.name) ?? [];
    for (let k = 0; k < syms.length; k++) {
      const sym = syms[k]!;
      const fname = sym.name || `func#${sym.index}`;
      const fwhere = `${where} function ${fname}`;
      if (sym.value % INSN_SIZE !== 0) throw new ElfError(`offset ${sym.value} is not instruction-aligned`, fwhere);
      // clang sets st_size; without it the function runs to the next symbol.
      const end = sym.size > 0 ? sym.value + sym.size : k + 1 < syms.length ? syms[k + 1]!.value : sec.size;
      if (end > sec.size || end <= sym.value || (end - sym.value) % INSN_SIZE !== 0) {
        throw new ElfError(`offset ${sym.value}, size ${end - sym.value} does not fit the section (${sec.size} bytes)`, fwhere);
      }
      const start = sym.value / INSN_SIZE;
      const stop = end / INSN_SIZE;
      const relocs = new Map<number, InsnReloc>();
      for (const r of secRelocs) {
        if (r.offset % INSN_SIZE !== 0) throw new ElfError(`relocation at offset ${r.offset} is not instruction-aligned`, where);
        const i = r.offset / INSN_SIZE;
        if (i >= start && i < stop) relocs.set(i - start, { type: r.type, symbol: elf.symbols[r.symbol]! });
      }
      const within = <T extends { insn: number }>(list: T[]) => list.filter((x) => x.insn >= start && x.insn < stop).map((x) => ({ ...x, insn: x.insn - start }));
      const func: FuncSpec = {
        name: fname,
        section: sec.name,
        sectionIndex: sec.index,
        start,
        insns: all.slice(start, stop),
        global: sym.bind !== STB.LOCAL,
        relocs,
        funcInfo: within(funcInfo),
        lineInfo: within(lineInfo),
        coreRelos: within(core),
      };
      spec.functions.push(func);
      if (isText) continue; // .text holds subprograms only
      if (sym.bind === STB.LOCAL) {
        throw new LinkError(`program ${fname} is static; libbpf only accepts global functions as programs`, where);
      }
      if (spec.programs.has(fname)) throw new LinkError(`duplicate program name ${fname}`, where);
      const def = findSectionDef(progSection);
      const prog: ProgramSpec = {
        name: fname,
        section: progSection,
        progType: def?.progType ?? ProgType.UNSPEC,
        expectedAttachType: def?.attachType ?? 0,
        hasAttachType: def?.hasAttachType ?? false,
        sleepable: def?.sleepable ?? false,
        autoload: !sec.name.startsWith('?'),
        known: def !== undefined,
        func,
      };
      const target = def ? attachTarget(progSection) : undefined;
      if (target !== undefined) prog.attachTo = target;
      spec.programs.set(fname, prog);
    }
  }
}

/** The function that contains instruction `insn` of section `sectionIndex`. */
export function functionAt(spec: ObjectSpec, sectionIndex: number, insn: number): FuncSpec | undefined {
  return spec.functions.find((f) => f.sectionIndex === sectionIndex && insn >= f.start && insn < f.start + f.insns.length);
}

export function symbolSection(elf: ElfFile, sym: ElfSymbol): ElfSection | undefined {
  return sym.shndx === SHN_UNDEF || sym.shndx >= 0xff00 ? undefined : elf.sections[sym.shndx];
}
