// bpf_map_lookup_percpu_elem (195) on per-CPU array and hash maps: another CPU's copy of a value,
// NULL for a CPU at or past nr_cpu_ids (2 on the recording host and in the fixture test's
// runtime) and for a missing key. The program updates the running CPU's copy (CPU 0: the kernel
// side is recorded pinned to it) and reads each CPU's copy back. Found by the Linux 6.1 selftest
// sweep (test_map_lookup_percpu_elem.c). Host results: test/fixtures/kernel-progs-local/h_percpu_lookup.json.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} pl_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pl_hash SEC(".maps");

SEC("tc")
int percpu_lookup(struct __sk_buff *skb)
{
	__u32 k = 1, out = 5, hk = 3, missing = 4;
	__u64 v = 77, hv = 9, *p;
	int res = 0;

	bpf_map_update_elem(&pl_array, &k, &v, 0);
	p = bpf_map_lookup_percpu_elem(&pl_array, &k, 0);
	if (p)
		res += *p;                 /* 77: this CPU's copy */
	p = bpf_map_lookup_percpu_elem(&pl_array, &k, 1);
	if (p)
		res += 1000 + *p;          /* 1000: CPU 1's copy is zero */
	if (!bpf_map_lookup_percpu_elem(&pl_array, &k, 2))
		res += 10000;              /* past nr_cpu_ids */
	if (!bpf_map_lookup_percpu_elem(&pl_array, &out, 0))
		res += 100000;             /* past max_entries */
	bpf_map_update_elem(&pl_hash, &hk, &hv, 0);
	p = bpf_map_lookup_percpu_elem(&pl_hash, &hk, 0);
	if (p)
		res += *p * 1000000;       /* 9000000 */
	p = bpf_map_lookup_percpu_elem(&pl_hash, &hk, 1);
	if (p)
		res += 20000000 + *p;      /* CPU 1's copy of the new element is zero */
	if (!bpf_map_lookup_percpu_elem(&pl_hash, &missing, 0))
		res += 300000000;
	if (!bpf_map_lookup_percpu_elem(&pl_hash, &hk, 7))
		res += 1000000000;
	return res;
}

char _license[] SEC("license") = "GPL";
