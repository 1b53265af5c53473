// Load-time refusal (helpers/map-compat.ts): a socket filter naming a map whose value holds a
// bpf_spin_lock.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct locked { struct bpf_spin_lock lock; __u32 n; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct locked); } locked SEC(".maps");

SEC("socket")
int socket_lock(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct locked *v = bpf_map_lookup_elem(&locked, &k);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->n++;
	bpf_spin_unlock(&v->lock);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
