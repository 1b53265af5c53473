// perf_event_output from tc: slot errors (no event open, index beyond max_entries, bad flags)
// and packet bytes appended with BPF_F_CTX_LEN_MASK. Results in res[].
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(max_entries, 4); __uint(key_size, 4); __uint(value_size, 4); } events SEC(".maps");

long res[8];

SEC("tc")
int x_perf(struct __sk_buff *skb)
{
	__u64 v = 0x0102030405060708ULL;
	int i = 0;

	res[i++] = bpf_perf_event_output(skb, &events, BPF_F_CURRENT_CPU, &v, sizeof(v));
	res[i++] = bpf_perf_event_output(skb, &events, 5, &v, sizeof(v));                 /* -E2BIG */
	res[i++] = bpf_perf_event_output(skb, &events, 1ULL << 60, &v, sizeof(v));        /* -EINVAL */
	res[i++] = bpf_perf_event_output(skb, &events, BPF_F_CURRENT_CPU | (14ULL << 32), &v, 4);
	res[i++] = bpf_perf_event_output(skb, &events, BPF_F_CURRENT_CPU | (5000ULL << 32), &v, 4); /* -EFAULT */
	return i;
}

char LICENSE[] SEC("license") = "GPL";
