// The shape of a helper entry: id, name, the verifier's prototype in the kernel's vocabulary, and
// the implementation the VM calls. Verifier and interpreter read the same entry, so adding a helper
// is adding one entry to helpers/table.ts.

import type { BpfMap } from '../maps/types.js';
import type { GraphHeap, GraphRecord } from '../maps/graph.js';
import type { Arena } from '../vm/memory.js';
import type { SocketTable } from '../vm/sockets.js';
import type { Program } from '../vm/program.js';
import type { TimerTable } from './timer.js';
import type { KernelModel } from '../src/btf/kernel-objects.js';
import type { Btf } from '../src/btf/btf.js';
import type { SeqFile } from './seq.js';

/** Argument types (kernel enum bpf_arg_type, without the flag bits). */
export type ArgType =
  | 'ARG_DONTCARE'
  | 'ARG_ANYTHING'
  | 'ARG_CONST_MAP_PTR'
  | 'ARG_PTR_TO_MAP_KEY'
  | 'ARG_PTR_TO_MAP_VALUE'
  | 'ARG_PTR_TO_MEM'
  | 'ARG_CONST_SIZE'
  | 'ARG_CONST_SIZE_OR_ZERO'
  | 'ARG_CONST_ALLOC_SIZE_OR_ZERO'
  | 'ARG_PTR_TO_CTX'
  | 'ARG_PTR_TO_STACK'
  | 'ARG_PTR_TO_CONST_STR'
  | 'ARG_PTR_TO_SPIN_LOCK'
  | 'ARG_PTR_TO_FUNC'
  | 'ARG_PTR_TO_BTF_ID'
  | 'ARG_PTR_TO_PERCPU_BTF_ID'
  | 'ARG_PTR_TO_BTF_ID_SOCK_COMMON'
  | 'ARG_PTR_TO_SOCKET'
  | 'ARG_PTR_TO_SOCK_COMMON'
  | 'ARG_PTR_TO_LONG'
  | 'ARG_PTR_TO_INT'
  | 'ARG_PTR_TO_TIMER'
  | 'ARG_PTR_TO_KPTR'
  | 'ARG_PTR_TO_DYNPTR'
  | 'ARG_PTR_TO_RINGBUF_MEM'
  | 'ARG_PTR_TO_ALLOC_MEM';

/** Flag bits an argument type may carry (kernel enum bpf_type_flag, the ones args use). */
// MEM_ALIGNED: a MEM_FIXED_SIZE pointer must also be aligned to its size (check_ptr_alignment).
export type ArgFlag = 'PTR_MAYBE_NULL' | 'MEM_RDONLY' | 'MEM_UNINIT' | 'MEM_FIXED_SIZE' | 'MEM_ALIGNED' | 'OBJ_RELEASE' | 'PTR_ITER' | 'PTR_ITER_END' | 'MEM_ALLOC';

/** Return types (kernel enum bpf_return_type, without flag bits). */
export type RetType =
  | 'RET_INTEGER'
  | 'RET_VOID'
  | 'RET_PTR_TO_MAP_VALUE'
  | 'RET_PTR_TO_SOCKET'
  | 'RET_PTR_TO_TCP_SOCK'
  | 'RET_PTR_TO_SOCK_COMMON'
  | 'RET_PTR_TO_MEM'
  | 'RET_PTR_TO_MEM_OR_BTF_ID'
  | 'RET_PTR_TO_BTF_ID'
  | 'RET_PTR_TO_DYNPTR_MEM'
  | 'RET_PTR_TO_ALLOC_MEM';

/** Flags on a return type: nullability, reference acquisition and the RFC's rbtree flags. */
export type RetFlag =
  | 'PTR_MAYBE_NULL'
  | 'MEM_RDONLY'
  | 'ACQUIRE' // result holds a reference the program must release
  | 'CONDITIONAL_RELEASE' // the OBJ_RELEASE argument is released only when the result is non-NULL
  | 'NON_OWNING' // OBJ_NON_OWNING_REF: valid while the lock is held, never released
  | 'PTR_ITER'
  | 'PTR_ITER_END'
  | 'PTR_TRUSTED'; // RET_PTR_TO_BTF_ID_TRUSTED: the kernel vouches for the object (the current task)

