// SPDX-License-Identifier: MIT
/* cgroup_sysctl programs (struct bpf_sysctl, sysctl_is_valid_access, sysctl_func_proto): write is
 * read-only (narrowly too), file_pos is read narrowly and written as a u32. Helpers: the sysctl's
 * name, current and new value, a replacement value, and cgroup_common_func_proto's. Exits in
 * [0, 1]. The kernel cannot test-run this type, so none of these carries a __retval.
 * Offsets: write 0, file_pos 4. */
#include "vmaps.h"

SEC("cgroup/sysctl")
__description("cgroup_sysctl: reads write by a byte, moves file_pos")
__success
__naked void sysctl_ctx(void)
{
	asm volatile ("r2 = *(u8 *)(r1 + 0);" "r3 = *(u16 *)(r1 + 4);" "w3 = 0;" "*(u32 *)(r1 + 4) = r3;"
		      "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/sysctl")
__description("cgroup_sysctl: write is read-only")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void sysctl_write_write(void)
{
	asm volatile ("w2 = 0;" "*(u32 *)(r1 + 0) = r2;" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("cgroup/sysctl")
__description("cgroup_sysctl: file_pos is written as a whole u32")
__failure __msg("invalid bpf_context access off=4 size=2")
__naked void sysctl_file_pos_narrow_write(void)
{
	asm volatile ("w2 = 0;" "*(u16 *)(r1 + 4) = r2;" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("cgroup/sysctl")
__description("cgroup_sysctl: name, current and new value into stack buffers, then a new value")
__success
__naked void sysctl_helpers(void)
{
	asm volatile ("r6 = r1;" "r1 = 0;" "*(u64 *)(r10 - 16) = r1;" "*(u64 *)(r10 - 8) = r1;"
		      "r1 = r6;" "r2 = r10;" "r2 += -16;" "r3 = 16;" "r4 = 0;" "call %[bpf_sysctl_get_name];"
		      "r1 = r6;" "r2 = r10;" "r2 += -32;" "r3 = 16;" "call %[bpf_sysctl_get_current_value];"
		      "r1 = r6;" "r2 = r10;" "r2 += -48;" "r3 = 16;" "call %[bpf_sysctl_get_new_value];"
		      "r1 = r6;" "r2 = r10;" "r2 += -16;" "r3 = 2;" "call %[bpf_sysctl_set_new_value];"
		      "r0 = 1;" "exit;"
		:: __imm(bpf_sysctl_get_name), __imm(bpf_sysctl_get_current_value), __imm(bpf_sysctl_get_new_value),
		   __imm(bpf_sysctl_set_new_value)
		: __clobber_all);
}

SEC("cgroup/sysctl")
__description("cgroup_sysctl: bpf_sysctl_get_name into uninitialised stack")
__success
__naked void sysctl_get_name_uninit(void)
{
	asm volatile ("r2 = r10;" "r2 += -16;" "r3 = 16;" "r4 = 0;" "call %[bpf_sysctl_get_name];"
		      "r0 = 1;" "exit;"
		:: __imm(bpf_sysctl_get_name) : __clobber_all);
}

SEC("cgroup/sysctl")
__description("cgroup_sysctl: bpf_sysctl_set_new_value may read uninitialised stack (privileged: allow_uninit_stack)")
__success
__naked void sysctl_set_uninit(void)
{
	asm volatile ("r2 = r10;" "r2 += -16;" "r3 = 2;" "call %[bpf_sysctl_set_new_value];"
		      "r0 = 1;" "exit;"
		:: __imm(bpf_sysctl_set_new_value) : __clobber_all);
}

SEC("cgroup/sysctl")
__description("cgroup_sysctl: exit value 2 is outside [0, 1]")
__failure __msg("At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]")
__naked void sysctl_exit_2(void)
{
	asm volatile ("r0 = 2;" "exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
