// Ring buffer helpers (kernel/bpf/ringbuf.c):
//   ringbuf_output (130)(ringbuf, data, size, flags): reserve + copy + submit; -EAGAIN when the
//     ring has no room, -EINVAL for flags other than BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP.
//   ringbuf_reserve (131)(ringbuf, size, flags): pointer to `size` writable bytes or NULL (no room,
//     or flags != 0).
//   ringbuf_submit (132)(data, flags) / ringbuf_discard (133)(data, flags): release the
//     reservation (discarded records stay in the ring with the DISCARD bit; consumers skip them).
//   ringbuf_query (134)(ringbuf, flags): BPF_RB_AVAIL_DATA (0), RING_SIZE (1), CONS_POS (2),
//     PROD_POS (3); anything else 0.
// Submitted records are also appended to the run's output (`RunOutput.ringbuf`) for the CLI and
// tests; user space consumes them from the ring itself with src/ringbuf-consumer.ts. A reserved
// sample is an arena allocation of exactly the reserved size (maps/ringbuf.ts), so stores past it
// fault, and the record's header and length live in the ring, out of the program's reach. A sample
// pointer must be the one reserve returned: any other pointer is a fault (the verifier rejects
// such programs). A run that ends with a reservation still open leaves the record BUSY, which
// blocks consumers as in the kernel; `RingbufMap.pendingReservations` reports it.

import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import { BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP, RingbufMap } from '../maps/ringbuf.js';
import type { HelperArg, HelperCall, HelperEntry } from './types.js';

const MAP: HelperArg = { type: 'ARG_CONST_MAP_PTR' };
const ANY: HelperArg = { type: 'ARG_ANYTHING' };
const WAKEUP_FLAGS = BigInt(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP);

function ring(call: HelperCall, helper: string): RingbufMap {
  const m = call.map(1);
  if (!(m instanceof RingbufMap)) throw new FaultSignal(`${helper}: map ${m.name} is not a ring buffer`);
  return m;
}

/** Submit or discard the sample at `sample`, which this run reserved (ringbuf_submit/discard and
 *  their dynptr forms, helpers/dynptr.ts). */
export function commitSample(call: HelperCall, sample: number, discard: boolean, flagsArg: bigint, helper: string): number {
  const flags = Number(flagsArg & WAKEUP_FLAGS);
  const rings = call.state.get('ringbuf.reserved') as Map<number, RingbufMap> | undefined;
  const rb = rings?.get(sample);
  if (!rb || !rb.commit(sample, discard, flags)) {
    throw new FaultSignal(`${helper}: 0x${sample.toString(16)} is not a reserved ring buffer sample`);
  }
  rings!.delete(sample);
  if (!discard) {
    const len = rb.lastSample;
    if (len) call.output.ringbuf.push({ map: rb.name, data: len });
  }
  return 0;
}

/** Reserve `size` bytes in the ring of argument r1 and remember the sample for this run; 0 when
 *  the ring has no room. */
export function reserveSample(call: HelperCall, size: number, helper: string): number {
  const rb = ring(call, helper);
  const rec = rb.reserve(size);
  if (rec === 0) return 0;
  let rings = call.state.get('ringbuf.reserved') as Map<number, RingbufMap> | undefined;
  if (!rings) call.state.set('ringbuf.reserved', (rings = new Map()));
  rings.set(rec, rb);
  return rec;
}

function commit(call: HelperCall, discard: boolean): number {
  return commitSample(call, call.ptr(1), discard, call.u64(2), `ringbuf_${discard ? 'discard' : 'submit'}`);
}

export const RINGBUF_HELPERS: readonly HelperEntry[] = [
  {
    id: 130,
    name: 'ringbuf_output',
    proto: { args: [MAP, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }, ANY], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const rb = ring(call, 'ringbuf_output');
      const size = Number(call.u64(3)); // a size beyond the arena fails the check below
      const flags = call.u64(4);
      if ((flags & ~WAKEUP_FLAGS) !== 0n) return -Errno.EINVAL;
      const src = call.ptr(2);
      if (size > 0) call.arena.check(src, size, false);
      // the sample goes straight into the ring, which no program can address: nothing in the
      // arena is written, so there is no store to check
      if (!rb.output(call.arena.read(src, size), Number(flags))) return -Errno.EAGAIN;
      call.output.ringbuf.push({ map: rb.name, data: rb.lastSample! });
      return 0;
    },
  },
  {
    id: 131,
    name: 'ringbuf_reserve',
    proto: { args: [MAP, { type: 'ARG_CONST_ALLOC_SIZE_OR_ZERO' }, ANY], ret: { type: 'RET_PTR_TO_ALLOC_MEM', flags: ['PTR_MAYBE_NULL', 'ACQUIRE'] } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      ring(call, 'ringbuf_reserve');
      if (call.u64(3) !== 0n) return 0;
      const size = call.u64(2);
      if (size > 0xffffffffn) return 0;
      return reserveSample(call, Number(size), 'ringbuf_reserve');
    },
  },
  {
    id: 132,
    name: 'ringbuf_submit',
    proto: { args: [{ type: 'ARG_PTR_TO_ALLOC_MEM', flags: ['OBJ_RELEASE'] }, ANY], ret: { type: 'RET_VOID' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => commit(call, false),
  },
  {
    id: 133,
    name: 'ringbuf_discard',
    proto: { args: [{ type: 'ARG_PTR_TO_ALLOC_MEM', flags: ['OBJ_RELEASE'] }, ANY], ret: { type: 'RET_VOID' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => commit(call, true),
  },
  {
    id: 134,
    name: 'ringbuf_query',
    proto: { args: [MAP, ANY], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const flag = call.u64(2);
      return flag > 3n ? 0 : ring(call, 'ringbuf_query').query(Number(flag));
    },
  },
];
