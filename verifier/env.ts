// What the verifier is given (the program, the maps it references, the tables it reads) and what
// it returns. verifier/ reads the shared tables (vm/opcodes, helpers/table, vm/contexts) but never
// the Runtime or the loader: src/verify.ts fills a VerifyInput from a loaded program.
import type { Insn } from '../vm/isa.js';
import type { HelperEntry } from '../helpers/types.js';
import type { KfuncEntry } from '../helpers/kfuncs.js';
import type { BtfRecord } from '../src/btf/fields.js';

export type { BtfRecord, BtfField, FieldType } from '../src/btf/fields.js';

/** A type of the program's own BTF, by id (bpf_obj_new's argument, MEM_ALLOC pointers). */
export type LocalType =
  | { kind: 'struct'; id: number; name: string; size: number; record?: BtfRecord; scalarsOnly: boolean }
  | { kind: 'other' };

/** A map as the verifier sees it (the kernel's struct bpf_map fields it reads). */
export interface VerifierMap {
  id: number;
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** The map was created with BTF for its value (bpf_spin_lock needs it). */
  hasBtf?: boolean;
  /** Frozen read-only data (.rodata, .kconfig): loads of known offsets become constants. */
  frozen: boolean;
  /** Bytes of the value at key 0 for array maps with frozen contents. */
  readonlyValue?: Uint8Array;
  /** Offset of the value's struct bpf_spin_lock, when it has one. */
  spinLockOffset?: number;
  /** Offset of the rbtree node (struct rb_node) inside the value of an rbtree map. */
  rbNodeOffset?: number;
  /** The value type's BTF name (`node_data` for `struct node_data`): rbtree node arguments must
   *  be of this type (verifier/rbtree.ts). */
  valueType?: string;
  /** Set on the stand-in map verifier/rbtree.ts gives bpf_rbtree_get_lock's result: the 4-byte
   *  struct bpf_spin_lock of this rbtree map. */
  rbtreeLockOf?: VerifierMap;
  /** Special fields of the value as the kernel's map record has them (src/btf/fields.ts): locks,
   *  graph roots, kptrs; undefined without BTF, without special fields or when the kernel would
   *  have refused the layout (its error record). */
  record?: BtfRecord;
  /** Template of the inner maps of a map-in-map. */
  inner?: VerifierMap;
  /** Created by a loader without CAP_PERFMON (the kernel's `!map->bypass_spec_v1`): a map of
   *  array_map_alloc's types (array, percpu_array, prog_array, perf_event_array, cgroup_array,
   *  array_of_maps) whose index the kernel masks against Spectre v1 (lookups, tail calls). */
  unprivArray?: boolean;
}

/** The capability flags of one verification, as bpf_check derives them from the loader's
 *  capabilities (env->allow_ptr_leaks, allow_uninit_stack, bpf_capable, bypass_spec_v1/v4):
 *  CAP_PERFMON gives the first two and the Spectre bypasses (the host runs with mitigations on, so
 *  nothing else bypasses them), CAP_BPF gives bpf_capable. A privileged run has all of them; an
 *  unprivileged one (`unpriv`) none. */
export interface VerifierCaps {
  allowPtrLeaks: boolean;
  allowUninitStack: boolean;
  bpfCapable: boolean;
  bypassSpecV1: boolean;
  bypassSpecV4: boolean;
}

export function verifierCaps(opts: Pick<VerifyOptions, 'unpriv'>): VerifierCaps {
  const priv = !opts.unpriv;
  return { allowPtrLeaks: priv, allowUninitStack: priv, bpfCapable: priv, bypassSpecV1: priv, bypassSpecV4: priv };
}

/** A BPF-to-BPF function argument/return as its BTF prototype says (global functions). */
export type GlobalArg = { kind: 'scalar' } | { kind: 'ctx' } | { kind: 'mem'; size: number; nullable: boolean } | { kind: 'dynptr' } | { kind: 'trusted'; name: string; size: number; nullable: boolean } | { kind: 'arena' } | { kind: 'unknown'; what: string; sizeError?: string };

