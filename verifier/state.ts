// Register and stack state of the abstract interpreter (the kernel's bpf_reg_state,
// bpf_func_state and bpf_verifier_state). A register is a type plus, for pointers, a fixed offset
// `off` and a variable offset in `s` (a Scalar: tnum and bounds), exactly as the kernel keeps them;
// for scalars `s` is the value itself. Stack slots are tracked byte by byte (misc, zero, invalid,
// spill) with the spilled register kept per 8-byte slot.
import { Scalar, formatScalar, formatSnum, formatUnum } from './scalar.js';
import type { VerifierMap } from './env.js';

/** Base register types (kernel enum bpf_reg_type). */
export const RegType = {
  NOT_INIT: 0,
  SCALAR: 1,
  CTX: 2,
  MAP_PTR: 3,
  MAP_VALUE: 4,
  MAP_KEY: 5,
  STACK: 6,
  PKT: 7,
  PKT_META: 8,
  PKT_END: 9,
  MEM: 10,
  BTF_ID: 11,
  FUNC: 12,
  FLOW_KEYS: 13,
  SOCKET: 14,
  SOCK_COMMON: 15,
  TCP_SOCK: 16,
  BUF: 17,
  /** CONST_PTR_TO_DYNPTR: a dynptr the program may read through but not change (a callback's
   *  argument, verifier/dynptr.ts). */
  DYNPTR: 18,
  /** PTR_TO_XDP_SOCK: an AF_XDP socket from an xskmap lookup (struct bpf_xdp_sock). */
  XDP_SOCK: 19,
  /** PTR_TO_ARENA: the kernel view (low 32 bits) of a BPF arena pointer, after addr_space_cast
   *  from address space 1; any arithmetic keeps it (as 32-bit), loads and stores through it are
   *  unchecked (the kernel's PROBE_MEM32: faults read 0 / are dropped). */
  ARENA: 20,
  /** PTR_TO_TP_BUFFER: a writable raw tracepoint's buffer (its context's args[0]); accessed only
   *  at constant, non-negative offsets, its size checked when the program is attached. */
  TP_BUFFER: 21,
} as const;
export type RegType = (typeof RegType)[keyof typeof RegType];

/** Type flags (kernel enum bpf_type_flag, the ones ebpfvm tracks). */
export const RegFlag = {
  MAYBE_NULL: 1,
  RDONLY: 2,
  RINGBUF: 4,
  /** An object the program owns (rbtree node from alloc_node / remove). */
  ALLOC: 8,
  /** A non-owning reference into an rbtree (valid while the lock is held). */
  NON_OWN: 16,
  PERCPU: 32,
  TRUSTED: 64,
  UNTRUSTED: 128,
  /** An rbtree_add result not yet NULL-checked when its tree's lock was released: its NULL check
   *  still settles the conditional release, but non-NULL it is only a number (verifier/rbtree.ts). */
  STALE: 256,
  /** Mainline's MEM_ALLOC: an object of a program BTF type (bpf_obj_new, graph nodes: verifier/
   *  graph.ts); printed without a prefix, as the kernel prints it. */
  MEM_ALLOC: 512,
  /** MEM_RCU: valid in the rcu read-side region (non-owning refs of refcounted objects). */
  MEM_RCU: 1024,
  /** A slice of an skb or xdp dynptr (DYNPTR_TYPE_SKB/XDP on PTR_TO_MEM): packet memory, dead
   *  when the packet may move (clear_all_pkt_pointers); not printed, as the kernel does not. */
  PKT_SLICE: 2048,
  /** Scalars only: linked to the registers of the same id plus a constant delta (in `off`) by a
   *  64-bit or a 32-bit add/sub (kernel BPF_ADD_CONST64 / BPF_ADD_CONST32 in the id; verifier/
   *  linked.ts). Printed as `id=N+delta`. */
  ADD_CONST64: 4096,
  ADD_CONST32: 8192,
} as const;

