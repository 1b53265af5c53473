// SPDX-License-Identifier: MIT
/* The verification-speed benchmark's programs (bench/verify.ts), annotated with the host kernel's
 * own counts: log level 4 (BPF_LOG_STATS) makes the kernel print only its statistics, so the
 * recorded log stays small even for a million processed instructions. */
#include "vmaps.h"

/* 2 + 10000 * 10 + 3 = 100005 instructions with no branch: each is processed exactly once. */
SEC("socket")
__description("verify speed: 100005 straight-line instructions, each processed once")
__success __log_level(4) __msg("stack depth 8") __msg("processed 100005 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0")
__naked void unrolled_100k(void)
{
	asm volatile ("r6 = r1;" "r7 = 0;"
		".rept 10000;"
		"r2 = *(u32 *)(r6 + 0);" "r7 += r2;" "r7 ^= 0x5a5a;" "r3 = r7;" "r3 &= 255;"
		"*(u64 *)(r10 - 8) = r3;" "r4 = *(u64 *)(r10 - 8);" "r7 += r4;" "r7 <<= 1;" "r7 >>= 1;"
		".endr;"
		"r0 = r7;" "r0 &= 1;" "exit;" ::: __clobber_all);
}

/* The counter indexes the map value, so it is precise and no two iterations' states are alike:
 * 7 insns to the lookup's check (the array lookup at a constant key in range cannot be NULL, so
 * its NULL branch is dead), 3 more, 8 per iteration, and the 2-insn exit: 8 * 124000 + 12. */
SEC("socket")
__description("verify speed: a 124000-iteration bounded loop walked one iteration at a time (992012 insns)")
__success __log_level(4) __msg("stack depth 8") __msg("processed 992012 insns (limit 1000000)")
__naked void loop_1m(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l1_%=;" "r6 = r0;" "r1 = 0;" "r7 = 0;"
		"l0_%=: r2 = r1;" "r2 &= 31;" "r3 = r6;" "r3 += r2;" "r4 = *(u8 *)(r3 + 0);" "r7 += r4;" "r1 += 1;" "if r1 < 124000 goto l0_%=;"
		"l1_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

/* One more iteration's worth is over the kernel's limit. */
SEC("socket")
__description("verify speed: the same loop 125000 times runs into the 1M-insn limit")
__failure __log_level(4) __msg("BPF program is too large. Processed 1000001 insn") __msg("processed 1000001 insns (limit 1000000)")
__naked void loop_over_limit(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l1_%=;" "r6 = r0;" "r1 = 0;" "r7 = 0;"
		"l0_%=: r2 = r1;" "r2 &= 31;" "r3 = r6;" "r3 += r2;" "r4 = *(u8 *)(r3 + 0);" "r7 += r4;" "r1 += 1;" "if r1 < 125000 goto l0_%=;"
		"l1_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

/* The hidden may_goto slot shows in the kernel's stack depth (16 bytes with the x86-64 JIT). */
SEC("socket")
__description("verify speed: a may_goto function's stack depth includes the loop budget's slot")
__success __log_level(4) __msg("stack depth 24")
__naked void may_goto_stack_depth(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r0 = 0;" "l0_%=: may_goto l1_%=;" "r0 += 1;" "goto l0_%=;" "l1_%=: r0 = 0;" "exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
