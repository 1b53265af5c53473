// Helpers of the cgroup hook program types (net/core/filter.c, net/core/sock_map.c,
// kernel/bpf/cgroup.c): the socket hooks (cgroup_sock, cgroup_sock_addr, cgroup_sockopt,
// sock_ops) and the device and sysctl hooks. Which program may call which follows the kernel's get_func_proto, including the
// gates by expected attach type:
//   get_retval (186) / set_retval (187)(retval): cgroup_common_func_proto, every cgroup hook and
//     lsm_cgroup except those whose return value is fixed (cgroup_skb ingress/egress, sock_ops,
//     the recvmsg, getpeername and getsockname hooks). The value is the errno the hook's syscall
//     will return; it starts at 0 and set_retval replaces it (returns 0).
//   setsockopt (49) / getsockopt (57)(ctx or sk, level, optname, optval, optlen): sock_ops and
//     sock_addr (ctx) at every hook; cgroup_sockopt at the setsockopt hook only (sk:
//     ARG_PTR_TO_BTF_ID_SOCK_COMMON).
//   bind (64)(ctx, addr, addr_len): sock_addr at connect4/connect6 only.
//   sock_ops_cb_flags_set (59)(ctx, flags), load_hdr_opt (142)(ctx, buf, len, flags),
//     store_hdr_opt (143)(ctx, from, len, flags), reserve_hdr_opt (144)(ctx, len, flags),
//     sock_map_update (53) / sock_hash_update (70)(ctx, map, key, flags): sock_ops.
//   sysctl_get_name (101)(ctx, buf, len, flags), sysctl_get_current_value (102)(ctx, buf, len),
//     sysctl_get_new_value (103)(ctx, buf, len), sysctl_set_new_value (104)(ctx, buf, len):
//     cgroup_sysctl.
//   msg_redirect_map (60), msg_redirect_hash (71), msg_apply_bytes (61), msg_cork_bytes (62),
//     msg_pull_data (63), msg_push_data (90), msg_pop_data (91): sk_msg (a message on its way
//     through a socket in a sockmap; the pull/push/pop ones change the packet data).
//   sk_redirect_map (52)(skb, sockmap, key, flags), sk_redirect_hash (72)(skb, sockhash, &key,
//     flags): sk_skb (a stream parser's or verdict's packet on its way to another socket; the
//     map types are checked by helpers/map-compat).
//   sk_select_reuseport (82)(reuse_md, map, &key, flags): sk_reuseport (the socket of the group
//     that gets the packet, from a REUSEPORT_SOCKARRAY, sockmap or sockhash).
// None of these program types can be test-run (bpf(2) says -ENOTSUPP, vm/test-run refuses
// first), so apart from get_retval/set_retval the implementations only name what is missing if a
// run ever reaches them: they act on a live socket or sysctl inside a kernel syscall, which
// ebpfvm does not have.

import { FaultSignal } from '../src/errors.js';
import { AttachType as A, ProgType as P, progTypeName } from '../vm/prog-types.js';
import type { HelperArg, HelperCall, HelperEntry, HelperProto } from './types.js';

const CTX: HelperArg = { type: 'ARG_PTR_TO_CTX' };
const ANY: HelperArg = { type: 'ARG_ANYTHING' };
const INT = { type: 'RET_INTEGER' } as const;

/** Program types whose helper tables start with cgroup_common_func_proto (lsm only at
 *  lsm_cgroup, gated below). */
const CGROUP_COMMON_TYPES = [P.CGROUP_SKB, P.CGROUP_SOCK, P.CGROUP_SOCK_ADDR, P.SOCK_OPS, P.CGROUP_SOCKOPT, P.CGROUP_DEVICE, P.CGROUP_SYSCTL, P.LSM];
/** The hooks whose return value bpf_get_retval/set_retval may not touch. */
const FIXED_RETVAL_HOOKS: readonly number[] = [
  A.CGROUP_INET_INGRESS, A.CGROUP_INET_EGRESS, A.CGROUP_SOCK_OPS,
  A.CGROUP_UDP4_RECVMSG, A.CGROUP_UDP6_RECVMSG, A.CGROUP_UNIX_RECVMSG,
  A.CGROUP_INET4_GETPEERNAME, A.CGROUP_INET6_GETPEERNAME, A.CGROUP_UNIX_GETPEERNAME,
  A.CGROUP_INET4_GETSOCKNAME, A.CGROUP_INET6_GETSOCKNAME, A.CGROUP_UNIX_GETSOCKNAME,
];
const retvalAllowed = (progType: number, attach: number): boolean =>
  progType === P.LSM ? attach === A.LSM_CGROUP : !FIXED_RETVAL_HOOKS.includes(attach);