const TYPE_NAME: Record<number, string> = {
  [RegType.NOT_INIT]: '?',
  [RegType.SCALAR]: 'scalar',
  [RegType.CTX]: 'ctx',
  [RegType.MAP_PTR]: 'map_ptr',
  [RegType.MAP_VALUE]: 'map_value',
  [RegType.MAP_KEY]: 'map_key',
  [RegType.STACK]: 'fp',
  [RegType.PKT]: 'pkt',
  [RegType.PKT_META]: 'pkt_meta',
  [RegType.PKT_END]: 'pkt_end',
  [RegType.MEM]: 'mem',
  [RegType.BTF_ID]: 'ptr_',
  [RegType.FUNC]: 'func',
  [RegType.FLOW_KEYS]: 'flow_keys',
  [RegType.SOCKET]: 'sock',
  [RegType.SOCK_COMMON]: 'sock_common',
  [RegType.TCP_SOCK]: 'tcp_sock',
  [RegType.BUF]: 'buf',
  [RegType.DYNPTR]: 'dynptr_ptr',
  [RegType.XDP_SOCK]: 'xdp_sock',
  [RegType.ARENA]: 'arena',
  [RegType.TP_BUFFER]: 'tp_buffer',
};

/** The scalar part of registers that have none yet (NOT_INIT): shared, never mutated. */
const NO_SCALAR = Scalar.unknown();

/** The dynptr types ebpfvm knows (kernel enum bpf_dynptr_type). */
export type DynptrType = 'local' | 'ringbuf' | 'skb' | 'xdp';
/** A dynptr's verifier state: its type, and on the stack which of its two slots this is. */
export interface DynptrState {
  type: DynptrType;
  first: boolean;
}
/** An open-coded iterator (kernel bpf_reg_state.iter): its type ('num' for bpf_iter_num), whether
 *  next may still return elements (active) or has returned NULL (drained), and how many next
 *  calls deep the path is into its loop. */
export interface IterSlot {
  type: string;
  active: boolean;
  depth: number;
}

export class Reg {
  type: RegType = RegType.NOT_INIT;
  flags = 0;
  /** Scalar value, or the variable offset of a pointer. Replaced, not mutated, while shared. */
  s: Scalar = NO_SCALAR;
  /** Fixed offset of a pointer. */
  off = 0;
  /** Shared by copies: null checks and packet ranges apply to every register of the same id;
   *  scalars with the same id are equal. */
  id = 0;
  /** Reference this pointer holds (acquired object), 0 for none. */
  refId = 0;
  map: VerifierMap | undefined = undefined;
  /** Which lookup of a map-in-map an inner map pointer (and what was looked up in it) came from,
   *  when the inner maps hold a bpf_timer (kernel map_uid; verifier/timer.ts); 0 otherwise. */
  mapUid = 0;
  /** Packet pointers: bytes proven readable from `off`. */
  range = 0;
  /** PTR_TO_MEM / BUF: size of the memory. */
  memSize = 0;
  /** PTR_TO_STACK: frame the pointer points into. */
  frameno = 0;
  /** PTR_TO_BTF_ID: the struct's name and size (built-in or object BTF). */
  btfName = '';
  btfSize = 0;
  /** MEM_ALLOC pointers: the type's id in the program's BTF (its special fields, verifier/graph.ts). */
  btfId = 0;
  /** PTR_TO_FUNC: the subprogram's first insn. */
  subprog = 0;
  /** Scalars: some check depended on the exact value (precision.ts); pruning compares it. */
  precise = false;
  /** A dynptr: on its two STACK_DYNPTR slots, or a CONST_PTR_TO_DYNPTR register (verifier/
   *  dynptr.ts). Shared by copies, replaced, never mutated. */
  dynptr: DynptrState | undefined = undefined;
  /** A dynptr slice (PTR_TO_MEM): the id of the dynptr it came from (kernel dynptr_id), so it
   *  dies with that dynptr. */
  dynptrId = 0;
  /** A dynptr slice given a stack buffer: the buffer as the host's log prints it after the
   *  slice's size (`fp[frame]off+size`). Printing only. */
  sliceBuf: string | undefined = undefined;
  /** The state of an open-coded iterator, on its STACK_ITER slots (verifier/iters.ts). Shared
   *  by copies, replaced, never mutated. */
  iter: IterSlot | undefined = undefined;