export interface VerifyInput {
  name: string;
  insns: readonly Insn[];
  progType: number;
  expectedAttachType?: number;
  gpl: boolean;
  /** BPF_F_SLEEPABLE (a `.s` section). */
  sleepable?: boolean;
  /** The kernel's nr_cpu_ids (the runtime's CPU count): bpf_get_smp_processor_id returns
   *  0..nrCpuIds-1 (do_refine_retval_range). Default 1. */
  nrCpuIds?: number;
  /** Function entry points and names (pc 0 is the main program). */
  funcs?: readonly { pc: number; name: string }[];
  /** Whether each subprogram's BTF return type is an integer or enum, by entry pc (check_btf_func:
   *  only those may hold LD_ABS/LD_IND or a tail call). */
  subprogRetScalar?: ReadonlyMap<number, boolean>;
  /** Global (non-static) functions, by entry pc, with their BTF prototypes. */
  globalFuncs?: ReadonlyMap<number, { name: string; args: readonly GlobalArg[]; retScalar: boolean }>;
  /** Entry pc of the exception callback the main function names with its `exception_callback:`
   *  decl tag (the loader appends it, as libbpf does); verifier/exceptions.ts. */
  exceptionCallback?: number;
  /** How many `exception_callback:` decl tags the main function has (more than one is refused). */
  exceptionCallbackTags?: number;
  /** What the kernel logs while it checks the main function's BTF signature before the search
   *  (btf_prepare_func_args): `Global function NAME() doesn't return scalar. Only those are
   *  supported.` for a `void` function, `arg#N reference type('UNKNOWN ') size cannot be
   *  determined: -22` for a `void *` argument; the line with its newline, or undefined. */
  mainSignatureNote?: string;
  /** An extension (freplace) program: its main function is verified like a global function
   *  with registers from its own BTF prototype (verifier/extension.ts); `progType` and
   *  `expectedAttachType` are then the target program's. */
  extension?: { name: string; args: readonly GlobalArg[]; retScalar: boolean };
  /** Source line text by pc (for `; line @ file:N` log lines). */
  sourceLine?(pc: number): string | undefined;
  /** Maps by runtime id (what LD_IMM64 MAP_FD / MAP_VALUE carry). */
  map(id: number): VerifierMap | undefined;
  helper(id: number): HelperEntry | undefined;
  /** kfunc names by BTF id (for messages). */
  kfuncName?(id: number): string | undefined;
  /** The kfunc table entry of a call's BTF id (helpers/kfuncs.ts). */
  kfunc?(id: number): KfuncEntry | undefined;
  /** A kernel type, by name (a struct) or by built-in BTF id (bpf_rdonly_cast's constant). */
  kernelType?(ref: string | number): { kind: 'struct'; name: string; size: number; first?: string } | { kind: 'void' } | { kind: 'other' } | undefined;
  /** btf_struct_walk of a one-byte access at `off` of kernel struct `struct`, as
   *  btf_struct_ids_match uses it: the struct member (or array element) that begins at `off`,
   *  outermost first; undefined when `off` is inside a non-struct member. */
  structAt?(struct: string, off: number): string | undefined;
  /** The program has BTF (bpf_obj_new needs it). */
  progBtf?: boolean;
  /** A type of the program's BTF by id (verifier/graph.ts). */
  localType?(id: number): LocalType | undefined;
  /** Calls to poisoned CO-RE relocations: they fault only if reached. */
  coreFailures?: ReadonlyMap<number, string>;
  /** The member of a kernel struct at [off, off + size): a pointer to a struct, or a scalar
   *  (`pointer` when it is a pointer to something else). */
  btfField?(struct: string, off: number, size: number): { kind: 'scalar'; pointer?: boolean; member?: string; end?: number; flex?: boolean } | { kind: 'ptr'; name: string; size: number; member?: string; flex?: boolean } | undefined;
  /** A typed `__ksym` the linker resolved into the LD_IMM64 at pc: its pointee. */
  ksym?(pc: number): { kind: 'btf'; name: string; size: number } | { kind: 'mem'; size: number } | undefined;
  /** Tracing programs: the types of the attach target's arguments (u64 slot n). */
  /** The ctx's BTF pointer arguments are plain PTR_TO_BTF_ID, not PTR_TRUSTED (fentry/fexit,
   *  untrusted lsm hooks: the kernel's prog_args_trusted is false). */
  ctxArgsUntrusted?: boolean;
  ctxArgs?: readonly CtxArg[];
  /** The function btf_ctx_access names in its log lines (prog->aux->attach_func_name): the
   *  attach target, the struct_ops member, `bpf_iter_<target>`. */
  ctxFunc?: string;
  /** An iterator program's target (`tcp` of SEC("iter/tcp")): its helpers are the target's too. */
  iterTarget?: string;
  /** The program type's btf_struct_access for writes through BTF pointers (struct_ops: the
   *  type's, src/btf/builtin-struct-ops.ts): undefined when the write may go, else the log line.
   *  Absent: every write is refused (`only read is supported`). */
  btfWrite?(struct: string, off: number, size: number, structSize: number): string | undefined;
  /** struct_ops programs: the struct_ops type and the member the program implements (its
   *  get_func_proto decides the helpers). */
  structOps?: { struct: string; member: string };
  /** The function the program implements returns void (a struct_ops member): check_return_code
   *  reads nothing at the exit. */
  retVoid?: boolean;
  /** LSM programs: the hook returns void, or the range its programs must return
   *  (bpf_lsm_get_retval_range; src/btf/lsm-hooks.ts), and where the hook's prototype is known,
   *  the ctx slot of the return value so far (the slot after the arguments). */
  lsmReturn?: ({ void: true } | { void: false; range: readonly [bigint, bigint] }) & { slot?: number };
}

