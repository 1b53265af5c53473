// bpf_csum_level on a test run's skb (CHECKSUM_NONE at first): query, increment past the maximum
// level, decrement back to CHECKSUM_NONE, reset, and an unknown level. Host results recorded with
// `node scripts/kernel-progs.mjs --record-object test/progs/run_csum_level.o`.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int csum_level(struct __sk_buff *skb)
{
	long q0 = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	long q1, q2, q3, bad;
	int i;

	bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	q1 = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	for (i = 0; i < 5; i++)
		bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	q2 = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_DEC);
	q3 = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	bpf_csum_level(skb, BPF_CSUM_LEVEL_RESET);
	bad = bpf_csum_level(skb, 7);
	return (q0 + 100) + q1 * 1000 + q2 * 10000 + q3 * 100000 + (bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY) + 100) * 1000000 + (bad + 100) * 100000000L;
}

char _license[] SEC("license") = "GPL";
