// SPDX-License-Identifier: MIT
/* BPF exceptions (verifier/exceptions.ts): bpf_throw ends the path; with the default callback the
 * cookie is the return value, with an `exception_callback:` decl tag that callback's return is;
 * nothing acquired may be held when throwing; no throwing from callbacks; the callback's
 * signature and return value are checked like the program's. */
#include "vmaps.h"

extern void bpf_throw(__u64 cookie) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern void bpf_preempt_disable(void) __ksym;
extern void bpf_preempt_enable(void) __ksym;

#define __exception_cb(name) __attribute__((btf_decl_tag("exception_callback:" #name)))

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ringbuf SEC(".maps");

SEC("tc")
__description("exceptions: the default callback returns the cookie")
__success __retval(7)
int throw_default(struct __sk_buff *ctx)
{
	if (ctx->len)
		bpf_throw(7);
	return 1;
}

__noinline int exc_cb_add(__u64 cookie)
{
	return cookie + 100;
}

static __noinline int thrower(int v)
{
	if (v > 10)
		bpf_throw(v);
	return v;
}

SEC("tc")
__description("exceptions: a subprogram throws, the exception callback returns")
__success __retval(150)
__exception_cb(exc_cb_add)
int throw_from_subprog(struct __sk_buff *ctx)
{
	return thrower(ctx->len ? 50 : 1);
}

SEC("tc")
__description("exceptions: an invalid load after bpf_throw is never reached")
__success __retval(3)
__naked void dead_after_throw(void)
{
	asm volatile ("r1 = 3;" "call %[bpf_throw];" "r0 = *(u64 *)(r1 + 0);" "exit;"
		:: __imm(bpf_throw) : __clobber_all);
}

SEC("tc")
__description("exceptions: throwing while holding a ring buffer record")
__failure __msg("Unreleased reference id=2 alloc_insn=4") __msg("bpf_throw would lead to reference leak")
__naked void throw_with_ref(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "r1 = 0;" "call %[bpf_throw];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_throw), __imm_addr(ringbuf) : __clobber_all);
}

static __noinline int throw_if(int v)
{
	if (v)
		bpf_throw(0);
	return 0;
}

SEC("tc")
__description("exceptions: a subprogram throws while its caller holds a reference")
__failure __msg("bpf_throw would lead to reference leak")
int throw_in_subprog_with_ref(struct __sk_buff *ctx)
{
	void *rec = bpf_ringbuf_reserve(&ringbuf, 8, 0);

	if (!rec)
		return 0;
	throw_if(ctx->len);
	bpf_ringbuf_discard(rec, 0);
	return 0;
}

SEC("tc")
__description("exceptions: throwing inside the rcu read-side region")
__failure __msg("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region")
int throw_in_rcu(struct __sk_buff *ctx)
{
	bpf_rcu_read_lock();
	if (ctx->len)
		bpf_throw(0);
	bpf_rcu_read_unlock();
	return 0;
}

static int loop_cb(__u32 idx, void *data)
{
	if (idx > 3)
		bpf_throw(0);
	return 0;
}

SEC("tc")
__description("exceptions: a bpf_loop callback throws")
__failure __msg("cannot be called from callback subprog 1")
int throw_in_callback(struct __sk_buff *ctx)
{
	bpf_loop(8, loop_cb, NULL, 0);
	return 0;
}

__noinline int exc_cb_two_args(__u64 cookie, __u64 other)
{
	return cookie + other;
}

SEC("tc")
__description("exceptions: an exception callback with two arguments")
__failure __msg("exception cb only supports single integer argument")
__exception_cb(exc_cb_two_args)
int bad_cb_args(struct __sk_buff *ctx)
{
	if (ctx->len)
		bpf_throw(1);
	return 0;
}

__noinline int exc_cb_five(__u64 cookie)
{
	return 5;
}

SEC("cgroup/skb")
__description("exceptions: the exception callback's return is checked as the program's")
__failure __msg("At program exit the register R0 has smin=5 smax=5 should have been in [0, 1]")
__exception_cb(exc_cb_five)
int cb_bad_return(struct __sk_buff *ctx)
{
	if (ctx->len)
		bpf_throw(1);
	return 1;
}

SEC("cgroup/skb")
__description("exceptions: with the default callback the cookie must be a valid return value")
__failure __msg("At program exit the register R1 has smin=64 smax=64 should have been in [0, 1]")
int cookie_bad_return(struct __sk_buff *ctx)
{
	if (ctx->len)
		bpf_throw(64);
	return 1;
}

__noinline int exc_cb_throws(__u64 cookie)
{
	bpf_throw(cookie);
	return 0;
}

SEC("tc")
__description("exceptions: the exception callback throws")
__failure __msg("cannot be called from callback subprog")
__exception_cb(exc_cb_throws)
int cb_throws(struct __sk_buff *ctx)
{
	if (ctx->len)
		bpf_throw(1);
	return 0;
}

SEC("tc")
__description("exceptions: throwing with preemption disabled")
__failure __msg("bpf_throw cannot be used inside bpf_preempt_disable-ed region")
int throw_preempt_off(struct __sk_buff *ctx)
{
	bpf_preempt_disable();
	if (ctx->len)
		bpf_throw(0);
	bpf_preempt_enable();
	return 0;
}

SEC("tc")
__description("exceptions: an exit with preemption still disabled (two disables, one enable)")
__failure __msg("BPF_EXIT instruction in main prog cannot be used inside bpf_preempt_disable-ed region")
int exit_preempt_off(struct __sk_buff *ctx)
{
	bpf_preempt_disable();
	bpf_preempt_disable();
	bpf_preempt_enable();
	return 0;
}

SEC("tc")
__description("exceptions: balanced preemption regions")
__success __retval(0)
int preempt_balanced(struct __sk_buff *ctx)
{
	bpf_preempt_disable();
	bpf_preempt_disable();
	bpf_preempt_enable();
	bpf_preempt_enable();
	return 0;
}

char _license[] SEC("license") = "GPL";
