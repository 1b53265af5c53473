// Load-time refusal (helpers/map-compat.ts): bpf_tail_call with a hash map.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } notprogs SEC(".maps");

SEC("tc")
int tail_hash(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &notprogs, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
