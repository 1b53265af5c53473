// The one helper table: every Linux helper entry ebpfvm implements, gathered from the group files
// (helpers/maps.ts, helpers/time.ts, ...). Each group exports an array; add one import and one
// spread below. Verifier and interpreter both read entries from here.
import { LOCK_HELPERS } from './locks.js';
import { LOOP_HELPERS } from './loops.js';
import { MAP_HELPERS } from './maps.js';
import { MISC_HELPERS } from './misc.js';
import { PRINTK_HELPERS } from './printk.js';
import { SKB_HELPERS } from './skb.js';
import { STRING_HELPERS } from './strings.js';
import { TIME_HELPERS } from './time.js';
import { TIMER_HELPERS } from './timer.js';
import { RBTREE_HELPERS } from './rbtree.js';
import { QUEUE_HELPERS } from './queue.js';
import { RINGBUF_HELPERS } from './ringbuf.js';
import { PERF_HELPERS } from './perf.js';
import { TAILCALL_HELPERS } from './tailcall.js';
import { PACKET_HELPERS } from './packet.js';
import { REDIRECT_HELPERS } from './redirect.js';
import { PROBE_HELPERS } from './probe.js';
import { STACK_HELPERS } from './stack.js';
import { TRACING_HELPERS } from './tracing.js';
import { DYNPTR_HELPERS } from './dynptr.js';
import { MTU_HELPERS } from './mtu.js';
import { KPTR_XCHG, PERCPU_PTR_HELPERS } from './graph.js';
import { SOCK_HELPERS } from './sock.js';
import { SOCK_HOOK_HELPERS } from './sock-hooks.js';
import { FIB_HELPERS } from './fib.js';
import { TUNNEL_HELPERS } from './tunnel.js';
import { STORAGE_HELPERS } from './storage.js';
import { USER_RINGBUF_HELPERS } from './user-ringbuf.js';
import { SEQ_HELPERS } from './seq.js';
import { TCP_CA_HELPERS } from './tcp-ca.js';
import { STRUCT_OPS_TYPES } from '../src/btf/builtin-struct-ops.js';
import type { HelperEntry } from './types.js';
import { ProgType } from '../vm/prog-types.js';

export const LINUX_HELPERS: readonly HelperEntry[] = [
  ...RBTREE_HELPERS,
  ...MAP_HELPERS,
  ...TIME_HELPERS,
  ...TIMER_HELPERS,
  ...MISC_HELPERS,
  ...PRINTK_HELPERS,
  ...STRING_HELPERS,
  ...LOCK_HELPERS,
  ...SKB_HELPERS,
  ...LOOP_HELPERS,
  ...QUEUE_HELPERS,
  ...RINGBUF_HELPERS,
  ...PERF_HELPERS,
  ...TAILCALL_HELPERS,
  ...PACKET_HELPERS,
  ...REDIRECT_HELPERS,
  ...PROBE_HELPERS,
  ...STACK_HELPERS,
  ...TRACING_HELPERS,
  ...DYNPTR_HELPERS,
  ...MTU_HELPERS,
  KPTR_XCHG,
  ...PERCPU_PTR_HELPERS,
  ...STORAGE_HELPERS,
  ...SOCK_HELPERS,
  ...SOCK_HOOK_HELPERS,
  ...FIB_HELPERS,
  ...TUNNEL_HELPERS,
  ...USER_RINGBUF_HELPERS,
  ...SEQ_HELPERS,
  ...TCP_CA_HELPERS,
];

/** Helpers by id, dense (ids are small integers): every helper call of a run looks one up. */
let byId: (HelperEntry | undefined)[] | undefined;

export function helperById(id: number): HelperEntry | undefined {
  if (byId === undefined) {
    byId = [];
    for (const h of LINUX_HELPERS) byId[h.id] = h;
  }
  return id >= 0 && id < byId.length ? byId[id] : undefined;
}

export function helperByName(name: string): HelperEntry | undefined {
  const n = name.startsWith('bpf_') ? name.slice(4) : name;
  return LINUX_HELPERS.find((h) => h.name === n);
}

/** Helpers the table gives every program type ('all') that the kernel keeps to the tracing types
 *  (bpf_tracing_func_proto: the legacy probe_read/probe_read_str, get_stack, get_stackid) or to
 *  some types' own tables (perf_event_output), by the program types whose get_func_proto falls
 *  back to bpf_base_func_proto / bpf_sk_base_func_proto for them, as checked against the 6.18
 *  host (test/progs/verifier/sk_skb.c, sk_reuseport.c, sk_msg.c). The other non-tracing types still accept
 *  them here: not yet checked type by type. */
const TRACING_ONLY = ['probe_read', 'probe_read_str', 'get_stack', 'get_stackid'];
const NOT_IN_BASE: ReadonlyMap<number, ReadonlySet<string>> = new Map([
  [ProgType.SK_SKB, new Set(TRACING_ONLY)],
  [ProgType.SK_MSG, new Set(TRACING_ONLY)],
  [ProgType.SK_REUSEPORT, new Set([...TRACING_ONLY, 'perf_event_output'])],
]);

