// The one interface every map type implements. Values live in arena memory so programs read and
// write them directly through pointers; user space (TypeScript API, CLI, loader) goes through the
// same operations with byte arrays, like libbpf's bpf_map_* syscalls.

import type { Arena } from '../vm/memory.js';
import type { GraphHeap, GraphRecord } from './graph.js';
import type { SocketTable } from '../vm/sockets.js';

/** Linux map type numbers (uapi enum bpf_map_type), plus ebpfvm's rbtree outside the enum. */
export const MapType = {
  UNSPEC: 0,
  HASH: 1,
  ARRAY: 2,
  PROG_ARRAY: 3,
  PERF_EVENT_ARRAY: 4,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  STACK_TRACE: 7,
  CGROUP_ARRAY: 8,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11,
  ARRAY_OF_MAPS: 12,
  HASH_OF_MAPS: 13,
  DEVMAP: 14,
  SOCKMAP: 15,
  CPUMAP: 16,
  XSKMAP: 17,
  SOCKHASH: 18,
  CGROUP_STORAGE: 19,
  REUSEPORT_SOCKARRAY: 20,
  PERCPU_CGROUP_STORAGE: 21,
  QUEUE: 22,
  STACK: 23,
  SK_STORAGE: 24,
  DEVMAP_HASH: 25,
  STRUCT_OPS: 26,
  RINGBUF: 27,
  INODE_STORAGE: 28,
  TASK_STORAGE: 29,
  BLOOM_FILTER: 30,
  USER_RINGBUF: 31,
  CGRP_STORAGE: 32,
  ARENA: 33,
  /** The RFC's rbtree map; deliberately outside the kernel's enum (DESIGN section 7). */
  RBTREE: 4096,
} as const;
export type MapType = (typeof MapType)[keyof typeof MapType];

export function mapTypeName(type: number): string {
  for (const [name, value] of Object.entries(MapType)) if (value === type) return name.toLowerCase();
  return `map_type#${type}`;
}

/** Update flags (uapi). */
export const UpdateFlag = {
  ANY: 0,
  NOEXIST: 1,
  EXIST: 2,
  F_LOCK: 4,
} as const;

/** Map creation flags used by ebpfvm (uapi BPF_F_*). */
export const MapFlag = {
  NO_PREALLOC: 1 << 0,
  NO_COMMON_LRU: 1 << 1,
  NUMA_NODE: 1 << 2,
  RDONLY: 1 << 3,
  WRONLY: 1 << 4,
  ZERO_SEED: 1 << 6,
  RDONLY_PROG: 1 << 7,
  WRONLY_PROG: 1 << 8,
  MMAPABLE: 1 << 10,
  PRESERVE_ELEMS: 1 << 11,
  INNER_MAP: 1 << 12,
} as const;

/** Negative errno values helpers and map ops return (Linux numbers). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  EDEADLK: 35,
  EPROTO: 71,
  ENOTSUPP: 524,
  EPROTOTYPE: 91,
  EPROTONOSUPPORT: 93,
  ESOCKTNOSUPPORT: 94,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  ENETUNREACH: 101,
} as const;

/** Everything needed to create a map (what `.maps`, the legacy `maps` section or the API give). */
export interface MapSpec {
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  numaNode?: number;
  mapExtra?: bigint;
  pinning?: number;
  /** BTF type ids of key and value in the owning object's BTF, when known. */
  btfKeyTypeId?: number;
  btfValueTypeId?: number;
  /** Template for inner maps of array_of_maps / hash_of_maps. */
  innerMap?: MapSpec;
  /** Initial contents (global data image, `values` initialisers) as key -> value bytes. */
  contents?: { key: Uint8Array; value: Uint8Array }[];
  /** Offsets of special fields inside the value found through BTF (bpf_spin_lock, rb_node). */
  spinLockOffset?: number;
  rbNodeOffset?: number;
  /** Offset of the value's struct bpf_timer (BTF), in the map types that may hold one (hash,
   *  lru_hash, array): the map frees the timer with its element. */
  timerOffset?: number;
  /** Offset of the value's struct bpf_wq (BTF), in the same map types: the map frees the work
   *  item with its element (through `timers`, which frees work items too). */
  wqOffset?: number;
  /** The value's graph roots and kptrs (src/btf/graph-record.ts), when it holds any: the map frees
   *  what they hold when an element is overwritten or deleted and when the map is destroyed. */
  graph?: GraphRecord;
}

