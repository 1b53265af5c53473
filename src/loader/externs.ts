// Extern symbols: `.kconfig` variables (laid out in one read-only map, ordered as libbpf orders
// them so offsets agree), `.ksyms` variables (kernel symbol addresses) and `.ksyms` functions
// (kfuncs). The values are decided at load: see kconfigImage().
import { BtfError, LinkError } from '../errors.js';
import { MapType, MapFlag } from '../../maps/types.js';
import { BtfKind, IntEnc, Linkage, type Btf } from '../btf/btf.js';
import { SHN_UNDEF, STB, STT, type ElfFile } from '../elf/file.js';
import { encodeScalar, internalMapName } from './globals.js';
import type { ExternSpec, KconfigType, ObjectSpec, ObjMapSpec } from './spec.js';

export const KCONFIG_SEC = '.kconfig';
export const KSYMS_SEC = '.ksyms';

function kconfigType(btf: Btf, typeId: number, where: string): KconfigType {
  const t = btf.resolve(typeId);
  if (t.kind === BtfKind.INT) {
    if (t.sizeOrType === 1 && (t.intEncoding! & IntEnc.BOOL)) return 'bool';
    if (t.sizeOrType === 1) return 'char'; // libbpf: any other 1-byte int is a char
    if (![1, 2, 4, 8].includes(t.sizeOrType)) throw new BtfError(`unsupported integer size ${t.sizeOrType}`, where);
    return t.intEncoding! & IntEnc.SIGNED ? 'int' : 'uint';
  }
  if (t.kind === BtfKind.ENUM) return t.name === 'libbpf_tristate' ? 'tristate' : t.kindFlag ? 'int' : 'uint';
  if (t.kind === BtfKind.ARRAY) {
    const e = btf.resolve(t.elemType!);
    if (e.kind === BtfKind.INT && e.sizeOrType === 1 && !(e.intEncoding! & IntEnc.BOOL)) return 'char_array';
  }
  throw new BtfError(`unsupported .kconfig type ${btf.typeName(typeId)}`, where);
}

/** Which datasec (.kconfig/.ksyms) declares an extern of this name. */
function externSection(btf: Btf, name: string): { sec: string; typeId: number; isFunc: boolean } | undefined {
  for (const sec of [KCONFIG_SEC, KSYMS_SEC]) {
    const ds = btf.datasec(sec);
    if (!ds) continue;
    for (const v of ds.vars!) {
      const t = btf.type(v.type);
      if ((t.kind === BtfKind.VAR || t.kind === BtfKind.FUNC) && t.name === name) return { sec, typeId: t.id, isFunc: t.kind === BtfKind.FUNC };
    }
  }
  const f = btf.find(name, BtfKind.FUNC).find((t) => t.linkage === Linkage.EXTERN);
  if (f) return { sec: KSYMS_SEC, typeId: f.id, isFunc: true };
  return undefined;
}

