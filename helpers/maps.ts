// Map helpers (kernel/bpf/helpers.c): bpf_map_lookup_elem (1), bpf_map_update_elem (2),
// bpf_map_delete_elem (3), bpf_map_lookup_percpu_elem (195). They only translate registers; the map types implement the semantics
// (flags, errno, per-CPU copies) behind BpfMap, so user space and programs share one code path.

import { FaultSignal } from '../src/errors.js';
import { HashTable } from '../maps/hash-table.js';
import { HandleKind, isHandle, makeHandle } from '../vm/handles.js';
import { MAP_STRUCT_BASE, MAP_STRUCT_STRIDE } from '../src/btf/builtin-addrs.js';
import type { HelperCall, HelperResult } from './types.js';
import { MapType, mapTypeName } from '../maps/types.js';
import type { HelperArg, HelperEntry } from './types.js';

const MAP: HelperArg = { type: 'ARG_CONST_MAP_PTR' };
const KEY: HelperArg = { type: 'ARG_PTR_TO_MAP_KEY' };
const VALUE: HelperArg = { type: 'ARG_PTR_TO_MAP_VALUE' };

export const MAP_HELPERS: readonly HelperEntry[] = [
  {
    id: 1,
    name: 'map_lookup_elem',
    proto: { args: [MAP, KEY], ret: { type: 'RET_PTR_TO_MAP_VALUE', flags: ['PTR_MAYBE_NULL'] } },
    gplOnly: false,
    progTypes: 'all',
    // The value's arena address (this CPU's copy for per-CPU maps), 0 for NULL.
    impl: (call) => {
      const m = call.map(1);
      // map-in-map lookups return the inner map's handle, not an address
      return m.lookupElemHandle !== undefined ? m.lookupElemHandle(call.ptr(2)) : m.lookupElem(call.ptr(2), call.cpu);
    },
  },
  {
    id: 195,
    name: 'map_lookup_percpu_elem',
    proto: { args: [MAP, KEY, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_PTR_TO_MAP_VALUE', flags: ['PTR_MAYBE_NULL'] } },
    gplOnly: false,
    progTypes: 'all',
    // Another CPU's copy of a per-CPU map's value (the verifier allows only per-CPU array and
    // hash maps: helpers/map-compat.ts); NULL for a CPU at or past nr_cpu_ids, as the maps'
    // map_lookup_percpu_elem ops check it.
    impl: (call) => {
      const m = call.map(1);
      if (m.type !== MapType.PERCPU_ARRAY && m.type !== MapType.PERCPU_HASH && m.type !== MapType.LRU_PERCPU_HASH) {
        throw new FaultSignal(`bpf_map_lookup_percpu_elem on a ${mapTypeName(m.type)} map, which has no per-CPU values`);
      }
      const cpu = call.u32(3);
      return cpu >= call.env.ncpus ? 0 : m.lookupElem(call.ptr(2), cpu);
    },
  },
  {
    id: 2,
    name: 'map_update_elem',
    proto: { args: [MAP, KEY, VALUE, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const map = call.map(1);
      const flags = call.u64(4);
      // Flags are a u64; anything beyond the defined low bits is -EINVAL in every map type, so
      // pass a value the map will refuse rather than silently truncating.
      const f = flags > 0xffffn ? 0xffff : Number(flags);
      return map.updateElem(call.ptr(2), call.ptr(3), f, call.cpu);
    },
  },
  {
    id: 3,
    name: 'map_delete_elem',
    proto: { args: [MAP, KEY], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => call.map(1).deleteElem(call.ptr(2)),
  },
];

/** The kfunc bpf_map_sum_elem_count(map) (kernel/bpf/map_iter.c): the number of elements of a map
 *  that counts them (the hash maps: hash, lru_hash and their per-CPU kinds, whose per-CPU counters
 *  the kernel sums), 0 for the others, which keep no count. The map is a struct bpf_map pointer
 *  (an iterator's ctx->map: the map's kernel struct) or a map pointer; anything else faults. */
export function mapSumElemCount(call: HelperCall): HelperResult {
  const v = call.u64(1);
  let map = isHandle(v, HandleKind.MAP) ? call.env.mapFromHandle(v) : undefined;
  const off = v - MAP_STRUCT_BASE;
  if (map === undefined && off >= 0n && off % MAP_STRUCT_STRIDE === 0n && off / MAP_STRUCT_STRIDE < 0x10000n) map = call.env.mapFromHandle(makeHandle(HandleKind.MAP, Number(off / MAP_STRUCT_STRIDE)));
  if (map === undefined) throw new FaultSignal(`bpf_map_sum_elem_count: r1 (0x${v.toString(16)}) is not a struct bpf_map of the runtime`);
  return map instanceof HashTable ? map.size : 0;
}
