// SPDX-License-Identifier: MIT
/* Global functions' arg:trusted parameters (btf_prepare_func_args): the function gets a trusted
 * BTF pointer (maybe NULL with arg:nullable) and a caller must pass a pointer to the same struct,
 * not NULL unless nullable. Expectations are the 6.18 host's. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

#define __tag_trusted __attribute__((btf_decl_tag("arg:trusted")))
#define __tag_nullable __attribute__((btf_decl_tag("arg:nullable")))

__weak int at_pid(struct task_struct *t __tag_trusted)
{
	return t->pid;
}

__weak int at_pid_or_zero(struct task_struct *t __tag_trusted __tag_nullable)
{
	return t ? t->pid : 0;
}

SEC("?tp_btf/task_newtask")
__description("arg trusted: the current task passes, the function reads its pid")
__success __log_level(2)
__msg("Validating at_pid() func#1...")
__msg(": R1=trusted_ptr_task_struct(id=1)")
int trusted_current(void *ctx)
{
	return at_pid(bpf_get_current_task_btf());
}

SEC("?tp_btf/task_newtask")
__description("arg trusted: arg:nullable takes NULL and sees a maybe-NULL pointer")
__success __log_level(2)
__msg(": R1=trusted_ptr_or_null_task_struct(id=")
int trusted_nullable(void *ctx)
{
	return at_pid_or_zero(0) + at_pid_or_zero(bpf_get_current_task_btf());
}

SEC("?tp_btf/task_newtask")
__description("arg trusted: NULL without arg:nullable is refused")
__failure
__msg("R1 must be referenced or trusted")
__msg("Caller passes invalid args into func#1 ('at_pid')")
int trusted_given_null(void *ctx)
{
	return at_pid(0);
}

char _license[] SEC("license") = "GPL";