  clone(): Reg {
    const r = new Reg();
    r.type = this.type;
    r.flags = this.flags;
    r.s = this.s === NO_SCALAR ? NO_SCALAR : this.s.clone();
    r.off = this.off;
    r.id = this.id;
    r.refId = this.refId;
    r.map = this.map;
    r.mapUid = this.mapUid;
    r.range = this.range;
    r.memSize = this.memSize;
    r.frameno = this.frameno;
    r.btfName = this.btfName;
    r.btfSize = this.btfSize;
    r.btfId = this.btfId;
    r.subprog = this.subprog;
    r.precise = this.precise;
    r.dynptr = this.dynptr;
    r.dynptrId = this.dynptrId;
    r.sliceBuf = this.sliceBuf;
    r.iter = this.iter;
    return r;
  }

  static scalar(s: Scalar): Reg {
    const r = new Reg();
    r.type = RegType.SCALAR;
    r.s = s;
    return r;
  }
  static known(v: bigint): Reg {
    return Reg.scalar(Scalar.known(v));
  }
  static unknown(): Reg {
    return Reg.scalar(Scalar.unknown());
  }
  /** A pointer of type t with zero offsets. */
  static ptr(t: RegType, flags = 0): Reg {
    const r = new Reg();
    r.type = t;
    r.flags = flags;
    r.s = Scalar.known(0n);
    return r;
  }

  get isScalar(): boolean {
    return this.type === RegType.SCALAR;
  }
  get isPointer(): boolean {
    return this.type !== RegType.SCALAR && this.type !== RegType.NOT_INIT;
  }
  get maybeNull(): boolean {
    return (this.flags & RegFlag.MAYBE_NULL) !== 0;
  }
  isConst(): boolean {
    return this.type === RegType.SCALAR && this.s.isConst();
  }
  isPkt(): boolean {
    return this.type === RegType.PKT || this.type === RegType.PKT_META;
  }
  isNullConst(): boolean {
    return this.type === RegType.SCALAR && this.s.isConst() && this.s.constValue() === 0n;
  }
}

/** The kernel's type name with flag prefixes/suffixes (reg_type_str). */
export function regTypeName(r: Reg): string {
  let prefix = '';
  if (r.flags & RegFlag.RDONLY) prefix += 'rdonly_';
  if (r.flags & RegFlag.RINGBUF) prefix += 'ringbuf_';
  if (r.flags & RegFlag.PERCPU) prefix += 'percpu_';
  if (r.flags & RegFlag.MEM_RCU) prefix += 'rcu_';
  if (r.flags & RegFlag.UNTRUSTED) prefix += 'untrusted_';
  if (r.flags & RegFlag.TRUSTED) prefix += 'trusted_';
  if (r.flags & RegFlag.ALLOC) prefix += 'alloc_';
  let name = TYPE_NAME[r.type] ?? '?';
  if (r.flags & RegFlag.MAYBE_NULL) name += r.type === RegType.BTF_ID ? 'or_null_' : '_or_null';
  return prefix + name;
}

/** verbose_snum / verbose_unum (decimal for small magnitudes, else hex), from the scalar log. */
export const snum = (v: bigint | number): string => formatSnum(BigInt.asUintN(64, BigInt(v)));
export const unum = (v: bigint | number): string => formatUnum(BigInt.asUintN(64, BigInt(v)));

/** One register's text as 6.18 prints it (print_reg_state). `frameno` is the printing frame. */
export function formatReg(r: Reg, frameno: number): string {
  if (r.type === RegType.SCALAR) return formatScalar(r.s, r.id || undefined, r.precise, r.flags & (RegFlag.ADD_CONST64 | RegFlag.ADD_CONST32) ? r.off : undefined);
  const name = regTypeName(r);
  if (r.type === RegType.STACK) {
    const fr = r.frameno !== frameno ? `[${r.frameno}]` : '';
    if (r.s.isConst()) return `${name}${fr}${snum(BigInt.asIntN(64, r.s.constValue()) + BigInt(r.off))}`;
    return `${name}${fr}(${joinAttrs(r)})`;
  }
  return `${name}${r.type === RegType.BTF_ID ? r.btfName : ''}(${joinAttrs(r)})`;
}

