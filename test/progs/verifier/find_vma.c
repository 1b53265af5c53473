// SPDX-License-Identifier: MIT
/* bpf_find_vma (180): a callback helper whose callback gets the task, the vm_area_struct and the
 * context, and returns 0 or 1 (set_find_vma_callback_state). 6.18 gives it, bpf_get_task_stack
 * and bpf_copy_from_user to every program type with CAP_PERFMON (bpf_base_func_proto).
 * Expectations are the 6.18 host's (test/fixtures/verifier-kernel/find_vma.json). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

char _license[] SEC("license") = "GPL";

struct task_struct;
struct vm_area_struct;
static long (*find_vma)(struct task_struct *task, __u64 addr, void *callback_fn, void *callback_ctx, __u64 flags) = (void *)180;
static struct task_struct *(*get_current_task_btf)(void) = (void *)158;

static long cb_ok(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	*(int *)data += 1;
	return 0;
}

static long cb_two(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	return 2;
}

SEC("raw_tp")
__description("find_vma: the callback writes the context, returns 0")
__success
int find_vma_ok(void *ctx)
{
	int n = 0;

	find_vma(get_current_task_btf(), 0x1000, cb_ok, &n, 0);
	return n;
}

SEC("raw_tp")
__description("find_vma: the callback returns 0 or 1")
__failure __msg("At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]")
int find_vma_ret(void *ctx)
{
	int n = 0;

	find_vma(get_current_task_btf(), 0x1000, cb_two, &n, 0);
	return 0;
}

SEC("tc")
__description("find_vma: any program type")
__success
int find_vma_tc(struct __sk_buff *skb)
{
	int n = 0;

	find_vma(get_current_task_btf(), 0x1000, cb_ok, &n, 0);
	return 0;
}

static long (*get_task_stack)(struct task_struct *task, void *buf, __u32 size, __u64 flags) = (void *)141;
static long (*copy_from_user)(void *dst, __u32 size, const void *user_ptr) = (void *)148;

SEC("socket")
__description("get_task_stack: any program type, a task pointer; not without CAP_PERFMON")
__failure __msg("R1 type=scalar expected=ptr_, trusted_ptr_, rcu_ptr_")
__failure_unpriv __msg_unpriv("program of this type cannot use helper bpf_get_task_stack#141")
int task_stack_socket(struct __sk_buff *skb)
{
	char buf[16];

	return get_task_stack((void *)0, buf, sizeof(buf), 0) & 0;
}

SEC("tc")
__description("copy_from_user: any program type, but it might sleep")
__failure __msg("helper call might sleep in a non-sleepable prog")
int copy_tc(struct __sk_buff *skb)
{
	char buf[16];

	return copy_from_user(buf, sizeof(buf), (void *)0x1000) & 0;
}
