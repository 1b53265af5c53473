// SPDX-License-Identifier: MIT
/* The task and cgroup kfuncs under the verifier (verifier/kobj.ts): KF_RCU and KF_RELEASE
 * arguments must be non-NULL and trusted or rcu pointers, acquired references must be released
 * once, the struct must be the parameter's, the kfuncs are registered for the tracing, syscall,
 * tc, xdp and cgroup program types but not raw_tp; members keep trust only when the kernel lists
 * them (group_leader, real_parent, cgroup->kn), rcu pointers die at bpf_rcu_read_unlock and need
 * an rcu section in sleepable programs; kernel memory is read-only. Every verdict and message is
 * the host kernel's (test/fixtures/verifier-kernel/task_kfuncs.json). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"

struct task_stash {
	struct task_struct __kptr *task;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, struct task_stash);
	__uint(max_entries, 1);
} stash SEC(".maps");

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(acquire_arg_and_walks, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t;

	t = bpf_task_acquire(task);
	if (t)
		bpf_task_release(t);
	t = bpf_task_acquire(task->group_leader);
	if (t)
		bpf_task_release(t);
	t = bpf_task_acquire(task->real_parent);
	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("R1 must be a rcu pointer")
int BPF_PROG(acquire_untrusted_member, struct task_struct *task, u64 clone_flags)
{
	/* task->parent is not on the kernel's lists: walking to it loses trust */
	struct task_struct *t = bpf_task_acquire(task->parent);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("R1 must be referenced or trusted")
int BPF_PROG(release_rcu_pointer, struct task_struct *task, u64 clone_flags)
{
	bpf_task_release(task->real_parent);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("release kernel function bpf_task_release expects refcounted PTR_TO_BTF_ID")
int BPF_PROG(release_trusted_unreferenced, struct task_struct *task, u64 clone_flags)
{
	bpf_task_release(task);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("Possibly NULL pointer passed to trusted arg0")
int BPF_PROG(from_pid_unchecked, struct task_struct *task, u64 clone_flags)
{
	bpf_task_release(bpf_task_from_pid(1));
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("BPF_EXIT instruction in main prog would lead to reference leak")
int BPF_PROG(from_pid_leak, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_from_pid(1);

	return t != 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("arg#0 pointer type STRUCT task_struct must point to scalar, or struct with scalar")
int BPF_PROG(release_twice, struct task_struct *task, u64 clone_flags)
{
	struct task_struct *t = bpf_task_acquire(task);

	if (!t)
		return 0;
	bpf_task_release(t);
	bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("arg#0 pointer type STRUCT task_struct must point to scalar, or struct with scalar")
int BPF_PROG(acquire_stack, struct task_struct *task, u64 clone_flags)
{
	u64 word = 0;
	struct task_struct *t = bpf_task_acquire((struct task_struct *)&word);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
__failure __msg("kernel function bpf_task_acquire args#0 expected pointer to STRUCT task_struct but R1 has a pointer to STRUCT cgroup")
int BPF_PROG(acquire_wrong_struct, struct cgroup *cgrp, const char *path)
{
	struct task_struct *t = bpf_task_acquire((struct task_struct *)cgrp);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
__failure __msg("Possibly NULL pointer passed to trusted arg1")
int BPF_PROG(under_null_cgroup, struct cgroup *cgrp, const char *path)
{
	return bpf_task_under_cgroup(bpf_get_current_task_btf(), 0);
}

SEC("tp_btf/cgroup_mkdir")
__success
int BPF_PROG(cgroup_walks, struct cgroup *cgrp, const char *path)
{
	struct cgroup *c = bpf_cgroup_ancestor(cgrp, 0);
	long under;

	if (!c)
		return 0;
	under = bpf_task_under_cgroup(bpf_get_current_task_btf(), c);
	bpf_cgroup_release(c);
	c = bpf_cgroup_from_id(cgrp->kn->id);
	if (c)
		bpf_cgroup_release(c);
	return under;
}

SEC("raw_tp")
__failure __msg("calling kernel function bpf_task_from_pid is not allowed")
int from_pid_raw_tp(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("only read is supported")
int BPF_PROG(store_into_task, struct task_struct *task, u64 clone_flags)
{
	task->pid = 1;
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("bpf_probe_read_kernel() may write into memory pointed by R1 type=trusted_ptr_")
int BPF_PROG(helper_writes_task, struct task_struct *task, u64 clone_flags)
{
	bpf_probe_read_kernel(task->comm, 8, task->comm + 8);
	return 0;
}

SEC("syscall")
__failure __msg("R1 must be a rcu pointer")
int sleepable_no_rcu_section(void *ctx)
{
	/* syscall programs are sleepable: outside an rcu section real_parent is untrusted */
	struct task_struct *t = bpf_task_acquire(bpf_get_current_task_btf()->real_parent);

	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("syscall")
__failure __msg("R1 must be a rcu pointer")
int rcu_pointer_after_unlock(void *ctx)
{
	struct task_struct *p, *t;

	bpf_rcu_read_lock();
	p = bpf_get_current_task_btf()->real_parent;
	bpf_rcu_read_unlock();
	t = bpf_task_acquire(p);
	if (t)
		bpf_task_release(t);
	return 0;
}

SEC("syscall")
__success
int stash_and_take_back(void *ctx)
{
	struct task_struct *t;
	struct task_stash *v;
	int key = 0;

	v = bpf_map_lookup_elem(&stash, &key);
	if (!v)
		return 0;
	t = bpf_task_acquire(bpf_get_current_task_btf());
	if (!t)
		return 0;
	t = bpf_kptr_xchg(&v->task, t);
	if (t)
		bpf_task_release(t);
	bpf_rcu_read_lock();
	t = v->task;
	if (t) {
		t = bpf_task_acquire(t);
		if (t)
			bpf_task_release(t);
	}
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
__failure __msg("Possibly NULL pointer passed to trusted arg0")
int stashed_unchecked(void *ctx)
{
	struct task_stash *v;
	struct task_struct *t;
	int key = 0;

	v = bpf_map_lookup_elem(&stash, &key);
	if (!v)
		return 0;
	bpf_rcu_read_lock();
	t = bpf_task_acquire(v->task);
	bpf_rcu_read_unlock();
	if (t)
		bpf_task_release(t);
	return 0;
}

char _license[] SEC("license") = "GPL";
