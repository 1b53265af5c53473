// SPDX-License-Identifier: MIT
/* may_goto (BPF_JMP | BPF_JCOND, what the selftests' can_loop and cond_break compile to): the
 * verifier explores the jump (the loop's way out once the budget is spent) and the fall-through,
 * and a loop it bounds converges where the next iteration matches the previous one. */
#include "vmaps.h"

SEC("socket")
__description("may_goto: a loop on an unknown bound, kept finite by may_goto")
__success __retval(0)
__naked void may_goto_unknown_bound(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "r6 = r0;" "r6 &= 0xfff;" "r0 = 0;"
		"l0_%=: may_goto l1_%=;" "r0 += 1;" "if r0 != r6 goto l0_%=;"
		"l1_%=: r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("may_goto: the same loop without may_goto never ends for the verifier")
__failure __msg("BPF program is too large. Processed 1000001 insn")
__naked void no_may_goto_unknown_bound(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "r6 = r0;" "r0 = 0;"
		"l0_%=: r0 += 1;" "if r0 != r6 goto l0_%=;"
		"r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("may_goto: a loop whose state never changes ends by may_goto")
__success
__naked void may_goto_no_progress(void)
{
	asm volatile ("r0 = 0;" "l0_%=: may_goto l1_%=;" "goto l0_%=;" "l1_%=: exit;" ::: __clobber_all);
}

SEC("socket")
__description("may_goto: the same loop without may_goto is endless")
__failure __msg("infinite loop detected at insn 1")
__naked void no_may_goto_no_progress(void)
{
	asm volatile ("r0 = 0;" "l0_%=: if r0 == 0 goto l0_%=;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("may_goto: the jump target is verified")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void may_goto_taken_path_checked(void)
{
	asm volatile ("r0 = 0;" "may_goto l0_%=;" "exit;" "l0_%=: r0 = *(u64 *)(r0 + 0);" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("may_goto: the fall-through is verified")
__failure __msg("R0 invalid mem access 'scalar'")
__naked void may_goto_fallthrough_checked(void)
{
	asm volatile ("r0 = 0;" "may_goto l0_%=;" "r0 = *(u64 *)(r0 + 0);" "l0_%=: exit;" ::: __clobber_all);
}

SEC("socket")
__description("may_goto: both ways reach the exit with r0 set")
__success __retval(1)
__naked void may_goto_both_paths_ok(void)
{
	asm volatile ("r0 = 1;" "may_goto l0_%=;" "r0 = 1;" "l0_%=: exit;" ::: __clobber_all);
}

SEC("socket")
__description("may_goto: r0 unset on the jump's way")
__failure __msg("R0 !read_ok")
__naked void may_goto_taken_r0_unset(void)
{
	asm volatile ("may_goto l0_%=;" "r0 = 0;" "exit;" "l0_%=: exit;" ::: __clobber_all);
}

SEC("socket")
__description("may_goto: a map value walked by a loop may_goto bounds, the index checked")
__success __retval(0)
__naked void may_goto_map_walk(void)
{
	asm volatile (VAL_PRE
		"r1 = 0;" "l0_%=: may_goto l1_%=;" "r2 = r6;" "r2 += r1;" "r3 = *(u8 *)(r2 + 0);" "r1 += 1;" "if r1 < 48 goto l0_%=;"
		"l1_%=:" VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SEC("socket")
__description("may_goto: a loop it bounds still may not index past the map value")
__failure __msg("invalid access to map value, value_size=48 off=48 size=1") __msg("R2 min value is outside of the allowed memory range")
__naked void may_goto_map_walk_overrun(void)
{
	asm volatile (VAL_PRE
		"r1 = 0;" "l0_%=: may_goto l1_%=;" "r2 = r6;" "r2 += r1;" "r3 = *(u8 *)(r2 + 0);" "r1 += 1;" "if r1 < 49 goto l0_%=;"
		"l1_%=:" VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

SUBPROG(may_goto_sub)
{
	asm volatile ("r0 = 0;" "l0_%=: may_goto l1_%=;" "r0 += 1;" "goto l0_%=;" "l1_%=: exit;" ::: __clobber_all);
}

SEC("socket")
__description("may_goto: each bpf-to-bpf function has its own may_goto loop")
__success __retval(0)
__naked void may_goto_in_subprog(void)
{
	asm volatile ("call may_goto_sub;" "l0_%=: may_goto l1_%=;" "r0 += 1;" "goto l0_%=;" "l1_%=: r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("may_goto: offset 0 (both ways lead to the next insn) is allowed since Linux 6.13")
__success __retval(0)
__naked void may_goto_off_zero(void)
{
	asm volatile ("r0 = 0;" ".8byte 0xe5;" "exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
