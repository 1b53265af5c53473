// SPDX-License-Identifier: MIT
/* Bounded loops explored with state pruning, infinite loops, the 1M processed-instruction limit, and the exit value ranges of program types. */
#include "vmaps.h"

SEC("socket")
__description("loops: a bounded counting loop")
__success __retval(10)
__naked void loop_count_10(void)
{
	asm volatile ("r0 = 0;" "l0_%=: r0 += 1;" "if r0 < 10 goto l0_%=;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("loops: a loop bounded by a JMP32 compare")
__success __retval(45)
__naked void loop_sum_jmp32(void)
{
	asm volatile ("r0 = 0;" "r1 = 0;" "l0_%=: r0 += r1;" "w1 += 1;" "if w1 < 10 goto l0_%=;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("loops: a loop whose state never changes")
__failure __msg("infinite loop detected at insn 2") __msg("cur state: R0=0 R1=0 R10=fp0") __msg("old state: R0=0 R1=P0 R10=fp0")
__naked void loop_no_progress(void)
{
	asm volatile ("r0 = 0;" "r1 = 0;" "l0_%=: if r1 < 10 goto l0_%=;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("loops: a loop on an unknown bound")
__failure __msg("BPF program is too large. Processed 1000001 insn")
__naked void loop_unbounded(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "r1 = r0;" "r0 = 0;" "l0_%=: r0 += 1;" "if r0 != r1 goto l0_%=;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("loops: a loop bounded by a masked unknown")
__success __retval(0)
__naked void loop_bound_by_mask(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "r1 = r0;" "r1 &= 15;" "r0 = 0;" "l0_%=: if r0 >= r1 goto l1_%=;" "r0 += 1;" "goto l0_%=;" "l1_%=: r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("loops: each iteration indexes the map value")
__success __retval(0)
__naked void loop_map_access(void)
{
	asm volatile (VAL_PRE
		"r1 = 0;" "l0_%=: r2 = r6;" "r2 += r1;" "r3 = *(u8 *)(r2 + 0);" "r1 += 1;" "if r1 < 48 goto l0_%=;"
		VAL_OUT
		:: __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("loops: the last iteration indexes past the map value")
__failure __msg("invalid access to map value, value_size=48 off=48 size=1") __msg("R2 min value is outside of the allowed memory range")
__naked void loop_map_access_overrun(void)
{
	asm volatile (VAL_PRE
		"r1 = 0;" "l0_%=: r2 = r6;" "r2 += r1;" "r3 = *(u8 *)(r2 + 0);" "r1 += 1;" "if r1 < 49 goto l0_%=;"
		VAL_OUT
		:: __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("loops: a 400000-iteration loop whose counter needs no precision converges")
__success __retval(0)
__naked void loop_imprecise_counter(void)
{
	asm volatile ("r0 = 0;" "l0_%=: r0 += 1;" "if r0 < 400000 goto l0_%=;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("loops: a 100000-iteration loop with a precise counter stays under the 1M limit")
__success __retval(0)
__naked void loop_100k_precise(void)
{
	asm volatile ("r0 = 0;" "*(u64 *)(r10 - 8) = r0;" "l0_%=: r1 = r0;" "r1 &= 7;" "r2 = r10;" "r2 += -8;" "r2 += r1;" "r0 += 1;" "if r0 < 100000 goto l0_%=;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("loops: a 200000-iteration loop with a precise counter exceeds the 1M limit")
__failure __msg("BPF program is too large. Processed 1000001 insn")
__naked void loop_1m_limit(void)
{
	asm volatile ("r0 = 0;" "*(u64 *)(r10 - 8) = r0;" "l0_%=: r1 = r0;" "r1 &= 7;" "r2 = r10;" "r2 += -8;" "r2 += r1;" "r0 += 1;" "if r0 < 200000 goto l0_%=;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("loops: counting down with a signed bound")
__success __retval(0)
__naked void loop_down_count(void)
{
	asm volatile ("r0 = 20;" "l0_%=: r0 += -2;" "if r0 s> 0 goto l0_%=;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("loops: nested bounded loops")
__success __retval(16)
__naked void loop_nested(void)
{
	asm volatile ("r0 = 0;" "r1 = 0;" "l0_%=: r2 = 0;" "l1_%=: r0 += 1;" "r2 += 1;" "if r2 < 4 goto l1_%=;" "r1 += 1;" "if r1 < 4 goto l0_%=;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("loops: an infinite loop on one branch")
__failure __msg("infinite loop detected at insn 3") __msg("cur state: R0=scalar(umin=1) R1=0 R10=fp0") __msg("old state: R0=scalar(umin=1) R1=0 R10=fp0")
__naked void loop_backedge_only_one_path(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "if r0 == 0 goto l1_%=;" "r1 = 0;" "l0_%=: r1 = r1;" "goto l0_%=;" "l1_%=: r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("exit: cgroup_skb returns 1")
__success __retval(1)
__naked void cg_exit_1(void)
{
	asm volatile ("r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("exit: cgroup_skb returns 2")
__failure __msg("At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]")
__naked void cg_exit_2(void)
{
	asm volatile ("r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("exit: cgroup_skb returns an unknown value")
__failure __msg("At program exit the register R0 has unknown scalar value should have been in [0, 1]")
__naked void cg_exit_unknown(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("exit: cgroup_skb returns a value masked to 0..1")
__success __retval(0)
__naked void cg_exit_masked(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "r0 &= 1;" "r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("exit: cgroup_skb returns -1")
__failure __msg("At program exit the register R0 has smin=-1 smax=-1 should have been in [0, 1]")
__naked void cg_exit_negative(void)
{
	asm volatile ("r0 = -1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("exit: cgroup_skb returns a pointer")
__failure __msg("At program exit the register R0 is not a known value (ctx)")
__naked void cg_exit_ptr(void)
{
	asm volatile ("r0 = r1;" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("exit: xdp has no verifier range on r0")
__success __retval(7)
__naked void xdp_exit_any(void)
{
	asm volatile ("r0 = 7;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("exit: a socket filter returning a pointer (privileged: allowed)")
__success __retval(POINTER_VALUE)
__naked void socket_exit_ptr(void)
{
	asm volatile ("r0 = r10;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup_skb/ingress")
__description("exit: 32-bit r0 bound of 0..1 after w0 &= 1")
__success __retval(0)
__naked void cg_exit_32bit_bound(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "w0 &= 1;" "r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
