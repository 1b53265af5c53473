// perf_event_output (25)(ctx, map, flags, data, size): send `data` to the perf event of a
// BPF_MAP_TYPE_PERF_EVENT_ARRAY slot (maps/perf-event-array.ts). The low 32 bits of flags are
// the slot (BPF_F_CURRENT_CPU = 0xffffffff: this CPU's); other bits are -EINVAL, except that skb
// and XDP programs (the kernel's bpf_skb_event_output / bpf_xdp_event_output behind the same id)
// may ask in bits 32-51 (BPF_F_CTX_LEN_MASK) for that many packet bytes, taken from `data`, to
// follow the sample; more than the packet holds is -EFAULT. Slot errors: -E2BIG beyond
// max_entries, -ENOENT when no event is open there, -EOPNOTSUPP for another CPU's slot.
// skb_output (111)(skb, map, flags, data, size), tracing programs: the same, the packet bytes
// (BPF_F_CTX_LEN_MASK) taken from a kernel sk_buff pointer (a NULL skb, or more than skb->len,
// -EFAULT).
// The delivered bytes are exactly the sample (the kernel's raw record pads the size so that
// size + 4 is a multiple of 8; ebpfvm reports the unpadded sample) and land in the run's
// `output.perf` with the CPU.
//
// perf_event_read (22)(map, flags) and perf_event_read_value (55)(map, flags, buf, size), tracing
// programs: read the counter of the event in a slot (get_map_perf_counter). Flags beyond the low
// 32 bits -EINVAL, an index beyond max_entries -E2BIG, an empty slot -ENOENT (what the 6.18 host
// gives test_pe_preserve_elems.c with nothing open), a slot of another CPU -EINVAL
// (perf_event_read_local: a per-CPU event is read only on its CPU). ebpfvm's events are output
// events that count nothing, so an open slot of this CPU reads 0 with 0 enabled and running time
// (the kernel's times are clock readings). read_value takes exactly a struct bpf_perf_event_value
// (24 bytes, else -EINVAL) and zeroes it on any error; read returns the errno as its value, as the
// kernel's uapi does.

// read_branch_records (119)(ctx, buf, size, flags), perf_event programs: the sample's branch
// stack (LBR). ebpfvm's samples carry none (no PERF_SAMPLE_BRANCH_STACK): flags other than
// BPF_F_GET_BRANCH_RECORDS_SIZE -EINVAL, then -ENOENT, as the kernel for such a sample; the
// buffer is never written.

import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import { PerfEventArrayMap } from '../maps/perf-event-array.js';
import { ProgType } from '../vm/prog-types.js';
import { KERNEL_SK_BUFF, field } from '../vm/contexts.js';
import { keepOutput, type HelperCall, type HelperEntry } from './types.js';

const BPF_F_INDEX_MASK = 0xffffffffn;
const BPF_F_CURRENT_CPU = 0xffffffff;
const BPF_F_CTX_LEN_MASK = 0xfffffn << 32n;

const SKB_TYPES = new Set<number>([ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.CGROUP_SKB, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT, ProgType.SK_SKB]);

/** The packet a skb or xdp context points at: [data, end). */
function packetOf(call: Parameters<HelperEntry['impl']>[0], ctx: number): { data: number; end: number } {
  const dv = call.arena.dv;
  if (call.progType === ProgType.XDP) {
    call.arena.check(ctx, 8, false);
    return { data: dv.getUint32(ctx, true), end: dv.getUint32(ctx + 4, true) };
  }
  call.arena.check(ctx, 84, false);
  return { data: dv.getUint32(ctx + 76, true), end: dv.getUint32(ctx + 80, true) };
}

/** sizeof(struct bpf_perf_event_value): counter, enabled, running (u64 each). */
const PERF_EVENT_VALUE_SIZE = 24;
/** bpf_tracing_func_proto's program types (kprobe, tracepoint, perf_event, raw_tp, tracing, lsm). */
const TRACING_TYPES = [ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE, ProgType.TRACING, ProgType.LSM];

/** get_map_perf_counter: 0 (the counter reads 0) or a negative errno. */
function readCounter(call: Parameters<HelperEntry['impl']>[0], what: string): number {
  const m = call.map(1);
  if (!(m instanceof PerfEventArrayMap)) throw new FaultSignal(`${what}: map ${m.name} is not a perf event array`);
  const flags = call.u64(2);
  if ((flags & ~BPF_F_INDEX_MASK) !== 0n) return -Errno.EINVAL;
  let index = Number(flags);
  if (index === BPF_F_CURRENT_CPU) index = call.cpu;
  return m.readCounter(index, call.cpu);
}

/** BPF_F_GET_BRANCH_RECORDS_SIZE: ask for the size of the branch stack instead of a copy. */
const BPF_F_GET_BRANCH_RECORDS_SIZE = 1n;

