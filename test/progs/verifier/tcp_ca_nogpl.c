// SPDX-License-Identifier: MIT
/* check_struct_ops_btf_id: every struct_ops program needs a GPL-compatible license. The host
 * kernel's verdict: test/fixtures/verifier-kernel/tcp_ca_nogpl.json. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

SEC("struct_ops/ng_ssthresh")
__description("tcp_ca: a struct_ops program without a GPL-compatible license is refused")
__failure __msg("struct ops programs must have a GPL compatible license")
__u32 BPF_PROG(ng_ssthresh, struct sock *sk)
{
	return 2;
}

SEC(".struct_ops")
struct tcp_congestion_ops ng_ops = {
	.ssthresh = (void *)ng_ssthresh,
	.name = "ebpfvm_ng",
};

char _license[] SEC("license") = "MIT";
