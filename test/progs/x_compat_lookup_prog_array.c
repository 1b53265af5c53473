// Load-time refusal (helpers/map-compat.ts): a prog_array passed to bpf_map_lookup_elem (the map
// side of the check: prog_array only goes with bpf_tail_call).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 4); } progs SEC(".maps");

SEC("tc")
int lookup_prog_array(struct __sk_buff *skb)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&progs, &k) != 0;
}

char LICENSE[] SEC("license") = "GPL";
