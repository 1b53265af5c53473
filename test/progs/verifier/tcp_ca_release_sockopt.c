// SPDX-License-Identifier: MIT
/* bpf_tcp_ca_get_func_proto: release, which runs as the congestion control retires, may not call
 * bpf_setsockopt (nor bpf_getsockopt). The host kernel's verdict:
 * test/fixtures/verifier-kernel/tcp_ca_release_sockopt.json. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

#define SOL_TCP 6
#define TCP_CONGESTION 13

SEC("struct_ops/rs_release")
__description("tcp_ca: release calling bpf_setsockopt is refused")
__failure __msg("program of this type cannot use helper bpf_setsockopt#49")
void BPF_PROG(rs_release, struct sock *sk)
{
	char name[] = "cubic";

	bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, name, sizeof(name));
}

SEC(".struct_ops")
struct tcp_congestion_ops rs_ops = {
	.release = (void *)rs_release,
	.name = "ebpfvm_rs",
};

char _license[] SEC("license") = "GPL";
