// SPDX-License-Identifier: MIT
/* Packet pointers across a call to a global function (checked apart from its caller, so its body
 * is not seen): one that may move the packet data, by a helper such as bpf_skb_pull_data, by a tail
 * call or through a function it calls, invalidates the caller's packet pointers (check_cfg's
 * changes_pkt_data); a direct tail call does not (it returns only when it failed). Expectations are
 * the 6.18 host's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} pg_jumps SEC(".maps");

__noinline long pg_pull(struct __sk_buff *skb) { return bpf_skb_pull_data(skb, 0); }
__noinline long pg_pull_outer(struct __sk_buff *skb) { return pg_pull(skb) + 1; }
__noinline long pg_tail(struct __sk_buff *skb) { bpf_tail_call_static(skb, &pg_jumps, 0); return 0; }
__noinline long pg_quiet(struct __sk_buff *skb) { return skb->len; }

#define PKT_PROG(NAME, CALL) \
int NAME(struct __sk_buff *skb) \
{ \
	int *p = (void *)(long)skb->data; \
	if ((void *)(p + 1) > (void *)(long)skb->data_end) \
		return 2; \
	CALL; \
	*p = 42; \
	return 0; \
}

SEC("tc") __description("pkt global: a global function that pulls the packet, two calls deep")
__failure __msg("invalid mem access 'scalar'")
PKT_PROG(pull_two_deep, pg_pull_outer(skb))

SEC("tc") __description("pkt global: a global function that tail-calls")
__failure __msg("invalid mem access 'scalar'")
PKT_PROG(tail_in_global, pg_tail(skb))

SEC("tc") __description("pkt global: a direct tail call keeps the packet pointers")
__success __retval(0)
PKT_PROG(direct_tail, bpf_tail_call_static(skb, &pg_jumps, 0))

SEC("tc") __description("pkt global: a global function that leaves the packet alone")
__success __retval(0)
PKT_PROG(quiet_global, pg_quiet(skb))

char _license[] SEC("license") = "GPL";
