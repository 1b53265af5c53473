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
// With no described sockets every lookup is NULL, which is what the kernel's test runs find in
// a namespace without sockets.

import { BPF_SOCK, field } from '../vm/contexts.js';
import { ProgType as P } from '../vm/prog-types.js';
import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, TcpState, type Socket } from '../vm/sockets.js';
import { isFull, socketArg } from './storage.js';
import type { HelperArg, HelperCall, HelperEntry } from './types.js';

/** Program types with the sk_lookup helpers and bpf_sk_release (net/core/filter.c). */
const SK_LOOKUP_TYPES = [P.SCHED_CLS, P.SCHED_ACT, P.XDP, P.CGROUP_SKB, P.SK_SKB, P.CGROUP_SOCK_ADDR];
const SK_RELEASE_TYPES = [...SK_LOOKUP_TYPES, P.SK_LOOKUP];

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

export const SOCK_HELPERS: readonly HelperEntry[] = [
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
    progTypes: [P.CGROUP_SKB, P.SCHED_CLS, P.SCHED_ACT, P.SOCK_OPS],
    impl: (call) => {
      const sk = socketArg(call, 1, 'tcp_sock');
      return sk && isFull(sk) && sk.protocol === IPPROTO_TCP ? call.env.sockets!.tcpSockImage(sk) : 0;
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
