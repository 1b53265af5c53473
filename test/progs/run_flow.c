// Flow dissector test runs: the frame from its Ethernet header, flow_keys reset before each run
// and clamped after it, returned as data_out.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__u32 runs;

SEC("flow_dissector")
int flow_ports(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;

	__u32 nhoff = keys->nhoff, thoff;

	runs++;
	if (nhoff > 64) /* bounded for the verifier's packet range tracking */
		return BPF_DROP;
	if (keys->n_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + nhoff;
		if ((void *)(ip + 1) > end)
			return BPF_DROP;
		keys->addr_proto = ETH_P_IP;
		keys->ip_proto = ip->protocol;
		keys->ipv4_src = ip->saddr;
		keys->ipv4_dst = ip->daddr;
		keys->thoff = keys->nhoff + ip->ihl * 4;
	} else if (keys->n_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + nhoff;
		if ((void *)(ip6 + 1) > end)
			return BPF_DROP;
		keys->addr_proto = ETH_P_IPV6;
		keys->ip_proto = ip6->nexthdr;
		__builtin_memcpy(keys->ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(keys->ipv6_dst, &ip6->daddr, 16);
		keys->thoff = keys->nhoff + sizeof(*ip6);
	} else {
		/* nonsense offsets: the kernel clamps them into the packet */
		keys->nhoff = 9000;
		keys->thoff = 1;
		return BPF_OK;
	}
	if (keys->ip_proto == 17) { /* UDP */
		thoff = keys->thoff;
		if (thoff > 128)
			return BPF_DROP;
		struct udphdr *udp = data + thoff;
		if ((void *)(udp + 1) > end)
			return BPF_DROP;
		keys->sport = udp->source;
		keys->dport = udp->dest;
	}
	keys->flow_label = keys->flags;
	return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
