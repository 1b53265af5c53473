// SPDX-License-Identifier: MIT
/* A global subprogram with hidden (or internal) visibility is static to libbpf: it marks the
 * BTF FUNC static before the load, so the verifier checks it in each caller's context instead
 * of on its own (libbpf's mark_btf_static). libbpf's usdt.bpf.h relies on it: its
 * bpf_usdt_arg(ctx, n, long *res) stores through `res` without a NULL check. Found by the Linux
 * 6.1 selftest sweep (test_usdt.c, test_urandom_usdt.c). Expectations are the 6.18 host's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

__attribute__((visibility("hidden"))) __noinline int gh_hidden_store(long *res)
{
	*res = 7;
	return 1;
}

__noinline int gh_global_store(long *res)
{
	*res = 7;
	return 1;
}

SEC("tc")
__description("hidden global subprogram: verified in its caller's context")
__success __retval(8)
int gh_hidden(struct __sk_buff *skb)
{
	long v = 0;
	int r = gh_hidden_store(&v);

	return r + v;
}

SEC("tc")
__description("plain global subprogram: verified on its own, the pointer may be NULL")
__failure __msg("R1 invalid mem access 'mem_or_null'")
int gh_global(struct __sk_buff *skb)
{
	long v = 0;
	int r = gh_global_store(&v);

	return r + v;
}

char _license[] SEC("license") = "GPL";
