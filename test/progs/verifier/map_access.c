// SPDX-License-Identifier: MIT
/* Map lookups: fixed and variable offsets into the value, NULL checks of map_value_or_null (copies, wrong branch, arithmetic), key and map arguments. */
#include "vmaps.h"

SEC("socket")
__description("map value: 4-byte load at the last word")
__success __retval(0)
__naked void value_fixed_last_word(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "r0 = *(u32 *)(r0 + 44);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("map value: 4-byte load straddling the end")
__failure __msg("invalid access to map value, value_size=48 off=46 size=4") __msg("R0 min value is outside of the allowed memory range")
__naked void value_fixed_past_end(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "r0 = *(u32 *)(r0 + 46);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("map value: load at the value size")
__failure __msg("invalid access to map value, value_size=48 off=48 size=1") __msg("R0 min value is outside of the allowed memory range")
__naked void value_fixed_at_end(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "r0 = *(u8 *)(r0 + 48);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("map value: load before the start")
__failure __msg("invalid access to map value, value_size=48 off=-4 size=4") __msg("R0 min value is outside of the allowed memory range")
__naked void value_negative_off(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "r0 = *(u32 *)(r0 - 4);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("map value: store then load back")
__success __retval(77)
__naked void value_write_read_back(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "r1 = 77;" "*(u64 *)(r0 + 40) = r1;" "r0 = *(u64 *)(r0 + 40);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("map value: BPF_ST of an immediate")
__success __retval(5)
__naked void value_store_imm(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "*(u32 *)(r0 + 4) = 5;" "r0 = *(u32 *)(r0 + 4);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("map value: store past the end")
__failure __msg("invalid access to map value, value_size=48 off=44 size=8") __msg("R0 min value is outside of the allowed memory range")
__naked void value_store_past_end(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "r1 = 1;" "*(u64 *)(r0 + 44) = r1;" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("map value: variable offset 0..8 plus fixed offset 32")
__success __retval(0)
__naked void var_off_then_fixed_ok(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "r6 = r0;" "call %[bpf_get_prandom_u32];"
		"if r6 == 0 goto l_out_%=;" "r0 &= 8;" "r6 += r0;" "r0 = *(u64 *)(r6 + 32);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("map value: variable offset 0..8 plus fixed offset 36 overruns")
__flag(BPF_F_ANY_ALIGNMENT) __failure __msg("invalid access to map value, value_size=48 off=44 size=8") __msg("R6 max value is outside of the allowed memory range")
__naked void var_off_then_fixed_past(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "r6 = r0;" "call %[bpf_get_prandom_u32];"
		"if r6 == 0 goto l_out_%=;" "r0 &= 8;" "r6 += r0;" "r0 = *(u64 *)(r6 + 36);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("or_null: dereference without a NULL check")
__failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void or_null_no_check(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"r0 = *(u32 *)(r0 + 0);" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("or_null: dereference after the NULL check")
__success __retval(0)
__naked void or_null_checked(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "r0 = *(u32 *)(r0 + 0);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("or_null: checking a copy marks the original non-NULL too")
__success __retval(0)
__naked void or_null_copy_checked(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"r1 = r0;" "if r1 == 0 goto l_out_%=;" "r0 = *(u32 *)(r0 + 0);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("or_null: the NULL side of the check is a scalar")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void or_null_wrong_branch(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 != 0 goto l_out_%=;" "r0 = *(u32 *)(r0 + 0);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("or_null: pointer arithmetic before the NULL check")
__failure __msg("R0 pointer arithmetic on map_value_or_null prohibited, null-check it first")
__naked void or_null_arith(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"r0 += 8;" "if r0 == 0 goto l_out_%=;" "r0 = *(u32 *)(r0 + 0);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("or_null: if r0 != 0 taken side is the value")
__success __retval(0)
__naked void or_null_jne_form(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 != 0 goto l_use_%=;" "goto l_out_%=;" "l_use_%=: r0 = *(u32 *)(r0 + 0);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("or_null: a copy kept across the check in a callee-saved register")
__success __retval(0)
__naked void or_null_copy_before_call(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"r6 = r0;" "if r0 == 0 goto l_out_%=;" "r0 = *(u32 *)(r6 + 8);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("or_null: checking one lookup does not check another")
__failure __msg("R6 invalid mem access 'map_value_or_null'")
__naked void or_null_two_lookups(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "r6 = r0;" "r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "r0 = *(u32 *)(r6 + 0);" "exit;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("hash: lookup in an empty hash takes the NULL path")
__success __retval(1)
__naked void hash_miss_returns_null(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_hash_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_miss_%=;" "r0 = 0;" "exit;" "l_miss_%=: r0 = 1;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_hash_48b) : __clobber_all);
}

SEC("socket")
__description("hash: dereference of a hash lookup without a NULL check")
__failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void hash_or_null_no_check(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_hash_48b] ll;" "call %[bpf_map_lookup_elem];"
		"r1 = *(u64 *)(r0 + 0);" "goto l_out_%=;"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_hash_48b) : __clobber_all);
}

SEC("socket")
__description("helper args: a scalar as the key pointer")
__failure __msg("R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_")
__naked void key_scalar(void)
{
	asm volatile ("r2 = 0;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("helper args: a scalar as the map")
__failure __msg("R1 type=scalar expected=map_ptr")
__naked void map_arg_scalar(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "call %[bpf_map_lookup_elem];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("helper args: the 8-byte key runs past the frame top")
__failure __msg("invalid read from stack R2 off=-4 size=8")
__naked void key_stack_too_small(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[map_hash_48b] ll;" "call %[bpf_map_lookup_elem];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_hash_48b) : __clobber_all);
}

SEC("socket")
__description("helper args: an uninitialised key on the stack (privileged: allowed)")
__success __retval(0)
__naked void key_uninit_stack(void)
{
	asm volatile ("r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("helper args: a map value as the key")
__success __retval(0)
__naked void key_map_value(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "r2 = r0;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("map pointer arithmetic")
__failure __msg("R1 pointer arithmetic on map_ptr prohibited")
__naked void map_ptr_arith(void)
{
	asm volatile ("r1 = %[map_array_48b] ll;" "r1 += 8;" "r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("store through a map pointer")
__failure __msg("only read from bpf_array is supported")
__naked void map_ptr_store(void)
{
	asm volatile ("r1 = %[map_array_48b] ll;" "r2 = 0;" "*(u64 *)(r1 + 0) = r2;" "r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}


SEC("socket")
__description("map value in C: update then lookup")
__success __retval(42)
int c_update_lookup(void *ctx)
{
	long long key = 1, val = 42, *p;

	bpf_map_update_elem(&map_hash_8b, &key, &val, BPF_ANY);
	p = bpf_map_lookup_elem(&map_hash_8b, &key);
	return p ? *p : -1;
}

SEC("socket")
__description("map value in C: increment an array element")
__success __retval(1)
int c_array_increment(void *ctx)
{
	int key = 0;
	struct test_val *v = bpf_map_lookup_elem(&map_array_48b, &key);

	if (!v)
		return 0;
	v->foo[10]++;
	return v->foo[10];
}

SEC("socket")
__description("map value in C: index checked only against the signed maximum")
__failure __msg("math between map_value pointer and register with unbounded min value is not allowed")
int c_array_signed_index(struct __sk_buff *skb)
{
	int key = 0, idx = (int)skb->len - 60;
	struct test_val *v = bpf_map_lookup_elem(&map_array_48b, &key);

	if (!v || idx >= MAX_ENTRIES)
		return 0;
	return v->foo[idx];
}

char _license[] SEC("license") = "GPL";
