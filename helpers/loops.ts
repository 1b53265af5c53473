// Callback helpers:
//   loop (181): call callback_fn(index, ctx) for index 0..nr_loops-1 until it returns non-zero;
//     non-zero flags are -EINVAL; nr_loops above 1 << 23 (BPF_MAX_LOOPS) is -E2BIG as the kernel's
//     inlined bpf_loop returns it, zero-extended from 32 bits; returns the number of calls made
//     (including the one that stopped the loop).
//   for_each_map_elem (164): call callback_fn(map, key*, value*, ctx) for each element until it
//     returns non-zero; flags must be 0; returns the number of elements visited (including the one
//     that stopped the walk). Hash maps walk in their iteration order (maps/hash-table.ts), arrays
//     by index; per-CPU maps pass this CPU's copy. Keys are read-only to the callback.
// Callbacks run as new frames of the same run (HelperCall.callback), so they count toward the
// frame limit and the instruction budget.

import { FaultSignal } from '../src/errors.js';
import { Errno, type BpfMap } from '../maps/types.js';
import { BPF_MAX_LOOPS } from '../vm/isa.js';
import { MemFlag } from '../vm/memory.js';
import type { HelperCall, HelperEntry } from './types.js';

/** Maps that can hand out element addresses directly (hash tables, per-CPU arrays). */
interface ElementWalker {
  forEachElem(cpu: number, fn: (keyAddr: number, valueAddr: number) => boolean): number;
}

function hasWalker(m: BpfMap): m is BpfMap & ElementWalker {
  return typeof (m as Partial<ElementWalker>).forEachElem === 'function';
}

/** Walk any other map through its user-side key iteration: the key is copied into a scratch
 *  buffer, the value address comes from the program-side lookup (the real element). */
function walkByKeys(call: HelperCall, map: BpfMap, fn: (keyAddr: number, valueAddr: number) => boolean): number {
  // read-only to the callback, like the kernel's element key
  const scratch = call.arena.alloc(map.keySize, { kind: 'map', name: `${map.name} key`, flags: MemFlag.READ });
  let n = 0;
  try {
    for (let k = map.nextKey(undefined); k !== undefined; k = map.nextKey(k)) {
      call.arena.write(scratch, k);
      const v = map.lookupElem(scratch, call.cpu);
      if (v === 0) continue;
      n++;
      if (fn(scratch, v)) break;
    }
  } finally {
    call.arena.free(scratch);
  }
  return n;
}

export const LOOP_HELPERS: readonly HelperEntry[] = [
  {
    id: 181,
    name: 'loop',
    proto: {
      args: [{ type: 'ARG_ANYTHING' }, { type: 'ARG_PTR_TO_FUNC' }, { type: 'ARG_PTR_TO_STACK', flags: ['PTR_MAYBE_NULL'] }, { type: 'ARG_ANYTHING' }],
      ret: { type: 'RET_INTEGER' },
      callbackRet: { 2: [0n, 1n] },
    },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const n = call.u32(1);
      const ctx = call.u64(3);
      if (call.u64(4) !== 0n) return -Errno.EINVAL;
      // With flags 0 the kernel's verifier inlines bpf_loop, and the inlined code sets the error
      // with a 32-bit move: r0 = (u32)-E2BIG = 0xfffffff9, not -7 (checked on Linux 6.18).
      if (n > BPF_MAX_LOOPS) return BigInt(-Errno.E2BIG >>> 0);
      for (let i = 0; i < n; i++) {
        if (call.callback(2, [i, ctx]) !== 0n) return i + 1;
      }
      return n;
    },
  },
  {
    id: 164,
    name: 'for_each_map_elem',
    proto: {
      args: [{ type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_PTR_TO_FUNC' }, { type: 'ARG_PTR_TO_STACK', flags: ['PTR_MAYBE_NULL'] }, { type: 'ARG_ANYTHING' }],
      ret: { type: 'RET_INTEGER' },
      callbackRet: { 2: [0n, 1n] },
    },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const map = call.map(1);
      const handle = call.u64(1);
      const ctx = call.u64(3);
      if (call.u64(4) !== 0n) return -Errno.EINVAL;
      const visit = (keyAddr: number, valueAddr: number): boolean => call.callback(2, [handle, keyAddr, valueAddr, ctx]) !== 0n;
      if (hasWalker(map)) return map.forEachElem(call.cpu, visit);
      if (map.keySize === 0) throw new FaultSignal(`for_each_map_elem: map ${map.name} cannot be iterated`);
      return walkByKeys(call, map, visit);
    },
  },
];
