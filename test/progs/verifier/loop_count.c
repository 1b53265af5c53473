// SPDX-License-Identifier: MIT
/* bpf_loop with a known count: the verifier runs the callback at most that many times on a path
 * (check_helper_call's callback_depth against R1's umax), so a counter the callback increments
 * stays within the count. ebpfvm explored further iterations (the counter grew past the count and
 * the array index below was refused); the host 6.18 accepts both programs. */
#include "vmaps.h"

struct counter { __u64 i; };

static int bump(__u32 idx, struct counter *c)
{
	c->i++;
	return 0;
}

static int bump_ten(__u32 idx, struct counter *c)
{
	c->i += 10;
	return 0;
}

const volatile __u8 three[3] = { 1, 2, 3 };

SEC("raw_tp")
__description("loop count: two runs of the callback leave the counter at most 2")
__success
int two_runs(void *ctx)
{
	struct counter c = { .i = 0 };

	bpf_loop(2, bump, &c, 0);
	return three[c.i];
}

const volatile __u8 twelve[12] = { 0 };

SEC("raw_tp")
__description("loop count: one run of each of two loops")
__success
int one_run_each(void *ctx)
{
	struct counter c = { .i = 0 };

	bpf_loop(1, bump, &c, 0);
	bpf_loop(1, bump_ten, &c, 0);
	return twelve[c.i];
}

char _license[] SEC("license") = "GPL";
