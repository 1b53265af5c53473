// SPDX-License-Identifier: MIT
/* Helper calls checked against their prototypes: ctx, map, key and value arguments, memory plus constant size, ARG_ANYTHING, clobbered caller-saved registers, helpers per program type. */
#include "vmaps.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} jmp_table SEC(".maps");

SEC("tc")
__description("helper args: skb_load_bytes into an 8-byte stack buffer")
__success __retval(0)
__naked void load_bytes_ok(void)
{
	asm volatile ("r2 = 0;" "r3 = r10;" "r3 += -8;" "r4 = 8;" "call %[bpf_skb_load_bytes];" "exit;"
		:: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("tc")
__description("helper args: size larger than the stack buffer")
__failure __msg("invalid write to stack R3 off=-8 size=16")
__naked void load_bytes_too_long(void)
{
	asm volatile ("r2 = 0;" "r3 = r10;" "r3 += -8;" "r4 = 16;" "call %[bpf_skb_load_bytes];" "exit;"
		:: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("tc")
__description("helper args: zero size where ARG_CONST_SIZE forbids it")
__failure __msg("R4 invalid zero-sized read: u64=[0,0]")
__naked void load_bytes_zero(void)
{
	asm volatile ("r2 = 0;" "r3 = r10;" "r3 += -8;" "r4 = 0;" "call %[bpf_skb_load_bytes];" "exit;"
		:: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("tc")
__description("helper args: an unbounded size")
__failure __msg("R4 min value is negative, either use unsigned or 'var &= const'")
__naked void load_bytes_unbounded(void)
{
	asm volatile ("r6 = r1;" "call %[bpf_get_prandom_u32];" "r4 = r0;" "r1 = r6;" "r2 = 0;" "r3 = r10;" "r3 += -8;" "call %[bpf_skb_load_bytes];" "exit;"
		:: __imm(bpf_skb_load_bytes), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc")
__description("helper args: a variable size bounded to 1..8")
__success __retval(0)
__naked void load_bytes_bounded_var(void)
{
	asm volatile ("r6 = r1;" "call %[bpf_get_prandom_u32];" "r4 = r0;" "r4 &= 7;" "r4 += 1;" "r1 = r6;" "r2 = 0;" "r3 = r10;" "r3 += -8;" "call %[bpf_skb_load_bytes];" "exit;"
		:: __imm(bpf_skb_load_bytes), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc")
__description("helper args: a size that may be negative")
__failure __msg("R4 min value is negative, either use unsigned or 'var &= const'")
__naked void load_bytes_negative(void)
{
	asm volatile ("r6 = r1;" "call %[bpf_get_prandom_u32];" "r4 = r0;" "r4 &= 7;" "r4 += -4;" "r1 = r6;" "r2 = 0;" "r3 = r10;" "r3 += -8;" "call %[bpf_skb_load_bytes];" "exit;"
		:: __imm(bpf_skb_load_bytes), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("tc")
__description("helper args: the stack where the skb is expected")
__failure __msg("R1 type=fp expected=ctx")
__naked void load_bytes_not_ctx(void)
{
	asm volatile ("r1 = r10;" "r2 = 0;" "r3 = r10;" "r3 += -8;" "r4 = 8;" "call %[bpf_skb_load_bytes];" "exit;"
		:: __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("tc")
__description("helper args: a map value as the destination")
__success __retval(0)
__naked void load_bytes_into_map_value(void)
{
	asm volatile ("r6 = r1;" "r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r1 = r6;" "r2 = 0;" "r3 = r0;" "r4 = 48;" "call %[bpf_skb_load_bytes];" "exit;" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_skb_load_bytes), __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("tc")
__description("helper args: 49 bytes into a 48-byte map value")
__failure __msg("invalid access to map value, value_size=48 off=0 size=49") __msg("R3 min value is outside of the allowed memory range")
__naked void load_bytes_map_value_overrun(void)
{
	asm volatile ("r6 = r1;" "r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r1 = r6;" "r2 = 0;" "r3 = r0;" "r4 = 49;" "call %[bpf_skb_load_bytes];" "exit;" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_skb_load_bytes), __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("helper call: R1-R5 are not readable after a call")
__failure __msg("R1 !read_ok")
__naked void call_clobbers_r1(void)
{
	asm volatile ("r1 = 1;" "call %[bpf_get_prandom_u32];" "r0 = r1;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("helper call: R6-R9 survive a call")
__success __retval(5)
__naked void call_keeps_r6(void)
{
	asm volatile ("r6 = 5;" "call %[bpf_get_prandom_u32];" "r0 = r6;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("helper: skb_store_bytes is not available to socket filters")
__failure __msg("program of this type cannot use helper bpf_skb_store_bytes#9")
__naked void helper_wrong_prog_type(void)
{
	asm volatile ("r2 = 0;" "r3 = r10;" "r3 += -8;" "r4 = 1;" "r5 = 0;" "call %[bpf_skb_store_bytes];" "r0 = 0;" "exit;"
		:: __imm(bpf_skb_store_bytes) : __clobber_all);
}

SEC("tc")
__description("helper: skb_store_bytes from tc")
__success __retval(0)
__naked void helper_right_prog_type(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r10 - 8) = r2;" "r3 = r10;" "r3 += -8;" "r4 = 1;" "r5 = 0;" "call %[bpf_skb_store_bytes];" "exit;"
		:: __imm(bpf_skb_store_bytes) : __clobber_all);
}

SEC("socket")
__description("helper args: a scalar as the map value")
__failure __msg("R3 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_")
__naked void update_value_scalar(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r3 = 0;" "r4 = 0;" "r1 = %[map_hash_8b] ll;" "call %[bpf_map_update_elem];" "r0 = 0;" "exit;"
		:: __imm(bpf_map_update_elem), __imm_addr(map_hash_8b) : __clobber_all);
}

SEC("socket")
__description("helper args: ARG_ANYTHING takes an unknown flags value")
__success __retval(0)
__naked void update_flags_anything(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "*(u64 *)(r10 - 16) = r1;" "call %[bpf_get_prandom_u32];" "r4 = r0;" "r4 &= 0;" "r2 = r10;" "r2 += -8;" "r3 = r10;" "r3 += -16;" "r1 = %[map_hash_8b] ll;" "call %[bpf_map_update_elem];" "r0 = 0;" "exit;"
		:: __imm(bpf_map_update_elem), __imm_addr(map_hash_8b), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("helper args: map_lookup_elem on a prog array")
__failure __msg("cannot pass map_type 3 into func bpf_map_lookup_elem#1")
__naked void lookup_prog_array(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[jmp_table] ll;" "call %[bpf_map_lookup_elem];" "r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(jmp_table) : __clobber_all);
}

SEC("socket")
__description("helper args: a 4-byte stack value for an 8-byte map value")
__failure __msg("invalid read from stack R3 off=-4 size=8")
__naked void update_value_too_small(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r3 = r10;" "r3 += -4;" "r4 = 0;" "r1 = %[map_hash_8b] ll;" "call %[bpf_map_update_elem];" "r0 = 0;" "exit;"
		:: __imm(bpf_map_update_elem), __imm_addr(map_hash_8b) : __clobber_all);
}

SEC("socket")
__description("helper return: an integer return is not a pointer")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void helper_ret_scalar_deref(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "r0 = *(u64 *)(r0 + 0);" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("helper args: tail call through a non-prog-array map (the kernel prints this message without a newline)")
__failure __msg("expected prog array map for tail call")
__naked void tail_call_args_wrong_map(void)
{
	asm volatile ("r2 = %[map_array_48b] ll;" "r3 = 0;" "call %[bpf_tail_call];" "r0 = 0;" "exit;"
		:: __imm(bpf_tail_call), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("helper: bpf_get_current_pid_tgid from a socket filter")
__success __retval(0)
__naked void current_pid_tgid_socket(void)
{
	asm volatile ("call %[bpf_get_current_pid_tgid];" "r0 = 0;" "exit;"
		:: __imm(bpf_get_current_pid_tgid) : __clobber_all);
}

SEC("socket")
__description("helper: bpf_ktime_get_ns from a socket filter")
__success __retval(0)
__naked void ktime_socket_ok(void)
{
	asm volatile ("call %[bpf_ktime_get_ns];" "r0 = 0;" "exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
