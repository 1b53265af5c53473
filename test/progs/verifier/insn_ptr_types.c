// SPDX-License-Identifier: MIT
/* One load or store insn, two pointer types (kernel save_aux_ptr_type): the kernel rewrites a
 * context or socket access per insn, so an insn reached with a context pointer on one path and a
 * stack pointer on another is refused; stack and map value pointers may share an insn.
 * Expectations are the 6.18 host's. */
#include "vmaps.h"

SEC("tc")
__description("insn ptr types: a store reached with a stack pointer, then with the context")
__failure __msg("same insn cannot be used with different pointers")
__naked void store_stack_then_ctx(void)
{
	asm volatile (
		"r6 = r1;" "call %[bpf_get_prandom_u32];"
		"r2 = r10;" "r2 += -16;"
		"if r0 == 0 goto l_s_%=;" "r2 = r6;"
		"l_s_%=: r3 = 1;" "*(u32 *)(r2 + %[mark]) = r3;"
		"r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32), __imm_const(mark, offsetof(struct __sk_buff, mark)) : __clobber_all);
}

SEC("tc")
__description("insn ptr types: a load reached with the context, then with a stack pointer")
__failure __msg("same insn cannot be used with different pointers")
__naked void load_ctx_then_stack(void)
{
	asm volatile (
		"r6 = r1;" "r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "call %[bpf_get_prandom_u32];"
		"r2 = r6;"
		"if r0 != 0 goto l_s_%=;" "r2 = r10;" "r2 += -16;"
		"l_s_%=: r0 = *(u32 *)(r2 + 8);"
		"r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc")
__description("insn ptr types: a stack pointer and a map value pointer may share a store")
__success __retval(0)
__naked void store_stack_or_map_value(void)
{
	asm volatile (VAL_PRE
		"r2 = r10;" "r2 += -16;"
		"if r0 == 0 goto l_s_%=;" "r2 = r6;"
		"l_s_%=: r3 = 1;" "*(u64 *)(r2 + 0) = r3;"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

char _license[] SEC("license") = "GPL";