function joinAttrs(r: Reg): string {
  const a: string[] = [];
  if (r.id) a.push(`id=${r.id}`);
  if (r.refId) a.push(`ref_obj_id=${r.refId}`);
  if (r.flags & RegFlag.NON_OWN) a.push('non_own_ref');
  if ((r.type === RegType.MAP_PTR || r.type === RegType.MAP_VALUE || r.type === RegType.MAP_KEY) && r.map) {
    if (r.map.name) a.push(`map=${r.map.name}`);
    a.push(`ks=${r.map.keySize},vs=${r.map.valueSize}`);
  }
  if (r.type !== RegType.STACK && r.off) a.push(`off=${snum(r.off)}`);
  if (r.type === RegType.STACK && r.off) a.push(`off=${snum(r.off)}`);
  if (r.isPkt()) a.push(`r=${unum(BigInt.asUintN(64, BigInt(r.range)))}`);
  if (r.type === RegType.MEM) a.push(`sz=${unum(r.memSize)}`);
  if (r.sliceBuf !== undefined) a.push(`buf=${r.sliceBuf}`);
  if (r.s.isConst()) {
    const v = BigInt.asIntN(64, r.s.constValue());
    if (v) a.push(`imm=${snum(v)}`);
  } else {
    // The scalar's own text without "scalar(" and ")": ranges and var_off.
    const t = formatScalar(r.s);
    const inner = t.startsWith('scalar(') ? t.slice(7, -1) : '';
    if (inner) a.push(inner);
  }
  return a.join(',');
}

// ---- stack ------------------------------------------------------------------------------------

/** Stack byte types (kernel enum bpf_stack_slot_type). DYNPTR bytes fill both 8-byte slots of
 *  a dynptr, whose state is kept in each slot's `spills` entry (verifier/dynptr.ts); ITER bytes
 *  belong to an open-coded iterator, its state in its slots' `spills` entries (verifier/iters.ts). */
export const Slot = { INVALID: 0, SPILL: 1, MISC: 2, ZERO: 3, ITER: 4, DYNPTR: 5 } as const;
const SLOT_CHAR = ['?', 'r', 'm', '0', 'i', 'd'];
export const MAX_STACK = 512;
const EMPTY_STACK = new Uint8Array(0);

/** One function frame: registers, stack bytes (index k = -off - 1, slot k >> 3, byte k & 7 as the
 *  kernel numbers them) and the spilled registers per 8-byte slot. */
export class Frame {
  regs: Reg[];
  /** Slot types of the bytes in use, grown in 8-byte steps (kernel allocated_stack). */
  stack: Uint8Array;
  spills: (Reg | undefined)[];
  constructor(
    readonly frameno: number,
    /** The call insn that created this frame (-1 for the main program). */
    readonly callsite: number,
    /** First insn of the subprogram this frame runs. */
    readonly subprog: number,
    regs?: Reg[],
  ) {
    if (regs) this.regs = regs;
    else {
      this.regs = [];
      for (let i = 0; i < 11; i++) this.regs.push(new Reg());
    }
    this.stack = EMPTY_STACK;
    this.spills = [];
  }
  /** Return-value range a callback must satisfy, when this frame runs a callback. */
  callbackRet: readonly [bigint, bigint] | undefined;
  inCallback = false;
  /** bpf_loop / for_each: the callback may run again (so its frame exit loops back). */
  asyncCallback = false;
  /** The frame runs a bpf_timer callback (kernel in_async_callback_fn): a path of its own,
   *  verified from a fresh state, returning 0 (verifier/timer.ts). */
  inAsyncCb = false;
  /** The frame runs an rbtree less/cmp callback (the tree is mid-operation: verifier/rbtree.ts). */
  rbtreeCb = false;
  /** The frame runs bpf_rbtree_add_impl's less callback (kernel in_rbtree_lock_required_cb). */
  graphCb = false;
  /** Callback runs pushed from this frame's current callback-calling call since it last went
   *  past it (kernel callback_depth): bpf_loop stops pushing runs at its count, and a state with
   *  fewer runs behind it does not cover one with more. */
  callbackDepth = 0;

