// SPDX-License-Identifier: MIT
/* Callbacks verified as functions: bpf_loop and bpf_for_each_map_elem bodies, their return
 * ranges, their view of the caller's stack through the context pointer. */
#include "vmaps.h"

struct loop_ctx {
	long sum;
};

static long add_index(__u64 i, struct loop_ctx *c)
{
	c->sum += i;
	return 0;
}

SEC("socket")
__description("callbacks: bpf_loop sums its indexes")
__success __retval(45)
int loop_sum(void *ctx)
{
	struct loop_ctx c = {};

	bpf_loop(10, add_index, &c, 0);
	return c.sum;
}

static long stop_at_three(__u64 i, struct loop_ctx *c)
{
	c->sum++;
	return i == 2 ? 1 : 0;
}

SEC("socket")
__description("callbacks: bpf_loop stops when the callback returns 1")
__success __retval(3)
int loop_early_stop(void *ctx)
{
	struct loop_ctx c = {};

	bpf_loop(10, stop_at_three, &c, 0);
	return c.sum;
}

SEC("socket")
__description("callbacks: bpf_loop with an unknown iteration count")
__success __retval(0)
int loop_unknown_count(void *ctx)
{
	struct loop_ctx c = {};

	bpf_loop(bpf_get_prandom_u32() & 0xff, add_index, &c, 0);
	return 0;
}

SEC("socket")
__description("callbacks: a bpf_loop callback returning 5")
__failure __msg("At callback return the register R0 has smin=5 smax=5 should have been in [0, 1]")
__naked void loop_cb_bad_return(void)
{
	asm volatile ("r1 = 4;" "r2 = cb_ret5 ll;" "r3 = 0;" "r4 = 0;" "call %[bpf_loop];" "r0 = 0;" "exit;"
		:: __imm(bpf_loop) : __clobber_all);
}

SUBPROG(cb_ret5)
{
	asm volatile ("r0 = 5;" "exit;" ::: __clobber_all);
}

SUBPROG(cb_ret1)
{
	asm volatile ("r0 = 1;" "exit;" ::: __clobber_all);
}

SUBPROG(cb_no_r0)
{
	asm volatile ("exit;" ::: __clobber_all);
}

SUBPROG(cb_write_ctx_past)
{
	asm volatile ("r1 = 1;" "*(u64 *)(r2 + 8) = r1;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(cb_write_ctx)
{
	asm volatile ("r1 = 1;" "*(u64 *)(r2 + 0) = r1;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("callbacks: a bpf_loop callback returning 1 in asm")
__success __retval(1)
__naked void loop_cb_ret1(void)
{
	asm volatile ("r1 = 4;" "r2 = cb_ret1 ll;" "r3 = 0;" "r4 = 0;" "call %[bpf_loop];" "exit;"
		:: __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("callbacks: a bpf_loop callback without r0")
__failure __msg("R0 not a scalar value")
__naked void loop_cb_no_r0(void)
{
	asm volatile ("r1 = 4;" "r2 = cb_no_r0 ll;" "r3 = 0;" "r4 = 0;" "call %[bpf_loop];" "r0 = 0;" "exit;"
		:: __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("callbacks: the callback writes inside the caller's 8-byte context")
__success __retval(1)
__naked void loop_cb_ctx_write(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r1 = 1;" "r2 = cb_write_ctx ll;" "r3 = r10;" "r3 += -8;" "r4 = 0;"
		"call %[bpf_loop];" "r0 = *(u64 *)(r10 - 8);" "exit;"
		:: __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("callbacks: the callback writes past the caller's frame through the context")
__failure __msg("invalid write to stack R2 off=0 size=8")
__naked void loop_cb_ctx_write_past(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r1 = 1;" "r2 = cb_write_ctx_past ll;" "r3 = r10;" "r3 += -8;" "r4 = 0;"
		"call %[bpf_loop];" "r0 = 0;" "exit;"
		:: __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("callbacks: bpf_loop flags are checked at run time (-EINVAL), not by the verifier")
__success __retval(-22)
__naked void loop_flags_nonzero(void)
{
	asm volatile ("r1 = 4;" "r2 = cb_ret1 ll;" "r3 = 0;" "r4 = 1;" "call %[bpf_loop];" "exit;"
		:: __imm(bpf_loop) : __clobber_all);
}

SEC("socket")
__description("callbacks: bpf_loop with a scalar as the callback")
__failure __msg("R2 type=scalar expected=func")
__naked void loop_cb_scalar(void)
{
	asm volatile ("r1 = 4;" "r2 = 0;" "r3 = 0;" "r4 = 0;" "call %[bpf_loop];" "r0 = 0;" "exit;"
		:: __imm(bpf_loop) : __clobber_all);
}

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} each_arr SEC(".maps");

static long count_elem(void *map, __u32 *key, __u64 *val, struct loop_ctx *c)
{
	c->sum += *key;
	return 0;
}

SEC("socket")
__description("callbacks: for_each_map_elem visits every array element")
__success __retval(6)
int each_sum_keys(void *ctx)
{
	struct loop_ctx c = {};

	bpf_for_each_map_elem(&each_arr, count_elem, &c, 0);
	return c.sum;
}

static long write_value(void *map, __u32 *key, __u64 *val, void *c)
{
	*val = 3;
	return 0;
}

SEC("socket")
__description("callbacks: for_each_map_elem callback writes the value")
__success __retval(4)
int each_write_values(void *ctx)
{
	return bpf_for_each_map_elem(&each_arr, write_value, 0, 0);
}

SUBPROG(each_write_key)
{
	asm volatile ("r1 = 1;" "*(u32 *)(r2 + 0) = r1;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(each_read_val_past)
{
	asm volatile ("r0 = *(u64 *)(r3 + 8);" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("callbacks: for_each_map_elem callback writes the read-only key")
__failure __msg("write to change key R2 not allowed")
__naked void each_key_write(void)
{
	asm volatile ("r1 = %[each_arr] ll;" "r2 = each_write_key ll;" "r3 = 0;" "r4 = 0;" "call %[bpf_for_each_map_elem];" "r0 = 0;" "exit;"
		:: __imm(bpf_for_each_map_elem), __imm_addr(each_arr) : __clobber_all);
}

SEC("socket")
__description("callbacks: for_each_map_elem callback reads past the 8-byte value")
__failure __msg("invalid access to map value, value_size=8 off=8 size=8") __msg("R3 min value is outside of the allowed memory range")
__naked void each_val_read_past(void)
{
	asm volatile ("r1 = %[each_arr] ll;" "r2 = each_read_val_past ll;" "r3 = 0;" "r4 = 0;" "call %[bpf_for_each_map_elem];" "r0 = 0;" "exit;"
		:: __imm(bpf_for_each_map_elem), __imm_addr(each_arr) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
