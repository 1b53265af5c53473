// The task and cgroup kfuncs at run time, as syscall programs the kernel test-runs (the kernel
// selftests' task_kfunc_success.c / cgrp_kfunc_success.c run from tp_btf hooks a fork or mkdir
// triggers, which a test run cannot reach). Each program returns a bit set or a difference that
// holds on any kernel, whatever the pids and the cgroup of the process running the test: the host
// kernel's results are recorded with
// `node scripts/kernel-progs.mjs --record-object test/progs/kfunc/kf_task.o` and ebpfvm must give
// the same ones with its default task model (test/agreement) and with described tasks and
// cgroups (test/kfunc/task-kfuncs.test.ts).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* uapi enum values ebpfvm's vmlinux.h does not carry */
#define BPF_F_NO_PREALLOC 1
#define BPF_LOCAL_STORAGE_GET_F_CREATE 1

struct task_stash {
	struct task_struct __kptr *task;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, int);
	__type(value, struct task_stash);
	__uint(max_entries, 1);
} tasks SEC(".maps");

struct cgrp_stash {
	struct cgroup __kptr *cgrp;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, int);
	__type(value, struct cgrp_stash);
	__uint(max_entries, 1);
} cgrps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} cgs SEC(".maps");

static int users(struct task_struct *t)
{
	return t->rcu_users.refs.counter;
}

/* A reference is one more rcu_users; its release gives it back: 10. */
SEC("syscall")
int task_refs(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *t;
	int before = users(cur), during, after;

	t = bpf_task_acquire(cur);
	if (!t)
		return -1;
	during = users(t);
	bpf_task_release(t);
	after = users(cur);
	return (during - before) * 10 + (after - before);
}

/* bpf_task_from_pid/vpid: the current task by its pid (the same object, a reference taken);
 * NULL for pid 0, -1 and an unused pid. All bits set: 0x7f. */
SEC("syscall")
int task_from_pid(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *t;
	int pid = bpf_get_current_pid_tgid() >> 32;
	int res = 0;

	t = bpf_task_from_pid(pid);
	if (t) {
		res |= 1;
		if (t == cur)
			res |= 2;
		if (t->pid == pid)
			res |= 4;
		bpf_task_release(t);
	}
	t = bpf_task_from_vpid(pid);
	if (t) {
		if (t == cur)
			res |= 8;
		bpf_task_release(t);
	}
	t = bpf_task_from_pid(0);
	if (!t)
		res |= 0x10;
	else
		bpf_task_release(t);
	t = bpf_task_from_pid(-1);
	if (!t)
		res |= 0x20;
	else
		bpf_task_release(t);
	t = bpf_task_from_pid(0x3fffffff); /* above pid_max's limit: never a pid */
	if (!t)
		res |= 0x40;
	else
		bpf_task_release(t);
	return res;
}

/* The trusted and rcu members (group_leader, real_parent) can be acquired; the current task in
 * a test run leads its thread group. 0xf. */
SEC("syscall")
int task_walk(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *t;
	int res = 0;

	bpf_rcu_read_lock();
	t = bpf_task_acquire(cur->group_leader);
	if (t) {
		res |= 1;
		if (t == cur)
			res |= 2;
		bpf_task_release(t);
	}
	t = cur->real_parent;
	if (t) {
		t = bpf_task_acquire(t);
		if (t) {
			res |= 4;
			if (t->pid != cur->pid)
				res |= 8;
			bpf_task_release(t);
		}
	}
	bpf_rcu_read_unlock();
	return res;
}

/* A task kptr stashed in a map value holds its reference until the element is deleted (the
 * kptr's destructor releases it): 10. */
SEC("syscall")
int task_stash(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *t;
	struct task_stash zero = {}, *v;
	int key = 0, before = users(cur), stashed, after;

	if (bpf_map_update_elem(&tasks, &key, &zero, BPF_ANY))
		return -1;
	v = bpf_map_lookup_elem(&tasks, &key);
	if (!v)
		return -2;
	t = bpf_task_acquire(cur);
	if (!t)
		return -3;
	t = bpf_kptr_xchg(&v->task, t);
	if (t)
		bpf_task_release(t);
	stashed = users(cur);
	bpf_map_delete_elem(&tasks, &key);
	after = users(cur);
	return (stashed - before) * 10 + (after - before);
}

