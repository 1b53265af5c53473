// BPF_PROG_TEST_RUN as the kernel's net/bpf/test_run.c does it (DESIGN section 5), on the VM.
// docs/test-runs.md has the user's view; test/fixtures/kernel holds the kernel's own answers.
//
// What carries over from the kernel (checked against a 6.18 host):
// - skb programs need at least ETH_HLEN (14) and at most 3712 bytes (a page minus NET_SKB_PAD
//   and skb_shared_info); an IPv4/IPv6 ethertype needs a full 20/40-byte network header. The
//   device is loopback (ifindex 1): pkt_type is HOST for a zero destination MAC, MULTICAST for
//   any address with the group bit (loopback's broadcast address is all zeros, so ff:ff:.. is
//   MULTICAST too), OTHERHOST otherwise; protocol is the ethertype as eth_type_trans() computes
//   it, stored in network byte order. __sk_buff.sk points to a socket whose family and
//   addresses come from the IP header.
// - tc (and sched_act) programs see the packet from the Ethernet header; socket filters and the
//   other skb types from the network header, which is also LD_ABS's base. Their data_out gets
//   14 bytes back in front of the network header, zero-filled (the kernel memsets them).
// - ctx_in may be shorter than the context (the rest is zero) or longer if the excess is zero
//   (-E2BIG otherwise). __sk_buff accepts mark, priority, ingress_ifindex, ifindex, cb[],
//   tstamp, wire_len, gso_segs, gso_size and hwtstamp; any other non-zero byte is -EINVAL.
//   ctx_out is ctx_in with the fields the kernel converts back overwritten (mark, priority,
//   ingress_ifindex, ifindex, tstamp, cb, wire_len, gso_segs, hwtstamp), so a program's write to
//   tc_index is not reported, as in the kernel.
// - XDP gets XDP_PACKET_HEADROOM (256) bytes of headroom; with a ctx_in, `data` is the length of
//   metadata at the start of data_in (multiple of 4, at most 32) and `data_end` the linear length;
//   data_out runs from data_meta to data_end. Without ctx_in, ingress_ifindex reads 1 (the
//   loopback queue the kernel uses).
// - flow dissectors get fresh flow keys every run and return them as data_out; sk_lookup
//   programs get the lookup from a required ctx_in; syscall programs get the user's buffer (up
//   to U16_MAX bytes, no data); raw tracepoints their u64 arguments (at most 12, no data).
// - repeat runs the program N times on the same packet and context, so writes accumulate;
//   retval is the low 32 bits of r0 of the last run; duration is the mean time per run in ns.
//
// Deliberate differences: repeat and the CPU work for every type; only the loopback device
// exists, so ifindex > 1 is -ENODEV; XDP packets beyond the linear part (frags) are refused as
// unsupported; kprobe (x86-64 pt_regs), tracepoint (raw record) and fentry/fexit/lsm (u64
// argument array) programs run on user-supplied arguments, which the kernel cannot do.

import { freeMovedPacket, setSkb, setXdp } from '../helpers/packet.js';
import type { RunOutput } from '../helpers/types.js';
import { UnsupportedError, UsageError, describeValue } from '../src/errors.js';
import { checkProgram } from './decode.js';
import {
  BPF_FLOW_KEYS,
  BPF_NF_CTX,
  BPF_SOCK,
  ETH_HLEN,
  KERNEL_SK_BUFF,
  SKB_SHARED_INFO,
  NF_HOOK_STATE,
  MAX_BPF_FUNC_ARGS,
  PERF_MAX_TRACE_SIZE,
  PT_REGS_ARG_REGS,
  PT_REGS_X86_64,
  SK_BUFF,
  SK_LOOKUP,
  XDP_MD,
  field,
  progTypeInfo,
  writableRanges,
  type ProgTypeInfo,
} from './contexts.js';
import { MemFlag, type Arena } from './memory.js';
import type { Socket, SocketTable } from './sockets.js';
import { AttachType, ProgType, progTypeName } from './prog-types.js';
import type { Program } from './program.js';
import type { TraceFn } from './interpreter.js';
import { typedTracingArgs } from '../src/btf/builtin-args.js';
import { STRUCT_OPS_TYPES } from '../src/btf/builtin-struct-ops.js';
import { builtinBtf } from '../src/btf/builtin.js';
import { BtfKind } from '../src/btf/btf.js';
import { nowMs } from './now.js';

/** What a test run needs from its runtime (src/runtime's Runtime satisfies it). */
export interface TestRunHost {
  readonly arena: Arena;
  execute(
    prog: Program,
    req: {
      args?: readonly (bigint | number)[];
      cpu?: number;
      maxInsns?: number;
      verified?: boolean;
      trace?: TraceFn;
      output?: RunOutput;
      /** LD_ABS/LD_IND bounds (skb->data .. end). `mac` and `network` are the headers that
       *  SKF_LL_OFF / SKF_NET_OFF offsets are relative to, for an interpreter that supports them. */
      packet?: { start: number; end: number; mac?: number; network?: number };
      probeMem?: boolean;
      cookie?: bigint;
    },
  ): { r0: bigint; insnCount: number; output: RunOutput };
  /** The runtime's sockets: a skb run registers its socket there for the run (sk_storage). */
  readonly sockets?: SocketTable;
  /** Called once after every test run (all repeats): per-run state such as the cgroup storage
   *  bpf_test_run allocates goes away, as in the kernel. */
  testRunEnded?(): void;
}

export interface TestRunInput {
  /** data_in: the packet (skb, xdp). */
  data?: Uint8Array;
  /** ctx_in: the context as the user gives it (prefix of the struct, or the syscall buffer). */
  ctx?: Uint8Array;
  /** Tracing programs: the arguments (u64 each), instead of ctx_in. kprobe programs get them in
   *  the argument registers of pt_regs, raw_tp/fentry/lsm programs as the u64 array. */
  args?: readonly (bigint | number)[];
  /** The BPF cookie bpf_get_attach_cookie returns: the kernel's test runs have no link, so 0;
   *  for the tracing types ebpfvm runs on user-supplied arguments, the cookie of the attachment
   *  being simulated. */
  cookie?: bigint;
  /** Report ctx_out even without ctx_in (like passing ctx_out to the syscall). */
  wantCtxOut?: boolean;
  /** Number of runs; 0 means 1, as in the kernel. */
  repeat?: number;
  cpu?: number;
  /** Instruction budget per run (unverified mode); 0 = unlimited. */
  maxInsns?: number;
  /** The program passed the verifier and runs as verified (ExecRequest.verified): no budget
   *  unless maxInsns, and the compiling tier may use the verifier's facts. */
  verified?: boolean;
  trace?: TraceFn;
  /** Where printk/ringbuf/perf output goes (default: a fresh one, returned in the result). Pass
   *  your own to keep what a run printed before it faulted. */
  output?: RunOutput;
}

export interface TestRunResult {
  /** Low 32 bits of r0, unsigned (the kernel's retval). */
  retval: number;
  /** Full r0 of the last run, unsigned 64-bit. */
  r0: bigint;
  dataOut?: Uint8Array;
  ctxOut?: Uint8Array;
  /** Mean wall time per run in ns, clamped to u32 like the kernel's duration. */
  durationNs: number;
  repeat: number;
  /** Instructions executed, summed over all runs. */
  insnCount: number;
  output: RunOutput;
}

