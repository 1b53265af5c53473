// SPDX-License-Identifier: MIT
/* Helper calls the kernel refuses where its walk reaches them (check_helper_call), not at load: a
 * call a program type may not make, behind a read-only global the verifier knows is 0, is dead
 * code to the verifier and the program loads and runs (libbpf's feature-gating pattern); the same
 * call on a path the walk takes is refused, after the instructions walked before it. Each verdict
 * is the host kernel's (scripts/record-verifier.mjs keeps its logs). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

const volatile int store_allowed = 0;

SEC("socket")
__description("dead helper calls: bpf_skb_store_bytes behind a read-only 0 in a socket filter loads")
__success __retval(7)
int dead_store(struct __sk_buff *skb)
{
	char b = 1;

	if (store_allowed)
		return bpf_skb_store_bytes(skb, 0, &b, 1, 0);
	return 7;
}

SEC("socket")
__description("dead helper calls: the same call reached is refused")
__failure __msg("program of this type cannot use helper bpf_skb_store_bytes#9")
int live_store(struct __sk_buff *skb)
{
	char b = 1;

	if (skb->len > 1000)
		return bpf_skb_store_bytes(skb, 0, &b, 1, 0);
	return 7;
}

char _license[] SEC("license") = "GPL";
