// SPDX-License-Identifier: MIT
/* Global functions (verified once, from their BTF prototype) and tail calls. */
#include "vmaps.h"

__noinline int global_double(int x)
{
	return x * 2;
}

SEC("socket")
__description("global function: scalar argument and result")
__success __retval(42)
int global_scalar(void *ctx)
{
	return global_double(21);
}

__noinline int global_len(struct __sk_buff *skb)
{
	return skb ? skb->len : 0;
}

SEC("socket")
__description("global function: ctx argument")
__success __retval(50)
int global_ctx(struct __sk_buff *skb)
{
	return global_len(skb);
}

__noinline int global_deref(int *p)
{
	return *p;
}

SEC("socket")
__description("global function: a pointer argument dereferenced without a NULL check")
__failure __msg("R1 invalid mem access 'mem_or_null'")
int global_ptr_unchecked(void *ctx)
{
	int v = 3;

	return global_deref(&v);
}

__noinline int global_deref_checked(int *p)
{
	return p ? *p : -1;
}

SEC("socket")
__description("global function: a pointer argument checked for NULL")
__success __retval(3)
int global_ptr_checked(void *ctx)
{
	int v = 3;

	return global_deref_checked(&v);
}

__noinline int global_takes_ctx(struct __sk_buff *skb)
{
	return 0;
}

SEC("socket")
__description("global function: a scalar passed where the prototype says ctx")
__failure __msg("arg#0 expects pointer to ctx") __msg("Caller passes invalid args into func#1 ('global_takes_ctx')")
__naked void global_ctx_wrong_arg(void)
{
	asm volatile ("r1 = 0;" "call global_takes_ctx;" "exit;" ::: __clobber_all);
}

__noinline int global_verified_alone(int x)
{
	int arr[4] = {};

	/* verified once without knowing x: the index is unbounded */
	return arr[x];
}

SEC("socket")
__description("global function: verified from its prototype, not from the caller's constant")
__failure __msg("math between fp pointer and register with unbounded min value is not allowed")
int global_no_caller_knowledge(void *ctx)
{
	return global_verified_alone(1);
}

__noinline int global_bounded(int x)
{
	int arr[4] = {1, 2, 3, 4};

	if (x < 0 || x > 3)
		return 0;
	return arr[x];
}

SEC("socket")
__description("global function: bounds its own argument")
__success __retval(4)
int global_bounded_caller(void *ctx)
{
	return global_bounded(3);
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} jmp_table SEC(".maps");

SEC("socket")
__description("tail call: an empty slot falls through")
__success __retval(1)
int tail_call_fallthrough(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp_table, 0);
	return 1;
}

SEC("socket")
__description("tail call: an unknown index")
__success __retval(2)
int tail_call_unknown_index(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp_table, bpf_get_prandom_u32());
	return 2;
}

SEC("socket")
__description("tail call: the stack where the ctx is expected")
__failure __msg("R1 type=fp expected=ctx")
__naked void tail_call_bad_ctx(void)
{
	asm volatile ("r1 = r10;" "r2 = %[jmp_table] ll;" "r3 = 0;" "call %[bpf_tail_call];" "r0 = 0;" "exit;"
		:: __imm(bpf_tail_call), __imm_addr(jmp_table) : __clobber_all);
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} tail_rb SEC(".maps");

SEC("socket")
__description("tail call: while holding a ringbuf reference")
__failure __msg("Unreleased reference id=2 alloc_insn=5") __msg("tail_call would lead to reference leak")
__naked void tail_call_with_ref(void)
{
	asm volatile ("r6 = r1;" "r1 = %[tail_rb] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "r7 = r0;" "r1 = r6;" "r2 = %[jmp_table] ll;" "r3 = 0;" "call %[bpf_tail_call];"
		"r1 = r7;" "r2 = 0;" "call %[bpf_ringbuf_discard];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_tail_call), __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_discard), __imm_addr(jmp_table), __imm_addr(tail_rb)
		: __clobber_all);
}

SEC("socket")
__description("tail call: r1-r5 are clobbered after a tail call that falls through")
__failure __msg("R3 !read_ok")
__naked void tail_call_clobbers(void)
{
	asm volatile ("r2 = %[jmp_table] ll;" "r3 = 0;" "call %[bpf_tail_call];" "r0 = r3;" "exit;"
		:: __imm(bpf_tail_call), __imm_addr(jmp_table) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