/** Input the kernel would refuse: carries the errno the syscall would return. Exit code 2. */
export class TestRunInputError extends UsageError {
  constructor(
    readonly errno: 'EINVAL' | 'E2BIG' | 'ENODEV' | 'ERANGE' | 'EAFNOSUPPORT' | 'ENOTSUPP' | 'EPROTO' | 'EOPNOTSUPP',
    message: string,
  ) {
    super(`test run refused (-${errno}): ${message}`);
  }
}

// Kernel limits on x86-64: PAGE_SIZE minus headroom minus the skb_shared_info tailroom (320).
const PAGE_SIZE = 4096;
const SHINFO_TAILROOM = 320;
const NET_SKB_PAD = 64;
const XDP_PACKET_HEADROOM = 256;
const SKB_MAX_LINEAR = PAGE_SIZE - NET_SKB_PAD - SHINFO_TAILROOM;
const GSO_LEGACY_MAX_SIZE = 65536;
const GSO_MAX_SEGS = 65535;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const LOOPBACK_IFINDEX = 1;
// enum bpf_attach_type (src/loader/sections.ts has the whole list; vm/ does not import src/loader)
const XDP_DEVMAP = 33;
const XDP_CPUMAP = 35;

const PACKET_HOST = 0;
const PACKET_MULTICAST = 2;
const PACKET_OTHERHOST = 3;

/** Program types whose kernel prog_ops have no .test_run. */
const NO_TEST_RUN: ReadonlySet<number> = new Set([
  ProgType.RAW_TRACEPOINT_WRITABLE, ProgType.PERF_EVENT, ProgType.EXT, ProgType.CGROUP_SOCK_ADDR, ProgType.CGROUP_SOCK, ProgType.CGROUP_SOCKOPT, ProgType.SOCK_OPS, ProgType.CGROUP_DEVICE, ProgType.CGROUP_SYSCTL, ProgType.SK_MSG,
  ProgType.SK_SKB, ProgType.SK_REUSEPORT,
]);

/** Run `prog` the way BPF_PROG_TEST_RUN would. Throws TestRunInputError for input the kernel
 *  refuses, UnsupportedError for types or sizes ebpfvm does not model, VmFault on a fault. */

export function testRun(host: TestRunHost, prog: Program, input: TestRunInput = {}): TestRunResult {
  checkProgram(prog);
  if (input === null || typeof input !== 'object') throw new UsageError(`test run input must be an object, got ${describeValue(input)}`);
  const info = progTypeInfo(prog.progType);
  // raw_tracepoint_writable_prog_ops, perf_event_prog_ops, bpf_extension_prog_ops, cg_dev_prog_ops,
  // cg_sysctl_prog_ops and the socket hooks' prog_ops (cg_sock_addr, cg_sock, cg_sockopt, sock_ops, sk_msg, sk_skb, sk_reuseport) have no
  // .test_run: bpf(2) says -ENOTSUPP (perf_event programs run only when a sampled perf event
  // overflows, extensions only in place of the function they replace, the cgroup hooks only inside
  // a device access, a sysctl access or a socket's bind/connect/setsockopt/... call or a TCP event).
  // bpf(2) refuses a ctx_in pointer with size 0 before looking at the program type (the host
  // says EINVAL, not ENOTSUPP, for an empty ctx_in to a type without a test run).
  if (input.ctx !== undefined && input.ctx.length === 0) throw new TestRunInputError('EINVAL', 'ctx_in is empty (omit it instead)');
  if (NO_TEST_RUN.has(prog.progType))
    throw new TestRunInputError('ENOTSUPP', `the kernel has no test run for ${progTypeName(prog.progType)} programs (${prog.name})`);
  // bpf_prog_test_run_tracing runs fentry/fexit/fmod_ret only: an iterator (BPF_TRACE_ITER) runs
  // inside reads of its iterator file (src/iter.ts).
  if (prog.progType === ProgType.TRACING && prog.expectedAttachType === AttachType.TRACE_ITER)
    throw new TestRunInputError('ENOTSUPP', `the kernel has no test run for iterator programs (${prog.name}, section ${prog.section ?? '?'}): read the iterator instead (ebpfvm run reads it; library: runIterator)`);
  if (!info?.testRun) throw new UnsupportedError(`program ${prog.name}: test runs of ${progTypeName(prog.progType)} programs are not supported`);
  const repeat = input.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 0 || repeat > 0xffffffff) throw new UsageError(`repeat must be an unsigned 32-bit integer (got ${repeat})`);
  try {
    return dispatch(host, prog, info, info.testRun, input);
  } finally {
    host.testRunEnded?.();
  }
}

function dispatch(host: TestRunHost, prog: Program, info: ProgTypeInfo, kind: NonNullable<ProgTypeInfo['testRun']>, input: TestRunInput): TestRunResult {
  switch (kind) {
    case 'skb-l2':
    case 'skb-l3':
      return runSkb(host, prog, info, input, kind === 'skb-l2');
    case 'xdp':
      return runXdp(host, prog, info, input);
    case 'syscall':
      return runSyscall(host, prog, input);
    case 'raw-tp':
    case 'btf-args':
    case 'pt-regs':
    case 'tp-record':
      return runTracing(host, prog, kind, input);
    case 'flow-dissector':
      return runFlowDissector(host, prog, input);
    case 'sk-lookup':
      return runSkLookup(host, prog, input);
    case 'netfilter':
      return runNetfilter(host, prog, input);
    case 'struct-ops':
      return runStructOps(host, prog, input);
  }
}

/** bpf_struct_ops_test_run (net/bpf/bpf_dummy_struct_ops.c): only bpf_dummy_ops programs run
 *  (-EOPNOTSUPP for other struct_ops types); ctx_in is the member's arguments as u64 values, one
 *  per parameter (-EINVAL otherwise). The kernel reads the state pointed to by the first argument
 *  from user memory and copies it back after the run; ebpfvm has no user memory, so a non-zero
 *  first argument means "a state", whose bytes are data_in (zero if absent) and come back as
 *  data_out. A zero pointer argument the member does not declare nullable is -EINVAL. */
