// bpf_timer helpers' return codes (helpers/timer.ts) on the host kernel's recorded results: each
// syscall program resets its map value (the kernel frees the value's timer on update), runs a
// sequence and returns the last helper's result.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1
#define TIMER_CPU_PIN 2 /* BPF_F_TIMER_CPU_PIN, newer than these uapi headers */

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

static int cb(void *map, int *key, struct elem *value)
{
	return 0;
}

static __always_inline struct bpf_timer *fresh(void)
{
	struct elem zero = {};
	int key = 0;

	bpf_map_update_elem(&timers, &key, &zero, BPF_ANY);
	return bpf_map_lookup_elem(&timers, &key);
}

SEC("syscall")
int tm_init(void *ctx)
{
	struct bpf_timer *t = fresh();

	return t ? bpf_timer_init(t, &timers, CLOCK_MONOTONIC) : -1;
}

SEC("syscall")
int tm_init_twice(void *ctx)
{
	struct bpf_timer *t = fresh();

	if (!t)
		return -1;
	bpf_timer_init(t, &timers, CLOCK_MONOTONIC);
	return bpf_timer_init(t, &timers, CLOCK_MONOTONIC);
}

SEC("syscall")
int tm_init_bad_clock(void *ctx)
{
	struct bpf_timer *t = fresh();

	return t ? bpf_timer_init(t, &timers, 5 /* CLOCK_MONOTONIC_COARSE */) : -1;
}

SEC("syscall")
int tm_init_flags16(void *ctx)
{
	struct bpf_timer *t = fresh();

	return t ? bpf_timer_init(t, &timers, 16 | CLOCK_MONOTONIC) : -1;
}

SEC("syscall")
int tm_start_no_callback(void *ctx)
{
	struct bpf_timer *t = fresh();

	if (!t)
		return -1;
	bpf_timer_init(t, &timers, CLOCK_MONOTONIC);
	return bpf_timer_start(t, 0, 0);
}

SEC("syscall")
int tm_start_bad_flags(void *ctx)
{
	struct bpf_timer *t = fresh();

	if (!t)
		return -1;
	bpf_timer_init(t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(t, cb);
	return bpf_timer_start(t, 0, 4);
}

SEC("syscall")
int tm_start(void *ctx)
{
	struct bpf_timer *t = fresh();
	int err;

	if (!t)
		return -1;
	bpf_timer_init(t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(t, cb);
	err = bpf_timer_start(t, 1000000000, TIMER_CPU_PIN);
	bpf_timer_cancel(t);
	return err;
}

SEC("syscall")
int tm_cancel_armed(void *ctx)
{
	struct bpf_timer *t = fresh();

	if (!t)
		return -1;
	bpf_timer_init(t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(t, cb);
	bpf_timer_start(t, 1000000000, 0);
	return bpf_timer_cancel(t);
}

SEC("syscall")
int tm_cancel_unarmed(void *ctx)
{
	struct bpf_timer *t = fresh();

	if (!t)
		return -1;
	bpf_timer_init(t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(t, cb);
	return bpf_timer_cancel(t);
}

SEC("syscall")
int tm_restart_after_cancel(void *ctx)
{
	struct bpf_timer *t = fresh();

	if (!t)
		return -1;
	bpf_timer_init(t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(t, cb);
	bpf_timer_start(t, 1000000000, 0);
	bpf_timer_cancel(t);
	return bpf_timer_start(t, 1000000000, 0);
}

SEC("syscall")
int tm_cancel_uninit(void *ctx)
{
	struct bpf_timer *t = fresh();

	return t ? bpf_timer_cancel(t) : -1;
}

SEC("syscall")
int tm_set_callback_uninit(void *ctx)
{
	struct bpf_timer *t = fresh();

	return t ? bpf_timer_set_callback(t, cb) : -1;
}

char LICENSE[] SEC("license") = "GPL";
