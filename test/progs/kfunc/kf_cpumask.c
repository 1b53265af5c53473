// The bpf_cpumask kfuncs at run time, as syscall programs the kernel test-runs (the kernel
// selftests' cpumask_success.c runs from a tp_btf hook a fork triggers, which a test run cannot
// reach). Each program returns a bit set whose every bit holds on any kernel, whatever its
// nr_cpu_ids and whatever CPU the last any_distribute of the host picked: the host kernel's
// results are recorded with `node scripts/kernel-progs.mjs --record-object
// test/progs/kfunc/kf_cpumask.o` and ebpfvm must give the same (test/agreement), and the exact
// values on runtimes of other CPU counts (test/kfunc/cpumask.test.ts).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct mask_stash {
	struct bpf_cpumask __kptr *mask;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, struct mask_stash);
	__uint(max_entries, 1);
} masks SEC(".maps");

/* What the last run computed, for tests of other CPU counts: nr_cpu_ids as the kernel counts it
 * (the weight of a full mask), the first word of a set-all mask, the picks of any_distribute. */
__u64 nr, setall_word, picks[4];

static const struct cpumask *cast(struct bpf_cpumask *m)
{
	return (const struct cpumask *)m;
}

#define CHECK(c)                        \
	do {                            \
		if (c)                  \
			r |= 1ull << bit; \
		bit++;                  \
	} while (0)

/* Every query and update on three fresh masks: 32 checks. */
SEC("syscall")
int ops(void *ctx)
{
	struct bpf_cpumask *a, *b, *d;
	__u64 r = 0;
	int bit = 0;
	__u32 n;

	a = bpf_cpumask_create();
	if (!a)
		return -1;
	b = bpf_cpumask_create();
	if (!b) {
		bpf_cpumask_release(a);
		return -2;
	}
	d = bpf_cpumask_create();
	if (!d) {
		bpf_cpumask_release(a);
		bpf_cpumask_release(b);
		return -3;
	}
	bpf_cpumask_setall(d);
	n = bpf_cpumask_weight(cast(d));
	nr = n;
	/* bitmap_fill sets whole words: the bits past nr_cpu_ids in the last one too */
	setall_word = d->cpumask.bits[0];
	CHECK(n >= 1);
	CHECK(bpf_cpumask_full(cast(d)));
	CHECK(bpf_cpumask_first_zero(cast(d)) == n);
	CHECK(bpf_cpumask_first(cast(d)) == 0);
	CHECK(bpf_cpumask_empty(cast(a)));
	CHECK(bpf_cpumask_first(cast(a)) == n);
	CHECK(bpf_cpumask_first_zero(cast(a)) == 0);
	CHECK(bpf_cpumask_weight(cast(a)) == 0);
	/* CPUs at or past nr_cpu_ids: nothing changes, false */
	bpf_cpumask_set_cpu(n, a);
	bpf_cpumask_set_cpu(0xffffffff, a);
	CHECK(bpf_cpumask_empty(cast(a)));
	CHECK(!bpf_cpumask_test_and_set_cpu(n, a));
	CHECK(!bpf_cpumask_test_cpu(n, cast(d)));
	CHECK(!bpf_cpumask_test_cpu(0xffffffff, cast(d)));
	bpf_cpumask_clear_cpu(n, d);
	CHECK(!bpf_cpumask_test_and_clear_cpu(n, d));
	CHECK(bpf_cpumask_full(cast(d)));
	/* one CPU: the last one */
	bpf_cpumask_set_cpu(n - 1, a);
	CHECK(bpf_cpumask_test_cpu(n - 1, cast(a)));
	CHECK(bpf_cpumask_first(cast(a)) == n - 1);
	CHECK(bpf_cpumask_weight(cast(a)) == 1);
	CHECK(bpf_cpumask_test_and_clear_cpu(n - 1, a));
	CHECK(!bpf_cpumask_test_and_clear_cpu(n - 1, a));
	CHECK(!bpf_cpumask_test_and_set_cpu(0, a));
	CHECK(bpf_cpumask_test_and_set_cpu(0, a));
	/* a = {0}, d = all */
	CHECK(bpf_cpumask_subset(cast(a), cast(d)));
	CHECK(bpf_cpumask_subset(cast(d), cast(a)) == (n == 1));
	CHECK(bpf_cpumask_intersects(cast(a), cast(d)));
	CHECK(bpf_cpumask_and(b, cast(a), cast(d)) && bpf_cpumask_equal(cast(a), cast(b)));
	bpf_cpumask_xor(b, cast(a), cast(d)); /* all but 0 */
	CHECK(bpf_cpumask_weight(cast(b)) == n - 1 && bpf_cpumask_first_zero(cast(b)) == 0);
	CHECK(!bpf_cpumask_intersects(cast(a), cast(b)) && bpf_cpumask_first_and(cast(a), cast(b)) == n);
	CHECK(bpf_cpumask_any_and_distribute(cast(a), cast(b)) == n);
	bpf_cpumask_or(b, cast(a), cast(b));
	CHECK(bpf_cpumask_full(cast(b)) && bpf_cpumask_equal(cast(b), cast(d)));
	CHECK(bpf_cpumask_and(b, cast(a), cast(b)) && bpf_cpumask_weight(cast(b)) == 1);
	bpf_cpumask_clear(d);
	CHECK(bpf_cpumask_empty(cast(d)) && bpf_cpumask_any_distribute(cast(d)) == n);
	bpf_cpumask_copy(d, cast(a));
	CHECK(bpf_cpumask_equal(cast(d), cast(a)) && bpf_cpumask_any_distribute(cast(d)) == 0);

	bpf_cpumask_release(a);
	bpf_cpumask_release(b);
	bpf_cpumask_release(d);
	return r;
}

