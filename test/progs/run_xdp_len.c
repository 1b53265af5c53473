// bpf_xdp_get_buff_len before and after bpf_xdp_adjust_tail grows and shrinks the frame, and after
// bpf_xdp_adjust_head. Host results recorded with
// `node scripts/kernel-progs.mjs --record-object test/progs/run_xdp_len.o`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_len(struct xdp_md *ctx)
{
	__u64 a, b, c, d;

	a = bpf_xdp_get_buff_len(ctx);
	if (bpf_xdp_adjust_tail(ctx, 100))
		return 1;
	b = bpf_xdp_get_buff_len(ctx);
	if (bpf_xdp_adjust_tail(ctx, -120))
		return 2;
	c = bpf_xdp_get_buff_len(ctx);
	if (bpf_xdp_adjust_head(ctx, 4))
		return 3;
	d = bpf_xdp_get_buff_len(ctx);
	return a + b * 10 + c * 100 + d * 1000;
}

char _license[] SEC("license") = "GPL";
