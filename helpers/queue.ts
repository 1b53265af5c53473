// Queue, stack and bloom filter helpers (kernel/bpf/helpers.c):
//   map_push_elem (87)(map, value, flags): queue/stack push (BPF_EXIST overwrites the oldest value
//     when full, else -E2BIG), bloom filter add (flags must be 0).
//   map_pop_elem (88)(map, value): remove the next value into the buffer; -ENOENT when empty
//     (bloom filters: -EOPNOTSUPP).
//   map_peek_elem (89)(map, value): copy the next value without removing it; bloom filters test
//     membership of the value in the buffer instead (0 maybe present, -ENOENT absent).
// The semantics live in maps/queue-stack.ts and maps/bloom-filter.ts; these only route.

import { FaultSignal } from '../src/errors.js';
import { BloomFilterMap } from '../maps/bloom-filter.js';
import { QueueStackMap } from '../maps/queue-stack.js';
import type { HelperArg, HelperCall, HelperEntry } from './types.js';

const MAP: HelperArg = { type: 'ARG_CONST_MAP_PTR' };

function valueMap(call: HelperCall, helper: string): QueueStackMap | BloomFilterMap {
  const m = call.map(1);
  if (m instanceof QueueStackMap || m instanceof BloomFilterMap) return m;
  throw new FaultSignal(`${helper}: map ${m.name} is not a queue, stack or bloom filter`);
}

export const QUEUE_HELPERS: readonly HelperEntry[] = [
  {
    id: 87,
    name: 'map_push_elem',
    proto: { args: [MAP, { type: 'ARG_PTR_TO_MAP_VALUE' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const flags = call.u64(3);
      return valueMap(call, 'map_push_elem').pushFrom(call.ptr(2), flags > 0xffffn ? 0xffff : Number(flags));
    },
  },
  {
    id: 88,
    name: 'map_pop_elem',
    proto: { args: [MAP, { type: 'ARG_PTR_TO_MAP_VALUE', flags: ['MEM_UNINIT'] }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => valueMap(call, 'map_pop_elem').popInto(call.ptr(2), true),
  },
  {
    id: 89,
    name: 'map_peek_elem',
    proto: { args: [MAP, { type: 'ARG_PTR_TO_MAP_VALUE', flags: ['MEM_UNINIT'] }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => valueMap(call, 'map_peek_elem').popInto(call.ptr(2), false),
  },
];
