// Hostile uses of the bpf_cpumask kfuncs, each of which the verifier refuses (with the kernel's
// message: test/kfunc/cpumask.test.ts) and which, run unverified, must fault naming the kfunc and
// the pointer, never corrupt a mask or the runtime's reference counts.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* A mask released twice. */
SEC("syscall")
int double_release(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return -1;
	bpf_cpumask_release(m);
	bpf_cpumask_release(m);
	return 0;
}

/* NULL to a kfunc whose arguments must be trusted or rcu pointers. */
SEC("syscall")
int null_arg(void *ctx)
{
	return bpf_cpumask_weight((const struct cpumask *)0);
}

/* A write to a struct cpumask that is not a struct bpf_cpumask (the task's own mask). */
SEC("syscall")
int write_task_mask(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();

	bpf_rcu_read_lock();
	bpf_cpumask_set_cpu(0, (struct bpf_cpumask *)t->cpus_ptr);
	bpf_rcu_read_unlock();
	return 0;
}

/* A mask used after its last reference is gone, in a later run: a scalar the program made up. */
SEC("syscall")
int forged(void *ctx)
{
	struct bpf_cpumask *m = (struct bpf_cpumask *)*(volatile __u64 *)ctx;

	bpf_cpumask_clear(m);
	return 0;
}

/* A created mask never released. */
SEC("syscall")
int leak(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	return m != 0;
}

char _license[] SEC("license") = "GPL";
