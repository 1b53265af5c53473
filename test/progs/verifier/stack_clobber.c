// SPDX-License-Identifier: MIT
/* Stack memory passed where it may be written (a global function's pointer argument, a helper's
 * MEM_WRITE argument such as bpf_check_mtu's mtu_len, a kfunc's memory argument) holds an unknown
 * value after the call: the zero or the spilled constant stored before it is gone (6.18's clobber
 * in check_stack_range_initialized). A verifier that kept the old value would prune the branch
 * that reads the new one as dead and accept what the kernel refuses. Expectations are the 6.18
 * host's (test/fixtures/verifier-kernel/stack_clobber.json). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

char _license[] SEC("license") = "GPL";

__noinline int sc_set_one(int *p)
{
	if (p)
		*p = 1;
	return 0;
}

SEC("tc")
__description("stack clobber: a global function may write the zero its caller stored")
__failure __msg("invalid mem access 'scalar'")
int global_writes_zero(struct __sk_buff *skb)
{
	int x = 0;

	sc_set_one(&x);
	if (x == 1)
		return *(volatile int *)(long)x;
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
} sc_arr SEC(".maps");

SEC("tc")
__description("stack clobber: a read-only use keeps the zero (bpf_map_lookup_elem's key; 6.12 clobbered it too)")
__success __retval(0)
int readonly_keeps_zero(struct __sk_buff *skb)
{
	int key = 0;

	bpf_map_lookup_elem(&sc_arr, &key);
	if (key == 1)
		return *(volatile int *)(long)key;
	return 0;
}

SEC("tc")
__description("stack clobber: bpf_check_mtu writes mtu_len")
__failure __msg("invalid mem access 'scalar'")
int helper_writes_zero(struct __sk_buff *skb)
{
	__u32 mtu = 0;

	bpf_check_mtu(skb, 0, &mtu, 0, 0);
	if (mtu == 7)
		return *(volatile int *)(long)mtu;
	return 0;
}
