// What the bpf() syscall refuses a loader without CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and
// CAP_SYS_ADMIN before any verification (kernel/bpf/syscall.c: bpf_prog_load's capability checks,
// map_create's map type switch, htab_map_alloc_check's zero seed, bpf_btf_load). The refusals are
// EPERM (E2BIG for a program too long) and the kernel writes no verifier log; the verifier's own
// unprivileged rules are verifier/'s (VerifyOptions.unpriv).
import { PermissionError } from '../errors.js';
import { ProgType, progTypeName } from '../../vm/prog-types.js';
import { MapType, mapTypeName } from '../../maps/types.js';

/** BPF_MAXINSNS: without CAP_BPF a program may have at most this many instructions. */
export const UNPRIV_MAX_INSNS = 4096;

/** BPF_F_ZERO_SEED: a hash map without the random seed needs CAP_SYS_ADMIN. */
const BPF_F_ZERO_SEED = 1 << 6;

// is_net_admin_prog_type and is_perfmon_prog_type: what a type needs beyond CAP_BPF.
const NET_ADMIN_TYPES = new Set<number>([
  ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP, ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT,
  ProgType.LWT_SEG6LOCAL, ProgType.SK_SKB, ProgType.SK_MSG, ProgType.FLOW_DISSECTOR, ProgType.CGROUP_DEVICE,
  ProgType.CGROUP_SOCK, ProgType.CGROUP_SOCK_ADDR, ProgType.CGROUP_SOCKOPT, ProgType.CGROUP_SYSCTL,
  ProgType.SOCK_OPS, ProgType.EXT, ProgType.NETFILTER,
]);
const PERFMON_TYPES = new Set<number>([
  ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE,
  ProgType.TRACING, ProgType.LSM, ProgType.STRUCT_OPS, ProgType.EXT,
]);

/** The capabilities bpf_prog_load wants for a program type ('' for the two unprivileged types). */
export function progTypeCaps(progType: number): string {
  if (progType === ProgType.SOCKET_FILTER || progType === ProgType.CGROUP_SKB) return '';
  return ['CAP_BPF', ...(NET_ADMIN_TYPES.has(progType) ? ['CAP_NET_ADMIN'] : []), ...(PERFMON_TYPES.has(progType) ? ['CAP_PERFMON'] : [])].join('+');
}

/** bpf_prog_load without capabilities: only socket_filter and cgroup_skb programs of at most
 *  BPF_MAXINSNS instructions. Throws PermissionError naming program `name` and the problem. */
export function checkUnprivProgram(name: string, progType: number, insnCount: number): void {
  // The length check comes first in bpf_prog_load (E2BIG), then the type.
  if (insnCount > UNPRIV_MAX_INSNS) throw new PermissionError(`program ${name}: unpriv: ${insnCount} instructions, more than BPF_MAXINSNS (${UNPRIV_MAX_INSNS}) without CAP_BPF: E2BIG`, 7);
  const caps = progTypeCaps(progType);
  if (caps) throw new PermissionError(`program ${name}: unpriv: program type ${progTypeName(progType)} needs ${caps}: EPERM`);
}

/** The capability map_create wants for a map type and flags, or '' when an unprivileged loader
 *  may create it (map_create's switch; the test loader's is_unpriv_capable_map is the same set). */
export function mapTypeCaps(type: number, flags: number): string {
  switch (type) {
    case MapType.HASH:
    case MapType.PERCPU_HASH:
    case MapType.HASH_OF_MAPS:
      return flags & BPF_F_ZERO_SEED ? 'CAP_SYS_ADMIN (BPF_F_ZERO_SEED)' : '';
    case MapType.ARRAY:
    case MapType.PERCPU_ARRAY:
    case MapType.PROG_ARRAY:
    case MapType.PERF_EVENT_ARRAY:
    case MapType.CGROUP_ARRAY:
    case MapType.ARRAY_OF_MAPS:
    case MapType.RINGBUF:
    case MapType.USER_RINGBUF:
    case MapType.CGROUP_STORAGE:
    case MapType.PERCPU_CGROUP_STORAGE:
      return '';
    case MapType.SOCKMAP:
    case MapType.SOCKHASH:
    case MapType.DEVMAP:
    case MapType.DEVMAP_HASH:
    case MapType.XSKMAP:
      return 'CAP_NET_ADMIN';
    default:
      // The CAP_BPF group (storage maps, bloom filter, LPM trie, stack trace, queue, stack, LRU
      // hashes, struct_ops, cpumap, arena) and the RFC's rbtree map, which is no unprivileged type.
      return 'CAP_BPF';
  }
}

/** map_create without capabilities. Throws PermissionError naming map `name` and the problem. */
export function checkUnprivMap(name: string, type: number, flags: number): void {
  const caps = mapTypeCaps(type, flags);
  if (caps) throw new PermissionError(`map ${name}: unpriv: map type ${mapTypeName(type)} needs ${caps}: EPERM`);
}
