// SPDX-License-Identifier: MIT
/* Helper return ranges the verifier refines (do_refine_retval_range): bpf_get_stack and the
 * probe_read_*_str helpers return at most the size they were given, or a negative errno; so the
 * result can index the buffer once checked non-negative. Expectations are the 6.18 host's. */
#include "vmaps.h"

SEC("tracepoint")
__description("ret ranges: bpf_get_stack returns a length up to its size argument")
__success __log_level(2)
__msg("R0=scalar(smin=smin32=-4095,smax=smax32=24)")
__naked void get_stack_len(void)
{
	asm volatile (
		"r6 = r1;" "r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;"
		"r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto l_out_%=;" "r7 = r0;"
		"r1 = r6;" "r2 = r7;" "r3 = 24;" "r4 = 0;" "call %[bpf_get_stack];"
		"if r0 s< 0 goto l_out_%=;" "r7 += r0;" "r0 = *(u8 *)(r7 + 23);"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_get_stack), __imm_addr(map_array_48b) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
