// bpf_timer callbacks on the runtime's clock (src/clock.ts, helpers/timer.ts). Each syscall
// program arms timers and returns what the helpers returned (the host kernel's results are
// recorded in test/fixtures/kernel-progs-local/run_timer_fire.json); test/helpers/timer.test.ts
// then advances ebpfvm's clock and checks what the callbacks did through the globals below.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
/* newer than these uapi headers */
#define TIMER_ABS 1
#define TIMER_CPU_PIN 2
#define EINVAL 22
#define EDEADLK 35

struct elem {
	__u64 fired;
	__u64 last_ns;
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct elem);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, int);
	__type(value, struct elem);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct elem);
} lru SEC(".maps");

__u64 fired_total;
__u64 last_key;
__u32 last_cpu;
__s64 cancel_self = 1;
__s64 start_after_delete = 1;
__s64 cancel_other = -1;
__u64 rearms;

static int count_cb(void *map, int *key, struct elem *v)
{
	v->fired++;
	v->last_ns = bpf_ktime_get_ns();
	fired_total++;
	last_key = *key;
	last_cpu = bpf_get_smp_processor_id();
	return 0;
}

static int rearm_cb(void *map, int *key, struct elem *v)
{
	count_cb(map, key, v);
	if (v->fired < 5) {
		rearms++;
		bpf_timer_start(&v->t, 1000, 0);
	}
	return 0;
}

/* Cancels itself (-EDEADLK), cancels arr[3] (1: it was armed), deletes its own element and
 * tries to start its own timer again (-EINVAL: the delete freed it). */
static int self_cb(void *map, int *key, struct elem *v)
{
	int k3 = 3;
	struct elem *other;

	count_cb(map, key, v);
	cancel_self = bpf_timer_cancel(&v->t);
	other = bpf_map_lookup_elem(&arr, &k3);
	if (other)
		cancel_other = bpf_timer_cancel(&other->t);
	bpf_map_delete_elem(map, key);
	start_after_delete = bpf_timer_start(&v->t, 1000, 0);
	return 0;
}

static __always_inline struct elem *arr_elem(int key)
{
	struct elem zero = {};

	bpf_map_update_elem(&arr, &key, &zero, BPF_ANY);
	return bpf_map_lookup_elem(&arr, &key);
}

static __always_inline struct elem *hash_elem(void *map, int key)
{
	struct elem zero = {};

	bpf_map_update_elem(map, &key, &zero, BPF_ANY);
	return bpf_map_lookup_elem(map, &key);
}

/* arr[0]: fires 1000 ns after the run. Returns init | start << 8. */
SEC("syscall")
int arm_rel(void *ctx)
{
	struct elem *e = arr_elem(0);
	long a, b;

	if (!e)
		return -1;
	a = bpf_timer_init(&e->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, count_cb);
	b = bpf_timer_start(&e->t, 1000, 0);
	return a | b << 8;
}

/* arr[1]: CLOCK_BOOTTIME, absolute, pinned to the arming CPU: fires 5000 ns after the run. */
SEC("syscall")
int arm_abs_pinned(void *ctx)
{
	struct elem *e = arr_elem(1);

	if (!e)
		return -1;
	bpf_timer_init(&e->t, &arr, CLOCK_BOOTTIME);
	bpf_timer_set_callback(&e->t, count_cb);
	return bpf_timer_start(&e->t, bpf_ktime_get_boot_ns() + 5000, TIMER_ABS | TIMER_CPU_PIN);
}

/* arr[2]: re-armed from its callback until it fired five times, 1000 ns apart. */
SEC("syscall")
int arm_rearm(void *ctx)
{
	struct elem *e = arr_elem(2);

	if (!e)
		return -1;
	bpf_timer_init(&e->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, rearm_cb);
	return bpf_timer_start(&e->t, 1000, 0);
}

/* arr[3] armed for 1 s; hash[7] fires after 2000 ns and runs self_cb (which cancels arr[3]).
 * Returns arr[3]'s start | hash[7]'s start << 8. */
SEC("syscall")
int arm_self_cancel(void *ctx)
{
	struct elem *a = arr_elem(3), *h = hash_elem(&hash, 7);
	long x, y;

	if (!a || !h)
		return -1;
	bpf_timer_init(&a->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&a->t, count_cb);
	x = bpf_timer_start(&a->t, 1000000000, 0);
	bpf_timer_init(&h->t, &hash, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&h->t, self_cb);
	y = bpf_timer_start(&h->t, 2000, 0);
	return x | y << 8;
}

/* hash[9]: armed for 100 ms (longer than the run: in the kernel a timer may fire while the
 * program still runs), then its key updated, which frees the timer: it never fires, and the new
 * element's timer is not initialised (cancel -EINVAL, init 0 again). Returns -cancel | init << 8. */
SEC("syscall")
int update_frees(void *ctx)
{
	struct elem *h = hash_elem(&hash, 9);
	long c, i;

	if (!h)
		return -1;
	bpf_timer_init(&h->t, &hash, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&h->t, count_cb);
	bpf_timer_start(&h->t, 100000000, 0);
	h = hash_elem(&hash, 9);
	if (!h)
		return -1;
	c = bpf_timer_cancel(&h->t);
	i = bpf_timer_init(&h->t, &hash, CLOCK_MONOTONIC);
	return -c | i << 8;
}

/* lru[1]: armed for 100 ms, then pushed out by two newer keys (max_entries 2): the eviction
 * frees it. */
SEC("syscall")
int lru_evicts(void *ctx)
{
	struct elem *l = hash_elem(&lru, 1);
	long s;

	if (!l)
		return -1;
	bpf_timer_init(&l->t, &lru, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&l->t, count_cb);
	s = bpf_timer_start(&l->t, 100000000, 0);
	hash_elem(&lru, 2);
	hash_elem(&lru, 3);
	return s;
}

/* CLOCK_REALTIME with an absolute expiry in 1970: already past, so it fires at once. */
SEC("syscall")
int arm_realtime_past(void *ctx)
{
	struct elem *e = hash_elem(&hash, 5);

	if (!e)
		return -1;
	bpf_timer_init(&e->t, &hash, CLOCK_REALTIME);
	bpf_timer_set_callback(&e->t, count_cb);
	return bpf_timer_start(&e->t, 1000, TIMER_ABS);
}

/* Writes through its key pointer: the verifier refuses it (the key is read-only); run unverified,
 * the store faults when the timer fires (the key it gets is not the program's to write). */
static int bad_cb(void *map, int *key, struct elem *v)
{
	*key = 7;
	return 0;
}

SEC("syscall")
int arm_bad_cb(void *ctx)
{
	struct elem *e = arr_elem(0);

	if (!e)
		return -1;
	bpf_timer_init(&e->t, &arr, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, bad_cb);
	return bpf_timer_start(&e->t, 1000, 0);
}

char LICENSE[] SEC("license") = "GPL";