/* any_distribute on a full mask walks the CPUs from the one picked last, wrapping: 4 picks, each
 * a CPU below nr_cpu_ids, each the one after the previous (modulo nr_cpu_ids). */
SEC("syscall")
int distribute(void *ctx)
{
	struct bpf_cpumask *m;
	__u64 r = 0;
	int bit = 0, i;
	__u32 n, p[4];

	m = bpf_cpumask_create();
	if (!m)
		return -1;
	bpf_cpumask_setall(m);
	n = bpf_cpumask_weight(cast(m));
	for (i = 0; i < 4; i++) {
		p[i] = bpf_cpumask_any_distribute(cast(m));
		picks[i] = p[i];
	}
	CHECK(p[0] < n && p[1] < n && p[2] < n && p[3] < n);
	CHECK(p[1] == (p[0] + 1) % n && p[2] == (p[1] + 1) % n && p[3] == (p[2] + 1) % n);
	/* any_and_distribute shares the last pick */
	CHECK(bpf_cpumask_any_and_distribute(cast(m), cast(m)) == (p[3] + 1) % n);
	bpf_cpumask_release(m);
	return r;
}

/* Reference counting: acquire gives the same mask, refcount_t usage counts, release drops. */
SEC("syscall")
int refs(void *ctx)
{
	struct bpf_cpumask *m, *m2;
	__u64 r = 0;
	int bit = 0;

	m = bpf_cpumask_create();
	if (!m)
		return -1;
	CHECK(m->usage.refs.counter == 1);
	m2 = bpf_cpumask_acquire(m);
	CHECK(m2 == m);
	CHECK(m->usage.refs.counter == 2);
	bpf_cpumask_set_cpu(0, m2);
	CHECK(bpf_cpumask_test_cpu(0, cast(m)));
	bpf_cpumask_release(m2);
	CHECK(m->usage.refs.counter == 1);
	bpf_cpumask_release(m);
	return r;
}

