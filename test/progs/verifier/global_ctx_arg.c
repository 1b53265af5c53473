// SPDX-License-Identifier: MIT
/* A global function's context argument must be the context itself: btf_check_func_arg_match
 * checks the register's offset (check_func_arg_reg_off) before its type, so a ctx pointer moved
 * off its start is refused at the call. Found by the Linux 6.1 selftest sweep
 * (test_global_func6.c, where a static subprogram passes `skb + 1` on). Expectations are the
 * 6.18 host's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

__noinline int gca_len(struct __sk_buff *skb)
{
	return skb ? skb->len : 0;
}

SEC("tc")
__description("global ctx arg: the context itself")
__success __retval(64)
int gca_ctx(struct __sk_buff *skb)
{
	return gca_len(skb);
}

SEC("tc")
__description("global ctx arg: a ctx pointer moved by a constant is refused")
__failure __msg("dereference of modified ctx ptr R1 off=8 disallowed")
__msg("Caller passes invalid args into func#1 ('gca_len')")
__naked void gca_ctx_moved(void)
{
	asm volatile ("r1 += 8;" "call gca_len;" "exit;"
		::: __clobber_all);
}

SEC("tc")
__description("global ctx arg: a ctx pointer moved back is refused")
__failure __msg("negative offset ctx ptr R1 off=-4 disallowed")
__naked void gca_ctx_negative(void)
{
	asm volatile ("r1 += -4;" "call gca_len;" "exit;"
		::: __clobber_all);
}

/* btf_is_prog_ctx_type: a kprobe's context may also be typed `struct bpf_user_pt_regs_t` (the
 * selftests' stand-in for the arch typedef, matched by name; test_global_func_ctx_args.c). */
struct bpf_user_pt_regs_t {};
char gca_stack[256];

__noinline int gca_kprobe_stack(struct bpf_user_pt_regs_t *ctx)
{
	return bpf_get_stack(ctx, gca_stack, sizeof(gca_stack), 0);
}

SEC("?kprobe")
__description("global ctx arg: a kprobe ctx typed struct bpf_user_pt_regs_t")
__success
int gca_kprobe_user_pt_regs(void *ctx)
{
	return gca_kprobe_stack(ctx);
}

char _license[] SEC("license") = "GPL";
