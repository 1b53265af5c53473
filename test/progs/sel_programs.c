// Program selection (DESIGN section 5): asking for one program loads it even from a `?` section,
// with the object's __auxiliary programs and the prog_array `values` targets, and not its
// siblings; a map nobody loaded uses and ebpfvm cannot create (cgroup_array) is skipped.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 16);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} cgroups SEC(".maps");

SEC("?socket") int tail_target(void *ctx) { return 42; }

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = { [1] = (void *)&tail_target },
};

/* Asked for by name: counts its runs, then tail-calls slot `which` (42 from tail_target). */
SEC("?socket") int wanted(void *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&hits, &k);
	if (v)
		*v += 1;
	bpf_tail_call(ctx, &jumps, 1);
	return 7;
}

/* Loaded with every test program of the object, as the kernel's test loader does. */
SEC("socket") __auxiliary int helper_aux(void *ctx) { return 3; }

/* A sibling that cannot load here: its section names no program type. */
SEC("?weird/section") int broken_sibling(void *ctx) { return 1; }

/* A sibling that uses the map ebpfvm cannot create. */
SEC("?socket") int uses_cgroups(void *ctx)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&cgroups, &k) != 0;
}

char LICENSE[] SEC("license") = "GPL";