  clone(): Frame {
    const regs: Reg[] = [];
    for (let i = 0; i < 11; i++) regs.push(this.regs[i]!.clone());
    const f = new Frame(this.frameno, this.callsite, this.subprog, regs);
    f.stack = this.stack.length ? this.stack.slice() : EMPTY_STACK;
    f.spills = this.spills.map((r) => r?.clone());
    f.callbackRet = this.callbackRet;
    f.inCallback = this.inCallback;
    f.asyncCallback = this.asyncCallback;
    f.inAsyncCb = this.inAsyncCb;
    f.rbtreeCb = this.rbtreeCb;
    f.graphCb = this.graphCb;
    f.callbackDepth = this.callbackDepth;
    return f;
  }

  get allocated(): number {
    return this.stack.length;
  }
  /** Make sure bytes down to -size are tracked. */
  grow(size: number): void {
    const need = Math.min(MAX_STACK, (size + 7) & ~7);
    if (need <= this.stack.length) return;
    const s = new Uint8Array(need);
    s.set(this.stack);
    this.stack = s;
    while (this.spills.length < need >> 3) this.spills.push(undefined);
  }
  slotType(k: number): number {
    return k < this.stack.length ? this.stack[k]! : Slot.INVALID;
  }
  isSpilled(spi: number): boolean {
    return (spi << 3) + 7 < this.stack.length && this.stack[(spi << 3) + 7] === Slot.SPILL;
  }
}

export interface RefState {
  id: number;
  insn: number;
  /** What acquired it ('ringbuf', 'sock', 'rbtree_node', 'lock'). */
  kind: string;
}

/** A whole verifier state: frames of the call chain, references and lock, plus the bookkeeping
 *  the search needs (parent checkpoint, pending branches). */
export class VState {
  frames: Frame[] = [];
  refs: RefState[] = [];
  /** Held bpf_spin_lock: the map and offset it lives at (kernel active_lock), or undefined. */
  lock: { key: string; id: number; before?: readonly number[] } | undefined = undefined;
  /** rbtree maps whose lock is held (map ids), tracked in strict mode only (verifier/rbtree.ts). */
  rbLocks: number[] = [];
  /** Inside bpf_rcu_read_lock/unlock (kernel active_rcu_lock, verifier/kfuncs.ts). */
  rcuLock = false;
  /** bpf_preempt_disable calls not yet matched by bpf_preempt_enable (active_preempt_locks). */
  preemptLocks = 0;
  /** rbtree_add results: result id -> the node reference released when the result is non-NULL. */
  condRelease = new Map<number, number>();
  /** may_goto fall-throughs taken on this path (kernel may_goto_depth): a loop kept finite by
   *  may_goto converges when an iteration deeper than a state still being explored matches it. */
  mayGotoDepth = 0;
  /** Callback runs entered on this path (kernel callback_unroll_depth): the same state in a
   *  later run of a callback is the next iteration of the helper's loop, not an endless loop. */
  callbackUnrollDepth = 0;
  /** The rbtree add/find call this path is in (a token taken when the program's flow reaches the
   *  call, kept through its less/cmp runs): those runs converge only against states of the same
   *  call (verifier/rbtree.ts rbtreeMayPrune). */
  rbCall = 0;
  /** A path the CPU may only take speculatively (Spectre v1 sanitation, verifier/spectre.ts):
   *  checked for what it could leak, never used to prune a real path. */
  speculative = false;
  /** A bpf_wq callback's path (kernel in_sleepable): sleepable whatever the program is. */
  inSleepable = false;
  get cur(): Frame {
    return this.frames[this.frames.length - 1]!;
  }
  clone(): VState {
    const s = new VState();
    s.frames = this.frames.map((f) => f.clone());
    s.refs = this.refs.map((r) => ({ ...r }));
    s.lock = this.lock && { ...this.lock };
    s.rbLocks = this.rbLocks.slice();
    s.rcuLock = this.rcuLock;
    s.preemptLocks = this.preemptLocks;
    s.condRelease = new Map(this.condRelease);
    s.mayGotoDepth = this.mayGotoDepth;
    s.callbackUnrollDepth = this.callbackUnrollDepth;
    s.rbCall = this.rbCall;
    s.speculative = this.speculative;
    s.inSleepable = this.inSleepable;
    return s;
  }
}

