// SPDX-License-Identifier: MIT
/* bpf_dummy_ops has no get_func_proto (bpf_dummy_verifier_ops): its programs may call no helper
 * at all, not even the base ones. The host kernel's verdict:
 * test/fixtures/verifier-kernel/dummy_ops_helper.json. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

SEC("struct_ops/dh_test_1")
__description("bpf_dummy_ops: a helper call is refused")
__failure __msg("program of this type cannot use helper bpf_ktime_get_ns#5")
int BPF_PROG(dh_test_1, struct bpf_dummy_ops_state *state)
{
	return (int)bpf_ktime_get_ns();
}

SEC(".struct_ops")
struct bpf_dummy_ops dh_ops = {
	.test_1 = (void *)dh_test_1,
};

char _license[] SEC("license") = "GPL";
