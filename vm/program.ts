// A program as the VM runs it: linked (subprograms appended, calls resolved), relocated (map
// references point at runtime map ids), with the debug info needed for fault messages and traces.
import type { Insn } from './isa.js';
import type { GraphRecord } from '../maps/graph.js';

export interface Program {
  name: string;
  /** vm/prog-types number. */
  progType: number;
  /** Instruction slots. LD_IMM64 with src 1 (MAP_FD) / 2 (MAP_VALUE) carries a runtime map id in
   *  imm (and the value offset in the second slot's imm for src 2); src 4 (FUNC) carries the
   *  target relative to the next slot, like a local call. */
  insns: Insn[];
  /** The verifier's rewrite of a loaded program (verifier/fixups.ts, the kernel's "xlated"
   *  program): it may use r11, the kernel's hidden scratch register BPF_REG_AX. */
  xlated?: boolean;
  /** GPL-compatible license: gpl_only helpers are refused otherwise. */
  gpl: boolean;
  /** Source lines from BTF.ext line_info, sorted by pc. */
  lineInfo?: { pc: number; file: string; line: number; col: number; text: string }[];
  /** Entry points of the main program (pc 0) and each appended subprogram. */
  funcs?: { pc: number; name: string }[];
  /** Poisoned CO-RE relocations (calls to helper 0xbad2310) by pc, with the message a run that
   *  reaches one faults with (src/btf/core.ts). */
  coreFailures?: ReadonlyMap<number, string>;
  /** The same relocations' local specs as libbpf formats them, for the log line libbpf puts in
   *  place of the kernel's when the verifier stops at one (src/verify.ts). */
  coreFailureSpecs?: ReadonlyMap<number, string>;
  /** Helper calls the kernel's verifier refuses when its walk reaches them (a helper this program
   *  type may not call, a gpl_only helper in a non-GPL program, a map the helper does not take),
   *  by pc, with the verifier's line (src/loader/load.ts). The verifier reports them itself; a run
   *  without it faults with the line at the call instead of calling the helper. */
  refusedCalls?: ReadonlyMap<number, string>;
  /** The kfunc each kfunc call names, by pc (for fault messages: a weak kfunc the runtime lacks
   *  is a call to id 0). */
  kfuncNames?: ReadonlyMap<number, string>;
  /** Section name and attach target, when loaded from ELF. */
  section?: string;
  /** The expected attach type the section gives (BPF_XDP_DEVMAP, ...), when loaded from ELF. */
  expectedAttachType?: number;
  /** struct_ops programs: the struct type whose member (expectedAttachType) they implement. */
  structOps?: string;
  /** Entry pc of the exception callback (`__exception_cb`): where a bpf_throw ends the run. */
  exceptionCallback?: number;
  /** Functions of this program an attached extension (freplace) program replaces (the kernel's
   *  aux->is_extended): such a program may not be a tail-call target (maps/prog-array.ts). */
  extendedFuncs?: readonly string[];
  /** Entries of attached extensions' code appended to this program, each an exception boundary
   *  (a bpf_throw inside it ends there): the pc of its exception callback, or undefined for the
   *  default one (the cookie is returned). */
  extensionBoundaries?: ReadonlyMap<number, number | undefined>;
  /** The verifier proved (rbtree strict mode) that every rbtree helper touching a tree runs with
   *  that tree's lock held: the helpers skip their run-time lock check (helpers/rbtree.ts). */
  rbtreeLockProven?: boolean;
  /** The BPF arena map the program uses (the kernel's prog->aux->arena, one at most): what
   *  addr_space_cast to the user view puts in the upper half. */
  arena?: { readonly mapId: number; readonly userHi: number; readonly noUserConv: boolean };
  /** What the verifier proved about exactly these instructions (src/verify.ts sets it on an
   *  accepted program it did not rewrite). The compiling tier uses it only for runs that say the
   *  program runs as verified (`ExecRequest.verified`): those start as the kernel starts them (r1
   *  the context), which is what the proof assumed. */
  proven?: ProvenFacts;
  /** Loads the verifier saw through a BTF-typed pointer (src/verify.ts sets it with `proven`):
   *  the kernel makes them BPF_PROBE_MEM loads, so in runs of the accepted program they read 0 where the
   *  kernel object is not there (a NULL member, an unmapped field) instead of faulting. */
  probeLoads?: ReadonlySet<number>;
  /** The special fields of a type of the program's own BTF (bpf_obj_new's local type id), or why
   *  there are none: absent when the program carries no BTF. */
  localType?: (typeId: number) => GraphRecord | string;
}

/** Per-slot facts of an accepted program, for the compiling tier (vm/compiler). */
export interface ProvenFacts {
  /** The instruction array the facts were proven for: a Program made from this one by spreading
   *  it (a rewrite, extensions joined in) carries the field along with other instructions, and
   *  facts for another array are never used (vm/interpreter.ts checks identity). */
  readonly insns: readonly Insn[];
  /** 1 where the load or store at this slot was proven, on every path, to access a stack frame or
   *  a (non-per-CPU) map value inside its bounds, with the permission it needs. */
  readonly safeMem: Uint8Array;
}
