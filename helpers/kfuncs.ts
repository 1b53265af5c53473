// The one kfunc table: every kernel function (kfunc) the built-in kernel declares, with its BTF
// prototype (the built-in BTF and include/vmlinux.h are generated from it), the kernel's KF_* flags,
// the program types the kernel registers it for, and the implementation the VM calls. An entry
// without `impl` is declared only (its types are visible, a program that calls it is refused at
// load as libbpf would be on a kernel without it). Kfuncs are resolved by name at load: the
// object's `.ksyms` FUNC extern names the entry, the call's imm becomes the FUNC's id in the
// built-in BTF (src/runtime.ts kfuncId), as libbpf puts the vmlinux BTF id there.
//
// Implemented (semantics of Linux 6.18, checked against the host kernel by test/progs/kfunc):
//   bpf_iter_num_new/next/destroy   numeric open-coded iterator (kernel/bpf/bpf_iter.c): the
//     8-byte iterator holds {cur, end} as two s32; new(start, end) with start > end is -EINVAL and
//     end - start > BPF_MAX_LOOPS is -E2BIG (both leave an empty iterator); next returns a pointer
//     to cur inside the iterator, or NULL (and empties the iterator) once cur + 1 >= end.
//   bpf_iter_bits_new/next/destroy  bit iterator (kernel/bpf/helpers.c): new copies nr_words u64
//     words (NULL or 0 words -EINVAL, more than 511 -E2BIG, an unreadable source -EFAULT); next
//     returns a pointer to the index of the next set bit. Up to 64 bits live in the iterator, as in
//     the kernel; a longer copy is kept by the run and the iterator holds a token in its place.
//   bpf_cast_to_kern_ctx            the kernel returns its argument; so does this, but only for
//     program types whose VM context has the kernel context's layout (kprobe's pt_regs,
//     netfilter's bpf_nf_ctx, the skb types' sk_buff laid over __sk_buff; see KERN_CTX_IS_UAPI);
//     xdp gets an xdp_buff made from its xdp_md in kernel memory (loopback's rxq, device and
//     namespace behind it); elsewhere the call faults naming the struct it cannot provide.
//   bpf_rdonly_cast                 returns its argument (the verifier types it; memory is not
//     touched), except a socket's uapi pointer (its struct bpf_sock image: ctx->sk), which becomes
//     the socket's kernel struct (vm/sockets.ts): what bpf_core_cast(skb->sk, struct sock) reads.
//   bpf_dynptr_adjust/is_null/is_rdonly/size/clone/slice/slice_rdwr  on the dynptr model of
//     helpers/dynptr.ts, with the kernel's error returns.
//   bpf_dynptr_from_skb/xdp         dynptrs over the packet (size skb->len / data_end - data),
//     read-only for the program types that cannot write packets; flags -EINVAL.
//   bpf_rcu_read_lock/unlock        no-ops: the VM runs one program at a time, nothing is freed
//     under a reader.
//   bpf_preempt_disable/enable      no-ops: nothing preempts a run.
//   bpf_throw                       a BPF exception: see vm/interpreter's endWithException.
//   bpf_task_*, bpf_cgroup_*         on the runtime's task model: helpers/task-kfuncs.ts.
//   bpf_crypto_*                     AES ecb/cbc contexts: helpers/crypto.ts.
//   bpf_wq_*                         work items run when the runtime's clock advances: helpers/wq.ts.
//   bpf_arena_alloc/free/reserve_pages BPF arena pages: helpers/arena.ts.
//   bpf_cpumask_*                    struct bpf_cpumask on the runtime's CPUs: helpers/cpumask.ts.

