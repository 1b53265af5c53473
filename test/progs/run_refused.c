// Program types and sections the kernel loads but will not BPF_PROG_TEST_RUN: xdp programs for
// devmap and cpumap entries (-EINVAL from bpf_prog_test_run_xdp) and writable raw tracepoints
// (no .test_run: -ENOTSUPP); a plain xdp program beside them runs. Host results recorded with
// `node scripts/kernel-progs.mjs --record-object test/progs/run_refused.o`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp/devmap")
int xdp_for_devmap(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp/cpumap")
int xdp_for_cpumap(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_plain(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

SEC("raw_tp.w")
int raw_tp_writable(struct bpf_raw_tracepoint_args *ctx)
{
	return 3;
}

char _license[] SEC("license") = "GPL";
