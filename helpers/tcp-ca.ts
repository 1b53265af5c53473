// TCP congestion control in BPF (net/ipv4/bpf_tcp_ca.c, net/ipv4/tcp_cong.c): the helper and
// the kfuncs the kernel gives tcp_congestion_ops programs (src/btf/builtin-struct-ops.ts). The
// kfuncs' implementations, which read the built-in BTF's tcp_sock layout, are
// helpers/tcp-ca-kfuncs.ts (apart: the helper table, which this file feeds, is an import of the
// built-in BTF).
//   tcp_send_ack (116)(tp, rcv_nxt): sends an ACK on the connection and returns 0, always;
//     ebpfvm has no TCP stack to send it on, so it only returns 0.
//   kfuncs, registered for every struct_ops program (BPF_PROG_TYPE_STRUCT_OPS), as tcp_cong.c
//   computes them on the socket's tcp_sock fields:
//     tcp_reno_ssthresh(sk)                max(snd_cwnd >> 1, 2)
//     tcp_reno_undo_cwnd(sk)               max(snd_cwnd, prior_cwnd)
//     tcp_slow_start(tp, acked)            cwnd = min(snd_cwnd + acked, snd_ssthresh); returns
//                                          the acked packets left over; snd_cwnd = min(cwnd,
//                                          snd_cwnd_clamp)
//     tcp_cong_avoid_ai(tp, w, acked)      additive increase: snd_cwnd grows by 1 each w
//                                          packets acked (snd_cwnd_cnt counts them)
//     tcp_reno_cong_avoid(sk, ack, acked)  nothing unless cwnd-limited, slow start below
//                                          ssthresh, then tcp_cong_avoid_ai(tp, snd_cwnd, acked)
//   The kernel's own congestion controls export their callbacks as kfuncs too (tcp_cubic.c's and
//   tcp_bbr.c's kfunc sets, STRUCT_OPS, no flags; built into the host kernel, whose tcp_dctcp is
//   not loaded): cubictcp_* and bbr_* are verified from their prototypes, but their algorithms
//   (CUBIC's cube root and HyStart, BBR's model) are not modelled: a call faults naming the kfunc.
// The socket is whatever memory the pointer names, read and written through the program's
// checked access path (a kernel address, which is read only, faults at the write). A zero `w`,
// which divides by zero in the kernel, faults. No struct_ops member of this type runs in the
// kernel's BPF_PROG_TEST_RUN, so only an unverified run (or another struct_ops type's program)
// reaches these implementations.
import { ProgType } from '../vm/prog-types.js';
import type { HelperEntry } from './types.js';

export const TCP_CA_HELPERS: readonly HelperEntry[] = [
  {
    id: 116,
    name: 'tcp_send_ack',
    // bpf_tcp_send_ack_proto: arg1 ARG_PTR_TO_BTF_ID tcp_sock
    proto: { args: [{ type: 'ARG_PTR_TO_BTF_ID', btfType: 'tcp_sock' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: false,
    // which struct_ops programs may call it is their type's (helpers/table.ts helperAllowed)
    progTypes: [ProgType.STRUCT_OPS],
    impl: () => 0,
  },
];

/** The kfuncs named at the top of this file (bpf_tcp_ca's set, and tcp_cubic's and tcp_bbr's). */
export const isTcpCaKfunc = (name: string): boolean => /^(tcp_reno_ssthresh|tcp_reno_cong_avoid|tcp_reno_undo_cwnd|tcp_slow_start|tcp_cong_avoid_ai|cubictcp_\w+|bbr_\w+)$/.test(name);
