// SPDX-License-Identifier: MIT
/* Reads of kernel structs through BTF pointers near and past their ends (btf_struct_walk): past a
 * struct's size only into a flexible array member that ends it (unix_address's `struct
 * sockaddr_un name[]`, walked at the offset modulo the element's size), anything else is "access
 * beyond struct"; and the kernel types of the syscall tracepoints (syscall_trace_enter,
 * __kernel_timespec) and task_struct.task_works, which CO-RE relocations must find in the
 * runtime's BTF. Every verdict and message is the host kernel's
 * (test/fixtures/verifier-kernel/btf_tails.json). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

char _license[] SEC("license") = "GPL";

SEC("iter/unix")
__success
int flex_array_of_structs(struct bpf_iter__unix *ctx)
{
	struct unix_sock *u = ctx->unix_sk;
	struct unix_address *a;

	if (!u)
		return 0;
	a = u->addr;
	if (!a)
		return 0;
	/* name[0].sun_path[0]: byte 10 of an 8-byte struct */
	return a->name[0].sun_path[0] == 'x';
}

SEC("iter/unix")
__success
int flex_array_second_element(struct bpf_iter__unix *ctx)
{
	struct unix_sock *u = ctx->unix_sk;
	struct unix_address *a;

	if (!u)
		return 0;
	a = u->addr;
	if (!a)
		return 0;
	/* name[1].sun_family: 8 + 110 bytes in, the second element's first member */
	return a->name[1].sun_family == 1;
}

SEC("iter/unix")
__failure __msg("access beyond struct bpf_iter_meta at off 24 size 8")
int beyond_struct_without_tail(struct bpf_iter__unix *ctx)
{
	struct bpf_iter_meta *m = ctx->meta;

	return *(__u64 *)((void *)m + sizeof(*m)) != 0;
}

SEC("tp/syscalls/sys_enter_nanosleep")
__success
int syscall_record(struct syscall_trace_enter *ctx)
{
	struct __kernel_timespec *ts = (void *)ctx->args[0];
	long nsec = 0;

	if (ctx->nr != 35)
		return 0;
	if (bpf_probe_read_user(&nsec, sizeof(nsec), &ts->tv_nsec))
		return 0;
	return nsec == 1337;
}

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(task_works_walk, struct task_struct *task, u64 clone_flags)
{
	struct callback_head *work = task->task_works;

	return work && work->func;
}
