// SPDX-License-Identifier: MIT
/* bpf_timer rules (verifier/timer.ts): the timer argument is the map value's struct bpf_timer at
 * its constant offset, of a map type that may hold one; bpf_timer_init's map is the timer's map;
 * the callback is verified on its own with (map, key, value) and returns 0; the timer's bytes are
 * not for loads and stores; tracing programs cannot use such maps. */
#include "vmaps.h"

struct tval {
	long counter;
	struct bpf_timer t;
};

struct plain {
	long a, b, c;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct tval);
} tarr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, struct tval);
} thash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct plain);
} plain SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct tval);
} tpercpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

static int cb_ok(void *map, int *key, struct tval *v)
{
	v->counter += *key;
	return 0;
}

static int cb_ret1(void *map, int *key, struct tval *v)
{
	return 1;
}

static int cb_write_key(void *map, int *key, struct tval *v)
{
	*key = 1;
	return 0;
}

static int cb_delete(void *map, int *key, struct tval *v)
{
	bpf_map_delete_elem(map, key);
	return 0;
}

SEC("tc")
__description("timer: init, set_callback, start on an array value")
__success __retval(0)
int timer_ok(struct __sk_buff *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&tarr, &key);

	if (!v)
		return 0;
	bpf_timer_init(&v->t, &tarr, 1);
	bpf_timer_set_callback(&v->t, cb_ok);
	bpf_timer_start(&v->t, 1000, 0);
	return 0;
}

SEC("tc")
__description("timer: the callback may delete its own element through its map and key")
__success __retval(0)
int timer_cb_delete(struct __sk_buff *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&thash, &key);

	if (!v)
		return 0;
	bpf_timer_init(&v->t, &thash, 1);
	bpf_timer_set_callback(&v->t, cb_delete);
	return 0;
}

SEC("tc")
__description("timer: an argument that is not the timer field")
__failure __msg("off 0 doesn't point to 'struct bpf_timer' that is at 8")
int timer_wrong_off(struct __sk_buff *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&tarr, &key);

	if (!v)
		return 0;
	return bpf_timer_init((struct bpf_timer *)&v->counter, &tarr, 1);
}

SEC("tc")
__description("timer: a variable offset")
__failure __msg("R1 doesn't have constant offset. bpf_timer has to be at the constant offset")
int timer_var_off(struct __sk_buff *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&tarr, &key);

	if (!v)
		return 0;
	return bpf_timer_init((void *)v + (bpf_get_prandom_u32() & 8), &tarr, 1);
}

SEC("tc")
__description("timer: a map value without a timer")
__failure __msg("map 'plain' has no valid bpf_timer")
int timer_no_field(struct __sk_buff *ctx)
{
	int key = 0;
	struct plain *v = bpf_map_lookup_elem(&plain, &key);

	if (!v)
		return 0;
	return bpf_timer_init((struct bpf_timer *)&v->b, &plain, 1);
}

SEC("tc")
__description("timer: a map type that cannot hold one is created without BTF")
__failure __msg("map 'tpercpu' has to have BTF in order to use bpf_timer")
int timer_percpu(struct __sk_buff *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&tpercpu, &key);

	if (!v)
		return 0;
	return bpf_timer_init(&v->t, &tpercpu, 1);
}

SEC("tc")
__description("timer: init with another map than the timer's")
__failure __msg("timer pointer in R1 map_uid=0 doesn't match map pointer in R2 map_uid=0")
int timer_other_map(struct __sk_buff *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&tarr, &key);

	if (!v)
		return 0;
	return bpf_timer_init(&v->t, &thash, 1);
}

SEC("tc")
__description("timer: a value that may be NULL")
__failure __msg("R1 type=map_value_or_null expected=map_value")
int timer_maybe_null(struct __sk_buff *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&thash, &key);

	/* the value itself: its timer is 8 bytes in, and arithmetic on it is refused before the call */
	return bpf_timer_init((struct bpf_timer *)v, &thash, 1);
}

SEC("tc")
__description("timer: a stack pointer")
__failure __msg("R1 type=fp expected=map_value")
int timer_stack(struct __sk_buff *ctx)
{
	struct bpf_timer t = {};

	return bpf_timer_init(&t, &tarr, 1);
}

SEC("tc")
__description("timer: the callback must return 0")
__failure __msg("At async callback return the register R0 has smin=1 smax=1 should have been in [0, 0]")
int timer_cb_ret(struct __sk_buff *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&tarr, &key);

	if (!v)
		return 0;
	bpf_timer_set_callback(&v->t, cb_ret1);
	return 0;
}

SEC("tc")
__description("timer: the callback's key is read-only")
__failure __msg("write to change key R2 not allowed")
int timer_cb_key_write(struct __sk_buff *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&tarr, &key);

	if (!v)
		return 0;
	bpf_timer_set_callback(&v->t, cb_write_key);
	return 0;
}

SEC("tc")
__description("timer: the callback starts afresh: a reference the caller holds is not its own")
__success __retval(0)
int timer_cb_fresh(struct __sk_buff *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&tarr, &key);
	long *rec = bpf_ringbuf_reserve(&rb, 8, 0);

	if (!rec)
		return 0;
	if (v)
		bpf_timer_set_callback(&v->t, cb_ok);
	bpf_ringbuf_discard(rec, 0);
	return 0;
}

SEC("tc")
__description("timer: no loads from the timer's bytes")
__failure __msg("bpf_timer cannot be accessed directly by load/store")
int timer_load(struct __sk_buff *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&tarr, &key);

	if (!v)
		return 0;
	return *(volatile long *)&v->t;
}

SEC("kprobe")
__description("timer: tracing programs cannot use a map holding one")
__failure __msg("tracing progs cannot use bpf_timer yet")
int timer_kprobe(void *ctx)
{
	int key = 0;
	struct tval *v = bpf_map_lookup_elem(&tarr, &key);

	if (!v)
		return 0;
	return bpf_timer_init(&v->t, &tarr, 1);
}

char _license[] SEC("license") = "GPL";
