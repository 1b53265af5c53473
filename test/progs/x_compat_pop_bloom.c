// Load-time refusal (helpers/map-compat.ts): a bloom filter passed to bpf_map_pop_elem.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 16); __type(value, __u32); } bloom SEC(".maps");

SEC("tc")
int pop_bloom(struct __sk_buff *skb)
{
	__u32 v = 0;

	return bpf_map_pop_elem(&bloom, &v);
}

char LICENSE[] SEC("license") = "GPL";