/* A mask stashed in a map value as a kptr, read back under rcu, taken out and released. */
SEC("syscall")
int stash(void *ctx)
{
	struct bpf_cpumask *m, *old;
	struct mask_stash *v;
	__u64 r = 0;
	int bit = 0, key = 0;

	v = bpf_map_lookup_elem(&masks, &key);
	if (!v)
		return -1;
	m = bpf_cpumask_create();
	if (!m)
		return -2;
	bpf_cpumask_set_cpu(0, m);
	old = bpf_kptr_xchg(&v->mask, m);
	CHECK(!old);
	if (old)
		bpf_cpumask_release(old);
	bpf_rcu_read_lock();
	m = v->mask;
	CHECK(m && bpf_cpumask_test_cpu(0, cast(m)) && bpf_cpumask_weight(cast(m)) == 1);
	if (m)
		bpf_cpumask_clear_cpu(0, m);
	CHECK(m && bpf_cpumask_empty(cast(m)));
	bpf_rcu_read_unlock();
	old = bpf_kptr_xchg(&v->mask, NULL);
	CHECK(old != NULL);
	if (old) {
		CHECK(bpf_cpumask_empty(cast(old)) && old->usage.refs.counter == 1);
		bpf_cpumask_release(old);
	}
	return r;
}

/* bpf_cpumask_populate (6.14+): a source shorter than the words of nr_cpu_ids bits is -EACCES
 * and changes nothing; else the mask becomes the source's bits (CPUs 0 and 2). */
__u64 pop_src[128] = { 0x5 };

SEC("syscall")
int populate(void *ctx)
{
	struct bpf_cpumask *m;
	__u64 r = 0;
	int bit = 0;
	__u32 n;

	m = bpf_cpumask_create();
	if (!m)
		return -1;
	bpf_cpumask_setall(m);
	n = bpf_cpumask_weight(cast(m));
	CHECK(bpf_cpumask_populate((struct cpumask *)m, pop_src, 4) == -13);
	CHECK(bpf_cpumask_full(cast(m)));
	CHECK(bpf_cpumask_populate((struct cpumask *)m, pop_src, sizeof(pop_src)) == 0);
	CHECK(bpf_cpumask_test_cpu(0, cast(m)) && !bpf_cpumask_test_cpu(1, cast(m)));
	CHECK(bpf_cpumask_weight(cast(m)) == (n > 2 ? 2 : 1));
	bpf_cpumask_release(m);
	return r;
}

/* A mask left in the map: freed with the element (bpf_cpumask_release_dtor). 1 when stashed. */
SEC("syscall")
int stash_leave(void *ctx)
{
	struct bpf_cpumask *m, *old;
	struct mask_stash *v;
	int key = 0;

	v = bpf_map_lookup_elem(&masks, &key);
	if (!v)
		return -1;
	m = bpf_cpumask_create();
	if (!m)
		return -2;
	old = bpf_kptr_xchg(&v->mask, m);
	if (old)
		bpf_cpumask_release(old);
	return 1;
}

/* The current task's cpus_ptr (rcu-protected: syscall programs sleep) and &task->cpus_mask: the
 * CPUs it may run on are CPUs of the kernel, and cpus_ptr points at cpus_mask. */
SEC("syscall")
int task_mask(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct bpf_cpumask *all;
	__u64 r = 0;
	int bit = 0;
	__u32 n;

	all = bpf_cpumask_create();
	if (!all)
		return -1;
	bpf_cpumask_setall(all);
	n = bpf_cpumask_weight(cast(all));
	bpf_rcu_read_lock();
	CHECK(bpf_cpumask_weight(t->cpus_ptr) >= 1 && bpf_cpumask_weight(t->cpus_ptr) <= n);
	CHECK(bpf_cpumask_subset(t->cpus_ptr, cast(all)));
	CHECK(bpf_cpumask_first(t->cpus_ptr) < n);
	CHECK(bpf_cpumask_equal(t->cpus_ptr, &t->cpus_mask));
	bpf_cpumask_copy(all, t->cpus_ptr);
	CHECK(bpf_cpumask_equal(cast(all), &t->cpus_mask));
	bpf_rcu_read_unlock();
	bpf_cpumask_release(all);
	return r;
}

char _license[] SEC("license") = "GPL";
