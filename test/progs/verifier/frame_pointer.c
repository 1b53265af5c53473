// SPDX-License-Identifier: MIT
/* r10, the frame pointer, is read-only: every instruction that would write it on a path the
 * verifier explores is refused (check_reg_arg with DST_OP), one that sits in dead code is not,
 * and reading it is fine. */
#include "vmaps.h"

SEC("socket")
__description("frame pointer: mov into r10")
__failure __msg("frame pointer is read only")
__naked void fp_mov(void)
{
	asm volatile ("r10 = 0;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("frame pointer: 32-bit mov into r10")
__failure __msg("frame pointer is read only")
__naked void fp_mov32(void)
{
	asm volatile ("w10 = 0;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("frame pointer: arithmetic on r10")
__failure __msg("frame pointer is read only")
__naked void fp_add(void)
{
	asm volatile ("r10 += -8;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("frame pointer: negating r10")
__failure __msg("frame pointer is read only")
__naked void fp_neg(void)
{
	asm volatile ("r10 = -r10;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("frame pointer: a load into r10")
__failure __msg("frame pointer is read only")
__naked void fp_load(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r10 = *(u64 *)(r10 - 8);" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("frame pointer: a 64-bit immediate into r10")
__failure __msg("frame pointer is read only")
__naked void fp_ld_imm64(void)
{
	asm volatile ("r10 = 0x100000000 ll;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("frame pointer: an atomic fetch into r10")
__failure __msg("frame pointer is read only")
__naked void fp_atomic_fetch(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r1 = r10;" "r1 += -8;"
		"r10 = atomic_fetch_add((u64 *)(r1 + 0), r10);" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("frame pointer: a write in a branch the verifier proves dead")
__success __retval(0)
__naked void fp_write_dead_branch(void)
{
	asm volatile ("r1 = 0;" "if r1 == 0 goto l0_%=;" "r10 = 0;" "l0_%=: r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("frame pointer: a write on a branch the verifier cannot rule out")
__failure __msg("frame pointer is read only")
__naked void fp_write_live_branch(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "if r0 == 0 goto l0_%=;" "r10 = 0;" "l0_%=: r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("frame pointer: copying r10 and offsetting the copy")
__success __retval(7)
__naked void fp_copy_ok(void)
{
	asm volatile ("r1 = r10;" "r1 += -8;" "r2 = 7;" "*(u64 *)(r1 + 0) = r2;" "r0 = *(u64 *)(r10 - 8);" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("frame pointer: r10 as the source of an atomic add")
__success __retval(0)
__naked void fp_atomic_src_ok(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r1 = r10;" "r1 += -16;"
		"r2 = 0;" "*(u64 *)(r10 - 16) = r2;" "lock *(u64 *)(r1 + 0) += r2;" "r0 = *(u64 *)(r10 - 16);" "exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
