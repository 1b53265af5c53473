// skb_load_bytes / skb_load_bytes_relative from socket filters (data at L3) and tc (data at L2),
// and csum_diff (tc).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

long res[11];

/* Socket filter: offset 0 is the IPv4 header; relative loads reach the Ethernet header. */
SEC("socket")
int h_skb_load(struct __sk_buff *skb)
{
	__u8 ip[2] = {}, eth[2] = {}, net[1] = {};
	__u8 far[4] = { 1, 1, 1, 1 };

	res[0] = bpf_skb_load_bytes(skb, 0, ip, sizeof(ip));
	res[1] = (ip[0] << 8) | ip[1];
	res[2] = bpf_skb_load_bytes_relative(skb, 12, eth, sizeof(eth), BPF_HDR_START_MAC);
	res[3] = (eth[0] << 8) | eth[1];
	res[4] = bpf_skb_load_bytes_relative(skb, 9, net, sizeof(net), BPF_HDR_START_NET);
	res[5] = net[0];
	res[6] = bpf_skb_load_bytes(skb, skb->len - 2, far, sizeof(far));       /* -EFAULT */
	res[7] = far[0] | far[1] | far[2] | far[3];                            /* zeroed */
	res[8] = bpf_skb_load_bytes_relative(skb, 0, net, sizeof(net), 2);     /* bad base: -EFAULT */
	res[9] = bpf_skb_load_bytes_relative(skb, 0x10000, net, sizeof(net), BPF_HDR_START_MAC);
	res[10] = bpf_skb_load_bytes_relative(skb, skb->len + 13, net, sizeof(net), BPF_HDR_START_MAC); /* last byte */
	return skb->len;
}

/* tc: offset 0 is the Ethernet header. */
SEC("tc")
int h_skb_load_tc(struct __sk_buff *skb)
{
	__u8 eth[2] = {};

	if (bpf_skb_load_bytes(skb, 12, eth, sizeof(eth)))
		return -1;
	return (eth[0] << 8) | eth[1];
}

/* csum_diff: replace one 32-bit word, push-only and pull-only forms, bad sizes. */
SEC("tc")
int h_csum_diff(struct __sk_buff *skb)
{
	__be32 from[2] = { 0x11223344, 0x55667788 };
	__be32 to[2] = { 0x11223344, 0x99aabbcc };

	res[0] = bpf_csum_diff(from, sizeof(from), to, sizeof(to), 0);
	res[1] = bpf_csum_diff(0, 0, to, sizeof(to), 0x1234);
	res[2] = bpf_csum_diff(from, sizeof(from), 0, 0, 0x1234);
	res[3] = bpf_csum_diff(from, 4, to, 4, 0);
	res[4] = bpf_csum_diff(from, 6, to, 4, 0);                             /* -EINVAL */
	res[5] = bpf_csum_diff(from, sizeof(from), to, sizeof(to), 0xffffffff);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
