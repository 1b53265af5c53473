// SPDX-License-Identifier: MIT
/* Stack slots in privileged mode (root without CAP_SYS_ADMIN): spills and fills keep bounds and pointer types, uninitialised reads allowed, frame limits, alignment, variable offsets. */
#include "vmaps.h"

SEC("socket")
__description("stack: a spilled constant fills back as the same constant")
__success __retval(7)
__naked void spill_fill_const(void)
{
	asm volatile ("r1 = 7;" "*(u64 *)(r10 - 8) = r1;" "r0 = *(u64 *)(r10 - 8);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: bounds survive a spill and fill")
__success __retval(0)
__naked void spill_fill_keeps_bounds(void)
{
	asm volatile (VAL_PRE
		"r0 &= 31;" "*(u64 *)(r10 - 16) = r0;" "r0 = *(u64 *)(r10 - 16);" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("stack: a 4-byte fill of an 8-byte spill at the wrong half")
__failure __msg("R6 unbounded memory access, make sure to bounds check any such access")
__naked void spill_partial_fill_loses_bounds(void)
{
	asm volatile (VAL_PRE
		"r0 = *(u64 *)(r6 + 8);" "*(u64 *)(r10 - 16) = r0;" "r0 = *(u32 *)(r10 - 12);" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("stack: a spilled ctx pointer fills back as ctx")
__success __retval(50)
__naked void spill_fill_pointer(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = r1;" "r1 = 0;" "r1 = *(u64 *)(r10 - 8);" "r0 = *(u32 *)(r1 + 0);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: a 4-byte read of a spilled pointer is a scalar")
__failure __msg("invalid size of register fill")
__naked void fill_pointer_partial(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = r1;" "r1 = *(u32 *)(r10 - 8);" "r0 = *(u32 *)(r1 + 0);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: reading uninitialised stack is allowed in privileged mode")
__success
__naked void uninit_read_priv(void)
{
	asm volatile ("r0 = *(u64 *)(r10 - 8);" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: access below the 512-byte frame")
__failure __msg("invalid write to stack R10 off=-520 size=8")
__naked void stack_out_of_frame(void)
{
	asm volatile ("r0 = 0;" "*(u64 *)(r10 - 520) = r0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: access at the bottom of the 512-byte frame")
__success __retval(3)
__naked void stack_at_frame_bottom(void)
{
	asm volatile ("r0 = 3;" "*(u64 *)(r10 - 512) = r0;" "r0 = *(u64 *)(r10 - 512);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: access above the frame pointer")
__failure __msg("invalid write to stack R10 off=8 size=8")
__naked void stack_above_fp(void)
{
	asm volatile ("r0 = 0;" "*(u64 *)(r10 + 8) = r0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: misaligned 8-byte store")
__failure __msg("misaligned stack access off 0+0+-12 size 8")
__naked void stack_misaligned_priv(void)
{
	asm volatile ("r0 = 0;" "*(u64 *)(r10 - 12) = r0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: misaligned stack store is rejected even with BPF_F_ANY_ALIGNMENT")
__flag(BPF_F_ANY_ALIGNMENT) __failure __msg("misaligned stack access off 0+0+-12 size 8")
__naked void stack_misaligned_any(void)
{
	asm volatile ("r0 = 0;" "*(u64 *)(r10 - 12) = r0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: 4-byte store at a 4-byte aligned offset")
__success __retval(0)
__naked void stack_aligned_u32(void)
{
	asm volatile ("r0 = 0;" "*(u32 *)(r10 - 12) = r0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: store at a variable stack offset")
__success __retval(0)
__naked void stack_var_off_write(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "r0 &= 8;" "r1 = r10;" "r1 += -16;" "r1 += r0;" "r2 = 0;" "*(u64 *)(r1 + 0) = r2;" "r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("stack: store at an unbounded variable stack offset")
__failure __msg("math between fp pointer and register with unbounded min value is not allowed")
__naked void stack_var_off_unbounded(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "r1 = r10;" "r1 += r0;" "r2 = 0;" "*(u64 *)(r1 + 0) = r2;" "r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("stack: load at a variable offset from initialised stack")
__success __retval(0)
__naked void stack_var_off_read(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "*(u64 *)(r10 - 16) = r1;" "call %[bpf_get_prandom_u32];" "r0 &= 8;" "r1 = r10;" "r1 += -16;" "r1 += r0;" "r0 = *(u64 *)(r1 + 0);" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("stack: an uninitialised buffer passed to a helper that reads it (privileged: allowed)")
__success __retval(0)
__naked void stack_ptr_to_helper_uninit(void)
{
	asm volatile ("r1 = %[map_hash_8b] ll;" "r2 = r10;" "r2 += -8;" "r3 = r10;" "r3 += -16;" "r4 = 0;" "call %[bpf_map_update_elem];" "r0 = 0;" "exit;"
		:: __imm(bpf_map_update_elem), __imm_addr(map_hash_8b) : __clobber_all);
}

SEC("socket")
__description("stack: BPF_ST of an immediate fills back as the constant")
__success __retval(12)
__naked void stack_store_imm_fill(void)
{
	asm volatile ("*(u64 *)(r10 - 8) = 12;" "r0 = *(u64 *)(r10 - 8);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: 32-bit spill and fill of a constant")
__success __retval(9)
__naked void stack_spill_fill_32(void)
{
	asm volatile ("w1 = 9;" "*(u32 *)(r10 - 4) = r1;" "r0 = *(u32 *)(r10 - 4);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: a constant filled from the stack is not a pointer")
__failure __msg("R1 invalid mem access 'scalar'")
__naked void stack_fill_const_deref(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r1 = *(u64 *)(r10 - 8);" "r0 = *(u64 *)(r1 + 0);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("stack: a stack pointer stored into a map value (privileged: allowed)")
__success __retval(0)
__naked void stack_pointer_leak_to_map(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "*(u64 *)(r0 + 0) = r10;" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("stack: frame pointer arithmetic result below the frame")
__failure __msg("invalid write to stack R1 off=-1024 size=1")
__naked void stack_write_through_ctx_copy(void)
{
	asm volatile ("r1 = r10;" "r1 += -1024;" "r0 = 0;" "*(u8 *)(r1 + 0) = r0;" "exit;"
		::  : __clobber_all);
}

char _license[] SEC("license") = "GPL";
