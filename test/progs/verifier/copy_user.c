// SPDX-License-Identifier: MIT
/* bpf_copy_from_user and bpf_copy_from_user_task: sleepable programs only (the kernel's
 * might_sleep), the task a trusted task_struct, a global function's arg:trusted of a CO-RE
 * flavor (task_struct___local) taken as the kernel's task_struct (as 6.12's
 * verifier_global_ptr_args.c flavor_ptr_*). Expectations are the 6.18 host's
 * (test/fixtures/verifier-kernel/copy_user.json). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

#define __arg_trusted __attribute__((btf_decl_tag("arg:trusted")))
#define __arg_nullable __attribute__((btf_decl_tag("arg:nullable")))

char _license[] SEC("license") = "GPL";

struct task_struct;
struct task_struct___local {
	int pid;
} __attribute__((preserve_access_index));

static long (*copy_from_user)(void *dst, __u32 size, const void *user_ptr) = (void *)148;
static long (*copy_from_user_task)(void *dst, __u32 size, const void *user_ptr, struct task_struct *tsk, __u64 flags) = (void *)191;
static struct task_struct *(*get_current_task_btf)(void) = (void *)158;

SEC("uprobe.s")
__description("copy_from_user in a sleepable program")
__success
int copy_sleepable(void *ctx)
{
	char buf[16];

	return copy_from_user(buf, sizeof(buf), (void *)0x1000);
}

SEC("uprobe")
__description("copy_from_user might sleep")
__failure __msg("helper call might sleep in a non-sleepable prog")
int copy_not_sleepable(void *ctx)
{
	char buf[16];

	return copy_from_user(buf, sizeof(buf), (void *)0x1000);
}

SEC("uprobe.s")
__description("copy_from_user_task of the current task")
__success
int copy_task(void *ctx)
{
	char buf[16];

	return copy_from_user_task(buf, sizeof(buf), (void *)0x1000, get_current_task_btf(), 0);
}

SEC("uprobe.s")
__description("copy_from_user_task wants a task pointer")
__failure __msg("R4 type=scalar expected=ptr_")
int copy_task_scalar(void *ctx)
{
	char buf[16];

	return copy_from_user_task(buf, sizeof(buf), (void *)0x1000, (void *)0x1000, 0);
}

__weak int flavor_arg(struct task_struct___local *task __arg_trusted __arg_nullable)
{
	char buf[16];

	if (!task)
		return 0;
	return copy_from_user_task(&buf, sizeof(buf), (void *)0, (void *)task, 0);
}

SEC("uprobe.s")
__description("a trusted global argument of a flavored struct is the kernel's struct")
__success __log_level(2) __msg("R1=trusted_ptr_or_null_task_struct(")
int flavor_caller(void *ctx)
{
	return flavor_arg((void *)get_current_task_btf());
}
