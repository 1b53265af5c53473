// The kernel's view of a test run's skb (test/helpers/kskb.test.ts): bpf_cast_to_kern_ctx gives
// the sk_buff laid over the __sk_buff, whose kernel-only fields (data, data_len, ip_summed,
// csum_start, sk, head) hold what a linear test-run skb has, data following the packet as a
// helper moves it; tracing programs hand skb->sk (an rcu pointer, maybe NULL) to
// bpf_sk_storage_get.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

void *bpf_cast_to_kern_ctx(void *) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, 1); /* BPF_F_NO_PREALLOC */
	__type(key, int);
	__type(value, long);
} stg SEC(".maps");

long headroom, data_len, ip_summed, csum_start, has_sk, data_ok, data_ok_after, stg_null;

SEC("tc")
int kskb(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	headroom = k->data - k->head;
	data_len = k->data_len;
	ip_summed = k->ip_summed;
	csum_start = k->csum_start;
	has_sk = k->sk != 0;
	barrier_var(skb);
	data_ok = (long)k->data == (long)skb->data;
	/* more than the 64 bytes of headroom: the packet moves */
	if (bpf_skb_change_head(skb, 128, 0))
		return 1;
	barrier_var(skb);
	data_ok_after = (long)k->data == (long)skb->data;
	return 0;
}

SEC("tp_btf/tcp_bad_csum")
int BPF_PROG(bad_csum, const struct sk_buff *skb)
{
	stg_null = bpf_sk_storage_get(&stg, skb->sk, 0, 0) == 0;
	return 0;
}
