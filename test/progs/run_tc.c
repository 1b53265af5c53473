// tc test runs: the packet from the Ethernet header with direct packet access, packet writes
// accumulating over repeat, the tc write whitelist (mark, priority, tc_index, cb), a hash map.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} proto_bytes SEC(".maps");

__u32 last_len = 1;

/* Increments the IPv4 TTL each run and returns the new TTL. */
SEC("tc")
int tc_ttl(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	__u8 *ttl = data + ETH_HLEN + 8;
	if ((void *)(ttl + 1) > end)
		return 2; /* TC_ACT_SHOT */
	*ttl += 1;
	return *ttl;
}

/* Writes the fields tc may write; mark accumulates with repeat. */
SEC("tc")
int tc_fields(struct __sk_buff *skb)
{
	skb->mark += 1;
	skb->priority = 7;
	skb->tc_index = 3;
	skb->cb[1] = skb->len;
	last_len = skb->len;
	return skb->len + (skb->protocol << 16) + (skb->ingress_ifindex << 12);
}

/* Sums bytes per ethertype in a hash map; returns the running total. */
SEC("tc")
int tc_count(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return 0;
	__u32 key = bpf_ntohs(eth->h_proto);
	__u64 one = skb->len, *v = bpf_map_lookup_elem(&proto_bytes, &key);
	if (v) {
		*v += skb->len;
		return *v;
	}
	bpf_map_update_elem(&proto_bytes, &key, &one, BPF_NOEXIST);
	return one;
}

char LICENSE[] SEC("license") = "GPL";