function runStructOps(host: TestRunHost, prog: Program, input: TestRunInput): TestRunResult {
  const struct = prog.structOps;
  const type = struct !== undefined ? STRUCT_OPS_TYPES[struct] : undefined;
  if (!type?.testRun) throw new TestRunInputError('EOPNOTSUPP', `struct_ops program ${prog.name}${struct ? ` of struct ${struct}` : ''}: the kernel test-runs only bpf_dummy_ops programs`);
  const btf = builtinBtf();
  const st = btf.find(struct!, BtfKind.STRUCT)[0]!;
  const member = st.members![prog.expectedAttachType ?? 0]!;
  const proto = btf.resolve(btf.resolve(member.type).sizeOrType);
  const params = proto.params ?? [];
  if (input.args !== undefined && input.ctx !== undefined) throw new UsageError('struct_ops: give the arguments either as arguments or as ctx_in, not both');
  const ctxIn = input.ctx ?? u64Bytes(input.args ?? []);
  if (ctxIn.length !== 8 * params.length) throw new TestRunInputError('EINVAL', `${struct}.${member.name} takes ${params.length} u64 arguments (${8 * params.length} bytes of ctx_in), got ${ctxIn.length} bytes`);
  const cdv = new DataView(ctxIn.buffer, ctxIn.byteOffset, ctxIn.byteLength);
  const args = params.map((_, i) => cdv.getBigUint64(8 * i, true));
  const nullable = type.nullable[member.name] ?? [];
  params.forEach((p, i) => {
    if (args[i] === 0n && btf.resolve(p.type).kind === BtfKind.PTR && !nullable.includes(i)) throw new TestRunInputError('EINVAL', `${struct}.${member.name}: argument ${i} is a pointer the member does not take NULL for`);
  });
  const statePtr = params.length > 0 && btf.resolve(params[0]!.type).kind === BtfKind.PTR ? btf.resolve(btf.resolve(params[0]!.type).sizeOrType) : undefined;
  const stateSize = statePtr ? btf.sizeof(statePtr.id) : 0;
  if (input.data !== undefined && input.data.length > stateSize) throw new TestRunInputError('EINVAL', `data_in (${input.data.length} bytes) is the state, struct ${statePtr?.name ?? '?'} of ${stateSize} bytes`);
  const arena = host.arena;
  const ctx = arena.allocRegion(8 * Math.max(1, params.length), MemFlag.READ, 'ctx', `${struct}.${member.name} args`);
  const state = stateSize && args[0] !== 0n ? arena.allocRegion(stateSize, MemFlag.READ | MemFlag.WRITE, 'other', `struct ${statePtr!.name}`) : 0;
  try {
    if (state && input.data) arena.write(state, input.data);
    args.forEach((a, i) => arena.dv.setBigUint64(ctx + 8 * i, i === 0 && state ? BigInt(state) : a, true));
    const r = repeatRuns(host, prog, input, ctx, undefined, true);
    // the member returns int: the kernel stores that int as the u32 retval
    return { ...r, retval: Number(BigInt.asUintN(32, BigInt.asIntN(32, r.r0))), ...(state ? { dataOut: arena.read(state, stateSize).slice() } : {}) };
  } finally {
    arena.free(ctx);
    if (state) arena.free(state);
  }
}

// ---- ctx_in ---------------------------------------------------------------------------------

/** The kernel's bpf_ctx_init: a zeroed struct of `size` bytes with ctx_in copied over it; bytes
 *  of ctx_in beyond the struct must be zero (bpf_check_uarg_tail_zero: -E2BIG). */
export function ctxInBuffer(ctx: Uint8Array | undefined, size: number): Uint8Array {
  const out = new Uint8Array(size);
  if (!ctx) return out;
  for (let i = size; i < ctx.length; i++) {
    if (ctx[i] !== 0) throw new TestRunInputError('E2BIG', `ctx_in is ${ctx.length} bytes, larger than the ${size}-byte context, and byte ${i} is not zero`);
  }
  out.set(ctx.subarray(0, Math.min(size, ctx.length)));
  return out;
}

// __sk_buff fields convert___skb_to_skb accepts from ctx_in (everything else must be zero).
const SKB_CTX_IN_FIELDS = new Set(['mark', 'priority', 'ingress_ifindex', 'ifindex', 'cb', 'tstamp', 'wire_len', 'gso_segs', 'gso_size', 'hwtstamp']);
// Fields convert_skb_to___skb writes back into ctx_out.
const SKB_CTX_OUT_FIELDS = ['mark', 'priority', 'ingress_ifindex', 'ifindex', 'tstamp', 'cb', 'wire_len', 'gso_segs', 'hwtstamp'];

/** Reject __sk_buff ctx_in bytes the kernel refuses; returns the buffer as a DataView. */
export function checkSkbCtxIn(buf: Uint8Array): DataView {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0) continue;
    const f = SK_BUFF.fields.find((x) => i >= x.offset && i < x.offset + x.size);
    if (!f || !SKB_CTX_IN_FIELDS.has(f.name)) {
      const what = f ? `field ${f.name}` : 'padding';
      throw new TestRunInputError('EINVAL', `__sk_buff ctx_in ${what} (offset ${i}) must be zero; the kernel accepts only ${[...SKB_CTX_IN_FIELDS].join(', ')}`);
    }
  }
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Protocol (host order) and pkt_type as eth_type_trans() computes them on the loopback device. */
export function ethTypeTrans(frame: Uint8Array): { protocol: number; pktType: number } {
  let pktType = PACKET_HOST;
  const destZero = frame.subarray(0, 6).every((b) => b === 0);
  if (!destZero) pktType = (frame[0]! & 1) !== 0 ? PACKET_MULTICAST : PACKET_OTHERHOST;
  const ethertype = (frame[12]! << 8) | frame[13]!;
  let protocol: number;
  if (ethertype >= 0x600) protocol = ethertype;
  // 802.3 frames: raw IPX is recognised by its 0xffff checksum field, everything else is 802.2.
  else if (frame.length >= ETH_HLEN + 2 && frame[14] === 0xff && frame[15] === 0xff) protocol = 0x0001;
  else protocol = 0x0004;
  return { protocol, pktType };
}

// ---- skb ------------------------------------------------------------------------------------

