// Socket helpers on the runtime's socket table (vm/sockets.ts; net/core/filter.c):
//   sk_lookup_tcp (84) / sk_lookup_udp (85)(ctx, tuple, tuple_size, netns, flags): the full
//     socket that would receive a packet from tuple's saddr:sport to daddr:dport, or NULL.
//     tuple_size 12 (struct bpf_sock_tuple.ipv4) or 36 (.ipv6), else NULL; flags must be 0 and
//     netns BPF_F_CURRENT_NETNS (any negative s32): ebpfvm has one namespace, so a netns id is
//     never found (NULL). TCP: an established socket with local daddr:dport and remote
//     saddr:sport, else a listener on dport bound to daddr or to the wildcard address. UDP: a
//     socket bound to dport on daddr or the wildcard, connected to saddr:sport or unconnected.
//   skc_lookup_tcp (99): as sk_lookup_tcp, and also sockets that are not full (TIME_WAIT,
//     NEW_SYN_RECV).
//   sk_release (86)(sk): 0 (ebpfvm's sockets carry no reference count to drop).
//   tcp_sock (96)(sk): the socket's struct bpf_tcp_sock for a full TCP socket (every field 0:
//     ebpfvm keeps no TCP state), else NULL (a test run's own socket has no protocol: NULL, as
//     on the kernel).
//   sk_fullsock (95)(sk): sk when it is a full socket, else NULL.
//   get_listener_sock (98)(sk): sk when it is a full TCP socket in LISTEN, else NULL (the kernel
//     first maps a request socket to its listener; ebpfvm's request sockets carry no link to one,
//     so they give NULL, as does a test run's own socket, which has no protocol).
//   sk_assign (124), two helpers under one id as in the kernel:
//     tc (bpf_sk_assign)(skb, sk, flags): NULL sk or flags -EINVAL; otherwise -EOPNOTSUPP, because
//       a test run's skb is never at tc ingress (bpf_prog_test_run_skb leaves tc_at_ingress 0),
//       which the kernel checks before anything about the socket.
//     sk_lookup (bpf_sk_lookup_assign)(ctx, sk or NULL, flags): select sk as the lookup's result
//       (ctx->sk reads it back; the test run reports its cookie). Flags beyond
//       BPF_SK_LOOKUP_F_REPLACE | NO_REUSEPORT -EINVAL; a reference-counted socket (not a TCP
//       listener or a bound UDP socket, the ones the kernel frees by RCU), a TCP socket not in
//       LISTEN or a UDP socket not in CLOSE -ESOCKTNOSUPPORT; another protocol than the
//       lookup's -EPROTOTYPE; an AF_INET socket for an AF_INET6 lookup (or the reverse)
//       -EAFNOSUPPORT (ebpfvm's AF_INET6 sockets are not IPV6_V6ONLY, so they take both); a
//       socket already selected without F_REPLACE -EEXIST.
//   skc_to_tcp6_sock (136), skc_to_tcp_sock (137), skc_to_tcp_timewait_sock (138),
//   skc_to_tcp_request_sock (139), skc_to_udp6_sock (140), skc_to_unix_sock (178),
//   skc_to_mptcp_sock (196)(sk): the socket's kernel struct when it is of that kind (a full IPv6
//     TCP socket; a full TCP socket; TCP in TIME_WAIT; an IPv4 TCP request socket, NEW_SYN_RECV
//     with sk_prot tcp_prot; a full IPv6 UDP socket), else NULL; ebpfvm has no AF_UNIX sockets
//     and no MPTCP subflows, so the last two are always NULL. The result is the kernel address
//     of the socket's struct (src/btf/kernel-socks.ts: tcp_sock, tcp6_sock, udp6_sock,
//     tcp_request_sock, tcp_timewait_sock laid out from the built-in BTF, filled from the
//     socket's description), not its bpf_sock pointer; both name the socket to the helpers.
//   sk_cgroup_id (128)(sk), sk_ancestor_cgroup_id (129)(sk, level), and skb_cgroup_id (79)(skb),
//   skb_ancestor_cgroup_id (83)(skb, level) for the skb's socket: ebpfvm has one cgroup, the
//     cgroup v2 root (id 1, level 0), which every socket belongs to: 1 for a full socket, 0 for
//     the others (the kernel reads the cgroup from full sockets only); level 0 gives 1, deeper
//     levels have no ancestor (0).
//   tcp_check_syncookie (100) / tcp_gen_syncookie (110)(sk, iph, iph_len, th, th_len): the
//     kernel's argument and state checks in its order (-EINVAL for a short th, a socket that is
//     not a TCP listener, wrong flags or a short iph; -EPROTONOSUPPORT for an IP version other
//     than 4 or 6), with net.ipv4.tcp_syncookies at its default 1. Then a listener whose accept
//     queue never overflowed, which every ebpfvm listener is (nothing connects to it): gen
//     issues no cookie (tcp_get_syncookie_mss gives 0 unless the queue is full) and check finds
//     none recent (tcp_synq_no_recent_overflow): -ENOENT both.
// With no described sockets every lookup is NULL, which is what the kernel's test runs find in
// a namespace without sockets.

