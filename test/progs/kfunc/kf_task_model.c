// Described tasks and cgroups (RuntimeOptions.kernel, `run --kernel FILE.json`) seen through the
// task and cgroup kfuncs: the pid to look up comes in the syscall context, the program reports
// what the kernel objects hold (test/kfunc/task-kfuncs.test.ts). Not recorded on the host: its
// pids and cgroups are the machine's; kf_task.c holds the host-checked relations.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct args {
	int pid;
	int level;
	__u64 cgid;
	/* out */
	int tgid;
	int ppid;
	char comm[16];
	__u64 task_cgid;
	__u64 ancestor_cgid;
	int cg_level;
	int under;
};

SEC("syscall")
int task_by_pid(struct args *a)
{
	struct task_struct *t, *p;
	struct cgroup *c, *anc;
	int i;

	t = bpf_task_from_pid(a->pid);
	if (!t)
		return -1;
	a->tgid = t->tgid;
	for (i = 0; i < 16; i++)
		a->comm[i] = t->comm[i];
	bpf_rcu_read_lock();
	p = t->real_parent;
	if (p)
		a->ppid = p->pid;
	a->task_cgid = t->cgroups->dfl_cgrp->kn->id;
	bpf_rcu_read_unlock();
	c = bpf_cgroup_from_id(a->cgid);
	if (c) {
		a->cg_level = c->level;
		a->under = bpf_task_under_cgroup(t, c);
		anc = bpf_cgroup_ancestor(c, a->level);
		if (anc) {
			a->ancestor_cgid = anc->kn->id;
			bpf_cgroup_release(anc);
		}
		bpf_cgroup_release(c);
	}
	bpf_task_release(t);
	return 0;
}

/* A store into a task_struct: the verifier refuses it; run unverified, the store faults (kernel
 * memory is read-only). */
SEC("syscall")
int task_write(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();

	t->pid = 1;
	return 0;
}

char _license[] SEC("license") = "GPL";
