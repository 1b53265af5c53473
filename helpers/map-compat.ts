// Which maps a helper may be given and which maps a program may use: the kernel's load-time
// refusals that need no abstract interpretation (kernel/bpf/verifier.c), as tables with the
// kernel's verifier log lines.
//
//   check_map_func_compatibility: a map of one type passed as the ARG_CONST_MAP_PTR argument of a
//     helper that does not take it ("cannot pass map_type 30 into func bpf_map_pop_elem#88").
//     Checked both ways: a map type that only goes with some helpers (HELPERS_FOR_MAP), and a
//     helper that only takes some map types (MAPS_FOR_HELPER).
//   check_map_prog_compatibility: a map referenced by an ld_imm64 in a program that may not use
//     it (sleepable programs and the maps they cannot use, struct_ops maps, spin locks in socket
//     filters and tracing programs).
//
// The loader applies them where it knows the map without interpretation (src/loader/load.ts);
// the verifier reuses them with the map it tracked in the register. Both return the kernel's log
// line, or undefined when the kernel accepts. Checked against Linux 6.18 (test/progs/x_compat_*.c).

import { MapType } from '../maps/types.js';
import { ProgType } from '../vm/prog-types.js';

/** Helper ids (uapi enum bpf_func_id) the tables mention. */
const F = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  tail_call: 12,
  perf_event_read: 22,
  perf_event_output: 25,
  get_stackid: 27,
  skb_under_cgroup: 33,
  current_task_under_cgroup: 37,
  redirect_map: 51,
  sk_redirect_map: 52,
  sock_map_update: 53,
  perf_event_read_value: 55,
  msg_redirect_map: 60,
  sock_hash_update: 70,
  msg_redirect_hash: 71,
  sk_redirect_hash: 72,
  get_local_storage: 81,
  sk_select_reuseport: 82,
  map_push_elem: 87,
  map_pop_elem: 88,
  map_peek_elem: 89,
  sk_storage_get: 107,
  sk_storage_delete: 108,
  skb_output: 111,
  xdp_output: 121,
  ringbuf_output: 130,
  ringbuf_reserve: 131,
  ringbuf_query: 134,
  inode_storage_get: 145,
  inode_storage_delete: 146,
  task_storage_get: 156,
  task_storage_delete: 157,
  kptr_xchg: 194,
  map_lookup_percpu_elem: 195,
  ringbuf_reserve_dynptr: 198,
  ringbuf_submit_dynptr: 199,
  ringbuf_discard_dynptr: 200,
  user_ringbuf_drain: 209,
  cgrp_storage_get: 210,
  cgrp_storage_delete: 211,
} as const;

/** Helper ids the map-compatibility tables use, by Linux name (exported for tests). */
export const MAP_COMPAT_HELPER_IDS: Readonly<Record<string, number>> = F;

const M = MapType;
const PERF_HELPERS = [F.perf_event_read, F.perf_event_output, F.skb_output, F.perf_event_read_value, F.xdp_output];
const RINGBUF_HELPERS = [F.ringbuf_output, F.ringbuf_reserve, F.ringbuf_query, F.ringbuf_reserve_dynptr, F.ringbuf_submit_dynptr, F.ringbuf_discard_dynptr];
const STORAGE = (get: number, del: number) => [get, del, F.kptr_xchg];