/* The current cgroup: bpf_cgroup_from_id(bpf_get_current_cgroup_id()) is it (kn->id is the id),
 * its ancestor at its own level is itself and at level 0 the root (id 1, level 0); no ancestor
 * below it or at -1; the task is under both; get_current_ancestor_cgroup_id agrees; no cgroup
 * has id -1; there is no cgroup v1 hierarchy 1000. 0x3fff. */
SEC("syscall")
int cgroup_current(void *ctx)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_cgroup_id();
	struct cgroup *c, *a;
	int res = 0, level;

	c = bpf_cgroup_from_id(id);
	if (!c)
		return 0;
	res |= 1;
	level = c->level;
	if (c->kn->id == id)
		res |= 2;
	a = bpf_cgroup_ancestor(c, level);
	if (a) {
		if (a == c)
			res |= 4;
		bpf_cgroup_release(a);
	}
	a = bpf_cgroup_ancestor(c, 0);
	if (a) {
		if (a->level == 0 && a->kn->id == 1)
			res |= 8;
		if (bpf_task_under_cgroup(cur, a))
			res |= 0x10;
		bpf_cgroup_release(a);
	}
	a = bpf_cgroup_ancestor(c, level + 1);
	if (!a)
		res |= 0x20;
	else
		bpf_cgroup_release(a);
	a = bpf_cgroup_ancestor(c, -1);
	if (!a)
		res |= 0x40;
	else
		bpf_cgroup_release(a);
	if (bpf_task_under_cgroup(cur, c))
		res |= 0x80;
	if (bpf_get_current_ancestor_cgroup_id(0) == 1)
		res |= 0x100;
	if (bpf_get_current_ancestor_cgroup_id(level) == id)
		res |= 0x200;
	if (bpf_get_current_ancestor_cgroup_id(level + 1) == 0)
		res |= 0x400;
	a = bpf_cgroup_acquire(c);
	if (a) {
		if (a == c)
			res |= 0x800;
		bpf_cgroup_release(a);
	}
	bpf_cgroup_release(c);
	c = bpf_cgroup_from_id((__u64)-1);
	if (!c)
		res |= 0x1000;
	else
		bpf_cgroup_release(c);
	c = bpf_task_get_cgroup1(cur, 1000);
	if (!c)
		res |= 0x2000;
	else
		bpf_cgroup_release(c);
	return res;
}

/* A cgroup kptr stashed in a map value, exchanged back out and released. 7. */
SEC("syscall")
int cgroup_stash(void *ctx)
{
	struct cgrp_stash zero = {}, *v;
	struct cgroup *c;
	int key = 0, res = 0;

	if (bpf_map_update_elem(&cgrps, &key, &zero, BPF_ANY))
		return -1;
	v = bpf_map_lookup_elem(&cgrps, &key);
	if (!v)
		return -2;
	c = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	if (!c)
		return -3;
	c = bpf_kptr_xchg(&v->cgrp, c);
	if (!c)
		res |= 1;
	else
		bpf_cgroup_release(c);
	bpf_rcu_read_lock();
	c = v->cgrp;
	if (c && c->kn->id == bpf_get_current_cgroup_id())
		res |= 2;
	bpf_rcu_read_unlock();
	c = bpf_kptr_xchg(&v->cgrp, NULL);
	if (c) {
		res |= 4;
		bpf_cgroup_release(c);
	}
	return res;
}

/* cgroup local storage on the current cgroup: none at first, created from the initial value,
 * written, deleted once (then -ENOENT); flags other than F_CREATE give NULL, a NULL cgroup
 * -EINVAL. 0x7f. */
SEC("syscall")
int cgroup_storage(void *ctx)
{
	struct cgroup *c = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	long init = 5, *v;
	int res = 0;

	if (!c)
		return -1;
	v = bpf_cgrp_storage_get(&cgs, c, 0, 0);
	if (!v)
		res |= 1;
	v = bpf_cgrp_storage_get(&cgs, c, &init, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (v && *v == 5) {
		res |= 2;
		*v = 9;
	}
	v = bpf_cgrp_storage_get(&cgs, c, 0, 0);
	if (v && *v == 9)
		res |= 4;
	if (bpf_cgrp_storage_delete(&cgs, c) == 0)
		res |= 8;
	if (bpf_cgrp_storage_delete(&cgs, c) == -2)
		res |= 0x10;
	v = bpf_cgrp_storage_get(&cgs, c, &init, 4);
	if (!v)
		res |= 0x20;
	if (bpf_cgrp_storage_delete(&cgs, 0) == -22)
		res |= 0x40;
	bpf_cgroup_release(c);
	return res;
}

char _license[] SEC("license") = "GPL";