function runSkb(host: TestRunHost, prog: Program, info: ProgTypeInfo, input: TestRunInput, l2: boolean): TestRunResult {
  const data = input.data;
  if (!data || data.length < ETH_HLEN) {
    throw new TestRunInputError('EINVAL', `${progTypeName(prog.progType)} programs need at least ${ETH_HLEN} bytes of data_in (an Ethernet header), got ${data?.length ?? 0}`);
  }
  // Linux 6.18 refuses skb data beyond one page's linear room (newer kernels build frags instead).
  if (data.length > SKB_MAX_LINEAR) throw new TestRunInputError('EINVAL', `data_in of ${data.length} bytes exceeds the ${SKB_MAX_LINEAR}-byte linear skb limit`);
  const wantCtx = input.ctx !== undefined || input.wantCtxOut === true;
  const ctxIn = ctxInBuffer(input.ctx, SK_BUFF.size);
  const cin = checkSkbCtxIn(ctxIn);
  const ifindex = cin.getUint32(40, true);
  if (ifindex > LOOPBACK_IFINDEX) throw new TestRunInputError('ENODEV', `ctx_in ifindex ${ifindex}: ebpfvm has only the loopback device (ifindex 1)`);

  const { protocol, pktType } = ethTypeTrans(data);
  const l3Len = data.length - ETH_HLEN;
  if (protocol === ETH_P_IP && l3Len < 20) throw new TestRunInputError('EINVAL', `IPv4 ethertype but only ${l3Len} bytes after the Ethernet header (an IPv4 header needs 20)`);
  if (protocol === ETH_P_IPV6 && l3Len < 40) throw new TestRunInputError('EINVAL', `IPv6 ethertype but only ${l3Len} bytes after the Ethernet header (an IPv6 header needs 40)`);
  const skbLen = l2 ? data.length : l3Len;
  // convert___skb_to_skb sets the qdisc cb's pkt_len (what wire_len reads) only from a ctx: without
  // one it stays 0.
  let wireLen = wantCtx ? skbLen : 0;
  if (wantCtx) {
    const w = cin.getUint32(160, true);
    if (w !== 0) {
      if (w < skbLen || w > GSO_LEGACY_MAX_SIZE) throw new TestRunInputError('EINVAL', `ctx_in wire_len ${w} must be at least the packet length ${skbLen} and at most ${GSO_LEGACY_MAX_SIZE}`);
      wireLen = w;
    }
    const segs = cin.getUint32(164, true);
    if (segs > GSO_MAX_SEGS) throw new TestRunInputError('EINVAL', `ctx_in gso_segs ${segs} exceeds ${GSO_MAX_SEGS}`);
  }

  const arena = host.arena;
  // The kernel's skb data sits NET_SKB_PAD bytes into a slab buffer of at least 512 bytes, so the
  // MAC header's address ends in 0x40 (a program that stores a packet pointer's low byte into
  // the packet sees the same byte); the pad is not part of the packet region.
  const pktBase = arena.allocRegion(NET_SKB_PAD + data.length, MemFlag.READ | MemFlag.WRITE, 'packet', `${prog.name} packet`);
  const pkt = pktBase + NET_SKB_PAD;
  arena.setRegionLow(pktBase, pkt);
  // The kernel-only tail (head, end) only for programs that ask for the kernel's view: for the
  // others, as the verifier has it, the context ends with the __sk_buff.
  const kern = castsToKernCtx(prog);
  const ctxSize = kern ? KERNEL_SK_BUFF.size : SK_BUFF.size;
  const ctx = arena.allocRegion(ctxSize, MemFlag.READ | MemFlag.WRITE, 'ctx', '__sk_buff');
  const shinfo = kern ? kernelSkbTail(arena, ctx, pktBase) : 0;
  const sk = arena.allocRegion(BPF_SOCK.size, MemFlag.READ, 'other', 'bpf_sock');
  let runSock: Socket | undefined;
  try {
    fillTestSocket(arena, sk, data, protocol);
    runSock = host.sockets?.openRunSocket(sk, arena.dv.getUint32(sk + field(BPF_SOCK, 'family').offset, true), TCP_CLOSE);
    // the kernel view's skb->sk: the run socket's kernel struct
    if (kern && runSock) arena.dv.setBigUint64(ctx + field(KERNEL_SK_BUFF, 'sk').offset, host.sockets!.kernelAddress(runSock) ?? 0n, true);
    arena.dv.setBigUint64(ctx + field(SK_BUFF, 'sk').offset, BigInt(sk), true);
    arena.write(pkt, data);
    const skbData = l2 ? pkt : pkt + ETH_HLEN;
    const dataEnd = pkt + data.length;
    const put32 = (name: string, v: number): void => arena.dv.setUint32(ctx + field(SK_BUFF, name).offset, v >>> 0, true);
    put32('pkt_type', pktType);
    // skb->protocol is __be16; the context field reads it as stored, so 0x0800 reads 0x0008.
    put32('protocol', ((protocol & 0xff) << 8) | (protocol >>> 8));
    put32('ifindex', LOOPBACK_IFINDEX);
    setSkb(arena, ctx, skbData, dataEnd); // data, data_end, data_meta and len (skbLen)
    put32('wire_len', wireLen);
    if (wantCtx) {
      // convert___skb_to_skb: the accepted fields become the skb's.
      for (const name of ['mark', 'priority', 'ingress_ifindex', 'cb', 'tstamp', 'gso_segs', 'gso_size', 'hwtstamp']) {
        const f = field(SK_BUFF, name);
        arena.write(ctx + f.offset, ctxIn.subarray(f.offset, f.offset + f.size));
      }
    }
    protectExcept(arena, ctx, ctxSize, writableRanges(info));

    // LD_ABS/LD_IND read the packet where the context says it is now: helpers that resize the
    // packet (helpers/packet.ts) may move it and update data/data_end.
    const dataAt = ctx + field(SK_BUFF, 'data').offset;
    const endAt = ctx + field(SK_BUFF, 'data_end').offset;
    const bounds = {
      get start(): number {
        return arena.dv.getUint32(dataAt, true);
      },
      get end(): number {
        return arena.dv.getUint32(endAt, true);
      },
      get mac(): number {
        const d = arena.dv.getUint32(dataAt, true);
        return d === skbData ? pkt : (arena.describe(d)?.start ?? pkt);
      },
      get network(): number {
        return this.mac + ETH_HLEN;
      },
    };
    const run = repeatRuns(host, prog, input, ctx, bounds);

    // After the run: the packet as data/data_end now say (helpers may move them), with a zeroed
    // Ethernet header in front for non-L2 types.
    const curData = arena.dv.getUint32(ctx + field(SK_BUFF, 'data').offset, true);
    const curEnd = arena.dv.getUint32(ctx + field(SK_BUFF, 'data_end').offset, true);
    const body = arena.read(curData, curEnd - curData);
    let dataOut = body;
    if (!l2) {
      dataOut = new Uint8Array(ETH_HLEN + body.length);
      dataOut.set(body, ETH_HLEN);
    }
    let ctxOut: Uint8Array | undefined;
    if (wantCtx) {
      ctxOut = ctxIn.slice();
      for (const name of SKB_CTX_OUT_FIELDS) {
        const f = field(SK_BUFF, name);
        ctxOut.set(arena.read(ctx + f.offset, f.size), f.offset);
      }
    }
    return { ...run, dataOut, ...(ctxOut ? { ctxOut } : {}) };
  } finally {
    freeMovedPacket(arena, arena.dv.getUint32(ctx + field(SK_BUFF, 'data').offset, true));
    arena.unprotect(ctx, ctxSize);
    // sk_free: the socket's storage goes with it
    if (runSock) host.sockets?.close(runSock);
    arena.free(sk);
    arena.free(ctx);
    if (shinfo) arena.free(shinfo);
    arena.free(pktBase);
  }
}

const AF_INET = 2;
const AF_INET6 = 10;
const TCP_CLOSE = 7;

/** The socket bpf_prog_test_run_skb attaches: a fresh, unconnected (TCP_CLOSE) socket without a
 *  receive queue (rx_queue_mapping -1) whose family and addresses come from the packet's IPv4 or
 *  IPv6 header (source = receive address, destination = peer). Read-only to programs. */
function fillTestSocket(arena: Arena, sk: number, frame: Uint8Array, protocol: number): void {
  const at = (name: string): number => sk + field(BPF_SOCK, name).offset;
  if (protocol === ETH_P_IP) {
    arena.dv.setUint32(at('family'), AF_INET, true);
    arena.write(at('src_ip4'), frame.subarray(ETH_HLEN + 12, ETH_HLEN + 16));
    arena.write(at('dst_ip4'), frame.subarray(ETH_HLEN + 16, ETH_HLEN + 20));
  } else if (protocol === ETH_P_IPV6) {
    arena.dv.setUint32(at('family'), AF_INET6, true);
    arena.write(at('src_ip6'), frame.subarray(ETH_HLEN + 8, ETH_HLEN + 24));
    arena.write(at('dst_ip6'), frame.subarray(ETH_HLEN + 24, ETH_HLEN + 40));
  }
  arena.dv.setUint32(at('state'), TCP_CLOSE, true);
  arena.dv.setInt32(at('rx_queue_mapping'), -1, true);
}

