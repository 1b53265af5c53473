// raw tracepoint test runs: the kernel's BPF_PROG_TEST_RUN passes ctx_in as the u64 argument
// array; a global accumulates across runs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 sum;
__u32 calls;

SEC("raw_tp/sys_enter")
int rawtp_args(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 a = ctx->args[0], b = ctx->args[1];
	sum += a;
	calls++;
	return a * 3 + b;
}

char LICENSE[] SEC("license") = "GPL";
