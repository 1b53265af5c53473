// SPDX-License-Identifier: MIT
/* What the verifier knows after a helper call and about a lookup's key:
 *  - bpf_get_smp_processor_id returns 0..nr_cpu_ids-1 (do_refine_retval_range), so the CPU number
 *    may index an array of per-CPU slots without a bounds check (the host has 2 CPUs, ebpfvm's
 *    test runtime 1: both fit a 48-byte value with 8-byte slots);
 *  - an array lookup with a constant key spilled on the stack is not NULL, and the spilled
 *    constant is marked precise (get_constant_map_key: bt_set_frame_slot +
 *    mark_chain_precision_batch), so pruning keeps states with another key apart;
 *  - a hash lookup's key is not looked at (only arrays elide the NULL check);
 *  - the log names a map by its first 15 characters (BPF_OBJ_NAME_LEN - 1). */
#include "vmaps.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, long long);
} map_with_a_rather_long_name SEC(".maps");

SEC("socket")
__description("bpf_get_smp_processor_id: the CPU number indexes a 48-byte value without a check")
__success __retval(0)
__naked void smp_id_bounded(void)
{
	asm volatile (VAL_PRE
		"call %[bpf_get_smp_processor_id];"
		"r0 <<= 3;" "r1 = r6;" "r1 += r0;" "r0 = *(u64 *)(r1 + 0);"
		VAL_OUT
		:: VAL_IMMS, __imm(bpf_get_smp_processor_id) : __clobber_all);
}

SEC("socket")
__description("bpf_get_smp_processor_id: 6 + the CPU number is past a 48-byte value")
__failure __msg("invalid access to map value, value_size=48 off=48 size=8")
__naked void smp_id_past_value(void)
{
	asm volatile (VAL_PRE
		"call %[bpf_get_smp_processor_id];"
		"r0 += 6;" "r0 <<= 3;" "r1 = r6;" "r1 += r0;" "r0 = *(u64 *)(r1 + 0);"
		VAL_OUT
		:: VAL_IMMS, __imm(bpf_get_smp_processor_id) : __clobber_all);
}

SEC("socket")
__description("bpf_get_smp_processor_id: the result is not negative as a signed 64-bit value")
__success __retval(1)
__naked void smp_id_not_negative(void)
{
	asm volatile ("call %[bpf_get_smp_processor_id];"
		"if r0 s< 0 goto 1f;" "r0 = 1;" "exit;"
		"1:" "r0 = *(u64 *)(r10 + 8);" "exit;"
		:: __imm(bpf_get_smp_processor_id) : __clobber_all);
}

SEC("socket")
__description("const map key: the spilled key 1 is marked precise; the value needs no NULL check")
__success __log_level(2) __retval(0)
__msg("mark_precise: frame0: regs= stack=-8 before 4: (bf) r2 = r10")
__msg("mark_precise: frame0: regs= stack=-8 before 3: (63) *(u32 *)(r10 -8) = r1")
__msg("mark_precise: frame0: regs=r1 stack= before 0: (b7) r1 = 1")
__msg("9: R0=map_value(map=map_with_a_rath,ks=4,vs=8)")
__naked void const_key_precise(void)
{
	asm volatile ("r1 = 1;" "r1 = r1;" "r1 = r1;" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[map_with_a_rather_long_name] ll;" "call %[bpf_map_lookup_elem];"
		"r0 = *(u64 *)(r0 + 0);" "r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_with_a_rather_long_name) : __clobber_all);
}

SEC("socket")
__description("const map key: a key beyond max_entries keeps the NULL check")
__failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void const_key_out_of_range(void)
{
	asm volatile ("r1 = 2;" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[map_with_a_rather_long_name] ll;" "call %[bpf_map_lookup_elem];"
		"r0 = *(u64 *)(r0 + 0);" "r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_with_a_rather_long_name) : __clobber_all);
}

SEC("socket")
__description("const map key: a hash map's lookup result keeps its NULL check")
__failure __msg("R0 invalid mem access 'map_value_or_null'")
__naked void const_key_hash(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[map_hash_8b] ll;" "call %[bpf_map_lookup_elem];"
		"r0 = *(u64 *)(r0 + 0);" "r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_hash_8b) : __clobber_all);
}

SEC("socket")
__description("const map key: the second path's key is marked precise back to its constant")
__success __log_level(2) __retval(0)
__msg("from 2 to 4: R0=0 R1=0 R10=fp0")
__msg("mark_precise: frame0: regs=r1 stack= before 1: (b7) r1 = 0")
__msg("10: safe")
__naked void const_key_two_paths(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];"
		"r1 = 0;"
		"if r0 == 0 goto 1f;"
		"r1 = 1;"
		"1:" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[map_with_a_rather_long_name] ll;" "call %[bpf_map_lookup_elem];"
		"r0 = *(u64 *)(r0 + 0);" "r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(map_with_a_rather_long_name) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