// ---- xdp ------------------------------------------------------------------------------------

function runXdp(host: TestRunHost, prog: Program, _info: ProgTypeInfo, input: TestRunInput): TestRunResult {
  // bpf_prog_test_run_xdp: programs for devmap/cpumap entries (SEC("xdp/devmap"), ...) run only
  // from those maps.
  if (prog.expectedAttachType === XDP_DEVMAP || prog.expectedAttachType === XDP_CPUMAP) {
    throw new TestRunInputError('EINVAL', `${prog.name} is an xdp program for ${prog.expectedAttachType === XDP_DEVMAP ? 'devmap' : 'cpumap'} entries (section ${prog.section ?? '?'}), which the kernel does not test-run`);
  }
  const data = input.data ?? new Uint8Array(0);
  const wantCtx = input.ctx !== undefined || input.wantCtxOut === true;
  const ctxIn = ctxInBuffer(input.ctx, XDP_MD.size);
  const cin = new DataView(ctxIn.buffer, ctxIn.byteOffset, ctxIn.byteLength);
  let meta = 0;
  let linear = data.length;
  let ingress = 0;
  let rxQueue = 0;
  if (input.ctx !== undefined) {
    const [cData, cEnd, cMeta] = [cin.getUint32(0, true), cin.getUint32(4, true), cin.getUint32(8, true)];
    ingress = cin.getUint32(12, true);
    rxQueue = cin.getUint32(16, true);
    if (cMeta !== 0) throw new TestRunInputError('EINVAL', `xdp_md ctx_in data_meta must be 0 (got ${cMeta})`);
    if (cEnd > data.length) throw new TestRunInputError('EINVAL', `xdp_md ctx_in data_end ${cEnd} is beyond data_in (${data.length} bytes)`);
    if (cData > cEnd) throw new TestRunInputError('EINVAL', `xdp_md ctx_in data ${cData} is beyond data_end ${cEnd}`);
    if ((cData & 3) !== 0 || cData > 32) throw new TestRunInputError('EINVAL', `xdp_md ctx_in data (metadata length) ${cData} must be a multiple of 4 and at most 32`);
    meta = cData;
    linear = cEnd;
  }
  if (data.length - meta < ETH_HLEN) throw new TestRunInputError('EINVAL', `xdp programs need at least ${ETH_HLEN} bytes of data_in after the metadata, got ${data.length - meta}`);
  if (input.ctx !== undefined) {
    if (cin.getUint32(20, true) !== 0) throw new TestRunInputError('EINVAL', 'xdp_md ctx_in egress_ifindex must be 0');
    if (ingress === 0 && rxQueue !== 0) throw new TestRunInputError('EINVAL', 'xdp_md ctx_in rx_queue_index needs an ingress_ifindex');
    if (ingress > LOOPBACK_IFINDEX) throw new TestRunInputError('ENODEV', `xdp_md ctx_in ingress_ifindex ${ingress}: ebpfvm has only the loopback device (ifindex 1)`);
    if (ingress === LOOPBACK_IFINDEX && rxQueue !== 0) throw new TestRunInputError('EINVAL', `xdp_md ctx_in rx_queue_index ${rxQueue}: loopback has one queue`);
  }
  const headroom = XDP_PACKET_HEADROOM - meta;
  const maxLinear = PAGE_SIZE - headroom - SHINFO_TAILROOM;
  if (linear !== data.length || data.length > maxLinear) {
    throw new UnsupportedError(`xdp: data_in of ${data.length} bytes with a linear part of ${Math.min(linear, maxLinear)} needs multi-buffer frags; ebpfvm supports linear packets only (set xdp_md.data_end to the data_in size)`);
  }

  const arena = host.arena;
  // One region from data_hard_start to data_end: headroom (for adjust_head/meta), metadata, packet.
  const frame = arena.allocRegion(headroom + data.length, MemFlag.READ | MemFlag.WRITE, 'packet', `${prog.name} xdp frame`);
  const ctx = arena.allocRegion(XDP_MD.size, MemFlag.READ | MemFlag.WRITE, 'ctx', 'xdp_md');
  try {
    const dataMeta = frame + headroom;
    arena.write(dataMeta, data);
    setXdp(arena.dv, ctx, dataMeta + meta, dataMeta + data.length, dataMeta);
    // Without an ingress device the kernel uses loopback's queue 0.
    arena.dv.setUint32(ctx + 12, ingress || LOOPBACK_IFINDEX, true);
    arena.dv.setUint32(ctx + 16, rxQueue, true);
    protectExcept(arena, ctx, XDP_MD.size, []);

    const run = repeatRuns(host, prog, input, ctx, undefined);

    const [d, e, m] = [arena.dv.getUint32(ctx, true), arena.dv.getUint32(ctx + 4, true), arena.dv.getUint32(ctx + 8, true)];
    const dataOut = arena.read(m, e - m);
    let ctxOut: Uint8Array | undefined;
    if (wantCtx) {
      ctxOut = ctxIn.slice();
      const out = new DataView(ctxOut.buffer);
      out.setUint32(0, d - m, true);
      out.setUint32(4, e - m, true);
    }
    return { ...run, dataOut, ...(ctxOut ? { ctxOut } : {}) };
  } finally {
    freeMovedPacket(arena, arena.dv.getUint32(ctx + 8, true));
    arena.unprotect(ctx, XDP_MD.size);
    arena.free(ctx);
    arena.free(frame);
  }
}

// ---- syscall --------------------------------------------------------------------------------

function runSyscall(host: TestRunHost, prog: Program, input: TestRunInput): TestRunResult {
  if (input.data !== undefined) throw new TestRunInputError('EINVAL', 'syscall programs take no data_in (pass the context with ctx_in)');
  const size = input.ctx?.length ?? 0;
  if (size > 0xffff) throw new TestRunInputError('EINVAL', `syscall ctx_in of ${size} bytes exceeds U16_MAX`);
  const arena = host.arena;
  // NULL context when there is no ctx_in, as in the kernel.
  const ctx = size > 0 ? arena.allocRegion(size, MemFlag.READ | MemFlag.WRITE, 'ctx', 'syscall ctx') : 0;
  try {
    if (size > 0) arena.write(ctx, input.ctx!);
    const run = repeatRuns(host, prog, input, ctx, undefined);
    // The kernel copies the buffer back into ctx_in; ebpfvm reports it as ctx_out.
    return { ...run, ...(size > 0 ? { ctxOut: arena.read(ctx, size) } : {}) };
  } finally {
    if (size > 0) arena.free(ctx);
  }
}

// ---- flow dissector -------------------------------------------------------------------------