import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import { BPF_SOCK, KERNEL_SK_BUFF, SK_BUFF, SK_LOOKUP, field } from '../vm/contexts.js';
import { ProgType as P, progTypeName } from '../vm/prog-types.js';
import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, TcpState, type Socket } from '../vm/sockets.js';
import { isFull, socketArg } from './storage.js';
import type { HelperArg, HelperCall, HelperEntry, HelperResult } from './types.js';

/** Program types with the sk_lookup helpers and bpf_sk_release (net/core/filter.c). */
const SK_LOOKUP_TYPES = [P.SCHED_CLS, P.SCHED_ACT, P.XDP, P.CGROUP_SKB, P.SK_SKB, P.CGROUP_SOCK_ADDR];
const SK_RELEASE_TYPES = [...SK_LOOKUP_TYPES, P.SK_LOOKUP];
/** Program types whose helpers include bpf_sk_base_func_proto's (the skc_to_* casts). */
const SK_BASE_TYPES = [
  P.SOCKET_FILTER, P.SCHED_CLS, P.SCHED_ACT, P.XDP, P.CGROUP_SKB, P.CGROUP_SOCK, P.CGROUP_SOCK_ADDR, P.LWT_IN, P.LWT_OUT,
  P.LWT_XMIT, P.LWT_SEG6LOCAL, P.SOCK_OPS, P.SK_MSG, P.SK_SKB, P.FLOW_DISSECTOR, P.SK_LOOKUP, P.TRACING,
]; // not sk_reuseport: sk_reuseport_func_proto falls back to bpf_base_func_proto (the 6.18 host refuses skc_to_tcp_sock there)
const TC_TYPES = [P.SCHED_CLS, P.SCHED_ACT];

