// SPDX-License-Identifier: MIT
/* bpf_spin_lock rules: one lock held at a time, no helper calls while held, unlock before exit, only the lock field of a map value that has one, no direct access to the lock word. */
#include "vmaps.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct lock_val);
} lock_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct lock_val);
} lock_hash SEC(".maps");

SEC("tc")
__description("spin lock: lock, update, unlock")
__success __retval(0)
__naked void lock_unlock_ok(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_map] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r1 = r6;" "r1 += 4;" "call %[bpf_spin_lock];" "r1 = *(u32 *)(r6 + 0);" "r1 += 1;" "*(u32 *)(r6 + 0) = r1;" "r1 = r6;" "r1 += 4;" "call %[bpf_spin_unlock];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map) : __clobber_all);
}

SEC("tc")
__description("spin lock: exit while holding the lock")
__failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region")
__naked void lock_no_unlock(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_map] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r1 = r6;" "r1 += 4;" "call %[bpf_spin_lock];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map) : __clobber_all);
}

SEC("tc")
__description("spin lock: taking the lock twice")
__failure __msg("function calls are not allowed while holding a lock")
__naked void lock_twice(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_map] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r1 = r6;" "r1 += 4;" "call %[bpf_spin_lock];" "r1 = r6;" "r1 += 4;" "call %[bpf_spin_lock];" "r1 = r6;" "r1 += 4;" "call %[bpf_spin_unlock];" "r1 = r6;" "r1 += 4;" "call %[bpf_spin_unlock];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map) : __clobber_all);
}

SEC("tc")
__description("spin lock: unlock without the lock")
__failure __msg("bpf_spin_unlock without taking a lock")
__naked void unlock_without_lock(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_map] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r1 = r6;" "r1 += 4;" "call %[bpf_spin_unlock];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map) : __clobber_all);
}

SEC("tc")
__description("spin lock: a helper call while holding the lock")
__failure __msg("function calls are not allowed while holding a lock")
__naked void lock_helper_call_inside(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_map] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r1 = r6;" "r1 += 4;" "call %[bpf_spin_lock];" "call %[bpf_get_prandom_u32];" "r1 = r6;" "r1 += 4;" "call %[bpf_spin_unlock];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc")
__description("spin lock: lock pointer not at the bpf_spin_lock field")
__failure __msg("off 0 doesn't point to 'struct bpf_spin_lock' that is at 4")
__naked void lock_wrong_offset(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_map] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r1 = r6;" "call %[bpf_spin_lock];" "r1 = r6;" "call %[bpf_spin_unlock];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map) : __clobber_all);
}

SEC("tc")
__description("spin lock: a map value without a bpf_spin_lock")
__failure __msg("map 'map_array_48b' has no valid bpf_spin_lock")
__naked void lock_map_without_lock(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r6 = r0;" "r1 = r0;" "call %[bpf_spin_lock];" "r1 = r6;" "call %[bpf_spin_unlock];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("tc")
__description("spin lock: loading the lock word directly")
__failure __msg("bpf_spin_lock cannot be accessed directly by load/store")
__naked void lock_field_direct_load(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_map] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r0 = *(u32 *)(r6 + 4);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map) : __clobber_all);
}

SEC("tc")
__description("spin lock: storing to the lock word directly")
__failure __msg("bpf_spin_lock cannot be accessed directly by load/store")
__naked void lock_field_direct_store(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_map] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r1 = 0;" "*(u32 *)(r6 + 4) = r1;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map) : __clobber_all);
}

SEC("tc")
__description("spin lock: loads and stores of the neighbouring fields")
__success __retval(0)
__naked void lock_other_fields_ok(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_map] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r1 = r6;" "r1 += 4;" "call %[bpf_spin_lock];" "r1 = *(u32 *)(r6 + 8);" "*(u32 *)(r6 + 0) = r1;" "r1 = r6;" "r1 += 4;" "call %[bpf_spin_unlock];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map) : __clobber_all);
}