/** Map side: a map of these types may only be passed to these helpers. */
const HELPERS_FOR_MAP: ReadonlyMap<number, readonly number[]> = new Map<number, readonly number[]>([
  [M.PROG_ARRAY, [F.tail_call]],
  [M.PERF_EVENT_ARRAY, PERF_HELPERS],
  [M.RINGBUF, RINGBUF_HELPERS],
  [M.USER_RINGBUF, [F.user_ringbuf_drain]],
  [M.STACK_TRACE, [F.get_stackid]],
  [M.CGROUP_ARRAY, [F.skb_under_cgroup, F.current_task_under_cgroup]],
  [M.CGROUP_STORAGE, [F.get_local_storage]],
  [M.PERCPU_CGROUP_STORAGE, [F.get_local_storage]],
  [M.DEVMAP, [F.redirect_map, F.map_lookup_elem]],
  [M.DEVMAP_HASH, [F.redirect_map, F.map_lookup_elem]],
  [M.CPUMAP, [F.redirect_map]],
  [M.XSKMAP, [F.redirect_map, F.map_lookup_elem]],
  [M.ARRAY_OF_MAPS, [F.map_lookup_elem]],
  [M.HASH_OF_MAPS, [F.map_lookup_elem]],
  // and map_update_elem / map_delete_elem where may_update_sockmap allows them (below)
  [M.SOCKMAP, [F.sk_redirect_map, F.sock_map_update, F.msg_redirect_map, F.sk_select_reuseport, F.map_lookup_elem]],
  [M.SOCKHASH, [F.sk_redirect_hash, F.sock_hash_update, F.msg_redirect_hash, F.sk_select_reuseport, F.map_lookup_elem]],
  [M.REUSEPORT_SOCKARRAY, [F.sk_select_reuseport]],
  [M.QUEUE, [F.map_peek_elem, F.map_pop_elem, F.map_push_elem]],
  [M.STACK, [F.map_peek_elem, F.map_pop_elem, F.map_push_elem]],
  [M.SK_STORAGE, STORAGE(F.sk_storage_get, F.sk_storage_delete)],
  [M.INODE_STORAGE, STORAGE(F.inode_storage_get, F.inode_storage_delete)],
  [M.TASK_STORAGE, STORAGE(F.task_storage_get, F.task_storage_delete)],
  [M.CGRP_STORAGE, STORAGE(F.cgrp_storage_get, F.cgrp_storage_delete)],
  [M.BLOOM_FILTER, [F.map_peek_elem, F.map_push_elem]],
]);

/** Helper side: these helpers only take maps of these types. */
const MAPS_FOR_HELPER: ReadonlyMap<number, readonly number[]> = new Map<number, readonly number[]>([
  [F.tail_call, [M.PROG_ARRAY]],
  ...PERF_HELPERS.map((f): [number, number[]] => [f, [M.PERF_EVENT_ARRAY]]),
  ...RINGBUF_HELPERS.map((f): [number, number[]] => [f, [M.RINGBUF]]),
  [F.user_ringbuf_drain, [M.USER_RINGBUF]],
  [F.get_stackid, [M.STACK_TRACE]],
  [F.current_task_under_cgroup, [M.CGROUP_ARRAY]],
  [F.skb_under_cgroup, [M.CGROUP_ARRAY]],
  [F.redirect_map, [M.DEVMAP, M.DEVMAP_HASH, M.CPUMAP, M.XSKMAP]],
  [F.sk_redirect_map, [M.SOCKMAP]],
  [F.msg_redirect_map, [M.SOCKMAP]],
  [F.sock_map_update, [M.SOCKMAP]],
  [F.sk_redirect_hash, [M.SOCKHASH]],
  [F.msg_redirect_hash, [M.SOCKHASH]],
  [F.sock_hash_update, [M.SOCKHASH]],
  [F.get_local_storage, [M.CGROUP_STORAGE, M.PERCPU_CGROUP_STORAGE]],
  [F.sk_select_reuseport, [M.REUSEPORT_SOCKARRAY, M.SOCKMAP, M.SOCKHASH]],
  [F.map_pop_elem, [M.QUEUE, M.STACK]],
  [F.map_peek_elem, [M.QUEUE, M.STACK, M.BLOOM_FILTER]],
  [F.map_push_elem, [M.QUEUE, M.STACK, M.BLOOM_FILTER]],
  [F.map_lookup_percpu_elem, [M.PERCPU_ARRAY, M.PERCPU_HASH, M.LRU_PERCPU_HASH]],
  [F.sk_storage_get, [M.SK_STORAGE]],
  [F.sk_storage_delete, [M.SK_STORAGE]],
  [F.inode_storage_get, [M.INODE_STORAGE]],
  [F.inode_storage_delete, [M.INODE_STORAGE]],
  [F.task_storage_get, [M.TASK_STORAGE]],
  [F.task_storage_delete, [M.TASK_STORAGE]],
  [F.cgrp_storage_get, [M.CGRP_STORAGE]],
  [F.cgrp_storage_delete, [M.CGRP_STORAGE]],
]);

/** Program types that may update or delete sockmap/sockhash entries (may_update_sockmap). */
const SOCKMAP_UPDATERS: readonly number[] = [ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP, ProgType.SK_REUSEPORT, ProgType.FLOW_DISSECTOR, ProgType.SK_LOOKUP];
const BPF_TRACE_ITER = 28;

