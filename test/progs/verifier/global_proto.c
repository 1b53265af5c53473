// SPDX-License-Identifier: MIT
/* A global function's prototype is checked at its first call (btf_check_subprog_call ->
 * btf_prepare_func_args), before its body: a void return, or a pointer argument to a type
 * without a size (a forward declaration, void), refuses the call. Found by the Linux 6.1
 * selftest sweep (test_global_func7.c, test_global_func14.c). Expectations are the 6.18 host's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct gp_opaque;

__noinline void gp_void(struct __sk_buff *skb)
{
	skb->mark = 1;
}

__noinline int gp_fwd(const struct gp_opaque *s)
{
	return s ? *(const int *)s : 0;
}

__noinline int gp_voidp(void *p)
{
	return p != 0;
}

__noinline int gp_int(int *p)
{
	return p ? *p : 0;
}

SEC("tc")
__description("global prototype: a void return refuses the call")
__failure __msg("Global function gp_void() doesn't return scalar. Only those are supported.")
__msg("Caller passes invalid args into func#1 ('gp_void')")
int gp_call_void(struct __sk_buff *skb)
{
	gp_void(skb);
	return 0;
}

SEC("tc")
__description("global prototype: a pointer to a forward-declared struct")
__failure __msg("arg#0 reference type('FWD gp_opaque') size cannot be determined: -22")
__msg("Caller passes invalid args into func#1 ('gp_fwd')")
int gp_call_fwd(struct __sk_buff *skb)
{
	/* a pointer clang cannot fold the call away for */
	return gp_fwd((const struct gp_opaque *)(long)skb->mark);
}

SEC("tc")
__description("global prototype: a void pointer")
__failure __msg("arg#0 reference type('UNKNOWN ') size cannot be determined: -22")
int gp_call_voidp(struct __sk_buff *skb)
{
	return gp_voidp((void *)(long)skb->mark);
}

SEC("tc")
__description("global prototype: a sized pointer is fine")
__success __retval(64)
int gp_call_int(struct __sk_buff *skb)
{
	int len = skb->len;

	return gp_int(&len);
}

char _license[] SEC("license") = "GPL";
