// What the ELF says, before anything is live (cilium/ebpf's CollectionSpec): programs, maps,
// global variables, externs. Everything here is plain data the user may edit between open and
// load; `load()` turns it into a LoadedObject inside a Runtime.
import type { StructOpsValue } from '../btf/builtin-struct-ops.js';
import type { Insn } from '../../vm/isa.js';
import type { MapSpec } from '../../maps/types.js';
import type { Btf } from '../btf/btf.js';
import type { BtfExt, CoreRelo, LineInfo, FuncInfo } from '../btf/ext.js';
import type { ElfFile, ElfSymbol } from '../elf/file.js';

/** A relocation attached to one instruction of a function. */
export interface InsnReloc {
  type: number;
  symbol: ElfSymbol;
}

/** One BPF function (a program entry point or a subprogram), with section-relative debug info
 *  rebased to the function's first instruction. */
export interface FuncSpec {
  name: string;
  section: string;
  sectionIndex: number;
  /** First instruction of the function inside its section. */
  start: number;
  insns: Insn[];
  global: boolean;
  relocs: Map<number, InsnReloc>;
  funcInfo: FuncInfo[];
  lineInfo: LineInfo[];
  coreRelos: CoreRelo[];
}

export interface ProgramSpec {
  name: string;
  /** ELF section name without the `?` prefix (libbpf forgets the `?` too). */
  section: string;
  progType: number;
  expectedAttachType: number;
  /** Whether the section table names an attach type (0 is also CGROUP_INET_INGRESS). */
  hasAttachType: boolean;
  /** Part of the section name after the first '/', e.g. the kprobe target. */
  attachTo?: string;
  sleepable: boolean;
  /** Loaded by `load()`; SEC("?...") programs start with false. */
  autoload: boolean;
  /** Whether the section name matched libbpf's section table. */
  known: boolean;
  /** The entry function; its `insns` may be edited before load. */
  func: FuncSpec;
}

/** Where a map came from. */
export type MapOrigin = 'btf' | 'legacy' | 'data' | 'kconfig';

/** A map slot initialiser from a `values = { ... }` list: a map (map-in-map) or a program (prog_array). */
export interface MapInitSlot {
  index: number;
  kind: 'map' | 'prog';
  target: string;
}

export interface ObjMapSpec extends MapSpec {
  origin: MapOrigin;
  /** ELF section holding the definition or the data. */
  section: string;
  /** `values` initialisers (by symbol name). */
  initSlots?: MapInitSlot[];
  /** A BPF arena map's initial first bytes: the `.addr_space.1` image (global `__arena`
   *  variables), written to the arena's first pages after it is created. */
  arenaData?: Uint8Array;
  /** Whether load creates it (users may turn maps off, like bpf_map__set_autocreate). */
  autocreate: boolean;
  /** A struct_ops map's value as registration reads it (maps/struct-ops.ts): the kernel names
   *  of the members set to programs, and the other members' bytes by name. */
  structOps?: StructOpsValue;
  /** Name of the map's BTF var/type for display. */
  keyType?: string;
  valueType?: string;
}

/** A variable in a global data section, readable and settable before load. */
export interface GlobalVar {
  name: string;
  section: string;
  /** Name of the map holding this section. */
  map: string;
  offset: number;
  size: number;
  /** C type name from BTF ("unsigned int", "struct cfg"), or "" without BTF. */
  type: string;
  typeId?: number;
  linkage: 'static' | 'global';
  /** Current bytes of the variable (a view into the map's initial contents). */
  get(): Uint8Array;
  /** Set from bytes (exact size), a number or a bigint (little-endian, sized to the variable). */
  set(value: Uint8Array | number | bigint): void;
}

export type KconfigType = 'bool' | 'tristate' | 'char' | 'int' | 'uint' | 'char_array';

export interface ExternSpec {
  name: string;
  kind: 'kconfig' | 'ksym' | 'kfunc';
  weak: boolean;
  typeId?: number;
  /** .kconfig: the value's layout inside the .kconfig map. */
  kconfigType?: KconfigType;
  offset?: number;
  size?: number;
  /** .ksyms variables: the declared type id (0 for a typeless `extern const void x __ksym`). */
  ksymType?: number;
}

export interface ObjectSpec {
  /** Object name as libbpf derives it (file base name up to the first '.'). */
  name: string;
  license: string;
  gpl: boolean;
  kernVersion?: number;
  programs: Map<string, ProgramSpec>;
  /** Every function by section index and start, programs and subprograms alike. */
  functions: FuncSpec[];
  maps: Map<string, ObjMapSpec>;
  globals: Map<string, GlobalVar>;
  externs: ExternSpec[];
  /** User-set `.kconfig` values: numbers/bigints, booleans, 'y'/'n'/'m', or strings for char arrays. */
  kconfig: Map<string, number | bigint | boolean | string>;
  btf?: Btf;
  btfExt?: BtfExt;
  /** Deprecations and other things a user should know (e.g. the legacy maps section). */
  notes: string[];
  elf: ElfFile;
}

export type { LineInfo, FuncInfo, CoreRelo };
