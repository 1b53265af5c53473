// SPDX-License-Identifier: MIT
/* bpf_tcp_ca_btf_struct_access: a tcp_congestion_ops program writes only through its tcp_sock;
 * the ack_sample of pkts_acked is read only. The host kernel's verdict:
 * test/fixtures/verifier-kernel/tcp_ca_ro.json. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

SEC("struct_ops/ro_pkts_acked")
__description("tcp_ca: a write through pkts_acked's ack_sample is refused")
__failure __msg("only read is supported")
void BPF_PROG(ro_pkts_acked, struct sock *sk, struct ack_sample *sample)
{
	sample->pkts_acked = 0;
}

SEC(".struct_ops")
struct tcp_congestion_ops ro_ops = {
	.pkts_acked = (void *)ro_pkts_acked,
	.name = "ebpfvm_ro",
};

char _license[] SEC("license") = "GPL";