export interface HelperArg {
  type: ArgType;
  flags?: readonly ArgFlag[];
  /** For BTF-typed pointer args: the struct name expected ('rb_node' means the map's node type). */
  btfType?: string;
  /** For MEM_FIXED_SIZE args: the fixed size in bytes. */
  size?: number;
}

export interface HelperRet {
  type: RetType;
  flags?: readonly RetFlag[];
  /** For RET_PTR_TO_BTF_ID: the struct name ('rb_node' is replaced by the map's value type). */
  btfType?: string;
  /** For RET_PTR_TO_MEM with a constant size. */
  memSize?: number;
}

export interface HelperProto {
  args: readonly HelperArg[]; // at most 5
  ret: HelperRet;
  /** Return range a callback argument must satisfy, by argument index (kernel callback_ret_range). */
  callbackRet?: Readonly<Record<number, readonly [bigint, bigint]>>;
  /** The kernel prototype's `allowed` hook: a further test of the program (its expected attach
   *  type, the function it attaches to); a call it refuses is 'helper call is not allowed in
   *  probe'. */
  allowed?: (prog: HelperProgram) => boolean;
}

/** What a prototype's `allowed` hook is told of the calling program. */
export interface HelperProgram {
  /** The expected attach type (vm/prog-types AttachType). */
  attach: number;
  /** prog->aux->attach_func_name: the traced function of fentry/fexit/fmod_ret, the tracepoint
   *  of tp_btf, the iterator target; undefined for other programs. */
  attachFunc: string | undefined;
  /** An extension (freplace): the kernel's prog->aux->dst_prog is set. */
  extension: boolean;
}

export type ArgIndex = 1 | 2 | 3 | 4 | 5;

/** Per-run output a test run collects (printk lines, ring buffer records, perf events). */
export interface RunOutput {
  printk: string[];
  ringbuf: { map: string; data: Uint8Array }[];
  perf: { map: string; cpu: number; data: Uint8Array }[];
  /** An iterator program's seq_file (helpers/seq.ts; set by the iterator run, src/iter.ts). */
  seq?: SeqFile;
  /** Signals bpf_send_signal / bpf_send_signal_thread sent the current task (helpers/tracing.ts):
   *  the signal, and whether it went to the thread (PIDTYPE_PID) or its process (PIDTYPE_TGID).
   *  Absent until one is sent. */
  signals?: { sig: number; thread: boolean; pid: number; tgid: number }[];
  /** Records a run made but did not keep: past RUN_OUTPUT_BYTES of trace_printk lines or of
   *  perf samples the rest are counted here (the program saw them succeed; a perf event array's
   *  reader still got them). The kernel's trace and perf buffers are bounded too; without this
   *  a verified program's bpf_loop of printk calls could fill the heap. */
  lost?: { printk?: number; perf?: number };
}

/** What a run keeps of its trace_printk lines, and of its perf samples: 16 MiB each. */
export const RUN_OUTPUT_BYTES = 16 << 20;
const keptBytes = new WeakMap<object, number>();

/** Whether a record of `bytes` more fits what a run keeps in `list` (RunOutput's printk or perf);
 *  when not, it is counted in `output.lost[kind]`. */
export function keepOutput(output: RunOutput, list: object, kind: 'printk' | 'perf', bytes: number): boolean {
  const used = keptBytes.get(list) ?? 0;
  if (used + bytes > RUN_OUTPUT_BYTES) {
    const lost = (output.lost ??= {});
    lost[kind] = (lost[kind] ?? 0) + 1;
    return false;
  }
  keptBytes.set(list, used + bytes);
  return true;
}

/** What a helper implementation sees: its arguments and the services of the current run.
 *  Implemented by the interpreter; one object per run, re-read at every call. */
