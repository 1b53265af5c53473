// SPDX-License-Identifier: MIT
/* bpf_wq rules (verifier/wq.ts): the work item argument is the map value's struct bpf_wq at its
 * constant offset; bpf_wq_init's map is the item's map; the callback is verified on its own with
 * (map, key, value), in a sleepable context, and returns 0; tracing programs cannot use such maps.
 * Linux 6.18 lets only sleepable programs set the callback (a tc program's set_callback is refused
 * with `sleepable callback in a program that is not sleepable`, whose second line names the
 * kfunc's BTF id: test/kfunc/wq.test.ts checks it), so these are syscall programs.
 * The kernel's wq_failures.c checks the same with bpf_testmod kfuncs in its callbacks, which a
 * kernel without that module cannot load; these programs need none. */
#include "vmaps.h"

struct bpf_wq {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

extern int bpf_wq_init(struct bpf_wq *wq, void *p__map, unsigned int flags) __ksym;
extern int bpf_wq_start(struct bpf_wq *wq, unsigned int flags) __ksym;
extern int bpf_wq_set_callback_impl(struct bpf_wq *wq, int (callback_fn)(void *map, int *key, void *value), unsigned int flags, void *aux__ign) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

struct wval {
	long counter;
	struct bpf_wq w;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct wval);
} warr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct wval);
} whash SEC(".maps");

static int cb_ok(void *map, int *key, void *value)
{
	struct wval *v = value;

	v->counter += *key;
	return 0;
}

static int cb_ret1(void *map, int *key, void *value)
{
	return 1;
}

static int cb_write_key(void *map, int *key, void *value)
{
	*key = 1;
	return 0;
}

static int cb_rcu(void *map, int *key, void *value)
{
	/* a sleepable context: an rcu read-side section may be opened and closed */
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
__description("wq: init, set_callback, start on an array value")
__success __retval(0)
int wq_ok(void *ctx)
{
	int key = 0;
	struct wval *v = bpf_map_lookup_elem(&warr, &key);

	if (!v)
		return 0;
	if (bpf_wq_init(&v->w, &warr, 0))
		return 1;
	if (bpf_wq_set_callback_impl(&v->w, cb_ok, 0, 0))
		return 2;
	if (bpf_wq_start(&v->w, 0))
		return 3;
	return 0;
}

SEC("syscall")
__description("wq: on a hash value, the callback in an rcu section")
__success __retval(0)
int wq_hash_ok(void *ctx)
{
	int key = 1;
	struct wval init = {}, *v;

	if (bpf_map_update_elem(&whash, &key, &init, 0))
		return 0;
	v = bpf_map_lookup_elem(&whash, &key);
	if (!v)
		return 0;
	bpf_wq_init(&v->w, &whash, 0);
	bpf_wq_set_callback_impl(&v->w, cb_rcu, 0, 0);
	bpf_wq_start(&v->w, 0);
	return 0;
}

SEC("tc")
__description("wq: bpf_wq_init's map argument must be a map")
__failure __msg("pointer in R2 isn't map pointer")
int wq_init_nomap(struct __sk_buff *ctx)
{
	int key = 0;
	struct wval *v = bpf_map_lookup_elem(&warr, &key);

	if (!v)
		return 0;
	return bpf_wq_init(&v->w, &key, 0);
}

SEC("tc")
__description("wq: bpf_wq_init's map must be the work item's")
__failure __msg("workqueue pointer in R1 map_uid=0 doesn't match map pointer in R2 map_uid=0")
int wq_init_wrong_map(struct __sk_buff *ctx)
{
	int key = 0;
	struct wval *v = bpf_map_lookup_elem(&warr, &key);

	if (!v)
		return 0;
	return bpf_wq_init(&v->w, &whash, 0);
}

SEC("tc")
__description("wq: the work item must be in a map value")
__failure __msg("arg#0 doesn't point to a map value")
int wq_stack(struct __sk_buff *ctx)
{
	struct bpf_wq w = {};

	return bpf_wq_start(&w, 0);
}

SEC("tc")
__description("wq: an array lookup with a constant key in range is not NULL; start before init is -EINVAL")
__success __retval(-22)
int wq_maybe_null(struct __sk_buff *ctx)
{
	int key = 0;
	struct wval *v = bpf_map_lookup_elem(&warr, &key);

	return bpf_wq_start(&v->w, 0);
}

SEC("tc")
__description("wq: the work item at another offset of the value")
__failure __msg("off 0 doesn't point to 'struct bpf_wq' that is at 8")
int wq_wrong_offset(struct __sk_buff *ctx)
{
	int key = 0;
	struct wval *v = bpf_map_lookup_elem(&warr, &key);

	if (!v)
		return 0;
	return bpf_wq_start((struct bpf_wq *)v, 0);
}

SEC("syscall")
__description("wq: the callback must return 0")
__failure __msg("At async callback return the register R0 has smin=1 smax=1 should have been in [0, 0]")
int wq_cb_ret(void *ctx)
{
	int key = 0;
	struct wval *v = bpf_map_lookup_elem(&warr, &key);

	if (!v)
		return 0;
	bpf_wq_init(&v->w, &warr, 0);
	return bpf_wq_set_callback_impl(&v->w, cb_ret1, 0, 0);
}

SEC("syscall")
__description("wq: the callback's key is read-only")
__failure __msg("write to change key R2 not allowed")
int wq_cb_key_write(void *ctx)
{
	int key = 0;
	struct wval *v = bpf_map_lookup_elem(&warr, &key);

	if (!v)
		return 0;
	bpf_wq_init(&v->w, &warr, 0);
	return bpf_wq_set_callback_impl(&v->w, cb_write_key, 0, 0);
}

SEC("kprobe")
__description("wq: tracing programs cannot use a map holding one")
__failure __msg("tracing progs cannot use bpf_wq yet")
int wq_kprobe(void *ctx)
{
	int key = 0;
	struct wval *v = bpf_map_lookup_elem(&warr, &key);

	return v ? v->counter : 0;
}

char _license[] SEC("license") = "GPL";
