// __sk_buff.sk in test runs: the kernel hands every skb test run a socket whose family and
// addresses come from the packet's IP header.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u32 out[8];

static int fill(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	out[0] = sk->family;
	out[1] = sk->src_ip4;
	out[2] = sk->dst_ip4;
	out[3] = sk->state;
	out[4] = sk->rx_queue_mapping;
	out[5] = sk->src_ip6[3];
	out[6] = sk->dst_ip6[0];
	out[7] = sk->bound_dev_if + sk->src_port + sk->dst_port;
	return 1;
}

SEC("socket")
int sock_sk(struct __sk_buff *skb)
{
	return fill(skb);
}

SEC("tc")
int tc_sk(struct __sk_buff *skb)
{
	return fill(skb);
}

char LICENSE[] SEC("license") = "GPL";
