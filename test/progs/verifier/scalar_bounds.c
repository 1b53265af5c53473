// SPDX-License-Identifier: MIT
/* Scalar tracking: ALU operations on bounded values and branch refinement (unsigned, signed,
 * JMP32, register against register, JSET, equality), checked by using the value as a variable
 * offset into a 48-byte map value: in bounds is accepted, a possible overrun rejected. */
#include "vmaps.h"

SEC("socket")
__description("scalar: AND mask bounds an index into a 48-byte value")
__success __retval(0)
__naked void and_mask_in_bounds(void)
{
	asm volatile (VAL_PRE
		"r0 &= 31;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: AND mask 63 lets an index run past a 48-byte value")
__failure __msg("invalid access to map value, value_size=48 off=63 size=1") __msg("R6 max value is outside of the allowed memory range")
__naked void and_mask_too_wide(void)
{
	asm volatile (VAL_PRE
		"r0 &= 63;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: unsigned upper bound from if r0 > 40")
__success __retval(0)
__naked void jgt_bound_ok(void)
{
	asm volatile (VAL_PRE
		"if r0 > 40 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: unsigned upper bound one past the end")
__failure __msg("invalid access to map value, value_size=48 off=48 size=1") __msg("R6 max value is outside of the allowed memory range")
__naked void jgt_bound_off_by_one(void)
{
	asm volatile (VAL_PRE
		"if r0 > 48 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: unsigned upper bound from if r0 >= 44, 4-byte load")
__flag(BPF_F_ANY_ALIGNMENT) __success __retval(0)
__naked void jge_bound_ok(void)
{
	asm volatile (VAL_PRE
		"if r0 >= 45 goto l_out_%=;" "r6 += r0;" "r0 = *(u32 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: a 4-byte load at the last bounded offset overruns")
__flag(BPF_F_ANY_ALIGNMENT) __failure __msg("invalid access to map value, value_size=48 off=45 size=4") __msg("R6 max value is outside of the allowed memory range")
__naked void jge_bound_size_overrun(void)
{
	asm volatile (VAL_PRE
		"if r0 >= 46 goto l_out_%=;" "r6 += r0;" "r0 = *(u32 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: unsigned bound from if r0 < 16 taken")
__success __retval(0)
__naked void jlt_bound_ok(void)
{
	asm volatile (VAL_PRE
		"if r0 < 16 goto l_use_%=;" "goto l_out_%=;" "l_use_%=: r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: the not-taken side of if r0 < 16 is unbounded")
__failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
__naked void jlt_wrong_branch(void)
{
	asm volatile (VAL_PRE
		"if r0 < 16 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: a signed upper bound leaves the minimum negative")
__failure __msg("value -2147483648 makes map_value pointer be out of bounds")
__naked void signed_upper_only(void)
{
	asm volatile (VAL_PRE
		"r0 <<= 32;" "r0 s>>= 32;" "if r0 s> 40 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: signed upper and lower bounds")
__success __retval(0)
__naked void signed_both_bounds(void)
{
	asm volatile (VAL_PRE
		"r0 <<= 32;" "r0 s>>= 32;" "if r0 s> 40 goto l_out_%=;" "if r0 s< 0 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: a JMP32 bound on a zero-extended value bounds the 64-bit register")
__success __retval(0)
__naked void jmp32_bounds_u32(void)
{
	asm volatile (VAL_PRE
		"w0 = w0;" "if w0 > 40 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: a JMP32 bound leaves the upper 32 bits of a 64-bit value unknown")
__failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
__naked void jmp32_bound_on_u64(void)
{
	asm volatile (VAL_PRE
		"r0 = *(u64 *)(r6 + 8);" "if w0 > 40 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: a signed JMP32 bound alone lets w0 be negative")
__failure __msg("R6 unbounded memory access, make sure to bounds check any such access")
__naked void jmp32_signed_u32(void)
{
	asm volatile (VAL_PRE
		"w0 = w0;" "if w0 s> 40 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: signed JMP32 bounds on both sides")
__success __retval(0)
__naked void jmp32_signed_both(void)
{
	asm volatile (VAL_PRE
		"w0 = w0;" "if w0 s> 40 goto l_out_%=;" "if w0 s< 0 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: bound against a register holding a constant")
__success __retval(0)
__naked void reg_reg_bound_ok(void)
{
	asm volatile (VAL_PRE
		"r1 = 40;" "if r0 > r1 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: bound against an unknown register proves nothing")
__failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
__naked void reg_reg_bound_unknown(void)
{
	asm volatile (VAL_PRE
		"r7 = r0;" "call %[bpf_get_prandom_u32];" "if r0 > r7 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: the taken side of if r0 == 5 knows r0 = 5")
__success __retval(0)
__naked void jeq_const_ok(void)
{
	asm volatile (VAL_PRE
		"if r0 == 5 goto l_use_%=;" "goto l_out_%=;" "l_use_%=: r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: the taken side of if r0 != 5 knows nothing")
__failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
__naked void jne_other_side(void)
{
	asm volatile (VAL_PRE
		"if r0 == 5 goto l_out_%=;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: if r0 & 0x30 not taken: bits 4 and 5 known clear")
__flag(BPF_F_ANY_ALIGNMENT) __success __retval(0)
__naked void jset_clears_bits(void)
{
	asm volatile (VAL_PRE
		"r0 &= 0x3f;" "if r0 & 0x30 goto l_out_%=;" "r6 += r0;" "r0 = *(u32 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: if r0 & 0x10 not taken leaves 47 possible")
__flag(BPF_F_ANY_ALIGNMENT) __failure __msg("invalid access to map value, value_size=48 off=47 size=4") __msg("R6 max value is outside of the allowed memory range")
__naked void jset_too_few_bits(void)
{
	asm volatile (VAL_PRE
		"r0 &= 0x3f;" "if r0 & 0x10 goto l_out_%=;" "r6 += r0;" "r0 = *(u32 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: multiplication of a bounded value")
__success __retval(0)
__naked void mul_bound_ok(void)
{
	asm volatile (VAL_PRE
		"r0 &= 7;" "r0 *= 4;" "r6 += r0;" "r0 = *(u32 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: multiplication pushes the bound past the value")
__failure __msg("invalid access to map value, value_size=48 off=60 size=4") __msg("R6 max value is outside of the allowed memory range")
__naked void mul_bound_too_big(void)
{
	asm volatile (VAL_PRE
		"r0 &= 15;" "r0 *= 4;" "r6 += r0;" "r0 = *(u32 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: left shift of a bounded value")
__success __retval(0)
__naked void lsh_bound_ok(void)
{
	asm volatile (VAL_PRE
		"r0 &= 7;" "r0 <<= 2;" "r6 += r0;" "r0 = *(u32 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: left shift pushes the bound past the value")
__failure __msg("invalid access to map value, value_size=48 off=56 size=4") __msg("R6 max value is outside of the allowed memory range")
__naked void lsh_bound_too_big(void)
{
	asm volatile (VAL_PRE
		"r0 &= 7;" "r0 <<= 3;" "r6 += r0;" "r0 = *(u32 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: 32-bit right shift by 27 leaves 0..31")
__success __retval(0)
__naked void rsh_bound_ok(void)
{
	asm volatile (VAL_PRE
		"w0 >>= 27;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: 32-bit right shift by 26 leaves 0..63")
__failure __msg("invalid access to map value, value_size=48 off=63 size=1") __msg("R6 max value is outside of the allowed memory range")
__naked void rsh_bound_too_big(void)
{
	asm volatile (VAL_PRE
		"w0 >>= 26;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: arithmetic right shift of a non-negative value")
__success __retval(0)
__naked void arsh_bound_ok(void)
{
	asm volatile (VAL_PRE
		"r0 &= 0xff;" "r0 s>>= 3;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: arithmetic right shift keeps a negative minimum")
__failure __msg("R6 min value is negative, either use unsigned index or do a if (index >=0) check.")
__naked void arsh_negative(void)
{
	asm volatile (VAL_PRE
		"r0 <<= 32;" "r0 s>>= 59;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: 20 - (0..15) stays in 5..20")
__success __retval(0)
__naked void sub_bound_ok(void)
{
	asm volatile (VAL_PRE
		"r0 &= 15;" "r1 = 20;" "r1 -= r0;" "r6 += r1;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: 20 - (0..31) can go negative")
__failure __msg("R6 min value is negative, either use unsigned index or do a if (index >=0) check.")
__naked void sub_bound_negative(void)
{
	asm volatile (VAL_PRE
		"r0 &= 31;" "r1 = 20;" "r1 -= r0;" "r6 += r1;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: sum of two bounded values")
__success __retval(0)
__naked void add_two_bounded(void)
{
	asm volatile (VAL_PRE
		"r7 = r0;" "r7 &= 15;" "call %[bpf_get_prandom_u32];" "r0 &= 15;" "r0 += r7;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: sum of two values bounded by 31 reaches 62")
__failure __msg("invalid access to map value, value_size=48 off=62 size=1") __msg("R6 max value is outside of the allowed memory range")
__naked void add_two_too_big(void)
{
	asm volatile (VAL_PRE
		"r7 = r0;" "r7 &= 31;" "call %[bpf_get_prandom_u32];" "r0 &= 31;" "r0 += r7;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: an ALU32 AND zero-extends into a bounded 64-bit value")
__success __retval(0)
__naked void alu32_and_zero_extends(void)
{
	asm volatile (VAL_PRE
		"r0 = *(u64 *)(r6 + 8);" "w0 &= 31;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: a 32-bit move of an unknown value is only bounded by 2^32")
__failure __msg("R6 unbounded memory access, make sure to bounds check any such access")
__naked void alu32_mov_unbounded(void)
{
	asm volatile (VAL_PRE
		"r0 = *(u64 *)(r6 + 8);" "w0 = w0;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: OR with a constant keeps the range")
__success __retval(0)
__naked void or_bound_ok(void)
{
	asm volatile (VAL_PRE
		"r0 &= 7;" "r0 |= 8;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: OR with 48 puts every value past the end")
__failure __msg("invalid access to map value, value_size=48 off=48 size=1") __msg("R6 min value is outside of the allowed memory range")
__naked void or_bound_past_end(void)
{
	asm volatile (VAL_PRE
		"r0 &= 7;" "r0 |= 48;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: XOR inside the mask keeps the range")
__success __retval(0)
__naked void xor_bound_ok(void)
{
	asm volatile (VAL_PRE
		"r0 &= 15;" "r0 ^= 15;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: XOR with 0x30 lifts the range past the end")
__failure __msg("invalid access to map value, value_size=48 off=48 size=1") __msg("R6 min value is outside of the allowed memory range")
__naked void xor_bound_past_end(void)
{
	asm volatile (VAL_PRE
		"r0 &= 15;" "r0 ^= 0x30;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: negation of a bounded value is negative")
__failure __msg("R6 min value is negative, either use unsigned index or do a if (index >=0) check.")
__naked void neg_negative(void)
{
	asm volatile (VAL_PRE
		"r0 &= 7;" "r0 = -r0;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: le16 on a little-endian host truncates to 16 bits")
__success __retval(0)
__naked void le16_truncates(void)
{
	asm volatile (VAL_PRE
		"r0 &= 31;" "r0 = le16 r0;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("scalar: be16 swaps the bytes: 0..31 becomes up to 0x1f00")
__failure __msg("invalid access to map value, value_size=48 off=7936 size=1") __msg("R6 max value is outside of the allowed memory range")
__naked void be16_swaps(void)
{
	asm volatile (VAL_PRE
		"r0 &= 31;" "r0 = be16 r0;" "r6 += r0;" "r0 = *(u8 *)(r6 + 0);"
		VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

char _license[] SEC("license") = "GPL";
