// SPDX-License-Identifier: MIT
/* The kernel's cfi stubs of tcp_congestion_ops leave get_info out: no BPF program may implement
 * it (bpf_struct_ops_supported). The host kernel's verdict:
 * test/fixtures/verifier-kernel/tcp_ca_get_info.json. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

SEC("struct_ops/gi_get_info")
__description("tcp_ca: a program for member get_info is refused before its instructions are read")
__failure __msg("attach to unsupported member get_info of struct tcp_congestion_ops")
size_t BPF_PROG(gi_get_info, struct sock *sk, __u32 ext, int *attr, union tcp_cc_info *info)
{
	return 0;
}

SEC(".struct_ops")
struct tcp_congestion_ops gi_ops = {
	.get_info = (void *)gi_get_info,
	.name = "ebpfvm_gi",
};

char _license[] SEC("license") = "GPL";
