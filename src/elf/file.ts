// An ELF relocatable object as the loader needs it: sections (numeric header fields, bounds-checked
// data), the symbol table and SHT_REL relocations. elfy parses the header and names the sections;
// everything it does not do (symbols, relocations) and everything it does not check (offsets past
// the end of the file, odd entry sizes) is done here, so a corrupt file becomes an ElfError that
// names the section, symbol or offset at fault instead of a RangeError deep inside a parser.
import elfy from 'elfy';
import { ElfError, describeValue } from '../errors.js';

export const EM_BPF = 247;
export const ET_REL = 1;

/** Section header types the loader cares about. */
export const SHT = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  NOBITS: 8,
  REL: 9,
} as const;

/** Section flags. */
export const SHF = {
  WRITE: 0x1,
  ALLOC: 0x2,
  EXECINSTR: 0x4,
} as const;

export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;

/** BPF relocation types (llvm's ELF/BPF.def). */
export const RelocType = {
  NONE: 0,
  R_BPF_64_64: 1,
  R_BPF_64_ABS64: 2,
  R_BPF_64_ABS32: 3,
  R_BPF_64_NODYLD32: 4,
  R_BPF_64_32: 10,
} as const;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** File bytes of the section (empty for SHT_NOBITS: its size is `size`). */
  data: Uint8Array;
}

export interface ElfSymbol {
  index: number;
  name: string;
  value: number;
  size: number;
  bind: number;
  type: number;
  visibility: number;
  shndx: number;
}

export interface ElfReloc {
  /** Byte offset inside the target section. */
  offset: number;
  type: number;
  /** Index into the symbol table. */
  symbol: number;
}

const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const REL_SIZE = 16;

/** Read little-endian fields with bounds checks that report where the read was meant to happen. */
class Reader {
  private readonly dv: DataView;
  constructor(readonly bytes: Uint8Array, readonly where: string) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private check(off: number, n: number, what: string): void {
    if (off < 0 || off + n > this.bytes.length) {
      throw new ElfError(`${what} at offset ${off} runs past the end (${this.bytes.length} bytes)`, this.where);
    }
  }
  u8(off: number, what = 'field'): number {
    this.check(off, 1, what);
    return this.dv.getUint8(off);
  }
  u16(off: number, what = 'field'): number {
    this.check(off, 2, what);
    return this.dv.getUint16(off, true);
  }
  u32(off: number, what = 'field'): number {
    this.check(off, 4, what);
    return this.dv.getUint32(off, true);
  }
  /** 64-bit fields as numbers; anything above 2^53 cannot be a valid offset/size in memory anyway. */
  u64(off: number, what = 'field'): number {
    this.check(off, 8, what);
    const lo = this.dv.getUint32(off, true);
    const hi = this.dv.getUint32(off + 4, true);
    if (hi > 0x1fffff) throw new ElfError(`${what} at offset ${off} is too large (0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')})`, this.where);
    return hi * 0x100000000 + lo;
  }
}