import { FaultSignal, ThrowSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import { BPF_MAX_LOOPS } from '../vm/isa.js';
import { AttachType, ProgType } from '../vm/prog-types.js';
import type { HelperCall, HelperResult } from './types.js';
import { DYNPTR_SIZE, DynptrType, dataAddress, inRange, packetAddress, readDynptr, writeDynptr } from './dynptr.js';
import { skbBounds } from './skb.js';
import { LO_RXQ_ADDR, XDP_BUFF_ADDR } from '../src/btf/builtin-addrs.js';
import { BPF_MEM_ALLOC_MAX } from '../maps/graph.js';
import { cgroupAcquire, cgroupAncestor, cgroupFromId, cgroupRelease, taskAcquire, taskFromPid, taskGetCgroup1, taskRelease, taskUnderCgroup } from './task-kfuncs.js';
import { cryptoKfuncImpls } from './crypto.js';
import { tcpCongAvoidAi, tcpRenoCongAvoid, tcpRenoSsthresh, tcpRenoUndoCwnd, tcpSlowStart, unmodelledCaKfunc } from './tcp-ca-kfuncs.js';
import { wqKfuncImpls } from './wq.js';
import { cpumaskImpls } from './cpumask.js';
import { sessionCookie, sessionIsReturn } from './tracing.js';
import { mapSumElemCount } from './maps.js';
import { sockAddrSetSunPath, sockDestroy } from './sock.js';
import { arenaAllocPages, arenaFreePages, arenaReservePages } from './arena.js';
import { listPeek, listPop, listPush, objDrop, objNew, percpuObjDrop, percpuObjNew, rbtreeAdd, rbtreeFirst, rbtreeLeft, rbtreeRemove, rbtreeRight, rbtreeRoot, refcountAcquire } from './graph.js';

/** The kernel's KF_* kfunc flags (include/linux/btf.h), with their bit values. */
export const KF = {
  KF_ACQUIRE: 1 << 0,
  KF_RELEASE: 1 << 1,
  KF_RET_NULL: 1 << 2,
  KF_TRUSTED_ARGS: 1 << 4,
  KF_SLEEPABLE: 1 << 5,
  KF_DESTRUCTIVE: 1 << 6,
  KF_RCU: 1 << 7,
  KF_ITER_NEW: 1 << 8,
  KF_ITER_NEXT: 1 << 9,
  KF_ITER_DESTROY: 1 << 10,
  KF_RCU_PROTECTED: 1 << 11,
  KF_FASTCALL: 1 << 12,
} as const;
export type KfuncFlag = keyof typeof KF;

export interface KfuncEntry {
  /** Full kernel name, as programs declare it: 'bpf_iter_num_new'. */
  name: string;
  /** C return type and parameters (type, name) of the BTF prototype. Parameter name suffixes are
   *  the kernel's annotations (`__ign`, `__k`, `__sz`, ...), which its verifier reads. */
  ret: string;
  params: readonly (readonly [type: string, name: string])[];
  flags: readonly KfuncFlag[];
  /** Program types the kernel registers the kfunc for: its common set is every type. */
  progTypes: 'all' | readonly number[];
  /** A further gate on the program's expected attach type: the filter a kfunc set is registered
   *  with (kprobe_multi's session kfuncs only for kprobe.session programs). Absent: every attach
   *  type of the program types. Refused like an unregistered type ("is not allowed"). */
  attachAllowed?: (progType: number, attach: number) => boolean;
  /** The implementation, called with r1-r5 like a helper; absent when only declared. */
  impl?: (call: HelperCall) => HelperResult;
}

/** Whether a program of `progType` with expected attach type `attach` may call `k` (its set is
 *  registered for the type, and the set's filter lets the program through). */
export function kfuncAllowed(k: KfuncEntry, progType: number, attach: number): boolean {
  if (k.progTypes !== 'all' && !k.progTypes.includes(progType)) return false;
  return k.attachAllowed?.(progType, attach) ?? true;
}

/** The kernel's generic_kfunc_set (kernel/bpf/helpers.c) is registered for TRACING, SCHED_CLS,
 *  XDP, STRUCT_OPS, SYSCALL and CGROUP_SKB; a registration covers every program type of the same
 *  kfunc hook (btf.c bpf_prog_type_to_kfunc_hook): the tracing hook is also tracepoint,
 *  perf_event and lsm programs', the cgroup hook every cgroup program type's. (raw_tp and kprobe
 *  programs have hooks of their own, which the set is not registered for.) */
const GENERIC_TYPES: readonly number[] = [
  ProgType.TRACING, ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.LSM,
  ProgType.SCHED_CLS, ProgType.XDP, ProgType.STRUCT_OPS, ProgType.SYSCALL,
  ProgType.CGROUP_SKB, ProgType.CGROUP_SOCK, ProgType.CGROUP_DEVICE, ProgType.CGROUP_SOCK_ADDR, ProgType.CGROUP_SOCKOPT, ProgType.CGROUP_SYSCTL,
];

/** The cpumask kfuncs' registration (kernel/bpf/cpumask.c): tracing, struct_ops, syscall. */
const CPUMASK_TYPES: readonly number[] = [ProgType.TRACING, ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.LSM, ProgType.STRUCT_OPS, ProgType.SYSCALL];
const isSession = (_t: number, attach: number): boolean => attach === AttachType.TRACE_KPROBE_SESSION;

/** Bit value of an entry's flags. */
export function kfuncFlagBits(k: KfuncEntry): number {
  return k.flags.reduce((acc, f) => acc | KF[f], 0);
}

// ---- memory access on behalf of a kfunc (checked like the program's own accesses) -----------

function readI32(call: HelperCall, addr: number, what: string): number {
  if (!call.arena.canAccess(addr, 4, false)) throw new FaultSignal(`${what}: ${call.arena.explain(addr, 4, false)}`);
  return call.arena.dv.getInt32(addr, true);
}

function writeI32Pair(call: HelperCall, addr: number, a: number, b: number): void {
  const buf = new Uint8Array(8);
  const dv = new DataView(buf.buffer);
  dv.setInt32(0, a, true);
  dv.setInt32(4, b, true);
  call.arena.writeChecked(addr, 8, buf);
}

// ---- bpf_iter_num -------------------------------------------------------------------------

function iterNumNew(call: HelperCall): HelperResult {
  const it = call.ptr(1);
  const start = call.s32(2);
  const end = call.s32(3);
  if (start > end) {
    writeI32Pair(call, it, 0, 0);
    return -Errno.EINVAL;
  }
  if (end - start > BPF_MAX_LOOPS) {
    writeI32Pair(call, it, 0, 0);
    return -Errno.E2BIG;
  }
  // next() runs first and moves cur to start; start - 1 wraps as an s32 in the kernel too.
  writeI32Pair(call, it, (start - 1) | 0, end);
  return 0;
}

function iterNumNext(call: HelperCall): HelperResult {
  const it = call.ptr(1);
  const cur = readI32(call, it, 'bpf_iter_num_next');
  const end = readI32(call, it + 4, 'bpf_iter_num_next');
  // (s64)(cur + 1) >= end with the addition done in int: it wraps at INT_MAX.
  if (((cur + 1) | 0) >= end) {
    writeI32Pair(call, it, 0, 0);
    return 0;
  }
  writeI32Pair(call, it, (cur + 1) | 0, end);
  return it;
}

function iterNumDestroy(call: HelperCall): HelperResult {
  writeI32Pair(call, call.ptr(1), 0, 0);
  return 0;
}

// ---- bpf_iter_bits ------------------------------------------------------------------------

/** struct bpf_iter_bits_kern: { u64 bits_copy | u64 *bits; int nr_bits; int bit; }. */
const BITS_ITER_NR_WORDS_MAX = 511;
const BITS_STATE = 'kfunc:iter_bits';
/** Where the fake kernel pointers of long bit copies start (kernel half of the address space). */
const BITS_TOKEN_BASE = 0xffff_8880_0000_0000n;

interface BitsState {
  next: bigint;
  copies: Map<bigint, Uint8Array>;
}

function bitsState(call: HelperCall): BitsState {
  let s = call.state.get(BITS_STATE) as BitsState | undefined;
  if (!s) call.state.set(BITS_STATE, (s = { next: BITS_TOKEN_BASE, copies: new Map() }));
  return s;
}

function writeBitsIter(call: HelperCall, it: number, word: bigint, nrBits: number, bit: number): void {
  const buf = new Uint8Array(16);
  const dv = new DataView(buf.buffer);
  dv.setBigUint64(0, word, true);
  dv.setInt32(8, nrBits, true);
  dv.setInt32(12, bit, true);
  call.arena.writeChecked(it, 16, buf);
}

/** bpf_probe_read_kernel_common: the bytes at a 64-bit address (arena or kernel memory). */
function readAny(call: HelperCall, addr: bigint, len: number): Uint8Array | undefined {
  if (addr >> 32n === 0n) {
    const a = Number(addr);
    return call.arena.canAccess(a, len, false) ? call.arena.read(a, len) : undefined;
  }
  return call.env.readKernel(addr, len);
}

function iterBitsNew(call: HelperCall): HelperResult {
  const it = call.ptr(1);
  const src = call.u64(2);
  const nrWords = call.u32(3);
  writeBitsIter(call, it, 0n, 0, -1);
  if (src === 0n || nrWords === 0) return -Errno.EINVAL;
  if (nrWords > BITS_ITER_NR_WORDS_MAX) return -Errno.E2BIG;
  const nrBytes = nrWords * 8;
  if (nrBytes === 8) {
    const b = readAny(call, src, 8);
    if (!b) return -Errno.EFAULT;
    writeBitsIter(call, it, new DataView(b.buffer, b.byteOffset).getBigUint64(0, true), 64, -1);
    return 0;
  }
  if (nrBytes > BPF_MEM_ALLOC_MAX) return -Errno.E2BIG;
  const b = readAny(call, src, nrBytes);
  if (!b) return -Errno.EFAULT;
  const st = bitsState(call);
  const token = st.next;
  st.next += BigInt(nrBytes + 8);
  st.copies.set(token, b);
  writeBitsIter(call, it, token, nrBytes * 8, -1);
  return 0;
}

function iterBitsNext(call: HelperCall): HelperResult {
  const it = call.ptr(1);
  if (!call.arena.canAccess(it, 16, false)) throw new FaultSignal(`bpf_iter_bits_next: ${call.arena.explain(it, 16, false)}`);
  const dv = call.arena.dv;
  const word = dv.getBigUint64(it, true);
  const nrBits = dv.getInt32(it + 8, true);
  let bit = dv.getInt32(it + 12, true);
  if (nrBits === 0 || bit >= nrBits) return 0;
  let bytes: Uint8Array;
  if (nrBits === 64) {
    bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, word, true);
  } else {
    const copy = bitsState(call).copies.get(word);
    if (!copy) throw new FaultSignal(`bpf_iter_bits_next: iterator at 0x${it.toString(16)} holds no bits this run created (was it initialised by bpf_iter_bits_new?)`);
    bytes = copy;
  }
  // find_next_bit(bits, nr_bits, bit + 1): words are little-endian u64s, bit i of the area is bit
  // (i & 7) of byte i >> 3.
  for (bit = bit + 1; bit < nrBits; bit++) {
    const byte = bytes[bit >> 3]!;
    if (byte === 0 && (bit & 7) === 0) {
      bit += 7;
      continue;
    }
    if ((byte >> (bit & 7)) & 1) break;
  }
  if (bit > nrBits) bit = nrBits;
  dv.setInt32(it + 12, bit, true); // inside the 16 bytes checked above
  return bit >= nrBits ? 0 : it + 12;
}