/** One u64 slot of a BTF-typed context (tracing arguments, iterator contexts). `nullable`: the
 *  kernel's PTR_MAYBE_NULL (an iterator's object is NULL in its final call). `buf`: PTR_TO_BUF,
 *  memory whose size the verifier does not know (an iterated map's key or value): accesses are
 *  only recorded (max_rdonly_access / max_rdwr_access) and checked when the iterator is attached. */
/** A context slot of a tracing program; `int`: an integer or enum argument, which may be read
 *  narrower than its u64 slot (btf_ctx_access: only a pointer must be read whole). */
/** A `btf` slot's `typed` is the struct its prototype names and that struct's BTF id (the line
 *  btf_ctx_access logs when the slot is read: `func 'F' argN has btf_id ID type STRUCT 'S'`);
 *  absent for the slots the kernel types from the program's ctx_arg_info (iterator objects,
 *  nullable struct_ops arguments), which it logs nothing for. `untrusted`: a ctx_arg_info entry
 *  without PTR_TRUSTED (the unix iterator's unix_sk), a plain PTR_TO_BTF_ID. */
export type CtxArg = { kind: 'scalar'; int?: boolean } | { kind: 'btf'; name: string; size: number; nullable?: boolean; untrusted?: boolean; typed?: { id: number; type: string } } | { kind: 'void' } | { kind: 'buf'; rdonly: boolean; nullable: boolean };

export interface VerifyOptions {
  /** 1: failing path and error (what libbpf's retry gives); 2: every insn with state. */
  logLevel?: 0 | 1 | 2;
  /** BPF_LOG_STATS (log_level bit 4): `verification time N usec` and `stack depth N+M` before the
   *  closing `processed` line, at any level (at level 0 the log is then the error line, if any,
   *  and these lines). */
  stats?: boolean;
  /** rbtree strict mode (verifier/rbtree.ts): the tree's lock held statically for every helper
   *  that touches the tree, no nesting, no lock or unlock inside less/cmp callbacks. */
  strict?: boolean;
  /** Verify as for a loader without CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_SYS_ADMIN (the
   *  kernel test loader's `@unpriv` runs): every capability flag of verifierCaps is off. */
  unpriv?: boolean;
  /** BPF_F_STRICT_ALIGNMENT=1, BPF_F_ANY_ALIGNMENT=2, BPF_F_TEST_RND_HI32=4, BPF_F_SLEEPABLE=16. */
  progFlags?: number;
  /** Processed-instruction limit (the kernel's 1M); lower values are for tests. */
  insnLimit?: number;
}

/** Per-instruction facts for later stages (compiler, run-time checks). */
export interface InsnFacts {
  /** The instruction was reached on some path. */
  seen: boolean;
  /** Every access by this load/store was proven inside its region on every path. */
  safeAccess: boolean;
  /** Pointer types the memory operand had (kernel aux ptr_type), as names. */
  ptrTypes?: string[];
}

export interface VerifyResult {
  accepted: boolean;
  /** Accepted in strict mode: every rbtree helper that touches a tree runs with that tree's lock
   *  held on every path, so the helpers may skip their run-time lock check. */
  rbtreeLockProven?: boolean;
  log: string;
  error?: string;
  errorPc?: number;
  processed: number;
  facts?: InsnFacts[];
  /** Unprivileged: the bpf_tail_call sites and their prog array's size, for the index bound check
   *  the kernel's do_misc_fixups puts before each (verifier/fixups.ts). */
  tailCallBounds?: { pc: number; maxEntries: number }[];
  /** ALU64 insns on BPF arena pointers, to run as 32-bit ones (verifier/fixups.ts). */
  arenaAlu32?: number[];
  /** bpf_fastcall spills and fills the kernel removes (verifier/fastcall.ts): their calls are
   *  inlined by code that clobbers no other register (verifier/fixups.ts). */
  fastcallRemoved?: number[];
  /** bpf_loop calls the kernel inlines (optimize_bpf_loop): the call's pc, its callback's first
   *  insn, and the frame offset of the three slots the loop keeps r6-r8 in (verifier/fixups.ts). */
  inlinedLoops?: { pc: number; callback: number; stackBase: number }[];
  /** The largest offset + size of any access through a PTR_TO_BUF context pointer (iterator
   *  programs: the key, read-only, and the value, read-write), which attaching the iterator
   *  checks against the map's key and value sizes (bpf_iter_attach_map: -EACCES). */
  bufAccess?: { rdonly: number; rdwr: number };
  /** The largest offset + size of any access through a writable raw tracepoint's buffer
   *  (PTR_TO_TP_BUFFER), which attaching checks against the tracepoint's writable size. */
  maxTpAccess?: number;
  /** stackDepth: per function, the bytes of stack it uses; mayGoto: the functions (indexes into
   *  stackDepth) with a reachable may_goto, for which the kernel reserves a hidden slot below that
   *  depth for the loop budget (the VM keeps the budget beside the frame). */
  stats: { maxStatesPerInsn: number; totalStates: number; peakStates: number; stackDepth: number[]; mayGoto: number[] };
}