/** One of the bpf_skc_to_* casts (net/core/filter.c): sk's kernel struct when `is` holds, else NULL. */
function skcCast(id: number, name: string, btfType: string, is: (sk: Socket) => boolean): HelperEntry {
  return {
    id,
    name,
    proto: { args: [{ type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' }], ret: { type: 'RET_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL'], btfType } },
    gplOnly: false,
    progTypes: SK_BASE_TYPES,
    impl: (call) => {
      const sk = socketArg(call, 1, name);
      return sk && is(sk) ? (call.env.sockets!.kernelAddress(sk) ?? 0n) : 0n;
    },
  };
}
const BPF_SK_LOOKUP_F_REPLACE = 1n;
const BPF_SK_LOOKUP_F_NO_REUSEPORT = 2n;
/** The one cgroup ebpfvm has: the cgroup v2 root. */
export const ROOT_CGROUP_ID = 1n;

const LOOKUP_ARGS: readonly HelperArg[] = [
  { type: 'ARG_PTR_TO_CTX' },
  { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] },
  { type: 'ARG_CONST_SIZE' },
  { type: 'ARG_ANYTHING' },
  { type: 'ARG_ANYTHING' },
];

interface Tuple {
  family: number;
  saddr: Uint8Array;
  daddr: Uint8Array;
  sport: number;
  dport: number;
}

function readTuple(call: HelperCall): Tuple | undefined {
  const len = call.u32(3);
  if (len !== 12 && len !== 36) return undefined;
  const at = call.ptr(2);
  call.arena.check(at, len, false);
  const b = call.arena.read(at, len);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = len === 12 ? 4 : 16;
  return { family: len === 12 ? AF_INET : AF_INET6, saddr: b.subarray(0, n), daddr: b.subarray(n, 2 * n), sport: dv.getUint16(2 * n, false), dport: dv.getUint16(2 * n + 2, false) };
}

/** What a socket's struct bpf_sock image says about its addresses. */
function endpoints(call: HelperCall, s: Socket): { local: Uint8Array; remote: Uint8Array; lport: number; rport: number } {
  const at = (name: string) => s.addr + field(BPF_SOCK, name).offset;
  const v4 = s.family === AF_INET;
  return {
    local: call.arena.read(v4 ? at('src_ip4') : at('src_ip6'), v4 ? 4 : 16),
    remote: call.arena.read(v4 ? at('dst_ip4') : at('dst_ip6'), v4 ? 4 : 16),
    lport: call.arena.dv.getUint32(at('src_port'), true),
    rport: call.arena.dv.getUint16(at('dst_port'), false),
  };
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const zero = (a: Uint8Array) => a.every((x) => x === 0);

/** __bpf_skc_lookup: the socket (full or not), or undefined. */
function lookup(call: HelperCall, proto: number): Socket | undefined {
  const t = readTuple(call);
  if (!t) return undefined;
  const netns = call.u64(4);
  // a negative (s32) netns is the caller's namespace; an id (0..S32_MAX) names another one,
  // which ebpfvm does not have; anything else is invalid: NULL either way
  if (call.u64(5) !== 0n || BigInt.asIntN(32, netns & 0xffffffffn) >= 0n) return undefined;
  const socks = (call.env.sockets?.described() ?? []).filter((s) => s.protocol === proto && s.family === t.family);
  const ep = new Map(socks.map((s) => [s, endpoints(call, s)]));
  if (proto === IPPROTO_TCP) {
    const est = socks.find((s) => {
      const e = ep.get(s)!;
      return s.state !== TcpState.listen && s.state !== TcpState.close && e.lport === t.dport && same(e.local, t.daddr) && e.rport === t.sport && same(e.remote, t.saddr);
    });
    if (est) return est;
    return socks.find((s) => {
      const e = ep.get(s)!;
      return s.state === TcpState.listen && e.lport === t.dport && (same(e.local, t.daddr) || zero(e.local));
    });
  }
  // UDP: the most specific match wins (bound address, then connected peer), as udp4_lib_lookup
  let best: Socket | undefined;
  let bestScore = -1;
  for (const s of socks) {
    const e = ep.get(s)!;
    if (e.lport !== t.dport || e.lport === 0) continue;
    let score = 0;
    if (!zero(e.local)) {
      if (!same(e.local, t.daddr)) continue;
      score += 4;
    }
    if (e.rport !== 0) {
      if (e.rport !== t.sport || !same(e.remote, t.saddr)) continue;
      score += 4;
    }
    if (score > bestScore) [best, bestScore] = [s, score];
  }
  return best;
}

const fullLookup = (proto: number) => (call: HelperCall) => {
  const s = lookup(call, proto);
  return s && isFull(s) ? s.addr : 0;
};

/** sk_is_refcounted, negated: TCP listeners (inet_hash) and bound UDP sockets (udp_lib_get_port)
 *  are SOCK_RCU_FREE; other sockets, and every socket that is not full, are reference counted. */
function rcuFreed(s: Socket): boolean {
  if (!isFull(s)) return false;
  return (s.protocol === IPPROTO_TCP && s.state === TcpState.listen) || (s.protocol === IPPROTO_UDP && s.srcPort !== 0);
}

/** bpf_sk_lookup_assign on the test run's bpf_sk_lookup context (ctx->sk is the selection). */
function skLookupAssign(call: HelperCall): number {
  const ctx = call.ptr(1);
  const region = call.arena.describe(ctx);
  if (!region || region.kind !== 'ctx' || region.start !== ctx || region.length !== SK_LOOKUP.size) {
    throw new FaultSignal(`sk_assign: r1 (0x${ctx.toString(16)}) is not the sk_lookup context`);
  }
  const sk = socketArg(call, 2, 'sk_assign');
  const flags = call.u64(3);
  if ((flags & ~(BPF_SK_LOOKUP_F_REPLACE | BPF_SK_LOOKUP_F_NO_REUSEPORT)) !== 0n) return -Errno.EINVAL;
  const dv = call.arena.dv;
  if (sk) {
    if (!rcuFreed(sk)) return -Errno.ESOCKTNOSUPPORT;
    if (sk.protocol === IPPROTO_TCP && sk.state !== TcpState.listen) return -Errno.ESOCKTNOSUPPORT;
    if (sk.protocol === IPPROTO_UDP && sk.state !== TcpState.close) return -Errno.ESOCKTNOSUPPORT;
    if (sk.protocol !== dv.getUint32(ctx + field(SK_LOOKUP, 'protocol').offset, true)) return -Errno.EPROTOTYPE;
    if (sk.family !== dv.getUint32(ctx + field(SK_LOOKUP, 'family').offset, true) && sk.family === AF_INET) return -Errno.EAFNOSUPPORT;
  }
  const at = ctx + field(SK_LOOKUP, 'sk').offset;
  if (dv.getBigUint64(at, true) !== 0n && (flags & BPF_SK_LOOKUP_F_REPLACE) === 0n) return -Errno.EEXIST;
  dv.setBigUint64(at, BigInt(sk?.addr ?? 0), true);
  return 0;
}

/** bpf_sk_assign in tc. */
function tcAssign(call: HelperCall): number {
  const sk = socketArg(call, 2, 'sk_assign');
  if (!sk || call.u64(3) !== 0n) return -Errno.EINVAL;
  return -Errno.EOPNOTSUPP; // !skb_at_tc_ingress(skb): a test run's skb is not at ingress
}

/** The cgroup id of a socket (__bpf_sk_cgroup_id): the root's for a full socket, else 0. */
function sockCgroup(sk: Socket | undefined, level: bigint | undefined): bigint {
  if (!sk || !isFull(sk)) return 0n;
  return level === undefined || level === 0n ? ROOT_CGROUP_ID : 0n;
}

/** skb->sk of the __sk_buff in r1 (a test run gives every skb its own socket). */
function skbSocket(call: HelperCall, helper: string): Socket | undefined {
  const ctx = call.ptr(1);
  const at = ctx + field(SK_BUFF, 'sk').offset;
  const region = call.arena.describe(ctx);
  if (!region || region.kind !== 'ctx' || region.start !== ctx || (region.length !== SK_BUFF.size && region.length !== KERNEL_SK_BUFF.size)) throw new FaultSignal(`${helper}: r1 (0x${ctx.toString(16)}) is not an __sk_buff`);
  const sk = Number(call.arena.dv.getBigUint64(at, true));
  return sk ? call.env.sockets?.byAddress(sk) : undefined;
}

const TH_MIN = 20; // sizeof(struct tcphdr)
const IPH_MIN = 20; // sizeof(struct iphdr)
const IP6H_LEN = 40; // sizeof(struct ipv6hdr)

/** bpf_tcp_check_syncookie (gen = false) and bpf_tcp_gen_syncookie (gen = true). */
function syncookie(call: HelperCall, gen: boolean): number {
  const name = gen ? 'tcp_gen_syncookie' : 'tcp_check_syncookie';
  const sk = socketArg(call, 1, name);
  const iphLen = call.u32(3);
  const thLen = call.u32(5);
  const th = call.ptr(4);
  // th and iph are read as the kernel reads them (the verifier proved their sizes; unverified
  // programs get the VM's checked reads)
  const thByte = (i: number): number => {
    call.arena.check(th + i, 1, false);
    return call.arena.u8[th + i]!;
  };
  if (!sk || thLen < TH_MIN) return -Errno.EINVAL;
  const doff = thByte(12) >> 4;
  if (gen && thLen !== doff * 4) return -Errno.EINVAL;
  if (sk.state !== TcpState.listen || sk.protocol !== IPPROTO_TCP) return -Errno.EINVAL;
  // net.ipv4.tcp_syncookies = 1 (the default): cookies are on
  const flags = thByte(13);
  const FIN = 1, SYN = 2, RST = 4, ACK = 16;
  if (gen ? !(flags & SYN) || flags & ACK || flags & FIN || flags & RST : !(flags & ACK) || flags & RST || flags & SYN) return gen ? -Errno.EINVAL : -Errno.ENOENT;
  if (iphLen < IPH_MIN) return -Errno.EINVAL;
  if (!gen) return -Errno.ENOENT; // tcp_synq_no_recent_overflow: no listener here ever overflowed
  const iph = call.ptr(2);
  call.arena.check(iph, 1, false);
  const version = call.arena.u8[iph]! >> 4;
  if (version === 4) {
    // sk_family AF_INET6 && ipv6_only_sock: ebpfvm's sockets are never IPV6_V6ONLY
  } else if (version === 6) {
    if (iphLen < IP6H_LEN || sk.family !== AF_INET6) return -Errno.EINVAL;
  } else return -Errno.EPROTONOSUPPORT;
  return -Errno.ENOENT; // tcp_get_syncookie_mss: the accept queue is not full, no cookie
}

const SYNCOOKIE_PROTO = {
  args: [
    { type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' },
    { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] },
    { type: 'ARG_CONST_SIZE' },
    { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] },
    { type: 'ARG_CONST_SIZE' },
  ],
  ret: { type: 'RET_INTEGER' },
} as const satisfies HelperEntry['proto'];

/** Program types with bpf_get_socket_cookie of their context (net/core/filter.c): the skb ones
 *  (sk_filter, cg_skb, tc, sk_skb: skb->sk), and the socket hooks (cgroup sock, sock_addr,
 *  sock_ops: the hook's socket). Tracing's variant (bpf_get_socket_ptr_cookie, a BTF socket
 *  argument) is not modelled. */
const SOCKET_COOKIE_SKB_TYPES = [P.SOCKET_FILTER, P.CGROUP_SKB, ...TC_TYPES, P.SK_SKB];
/** tracing_prog_func_proto's bpf_get_socket_ptr_cookie_proto: tracing programs (iterators), and
 *  lsm and syscall ones through it: a socket pointer, maybe NULL (cookie 0). */
const SOCKET_PTR_COOKIE_TYPES = [P.TRACING, P.LSM, P.SYSCALL];
const SOCKET_COOKIE_TYPES = [...SOCKET_COOKIE_SKB_TYPES, P.CGROUP_SOCK, P.CGROUP_SOCK_ADDR, P.SOCK_OPS, P.SK_REUSEPORT, ...SOCKET_PTR_COOKIE_TYPES];
/** bpf_get_socket_uid: sk_filter, tc and sk_skb (skb->sk's owner). */
const SOCKET_UID_TYPES = [P.SOCKET_FILTER, ...TC_TYPES, P.SK_SKB];
/** overflowuid: what bpf_get_socket_uid says for a packet without a full socket. */
const OVERFLOW_UID = 65534;
/** Program types with bpf_get_netns_cookie(ctx or NULL): sock, sock_addr, sockopt, sock_ops, sk_msg, and
 *  since Linux 6.15 tc and cgroup_skb too (the 6.18 host loads and runs those with NULL or ctx). */
const NETNS_COOKIE_TYPES = [P.CGROUP_SOCK, P.CGROUP_SOCK_ADDR, P.CGROUP_SOCKOPT, P.SOCK_OPS, P.SK_MSG, ...TC_TYPES, P.CGROUP_SKB];
/** The cookie of the one network namespace ebpfvm has (init_net: the first net_cookie handed out). */
export const INIT_NET_COOKIE = 1n;

export const SOCK_HELPERS: readonly HelperEntry[] = [
  {
    id: 46,
    name: 'get_socket_cookie',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }], ret: { type: 'RET_INTEGER' } },
    // sk_reuseport: bpf_get_socket_ptr_cookie_proto, the cookie of a socket pointer (ctx->sk)
    protoByType: [
      { progTypes: [P.SK_REUSEPORT], proto: { args: [{ type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' }], ret: { type: 'RET_INTEGER' } } },
      { progTypes: SOCKET_PTR_COOKIE_TYPES, proto: { args: [{ type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON', flags: ['PTR_MAYBE_NULL'] }], ret: { type: 'RET_INTEGER' } } },
    ],
    gplOnly: false,
    progTypes: SOCKET_COOKIE_TYPES,
    impl: (call) => {
      if ((SOCKET_PTR_COOKIE_TYPES as readonly number[]).includes(call.progType)) return socketArg(call, 1, 'get_socket_cookie')?.cookie ?? 0n;
      // Only the skb types can be test-run; the socket hooks' runs are refused before any call.
      if (!(SOCKET_COOKIE_SKB_TYPES as readonly number[]).includes(call.progType)) throw new FaultSignal(`get_socket_cookie: runs of ${progTypeName(call.progType)} programs are not modelled`);
      return skbSocket(call, 'get_socket_cookie')?.cookie ?? 0n;
    },
  },
  {
    id: 47,
    name: 'get_socket_uid',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: SOCKET_UID_TYPES,
    // skb->sk's owner: ebpfvm's sockets (the test run's, sock_init_data(NULL, ...), and the
    // described ones) all belong to uid 0; no socket or one that is not full: overflowuid.
    impl: (call) => {
      const sk = skbSocket(call, 'get_socket_uid');
      return sk && isFull(sk) ? 0 : OVERFLOW_UID;
    },
  },
  {
    id: 122,
    name: 'get_netns_cookie',
    // ARG_PTR_TO_CTX_OR_NULL: the context or NULL, both meaning the program's namespace.
    proto: { args: [{ type: 'ARG_PTR_TO_CTX', flags: ['PTR_MAYBE_NULL'] }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: NETNS_COOKIE_TYPES,
    impl: () => INIT_NET_COOKIE,
  },
  {
    id: 124,
    name: 'sk_assign',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    protoByType: [
      {
        progTypes: [P.SK_LOOKUP],
        proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_PTR_TO_SOCKET', flags: ['PTR_MAYBE_NULL'] }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
      },
    ],
    gplOnly: false,
    progTypes: [...TC_TYPES, P.SK_LOOKUP],
    impl: (call) => (call.progType === P.SK_LOOKUP ? skLookupAssign(call) : tcAssign(call)),
  },
  // The skc_to_* casts: the socket's kernel struct (its kernel address) when it is of the type.
  skcCast(136, 'skc_to_tcp6_sock', 'tcp6_sock', (sk) => isFull(sk) && sk.protocol === IPPROTO_TCP && sk.family === AF_INET6),
  skcCast(137, 'skc_to_tcp_sock', 'tcp_sock', (sk) => isFull(sk) && sk.protocol === IPPROTO_TCP),
  skcCast(138, 'skc_to_tcp_timewait_sock', 'tcp_timewait_sock', (sk) => sk.protocol === IPPROTO_TCP && sk.state === TcpState.time_wait),
  skcCast(139, 'skc_to_tcp_request_sock', 'tcp_request_sock', (sk) => sk.protocol === IPPROTO_TCP && sk.family === AF_INET && sk.state === TcpState.new_syn_recv),
  skcCast(140, 'skc_to_udp6_sock', 'udp6_sock', (sk) => isFull(sk) && sk.protocol === IPPROTO_UDP && sk.type === SOCK_DGRAM && sk.family === AF_INET6),
  // ebpfvm's socket table has no AF_UNIX sockets and no MPTCP subflows: always NULL.
  skcCast(178, 'skc_to_unix_sock', 'unix_sock', () => false),
  skcCast(196, 'skc_to_mptcp_sock', 'mptcp_sock', () => false),
  {
    id: 128,
    name: 'sk_cgroup_id',
    proto: { args: [{ type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: [P.CGROUP_SKB],
    impl: (call) => sockCgroup(socketArg(call, 1, 'sk_cgroup_id'), undefined),
  },
  {
    id: 129,
    name: 'sk_ancestor_cgroup_id',
    proto: { args: [{ type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: [P.CGROUP_SKB],
    impl: (call) => sockCgroup(socketArg(call, 1, 'sk_ancestor_cgroup_id'), BigInt(call.s32(2))),
  },
  {
    id: 79,
    name: 'skb_cgroup_id',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: [P.CGROUP_SKB, ...TC_TYPES],
    impl: (call) => sockCgroup(skbSocket(call, 'skb_cgroup_id'), undefined),
  },
  {
    id: 83,
    name: 'skb_ancestor_cgroup_id',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: [P.CGROUP_SKB, ...TC_TYPES],
    impl: (call) => sockCgroup(skbSocket(call, 'skb_ancestor_cgroup_id'), BigInt(call.s32(2))),
  },
  {
    id: 100,
    name: 'tcp_check_syncookie',
    proto: SYNCOOKIE_PROTO,
    gplOnly: true,
    progTypes: [...TC_TYPES, P.XDP],
    impl: (call) => syncookie(call, false),
  },
  {
    id: 110,
    name: 'tcp_gen_syncookie',
    proto: SYNCOOKIE_PROTO,
    gplOnly: true,
    progTypes: [...TC_TYPES, P.XDP],
    impl: (call) => syncookie(call, true),
  },
  {
    id: 84,
    name: 'sk_lookup_tcp',
    proto: { args: LOOKUP_ARGS, ret: { type: 'RET_PTR_TO_SOCKET', flags: ['PTR_MAYBE_NULL', 'ACQUIRE'] } },
    gplOnly: false,
    progTypes: SK_LOOKUP_TYPES,
    impl: fullLookup(IPPROTO_TCP),
  },
  {
    id: 85,
    name: 'sk_lookup_udp',
    proto: { args: LOOKUP_ARGS, ret: { type: 'RET_PTR_TO_SOCKET', flags: ['PTR_MAYBE_NULL', 'ACQUIRE'] } },
    gplOnly: false,
    progTypes: SK_LOOKUP_TYPES,
    impl: fullLookup(IPPROTO_UDP),
  },
  {
    id: 99,
    name: 'skc_lookup_tcp',
    proto: { args: LOOKUP_ARGS, ret: { type: 'RET_PTR_TO_SOCK_COMMON', flags: ['PTR_MAYBE_NULL', 'ACQUIRE'] } },
    gplOnly: false,
    progTypes: SK_LOOKUP_TYPES,
    impl: (call) => lookup(call, IPPROTO_TCP)?.addr ?? 0,
  },
  {
    id: 86,
    name: 'sk_release',
    proto: { args: [{ type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON', flags: ['OBJ_RELEASE'] }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    progTypes: SK_RELEASE_TYPES,
    // ebpfvm's sockets are not reference counted: releasing one the program holds is 0, as the
    // kernel's bpf_sk_release always returns
    impl: (call) => {
      socketArg(call, 1, 'sk_release');
      return 0;
    },
  },
  {
    id: 96,
    name: 'tcp_sock',
    proto: { args: [{ type: 'ARG_PTR_TO_SOCK_COMMON' }], ret: { type: 'RET_PTR_TO_TCP_SOCK', flags: ['PTR_MAYBE_NULL'] } },
    gplOnly: false,
    progTypes: [P.CGROUP_SKB, P.SCHED_CLS, P.SCHED_ACT, P.SOCK_OPS, P.CGROUP_SOCKOPT],
    impl: (call) => {
      const sk = socketArg(call, 1, 'tcp_sock');
      return sk && isFull(sk) && sk.protocol === IPPROTO_TCP ? call.env.sockets!.tcpSockImage(sk) : 0;
    },
  },
  {
    id: 98,
    name: 'get_listener_sock',
    proto: { args: [{ type: 'ARG_PTR_TO_SOCK_COMMON' }], ret: { type: 'RET_PTR_TO_SOCKET', flags: ['PTR_MAYBE_NULL'] } },
    gplOnly: false,
    progTypes: [P.CGROUP_SKB, P.SCHED_CLS, P.SCHED_ACT],
    // sk_to_full_sk, then a TCP listener that is SOCK_RCU_FREE (every hashed listener is); a
    // request socket's own listener is not linked in ebpfvm's table, so NULL for those
    impl: (call) => {
      const sk = socketArg(call, 1, 'get_listener_sock');
      return sk && rcuFreed(sk) && sk.protocol === IPPROTO_TCP && sk.state === TcpState.listen ? sk.addr : 0;
    },
  },
  {
    id: 95,
    name: 'sk_fullsock',
    proto: { args: [{ type: 'ARG_PTR_TO_SOCK_COMMON' }], ret: { type: 'RET_PTR_TO_SOCKET', flags: ['PTR_MAYBE_NULL'] } },
    gplOnly: false,
    progTypes: [P.CGROUP_SKB, P.SCHED_CLS, P.SCHED_ACT],
    impl: (call) => {
      const sk = socketArg(call, 1, 'sk_fullsock');
      return sk && isFull(sk) ? sk.addr : 0;
    },
  },
];

/** The kfunc bpf_sock_destroy(sock) (net/core/filter.c, iterators only): a TCP or UDP socket is
 *  aborted (its diag_destroy: ECONNABORTED, state TCP_CLOSE; vm/sockets.ts abort) and 0 returned;
 *  another protocol -EOPNOTSUPP. The pointer is a socket's kernel struct (or its bpf_sock image);
 *  anything else faults. */
export function sockDestroy(call: HelperCall): HelperResult {
  const v = call.u64(1);
  const sk = v === 0n ? undefined : v <= 0xffffffffn ? call.env.sockets?.byAddress(Number(v)) : call.env.sockets?.byKernelAddress(v);
  if (!sk) throw new FaultSignal(`bpf_sock_destroy: r1 (0x${v.toString(16)}) is not a socket`);
  if (sk.protocol !== IPPROTO_TCP && sk.protocol !== IPPROTO_UDP) return -Errno.EOPNOTSUPP;
  call.env.sockets!.abort(sk);
  return 0;
}

/** struct bpf_sock_addr_kern's offsets (src/btf/builtin-net.ts): sk, uaddr, uaddrlen. */
const SA_KERN = { sk: 0, uaddr: 8, uaddrlen: 32 } as const;
/** UNIX_PATH_MAX, and sun_path's offset in struct sockaddr_un. */
const UNIX_PATH_MAX = 108;
const AF_UNIX = 1;
const SUN_PATH_OFF = 2;

/** The kfunc bpf_sock_addr_set_sun_path(sa_kern, sun_path, sun_path__sz) (net/core/filter.c,
 *  cgroup sock_addr programs): the address becomes that unix path. -EINVAL unless the socket is
 *  AF_UNIX, for an empty path or one longer than UNIX_PATH_MAX. ebpfvm refuses test runs of these
 *  programs (the kernel has none) and bpf_cast_to_kern_ctx makes no bpf_sock_addr_kern, so only a
 *  caller that lays one out in the arena gets here; its pointers are read and written checked. */
export function sockAddrSetSunPath(call: HelperCall): HelperResult {
  const sa = call.ptr(1);
  const size = call.u32(3);
  call.arena.check(sa, SA_KERN.uaddrlen + 4, false);
  const dv = call.arena.dv;
  const skAddr = dv.getBigUint64(sa + SA_KERN.sk, true);
  const sk = skAddr === 0n ? undefined : skAddr <= 0xffffffffn ? call.env.sockets?.byAddress(Number(skAddr)) : call.env.sockets?.byKernelAddress(skAddr);
  if (!sk) throw new FaultSignal(`bpf_sock_addr_set_sun_path: sa_kern->sk (0x${skAddr.toString(16)}) is not a socket`);
  // ebpfvm's sockets are inet and xdp ones: none is AF_UNIX
  if (sk.family !== AF_UNIX) return -Errno.EINVAL;
  if (size === 0 || size > UNIX_PATH_MAX) return -Errno.EINVAL;
  const uaddr = dv.getBigUint64(sa + SA_KERN.uaddr, true);
  if (uaddr >> 32n !== 0n) throw new FaultSignal(`bpf_sock_addr_set_sun_path: uaddr (0x${uaddr.toString(16)}) is not arena memory`);
  const src = call.ptr(2);
  call.arena.check(src, size, false);
  call.arena.writeChecked(Number(uaddr) + SUN_PATH_OFF, size, call.arena.read(src, size));
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, SUN_PATH_OFF + size, true);
  call.arena.writeChecked(sa + SA_KERN.uaddrlen, 4, len);
  return 0;
}
