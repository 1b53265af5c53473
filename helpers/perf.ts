// perf_event_output (25)(ctx, map, flags, data, size): send `data` to the perf event of a
// BPF_MAP_TYPE_PERF_EVENT_ARRAY slot (maps/perf-event-array.ts). The low 32 bits of flags are
// the slot (BPF_F_CURRENT_CPU = 0xffffffff: this CPU's); other bits are -EINVAL, except that skb
// and XDP programs (the kernel's bpf_skb_event_output / bpf_xdp_event_output behind the same id)
// may ask in bits 32-51 (BPF_F_CTX_LEN_MASK) for that many packet bytes, taken from `data`, to
// follow the sample; more than the packet holds is -EFAULT. Slot errors: -E2BIG beyond
// max_entries, -ENOENT when no event is open there, -EOPNOTSUPP for another CPU's slot.
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

import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import { PerfEventArrayMap } from '../maps/perf-event-array.js';
import { ProgType } from '../vm/prog-types.js';
import type { HelperEntry } from './types.js';

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

export const PERF_HELPERS: readonly HelperEntry[] = [
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
      const m = call.map(2);
      if (!(m instanceof PerfEventArrayMap)) throw new FaultSignal(`perf_event_output: map ${m.name} is not a perf event array`);
      const flags = call.u64(3);
      const withPacket = SKB_TYPES.has(call.progType) || call.progType === ProgType.XDP;
      const allowed = withPacket ? BPF_F_INDEX_MASK | BPF_F_CTX_LEN_MASK : BPF_F_INDEX_MASK;
      if ((flags & ~allowed) !== 0n) return -Errno.EINVAL;
      const size = Number(call.u64(5) & 0xffffffffn);
      const src = call.ptr(4);
      if (size > 0) call.arena.check(src, size, false);
      let extra: Uint8Array = new Uint8Array(0);
      const pktLen = Number((flags & BPF_F_CTX_LEN_MASK) >> 32n);
      if (withPacket && pktLen > 0) {
        const p = packetOf(call, call.ptr(1));
        if (pktLen > p.end - p.data) return -Errno.EFAULT;
        extra = call.arena.read(p.data, pktLen);
      }
      let index = Number(flags & BPF_F_INDEX_MASK);
      if (index === BPF_F_CURRENT_CPU) index = call.cpu;
      const data = new Uint8Array(size + extra.length);
      data.set(call.arena.u8.subarray(src, src + size));
      data.set(extra, size);
      const err = m.output(index, call.cpu, data);
      if (err === 0) call.output.perf.push({ map: m.name, cpu: call.cpu, data });
      return err;
    },
  },
];