function maySockmapUpdate(funcId: number, prog: ProgramKind): boolean {
  if (funcId !== F.map_update_elem && funcId !== F.map_delete_elem) return false;
  if (prog.progType === ProgType.TRACING) return prog.expectedAttachType === BPF_TRACE_ITER;
  if (prog.progType === ProgType.SOCK_OPS) return funcId === F.map_delete_elem;
  return SOCKMAP_UPDATERS.includes(prog.progType);
}

/** What these checks need to know about the program. */
export interface ProgramKind {
  progType: number;
  expectedAttachType: number;
  sleepable: boolean;
}

/** check_map_func_compatibility: the kernel's log line refusing a map of type `mapType` as the
 *  map argument of helper `funcId`, or undefined when the two go together. `funcName` is the
 *  kernel's name of the helper (bpf_map_pop_elem). */
export function mapFuncRefusal(mapType: number, funcId: number, funcName: string, prog: ProgramKind): string | undefined {
  // Linux 6.18 checks tail_call's map while checking the argument, before this table, and its
  // message has no newline (the log runs on into the next line)
  if (funcId === F.tail_call && mapType !== M.PROG_ARRAY) return 'expected prog array map for tail call';
  const helpers = HELPERS_FOR_MAP.get(mapType);
  const maps = MAPS_FOR_HELPER.get(funcId);
  const sockmapUpdate = (mapType === M.SOCKMAP || mapType === M.SOCKHASH) && maySockmapUpdate(funcId, prog);
  if ((helpers && !helpers.includes(funcId) && !sockmapUpdate) || (maps && !maps.includes(mapType))) {
    // may_update_sockmap logs its own line first for an update or delete it refuses
    const sockmapLine = (mapType === M.SOCKMAP || mapType === M.SOCKHASH) && (funcId === F.map_update_elem || funcId === F.map_delete_elem) ? 'cannot update sockmap in this context\n' : '';
    return `${sockmapLine}cannot pass map_type ${mapType} into func ${funcName}#${funcId}`;
  }
  return undefined;
}

/** Map types a sleepable program may use. ebpfvm's own rbtree map (DESIGN section 7) is not a
 *  kernel map; its nodes live under its own lock, so sleepable programs may use it too. */
const SLEEPABLE_MAPS: readonly number[] = [
  M.HASH, M.LRU_HASH, M.ARRAY, M.PERCPU_HASH, M.PERCPU_ARRAY, M.LRU_PERCPU_HASH, M.ARRAY_OF_MAPS, M.HASH_OF_MAPS,
  M.RINGBUF, M.USER_RINGBUF, M.INODE_STORAGE, M.SK_STORAGE, M.TASK_STORAGE, M.CGRP_STORAGE, M.QUEUE, M.STACK, M.ARENA,
  M.RBTREE,
];

/** is_tracing_prog_type. */
const TRACING_TYPES: readonly number[] = [ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE];

/** What these checks need to know about the map. */
export interface MapKind {
  type: number;
  /** The value holds a struct bpf_spin_lock (found through BTF). */
  hasSpinLock: boolean;
  /** The value holds a bpf_list_head or bpf_rb_root (src/btf/fields.ts). */
  hasGraphRoot?: boolean;
  /** The value holds a struct bpf_timer (src/btf/fields.ts). */
  hasTimer?: boolean;
  /** The value holds a struct bpf_wq. */
  hasWq?: boolean;
}

/** check_map_prog_compatibility: the kernel's log line refusing a program's use of `map` (any
 *  ld_imm64 naming it), or undefined. */
export function mapProgRefusal(map: MapKind, prog: ProgramKind): string | undefined {
  if (map.hasGraphRoot && TRACING_TYPES.includes(prog.progType)) return 'tracing progs cannot use bpf_{list_head,rb_root} yet';
  if (map.hasSpinLock) {
    if (prog.progType === ProgType.SOCKET_FILTER) return 'socket filter progs cannot use bpf_spin_lock yet';
    if (TRACING_TYPES.includes(prog.progType)) return 'tracing progs cannot use bpf_spin_lock yet';
  }
  if (map.hasTimer && TRACING_TYPES.includes(prog.progType)) return 'tracing progs cannot use bpf_timer yet';
  if (map.hasWq && TRACING_TYPES.includes(prog.progType)) return 'tracing progs cannot use bpf_wq yet';
  if (map.type === M.STRUCT_OPS) return 'bpf_struct_ops map cannot be used in prog';
  if (prog.sleepable && !SLEEPABLE_MAPS.includes(map.type)) return 'Sleepable programs can only use array, hash, ringbuf and local storage maps';
  return undefined;
}
