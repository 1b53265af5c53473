// bpf_redirect_peer and bpf_redirect_neigh in tc: TC_ACT_REDIRECT, TC_ACT_SHOT for flags or a
// short next-hop size. Host results recorded with
// `node scripts/kernel-progs.mjs --record-object test/progs/run_redirect_tc.o`.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int redir_peer(struct __sk_buff *skb)
{
	long a = bpf_redirect_peer(5, 0);
	long b = bpf_redirect_peer(5, 1);

	return a * 100 + b + (skb->len > 60 ? bpf_redirect_peer(2, 0) * 10000 : 0);
}

SEC("tc")
int redir_neigh(struct __sk_buff *skb)
{
	struct bpf_redir_neigh nh = { .nh_family = 2, .ipv4_nh = 0x0100007f };
	long a = bpf_redirect_neigh(3, NULL, 0, 0);
	long b = bpf_redirect_neigh(3, &nh, sizeof(nh), 0);
	long c = bpf_redirect_neigh(3, &nh, 8, 0);
	long d = bpf_redirect_neigh(3, &nh, sizeof(nh), 4);

	return a * 1000 + b * 100 + c * 10 + d;
}

char _license[] SEC("license") = "GPL";
