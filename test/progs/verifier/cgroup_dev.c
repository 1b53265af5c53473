// SPDX-License-Identifier: MIT
/* cgroup_device programs (struct bpf_cgroup_dev_ctx, cgroup_dev_is_valid_access): the context is
 * read-only; access_type (BPF_DEVCG_ACC_* << 16 | BPF_DEVCG_DEV_*) may be read narrowly, major
 * and minor only as u32. Helpers: cgroup_common_func_proto's (bpf_get_retval, bpf_set_retval),
 * cgroup_current_func_proto's and the base ones. Exits in [0, 1]. The kernel cannot test-run
 * this type, so none of these carries a __retval. Offsets: access_type 0, major 4, minor 8. */
#include "vmaps.h"

SEC("cgroup/dev")
__description("cgroup_dev: the device type from access_type's low half, major and minor")
__success
__naked void dev_read(void)
{
	asm volatile ("r2 = *(u16 *)(r1 + 0);" "r3 = *(u16 *)(r1 + 2);" "r4 = *(u32 *)(r1 + 4);"
		      "r5 = *(u32 *)(r1 + 8);" "r0 = 0;" "if r4 != 1 goto 1f;" "r0 = 1;" "1:" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/dev")
__description("cgroup_dev: major is read as a whole u32")
__failure __msg("invalid bpf_context access off=4 size=2")
__naked void dev_major_narrow(void)
{
	asm volatile ("r0 = *(u16 *)(r1 + 4);" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("cgroup/dev")
__description("cgroup_dev: the context is read-only")
__failure __msg("invalid bpf_context access off=8 size=4")
__naked void dev_write_minor(void)
{
	asm volatile ("w2 = 0;" "*(u32 *)(r1 + 8) = r2;" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("cgroup/dev")
__description("cgroup_dev: bpf_set_retval denies with an errno of choice")
__success
__naked void dev_set_retval(void)
{
	asm volatile ("r1 = -1;" "call %[bpf_set_retval];" "r0 = 0;" "exit;" :: __imm(bpf_set_retval) : __clobber_all);
}

SEC("cgroup/dev")
__description("cgroup_dev: exit value 2 is outside [0, 1]")
__failure __msg("At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]")
__naked void dev_exit_2(void)
{
	asm volatile ("r0 = 2;" "exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
