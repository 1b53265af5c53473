// What map-compat.ts must still accept: each map with the helpers it goes with, map constants
// in callee-saved registers and through branches, a sleepable program with array, hash, queue
// and ring buffer maps. Loads in the kernel; ebpfvm runs it (results in res[]).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } hash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 4); __type(value, __u32); } queue SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } ring SEC(".maps");

long res[8];

SEC("syscall")
int compat_ok(void *ctx)
{
	__u32 k = 1, v = 7;
	__u64 one = 1;
	void *m = res[7] ? (void *)&hash : (void *)&arr;
	int i = 0;

	res[i++] = bpf_map_update_elem(m, &k, &one, 0);
	res[i++] = bpf_map_push_elem(&queue, &v, 0);
	res[i++] = bpf_map_peek_elem(&queue, &v);
	res[i++] = bpf_map_pop_elem(&queue, &v);
	res[i++] = v;
	res[i++] = bpf_ringbuf_output(&ring, &v, sizeof(v), 0);
	res[i++] = bpf_ringbuf_query(&ring, BPF_RB_AVAIL_DATA);
	return i;
}

char LICENSE[] SEC("license") = "GPL";
