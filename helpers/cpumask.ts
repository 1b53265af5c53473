// The bpf_cpumask kfuncs (kernel/bpf/cpumask.c, Linux 6.3+) on masks of the runtime's CPU count
// (nr_cpu_ids = RuntimeOptions.ncpus), with the kernel's semantics for a kernel whose NR_CPUS is
// larger than 256 (every distribution kernel: small_cpumask_bits = large_cpumask_bits =
// nr_cpu_ids, so no cpumask operation is a single-word constant one):
//
//   bpf_cpumask_create()             a zeroed struct bpf_cpumask with one reference, or NULL when
//                                    MAX_CPUMASKS are live (the allocator failing)
//   bpf_cpumask_acquire(m)           one more reference; m
//   bpf_cpumask_release(m)           one reference less; the last frees the mask (after an rcu
//                                    grace period, see below)
//   bpf_cpumask_first/first_zero/first_and    the first set / clear / common CPU, else nr_cpu_ids
//   bpf_cpumask_set_cpu/clear_cpu/test_cpu/test_and_set_cpu/test_and_clear_cpu(cpu, m)
//                                    nothing (false) for cpu >= nr_cpu_ids (cpu_valid)
//   bpf_cpumask_setall/clear         memset of the words holding nr_cpu_ids bits: setall also
//                                    sets the bits past nr_cpu_ids in the last word, as
//                                    bitmap_fill does; every query below ignores them
//   bpf_cpumask_and/or/xor(d, a, b)  word-wise over those words (and masks the last word and
//                                    returns whether d is non-empty; or/xor do not mask)
//   bpf_cpumask_equal/intersects/subset/empty/full/weight   over the first nr_cpu_ids bits
//   bpf_cpumask_copy(d, s)           memcpy of the words
//   bpf_cpumask_populate(m, src, src__sz)   (6.14+) -EACCES when src__sz is less than the
//                                    words' bytes, else those bytes of src become m's words; 0
//   bpf_cpumask_any_distribute(m), bpf_cpumask_any_and_distribute(a, b)
//                                    the next set CPU after the one this CPU picked last
//                                    (per-CPU distribute_cpu_mask_prev, starting at 0, so the
//                                    first pick skips CPU 0), wrapping; nr_cpu_ids for none
//
// A bpf_cpumask lives in the runtime's kernel memory (src/btf/builtin.ts lays it out: NR_CPUS
// bits, then the refcount, mirrored from the table here), so programs reading it see its bits.
// Any struct cpumask the program reads through (task->cpus_ptr, &task->cpus_mask) is read from
// kernel memory; only live bpf_cpumasks this runtime made may be written.
//
// Freed masks: the kernel frees with bpf_mem_cache_free_rcu, so a program holding an rcu pointer
// (a kptr it loaded) may go on using a mask another reference's release freed. Here a freed
// mask's slot is reused only two runs after the one that freed it (runs are told apart by a key
// in the run's helper state, which every run starts without), so such a pointer never meets a
// new mask in the same run; until then the old slot keeps its bits and may still be written.
import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import type { HelperCall, HelperEnv, HelperResult } from './types.js';

/** sizeof(struct cpumask) (NR_CPUS 8192 bits) and of struct bpf_cpumask (plus refcount_t). */
const CPUMASK_BYTES = 1024;
const USAGE_OFF = CPUMASK_BYTES;
const BPF_CPUMASK_SIZE = 1032;
/** Where masks are (direct-map kernel addresses), 1040 bytes apart (16-byte aligned slots). */
const CPUMASK_BASE = 0xffff_8884_0000_0000n;
const SLOT = 1040n;
/** Most masks live at once (16 MiB of kernel memory), and most slots, live or waiting out their
 *  grace period (a program creating and releasing masks in a loop): past either, creating
 *  returns NULL, as the kernel's allocator does when memory runs out. */
export const MAX_CPUMASKS = 16384;
const MAX_SLOTS = 2 * MAX_CPUMASKS;
const RUN_KEY = 'kfunc:cpumask';

export class CpumaskTable {
  /** Live masks: address -> references. */
  private readonly refs = new Map<bigint, number>();
  /** Slots free for reuse, and slots freed in the runs of the last two epochs. */
  private readonly free = new Set<bigint>();
  private pending: { addr: bigint; epoch: number }[] = [];
  private slots = 0;
  private epoch = 0;
  /** Per-CPU distribute_cpu_mask_prev. */
  readonly prev = new Map<number, number>();

