// Target of the freplace tests (fr_ext.c replaces its global functions; see fr_funcs.h). Host
// results recorded with `node scripts/kernel-progs.mjs --record-object test/progs/fr_target.o`.
#include "fr_funcs.h"

int target_runs;
/* frozen .rodata: the verifier knows it is 0, so fr_unused is never called */
const volatile int fr_never;

__attribute__((noinline)) int fr_scale(struct __sk_buff *skb, int k)
{
	FR_ORIG_SCALE
}

__attribute__((noinline)) int fr_const(long v)
{
	FR_ORIG_CONST
}

__attribute__((noinline)) int fr_touch(struct __sk_buff *skb)
{
	FR_ORIG_TOUCH
}

/* static: an extension may not replace it */
static __attribute__((noinline)) int fr_static(int x)
{
	return x * 3 + target_runs;
}

/* global, but never called: the verifier removes it, so it cannot be replaced */
__attribute__((noinline)) int fr_unused(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("tc")
int fr_main(struct __sk_buff *skb)
{
	FR_MAIN_BODY
}

/* main replaced whole by fr_ext.c's new_main */
SEC("tc")
int fr_whole(struct __sk_buff *skb)
{
	return fr_static(skb->len) + (fr_never ? fr_unused(skb) : 0);
}

/* a cgroup_skb target: an extension returns within [0, 1] as the target must */
SEC("cgroup_skb/ingress")
int fr_cg(struct __sk_buff *skb)
{
	return fr_const(0) & 1;
}

char _license[] SEC("license") = "GPL";
