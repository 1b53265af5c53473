// SPDX-License-Identifier: MIT
/* The bpf_cpumask kfuncs' rules (verifier/kobj.ts): a created mask is a reference to release or
 * stash, NULL and released masks are refused, only a struct bpf_cpumask is written (a struct
 * cpumask the kernel owns is only read, at a struct cpumask's offset), acquire and release want
 * referenced or trusted masks (a kptr loaded under rcu is neither), and the mask's memory is
 * read-only. Every verdict and message is the host kernel's
 * (test/fixtures/verifier-kernel/cpumask.json). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

char _license[] SEC("license") = "GPL";

struct stash {
	struct bpf_cpumask __kptr *mask;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, struct stash);
	__uint(max_entries, 1);
} masks SEC(".maps");

SEC("syscall")
__description("cpumask: create, set, test and set, release")
__success __retval(1)
int create_release(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	int r;

	if (!m)
		return -1;
	bpf_cpumask_set_cpu(0, m);
	r = bpf_cpumask_test_and_set_cpu(0, m);
	bpf_cpumask_release(m);
	return r;
}

SEC("syscall")
__description("cpumask: a created mask must be released or stashed")
__failure __msg("Unreleased reference")
int leak(void *ctx)
{
	return bpf_cpumask_create() != 0;
}

SEC("syscall")
__description("cpumask: the created mask may be NULL")
__failure __msg("Possibly NULL pointer passed to trusted arg1")
int no_null_check(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	bpf_cpumask_set_cpu(0, m);
	if (m)
		bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
__description("cpumask: NULL to a KF_RCU kfunc")
__failure __msg("Possibly NULL pointer passed to trusted arg0")
int null_arg(void *ctx)
{
	return bpf_cpumask_weight((const struct cpumask *)0);
}

SEC("syscall")
__description("cpumask: released twice")
__failure __msg("R1 must be referenced or trusted")
int double_release(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_release(m);
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
__description("cpumask: used after its release")
__failure __msg("R2 type=scalar expected=fp")
int use_after_release(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	bpf_cpumask_release(m);
	return bpf_cpumask_test_cpu(0, (const struct cpumask *)m);
}

SEC("syscall")
__description("cpumask: the task's own mask is not a struct bpf_cpumask")
__failure __msg("bpf_cpumask_set_cpu args#1 expected pointer to STRUCT bpf_cpumask but R2 has a pointer to STRUCT cpumask")
int write_task_mask(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();

	bpf_rcu_read_lock();
	bpf_cpumask_set_cpu(0, (struct bpf_cpumask *)t->cpus_ptr);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
__description("cpumask: &task->cpus_mask is a struct cpumask (a trusted pointer at its offset)")
__success __retval(0)
int task_cpus_mask(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return bpf_cpumask_weight(&t->cpus_mask) == 0;
}

SEC("syscall")
__description("cpumask: a pointer into a mask's bits is no struct cpumask")
__failure __msg("bpf_cpumask_weight args#0 expected pointer to STRUCT cpumask but R1 has a pointer to STRUCT bpf_cpumask")
int inside_bits(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	int r;

	if (!m)
		return 0;
	r = bpf_cpumask_weight((const struct cpumask *)((void *)m + 8));
	bpf_cpumask_release(m);
	return r;
}

SEC("syscall")
__description("cpumask: a mask's memory is read-only")
__failure __msg("only read is supported")
int store_bits(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (!m)
		return 0;
	m->cpumask.bits[0] = 1;
	bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
__description("cpumask: a kptr loaded under rcu may be read, not acquired")
__failure __msg("R1 must be referenced or trusted")
int acquire_rcu_kptr(void *ctx)
{
	struct bpf_cpumask *m, *r;
	struct stash *v;
	int key = 0;

	v = bpf_map_lookup_elem(&masks, &key);
	if (!v)
		return 0;
	bpf_rcu_read_lock();
	m = v->mask;
	if (m) {
		bpf_cpumask_test_cpu(0, (const struct cpumask *)m);
		r = bpf_cpumask_acquire(m);
		bpf_cpumask_release(r);
	}
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
__description("cpumask: a kptr loaded under rcu is no reference to release")
__failure __msg("R1 must be referenced or trusted")
int release_rcu_kptr(void *ctx)
{
	struct bpf_cpumask *m;
	struct stash *v;
	int key = 0;

	v = bpf_map_lookup_elem(&masks, &key);
	if (!v)
		return 0;
	bpf_rcu_read_lock();
	m = v->mask;
	if (m)
		bpf_cpumask_release(m);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
__description("cpumask: a stashed mask read under rcu, exchanged out and released")
__success __retval(0)
int stash_rcu(void *ctx)
{
	struct bpf_cpumask *m, *old;
	struct stash *v;
	int key = 0, r = 0;

	v = bpf_map_lookup_elem(&masks, &key);
	if (!v)
		return -1;
	m = bpf_cpumask_create();
	if (!m)
		return -2;
	old = bpf_kptr_xchg(&v->mask, m);
	if (old)
		bpf_cpumask_release(old);
	bpf_rcu_read_lock();
	m = v->mask;
	if (m)
		r = bpf_cpumask_weight((const struct cpumask *)m);
	bpf_rcu_read_unlock();
	old = bpf_kptr_xchg(&v->mask, NULL);
	if (old)
		bpf_cpumask_release(old);
	return r;
}

SEC("raw_tp")
__description("cpumask: not registered for raw_tp programs")
__failure __msg("calling kernel function bpf_cpumask_create is not allowed")
int raw_tp_create(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();

	if (m)
		bpf_cpumask_release(m);
	return 0;
}

SEC("syscall")
__description("cpumask: populate from stack memory (6.14+)")
__success __retval(0)
int populate_stack(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	__u64 bits[4] = { 1, 0, 0, 0 };
	int r;

	if (!m)
		return -1;
	r = bpf_cpumask_populate((struct cpumask *)m, bits, sizeof(bits));
	bpf_cpumask_release(m);
	return r;
}

SEC("syscall")
__description("cpumask: populate from NULL")
__failure __msg("Possibly NULL pointer passed to trusted arg1")
int populate_null(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	int r;

	if (!m)
		return -1;
	r = bpf_cpumask_populate((struct cpumask *)m, (void *)0, 8);
	bpf_cpumask_release(m);
	return r;
}

SEC("syscall")
__description("cpumask: populate's size is the source's")
__failure __msg("arg#1 arg#2 memory, len pair leads to invalid memory access")
int populate_short(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	__u64 bits = 1;
	int r;

	if (!m)
		return -1;
	r = bpf_cpumask_populate((struct cpumask *)m, &bits, 16);
	bpf_cpumask_release(m);
	return r;
}
