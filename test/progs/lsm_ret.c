// LSM programs' return values and attach targets, as 6.12's verifier checks them (kernel/bpf/
// bpf_lsm.c, check_return_code; test/verifier/lsm.test.ts). The host kernel here refuses every
// LSM load (EPERM: the BPF LSM is not active), so the annotations follow the kernel source and
// tools/testing/selftests/bpf/progs/verifier_lsm.c rather than a recording.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("lsm/file_mprotect")
__description("int hook: 0 and -MAX_ERRNO are in range")
__success
__naked int errno_ok(void *ctx)
{
	asm volatile ("r0 = -4095; exit;" ::: __clobber_all);
}

SEC("lsm/file_mprotect")
__description("int hook: -4096 is not an errno")
__failure __msg("At program exit the register R0 has smin=-4096 smax=-4096 should have been in [-4095, 0]")
__naked int errno_too_low(void *ctx)
{
	asm volatile ("r0 = -4096; exit;" ::: __clobber_all);
}

SEC("lsm/file_mprotect")
__description("int hook: 1 is out of range")
__failure __msg("R0 has smin=1 smax=1 should have been in [-4095, 0]")
__naked int errno_positive(void *ctx)
{
	asm volatile ("r0 = 1; exit;" ::: __clobber_all);
}

SEC("lsm/file_mprotect")
__description("int hook: the range is checked on the low 32 bits (return_32bit)")
__success
__naked int errno_32bit(void *ctx)
{
	asm volatile ("r0 = 0x100000000 ll; exit;" ::: __clobber_all);
}

SEC("lsm/task_alloc")
__description("int hook: the return value so far is in the hook's range")
__success
__naked int pass_on_retval(void *ctx)
{
	asm volatile ("r0 = *(u64 *)(r1 + 16); exit;" ::: __clobber_all);
}

SEC("lsm/audit_rule_known")
__description("bool hook: 2 is out of [0, 1]")
__failure __msg("R0 has smin=2 smax=2 should have been in [0, 1]")
__naked int bool_two(void *ctx)
{
	asm volatile ("r0 = 2; exit;" ::: __clobber_all);
}

SEC("lsm/file_free_security")
__description("void hook: any value, R0 not even read")
__success
__naked int void_anything(void *ctx)
{
	asm volatile ("exit;" ::: __clobber_all);
}

SEC("lsm_cgroup/file_free_security")
__description("lsm_cgroup on a void hook returns 1")
__failure __msg("should have been in [1, 1]")
__msg("Note, BPF_LSM_CGROUP that attach to void LSM hooks can't modify return value!")
__naked int cgroup_void_zero(void *ctx)
{
	asm volatile ("r0 = 0; exit;" ::: __clobber_all);
}

SEC("lsm_cgroup/file_mprotect")
__description("lsm_cgroup on an int hook returns 0 or 1")
__failure __msg("R0 has smin=-1 smax=-1 should have been in [0, 1]")
__naked int cgroup_int_errno(void *ctx)
{
	asm volatile ("r0 = -1; exit;" ::: __clobber_all);
}

SEC("lsm/getprocattr")
__description("a disabled hook")
__failure __msg("points to disabled hook bpf_lsm_getprocattr")
__naked int disabled(void *ctx)
{
	asm volatile ("r0 = 0; exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