/** bpf_prog_test_run_flow_dissector: the frame from its Ethernet header (data..data_end in an
 *  __sk_buff-shaped context, as the kernel's bpf_flow_dissector is accessed), flow_keys reset
 *  before every run (n_proto from the Ethernet header, nhoff = thoff = 14, flags from ctx_in),
 *  nhoff/thoff clamped into the packet after it; data_out is the flow keys. ctx_in is a
 *  bpf_flow_keys in which only `flags` may be non-zero. */
function runFlowDissector(host: TestRunHost, prog: Program, input: TestRunInput): TestRunResult {
  const data = input.data;
  if (!data || data.length < ETH_HLEN) throw new TestRunInputError('EINVAL', `flow_dissector programs need at least ${ETH_HLEN} bytes of data_in, got ${data?.length ?? 0}`);
  if (data.length > PAGE_SIZE) throw new TestRunInputError('EINVAL', `data_in of ${data.length} bytes exceeds ${PAGE_SIZE}`);
  const userCtx = input.ctx !== undefined ? ctxInBuffer(input.ctx, BPF_FLOW_KEYS.size) : undefined;
  let flags = 0;
  if (userCtx) {
    const flagsField = field(BPF_FLOW_KEYS, 'flags');
    userCtx.forEach((b, i) => {
      if (b !== 0 && (i < flagsField.offset || i >= flagsField.offset + 4)) throw new TestRunInputError('EINVAL', `bpf_flow_keys ctx_in byte ${i} must be zero (only flags is accepted)`);
    });
    flags = new DataView(userCtx.buffer).getUint32(flagsField.offset, true);
  }
  const arena = host.arena;
  const pkt = arena.allocRegion(data.length, MemFlag.READ | MemFlag.WRITE, 'packet', `${prog.name} packet`);
  const ctx = arena.allocRegion(SK_BUFF.size, MemFlag.READ | MemFlag.WRITE, 'ctx', 'bpf_flow_dissector');
  const keys = arena.allocRegion(BPF_FLOW_KEYS.size, MemFlag.READ | MemFlag.WRITE, 'other', 'bpf_flow_keys');
  try {
    arena.write(pkt, data);
    arena.dv.setUint32(ctx + field(SK_BUFF, 'data').offset, pkt, true);
    arena.dv.setUint32(ctx + field(SK_BUFF, 'data_end').offset, pkt + data.length, true);
    arena.dv.setBigUint64(ctx + field(SK_BUFF, 'flow_keys').offset, BigInt(keys), true);
    protectExcept(arena, ctx, SK_BUFF.size, []);
    const k = (name: string): number => keys + field(BPF_FLOW_KEYS, name).offset;
    const reset = (): void => {
      arena.zero(keys, BPF_FLOW_KEYS.size);
      arena.write(k('n_proto'), data.subarray(12, 14)); // __be16, as on the wire
      arena.dv.setUint16(k('nhoff'), ETH_HLEN, true);
      arena.dv.setUint16(k('thoff'), ETH_HLEN, true);
      arena.dv.setUint32(k('flags'), flags, true);
    };
    const clamp = (): void => {
      const c = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
      const nhoff = c(arena.dv.getUint16(k('nhoff'), true), ETH_HLEN, data.length);
      arena.dv.setUint16(k('nhoff'), nhoff, true);
      arena.dv.setUint16(k('thoff'), c(arena.dv.getUint16(k('thoff'), true), nhoff, data.length), true);
    };
    const run = repeatRuns(host, prog, input, ctx, { start: pkt, end: pkt + data.length }, false, { before: reset, after: clamp });
    return { ...run, dataOut: arena.read(keys, BPF_FLOW_KEYS.size), ...(userCtx ? { ctxOut: userCtx } : {}) };
  } finally {
    arena.unprotect(ctx, SK_BUFF.size);
    arena.free(keys);
    arena.free(ctx);
    arena.free(pkt);
  }
}

// ---- sk_lookup ------------------------------------------------------------------------------

/** bpf_prog_test_run_sk_lookup: the lookup comes from a required ctx_in (family AF_INET or
 *  AF_INET6, protocol, addresses and ports; `sk` and everything after local_port zero, local_port
 *  a u16), no data. ctx_out is ctx_in with the cookie of the socket the program selected with
 *  bpf_sk_assign (0 for none), retval the program's verdict. */
function runSkLookup(host: TestRunHost, prog: Program, input: TestRunInput): TestRunResult {
  if (input.data !== undefined) throw new TestRunInputError('EINVAL', 'sk_lookup programs take no data_in');
  if (input.ctx === undefined) throw new TestRunInputError('EINVAL', 'sk_lookup programs need a bpf_sk_lookup ctx_in');
  const user = ctxInBuffer(input.ctx, SK_LOOKUP.size);
  const u = new DataView(user.buffer);
  const off = (name: string): number => field(SK_LOOKUP, name).offset;
  if (u.getBigUint64(0, true) !== 0n) throw new TestRunInputError('EINVAL', 'bpf_sk_lookup ctx_in sk must be 0');
  const tail = off('local_port') + 4;
  for (let i = tail; i < SK_LOOKUP.size; i++) if (user[i] !== 0) throw new TestRunInputError('EINVAL', `bpf_sk_lookup ctx_in byte ${i} (after local_port) must be zero`);
  const localPort = u.getUint32(off('local_port'), true);
  if (localPort > 0xffff) throw new TestRunInputError('ERANGE', `bpf_sk_lookup local_port ${localPort} exceeds 65535`);
  const family = u.getUint32(off('family'), true) & 0xffff;
  if (family !== AF_INET && family !== AF_INET6) throw new TestRunInputError('EAFNOSUPPORT', `bpf_sk_lookup family ${family} is neither AF_INET (2) nor AF_INET6 (10)`);
  const arena = host.arena;
  const ctx = arena.allocRegion(SK_LOOKUP.size, MemFlag.READ, 'ctx', 'bpf_sk_lookup');
  try {
    // What the kernel's bpf_sk_lookup_kern holds: 16-bit family, protocol and local port, the
    // addresses of the given family only.
    arena.dv.setUint32(ctx + off('family'), family, true);
    arena.dv.setUint32(ctx + off('protocol'), u.getUint32(off('protocol'), true) & 0xffff, true);
    arena.write(ctx + off('remote_port'), user.subarray(off('remote_port'), off('remote_port') + 2));
    arena.dv.setUint32(ctx + off('local_port'), localPort, true);
    const copy = (name: string, len: number): void => arena.write(ctx + off(name), user.subarray(off(name), off(name) + len));
    if (family === AF_INET) {
      copy('remote_ip4', 4);
      copy('local_ip4', 4);
    } else {
      copy('remote_ip6', 16);
      copy('local_ip6', 16);
    }
    // Each run starts with no socket selected; bpf_sk_assign writes the selection into ctx->sk.
    const skAt = ctx + off('sk');
    const run = repeatRuns(host, prog, input, ctx, undefined, false, { before: () => arena.dv.setBigUint64(skAt, 0n, true) });
    // BPF_PROG_SK_LOOKUP_RUN_ARRAY keeps a selection only from a program that returns SK_PASS;
    // ctx_out's cookie is the selected socket's (ebpfvm's sockets have no reuseport group, so
    // the kernel's -EOPNOTSUPP for one cannot arise).
    const SK_PASS = 1;
    const selected = run.retval === SK_PASS ? Number(arena.dv.getBigUint64(skAt, true)) : 0;
    const ctxOut = user.slice();
    new DataView(ctxOut.buffer).setBigUint64(0, selected ? (host.sockets?.byAddress(selected)?.cookie ?? 0n) : 0n, true);
    return { ...run, ctxOut };
  } finally {
    arena.free(ctx);
  }
}

