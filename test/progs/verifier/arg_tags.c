// SPDX-License-Identifier: MIT
/* Global functions' argument tags (btf_prepare_func_args' 'arg:' decl tags): arg:ctx makes any
 * pointer parameter the program's context, arg:nonnull takes NULL away from a memory argument,
 * so the function may use it without a check. Expectations are
 * the 6.18 host's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

#define __tag_ctx __attribute__((btf_decl_tag("arg:ctx")))
#define __tag_nonnull __attribute__((btf_decl_tag("arg:nonnull")))

/* A void * tagged as the context: the callee reads __sk_buff's len through it. */
__noinline int at_len(void *ctx __tag_ctx)
{
	return ((struct __sk_buff *)ctx)->len;
}

/* An int * that may not be NULL: read without a check. */
__noinline int at_deref(int *p __tag_nonnull)
{
	return *p;
}

/* Untagged: the pointer may be NULL, so reading it unchecked is refused. */
__noinline int at_deref_nullable(int *p)
{
	return *p;
}

SEC("socket")
__description("arg tags: a void * tagged arg:ctx is the context")
__success __retval(0)
int ctx_tag(struct __sk_buff *skb)
{
	return at_len(skb) & 0;
}

SEC("socket")
__description("arg tags: an arg:nonnull pointer is read without a NULL check")
__success __retval(7)
int nonnull_tag(struct __sk_buff *skb)
{
	int x = 7;

	return at_deref(&x);
}

SEC("socket")
__description("arg tags: an untagged pointer parameter may be NULL")
__failure __msg("invalid mem access 'mem_or_null'")
int untagged_may_be_null(struct __sk_buff *skb)
{
	int x = 7;

	return at_deref_nullable(&x);
}

char _license[] SEC("license") = "GPL";