function iterBitsDestroy(call: HelperCall): HelperResult {
  const it = call.ptr(1);
  if (!call.arena.canAccess(it, 16, false)) throw new FaultSignal(`bpf_iter_bits_destroy: ${call.arena.explain(it, 16, false)}`);
  const nrBits = call.arena.dv.getInt32(it + 8, true);
  if (nrBits > 64) bitsState(call).copies.delete(call.arena.dv.getBigUint64(it, true));
  return 0;
}

// ---- casts ----------------------------------------------------------------------------------

/** Program types whose context in the VM has the layout of the kernel context struct the
 *  verifier gives bpf_cast_to_kern_ctx's result (btf_get_prog_ctx_type): kprobe's pt_regs is the
 *  same memory in both views. (The kernel refuses the cast where that type is not a struct, e.g.
 *  raw_tp's u64 array.) The skb types qualify because ebpfvm's sk_buff is laid over their
 *  __sk_buff; xdp's xdp_buff and the other kernel contexts are not modelled, so the cast cannot be
 *  honoured for them. */
const KERN_CTX_IS_UAPI: ReadonlySet<number> = new Set([
  ProgType.KPROBE,
  // netfilter programs see the kernel's bpf_nf_ctx itself
  ProgType.NETFILTER,
  // ebpfvm's kernel sk_buff is laid over the __sk_buff image (vm/contexts KERNEL_SK_BUFF)
  ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.CGROUP_SKB, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT, ProgType.LWT_SEG6LOCAL, ProgType.SK_SKB,
]);
/** The kernel context struct of each program type (include/linux/bpf_types.h, the second type of
 *  BPF_PROG_TYPE): what bpf_cast_to_kern_ctx returns a pointer to. Types whose kernel context is
 *  not a struct (u64, void *) are absent: the kernel's verifier refuses the cast there. */
const KERN_CTX_STRUCT: Readonly<Record<number, string>> = {
  [ProgType.SOCKET_FILTER]: 'sk_buff',
  [ProgType.SCHED_CLS]: 'sk_buff',
  [ProgType.SCHED_ACT]: 'sk_buff',
  [ProgType.XDP]: 'xdp_buff',
  [ProgType.CGROUP_SKB]: 'sk_buff',
  [ProgType.CGROUP_SOCK]: 'sock',
  [ProgType.CGROUP_SOCK_ADDR]: 'bpf_sock_addr_kern',
  [ProgType.LWT_IN]: 'sk_buff',
  [ProgType.LWT_OUT]: 'sk_buff',
  [ProgType.LWT_XMIT]: 'sk_buff',
  [ProgType.LWT_SEG6LOCAL]: 'sk_buff',
  [ProgType.SOCK_OPS]: 'bpf_sock_ops_kern',
  [ProgType.SK_SKB]: 'sk_buff',
  [ProgType.SK_MSG]: 'sk_msg',
  [ProgType.FLOW_DISSECTOR]: 'bpf_flow_dissector',
  [ProgType.KPROBE]: 'pt_regs',
  [ProgType.PERF_EVENT]: 'bpf_perf_event_data_kern',
  [ProgType.CGROUP_DEVICE]: 'bpf_cgroup_dev_ctx',
  [ProgType.CGROUP_SYSCTL]: 'bpf_sysctl_kern',
  [ProgType.CGROUP_SOCKOPT]: 'bpf_sockopt_kern',
  [ProgType.SK_REUSEPORT]: 'sk_reuseport_kern',
  [ProgType.SK_LOOKUP]: 'bpf_sk_lookup_kern',
  [ProgType.NETFILTER]: 'bpf_nf_ctx',
};

/** The kernel context struct bpf_cast_to_kern_ctx gives a program type, if it is a struct. */
export function kernCtxStruct(progType: number): string | undefined {
  return KERN_CTX_STRUCT[progType];
}

function castToKernCtx(call: HelperCall): HelperResult {
  if (call.progType === ProgType.XDP) return xdpBuff(call);
  if (!KERN_CTX_IS_UAPI.has(call.progType)) {
    const kern = KERN_CTX_STRUCT[call.progType];
    throw new FaultSignal(`bpf_cast_to_kern_ctx: the VM does not model the kernel's ${kern ? `struct ${kern}` : 'context struct'} for this program type (only its uapi context)`);
  }
  return call.u64(1);
}

/** The built-in BTF's struct xdp_buff (src/btf/builtin-netdev.ts; test/kfunc checks the offsets
 *  against it): kept here as numbers so the helpers need not build the BTF. */
export const XDP_BUFF = { data: 0, data_end: 8, data_meta: 16, data_hard_start: 24, rxq: 32, frame_sz: 48, size: 56 } as const;

