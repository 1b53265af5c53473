// SPDX-License-Identifier: MIT
/* bpf-to-bpf calls: frames, argument and return registers, clobbered caller-saved registers, pointers into other frames, the combined stack limit, recursion and call depth. */
#include "vmaps.h"

SUBPROG(sub_ret41)
{
	asm volatile ("r0 = 41;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_no_r0)
{
	asm volatile ("exit;" ::: __clobber_all);
}

SUBPROG(sub_reads_r6)
{
	asm volatile ("r0 = r6;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_double_r1)
{
	asm volatile ("r0 = r1;" "r0 *= 2;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_write_arg)
{
	asm volatile ("r2 = 7;" "*(u64 *)(r1 + 0) = r2;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_big_stack)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_recursive)
{
	asm volatile ("call sub_recursive;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_depth1)
{
	asm volatile ("call sub_depth2;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_depth2)
{
	asm volatile ("call sub_depth3;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_depth3)
{
	asm volatile ("call sub_depth4;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_depth4)
{
	asm volatile ("call sub_depth5;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_depth5)
{
	asm volatile ("call sub_depth6;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_depth6)
{
	asm volatile ("call sub_depth7;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_depth7)
{
	asm volatile ("call sub_depth8;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_depth8)
{
	asm volatile ("r0 = 0;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_ret_stack_ptr)
{
	asm volatile ("r0 = r10;" "r0 += -8;" "exit;" ::: __clobber_all);
}

SUBPROG(sub_read_arg_ptr)
{
	asm volatile ("r0 = *(u64 *)(r1 + 0);" "exit;" ::: __clobber_all);
}

SUBPROG(sub_ret_ctx_len)
{
	asm volatile ("r0 = *(u32 *)(r1 + 0);" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: call and use the result")
__success __retval(42)
__naked void call_ok(void)
{
	asm volatile ("call sub_ret41;" "r0 += 1;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: the callee exits without r0")
__failure __msg("R0 !read_ok")
__naked void call_callee_no_r0(void)
{
	asm volatile ("call sub_no_r0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: the callee cannot see the caller's r6")
__failure __msg("R6 !read_ok")
__naked void call_callee_reads_caller_r6(void)
{
	asm volatile ("r6 = 1;" "call sub_reads_r6;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: arguments in r1")
__success __retval(10)
__naked void call_passes_r1(void)
{
	asm volatile ("r1 = 5;" "call sub_double_r1;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: r1-r5 are not readable after the call")
__failure __msg("R2 !read_ok")
__naked void call_clobbers_r2(void)
{
	asm volatile ("r1 = 5;" "r2 = 3;" "call sub_double_r1;" "r0 = r2;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: r6-r9 survive the call")
__success __retval(3)
__naked void call_keeps_r7(void)
{
	asm volatile ("r1 = 5;" "r7 = 3;" "call sub_double_r1;" "r0 = r7;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: the callee writes through a pointer to the caller's stack")
__success __retval(7)
__naked void call_stack_arg(void)
{
	asm volatile ("r1 = r10;" "r1 += -8;" "call sub_write_arg;" "r0 = *(u64 *)(r10 - 8);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: ctx passed to the callee stays ctx")
__success __retval(50)
__naked void call_ctx_arg(void)
{
	asm volatile ("call sub_ret_ctx_len;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: the callee dereferences a scalar argument")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void call_scalar_arg_deref(void)
{
	asm volatile ("r1 = 0;" "call sub_read_arg_ptr;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: combined stack of caller and callee over 512 bytes")
__failure __msg("combined stack size of 2 calls is 528. Too large")
__naked void call_combined_stack(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 512) = r1;" "call sub_big_stack;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: combined stack of 480 + 8 bytes (frames round up to 32)")
__success __retval(0)
__naked void call_combined_stack_ok(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 480) = r1;" "call sub_big_stack;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: a recursive call runs into the frame limit")
__failure __msg("the call stack of 9 frames is too deep")
__naked void call_recursion(void)
{
	asm volatile ("call sub_recursive;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: eight frames")
__success __retval(0)
__naked void call_depth_8(void)
{
	asm volatile ("call sub_depth2;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: nine frames")
__failure __msg("the call stack of 9 frames is too deep")
__naked void call_depth_9(void)
{
	asm volatile ("call sub_depth1;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("bpf-to-bpf: using a pointer to the callee's dead stack")
__failure __msg("cannot return stack pointer to the caller")
__naked void call_ret_callee_stack(void)
{
	asm volatile ("call sub_ret_stack_ptr;" "r0 = *(u64 *)(r0 + 0);" "exit;"
		::  : __clobber_all);
}

char _license[] SEC("license") = "GPL";
