// SPDX-License-Identifier: MIT
/* perf_event programs: struct bpf_perf_event_data is read-only; the sampled registers are read as
 * whole longs, sample_period and addr also by narrower aligned loads (pe_prog_is_valid_access).
 * The kernel cannot test-run this type, so none of these carries a __retval. */
#include "vmaps.h"

SEC("perf_event")
__description("perf_event: read regs.di as a long")
__success
__naked void pe_read_reg(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 112);" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("perf_event")
__description("perf_event: read sample_period and addr")
__success
__naked void pe_read_period_addr(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 168);" "r3 = *(u64 *)(r1 + 176);" "r0 = r2;" "r0 += r3;" "exit;"
		::  : __clobber_all);
}

SEC("perf_event")
__description("perf_event: narrow loads of sample_period (upper half) and addr (one byte)")
__success
__naked void pe_narrow_period(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 172);" "r3 = *(u8 *)(r1 + 177);" "r0 = r2;" "r0 += r3;" "exit;"
		::  : __clobber_all);
}

SEC("perf_event")
__description("perf_event: a 4-byte load of a register is refused")
__failure __msg("invalid bpf_context access off=112 size=4")
__naked void pe_narrow_reg(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 112);" "exit;"
		::  : __clobber_all);
}

SEC("perf_event")
__description("perf_event: a misaligned load of sample_period is refused")
__failure __msg("invalid bpf_context access off=170 size=4")
__naked void pe_misaligned(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 170);" "exit;"
		::  : __clobber_all);
}

SEC("perf_event")
__description("perf_event: a store to sample_period is refused")
__failure __msg("invalid bpf_context access off=168 size=8")
__naked void pe_write_period(void)
{
	asm volatile ("r2 = 1;" "*(u64 *)(r1 + 168) = r2;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("perf_event")
__description("perf_event: a load past the end of bpf_perf_event_data is refused")
__failure __msg("invalid bpf_context access off=184 size=8")
__naked void pe_past_end(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 184);" "exit;"
		::  : __clobber_all);
}

SEC("perf_event")
__description("perf_event: bpf_get_smp_processor_id is available")
__success
__naked void pe_helper(void)
{
	asm volatile ("call %[bpf_get_smp_processor_id];" "r0 = 0;" "exit;"
		:: __imm(bpf_get_smp_processor_id) : __clobber_all);
}
