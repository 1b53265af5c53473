// Load-time refusal (helpers/map-compat.ts): an array passed to bpf_ringbuf_output (helper
// side), the map constant moved through a callee-saved register first.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");

SEC("tc")
int output_array(struct __sk_buff *skb)
{
	__u64 v = skb->len;
	void *m = &arr;

	asm volatile("" : "+r"(m));
	bpf_map_lookup_elem(m, &v);
	return bpf_ringbuf_output(m, &v, sizeof(v), 0);
}

char LICENSE[] SEC("license") = "GPL";