export function collectExterns(elf: ElfFile, spec: ObjectSpec): void {
  const externs = elf.symbols.filter((s) => s.shndx === SHN_UNDEF && s.name && (s.bind === STB.GLOBAL || s.bind === STB.WEAK) && s.type !== STT.SECTION && s.type !== STT.FILE);
  if (externs.length === 0) return;
  const btf = spec.btf;
  const kcfg: (ExternSpec & { align: number })[] = [];
  for (const s of externs) {
    const where = `extern ${s.name}`;
    if (!btf) throw new LinkError('externs need BTF to be resolved (compile with -g)', where);
    const found = externSection(btf, s.name);
    if (!found) throw new LinkError('not declared in .kconfig or .ksyms (mark it __kconfig or __ksym)', where);
    const weak = s.bind === STB.WEAK;
    if (found.isFunc) {
      spec.externs.push({ name: s.name, kind: 'kfunc', weak, typeId: found.typeId });
    } else if (found.sec === KSYMS_SEC) {
      // The declared type, before the DATASEC rewrite below makes every ksym an int: typed
      // ksyms are checked against the kernel's VAR at load, as libbpf does.
      spec.externs.push({ name: s.name, kind: 'ksym', weak, typeId: found.typeId, ksymType: btf.type(found.typeId).sizeOrType });
    } else {
      const varType = btf.type(found.typeId).sizeOrType;
      const e = { name: s.name, kind: 'kconfig' as const, weak, typeId: found.typeId, kconfigType: kconfigType(btf, varType, where), size: btf.sizeof(varType), align: btf.alignof(varType) };
      kcfg.push(e);
    }
  }
  rewriteKsymsDatasec(btf!);
  if (kcfg.length === 0) return;
  // libbpf's order: larger alignment first, then smaller size, then name.
  kcfg.sort((a, b) => b.align - a.align || a.size! - b.size! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let off = 0;
  for (const e of kcfg) {
    off = Math.ceil(off / e.align) * e.align;
    const { align: _a, ...ext } = e;
    void _a;
    ext.offset = off;
    off += e.size!;
    spec.externs.push(ext);
  }
  // Rewrite the .kconfig DATASEC the way libbpf does, so its BTF agrees with the map layout.
  const ds = btf!.datasec(KCONFIG_SEC);
  if (ds) {
    ds.sizeOrType = off;
    for (const v of ds.vars!) {
      const name = btf!.type(v.type).name;
      const e = spec.externs.find((x) => x.kind === 'kconfig' && x.name === name);
      if (e) v.offset = e.offset!;
      btf!.type(v.type).linkage = Linkage.GLOBAL;
    }
    ds.vars!.sort((a, b) => a.offset - b.offset);
  }
  const mapName = internalMapName(spec.name, KCONFIG_SEC);
  const m: ObjMapSpec = {
    name: mapName,
    type: MapType.ARRAY,
    keySize: 4,
    valueSize: off,
    maxEntries: 1,
    flags: MapFlag.RDONLY_PROG | MapFlag.MMAPABLE,
    origin: 'kconfig',
    section: KCONFIG_SEC,
    autocreate: true,
  };
  if (ds) m.btfValueTypeId = ds.id;
  spec.maps.set(mapName, m);
}

/** libbpf turns .ksyms variables into allocated 4-byte ints in BTF (so the kernel accepts the
 *  DATASEC); do the same so our BTF matches what libbpf would load. */
function rewriteKsymsDatasec(btf: Btf): void {
  const ds = btf.datasec(KSYMS_SEC);
  if (!ds) return;
  const int = btf.types.find((t) => t.kind === BtfKind.INT && t.sizeOrType === 4 && t.intBits === 32);
  // kfuncs are FUNCs in the DATASEC; libbpf points their entries at one added `dummy_ksym` VAR,
  // names unnamed parameters after it and marks the FUNC global.
  let dummy = 0;
  if (ds.vars!.some((v) => btf.type(v.type).kind === BtfKind.FUNC)) {
    dummy = btf.addType({ kind: BtfKind.VAR, name: 'dummy_ksym', kindFlag: false, vlen: 0, sizeOrType: int?.id ?? 0, linkage: Linkage.GLOBAL });
  }
  let off = 0;
  for (const v of ds.vars!) {
    const vt = btf.type(v.type);
    if (vt.kind === BtfKind.VAR) {
      vt.linkage = Linkage.GLOBAL;
      if (int) vt.sizeOrType = int.id;
    } else if (vt.kind === BtfKind.FUNC) {
      const proto = btf.type(vt.sizeOrType);
      for (const p of proto.params ?? []) if (p.type && !p.name) p.name = 'dummy_ksym';
      vt.linkage = Linkage.GLOBAL;
      vt.vlen = Linkage.GLOBAL;
      v.type = dummy;
    }
    v.offset = off;
    v.size = 4;
    off += 4;
  }
  ds.sizeOrType = off;
}

/** Values libbpf supplies itself when the kernel config does not have them, then the built-in
 *  kernel's config: what libbpf would read from /proc/config.gz. Those are the options BPF
 *  programs commonly read, as set on the x86-64 Linux 6.18 host the kernel fixtures come from
 *  (an option that kernel has not set is absent, as libbpf's parser skips `# ... is not set`
 *  lines: a weak extern reads 0, a strong one refuses the load). */
export const KCONFIG_DEFAULTS: Record<string, number | bigint | boolean> = {
  // Linux 6.8.0 encoded as KERNEL_VERSION(a, b, c) = a << 16 | b << 8 | c.
  LINUX_KERNEL_VERSION: (6 << 16) | (8 << 8),
  LINUX_HAS_BPF_COOKIE: true,
  LINUX_HAS_SYSCALL_WRAPPER: true,
  CONFIG_BPF_SYSCALL: true,
  CONFIG_BPF_JIT: true,
  CONFIG_BPF_EVENTS: true,
  CONFIG_HZ: 250,
  CONFIG_PREEMPT_NONE: true,
  CONFIG_X86_64: true,
  CONFIG_64BIT: true,
  CONFIG_SMP: true,
  CONFIG_NET: true,
  CONFIG_INET: true,
  CONFIG_IPV6: true,
  CONFIG_IPV6_SUBTREES: true,
  CONFIG_SECURITY_SELINUX: true,
};

/** Encode one kconfig value with libbpf's rules (tristate y/n/m = 1/0/2, bool y/n, char 'y'...). */
export function encodeKconfig(e: ExternSpec, value: number | bigint | boolean | string): Uint8Array {
  const where = `extern ${e.name}`;
  const size = e.size!;
  const tri: Record<string, number> = { y: 1, n: 0, m: 2 };
  switch (e.kconfigType) {
    case 'bool':
      if (value === 'm') throw new LinkError('value "m" is not valid for a bool (use enum libbpf_tristate)', where);
      if (typeof value === 'string') {
        if (!(value in tri)) throw new LinkError(`"${value}" is not y/n`, where);
        return encodeScalar(tri[value]!, 1, where);
      }
      if (typeof value === 'boolean') return encodeScalar(value ? 1 : 0, 1, where);
      if (BigInt(value) !== 0n && BigInt(value) !== 1n) throw new LinkError(`${value} is not a bool`, where);
      return encodeScalar(value, 1, where);
    case 'tristate':
      if (typeof value === 'string') {
        if (!(value in tri)) throw new LinkError(`"${value}" is not y/n/m`, where);
        return encodeScalar(tri[value]!, size, where);
      }
      if (typeof value === 'boolean') return encodeScalar(value ? 1 : 0, size, where);
      if (![0n, 1n, 2n].includes(BigInt(value))) throw new LinkError(`${value} is not a tristate (0 n, 1 y, 2 m)`, where);
      return encodeScalar(value, size, where);
    case 'char':
      if (typeof value === 'string') {
        if (value.length !== 1) throw new LinkError(`"${value}" is not one character`, where);
        return new Uint8Array([value.charCodeAt(0) & 0xff]);
      }
      if (typeof value === 'boolean') return new Uint8Array([value ? 0x79 : 0x6e]);
      return encodeScalar(value, 1, where);
    case 'char_array': {
      if (typeof value !== 'string') throw new LinkError('a char array needs a string value', where);
      const out = new Uint8Array(size);
      // Truncated to leave the terminating NUL, as libbpf does with a warning.
      for (let i = 0; i < Math.min(value.length, size - 1); i++) out[i] = value.charCodeAt(i) & 0xff;
      return out;
    }
    default: {
      if (typeof value === 'boolean') return encodeScalar(value ? 1 : 0, size, where);
      if (typeof value === 'string') {
        if (value in tri && e.kconfigType === 'uint') return encodeScalar(tri[value]!, size, where);
        if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(value)) throw new LinkError(`"${value}" is not an integer`, where);
        value = value.startsWith('-') ? -BigInt(value.slice(1)) : BigInt(value);
      }
      if (e.kconfigType === 'uint' && BigInt(value) < 0n) throw new LinkError(`${value} is negative but the type is unsigned`, where);
      return encodeScalar(value, size, where);
    }
  }
}

/** The .kconfig map's value at load: user values, libbpf's defaults, weak -> 0, strong -> error. */
export function kconfigImage(spec: ObjectSpec, defaults: Record<string, number | bigint | boolean | string> = KCONFIG_DEFAULTS): Uint8Array | undefined {
  const ext = spec.externs.filter((e) => e.kind === 'kconfig');
  if (ext.length === 0) return undefined;
  const m = [...spec.maps.values()].find((x) => x.origin === 'kconfig')!;
  const image = new Uint8Array(m.valueSize);
  for (const e of ext) {
    const v = spec.kconfig.get(e.name) ?? defaults[e.name];
    if (v === undefined) {
      if (e.weak) continue; // weak and unknown: 0, as libbpf
      throw new LinkError(`no value for strong .kconfig extern (set it with spec.kconfig.set('${e.name}', ...) or declare it __weak)`, `extern ${e.name}`);
    }
    image.set(encodeKconfig(e, v), e.offset!);
  }
  return image;
}
