// SPDX-License-Identifier: MIT
/* Pointer arithmetic rules: which ALU operations are allowed on which pointer types, pointer differences, leaks in privileged mode, bounds of the resulting offsets. */
#include "vmaps.h"

SEC("socket")
__description("pointer arithmetic: map value plus a constant")
__success __retval(0)
__naked void ptr_add_const_ok(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"r0 += 8;" "r0 = *(u64 *)(r0 + 0);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: difference of two pointers into the same value is a scalar")
__success __retval(8)
__naked void ptr_sub_ptr_same(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"r1 = r0;" "r1 += 8;" "r1 -= r0;" "r0 = r1;" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: adding two pointers")
__failure __msg("R0 pointer += pointer prohibited")
__naked void ptr_add_ptr(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"r1 = r0;" "r0 += r1;" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: multiplying a pointer")
__failure __msg("R0 pointer arithmetic with *= operator prohibited")
__naked void ptr_mul(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"r0 *= 2;" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: masking a pointer")
__failure __msg("R0 bitwise operator &= on pointer prohibited")
__naked void ptr_and(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"r0 &= 0xff;" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: 32-bit add on a pointer")
__failure __msg("R0 32-bit pointer arithmetic prohibited")
__naked void ptr_alu32(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"w0 += 8;" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: negating a pointer gives a scalar (privileged)")
__success __retval(POINTER_VALUE)
__naked void ptr_neg(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"r0 = -r0;" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: scalar minus pointer")
__failure __msg("R1 tried to subtract pointer from scalar")
__naked void ptr_sub_from_scalar(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"r1 = 8;" "r1 -= r0;" "r0 = r1;" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: returning a pointer (privileged: leak allowed)")
__success __retval(POINTER_VALUE)
__naked void ptr_returned_priv(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: variable offset on ctx")
__failure __msg("variable ctx access var_off=(0x0; 0x4) disallowed")
__naked void ctx_ptr_add_var(void)
{
	asm volatile ("r6 = r1;" "call %[bpf_get_prandom_u32];" "r0 &= 4;" "r6 += r0;" "r0 = *(u32 *)(r6 + 0);" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: ctx pointer moved and moved back")
__success __retval(50)
__naked void ctx_ptr_sub_const(void)
{
	asm volatile ("r1 += 8;" "r1 += -8;" "r0 = *(u32 *)(r1 + 0);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: frame pointer copy with constant offsets")
__success __retval(4)
__naked void fp_ptr_arith_ok(void)
{
	asm volatile ("r1 = r10;" "r1 += -16;" "r2 = 4;" "*(u64 *)(r1 + 8) = r2;" "r0 = *(u64 *)(r10 - 8);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: a map value pointer moved far below and back with the insn offset")
__success __retval(0)
__naked void value_ptr_minus_big(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"r0 += -1000;" "r0 = *(u8 *)(r0 + 1000);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: a map value pointer moved below the value, insn offset one short")
__failure __msg("invalid access to map value, value_size=48 off=-1 size=1") __msg("R0 min value is outside of the allowed memory range")
__naked void value_ptr_minus_big_short(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"r0 += -1000;" "r0 = *(u8 *)(r0 + 999);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: a map value pointer moved out and back with the insn offset")
__success __retval(0)
__naked void value_ptr_const_back(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"r0 += 64;" "r0 = *(u8 *)(r0 - 60);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("tc")
__description("pointer arithmetic: a u32 ctx field added to the packet pointer")
__success __retval(0)
__naked void pkt_ptr_scalar_unknown(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 8);" "r2 += r3;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("pointer comparison: map value against the frame pointer is allowed (privileged)")
__success __retval(0)
__naked void ptr_cmp_different_types(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"if r0 > r10 goto l_out_%=;" "r0 = 0;" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer arithmetic: xor of a pointer")
__failure __msg("R0 bitwise operator ^= on pointer prohibited")
__naked void ptr_to_scalar_via_xor(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;"
		"r0 ^= 1;" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("pointer store into skb->cb (privileged: allowed)")
__success __retval(0)
__naked void ptr_store_to_ctx(void)
{
	asm volatile ("*(u32 *)(r1 + 48) = r10;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

char _license[] SEC("license") = "GPL";
