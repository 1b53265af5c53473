// SPDX-License-Identifier: MIT
/* State pruning as the 6.18 verifier does it, pinned by its verdicts and processed-insn counts:
 * callback runs (bpf_loop's iteration limit, unrolled runs that are not endless loops, widening on
 * return, range comparison at the call), partial spills in state comparison, and checkpoints that
 * keep missing while still being explored. The counts are the host kernel's (fixtures). */
#include "vmaps.h"

/* The callback stores 1 in the caller's slot, which the caller then uses as a stack offset (so
 * the slot is precise at the call): the second run sees the caller as the first run did, in
 * every register and slot, yet it is the next iteration of bpf_loop, not an endless loop
 * (callback_unroll_depth). */
SUBPROG(cb_store_one)
{
	asm volatile ("r3 = 1;" "*(u64 *)(r2 + 0) = r3;" "r0 = 0;"
		"if r1 > 10 goto l0_%=;" "r0 = 0;" "l0_%=: r0 = 0;" "r4 = 1;" "r5 = 2;" "r4 += r5;"
		"if r1 > 20 goto l1_%=;" "r4 += 1;" "l1_%=: r4 += 2;" "r4 += 3;" "r5 += 1;"
		"if r1 > 30 goto l2_%=;" "r4 += 1;" "l2_%=: r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("prune: a bpf_loop callback in the same state on its second run is not an endless loop")
__success __log_level(4) __msg("processed 99 insns (limit 1000000)")
__naked void cb_second_run_same_state(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "*(u64 *)(r10 - 16) = r1;"
		"r1 = 2;" "r2 = cb_store_one ll;" "r3 = r10;" "r3 += -8;" "r4 = 0;"
		"call %[bpf_loop];"
		"r1 = *(u64 *)(r10 - 8);" "r2 = r10;" "r2 += r1;" "r0 = *(u8 *)(r2 - 16);"
		"r0 = 0;" "exit;"
		:: __imm(bpf_loop) : __clobber_all);
}

/* The callback adds 1 to the caller's slot, which is precise (a stack offset later), so no
 * widening makes the runs converge: only bpf_loop's count (3) stops them, and the slot then is
 * at most 3, inside the 4-byte array at fp-16. */
SUBPROG(cb_count_up)
{
	asm volatile ("r3 = *(u64 *)(r2 + 0);" "r3 += 1;" "*(u64 *)(r2 + 0) = r3;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("prune: bpf_loop runs its callback at most its count of times (the iteration limit)")
__success __log_level(4) __msg("processed 51 insns (limit 1000000)")
__naked void cb_iteration_limit(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "*(u32 *)(r10 - 16) = r1;"
		"r1 = 3;" "r2 = cb_count_up ll;" "r3 = r10;" "r3 += -8;" "r4 = 0;"
		"call %[bpf_loop];"
		"r1 = *(u64 *)(r10 - 8);" "r2 = r10;" "r2 += r1;" "r0 = *(u8 *)(r2 - 16);"
		"r0 = 0;" "exit;"
		:: __imm(bpf_loop) : __clobber_all);
}

/* The callback increments fp-16 (never read precisely), the caller then reads fp-8 as an
 * offset. Back at the call after the first run fp-16 differs from the call's checkpoint: it is
 * widened to unknown and compared by range, so a second run is verified before the loop
 * converges (the kernel's widening test). */
SUBPROG(cb_inc)
{
	asm volatile ("r1 = *(u64 *)(r2 + 0);" "r1 += 1;" "*(u64 *)(r2 + 0) = r1;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("prune: a callback's changes are widened on return and the call compares by range")
__success __log_level(4) __msg("processed 34 insns (limit 1000000)")
__naked void cb_widen_on_return(void)
{
	asm volatile ("r1 = 1;" "*(u64 *)(r10 - 8) = r1;" "r1 = 0;" "*(u64 *)(r10 - 16) = r1;"
		"r3 = r10;" "r3 += -16;" "r1 = 100;" "r2 = cb_inc ll;" "r4 = 0;"
		"call %[bpf_loop];"
		"r2 = *(u64 *)(r10 - 8);" "r1 = r10;" "r1 += r2;" "r0 = *(u8 *)(r1 - 9);"
		"r0 = 0;" "exit;"
		:: __imm(bpf_loop) : __clobber_all);
}

/* fp-8 holds a 4-byte spilled 0 under 4 misc bytes on one path and 8 misc bytes on the other (a
 * misaligned write over the 64-bit spill); it is read as a whole after the join. The spill does not cover the misc bytes (only a 64-bit
 * spilled scalar compares with misc bytes as a register), so the second path is verified too. */
SEC("socket")
__description("prune: a 32-bit spilled scalar does not cover misc bytes")
__success __log_level(4) __msg("processed 29 insns (limit 1000000)")
__naked void partial_spill_vs_misc(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "r6 = r0;" "*(u64 *)(r10 - 8) = r0;"
		"if r6 == 0 goto l0_%=;" "r1 = 0;" "*(u32 *)(r10 - 8) = r1;" "r2 = 1;" "r2 += 1;" "goto l1_%=;"
		"l0_%=: *(u32 *)(r10 - 4) = r6;" "r2 = 2;" "r2 += 1;"
		"l1_%=: r3 = 0;" "r3 += 1;" "if r6 > 7 goto l2_%=;" "r3 += 1;"
		"l2_%=: r0 = *(u64 *)(r10 - 8);" "r0 = 0;" "exit;"
		:: __imm(bpf_get_prandom_u32) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