// ---- netfilter ------------------------------------------------------------------------------

const NFPROTO_IPV4 = 2;
const NFPROTO_IPV6 = 10;
const NF_INET_LOCAL_OUT = 3;
const IPV4_HLEN = 20;
const IPV6_HLEN = 40;
const EPROTO_HINT = 'neither IPv4 (0x0800) nor IPv6 (0x86dd)';

/** bpf_prog_test_run_nf: the program sees a bpf_nf_ctx whose state is an nf_hook_state (by
 *  default pf NFPROTO_IPV4, hook NF_INET_LOCAL_OUT; ctx_in may set pf and hook) and whose skb
 *  holds data_in. At LOCAL_OUT data_in is the packet from its network header and skb->protocol
 *  follows pf; at any other hook data_in starts with an Ethernet header, which eth_type_trans
 *  pulls, and its ethertype must agree with pf. No data_out or ctx_out. The state's in/out
 *  devices are left NULL: ebpfvm has no struct net_device. */
function runNetfilter(host: TestRunHost, prog: Program, input: TestRunInput): TestRunResult {
  const data = input.data ?? new Uint8Array(0);
  if (data.length < IPV4_HLEN) throw new TestRunInputError('EINVAL', `netfilter programs need at least ${IPV4_HLEN} bytes of data_in (an IPv4 header), got ${data.length}`);
  if (data.length > SKB_MAX_LINEAR) throw new TestRunInputError('EINVAL', `data_in of ${data.length} bytes exceeds the ${SKB_MAX_LINEAR}-byte linear skb limit`);
  let pf = NFPROTO_IPV4;
  let hook = NF_INET_LOCAL_OUT;
  // bpf_ctx_init hands the kernel a zeroed state when only ctx_out is asked for: its pf 0 fails
  // the check below just as a zero ctx_in does.
  if (input.ctx !== undefined || input.wantCtxOut === true) {
    const user = ctxInBuffer(input.ctx, NF_HOOK_STATE.size);
    const u = new DataView(user.buffer);
    for (const name of ['in', 'out', 'sk', 'net', 'okfn']) {
      if (u.getBigUint64(field(NF_HOOK_STATE, name).offset, true) !== 0n) throw new TestRunInputError('EINVAL', `nf_hook_state ctx_in ${name} must be NULL`);
    }
    pf = user[field(NF_HOOK_STATE, 'pf').offset]!;
    hook = user[field(NF_HOOK_STATE, 'hook').offset]!;
    if (pf !== NFPROTO_IPV4 && pf !== NFPROTO_IPV6) throw new TestRunInputError('EINVAL', `nf_hook_state ctx_in pf ${pf} is neither NFPROTO_IPV4 (2) nor NFPROTO_IPV6 (10)`);
  }
  let start = 0;
  let protocol = pf === NFPROTO_IPV4 ? ETH_P_IP : ETH_P_IPV6;
  if (hook !== NF_INET_LOCAL_OUT) {
    if (data.length < ETH_HLEN + IPV4_HLEN) throw new TestRunInputError('EINVAL', `netfilter hook ${hook} needs an Ethernet and an IPv4 header (${ETH_HLEN + IPV4_HLEN} bytes) of data_in, got ${data.length}`);
    protocol = ethTypeTrans(data).protocol;
    if (protocol === ETH_P_IP) {
      if (pf !== NFPROTO_IPV4) throw new TestRunInputError('EINVAL', `data_in is IPv4 (ethertype 0x0800) but nf_hook_state pf is ${pf}`);
    } else if (protocol === ETH_P_IPV6) {
      if (data.length < ETH_HLEN + IPV6_HLEN) throw new TestRunInputError('EINVAL', `data_in is IPv6 but has fewer than ${ETH_HLEN + IPV6_HLEN} bytes`);
      if (pf !== NFPROTO_IPV6) throw new TestRunInputError('EINVAL', `data_in is IPv6 (ethertype 0x86dd) but nf_hook_state pf is ${pf}`);
    } else throw new TestRunInputError('EPROTO', `data_in's ethertype 0x${protocol.toString(16).padStart(4, '0')} is ${EPROTO_HINT}`);
    start = ETH_HLEN;
  }

  const arena = host.arena;
  const pktBase = arena.allocRegion(NET_SKB_PAD + data.length, MemFlag.READ | MemFlag.WRITE, 'packet', `${prog.name} packet`);
  const pkt = pktBase + NET_SKB_PAD;
  arena.setRegionLow(pktBase, pkt);
  // The skb: ebpfvm's kernel sk_buff is laid over a __sk_buff image (vm/contexts KERNEL_SK_BUFF).
  const skb = arena.allocRegion(KERNEL_SK_BUFF.size, MemFlag.READ | MemFlag.WRITE, 'other', 'sk_buff');
  const shinfo = kernelSkbTail(arena, skb, pktBase);
  const state = arena.allocRegion(NF_HOOK_STATE.size, MemFlag.READ, 'other', 'nf_hook_state');
  const ctx = arena.allocRegion(BPF_NF_CTX.size, MemFlag.READ, 'ctx', 'bpf_nf_ctx');
  try {
    arena.write(pkt, data);
    setSkb(arena, skb, pkt + start, pkt + data.length);
    // skb->protocol is __be16, stored as on the wire.
    arena.dv.setUint16(skb + field(KERNEL_SK_BUFF, 'protocol').offset, protocol, false);
    arena.protect(skb, KERNEL_SK_BUFF.size);
    arena.dv.setUint8(state + field(NF_HOOK_STATE, 'hook').offset, hook);
    arena.dv.setUint8(state + field(NF_HOOK_STATE, 'pf').offset, pf);
    arena.dv.setBigUint64(ctx + field(BPF_NF_CTX, 'state').offset, BigInt(state), true);
    arena.dv.setBigUint64(ctx + field(BPF_NF_CTX, 'skb').offset, BigInt(skb), true);
    const bounds = { start: pkt + start, end: pkt + data.length };
    // bpf_test_finish with no data: data_size_out 0.
    return { ...repeatRuns(host, prog, input, ctx, bounds), dataOut: new Uint8Array(0) };
  } finally {
    arena.unprotect(skb, KERNEL_SK_BUFF.size);
    freeMovedPacket(arena, arena.dv.getUint32(skb + field(SK_BUFF, 'data').offset, true));
    arena.free(ctx);
    arena.free(state);
    arena.free(skb);
    arena.free(shinfo);
    arena.free(pktBase);
  }
}

// ---- tracing --------------------------------------------------------------------------------

