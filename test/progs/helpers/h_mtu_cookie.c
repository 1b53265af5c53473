// bpf_check_mtu on tc and xdp (the test run's device is loopback: MTU 65536, hard header 14) with
// its error returns, and bpf_get_attach_cookie in a raw_tp test run (no link: 0).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct res {
	int ret;
	__u32 mtu;
};

struct res t_own, t_lo, t_l3_over, t_l3_edge, t_l3_edge1, t_nodev, t_flags, t_segs_diff, t_segs, t_neg;
struct res x_own, x_flags, x_l3_over, x_nodev, x_diff;

#define CHECK(r, ctx, ifi, in, diff, fl)                                      \
	({                                                                    \
		__u32 m = (in);                                               \
		(r).ret = bpf_check_mtu((ctx), (ifi), &m, (diff), (fl));      \
		(r).mtu = m;                                                  \
	})

SEC("tc")
int mtu_tc(struct __sk_buff *skb)
{
	CHECK(t_own, skb, 0, 0, 0, 0);
	CHECK(t_lo, skb, 1, 0, 100, 0);
	CHECK(t_l3_over, skb, 0, 70000, 0, 0);
	CHECK(t_l3_edge, skb, 0, 65536, 0, 0);
	CHECK(t_l3_edge1, skb, 0, 65536, 1, 0);
	CHECK(t_nodev, skb, 424242, 7, 0, 0);
	CHECK(t_flags, skb, 0, 7, 0, 2);
	CHECK(t_segs_diff, skb, 0, 0, 1, BPF_MTU_CHK_SEGS);
	CHECK(t_segs, skb, 0, 0, 0, BPF_MTU_CHK_SEGS);
	CHECK(t_neg, skb, 0, 65600, -100, 0);
	return 0;
}

SEC("xdp")
int mtu_xdp(struct xdp_md *xdp)
{
	CHECK(x_own, xdp, 0, 0, 0, 0);
	CHECK(x_flags, xdp, 0, 7, 0, BPF_MTU_CHK_SEGS);
	CHECK(x_l3_over, xdp, 1, 70000, 0, 0);
	CHECK(x_nodev, xdp, 424242, 7, 0, 0);
	CHECK(x_diff, xdp, 0, 0, 65536 - 40, 0);
	return XDP_PASS;
}

SEC("raw_tp/sys_enter")
int cookie(void *ctx)
{
	return bpf_get_attach_cookie(ctx) + 5;
}

char LICENSE[] SEC("license") = "GPL";