  constructor(private readonly env: HelperEnv) {}

  /** A new run (its helper state lacks the key): slots freed two epochs ago become reusable. */
  enter(call: HelperCall): void {
    if (call.state.has(RUN_KEY)) return;
    call.state.set(RUN_KEY, true);
    this.epoch++;
    if (!this.pending.length) return;
    const keep: { addr: bigint; epoch: number }[] = [];
    for (const p of this.pending) (p.epoch < this.epoch - 1 ? this.free.add(p.addr) : keep.push(p));
    this.pending = keep;
  }

  create(): bigint {
    if (this.refs.size >= MAX_CPUMASKS) return 0n;
    let addr = this.free.values().next().value;
    if (addr !== undefined) this.free.delete(addr);
    else {
      if (this.slots >= MAX_SLOTS) return 0n;
      addr = CPUMASK_BASE + BigInt(this.slots++) * SLOT;
    }
    const bytes = new Uint8Array(BPF_CPUMASK_SIZE);
    new DataView(bytes.buffer).setUint32(USAGE_OFF, 1, true);
    this.mapKernel(addr, bytes);
    this.refs.set(addr, 1);
    return addr;
  }

  isLive(addr: bigint): boolean {
    return this.refs.has(addr);
  }

  /** Whether addr is a slot of this table (live or freed): a mask's memory, writable. */
  isSlot(addr: bigint): boolean {
    const off = addr - CPUMASK_BASE;
    return off >= 0n && off % SLOT === 0n && off / SLOT < BigInt(this.slots) && !this.free.has(addr);
  }

  acquire(addr: bigint): void {
    this.setRefs(addr, this.refs.get(addr)! + 1);
  }

  /** refcount_dec_and_test; the last reference frees the mask. */
  release(addr: bigint): void {
    const n = this.refs.get(addr)! - 1;
    this.setRefs(addr, n);
    if (n === 0) {
      this.refs.delete(addr);
      this.pending.push({ addr, epoch: this.epoch });
    }
  }

  /** Live masks (tests: a leak shows here). */
  live(): number {
    return this.refs.size;
  }

  private setRefs(addr: bigint, n: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    this.mapKernel(addr + BigInt(USAGE_OFF), b);
    if (n) this.refs.set(addr, n);
  }

  mapKernel(addr: bigint, bytes: Uint8Array): void {
    if (!this.env.mapKernel) throw new FaultSignal('bpf_cpumask: this runtime has no kernel memory to put masks in');
    this.env.mapKernel(addr, bytes);
  }
}

const tables = new WeakMap<HelperEnv, CpumaskTable>();

/** The runtime's cpumasks (one table per helper environment, made on first use). */
export function cpumaskTable(env: HelperEnv): CpumaskTable {
  let t = tables.get(env);
  if (!t) tables.set(env, (t = new CpumaskTable(env)));
  return t;
}

/** The dtor of a bpf_cpumask kptr freed with its map value (bpf_cpumask_release_dtor). False
 *  when `addr` is not a live mask. */
export function releaseCpumaskKptr(env: HelperEnv, addr: bigint): boolean {
  const t = tables.get(env);
  if (!t?.isLive(addr)) return false;
  t.release(addr);
  return true;
}

const hex = (a: bigint): string => `0x${a.toString(16)}`;

function table(call: HelperCall): CpumaskTable {
  const t = cpumaskTable(call.env);
  t.enter(call);
  return t;
}

/** Bytes of the words that hold nr_cpu_ids bits. */
const wordBytes = (nr: number): number => Math.ceil(nr / 64) * 8;

/** The words of the struct cpumask at argument i, from kernel memory. */
function readMask(call: HelperCall, i: 1 | 2 | 3, what: string): Uint8Array {
  const a = call.u64(i);
  const n = wordBytes(call.env.ncpus);
  const b = a === 0n ? undefined : call.env.readKernel(a, n);
  if (!b) throw new FaultSignal(`${what}: ${a === 0n ? 'NULL' : hex(a)} is not a struct cpumask in kernel memory`);
  return b;
}

/** The bpf_cpumask at argument i, which the kfunc writes: a mask of this runtime (a freed one
 *  still in its grace period included, see the header). */
function writableMask(call: HelperCall, t: CpumaskTable, i: 1 | 2, what: string): bigint {
  const a = call.u64(i);
  if (!t.isSlot(a)) throw new FaultSignal(`${what}: ${a === 0n ? 'NULL' : hex(a)} is not a struct bpf_cpumask this runtime made`);
  return a;
}

