// SPDX-License-Identifier: MIT
/* The kfuncs of bpf_tcp_ca take the socket: tcp_slow_start a struct tcp_sock (a struct that
 * begins with one, at offset 0, would do), not another struct. The host kernel's verdict:
 * test/fixtures/verifier-kernel/tcp_ca_kfunc_arg.json. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

extern __u32 tcp_slow_start(struct tcp_sock *tp, __u32 acked) __ksym;

SEC("struct_ops/ka_pkts_acked")
__description("tcp_ca: tcp_slow_start given the ack_sample is refused")
__failure __msg("kernel function tcp_slow_start args#0 expected pointer to STRUCT tcp_sock but R1 has a pointer to STRUCT ack_sample")
void BPF_PROG(ka_pkts_acked, struct sock *sk, const struct ack_sample *sample)
{
	tcp_slow_start((struct tcp_sock *)sample, 1);
}

SEC(".struct_ops")
struct tcp_congestion_ops ka_ops = {
	.pkts_acked = (void *)ka_pkts_acked,
	.name = "ebpfvm_ka",
};

char _license[] SEC("license") = "GPL";