/** Services a map needs from the runtime that created it. */
export interface MapContext {
  arena: Arena;
  /** Number of possible CPUs (per-CPU maps size their values by this). */
  ncpus: number;
  /** The runtime's map and program tables (map-in-map values are map ids, prog_array values
   *  program ids). */
  runtime?: MapRuntime;
  /** The runtime's graph heap (maps/graph.ts): frees what values' roots and kptrs hold. */
  graph?: GraphHeap;
  /** The runtime's sockets (sk_storage owners, named by fd from user space). */
  sockets?: SocketTable;
  /** The runtime's bpf_timers: an element overwritten, deleted or evicted, and every element of a
   *  destroyed map, cancels and frees its timer (bpf_obj_free_fields -> bpf_timer_cancel_and_free). */
  timers?: MapTimers;
  /** The runtime's tasks: the kernel address of the task_struct with this pid (task_storage
   *  owners; user space names a task by pid where the kernel takes a pidfd). */
  taskByPid?(pid: number): bigint | undefined;
  /** The runtime's cgroups: the kernel address of the struct cgroup with this id (cgrp_storage
   *  owners; user space names a cgroup by id where the kernel takes a cgroup fd). */
  cgroupById?(id: number): bigint | undefined;
}

/** The runtime's bpf_timer table as maps see it (helpers/timer.ts). */
export interface MapTimers {
  /** Cancel and free the timer at `timerAddr`, if one was initialised there. */
  free(timerAddr: number): void;
}

/** What fd-holding maps (map-in-map, prog_array, devmap) need from the runtime. */
export interface MapRuntime {
  mapById(id: number): { id: number; map: BpfMap; handle: bigint } | undefined;
  programById(id: number): unknown;
  /** Create a map (inner maps from a map-in-map template). */
  createMap?(spec: MapSpec): { id: number; map: BpfMap; handle: bigint };
}

/** A live map. Program-side operations work on arena addresses and return kernel-style results
 *  (pointers as arena addresses, 0 for NULL; negative errno for failures). User-side operations
 *  take byte arrays and throw MapError for misuse, or return errno results like libbpf. */
export interface BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Frozen maps refuse user-space writes (like BPF_MAP_FREEZE); `.rodata` is frozen at load. */
  frozen: boolean;

  // --- program side (keys/values are arena addresses) ---
  /** Address of the value for the key at `keyAddr` (for per-CPU maps, this CPU's copy), or 0. */
  lookupElem(keyAddr: number, cpu: number): number;
  /** 0 or negative errno. */
  updateElem(keyAddr: number, valueAddr: number, flags: number, cpu: number): number;
  /** 0 or negative errno. */
  deleteElem(keyAddr: number): number;
  /** Maps whose lookup yields a handle instead of an address (array/hash_of_maps: the inner
   *  map's handle, 0n for NULL); bpf_map_lookup_elem uses it when present. */
  lookupElemHandle?(keyAddr: number): bigint;

  // --- user side (byte arrays) ---
  /** The value bytes (per-CPU maps: all CPUs, each rounded up to 8 bytes), or undefined. */
  lookup(key: Uint8Array): Uint8Array | undefined;
  /** 0 or negative errno (-EEXIST, -ENOENT, -E2BIG, -EINVAL). */
  update(key: Uint8Array, value: Uint8Array, flags?: number): number;
  /** 0 or negative errno. */
  delete(key: Uint8Array): number;
  /** Next key after `key` (first key when undefined), or undefined at the end. */
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined;

  /** Release every arena allocation the map owns. */
  destroy(): void;

  /** Whether `addr` is a `struct bpf_spin_lock` this map owns: the word at the BTF-declared
   *  offset of one of its values (the rbtree map: its own lock). The lock helpers accept nothing
   *  else. Absent on maps that hold no locks. */
  spinLockAt?(addr: number): boolean;

  /** Start of the value holding `addr`, for maps whose values carry graph roots or kptrs
   *  (spec.graph): how the graph kfuncs find the BTF field an address names. */
  valueBase?(addr: number): number | undefined;

  /** The key of the live element whose value starts at `valueAddr`, for the bpf_timer callback's
   *  key argument: an arena address (hash maps), or the index (arrays, which the kernel passes as
   *  a pointer to a u32 on its own stack); undefined when no live element's value starts there.
   *  Implemented by the map types that may hold a bpf_timer. */
  valueKey?(valueAddr: number): { addr: number } | { index: number } | undefined;

  /** A test run ended: drop what belonged to that run (the cgroup storage a test run allocates,
   *  as the kernel's bpf_test_run frees it). */
  testRunEnded?(): void;
}

/** Constructor shape each maps/*.ts file exports, registered in maps/index.ts by type number. */
export type MapFactory = (spec: MapSpec, ctx: MapContext) => BpfMap;