export const PERF_HELPERS: readonly HelperEntry[] = [
  {
    id: 119,
    name: 'read_branch_records',
    proto: {
      args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_PTR_TO_MEM', flags: ['PTR_MAYBE_NULL'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }, { type: 'ARG_ANYTHING' }],
      ret: { type: 'RET_INTEGER' },
    },
    gplOnly: true,
    progTypes: [ProgType.PERF_EVENT],
    impl: (call) => ((call.u64(4) & ~BPF_F_GET_BRANCH_RECORDS_SIZE) !== 0n ? -Errno.EINVAL : -Errno.ENOENT),
  },
  {
    id: 22,
    name: 'perf_event_read',
    proto: { args: [{ type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: TRACING_TYPES,
    impl: (call) => readCounter(call, 'perf_event_read'),
  },
  {
    id: 55,
    name: 'perf_event_read_value',
    proto: {
      args: [{ type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_ANYTHING' }, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE' }],
      ret: { type: 'RET_INTEGER' },
    },
    gplOnly: true,
    progTypes: TRACING_TYPES,
    impl: (call) => {
      const buf = call.ptr(3);
      const size = Number(call.u64(4) & 0xffffffffn);
      call.arena.check(buf, size, true);
      const err = size !== PERF_EVENT_VALUE_SIZE ? -Errno.EINVAL : readCounter(call, 'perf_event_read_value');
      // counter, enabled and running are 0 for ebpfvm's events; on an error the kernel zeroes the buffer too
      call.arena.u8.fill(0, buf, buf + size);
      return err;
    },
  },
  {
    id: 25,
    name: 'perf_event_output',
    proto: {
      args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_ANYTHING' }, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }],
      ret: { type: 'RET_INTEGER' },
    },
    gplOnly: true,
    progTypes: 'all',
    impl: (call) => {
      const withPacket = SKB_TYPES.has(call.progType) || call.progType === ProgType.XDP;
      return eventOutput(call, 'perf_event_output', withPacket ? BPF_F_INDEX_MASK | BPF_F_CTX_LEN_MASK : BPF_F_INDEX_MASK, (len) => {
        if (!withPacket || len === 0) return new Uint8Array(0);
        const p = packetOf(call, call.ptr(1));
        return len > p.end - p.data ? undefined : call.arena.read(p.data, len);
      });
    },
  },
  {
    id: 111,
    name: 'skb_output',
    proto: {
      args: [{ type: 'ARG_PTR_TO_BTF_ID', btfType: 'sk_buff' }, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_ANYTHING' }, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }],
      ret: { type: 'RET_INTEGER' },
    },
    gplOnly: true,
    // tracing_prog_func_proto: tracing programs, and lsm and syscall ones through it
    progTypes: [ProgType.TRACING, ProgType.LSM, ProgType.SYSCALL],
    impl: (call) => eventOutput(call, 'skb_output', BPF_F_INDEX_MASK | BPF_F_CTX_LEN_MASK, (len) => skbBytes(call, len)),
  },
];

/** bpf_event_output's part shared by perf_event_output and skb_output: the flags `allowed`, the
 *  sample from argument 4 (size in 5) and, after it, the `len` context bytes `ctxBytes` gives
 *  (len from BPF_F_CTX_LEN_MASK; undefined: they are not there, -EFAULT), to the slot. */
function eventOutput(call: HelperCall, what: string, allowed: bigint, ctxBytes: (len: number) => Uint8Array | undefined): number {
  const m = call.map(2);
  if (!(m instanceof PerfEventArrayMap)) throw new FaultSignal(`${what}: map ${m.name} is not a perf event array`);
  const flags = call.u64(3);
  if ((flags & ~allowed) !== 0n) return -Errno.EINVAL;
  const size = Number(call.u64(5) & 0xffffffffn);
  const src = call.ptr(4);
  if (size > 0) call.arena.check(src, size, false);
  const extra = ctxBytes(Number((flags & BPF_F_CTX_LEN_MASK) >> 32n));
  if (extra === undefined) return -Errno.EFAULT;
  let index = Number(flags & BPF_F_INDEX_MASK);
  if (index === BPF_F_CURRENT_CPU) index = call.cpu;
  const data = new Uint8Array(size + extra.length);
  data.set(call.arena.u8.subarray(src, src + size));
  data.set(extra, size);
  const err = m.output(index, call.cpu, data);
  if (err === 0 && keepOutput(call.output, call.output.perf, 'perf', data.length)) call.output.perf.push({ map: m.name, cpu: call.cpu, data });
  return err;
}

/** bpf_skb_event_output's packet bytes: the first `len` bytes of the kernel sk_buff's data
 *  (vm/contexts KERNEL_SK_BUFF: len, data), the skb read where it is (the arena or kernel
 *  memory); -EFAULT (undefined) for a NULL skb, more than skb->len, or bytes that are not there. */
function skbBytes(call: HelperCall, len: number): Uint8Array | undefined {
  const skb = call.u64(1);
  if (skb === 0n) return undefined;
  const lenBytes = readAnywhere(call, skb + BigInt(field(KERNEL_SK_BUFF, 'len').offset), 4);
  if (!lenBytes || len > new DataView(lenBytes.buffer, lenBytes.byteOffset).getUint32(0, true)) return undefined;
  if (len === 0) return new Uint8Array(0);
  const dataBytes = readAnywhere(call, skb + BigInt(field(KERNEL_SK_BUFF, 'data').offset), 8);
  if (!dataBytes) return undefined;
  return readAnywhere(call, new DataView(dataBytes.buffer, dataBytes.byteOffset).getBigUint64(0, true), len);
}

/** Bytes at a 64-bit address: the arena (a 32-bit address) or the kernel-memory view. */
function readAnywhere(call: HelperCall, addr: bigint, len: number): Uint8Array | undefined {
  if (addr >> 32n === 0n) {
    const a = Number(addr);
    return call.arena.canAccess(a, len, false) ? call.arena.read(a, len) : undefined;
  }
  return call.env.readKernel(addr, len);
}
