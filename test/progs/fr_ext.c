// Extension (freplace) programs for fr_target.c (see fr_funcs.h): the ones fr_main runs with, the
// replacement of a whole main program, and ones the kernel refuses (autoload off; each test
// selects the one it loads), with the kernel's log lines asserted in test/run/freplace.test.ts.
#include "fr_funcs.h"

FR_EXT_GLOBALS

SEC("freplace/fr_scale")
int new_scale(struct __sk_buff *skb, int k)
{
	FR_EXT_SCALE
}

SEC("freplace/fr_const")
int new_const(long v)
{
	FR_EXT_CONST
}

SEC("freplace/fr_touch")
int new_touch(struct __sk_buff *skb)
{
	FR_EXT_TOUCH
}

/* replaces fr_whole (its section names no function: the caller gives it) */
SEC("freplace")
int new_main(struct __sk_buff *skb)
{
	FR_EXT_WHOLE
}

/* refused: one argument where fr_scale has two */
SEC("?freplace/fr_scale")
int bad_nargs(struct __sk_buff *skb)
{
	return 0;
}

/* refused: a pointer to another struct than fr_scale's */
SEC("?freplace/fr_scale")
int bad_struct(struct xdp_md *ctx, int k)
{
	return k;
}

/* refused: a 64-bit argument where fr_scale's is 32-bit */
SEC("?freplace/fr_scale")
int bad_size(struct __sk_buff *skb, long k)
{
	return k;
}

enum fr_answer { FR_NO, FR_YES };

/* refused: an enum returned where fr_const returns an int */
SEC("?freplace/fr_const")
enum fr_answer bad_ret(long v)
{
	return v ? FR_YES : FR_NO;
}

/* refused: fr_static is static */
SEC("?freplace/fr_static")
int new_static(int x)
{
	return x;
}

/* refused: fr_unused is dead code in the verified target */
SEC("?freplace/fr_unused")
int new_unused(struct __sk_buff *skb)
{
	return 0;
}

/* refused: changes packet data where fr_touch does not */
SEC("?freplace/fr_touch")
int pull_touch(struct __sk_buff *skb)
{
	return bpf_skb_pull_data(skb, 0);
}

/* refused when replacing fr_cg's fr_const: a cgroup_skb program returns 0 or 1 */
SEC("?freplace/fr_const")
int wide_const(long v)
{
	return 2;
}

/* refused: reads the context past __sk_buff's fields, checked as the target's type */
SEC("?freplace/fr_touch")
int bad_ctx(struct __sk_buff *skb)
{
	return *(int *)((char *)skb + 200);
}

extern void bpf_throw(__u64 cookie) __ksym;

static __attribute__((noinline)) int fr_throw_deep(long v)
{
	if (v == 41)
		bpf_throw(v + ext_seed);
	return v;
}

/* throws from a nested call with the default exception callback: fr_const() returns the cookie */
SEC("?freplace/fr_const")
int throw_const(long v)
{
	return fr_throw_deep(v) + 1000;
}

__attribute__((noinline)) int fr_ext_cb(__u64 cookie)
{
	return cookie * 2 + ext_bias;
}

/* throws with its own exception callback: fr_const() returns fr_ext_cb(cookie) */
SEC("?freplace/fr_const")
__attribute__((btf_decl_tag("exception_callback:fr_ext_cb")))
int throw_const_cb(long v)
{
	return fr_throw_deep(v) + 2000;
}

char _license[] SEC("license") = "GPL";