/** NUL-terminated string at `off` in a string table section. */
export function readCString(table: Uint8Array, off: number, where: string): string {
  if (off >= table.length && !(off === 0 && table.length === 0)) {
    throw new ElfError(`string offset ${off} is outside the string table (${table.length} bytes)`, where);
  }
  let end = off;
  while (end < table.length && table[end] !== 0) end++;
  if (end >= table.length && table.length > 0) throw new ElfError(`string at offset ${off} is not NUL-terminated`, where);
  return decodeAscii(table, off, end);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function decodeAscii(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

const MACHINES: Record<number, string> = { 3: 'x86 (i386)', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V', 8: 'MIPS', 21: 'PowerPC64', 22: 'S/390' };

export class ElfFile {
  readonly sections: ElfSection[] = [];
  readonly symbols: ElfSymbol[] = [];
  /** Relocations by the index of the section they patch. */
  readonly relocations = new Map<number, ElfReloc[]>();
  /** Index of the symbol table section (0 when there is none). */
  readonly symtabIndex: number = 0;

  constructor(readonly bytes: Uint8Array) {
    // JavaScript callers may pass anything; a Buffer is a Uint8Array.
    if (!(bytes instanceof Uint8Array)) throw new ElfError(`expected the object's bytes as a Uint8Array, got ${describeValue(bytes)}`, 'ELF header');
    const hdr = new Reader(bytes, 'ELF header');
    if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
      throw new ElfError('not an ELF file (bad magic)', 'ELF header');
    }
    if (bytes.length < 64) throw new ElfError(`file is truncated (${bytes.length} bytes, the ELF64 header alone is 64)`, 'ELF header');
    const klass = hdr.u8(4);
    if (klass !== 2) throw new ElfError(`ELF class ${klass === 1 ? '32-bit' : klass} is not supported; BPF objects are ELF64`, 'ELF header');
    const data = hdr.u8(5);
    if (data === 2) throw new ElfError('big-endian BPF object (built with -target bpfeb?); only little-endian objects are supported', 'ELF header');
    if (data !== 1) throw new ElfError(`unknown ELF data encoding ${data}`, 'ELF header');
    const type = hdr.u16(16);
    const machine = hdr.u16(18);
    if (machine !== EM_BPF) {
      throw new ElfError(`not a BPF object: e_machine ${machine}${MACHINES[machine] ? ` (${MACHINES[machine]})` : ''}, expected ${EM_BPF} (EM_BPF)`, 'ELF header');
    }
    if (type !== ET_REL) throw new ElfError(`ELF type ${type} is not a relocatable object (ET_REL); pass the clang -c output`, 'ELF header');
    const shoff = hdr.u64(40, 'e_shoff');
    const shentsize = hdr.u16(58);
    let shnum = hdr.u16(60);
    const shstrndx = hdr.u16(62);
    const phnum = hdr.u16(56);
    if (phnum !== 0) throw new ElfError(`relocatable object has ${phnum} program headers`, 'ELF header');
    if (shnum === 0) throw new ElfError('no section headers (extended section numbering is not supported)', 'ELF header');
    if (shentsize !== SHDR_SIZE) throw new ElfError(`section header size ${shentsize}, expected ${SHDR_SIZE}`, 'ELF header');
    if (shoff + shnum * SHDR_SIZE > bytes.length) {
      throw new ElfError(`section header table (offset ${shoff}, ${shnum} entries) runs past the end of the file (${bytes.length} bytes)`, 'ELF header');
    }
    if (shstrndx >= shnum) throw new ElfError(`section name table index ${shstrndx} is out of range (${shnum} sections)`, 'ELF header');

    // Section headers: numeric fields straight from the table (elfy's 64-bit entsize/addralign are
    // read from the wrong offsets), data bounds-checked against the file.
    const raw: Omit<ElfSection, 'name' | 'data'>[] = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * SHDR_SIZE;
      const where = `section header ${i}`;
      const r = new Reader(bytes, where);
      const sh = {
        index: i,
        nameOff: r.u32(o),
        type: r.u32(o + 4),
        flags: r.u64(o + 8, 'sh_flags'),
        offset: r.u64(o + 24, 'sh_offset'),
        size: r.u64(o + 32, 'sh_size'),
        link: r.u32(o + 40),
        info: r.u32(o + 44),
        addralign: r.u64(o + 48, 'sh_addralign'),
        entsize: r.u64(o + 56, 'sh_entsize'),
      };
      if (sh.type !== SHT.NOBITS && sh.type !== SHT.NULL && sh.offset + sh.size > bytes.length) {
        throw new ElfError(`data (offset ${sh.offset}, size ${sh.size}) runs past the end of the file (${bytes.length} bytes)`, where);
      }
      raw.push(sh as Omit<ElfSection, 'name' | 'data'> & { nameOff: number });
    }
    const shstr = raw[shstrndx]!;
    if (shstr.type !== SHT.STRTAB) throw new ElfError(`section name table (section ${shstrndx}) is not a string table`, 'ELF header');
    const shstrData = bytes.subarray(shstr.offset, shstr.offset + shstr.size);
    // elfy reads names and the raw header table; it expects a Node Buffer, which we reach through
    // globalThis so this module stays free of node: imports. It asserts instead of reporting, so
    // it only sees a table validated above; should it still throw, that is a missing check here,
    // reported as an internal error (ElfError.internal) that the fuzz tests fail on.
    const BufferCtor = (globalThis as { Buffer?: { from(b: ArrayBufferLike, o: number, l: number): Uint8Array } }).Buffer;
    let parsed: ReturnType<typeof elfy.parse> | undefined;
    if (BufferCtor) {
      try {
        parsed = elfy.parse(BufferCtor.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      } catch (e) {
        throw new ElfError(`malformed ELF: ${(e as Error)?.message ?? String(e)}`, 'ELF header', { internal: true, cause: e });
      }
      if (parsed.body.sections.length !== shnum) throw new ElfError('section count disagrees with the header', 'ELF header', { internal: true });
    }

    for (const sh of raw as (Omit<ElfSection, 'name' | 'data'> & { nameOff: number })[]) {
      const name = readCString(shstrData, sh.nameOff, `section header ${sh.index} name`);
      // elfy decodes names as UTF-8 and this reader byte by byte: they agree on ASCII names
      if (parsed && isAscii(name) && parsed.body.sections[sh.index]!.name !== name) throw new ElfError('section name disagrees with elfy', `section ${sh.index}`, { internal: true });
      const data = sh.type === SHT.NOBITS || sh.type === SHT.NULL ? new Uint8Array(0) : bytes.subarray(sh.offset, sh.offset + sh.size);
      const { nameOff: _n, ...rest } = sh;
      void _n;
      this.sections.push({ ...rest, name, data });
    }

    const symtabs = this.sections.filter((s) => s.type === SHT.SYMTAB);
    if (symtabs.length > 1) throw new ElfError('more than one symbol table', symtabs[1]!.name);
    if (symtabs.length === 1) {
      this.symtabIndex = symtabs[0]!.index;
      this.readSymbols(symtabs[0]!);
    }
    for (const s of this.sections) if (s.type === SHT.REL) this.readRelocations(s);
  }

  private sectionWhere(s: ElfSection): string {
    return `section ${s.name || `#${s.index}`}`;
  }

  private readSymbols(symtab: ElfSection): void {
    const where = this.sectionWhere(symtab);
    if (symtab.size % SYM_SIZE !== 0) throw new ElfError(`size ${symtab.size} is not a multiple of ${SYM_SIZE}`, where);
    const strtab = this.sections[symtab.link];
    if (!strtab || strtab.type !== SHT.STRTAB) throw new ElfError(`linked string table ${symtab.link} is missing or not a string table`, where);
    const r = new Reader(symtab.data, where);
    const n = symtab.size / SYM_SIZE;
    for (let i = 0; i < n; i++) {
      const o = i * SYM_SIZE;
      const info = r.u8(o + 4);
      const shndx = r.u16(o + 6);
      const name = readCString(strtab.data, r.u32(o), `symbol #${i} name`);
      const sym: ElfSymbol = {
        index: i,
        name,
        bind: info >> 4,
        type: info & 0xf,
        visibility: r.u8(o + 5) & 3,
        shndx,
        value: r.u64(o + 8, `symbol ${name || '#' + i} value`),
        size: r.u64(o + 16, `symbol ${name || '#' + i} size`),
      };
      if (shndx !== SHN_UNDEF && shndx < 0xff00 && shndx >= this.sections.length) {
        throw new ElfError(`section index ${shndx} is out of range (${this.sections.length} sections)`, `symbol ${name || '#' + i}`);
      }
      this.symbols.push(sym);
    }
  }

  private readRelocations(rel: ElfSection): void {
    const where = this.sectionWhere(rel);
    if (rel.size % REL_SIZE !== 0) throw new ElfError(`size ${rel.size} is not a multiple of ${REL_SIZE}`, where);
    if (rel.link !== this.symtabIndex || this.symtabIndex === 0) throw new ElfError(`relocations refer to section ${rel.link}, which is not the symbol table`, where);
    const target = this.sections[rel.info];
    if (!target || rel.info === 0) throw new ElfError(`relocations apply to section ${rel.info}, which does not exist`, where);
    const r = new Reader(rel.data, where);
    const out: ElfReloc[] = [];
    const n = rel.size / REL_SIZE;
    for (let i = 0; i < n; i++) {
      const o = i * REL_SIZE;
      const offset = r.u64(o, `relocation #${i} offset`);
      const type = r.u32(o + 8);
      const symbol = r.u32(o + 12);
      if (symbol >= this.symbols.length) throw new ElfError(`relocation #${i} refers to symbol ${symbol}, out of range (${this.symbols.length} symbols)`, where);
      if (offset >= target.size) throw new ElfError(`relocation #${i} offset ${offset} is outside ${target.name} (${target.size} bytes)`, where);
      out.push({ offset, type, symbol });
    }
    const list = this.relocations.get(rel.info) ?? [];
    list.push(...out);
    this.relocations.set(rel.info, list);
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** Symbol name for messages: its own name, or its section's name for STT_SECTION symbols. */
  symbolName(sym: ElfSymbol): string {
    if (sym.name) return sym.name;
    if (sym.type === STT.SECTION) return this.sections[sym.shndx]?.name ?? `section#${sym.shndx}`;
    return `symbol#${sym.index}`;
  }
}

export function parseElf(bytes: Uint8Array): ElfFile {
  return new ElfFile(bytes);
}
