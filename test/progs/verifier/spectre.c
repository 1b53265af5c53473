// SPDX-License-Identifier: MIT
/* Spectre v1/v4 sanitation of unprivileged programs (verifier/spectre.ts): pointer arithmetic the
 * JIT's masking cannot bound, paths that would mask one insn differently, the outcomes of known
 * branches and of masked pointer moves verified as speculative paths, 6.18's barrier instead of a
 * rejection on a speculative path, and the barrier after a sanitized stack store that ends one.
 * Every program is accepted privileged; the @unpriv runs carry the host kernel's messages. */
#include "vmaps.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, int);
} jmp_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, int);
} jmp_b SEC(".maps");

SEC("socket")
__description("spectre: offset register with mixed signed bounds")
__success __retval(0)
__failure_unpriv __msg_unpriv("R1 has unknown scalar with mixed signed bounds, pointer arithmetic with it prohibited for !root")
__naked void mixed_signed_bounds(void)
{
	asm volatile (VAL_PRE
		"r1 = r0;" "r1 <<= 32;" "r1 s>>= 32;"
		"if r1 s> 8 goto l_out_%=;" "if r1 s< -8 goto l_out_%=;"
		"r6 += 16;" "r6 += r1;"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("spectre: one insn adds a constant on one path and a range on another")
__success __retval(0)
__failure_unpriv __msg_unpriv("R6 tried to add from different maps, paths or scalars, pointer arithmetic with it prohibited for !root")
__naked void masking_differs_by_path(void)
{
	asm volatile (VAL_PRE
		"r1 = r0;" "r1 &= 7;"
		"if r0 > 100 goto l_a_%=;" "r1 = 4;"
		"l_a_%=: r6 += r1;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("spectre: one insn adds to a scalar on one path and to a pointer on another")
__success __retval(0)
__failure_unpriv __msg_unpriv("R1 tried to add from different maps, paths or scalars, pointer arithmetic with it prohibited for !root")
__naked void scalar_and_pointer_by_path(void)
{
	asm volatile (VAL_PRE
		"r2 = r0;" "r2 &= 7;" "r1 = r6;"
		"if r0 > 100 goto l_a_%=;" "r1 = 0;"
		"l_a_%=: r1 += r2;"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("spectre: a map value pointer moved past the value, even to come back")
__success __retval(0)
__failure_unpriv __msg_unpriv("invalid access to map value, value_size=48 off=48 size=1")
__msg_unpriv("R6 min value is outside of the allowed memory range")
__msg_unpriv("R6 pointer arithmetic of map value goes out of range, prohibited for !root")
__naked void map_value_out_of_range(void)
{
	asm volatile (VAL_PRE
		"r6 += 48;" "r6 += -8;" "r0 = *(u64 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("spectre: a stack pointer moved above the frame, even to come back")
__success __retval(0)
__failure_unpriv __msg_unpriv("R1 stack pointer arithmetic goes out of range, prohibited for !root; off=8")
__naked void stack_out_of_range(void)
{
	asm volatile ("r1 = r10;" "r1 += 8;" "r1 += -16;" "r0 = 0;" "*(u64 *)(r1 + 0) = r0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("spectre: a stack pointer with a variable offset")
__success __retval(0)
__failure_unpriv __msg_unpriv("R2 variable stack access prohibited for !root, var_off=(0x0; 0x7) off=-16")
__naked void variable_stack_pointer(void)
{
	asm volatile (VAL_PRE
		"r3 = 0;" "*(u64 *)(r10 - 16) = r3;" "*(u64 *)(r10 - 8) = r3;"
		"r1 = r0;" "r1 &= 7;" "r2 = r10;" "r2 += -16;" "r2 += r1;" "r0 = *(u8 *)(r2 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("spectre: the fall-through of a jump always taken is verified speculatively")
__success __retval(0)
__success_unpriv __log_level(2)
__msg_unpriv("from 1 to 2 (speculative execution)")
__msg_unpriv("R1 invalid mem access 'scalar'")
__msg_unpriv("processed 5 insns")
__naked void speculative_dead_branch(void)
{
	asm volatile ("r1 = 0;" "if r1 == 0 goto l_ok_%=;" "r0 = *(u64 *)(r1 + 0);"
		"l_ok_%=: r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("spectre: a pointer spill ends a speculative path (v4 barrier)")
__success __retval(0)
__success_unpriv __log_level(2)
__msg_unpriv("from 1 to 2 (speculative execution)")
__msg_unpriv("2: (7b) *(u64 *)(r10 -8) = r10")
__not_msg_unpriv("invalid mem access")
__msg_unpriv("processed 5 insns")
__naked void speculative_path_ends_at_spill(void)
{
	asm volatile ("r1 = 0;" "if r1 == 0 goto l_ok_%=;" "*(u64 *)(r10 - 8) = r10;" "r0 = *(u64 *)(r1 + 0);"
		"l_ok_%=: r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("spectre: a masked pointer move is also verified unmoved")
__success __retval(0)
__success_unpriv __log_level(2)
__msg_unpriv("from 12 to 13 (speculative execution): R0={{P?}}scalar(id={{[0-9]+}}) R1={{P?}}scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7)) R6=map_value(map=map_array_48b,ks=4,vs=48) R10=fp0")
__msg_unpriv("processed 20 insns")
__naked void masked_move_explored(void)
{
	asm volatile (VAL_PRE
		"r1 = r0;" "r1 &= 7;" "r6 += r1;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("spectre: one tail call site reached with two prog arrays")
__success __retval(0)
__failure_unpriv __msg_unpriv("tail_call abusing map_ptr")
__naked void tail_call_two_maps(void)
{
	asm volatile ("r6 = r1;" "call %[bpf_get_prandom_u32];"
		"r2 = %[jmp_a] ll;" "if r0 > 100 goto l_b_%=;" "r2 = %[jmp_b] ll;"
		"l_b_%=: r1 = r6;" "r3 = 0;" "call %[bpf_tail_call];"
		"r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32), __imm(bpf_tail_call), __imm_addr(jmp_a), __imm_addr(jmp_b) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
