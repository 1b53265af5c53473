// Program type and expected attach type from an ELF section name, following libbpf's section
// table: an entry ending in '+' matches the bare name or "name/anything"; an entry ending in '/'
// matches any name with that prefix; other entries match exactly. First match wins, so more
// specific entries come first.
import { AttachType, ProgType } from '../../vm/prog-types.js';

// The attach-type numbering lives beside the program types (vm/prog-types); re-exported for the
// loader's users.
export { AttachType };

export interface SectionDef {
  pattern: string;
  progType: number;
  /** Expected attach type; 0 also when the entry names none (see `hasAttachType`). */
  attachType: number;
  hasAttachType: boolean;
  sleepable?: boolean;
}

const P = ProgType;
const A = AttachType;
const d = (pattern: string, progType: number, attachType?: number, sleepable = false): SectionDef => ({ pattern, progType, attachType: attachType ?? 0, hasAttachType: attachType !== undefined, sleepable });

export const SECTION_DEFS: readonly SectionDef[] = [
  d('socket', P.SOCKET_FILTER),
  d('sk_reuseport/migrate', P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT_OR_MIGRATE),
  d('sk_reuseport', P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT),
  d('kprobe+', P.KPROBE),
  d('uprobe+', P.KPROBE),
  d('uprobe.s+', P.KPROBE, undefined, true),
  d('kretprobe+', P.KPROBE),
  d('uretprobe+', P.KPROBE),
  d('uretprobe.s+', P.KPROBE, undefined, true),
  d('kprobe.multi+', P.KPROBE, A.TRACE_KPROBE_MULTI),
  d('kretprobe.multi+', P.KPROBE, A.TRACE_KPROBE_MULTI),
  d('kprobe.session+', P.KPROBE, A.TRACE_KPROBE_SESSION),
  d('uprobe.multi+', P.KPROBE, A.TRACE_UPROBE_MULTI),
  d('uretprobe.multi+', P.KPROBE, A.TRACE_UPROBE_MULTI),
  d('uprobe.multi.s+', P.KPROBE, A.TRACE_UPROBE_MULTI, true),
  d('uretprobe.multi.s+', P.KPROBE, A.TRACE_UPROBE_MULTI, true),
  d('ksyscall+', P.KPROBE),
  d('kretsyscall+', P.KPROBE),
  d('usdt+', P.KPROBE),
  d('usdt.s+', P.KPROBE, undefined, true),
  d('tc/ingress', P.SCHED_CLS, A.TCX_INGRESS),
  d('tc/egress', P.SCHED_CLS, A.TCX_EGRESS),
  d('tcx/ingress', P.SCHED_CLS, A.TCX_INGRESS),
  d('tcx/egress', P.SCHED_CLS, A.TCX_EGRESS),
  d('tc', P.SCHED_CLS),
  d('classifier', P.SCHED_CLS),
  d('action', P.SCHED_ACT),
  d('tracepoint+', P.TRACEPOINT),
  d('tp+', P.TRACEPOINT),
  d('raw_tracepoint+', P.RAW_TRACEPOINT),
  d('raw_tp+', P.RAW_TRACEPOINT),
  d('raw_tracepoint.w+', P.RAW_TRACEPOINT_WRITABLE),
  d('raw_tp.w+', P.RAW_TRACEPOINT_WRITABLE),
  d('tp_btf+', P.TRACING, A.TRACE_RAW_TP),
  d('fentry+', P.TRACING, A.TRACE_FENTRY),
  d('fmod_ret+', P.TRACING, A.MODIFY_RETURN),
  d('fexit+', P.TRACING, A.TRACE_FEXIT),
  d('fentry.s+', P.TRACING, A.TRACE_FENTRY, true),
  d('fmod_ret.s+', P.TRACING, A.MODIFY_RETURN, true),
  d('fexit.s+', P.TRACING, A.TRACE_FEXIT, true),
  d('freplace+', P.EXT),
  d('lsm+', P.LSM, A.LSM_MAC),
  d('lsm.s+', P.LSM, A.LSM_MAC, true),
  d('lsm_cgroup+', P.LSM, A.LSM_CGROUP),
  d('iter+', P.TRACING, A.TRACE_ITER),
  d('iter.s+', P.TRACING, A.TRACE_ITER, true),
  d('syscall', P.SYSCALL, undefined, true),
  d('xdp.frags/devmap', P.XDP, A.XDP_DEVMAP),
  d('xdp/devmap', P.XDP, A.XDP_DEVMAP),
  d('xdp.frags/cpumap', P.XDP, A.XDP_CPUMAP),
  d('xdp/cpumap', P.XDP, A.XDP_CPUMAP),
  d('xdp.frags', P.XDP, A.XDP),
  d('xdp', P.XDP, A.XDP),
  d('perf_event', P.PERF_EVENT),
  d('lwt_in', P.LWT_IN),
  d('lwt_out', P.LWT_OUT),
  d('lwt_xmit', P.LWT_XMIT),
  d('lwt_seg6local', P.LWT_SEG6LOCAL),
  d('sockops', P.SOCK_OPS, A.CGROUP_SOCK_OPS),
  d('sk_skb/stream_parser', P.SK_SKB, A.SK_SKB_STREAM_PARSER),
  d('sk_skb/stream_verdict', P.SK_SKB, A.SK_SKB_STREAM_VERDICT),
  d('sk_skb/verdict', P.SK_SKB, A.SK_SKB_VERDICT),
  d('sk_skb', P.SK_SKB),
  d('sk_msg', P.SK_MSG, A.SK_MSG_VERDICT),
  d('lirc_mode2', P.LIRC_MODE2, A.LIRC_MODE2),
  d('flow_dissector', P.FLOW_DISSECTOR, A.FLOW_DISSECTOR),
  d('cgroup_skb/ingress', P.CGROUP_SKB, A.CGROUP_INET_INGRESS),
  d('cgroup_skb/egress', P.CGROUP_SKB, A.CGROUP_INET_EGRESS),
  d('cgroup/skb', P.CGROUP_SKB),
  d('cgroup/sock_create', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE),
  d('cgroup/sock_release', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_RELEASE),
  d('cgroup/sock', P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE),
  d('cgroup/post_bind4', P.CGROUP_SOCK, A.CGROUP_INET4_POST_BIND),
  d('cgroup/post_bind6', P.CGROUP_SOCK, A.CGROUP_INET6_POST_BIND),
  d('cgroup/bind4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_BIND),
  d('cgroup/bind6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_BIND),
  d('cgroup/connect4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_CONNECT),
  d('cgroup/connect6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_CONNECT),
  d('cgroup/connect_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_CONNECT),
  d('cgroup/sendmsg4', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_SENDMSG),
  d('cgroup/sendmsg6', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_SENDMSG),
  d('cgroup/sendmsg_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_SENDMSG),
  d('cgroup/recvmsg4', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_RECVMSG),
  d('cgroup/recvmsg6', P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_RECVMSG),
  d('cgroup/recvmsg_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_RECVMSG),
  d('cgroup/getpeername4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETPEERNAME),
  d('cgroup/getpeername6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETPEERNAME),
  d('cgroup/getpeername_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETPEERNAME),
  d('cgroup/getsockname4', P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETSOCKNAME),
  d('cgroup/getsockname6', P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETSOCKNAME),
  d('cgroup/getsockname_unix', P.CGROUP_SOCK_ADDR, A.CGROUP_UNIX_GETSOCKNAME),
  d('cgroup/sysctl', P.CGROUP_SYSCTL, A.CGROUP_SYSCTL),
  d('cgroup/getsockopt', P.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT),
  d('cgroup/setsockopt', P.CGROUP_SOCKOPT, A.CGROUP_SETSOCKOPT),
  d('cgroup/dev', P.CGROUP_DEVICE, A.CGROUP_DEVICE),
  d('struct_ops+', P.STRUCT_OPS),
  d('struct_ops.s+', P.STRUCT_OPS, undefined, true),
  d('sk_lookup', P.SK_LOOKUP, A.SK_LOOKUP),
  d('netfilter', P.NETFILTER, A.NETFILTER),
];

function matches(pattern: string, name: string): boolean {
  const last = pattern[pattern.length - 1];
  if (last === '/') return name.startsWith(pattern);
  if (last === '+') {
    const base = pattern.slice(0, -1);
    return name === base || name.startsWith(base + '/');
  }
  return name === pattern;
}

/** The table entry for a section name (without the `?` prefix), or undefined when unknown. */
export function findSectionDef(section: string): SectionDef | undefined {
  return SECTION_DEFS.find((def) => matches(def.pattern, section));
}

/** The attach target after the first '/', e.g. "do_unlinkat" for "kprobe/do_unlinkat". */
export function attachTarget(section: string): string | undefined {
  const i = section.indexOf('/');
  return i >= 0 ? section.slice(i + 1) : undefined;
}