function u64Bytes(args: readonly (bigint | number)[]): Uint8Array {
  const out = new Uint8Array(args.length * 8);
  const dv = new DataView(out.buffer);
  args.forEach((a, i) => {
    const v = BigInt(a);
    if (v < -(1n << 63n) || v >= 1n << 64n) throw new UsageError(`argument ${i + 1} (${a}) does not fit in 64 bits`);
    dv.setBigUint64(i * 8, BigInt.asUintN(64, v), true);
  });
  return out;
}

/** Tracing programs: a read-only context built from ctx_in or from arguments. raw_tp follows the
 *  kernel's bpf_prog_test_run_raw_tp (at most 12 u64 arguments, no data); kprobe, tracepoint and
 *  BTF-typed programs are ebpfvm's extension. Loads through BTF pointers of fentry-style programs
 *  read 0 on a kernel-memory miss (PROBE_MEM), as in the kernel. */
function runTracing(host: TestRunHost, prog: Program, kind: 'raw-tp' | 'btf-args' | 'pt-regs' | 'tp-record', input: TestRunInput): TestRunResult {
  const type = progTypeName(prog.progType);
  if (input.data !== undefined) throw new TestRunInputError('EINVAL', `${type} programs take no data_in`);
  if (input.args !== undefined && input.ctx !== undefined) throw new UsageError(`${type}: give the context either as arguments or as ctx_in, not both`);
  let ctxBytes: Uint8Array;
  let size: number;
  switch (kind) {
    case 'raw-tp':
    case 'btf-args': {
      const max = 8 * (MAX_BPF_FUNC_ARGS + (kind === 'btf-args' ? 1 : 0));
      // fentry/fexit: the values are typed by the target's prototype in the built-in BTF.
      const typed = kind === 'btf-args' && input.args !== undefined ? typedTracingArgs(prog.section, input.args) : undefined;
      ctxBytes = input.ctx ?? u64Bytes(typed ?? input.args ?? []);
      if (ctxBytes.length > max) throw new TestRunInputError('EINVAL', `${type} arguments are ${ctxBytes.length} bytes, more than ${max} (${max / 8} u64 values)`);
      size = ctxBytes.length;
      break;
    }
    case 'pt-regs': {
      size = PT_REGS_X86_64.size;
      if (input.ctx !== undefined) {
        if (input.ctx.length > size) throw new TestRunInputError('EINVAL', `kprobe ctx_in is ${input.ctx.length} bytes, struct pt_regs has ${size}`);
        ctxBytes = input.ctx;
      } else {
        const args = input.args ?? [];
        if (args.length > PT_REGS_ARG_REGS.length) throw new UsageError(`kprobe programs take at most ${PT_REGS_ARG_REGS.length} register arguments, got ${args.length}`);
        ctxBytes = new Uint8Array(size);
        const enc = u64Bytes(args);
        args.forEach((_, i) => ctxBytes.set(enc.subarray(i * 8, i * 8 + 8), field(PT_REGS_X86_64, PT_REGS_ARG_REGS[i]!).offset));
      }
      break;
    }
    case 'tp-record':
      if (input.args !== undefined) throw new UsageError('tracepoint programs take the raw record as ctx_in, not arguments');
      ctxBytes = input.ctx ?? new Uint8Array(0);
      if (ctxBytes.length > PERF_MAX_TRACE_SIZE) throw new TestRunInputError('EINVAL', `tracepoint record of ${ctxBytes.length} bytes exceeds ${PERF_MAX_TRACE_SIZE}`);
      size = ctxBytes.length;
      break;
  }
  const arena = host.arena;
  // No context bytes: r1 is NULL, as the kernel passes for an empty raw_tp ctx_in.
  const ctx = size > 0 ? arena.allocRegion(size, MemFlag.READ, 'ctx', `${type} ctx`) : 0;
  try {
    if (size > 0) arena.write(ctx, ctxBytes);
    return repeatRuns(host, prog, input, ctx, undefined, kind === 'btf-args');
  } finally {
    if (size > 0) arena.free(ctx);
  }
}

// ---- shared ---------------------------------------------------------------------------------

/** The program calls bpf_cast_to_kern_ctx (its skb context then has the kernel-only tail). */
function castsToKernCtx(prog: Program): boolean {
  for (const name of prog.kfuncNames?.values() ?? []) if (name === 'bpf_cast_to_kern_ctx') return true;
  return false;
}

/** The kernel-only tail of an skb context (vm/contexts KERNEL_SK_BUFF): `head`, the packet
 *  buffer's start, and `end`, the offset of its skb_shared_info, which is allocated here (zeroed:
 *  a linear skb, dataref 1) and must be freed with the context. Returns the skb_shared_info. */
function kernelSkbTail(arena: Arena, skb: number, pktBase: number): number {
  const shinfo = arena.allocRegion(SKB_SHARED_INFO.size, MemFlag.READ, 'other', 'skb_shared_info');
  arena.dv.setUint32(shinfo + field(SKB_SHARED_INFO, 'dataref').offset, 1, true);
  arena.dv.setBigUint64(skb + field(KERNEL_SK_BUFF, 'head').offset, BigInt(pktBase), true);
  arena.dv.setUint32(skb + field(KERNEL_SK_BUFF, 'end').offset, (shinfo - pktBase) >>> 0, true);
  return shinfo;
}

/** Write-protect [start, start+size) except the given ranges (relative offsets). */
function protectExcept(arena: Arena, start: number, size: number, writable: [number, number][]): void {
  const sorted = [...writable].sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [from, to] of sorted) {
    if (from > at) arena.protect(start + at, from - at);
    at = Math.max(at, to);
  }
  if (at < size) arena.protect(start + at, size - at);
}

function repeatRuns(
  host: TestRunHost,
  prog: Program,
  input: TestRunInput,
  ctx: number,
  packet: { start: number; end: number; mac?: number; network?: number } | undefined,
  probeMem = false,
  each: { before?: () => void; after?: () => void } = {},
): Omit<TestRunResult, 'dataOut' | 'ctxOut'> {
  const repeat = Math.max(1, input.repeat ?? 1);
  const output: RunOutput = input.output ?? { printk: [], ringbuf: [], perf: [] };
  let r0 = 0n;
  let insnCount = 0;
  // One request for every run: the loop should cost what the program costs.
  const req = {
    args: [ctx],
    ...(input.cpu !== undefined ? { cpu: input.cpu } : {}),
    ...(input.maxInsns !== undefined ? { maxInsns: input.maxInsns } : {}),
    ...(input.verified ? { verified: true } : {}),
    ...(input.trace ? { trace: input.trace } : {}),
    output,
    ...(packet ? { packet } : {}),
    ...(probeMem ? { probeMem } : {}),
    ...(input.cookie !== undefined ? { cookie: input.cookie } : {}),
  };
  const t0 = nowMs();
  for (let i = 0; i < repeat; i++) {
    each.before?.();
    const r = host.execute(prog, req);
    each.after?.();
    r0 = r.r0;
    insnCount += r.insnCount;
  }
  const ns = ((nowMs() - t0) * 1e6) / repeat;
  return {
    retval: Number(r0 & 0xffffffffn),
    r0,
    durationNs: Math.min(0xffffffff, Math.floor(ns)),
    repeat,
    insnCount,
    output,
  };
}