/** A bpf_cpumask the kfunc takes a reference of or drops one from: live. */
function liveMask(call: HelperCall, t: CpumaskTable, what: string): bigint {
  const a = call.u64(1);
  if (!t.isLive(a)) throw new FaultSignal(`${what}: ${a === 0n ? 'NULL' : hex(a)} is not a live struct bpf_cpumask (released already, or never made by this runtime)`);
  return a;
}

const bit = (m: Uint8Array, i: number): boolean => ((m[i >> 3]! >> (i & 7)) & 1) === 1;

/** find_first_bit over the first nr bits of f(i): the index, or nr. */
function firstWhere(nr: number, f: (i: number) => boolean, from = 0): number {
  for (let i = from; i < nr; i++) if (f(i)) return i;
  return nr;
}

export function cpumaskCreate(call: HelperCall): HelperResult {
  return table(call).create();
}

export function cpumaskAcquire(call: HelperCall): HelperResult {
  const t = table(call);
  const a = liveMask(call, t, 'bpf_cpumask_acquire');
  t.acquire(a);
  return a;
}

export function cpumaskRelease(call: HelperCall): HelperResult {
  const t = table(call);
  t.release(liveMask(call, t, 'bpf_cpumask_release'));
  return 0;
}

/** A query of one or two masks (nothing written). */
function query1(what: string, f: (m: Uint8Array, nr: number, call: HelperCall) => number) {
  return (call: HelperCall): HelperResult => {
    table(call);
    return f(readMask(call, 1, what), call.env.ncpus, call);
  };
}
function query2(what: string, f: (a: Uint8Array, b: Uint8Array, nr: number, call: HelperCall) => number) {
  return (call: HelperCall): HelperResult => {
    table(call);
    return f(readMask(call, 1, what), readMask(call, 2, what), call.env.ncpus, call);
  };
}

/** cpumask_any_distribute / cpumask_any_and_distribute: find_next_bit_wrap from prev + 1. */
function distribute(call: HelperCall, has: (i: number) => boolean): number {
  const nr = call.env.ncpus;
  const t = cpumaskTable(call.env);
  const prev = t.prev.get(call.cpu) ?? 0;
  const from = prev + 1;
  let next = firstWhere(nr, has, from);
  if (next >= nr && from !== 0) {
    next = firstWhere(Math.min(from, nr), has);
    if (next >= Math.min(from, nr)) next = nr;
  }
  if (next < nr) t.prev.set(call.cpu, next);
  return next;
}

/** A change of one CPU's bit: the old bit (false for cpu >= nr_cpu_ids, which changes nothing). */
function changeBit(what: string, op: 'set' | 'clear' | 'test') {
  return (call: HelperCall): HelperResult => {
    const t = table(call);
    const cpu = call.u32(1);
    if (op === 'test') {
      const m = readMask(call, 2, what);
      return cpu < call.env.ncpus && bit(m, cpu) ? 1 : 0;
    }
    const a = writableMask(call, t, 2, what);
    if (cpu >= call.env.ncpus) return 0;
    const byte = call.env.readKernel(a + BigInt(cpu >> 3), 1)!;
    const old = (byte[0]! >> (cpu & 7)) & 1;
    byte[0] = op === 'set' ? byte[0]! | (1 << (cpu & 7)) : byte[0]! & ~(1 << (cpu & 7));
    t.mapKernel(a + BigInt(cpu >> 3), byte);
    return old;
  };
}

/** A whole-mask write: dst's words become f(words of the sources). */
function write(what: string, nsrc: 0 | 1 | 2, f: (n: number, nr: number, a: Uint8Array | undefined, b: Uint8Array | undefined) => Uint8Array, ret?: (d: Uint8Array, nr: number) => number) {
  return (call: HelperCall): HelperResult => {
    const t = table(call);
    const d = writableMask(call, t, 1, what);
    const a = nsrc >= 1 ? readMask(call, 2, what) : undefined;
    const b = nsrc === 2 ? readMask(call, 3, what) : undefined;
    const out = f(wordBytes(call.env.ncpus), call.env.ncpus, a, b);
    t.mapKernel(d, out);
    return ret ? ret(out, call.env.ncpus) : 0;
  };
}