/** xdp: the run's struct xdp_buff, made from its xdp_md (the packet pointers, which the VM keeps
 *  as arena addresses) in kernel memory; its rxq is loopback's queue 0 (src/btf/builtin-netdev.ts).
 *  Made at the call, so it shows the packet as it is then (as the kernel's would, were the program
 *  to keep the pointer across bpf_xdp_adjust_head: the VM does not update it afterwards). */
function xdpBuff(call: HelperCall): HelperResult {
  const ctx = call.ptr(1);
  call.arena.check(ctx, 12, false);
  const dv = call.arena.dv;
  const data = dv.getUint32(ctx, true);
  const frame = call.arena.describe(data);
  if (!frame || !call.env.mapKernel) throw new FaultSignal('bpf_cast_to_kern_ctx: the xdp context does not point at a packet of this runtime');
  const bytes = new Uint8Array(XDP_BUFF.size);
  const b = new DataView(bytes.buffer);
  b.setBigUint64(XDP_BUFF.data, BigInt(data), true);
  b.setBigUint64(XDP_BUFF.data_end, BigInt(dv.getUint32(ctx + 4, true)), true);
  b.setBigUint64(XDP_BUFF.data_meta, BigInt(dv.getUint32(ctx + 8, true)), true);
  b.setBigUint64(XDP_BUFF.data_hard_start, BigInt(frame.start), true);
  b.setBigUint64(XDP_BUFF.rxq, LO_RXQ_ADDR, true);
  b.setUint32(XDP_BUFF.frame_sz, frame.length, true);
  call.env.mapKernel(XDP_BUFF_ADDR, bytes);
  return XDP_BUFF_ADDR;
}

// ---- dynptrs (the model is helpers/dynptr.ts) ------------------------------------------------

function dynptrAdjust(call: HelperCall): HelperResult {
  const d = readDynptr(call, 1, 'bpf_dynptr_adjust');
  const start = call.u32(2);
  const end = call.u32(3);
  if (d.data === 0n || start > end) return -Errno.EINVAL;
  if (start > d.size || end > d.size) return -Errno.ERANGE;
  writeDynptr(call, d.at, { ...d, offset: (d.offset + start) >>> 0, size: end - start });
  return 0;
}

function dynptrClone(call: HelperCall): HelperResult {
  const d = readDynptr(call, 1, 'bpf_dynptr_clone');
  const clone = call.ptr(2);
  if (d.data === 0n) {
    writeDynptr(call, clone, null);
    return -Errno.EINVAL;
  }
  call.arena.writeChecked(clone, DYNPTR_SIZE, call.arena.read(d.at, DYNPTR_SIZE));
  return 0;
}

/** bpf_dynptr_slice(_rdwr): a pointer into a local or ring buffer dynptr's data, or NULL. */
function dynptrSlice(rdwr: boolean) {
  return (call: HelperCall): HelperResult => {
    const what = rdwr ? 'bpf_dynptr_slice_rdwr' : 'bpf_dynptr_slice';
    const d = readDynptr(call, 1, what);
    if (d.data === 0n || (rdwr && d.rdonly)) return 0;
    const offset = call.u32(2);
    const len = call.u32(4);
    if (!inRange(d, offset, len)) return 0;
    if (d.type === DynptrType.SKB || d.type === DynptrType.XDP) return Math.max(packetAddress(call, d, offset, len, what), 0);
    if (d.type !== DynptrType.LOCAL && d.type !== DynptrType.RINGBUF) return 0;
    return dataAddress(d, offset, what);
  };
}

/** Program types whose packet is read-only (may_access_direct_pkt_data(WRITE) false): their skb
 *  dynptrs are made read-only, as the kernel's verifier swaps in bpf_dynptr_from_skb_rdonly. */
const SKB_RDONLY_TYPES: ReadonlySet<number> = new Set([ProgType.SOCKET_FILTER, ProgType.CGROUP_SKB, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_SEG6LOCAL, ProgType.NETFILTER, ProgType.TRACING]);

function dynptrFromSkb(call: HelperCall): HelperResult {
  const ctx = call.ptr(1);
  const at = call.ptr(3);
  if (call.u64(2) !== 0n) {
    writeDynptr(call, at, null);
    return -Errno.EINVAL;
  }
  const b = skbBounds(call, ctx);
  writeDynptr(call, at, { data: BigInt(ctx), size: b.tail - b.data, offset: 0, type: DynptrType.SKB, rdonly: SKB_RDONLY_TYPES.has(call.progType) });
  return 0;
}

function dynptrFromXdp(call: HelperCall): HelperResult {
  const ctx = call.ptr(1);
  const at = call.ptr(3);
  if (call.u64(2) !== 0n) {
    writeDynptr(call, at, null);
    return -Errno.EINVAL;
  }
  call.arena.check(ctx, 8, false);
  const size = call.arena.dv.getUint32(ctx + 4, true) - call.arena.dv.getUint32(ctx, true);
  writeDynptr(call, at, { data: BigInt(ctx), size, offset: 0, type: DynptrType.XDP });
  return 0;
}

// ---- the table ------------------------------------------------------------------------------

const P = (type: string, name: string) => [type, name] as const;
const CM = (name: string) => P('const struct cpumask *', name);
const BCM = (name: string) => P('struct bpf_cpumask *', name);

/** bpf_rdonly_cast: the same pointer; a socket's bpf_sock pointer is its kernel struct's. */
function rdonlyCast(call: HelperCall): HelperResult {
  const v = call.u64(1);
  const sk = v !== 0n && v <= 0xffffffffn ? call.env.sockets?.byAddress(Number(v)) : undefined;
  return sk ? (call.env.sockets!.kernelAddress(sk) ?? v) : v;
}