/** print_verifier_state: registers (all or scratched), then stack slots, refs and callback flag. */
export function formatFrame(f: Frame, scratchRegs: number, scratchSlots: Set<number> | undefined, all: boolean): string {
  let out = f.frameno ? ` frame${f.frameno}:` : '';
  for (let i = 0; i < 11; i++) {
    const r = f.regs[i]!;
    if (r.type === RegType.NOT_INIT) continue;
    if (!all && !(scratchRegs & (1 << i))) continue;
    out += ` R${i}=${formatReg(r, f.frameno)}`;
  }
  const nslots = f.allocated >> 3;
  for (let spi = 0; spi < nslots; spi++) {
    if (!all && !scratchSlots?.has(spi)) continue;
    let valid = false;
    let types = '';
    for (let j = 0; j < 8; j++) {
      const t = f.stack[(spi << 3) + j]!;
      if (t !== Slot.INVALID) valid = true;
      types += SLOT_CHAR[t];
    }
    if (!valid) continue;
    const at = ` fp${-(spi + 1) * 8}`;
    if (f.stack[(spi << 3) + 7] === Slot.DYNPTR) {
      // Printed once, at its first slot (the lower address: the second is met first), as the
      // kernel prints it.
      if (!f.spills[spi]?.dynptr?.first) spi++;
      const d = f.spills[spi];
      if (!d?.dynptr) continue;
      // 6.18 prints the slot's reg->dynptr_id, which shares its bytes with dynptr.first_slot (a
      // union of bpf_reg_state): always 1 at the first slot, whatever the dynptr's id.
      const attrs = [d.id ? `id=${d.id}` : '', d.refId ? `ref_id=${d.refId}` : '', 'dynptr_id=1'].filter(Boolean).join(',');
      out += ` fp${-(spi + 1) * 8}=dynptr_${d.dynptr.type}(${attrs})`;
    } else if (f.stack[(spi << 3) + 7] === Slot.ITER) {
      // Only the iterator's first slot (the one holding the reference) is printed.
      const it = f.spills[spi];
      if (!it?.refId || !it.iter) continue;
      out += `${at}=iter_${it.iter.type}(ref_id=${it.refId},state=${it.iter.active ? 'active' : 'drained'},depth=${it.iter.depth})`;
    } else if (f.stack[(spi << 3) + 7] === Slot.SPILL) {
      const sp = types.indexOf('r');
      out += `${at}=${types.slice(0, sp)}${f.spills[spi] ? formatReg(f.spills[spi]!, f.frameno) : '?'}`;
    } else out += `${at}=${types}`;
  }
  return out;
}

/** The `refs=` of a state line. 6.18 keeps the held lock in the same array as the references,
 *  where it was taken (after the references held then), and prints the ids from the first entry
 *  on only when that entry's id is not 0: a global-data lock (id 0) taken first hides them all. */
export function formatRefs(s: VState): string {
  const ids = s.refs.map((r) => r.id);
  if (s.lock) {
    const before = s.lock.before ?? [];
    const first = ids.filter((id) => before.includes(id));
    const rest = ids.filter((id) => !before.includes(id));
    ids.splice(0, ids.length, ...first, s.lock.id, ...rest);
  }
  if (!ids.length || ids[0] === 0) return '';
  return ` refs=${ids.filter((id) => id !== 0).join(',')}`;
}