/** bpf_setsockopt/getsockopt: every sock_addr hook (Linux 6.12 left out the unix
 *  getpeername/getsockname hooks; the 6.18 host loads them there), cgroup_sockopt only at the
 *  setsockopt hook, sock_ops always. */
// The tcp and unix iterators give their programs bpf_sk_{set,get}sockopt (bpf_iter_tcp_get_func_proto,
// bpf_iter_unix_get_func_proto); other tracing programs have neither.
const sockoptAllowed = (progType: number, attach: number, iter?: string): boolean =>
  progType === P.TRACING ? attach === A.TRACE_ITER && (iter === 'tcp' || iter === 'unix') : progType !== P.CGROUP_SOCKOPT || attach === A.CGROUP_SETSOCKOPT;

/** bpf_{sock_ops,sock_addr}_{set,get}sockopt take the context; cgroup_sockopt's
 *  bpf_sk_{set,get}sockopt the socket (ctx->sk). The option buffer is read (set) or written
 *  without being read first (get). */
const sockoptProto = (get: boolean, first: HelperArg): HelperProto => ({
  args: [first, ANY, ANY, { type: 'ARG_PTR_TO_MEM', flags: get ? ['MEM_UNINIT'] : ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE' }],
  ret: INT,
});

/** The run of a program type ebpfvm cannot test-run reached a helper that needs its hook. */
function noHook(name: string) {
  return (call: HelperCall): never => {
    throw new FaultSignal(`${name}: runs of ${progTypeName(call.progType)} programs are not modelled (the kernel runs them only inside the hooked syscall)`);
  };
}

const RETVAL_KEY = 'cgroup-retval';

export const SOCK_HOOK_HELPERS: readonly HelperEntry[] = [
  {
    id: 186,
    name: 'get_retval',
    proto: { args: [], ret: INT },
    gplOnly: false,
    progTypes: CGROUP_COMMON_TYPES,
    attachAllowed: retvalAllowed,
    impl: (call) => (call.state.get(RETVAL_KEY) as number | undefined) ?? 0,
  },
  {
    id: 187,
    name: 'set_retval',
    proto: { args: [ANY], ret: INT },
    gplOnly: false,
    progTypes: CGROUP_COMMON_TYPES,
    attachAllowed: retvalAllowed,
    impl: (call) => {
      call.state.set(RETVAL_KEY, call.s32(1));
      return 0;
    },
  },
  {
    id: 49,
    name: 'setsockopt',
    proto: sockoptProto(false, CTX),
    // bpf_sk_setsockopt_proto / bpf_sk_getsockopt_proto (cgroup sockopt, tcp congestion control,
    // the tcp and unix iterators)
    protoByType: [{ progTypes: [P.CGROUP_SOCKOPT, P.STRUCT_OPS, P.TRACING], proto: sockoptProto(false, { type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' }) }],
    gplOnly: false,
    progTypes: [P.SOCK_OPS, P.CGROUP_SOCK_ADDR, P.CGROUP_SOCKOPT, P.TRACING],
    attachAllowed: sockoptAllowed,
    impl: noHook('setsockopt'),
  },
  {
    id: 57,
    name: 'getsockopt',
    proto: sockoptProto(true, CTX),
    // bpf_sk_setsockopt_proto / bpf_sk_getsockopt_proto (cgroup sockopt, tcp congestion control,
    // the tcp and unix iterators)
    protoByType: [{ progTypes: [P.CGROUP_SOCKOPT, P.STRUCT_OPS, P.TRACING], proto: sockoptProto(true, { type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' }) }],
    gplOnly: false,
    progTypes: [P.SOCK_OPS, P.CGROUP_SOCK_ADDR, P.CGROUP_SOCKOPT, P.TRACING],
    attachAllowed: sockoptAllowed,
    impl: noHook('getsockopt'),
  },
  {
    id: 64,
    name: 'bind',
    proto: { args: [CTX, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE' }], ret: INT },
    gplOnly: false,
    progTypes: [P.CGROUP_SOCK_ADDR],
    attachAllowed: (_t, attach) => attach === A.CGROUP_INET4_CONNECT || attach === A.CGROUP_INET6_CONNECT,
    impl: noHook('bind'),
  },
  {
    id: 59,
    name: 'sock_ops_cb_flags_set',
    proto: { args: [CTX, ANY], ret: INT },
    gplOnly: false,
    progTypes: [P.SOCK_OPS],
    impl: noHook('sock_ops_cb_flags_set'),
  },
  {
    id: 142,
    name: 'load_hdr_opt',
    proto: { args: [CTX, { type: 'ARG_PTR_TO_MEM' }, { type: 'ARG_CONST_SIZE' }, ANY], ret: INT },
    gplOnly: false,
    progTypes: [P.SOCK_OPS],
    impl: noHook('load_hdr_opt'),
  },
  {
    id: 143,
    name: 'store_hdr_opt',
    proto: { args: [CTX, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE' }, ANY], ret: INT },
    gplOnly: false,
    progTypes: [P.SOCK_OPS],
    impl: noHook('store_hdr_opt'),
  },
  {
    id: 144,
    name: 'reserve_hdr_opt',
    proto: { args: [CTX, ANY, ANY], ret: INT },
    gplOnly: false,
    progTypes: [P.SOCK_OPS],
    impl: noHook('reserve_hdr_opt'),
  },
  {
    id: 53,
    name: 'sock_map_update',
    proto: { args: [CTX, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_PTR_TO_MAP_KEY' }, ANY], ret: INT },
    gplOnly: false,
    progTypes: [P.SOCK_OPS],
    impl: noHook('sock_map_update'),
  },
  {
    id: 70,
    name: 'sock_hash_update',
    proto: { args: [CTX, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_PTR_TO_MAP_KEY' }, ANY], ret: INT },
    gplOnly: false,
    progTypes: [P.SOCK_OPS],
    impl: noHook('sock_hash_update'),
  },
  {
    id: 101,
    name: 'sysctl_get_name',
    proto: { args: [CTX, { type: 'ARG_PTR_TO_MEM' }, { type: 'ARG_CONST_SIZE' }, ANY], ret: INT },
    gplOnly: false,
    progTypes: [P.CGROUP_SYSCTL],
    impl: noHook('sysctl_get_name'),
  },
  {
    id: 102,
    name: 'sysctl_get_current_value',
    proto: { args: [CTX, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE' }], ret: INT },
    gplOnly: false,
    progTypes: [P.CGROUP_SYSCTL],
    impl: noHook('sysctl_get_current_value'),
  },
  {
    id: 103,
    name: 'sysctl_get_new_value',
    proto: { args: [CTX, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE' }], ret: INT },
    gplOnly: false,
    progTypes: [P.CGROUP_SYSCTL],
    impl: noHook('sysctl_get_new_value'),
  },
  {
    id: 104,
    name: 'sysctl_set_new_value',
    proto: { args: [CTX, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_RDONLY'] }, { type: 'ARG_CONST_SIZE' }], ret: INT },
    gplOnly: false,
    progTypes: [P.CGROUP_SYSCTL],
    impl: noHook('sysctl_set_new_value'),
  },
  ...(
    [
      [60, 'msg_redirect_map', [CTX, { type: 'ARG_CONST_MAP_PTR' }, ANY, ANY]],
      [71, 'msg_redirect_hash', [CTX, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_PTR_TO_MAP_KEY' }, ANY]],
      [61, 'msg_apply_bytes', [CTX, ANY]],
      [62, 'msg_cork_bytes', [CTX, ANY]],
      [63, 'msg_pull_data', [CTX, ANY, ANY, ANY]],
      [90, 'msg_push_data', [CTX, ANY, ANY, ANY]],
      [91, 'msg_pop_data', [CTX, ANY, ANY, ANY]],
    ] as const
  ).map(([id, name, args]): HelperEntry => ({ id, name, proto: { args, ret: INT }, gplOnly: false, progTypes: [P.SK_MSG], impl: noHook(name) })),
  ...(
    [
      [52, 'sk_redirect_map', [CTX, { type: 'ARG_CONST_MAP_PTR' }, ANY, ANY], P.SK_SKB],
      [72, 'sk_redirect_hash', [CTX, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_PTR_TO_MAP_KEY' }, ANY], P.SK_SKB],
      [82, 'sk_select_reuseport', [CTX, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_PTR_TO_MAP_KEY' }, ANY], P.SK_REUSEPORT],
    ] as const
  ).map(([id, name, args, type]): HelperEntry => ({ id, name, proto: { args, ret: INT }, gplOnly: false, progTypes: [type], impl: noHook(name) })),
];