export const KFUNCS: readonly KfuncEntry[] = [
  // common_kfunc_set: every program type.
  { name: 'bpf_iter_num_new', ret: 'int', params: [P('struct bpf_iter_num *', 'it'), P('int', 'start'), P('int', 'end')], flags: ['KF_ITER_NEW'], progTypes: 'all', impl: iterNumNew },
  { name: 'bpf_iter_num_next', ret: 'int *', params: [P('struct bpf_iter_num *', 'it')], flags: ['KF_ITER_NEXT', 'KF_RET_NULL'], progTypes: 'all', impl: iterNumNext },
  { name: 'bpf_iter_num_destroy', ret: 'void', params: [P('struct bpf_iter_num *', 'it')], flags: ['KF_ITER_DESTROY'], progTypes: 'all', impl: iterNumDestroy },
  {
    name: 'bpf_iter_bits_new',
    ret: 'int',
    params: [P('struct bpf_iter_bits *', 'it'), P('const u64 *', 'unsafe_ptr__ign'), P('u32', 'nr_words')],
    flags: ['KF_ITER_NEW'],
    progTypes: 'all',
    impl: iterBitsNew,
  },
  { name: 'bpf_iter_bits_next', ret: 'int *', params: [P('struct bpf_iter_bits *', 'it')], flags: ['KF_ITER_NEXT', 'KF_RET_NULL'], progTypes: 'all', impl: iterBitsNext },
  { name: 'bpf_iter_bits_destroy', ret: 'void', params: [P('struct bpf_iter_bits *', 'it')], flags: ['KF_ITER_DESTROY'], progTypes: 'all', impl: iterBitsDestroy },
  { name: 'bpf_cast_to_kern_ctx', ret: 'void *', params: [P('void *', 'obj')], flags: [], progTypes: 'all', impl: castToKernCtx },
  { name: 'bpf_rdonly_cast', ret: 'void *', params: [P('const void *', 'obj__ign'), P('u32', 'btf_id__k')], flags: [], progTypes: 'all', impl: rdonlyCast },
  { name: 'bpf_dynptr_adjust', ret: 'int', params: [P('const struct bpf_dynptr *', 'p'), P('u32', 'start'), P('u32', 'end')], flags: [], progTypes: 'all', impl: dynptrAdjust },
  { name: 'bpf_dynptr_is_null', ret: 'bool', params: [P('const struct bpf_dynptr *', 'p')], flags: [], progTypes: 'all', impl: (call) => (readDynptr(call, 1, 'bpf_dynptr_is_null').data === 0n ? 1 : 0) },
  {
    name: 'bpf_dynptr_is_rdonly',
    ret: 'bool',
    params: [P('const struct bpf_dynptr *', 'p')],
    flags: [],
    progTypes: 'all',
    impl: (call) => {
      const d = readDynptr(call, 1, 'bpf_dynptr_is_rdonly');
      return d.data !== 0n && d.rdonly ? 1 : 0;
    },
  },
  {
    name: 'bpf_dynptr_size',
    ret: '__u32',
    params: [P('const struct bpf_dynptr *', 'p')],
    flags: [],
    progTypes: 'all',
    // a __u32 return: -EINVAL for a NULL dynptr arrives as 0xffffffea
    impl: (call) => {
      const d = readDynptr(call, 1, 'bpf_dynptr_size');
      return d.data === 0n ? -Errno.EINVAL >>> 0 : d.size;
    },
  },
  { name: 'bpf_dynptr_clone', ret: 'int', params: [P('const struct bpf_dynptr *', 'p'), P('struct bpf_dynptr *', 'clone__uninit')], flags: [], progTypes: 'all', impl: dynptrClone },
  {
    name: 'bpf_dynptr_slice',
    ret: 'void *',
    params: [P('const struct bpf_dynptr *', 'p'), P('u32', 'offset'), P('void *', 'buffer__opt'), P('u32', 'buffer__szk')],
    flags: ['KF_RET_NULL'],
    progTypes: 'all',
    impl: dynptrSlice(false),
  },
  {
    name: 'bpf_dynptr_slice_rdwr',
    ret: 'void *',
    params: [P('const struct bpf_dynptr *', 'p'), P('u32', 'offset'), P('void *', 'buffer__opt'), P('u32', 'buffer__szk')],
    flags: ['KF_RET_NULL'],
    progTypes: 'all',
    impl: dynptrSlice(true),
  },
  {
    name: 'bpf_dynptr_from_skb',
    ret: 'int',
    params: [P('struct __sk_buff *', 's'), P('u64', 'flags'), P('struct bpf_dynptr *', 'ptr__uninit')],
    flags: ['KF_TRUSTED_ARGS'],
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.SK_SKB, ProgType.SOCKET_FILTER, ProgType.CGROUP_SKB, ProgType.LWT_OUT, ProgType.LWT_IN, ProgType.LWT_XMIT, ProgType.LWT_SEG6LOCAL, ProgType.NETFILTER, ProgType.TRACING],
    impl: dynptrFromSkb,
  },
  {
    name: 'bpf_dynptr_from_xdp',
    ret: 'int',
    params: [P('struct xdp_md *', 'x'), P('u64', 'flags'), P('struct bpf_dynptr *', 'ptr__uninit')],
    flags: [],
    progTypes: [ProgType.XDP],
    impl: dynptrFromXdp,
  },
  // bpf_throw (generic set): unwinds the program; vm/interpreter ends the run through the
  // program's exception callback, or returns the cookie (the kernel's default callback).
  {
    name: 'bpf_throw',
    ret: 'void',
    params: [P('u64', 'cookie')],
    flags: [],
    progTypes: GENERIC_TYPES,
    impl: (call) => {
      throw new ThrowSignal(call.u64(1));
    },
  },
  // common_kfunc_set (kernel/bpf/map_iter.c), registered for BPF_PROG_TYPE_UNSPEC: every type
  { name: 'bpf_map_sum_elem_count', ret: 's64', params: [P('const struct bpf_map *', 'map')], flags: ['KF_TRUSTED_ARGS'], progTypes: 'all', impl: mapSumElemCount },
  // bpf_sk_iter_kfunc_set (net/core/filter.c): tracing programs, its filter keeps it to iterators
  { name: 'bpf_sock_destroy', ret: 'int', params: [P('struct sock_common *', 'sock')], flags: ['KF_TRUSTED_ARGS'], progTypes: [ProgType.TRACING], attachAllowed: (_t, attach) => attach === AttachType.TRACE_ITER, impl: sockDestroy },
  // bpf_kfunc_set_sock_addr (net/core/filter.c): cgroup sock_addr programs
  { name: 'bpf_sock_addr_set_sun_path', ret: 'int', params: [P('struct bpf_sock_addr_kern *', 'sa_kern'), P('const u8 *', 'sun_path'), P('u32', 'sun_path__sz')], flags: [], progTypes: [ProgType.CGROUP_SOCK_ADDR], impl: sockAddrSetSunPath },
  // kprobe_multi_kfunc_set: kprobe programs, and its filter keeps it to kprobe.session ones
  { name: 'bpf_session_is_return', ret: 'bool', params: [], flags: [], progTypes: [ProgType.KPROBE], attachAllowed: isSession, impl: sessionIsReturn },
  { name: 'bpf_session_cookie', ret: '__u64 *', params: [], flags: [], progTypes: [ProgType.KPROBE], attachAllowed: isSession, impl: sessionCookie },
  { name: 'bpf_rcu_read_lock', ret: 'void', params: [], flags: [], progTypes: 'all', impl: () => 0 },
  // common set: no-ops, as the VM runs one program at a time on one CPU and never preempts it
  { name: 'bpf_preempt_disable', ret: 'void', params: [], flags: [], progTypes: 'all', impl: () => 0 },
  { name: 'bpf_preempt_enable', ret: 'void', params: [], flags: [], progTypes: 'all', impl: () => 0 },
  { name: 'bpf_rcu_read_unlock', ret: 'void', params: [], flags: [], progTypes: 'all', impl: () => 0 },
  // bpf_wq (common set, 6.10+; 6.17+ names the hidden program argument aux__prog): helpers/wq.ts.
  { name: 'bpf_wq_init', ret: 'int', params: [P('struct bpf_wq *', 'wq'), P('void *', 'p__map'), P('unsigned int', 'flags')], flags: [], progTypes: 'all', impl: wqKfuncImpls.init },
  {
    name: 'bpf_wq_set_callback_impl',
    ret: 'int',
    params: [P('struct bpf_wq *', 'wq'), P('int (*)(void *, int *, void *)', 'callback_fn'), P('unsigned int', 'flags'), P('void *', 'aux__prog')],
    flags: [],
    progTypes: 'all',
    impl: wqKfuncImpls.setCallback,
  },
  { name: 'bpf_wq_start', ret: 'int', params: [P('struct bpf_wq *', 'wq'), P('unsigned int', 'flags')], flags: [], progTypes: 'all', impl: wqKfuncImpls.start },

  // generic_kfunc_set: allocated objects and the graph kfuncs (kernel/bpf/helpers.c; flags and
  // prototypes as Linux 6.18's BTF has them: the meta__ign/off arguments are filled in by the
  // kernel's verifier, programs pass NULL and 0 through the bpf_experimental.h macros).
  { name: 'bpf_obj_new_impl', ret: 'void *', params: [P('u64', 'local_type_id__k'), P('void *', 'meta__ign')], flags: ['KF_ACQUIRE', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: objNew },
  { name: 'bpf_percpu_obj_new_impl', ret: 'void *', params: [P('u64', 'local_type_id__k'), P('void *', 'meta__ign')], flags: ['KF_ACQUIRE', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: percpuObjNew },
  { name: 'bpf_obj_drop_impl', ret: 'void', params: [P('void *', 'p__alloc'), P('void *', 'meta__ign')], flags: ['KF_RELEASE'], progTypes: GENERIC_TYPES, impl: objDrop },
  { name: 'bpf_percpu_obj_drop_impl', ret: 'void', params: [P('void *', 'p__alloc'), P('void *', 'meta__ign')], flags: ['KF_RELEASE'], progTypes: GENERIC_TYPES, impl: percpuObjDrop },
  { name: 'bpf_refcount_acquire_impl', ret: 'void *', params: [P('void *', 'p__refcounted_kptr'), P('void *', 'meta__ign')], flags: ['KF_ACQUIRE', 'KF_RET_NULL', 'KF_RCU'], progTypes: GENERIC_TYPES, impl: refcountAcquire },
  {
    name: 'bpf_list_push_front_impl',
    ret: 'int',
    params: [P('struct bpf_list_head *', 'head'), P('struct bpf_list_node *', 'node'), P('void *', 'meta__ign'), P('u64', 'off')],
    flags: [],
    progTypes: GENERIC_TYPES,
    impl: listPush(false),
  },
  {
    name: 'bpf_list_push_back_impl',
    ret: 'int',
    params: [P('struct bpf_list_head *', 'head'), P('struct bpf_list_node *', 'node'), P('void *', 'meta__ign'), P('u64', 'off')],
    flags: [],
    progTypes: GENERIC_TYPES,
    impl: listPush(true),
  },
  { name: 'bpf_list_pop_front', ret: 'struct bpf_list_node *', params: [P('struct bpf_list_head *', 'head')], flags: ['KF_ACQUIRE', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: listPop(false) },
  { name: 'bpf_list_pop_back', ret: 'struct bpf_list_node *', params: [P('struct bpf_list_head *', 'head')], flags: ['KF_ACQUIRE', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: listPop(true) },
  // Linux 6.16+
  { name: 'bpf_list_front', ret: 'struct bpf_list_node *', params: [P('struct bpf_list_head *', 'head')], flags: ['KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: listPeek(false) },
  { name: 'bpf_list_back', ret: 'struct bpf_list_node *', params: [P('struct bpf_list_head *', 'head')], flags: ['KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: listPeek(true) },
  { name: 'bpf_rbtree_remove', ret: 'struct bpf_rb_node *', params: [P('struct bpf_rb_root *', 'root'), P('struct bpf_rb_node *', 'node')], flags: ['KF_ACQUIRE', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: rbtreeRemove },
  {
    name: 'bpf_rbtree_add_impl',
    ret: 'int',
    params: [
      P('struct bpf_rb_root *', 'root'),
      P('struct bpf_rb_node *', 'node'),
      P('bool (*)(struct bpf_rb_node *, const struct bpf_rb_node *)', 'less'),
      P('void *', 'meta__ign'),
      P('u64', 'off'),
    ],
    flags: [],
    progTypes: GENERIC_TYPES,
    impl: rbtreeAdd,
  },
  { name: 'bpf_rbtree_first', ret: 'struct bpf_rb_node *', params: [P('struct bpf_rb_root *', 'root')], flags: ['KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: rbtreeFirst },
  // Linux 6.16+
  { name: 'bpf_rbtree_root', ret: 'struct bpf_rb_node *', params: [P('struct bpf_rb_root *', 'root')], flags: ['KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: rbtreeRoot },
  { name: 'bpf_rbtree_left', ret: 'struct bpf_rb_node *', params: [P('struct bpf_rb_root *', 'root'), P('struct bpf_rb_node *', 'node')], flags: ['KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: rbtreeLeft },
  { name: 'bpf_rbtree_right', ret: 'struct bpf_rb_node *', params: [P('struct bpf_rb_root *', 'root'), P('struct bpf_rb_node *', 'node')], flags: ['KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: rbtreeRight },
  // net/bpf/test_run.c's test_sk_check_kfunc_ids (tc only): releases a prog_test_ref_kfunc kptr.
  // Only bpf_testmod's kfuncs acquire such an object, so no kptr of this type can be non-NULL in
  // ebpfvm (nor on a host without bpf_testmod); the release has nothing to drop: a no-op.
  { name: 'bpf_kfunc_call_test_release', ret: 'void', params: [P('struct prog_test_ref_kfunc *', 'p')], flags: ['KF_RELEASE'], progTypes: [ProgType.SCHED_CLS], impl: () => 0 },
  // TCP congestion control (bpf_tcp_ca_kfunc_set, registered for BPF_PROG_TYPE_STRUCT_OPS, no
  // flags): helpers/tcp-ca.ts.
  { name: 'tcp_reno_ssthresh', ret: 'u32', params: [P('struct sock *', 'sk')], flags: [], progTypes: [ProgType.STRUCT_OPS], impl: tcpRenoSsthresh },
  { name: 'tcp_reno_cong_avoid', ret: 'void', params: [P('struct sock *', 'sk'), P('u32', 'ack'), P('u32', 'acked')], flags: [], progTypes: [ProgType.STRUCT_OPS], impl: tcpRenoCongAvoid },
  { name: 'tcp_reno_undo_cwnd', ret: 'u32', params: [P('struct sock *', 'sk')], flags: [], progTypes: [ProgType.STRUCT_OPS], impl: tcpRenoUndoCwnd },
  { name: 'tcp_slow_start', ret: 'u32', params: [P('struct tcp_sock *', 'tp'), P('u32', 'acked')], flags: [], progTypes: [ProgType.STRUCT_OPS], impl: tcpSlowStart },
  { name: 'tcp_cong_avoid_ai', ret: 'void', params: [P('struct tcp_sock *', 'tp'), P('u32', 'w'), P('u32', 'acked')], flags: [], progTypes: [ProgType.STRUCT_OPS], impl: tcpCongAvoidAi },
  ...([
    ['cubictcp_init', 'void', []], ['cubictcp_recalc_ssthresh', 'u32', []], ['cubictcp_cong_avoid', 'void', [P('u32', 'ack'), P('u32', 'acked')]],
    ['cubictcp_state', 'void', [P('u8', 'new_state')]], ['cubictcp_cwnd_event', 'void', [P('enum tcp_ca_event', 'event')]],
    ['cubictcp_acked', 'void', [P('const struct ack_sample *', 'sample')]],
    ['bbr_init', 'void', []], ['bbr_main', 'void', [P('u32', 'ack'), P('int', 'flag'), P('const struct rate_sample *', 'rs')]],
    ['bbr_sndbuf_expand', 'u32', []], ['bbr_undo_cwnd', 'u32', []], ['bbr_cwnd_event', 'void', [P('enum tcp_ca_event', 'event')]],
    ['bbr_ssthresh', 'u32', []], ['bbr_min_tso_segs', 'u32', []], ['bbr_set_state', 'void', [P('u8', 'new_state')]],
  ] as const).map(([name, ret, rest]): KfuncEntry => ({ name, ret, params: [P('struct sock *', 'sk'), ...rest], flags: [], progTypes: [ProgType.STRUCT_OPS], impl: unmodelledCaKfunc(name) })),
  // Tasks and cgroups (generic_kfunc_set) on the runtime's task model: helpers/task-kfuncs.ts.
  { name: 'bpf_task_acquire', ret: 'struct task_struct *', params: [P('struct task_struct *', 'p')], flags: ['KF_ACQUIRE', 'KF_RCU', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: taskAcquire },
  { name: 'bpf_task_release', ret: 'void', params: [P('struct task_struct *', 'p')], flags: ['KF_RELEASE'], progTypes: GENERIC_TYPES, impl: taskRelease },
  { name: 'bpf_task_from_pid', ret: 'struct task_struct *', params: [P('s32', 'pid')], flags: ['KF_ACQUIRE', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: taskFromPid('bpf_task_from_pid') },
  // Linux 6.13+
  { name: 'bpf_task_from_vpid', ret: 'struct task_struct *', params: [P('s32', 'vpid')], flags: ['KF_ACQUIRE', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: taskFromPid('bpf_task_from_vpid') },
  { name: 'bpf_cgroup_acquire', ret: 'struct cgroup *', params: [P('struct cgroup *', 'cgrp')], flags: ['KF_ACQUIRE', 'KF_RCU', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: cgroupAcquire },
  { name: 'bpf_cgroup_release', ret: 'void', params: [P('struct cgroup *', 'cgrp')], flags: ['KF_RELEASE'], progTypes: GENERIC_TYPES, impl: cgroupRelease },
  { name: 'bpf_cgroup_ancestor', ret: 'struct cgroup *', params: [P('struct cgroup *', 'cgrp'), P('int', 'level')], flags: ['KF_ACQUIRE', 'KF_RCU', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: cgroupAncestor },
  { name: 'bpf_cgroup_from_id', ret: 'struct cgroup *', params: [P('u64', 'cgid')], flags: ['KF_ACQUIRE', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: cgroupFromId },
  { name: 'bpf_task_under_cgroup', ret: 'long', params: [P('struct task_struct *', 'task'), P('struct cgroup *', 'ancestor')], flags: ['KF_RCU'], progTypes: GENERIC_TYPES, impl: taskUnderCgroup },
  { name: 'bpf_task_get_cgroup1', ret: 'struct cgroup *', params: [P('struct task_struct *', 'task'), P('int', 'hierarchy_id')], flags: ['KF_ACQUIRE', 'KF_RCU', 'KF_RET_NULL'], progTypes: GENERIC_TYPES, impl: taskGetCgroup1 },
  // kernel/bpf/cpumask.c (6.3+): helpers/cpumask.ts. Registered for tracing, struct_ops and
  // syscall programs (the tracing hook is also tracepoint, perf_event and lsm programs').
  { name: 'bpf_cpumask_create', ret: 'struct bpf_cpumask *', params: [], flags: ['KF_ACQUIRE', 'KF_RET_NULL'], progTypes: CPUMASK_TYPES, impl: cpumaskImpls.create },
  { name: 'bpf_cpumask_release', ret: 'void', params: [P('struct bpf_cpumask *', 'cpumask')], flags: ['KF_RELEASE'], progTypes: CPUMASK_TYPES, impl: cpumaskImpls.release },
  { name: 'bpf_cpumask_acquire', ret: 'struct bpf_cpumask *', params: [P('struct bpf_cpumask *', 'cpumask')], flags: ['KF_ACQUIRE', 'KF_TRUSTED_ARGS'], progTypes: CPUMASK_TYPES, impl: cpumaskImpls.acquire },
  ...([
    ['bpf_cpumask_first', 'u32', [CM('cpumask')], cpumaskImpls.first],
    ['bpf_cpumask_first_zero', 'u32', [CM('cpumask')], cpumaskImpls.firstZero],
    ['bpf_cpumask_first_and', 'u32', [CM('src1'), CM('src2')], cpumaskImpls.firstAnd],
    ['bpf_cpumask_set_cpu', 'void', [P('u32', 'cpu'), BCM('cpumask')], cpumaskImpls.setCpu],
    ['bpf_cpumask_clear_cpu', 'void', [P('u32', 'cpu'), BCM('cpumask')], cpumaskImpls.clearCpu],
    ['bpf_cpumask_test_cpu', 'bool', [P('u32', 'cpu'), CM('cpumask')], cpumaskImpls.testCpu],
    ['bpf_cpumask_test_and_set_cpu', 'bool', [P('u32', 'cpu'), BCM('cpumask')], cpumaskImpls.testAndSetCpu],
    ['bpf_cpumask_test_and_clear_cpu', 'bool', [P('u32', 'cpu'), BCM('cpumask')], cpumaskImpls.testAndClearCpu],
    ['bpf_cpumask_setall', 'void', [BCM('cpumask')], cpumaskImpls.setall],
    ['bpf_cpumask_clear', 'void', [BCM('cpumask')], cpumaskImpls.clear],
    ['bpf_cpumask_and', 'bool', [BCM('dst'), CM('src1'), CM('src2')], cpumaskImpls.and],
    ['bpf_cpumask_or', 'void', [BCM('dst'), CM('src1'), CM('src2')], cpumaskImpls.or],
    ['bpf_cpumask_xor', 'void', [BCM('dst'), CM('src1'), CM('src2')], cpumaskImpls.xor],
    ['bpf_cpumask_equal', 'bool', [CM('src1'), CM('src2')], cpumaskImpls.equal],
    ['bpf_cpumask_intersects', 'bool', [CM('src1'), CM('src2')], cpumaskImpls.intersects],
    ['bpf_cpumask_subset', 'bool', [CM('src1'), CM('src2')], cpumaskImpls.subset],
    ['bpf_cpumask_empty', 'bool', [CM('cpumask')], cpumaskImpls.empty],
    ['bpf_cpumask_full', 'bool', [CM('cpumask')], cpumaskImpls.full],
    ['bpf_cpumask_copy', 'void', [BCM('dst'), CM('src')], cpumaskImpls.copy],
    ['bpf_cpumask_any_distribute', 'u32', [CM('cpumask')], cpumaskImpls.anyDistribute],
    ['bpf_cpumask_any_and_distribute', 'u32', [CM('src1'), CM('src2')], cpumaskImpls.anyAndDistribute],
    ['bpf_cpumask_weight', 'u32', [CM('cpumask')], cpumaskImpls.weight],
  ] as const).map(([name, ret, params, impl]): KfuncEntry => ({ name, ret, params, flags: ['KF_RCU'], progTypes: CPUMASK_TYPES, impl })),
  // Linux 6.14+
  { name: 'bpf_cpumask_populate', ret: 'int', params: [P('struct cpumask *', 'cpumask'), P('void *', 'src'), P('size_t', 'src__sz')], flags: ['KF_RCU'], progTypes: CPUMASK_TYPES, impl: cpumaskImpls.populate },
  // kernel/bpf/crypto.c (6.10+): contexts are made, acquired and released by syscall programs
  // (crypt_init_kfunc_set), used by tc and xdp programs (crypt_kfunc_set). helpers/crypto.ts.
  {
    name: 'bpf_crypto_ctx_create',
    ret: 'struct bpf_crypto_ctx *',
    params: [P('const struct bpf_crypto_params *', 'params'), P('u32', 'params__sz'), P('int *', 'err')],
    flags: ['KF_ACQUIRE', 'KF_RET_NULL', 'KF_SLEEPABLE'],
    progTypes: [ProgType.SYSCALL],
    impl: cryptoKfuncImpls.create,
  },
  { name: 'bpf_crypto_ctx_release', ret: 'void', params: [P('struct bpf_crypto_ctx *', 'ctx')], flags: ['KF_RELEASE'], progTypes: [ProgType.SYSCALL], impl: cryptoKfuncImpls.release },
  { name: 'bpf_crypto_ctx_acquire', ret: 'struct bpf_crypto_ctx *', params: [P('struct bpf_crypto_ctx *', 'ctx')], flags: ['KF_ACQUIRE', 'KF_RCU', 'KF_RET_NULL'], progTypes: [ProgType.SYSCALL], impl: cryptoKfuncImpls.acquire },
  {
    name: 'bpf_crypto_decrypt',
    ret: 'int',
    params: [P('struct bpf_crypto_ctx *', 'ctx'), P('const struct bpf_dynptr *', 'src'), P('const struct bpf_dynptr *', 'dst'), P('const struct bpf_dynptr *', 'siv__nullable')],
    flags: ['KF_RCU'],
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP],
    impl: cryptoKfuncImpls.decrypt,
  },
  {
    name: 'bpf_crypto_encrypt',
    ret: 'int',
    params: [P('struct bpf_crypto_ctx *', 'ctx'), P('const struct bpf_dynptr *', 'src'), P('const struct bpf_dynptr *', 'dst'), P('const struct bpf_dynptr *', 'siv__nullable')],
    flags: ['KF_RCU'],
    progTypes: [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP],
    impl: cryptoKfuncImpls.encrypt,
  },
  // fs/bpf_fs_kfuncs.c (lsm programs), declared only: ebpfvm has no struct file model.
  { name: 'bpf_get_task_exe_file', ret: 'struct file *', params: [P('struct task_struct *', 'task')], flags: ['KF_ACQUIRE', 'KF_TRUSTED_ARGS', 'KF_RET_NULL'], progTypes: [ProgType.LSM] },
  { name: 'bpf_put_file', ret: 'void', params: [P('struct file *', 'file')], flags: ['KF_RELEASE'], progTypes: [ProgType.LSM] },
  // BPF arenas (helpers/arena.ts): registered for BPF_PROG_TYPE_UNSPEC, i.e. every type.
  {
    name: 'bpf_arena_alloc_pages',
    ret: 'void *',
    params: [P('void *', 'p__map'), P('void *', 'addr__ign'), P('u32', 'page_cnt'), P('int', 'node_id'), P('u64', 'flags')],
    flags: ['KF_TRUSTED_ARGS', 'KF_SLEEPABLE'],
    progTypes: 'all',
    impl: arenaAllocPages,
  },
  { name: 'bpf_arena_free_pages', ret: 'void', params: [P('void *', 'p__map'), P('void *', 'ptr__ign'), P('u32', 'page_cnt')], flags: ['KF_TRUSTED_ARGS', 'KF_SLEEPABLE'], progTypes: 'all', impl: arenaFreePages },
  { name: 'bpf_arena_reserve_pages', ret: 'int', params: [P('void *', 'p__map'), P('void *', 'ptr__ign'), P('u32', 'page_cnt')], flags: ['KF_TRUSTED_ARGS', 'KF_SLEEPABLE'], progTypes: 'all', impl: arenaReservePages },
];

let byName: Map<string, KfuncEntry> | undefined;

/** The table entry for a kfunc name, implemented or declared only. */
export function kfuncByName(name: string): KfuncEntry | undefined {
  byName ??= new Map(KFUNCS.map((k) => [k.name, k]));
  return byName.get(name);
}
