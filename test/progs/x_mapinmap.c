// array_of_maps and hash_of_maps: lookups give inner maps the program then uses as maps.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); };
struct inner in_a SEC(".maps"), in_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = { .values = { [0] = &in_a, [2] = &in_b } };

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer_hash SEC(".maps") = { .values = { [1] = &in_b } };

long res[8];

SEC("tc")
int x_mapinmap(struct __sk_buff *skb)
{
	__u32 k0 = 0, k1 = 1, k2 = 2;
	__u64 *v;
	void *m;

	m = bpf_map_lookup_elem(&outer, &k0);
	res[0] = m != 0;
	if (m) {
		v = bpf_map_lookup_elem(m, &k1);
		if (v)
			*v += 5;              /* in_a[1] */
	}
	m = bpf_map_lookup_elem(&outer, &k1);
	res[1] = m != 0;              /* empty slot: NULL */
	m = bpf_map_lookup_elem(&outer, &k2);
	if (m) {
		__u64 val = 33;
		res[2] = bpf_map_update_elem(m, &k0, &val, BPF_ANY);   /* in_b[0] = 33 */
	}
	m = bpf_map_lookup_elem(&outer_hash, &k1);
	if (m) {
		v = bpf_map_lookup_elem(m, &k0);
		res[3] = v ? *v : -1;     /* 33, via the same inner map */
	}
	m = bpf_map_lookup_elem(&outer_hash, &k0);
	res[4] = m != 0;              /* absent key: NULL */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
