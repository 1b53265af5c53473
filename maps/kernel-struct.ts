// The kernel's `struct bpf_map` of a map, as a program reads it through a map pointer
// (check_ptr_to_map_access lets verified programs load its fields: `r6 = *(u64 *)(r1 + 0)` with
// r1 = &map). Layout of the host kernel (Linux 6.18, x86-64, from its BTF); for arrays the
// struct is bpf_array, which adds elem_size and index_mask after it. Fields ebpfvm has no
// counterpart for (the SHA, the BTF and memcg pointers, mutexes, counters) read as 0; `ops` is a
// kernel-text-like address per map type (never mapped: ebpfvm has no ops tables), so it is
// non-NULL as in the kernel and equal for maps of one type.
import { MapType, type BpfMap } from './types.js';

/** sizeof(struct bpf_map) on the host kernel. */
export const BPF_MAP_STRUCT_SIZE = 296;
/** sizeof(struct bpf_array) without its flexible value area. */
const BPF_ARRAY_STRUCT_SIZE = 312;

const OFF = {
  ops: 40,
  mapType: 64,
  keySize: 68,
  valueSize: 72,
  maxEntries: 76,
  mapExtra: 80,
  mapFlags: 88,
  id: 92,
  numaNode: 104,
  btfKeyTypeId: 108,
  btfValueTypeId: 112,
  name: 136,
  elemSize: 296,
  indexMask: 300,
} as const;

const isArray = (type: number): boolean =>
  type === MapType.ARRAY || type === MapType.PERCPU_ARRAY || type === MapType.PROG_ARRAY || type === MapType.PERF_EVENT_ARRAY || type === MapType.CGROUP_ARRAY || type === MapType.ARRAY_OF_MAPS;

/** The bytes of `map`'s kernel struct (bpf_map, or bpf_array for the array types). `id` is the
 *  map's id as the program sees it (its runtime index). */
export function bpfMapStruct(map: BpfMap, id: number): Uint8Array {
  const array = isArray(map.type);
  const out = new Uint8Array(array ? BPF_ARRAY_STRUCT_SIZE : BPF_MAP_STRUCT_SIZE);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(OFF.ops, 0xffffffff82000000n + BigInt(map.type) * 0x1000n, true);
  dv.setUint32(OFF.mapType, map.type, true);
  dv.setUint32(OFF.keySize, map.keySize, true);
  dv.setUint32(OFF.valueSize, map.valueSize, true);
  dv.setUint32(OFF.maxEntries, map.maxEntries, true);
  dv.setBigUint64(OFF.mapExtra, map.spec.mapExtra ?? 0n, true);
  dv.setUint32(OFF.mapFlags, map.spec.flags ?? 0, true);
  dv.setUint32(OFF.id, id, true);
  dv.setInt32(OFF.numaNode, map.spec.numaNode ?? -1, true);
  dv.setUint32(OFF.btfKeyTypeId, map.spec.btfKeyTypeId ?? 0, true);
  dv.setUint32(OFF.btfValueTypeId, map.spec.btfValueTypeId ?? 0, true);
  // BPF_OBJ_NAME_LEN 16, NUL-terminated
  const name = new TextEncoder().encode(map.name).subarray(0, 15);
  out.set(name, OFF.name);
  if (array) {
    // elem_size: the value rounded up to 8; index_mask: max_entries rounded up to a power of 2, less 1
    dv.setUint32(OFF.elemSize, (map.valueSize + 7) & ~7, true);
    let mask = 1;
    while (mask < map.maxEntries) mask *= 2;
    dv.setUint32(OFF.indexMask, (mask - 1) >>> 0, true);
  }
  return out;
}