export interface HelperCall {
  /** Argument register r1..r5 as an unsigned 64-bit bigint. */
  u64(i: ArgIndex): bigint;
  /** Argument as a signed 64-bit bigint. */
  s64(i: ArgIndex): bigint;
  /** Low 32 bits, unsigned. */
  u32(i: ArgIndex): number;
  /** Low 32 bits, signed. */
  s32(i: ArgIndex): number;
  /** Argument as an arena address (upper half zero); 0 stays 0 (NULL). FaultSignal for handles or
   *  kernel addresses. Does not check that the address is mapped; use `arena.check`. */
  ptr(i: ArgIndex): number;
  /** Argument as a map handle; FaultSignal if it is not one. */
  map(i: ArgIndex): BpfMap;
  /** Call the BPF function whose handle is in argument `fnArg` with up to five arguments and return
   *  its r0 (the callback service: bpf_loop, for_each_map_elem, rbtree less/cmp). */
  callback(fnArg: ArgIndex, args: readonly (bigint | number)[]): bigint;
  /** The comparator fast path of `callback` (rbtree less/cmp): two number arguments, and the
   *  callee frame's register file back, r0's low half in [0] and high half in [1] (valid until the
   *  next callback). No array or BigInt per call. `aBytes`/`bBytes` (default 0): how many bytes
   *  from a / b the caller guarantees are live, readable arena memory that nothing can free or
   *  move while the callback runs (an rbtree's nodes during its walk); compiled callbacks read
   *  inside them without range checks, which then could not fail anyway. */
  callback2(fnArg: ArgIndex, a: number, b: number, aBytes?: number, bBytes?: number): Int32Array;
  /** callback2 bound for a run of calls to the same function in one helper call (a tree walk's
   *  comparator): the returned function's (a, b) is callback2(fnArg, a, b, aBytes, bBytes), with
   *  what callback2 checks and looks up per call done once here (never faulting here: a bad
   *  handle faults at the first call, as callback2's would). Valid until the helper returns. */
  comparator?(fnArg: ArgIndex, aBytes?: number, bBytes?: number): (a: number, b: number) => Int32Array;
  /** Call a BPF function by handle value (for helpers that stored a handle). */
  callFunction(handle: bigint, args: readonly (bigint | number)[]): bigint;
  /** The BPF function whose handle is in argument `i`, kept to be called later, outside this run
   *  (bpf_timer callbacks). FaultSignal when the argument is not a function handle. */
  functionRef?(i: ArgIndex): BpfFunctionRef;

  readonly arena: Arena;
  /** The CPU this run executes on (BPF_F_TEST_RUN_ON_CPU). */
  readonly cpu: number;
  /** The BPF cookie of the attachment the run simulates (bpf_get_attach_cookie); 0 in test runs. */
  readonly attachCookie: bigint;
  /** The program type of the running program. */
  readonly progType: number;
  /** The attach point of the run: the ELF section (e.g. "kprobe/do_unlinkat") and expected attach
   *  type of the program the run started with (a tail call keeps it); undefined, or without a
   *  section, when that program was not loaded from an ELF object. */
  readonly attach?: { readonly section?: string; readonly expectedAttachType?: number } | undefined;
  /** Where the call is: the instruction index of the call in the program making it, and that
   *  program's name (the synthetic call stacks of helpers/stack.ts are built from them). */
  readonly pc?: number;
  readonly progName?: string;
  /** The bpf-to-bpf calls that led to this frame, innermost first: each caller's program name
   *  and the index of its call instruction. */
  readonly callers?: readonly { prog: string; pc: number }[];
  /** Whether the program declared a GPL-compatible license. */
  readonly gpl: boolean;
  readonly output: RunOutput;
  /** Per-run scratch state helpers may keep (tail-call count, ...), keyed by owner. */
  readonly state: Map<string, unknown>;
  /** Locks this run holds (bpf_spin_lock, the rbtree lock). The VM is single-threaded, so taking
   *  a held lock faults (it would deadlock) and a run that ends holding a lock faults after
   *  releasing it (DESIGN section 2). */
  readonly locks: LockSet;
  /** The running program was verified in rbtree strict mode (Program.rbtreeLockProven): every
   *  tree operation holds the tree's lock, so the rbtree helpers need not check it. */
  readonly rbtreeLockProven?: boolean;
  /** Runtime-wide services (clock, prng, current task, kernel memory, maps by handle). */
  readonly env: HelperEnv;
  /** Ask the VM to replace the running program by the registered program `progId` once this
   *  helper returns (bpf_tail_call). False when there is no such program or the per-run limit of
   *  33 tail calls is reached; the helper then returns normally. Provided by the interpreter. */
  tailCall?(progId: number): boolean;
  /** The record of a type of the calling program's own BTF (bpf_obj_new), or why there is none. */
  localType?(typeId: number): GraphRecord | string;
}