/** BITMAP_LAST_WORD_MASK applied to the bytes of the last word: bits at or past nr cleared. */
function maskTail(m: Uint8Array, nr: number): Uint8Array {
  for (let i = nr; i < m.length * 8; i++) m[i >> 3]! &= ~(1 << (i & 7));
  return m;
}

const bytewise = (n: number, a: Uint8Array, b: Uint8Array, op: (x: number, y: number) => number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = op(a[i]!, b[i]!);
  return out;
};

/** bpf_cpumask_populate: the kernel needs no alignment of src on x86-64 (efficient unaligned
 *  access); src is program memory (the verifier checked src__sz bytes of it). */
function populate(call: HelperCall): HelperResult {
  const t = table(call);
  const d = writableMask(call, t, 1, 'bpf_cpumask_populate');
  const n = wordBytes(call.env.ncpus);
  if (call.u64(3) < BigInt(n)) return -Errno.EACCES;
  const src = call.ptr(2);
  if (!call.arena.canAccess(src, n, false)) throw new FaultSignal(`bpf_cpumask_populate: src: ${call.arena.explain(src, n, false)}`);
  t.mapKernel(d, call.arena.read(src, n));
  return 0;
}

export const cpumaskImpls = {
  populate,
  create: cpumaskCreate,
  acquire: cpumaskAcquire,
  release: cpumaskRelease,
  first: query1('bpf_cpumask_first', (m, nr) => firstWhere(nr, (i) => bit(m, i))),
  firstZero: query1('bpf_cpumask_first_zero', (m, nr) => firstWhere(nr, (i) => !bit(m, i))),
  firstAnd: query2('bpf_cpumask_first_and', (a, b, nr) => firstWhere(nr, (i) => bit(a, i) && bit(b, i))),
  setCpu: changeBit('bpf_cpumask_set_cpu', 'set'),
  clearCpu: changeBit('bpf_cpumask_clear_cpu', 'clear'),
  testCpu: changeBit('bpf_cpumask_test_cpu', 'test'),
  testAndSetCpu: changeBit('bpf_cpumask_test_and_set_cpu', 'set'),
  testAndClearCpu: changeBit('bpf_cpumask_test_and_clear_cpu', 'clear'),
  setall: write('bpf_cpumask_setall', 0, (n) => new Uint8Array(n).fill(0xff)),
  clear: write('bpf_cpumask_clear', 0, (n) => new Uint8Array(n)),
  and: write('bpf_cpumask_and', 2, (n, nr, a, b) => maskTail(bytewise(n, a!, b!, (x, y) => x & y), nr), (d, nr) => (firstWhere(nr, (i) => bit(d, i)) < nr ? 1 : 0)),
  or: write('bpf_cpumask_or', 2, (n, _nr, a, b) => bytewise(n, a!, b!, (x, y) => x | y)),
  xor: write('bpf_cpumask_xor', 2, (n, _nr, a, b) => bytewise(n, a!, b!, (x, y) => x ^ y)),
  equal: query2('bpf_cpumask_equal', (a, b, nr) => (firstWhere(nr, (i) => bit(a, i) !== bit(b, i)) === nr ? 1 : 0)),
  intersects: query2('bpf_cpumask_intersects', (a, b, nr) => (firstWhere(nr, (i) => bit(a, i) && bit(b, i)) < nr ? 1 : 0)),
  subset: query2('bpf_cpumask_subset', (a, b, nr) => (firstWhere(nr, (i) => bit(a, i) && !bit(b, i)) === nr ? 1 : 0)),
  empty: query1('bpf_cpumask_empty', (m, nr) => (firstWhere(nr, (i) => bit(m, i)) === nr ? 1 : 0)),
  full: query1('bpf_cpumask_full', (m, nr) => (firstWhere(nr, (i) => !bit(m, i)) === nr ? 1 : 0)),
  copy: write('bpf_cpumask_copy', 1, (n, _nr, a) => a!.slice(0, n)),
  anyDistribute: query1('bpf_cpumask_any_distribute', (m, _nr, call) => distribute(call, (i) => bit(m, i))),
  anyAndDistribute: query2('bpf_cpumask_any_and_distribute', (a, b, _nr, call) => distribute(call, (i) => bit(a, i) && bit(b, i))),
  weight: query1('bpf_cpumask_weight', (m, nr) => {
    let w = 0;
    for (let i = 0; i < nr; i++) if (bit(m, i)) w++;
    return w;
  }),
};