/** Helpers of the table's base set ('all') that bpf_base_func_proto does not give: a struct_ops
 *  type's get_func_proto falls back to it (bpf_tcp_ca_get_func_proto). */
const STRUCT_OPS_NOT_IN_BASE: ReadonlySet<string> = new Set([...TRACING_ONLY, 'perf_event_output']);

/** Whether a program of `progType` with expected attach type `attach` may call `h` (the kernel's
 *  get_func_proto returning a proto at all). A struct_ops program's helpers are its struct_ops
 *  type's (`structOps`: the type and the member the program implements; the type's verifier_ops
 *  replace the program type's, src/btf/builtin-struct-ops.ts). An iterator program also gets its
 *  target's helpers (`iter`: the target, bpf_iter_get_func_proto). */
export function helperAllowed(h: HelperEntry, progType: number, attach: number, structOps?: { struct: string; member: string }, iter?: string): boolean {
  if (progType === ProgType.STRUCT_OPS && structOps) {
    const type = STRUCT_OPS_TYPES[structOps.struct];
    const base = h.progTypes === 'all' && !STRUCT_OPS_NOT_IN_BASE.has(h.name);
    return type?.helper?.(h.name, base, structOps.member) ?? false;
  }
  if (h.progTypes !== 'all' && !h.progTypes.includes(progType)) return false;
  if (h.progTypes === 'all' && NOT_IN_BASE.get(progType)?.has(h.name)) return false;
  return h.attachAllowed?.(progType, attach, iter) ?? true;
}

/** The entry as a program of `progType` sees it: its `protoByType` prototype for that type, if
 *  it has one (what the verifier checks the call against). */
export function helperForType(h: HelperEntry | undefined, progType: number): HelperEntry | undefined {
  const v = h?.protoByType?.find((p) => p.progTypes.includes(progType));
  return v ? { ...h!, proto: v.proto } : h;
}

/** The capability a helper needs beyond what loads the program (bpf_base_func_proto's tiers, and
 *  bpf_sk_base_func_proto's skc_to_* casts): without it the kernel's get_func_proto gives no
 *  prototype and the call is refused as `program of this type cannot use helper`. Only the base
 *  helpers are tiered: a program type's own helpers come with the type (loading it needs CAP_BPF
 *  except socket filters and cgroup skb programs, whose own helpers are all unprivileged). */
const NEEDS_CAP_BPF = new Set([
  'spin_lock', 'spin_unlock', 'jiffies64', 'per_cpu_ptr', 'this_cpu_ptr', 'timer_init', 'timer_set_callback',
  'timer_start', 'timer_cancel', 'kptr_xchg', 'for_each_map_elem', 'loop', 'user_ringbuf_drain',
  'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr', 'dynptr_from_mem', 'dynptr_read',
  'dynptr_write', 'dynptr_data', 'cgrp_storage_get', 'cgrp_storage_delete', 'get_current_cgroup_id',
  'get_current_ancestor_cgroup_id',
]);
const NEEDS_CAP_PERFMON = new Set([
  'trace_printk', 'get_current_task', 'get_current_task_btf', 'probe_read_user', 'probe_read_kernel',
  'probe_read_user_str', 'probe_read_kernel_str', 'snprintf_btf', 'snprintf', 'task_pt_regs', 'trace_vprintk',
  'skc_to_tcp6_sock', 'skc_to_tcp_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock', 'skc_to_udp6_sock',
  'skc_to_unix_sock', 'skc_to_mptcp_sock', 'copy_from_user', 'copy_from_user_task', 'get_task_stack', 'find_vma',
]);

export function helperCapability(h: HelperEntry): 'CAP_BPF' | 'CAP_PERFMON' | undefined {
  if (NEEDS_CAP_BPF.has(h.name)) return 'CAP_BPF';
  if (NEEDS_CAP_PERFMON.has(h.name)) return 'CAP_PERFMON';
  return undefined;
}

/** The helpers whose kernel proto has `.pkt_access = true`: the only ones a program may hand a
 *  packet pointer (check_func_arg refuses it for the others with "helper access to the packet is
 *  not allowed"). By name, so helpers added to the table later are covered as the kernel has them. */
const PKT_ACCESS = new Set([
  'map_lookup_elem', 'map_update_elem', 'map_delete_elem', 'map_push_elem', 'map_lookup_percpu_elem',
  'csum_diff', 'sk_lookup_tcp', 'sk_lookup_udp', 'skc_lookup_tcp', 'sock_map_update', 'sock_hash_update',
  'tcp_check_syncookie', 'tcp_gen_syncookie', 'tcp_raw_gen_syncookie_ipv4', 'tcp_raw_gen_syncookie_ipv6',
  'tcp_raw_check_syncookie_ipv4', 'tcp_raw_check_syncookie_ipv6',
]);

export function helperPktAccess(h: HelperEntry): boolean {
  return PKT_ACCESS.has(h.name);
}