/** A BPF function of a program, kept by a helper to be called after the run that handed it over
 *  (bpf_timer_set_callback): the program, the function's entry pc, and the instruction budget of
 *  that run (0: none, a verified program), which the later calls keep. */
export interface BpfFunctionRef {
  readonly prog: Program;
  readonly pc: number;
  readonly maxInsns: number;
}

/** Lock bookkeeping of one run; `id` is the lock word's arena address. */
export interface LockSet {
  /** Take the lock; FaultSignal if this run already holds it. */
  take(id: number, what: string): void;
  /** Release it; FaultSignal if it is not held. */
  release(id: number, what: string): void;
  held(id: number): boolean;
  /** Number of locks held right now. */
  readonly count: number;
}

/** Runtime-wide services helpers use; provided by the Runtime. */
export interface HelperEnv {
  /** Monotonic clock in ns (overridable for reproducible runs). */
  nowNs(): bigint;
  /** Seedable PRNG, 32-bit unsigned. */
  prandomU32(): number;
  /** Current task identity for get_current_* helpers. */
  task: { pid: number; tgid: number; uid: number; gid: number; comm: string; pidnsDev?: number; pidnsIno?: number };
  /** Number of possible CPUs. */
  ncpus: number;
  /** Decode a map handle value; undefined when it is not one. */
  mapFromHandle(handle: bigint): BpfMap | undefined;
  /** Read kernel memory (the read-only 64-bit view); undefined on a miss. */
  readKernel(addr: bigint, len: number): Uint8Array | undefined;
  /** Map bytes into that view (a kernel object a kfunc hands out: xdp's xdp_buff). */
  mapKernel?(addr: bigint, bytes: Uint8Array): void;
  /** The map owning the `struct bpf_spin_lock` at `addr` (BpfMap.spinLockAt), or undefined. */
  spinLockMap(addr: number): BpfMap | undefined;
  /** The runtime's objects, graph roots and kptrs (maps/graph.ts). */
  graph?: GraphHeap;
  /** The runtime's sockets (socket pointers programs pass to sk_storage helpers). */
  sockets?: SocketTable;
  /** The runtime's bpf_timers (helpers/timer.ts), which its clock fires. */
  timers?: TimerTable;
  /** The runtime's tasks and cgroups (the task and cgroup kfuncs, get_current_cgroup_id). */
  kernel?: KernelModel;
  /** The built-in kernel BTF, whose layout the kernel objects of kernel memory and of the
   *  runtime follow (task_struct, tcp_sock). Given by the runtime, not imported: the built-in
   *  BTF is generated from the helper and kfunc tables, so helpers importing it would close an
   *  import cycle (a module of it imported first would meet the others half-initialised). */
  builtinBtf?(): Btf;
}

/** Return value: a number is a signed integer (sign-extended to 64 bits, must be a safe integer);
 *  a bigint is taken modulo 2^64. */
export type HelperResult = number | bigint;

export interface HelperEntry {
  id: number;
  name: string; // without the bpf_ prefix, as the kernel's log prints it: 'map_lookup_elem'
  proto: HelperProto;
  gplOnly: boolean;
  /** Program types (vm/prog-types numbers) that may call it, or 'all'. */
  progTypes: 'all' | readonly number[];
  /** Prototypes that replace `proto` for some program types: the kernel's get_func_proto hands
   *  out a different bpf_func_proto for the same id by program type (bpf_sk_assign is
   *  bpf_sk_lookup_assign in sk_lookup programs). `helperForType` picks it; the impl dispatches on
   *  `call.progType` itself. */
  protoByType?: readonly { progTypes: readonly number[]; proto: HelperProto }[];
  /** A further gate on the program's expected attach type (vm/prog-types AttachType), for
   *  helpers the kernel's get_func_proto hands out by hook: bpf_bind only to connect4/6
   *  sock_addr programs, bpf_get_retval not to the hooks whose return value is fixed. Only asked
   *  for program types in `progTypes`; absent means every attach type. `helperAllowed` combines. */
  attachAllowed?: (progType: number, attach: number, iter?: string) => boolean;
  /** The kernel's might_sleep: only a sleepable program may call it ('helper call might sleep in a
   *  non-sleepable prog'), and not inside bpf_rcu_read_lock or bpf_preempt_disable. */
  mightSleep?: boolean;
  impl: (call: HelperCall) => HelperResult;
}
