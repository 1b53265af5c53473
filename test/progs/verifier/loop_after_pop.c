// SPDX-License-Identifier: MIT
/* An infinite loop found on a branch the verifier comes back to (test_verifier's "calls:
 * conditional call 6"): the fall-through path ends first, the log is rewound to the jump that
 * pushed the branch, and the loop is reported there. Expectations are the 6.18 host's
 * (test/fixtures/verifier-kernel/loop_after_pop.json). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

char _license[] SEC("license") = "GPL";

static __naked __noinline __attribute__((used)) int lap_mark(void)
{
	asm volatile ("					\
	r0 = *(u32 *)(r1 + 8);				\
	exit;						\
"	::: __clobber_all);
}

SEC("tc")
__description("infinite loop after a pop, log level 1")
__failure __log_level(1) __msg("infinite loop detected at insn 1")
__naked void lap_level1(void)
{
	asm volatile ("					\
	r6 = r1;					\
l0_%=:	r1 = r6;					\
	call lap_mark;					\
	if r0 == 0 goto l0_%=;				\
	exit;						\
"	::: __clobber_all);
}

SEC("tc")
__description("infinite loop after a pop, log level 2")
__failure __log_level(2) __msg("infinite loop detected at insn 1")
__naked void lap_level2(void)
{
	asm volatile ("					\
	r6 = r1;					\
l0_%=:	r1 = r6;					\
	call lap_mark;					\
	if r0 == 0 goto l0_%=;				\
	exit;						\
"	::: __clobber_all);
}
