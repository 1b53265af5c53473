// SPDX-License-Identifier: MIT
/* Memory arguments of helpers, two rules ebpfvm missed (it accepted all of these rejected
 * programs; the host 6.18 rejects them):
 * - the kernel declares bpf_strtoul's result and bpf_check_mtu's mtu_len
 *   ARG_PTR_TO_FIXED_SIZE_MEM | MEM_ALIGNED: after the access check the pointer must be aligned
 *   to the argument's size, whatever the program's alignment flag says (check_ptr_alignment with
 *   strict_alignment_once);
 * - a zero-sized stack access is still bounded (check_stack_access_within_bounds): it may not
 *   start at the frame pointer, and a variable offset may not reach past it. */
#include "vmaps.h"

SEC("cgroup/sysctl")
__description("helper mem: strtoul's result at fp-20 is misaligned for 8 bytes")
__failure __msg("misaligned stack access off 0+-20+0 size 8")
__naked void strtoul_res_misaligned(void)
{
	asm volatile (
		"r7 = r10;" "r7 += -8;" "r0 = 0x00303036;" "*(u64 *)(r7 + 0) = r0;"
		"r1 = r7;" "r2 = 4;" "r3 = 0;"
		"r7 += -12;" "r0 = 0;" "*(u32 *)(r7 + 0) = r0;" "*(u64 *)(r7 + 4) = r0;"
		"r4 = r7;" "call %[bpf_strtoul];" "r0 = 1;" "exit;"
		:: __imm(bpf_strtoul) : __clobber_all);
}

SEC("cgroup/sysctl")
__description("helper mem: strtoul's result at fp-16 is aligned")
__success
__naked void strtoul_res_aligned(void)
{
	asm volatile (
		"r7 = r10;" "r7 += -8;" "r0 = 0x00303036;" "*(u64 *)(r7 + 0) = r0;"
		"r1 = r7;" "r2 = 4;" "r3 = 0;"
		"r7 += -8;" "r4 = r7;" "call %[bpf_strtoul];" "r0 = 1;" "exit;"
		:: __imm(bpf_strtoul) : __clobber_all);
}

SEC("tc")
__description("helper mem: check_mtu's mtu_len in a map value at +2 is misaligned for 4 bytes")
__failure __msg("misaligned value access off 0+2+0 size 4")
__naked void check_mtu_len_misaligned(void)
{
	asm volatile (
		"r7 = r1;"
		"r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;"
		"r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;"
		"r3 = r0;" "r3 += 2;" "r1 = r7;" "r2 = 0;" "r4 = 0;" "r5 = 0;"
		"call %[bpf_check_mtu];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_check_mtu), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("helper mem: a zero-sized read at fp+0")
__failure __msg("invalid write to stack R1 off=0 size=0")
__naked void zero_size_at_fp(void)
{
	asm volatile (
		"r1 = r10;" "r2 = 0;" "r3 = 0;" "call %[bpf_probe_read_kernel];" "r0 = 0;" "exit;"
		:: __imm(bpf_probe_read_kernel) : __clobber_all);
}

SEC("socket")
__description("helper mem: a zero-sized read at a variable offset reaching above fp")
__failure __msg("invalid variable-offset write to stack R1 var_off=(0x0; 0xffffffffffffffff) off=0 size=0")
__naked void zero_size_var_off_above_fp(void)
{
	asm volatile (
		"r0 = 0;" "*(u64 *)(r10 - 16) = r0;" "*(u64 *)(r10 - 8) = r0;"
		"r1 = *(u32 *)(r1 + 0);" "r1 &= 63;" "r1 += -16;" "r1 += r10;"
		"r2 = 0;" "r3 = 0;" "call %[bpf_probe_read_kernel];" "r0 = 0;" "exit;"
		:: __imm(bpf_probe_read_kernel) : __clobber_all);
}

SEC("socket")
__description("helper mem: a zero-sized read at a variable offset below fp")
__success __retval(0)
__naked void zero_size_var_off_below_fp(void)
{
	asm volatile (
		"r0 = 0;" "*(u64 *)(r10 - 16) = r0;" "*(u64 *)(r10 - 8) = r0;"
		"r1 = *(u32 *)(r1 + 0);" "r1 &= 7;" "r1 += -16;" "r1 += r10;"
		"r2 = 0;" "r3 = 0;" "call %[bpf_probe_read_kernel];" "r0 = 0;" "exit;"
		:: __imm(bpf_probe_read_kernel) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
