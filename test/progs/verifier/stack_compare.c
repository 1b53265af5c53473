// SPDX-License-Identifier: MIT
/* State pruning's stack comparison (kernel stacksafe / scalar_reg_for_stack): a slot holding a
 * 64-bit spilled scalar and a slot of misc bytes (and, with allow_uninit_stack, uninitialised ones)
 * compare as registers, the misc slot standing for an unbound scalar. The second path to the
 * join is pruned privileged; unprivileged, uninitialised bytes keep it apart. Expectations are
 * the 6.18 host's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("socket")
__description("stack compare: an imprecise spilled scalar covers a slot of misc and uninitialised bytes")
__success __log_level(2) __flag(BPF_F_TEST_STATE_FREQ)
__msg("from 1 to 6: ")
__msg("10: safe")
__failure_unpriv
__msg_unpriv("invalid read from stack off -16+2 size 8")
__naked void spill_vs_partial_misc(void)
{
	asm volatile (
		"call %[bpf_ktime_get_ns];"
		"if r0 == 0 goto l_b_%=;"
		"r1 = 7;" "*(u64 *)(r10 - 16) = r1;" "r0 = 0;" "goto l_j_%=;"
		"l_b_%=: call %[bpf_ktime_get_ns];"
		"*(u16 *)(r10 - 16) = r0;" "*(u16 *)(r10 - 12) = r0;" "r0 = 0;"
		"l_j_%=: r2 = *(u64 *)(r10 - 16);"
		"exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("stack compare: a slot of misc bytes covers a spilled scalar")
__success __log_level(2) __flag(BPF_F_TEST_STATE_FREQ)
__msg("8: safe")
__naked void misc_vs_spill(void)
{
	asm volatile (
		"call %[bpf_ktime_get_ns];"
		"if r0 != 0 goto l_b_%=;"
		"call %[bpf_ktime_get_ns];"
		"*(u32 *)(r10 - 16) = r0;" "*(u32 *)(r10 - 12) = r0;" "goto l_j_%=;"
		"l_b_%=: r1 = 7;" "*(u64 *)(r10 - 16) = r1;"
		"l_j_%=: r2 = *(u64 *)(r10 - 16);"
		"r0 = 0;" "exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
