// Map definitions as newer libbpf writes them: BPF_F_PRESERVE_ELEMS on a perf event array, and
// map_extra (the bloom filter's number of hash functions) as __uint here, as libbpf's __ulong (an
// anonymous one-enumerator enum) in lim_ulong.c, which includes this file: the host's libbpf 1.1
// cannot open __ulong, so the kernel fixture is recorded from this one. The perf event array is only created (a test run has
// no perf event open, ebpfvm's runs do, so output results differ by design).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef __ulong
#define __ulong_cat(a, b) a##b
#define __ulong_name(n) __ulong_cat(__unique_value, n)
#define __ulong(name, val) enum { __ulong_name(__COUNTER__) = val } name
#endif

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(map_flags, BPF_F_PRESERVE_ELEMS);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 16);
	__type(value, __u32);
#ifdef LIM_ULONG
	__ulong(map_extra, 3);
#else
	__uint(map_extra, 3);
#endif
} seen SEC(".maps");

int push_ret, peek_hit, peek_miss;

SEC("tc")
int maps_extra(struct __sk_buff *skb)
{
	__u32 v = skb->len, w = skb->len + 1;

	push_ret = bpf_map_push_elem(&seen, &v, 0);
	peek_hit = bpf_map_peek_elem(&seen, &v);
	peek_miss = bpf_map_peek_elem(&seen, &w);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