SEC("tc")
__description("spin lock: unlocked on one branch only")
__failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region")
__naked void lock_unlock_other_branch(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_map] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r6 = r0;"
		"r1 = r6;" "r1 += 4;" "call %[bpf_spin_lock];" "r1 = *(u32 *)(r6 + 0);" "if r1 == 0 goto l_out_%=;" "r1 = r6;" "r1 += 4;" "call %[bpf_spin_unlock];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map) : __clobber_all);
}

SEC("tc")
__description("spin lock: an array lookup with a constant in-range key is known non-NULL, so no check is needed")
__success __retval(0)
__naked void lock_not_null_checked(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_map] ll;" "call %[bpf_map_lookup_elem];" "r6 = r0;" "r1 = r0;" "r1 += 4;" "call %[bpf_spin_lock];" "r1 = r6;" "r1 += 4;" "call %[bpf_spin_unlock];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map) : __clobber_all);
}

SEC("tc")
__description("spin lock: locking a possibly NULL hash value")
__failure __msg("R1 pointer arithmetic on map_value_or_null prohibited, null-check it first")
__naked void lock_hash_not_null_checked(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[lock_hash] ll;" "call %[bpf_map_lookup_elem];" "r6 = r0;" "r1 = r0;" "r1 += 4;" "call %[bpf_spin_lock];" "r1 = r6;" "r1 += 4;" "call %[bpf_spin_unlock];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_spin_lock), __imm(bpf_spin_unlock), __imm_addr(lock_map), __imm_addr(lock_hash) : __clobber_all);
}

SEC("tc")
__description("spin lock in C: counter under the lock")
__success __retval(1)
int c_locked_counter(void *ctx)
{
	int key = 0, ret;
	struct lock_val *v = bpf_map_lookup_elem(&lock_map, &key);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt = 0;
	v->cnt++;
	ret = v->cnt;
	bpf_spin_unlock(&v->lock);
	return ret;
}

/* Only global subprogs cannot be called with a lock held (check_func_call, since 6.11): a static
 * one is walked in the caller's state, lock and all, and may even release it; a helper call in it
 * is still refused. */
static __noinline int locked_bump(struct lock_val *v)
{
	v->cnt++;
	return v->cnt;
}

static __noinline int locked_bump_unlock(struct lock_val *v)
{
	v->cnt++;
	bpf_spin_unlock(&v->lock);
	return v->cnt;
}

static __noinline int locked_helper(struct lock_val *v)
{
	return bpf_get_smp_processor_id() + v->cnt;
}

__noinline int global_bump(struct __sk_buff *ctx)
{
	return ctx ? ctx->len : 0;
}

SEC("tc")
__description("spin lock: static subprog called with the lock held")
__success __retval(1)
int c_lock_static_call(struct __sk_buff *ctx)
{
	int key = 0, ret;
	struct lock_val *v = bpf_map_lookup_elem(&lock_map, &key);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt = 0;
	ret = locked_bump(v);
	bpf_spin_unlock(&v->lock);
	return ret;
}

SEC("tc")
__description("spin lock: static subprog releases the caller's lock")
__success __retval(1)
int c_lock_static_unlock(struct __sk_buff *ctx)
{
	int key = 0;
	struct lock_val *v = bpf_map_lookup_elem(&lock_map, &key);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->cnt = 0;
	return locked_bump_unlock(v);
}

SEC("tc")
__description("spin lock: helper call in a static subprog under the lock")
__failure __msg("function calls are not allowed while holding a lock")
int c_lock_static_helper(struct __sk_buff *ctx)
{
	int key = 0, ret;
	struct lock_val *v = bpf_map_lookup_elem(&lock_map, &key);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	ret = locked_helper(v);
	bpf_spin_unlock(&v->lock);
	return ret;
}

SEC("tc")
__description("spin lock: global subprog called with the lock held")
__failure __msg("global function calls are not allowed while holding a lock,")
int c_lock_global_call(struct __sk_buff *ctx)
{
	int key = 0, ret;
	struct lock_val *v = bpf_map_lookup_elem(&lock_map, &key);

	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	ret = global_bump(ctx);
	bpf_spin_unlock(&v->lock);
	return ret;
}

char _license[] SEC("license") = "GPL";
