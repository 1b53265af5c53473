// SPDX-License-Identifier: MIT
/* Acquired references: ringbuf reserve/submit/discard and socket lookup/release: NULL checks, leaks at exit, use after release, releasing what was not acquired. */
#include "vmaps.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ringbuf SEC(".maps");

SEC("socket")
__description("references: reserve, NULL check, write, submit")
__success __retval(0)
__naked void rb_reserve_submit(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "r1 = 1;" "*(u64 *)(r0 + 0) = r1;" "r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: reserve then discard")
__success __retval(0)
__naked void rb_reserve_discard(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_discard];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: a reserved record never released")
__failure __msg("Unreleased reference id=2 alloc_insn=4") __msg("BPF_EXIT instruction in main prog would lead to reference leak")
__naked void rb_leak(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "r1 = 1;" "*(u64 *)(r0 + 0) = r1;" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: released on one path only")
__failure __msg("Unreleased reference id=2 alloc_insn=5") __msg("BPF_EXIT instruction in main prog would lead to reference leak")
__naked void rb_leak_one_path(void)
{
	asm volatile ("r6 = r1;" "r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "r1 = *(u32 *)(r6 + 0);" "if r1 == 0 goto l_out_%=;" "r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: submit of a possibly NULL record")
__failure __msg("R1 type=ringbuf_mem_or_null expected=ringbuf_mem")
__naked void rb_submit_unchecked(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: write to a possibly NULL record")
__failure __msg("R0 invalid mem access 'ringbuf_mem_or_null'")
__naked void rb_write_unchecked(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"r1 = 1;" "*(u64 *)(r0 + 0) = r1;" "r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: write after the record was submitted")
__failure __msg("R6 invalid mem access 'scalar'")
__naked void rb_use_after_submit(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "r6 = r0;" "r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "r1 = 1;" "*(u64 *)(r6 + 0) = r1;" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: submitting the same record twice")
__failure __msg("R1 type=scalar expected=ringbuf_mem")
__naked void rb_double_submit(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "r6 = r0;" "r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "r1 = r6;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: write past the 8-byte record")
__failure __msg("invalid access to memory, mem_size=8 off=8 size=8") __msg("R0 min value is outside of the allowed memory range")
__naked void rb_write_past_record(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "r1 = 1;" "*(u64 *)(r0 + 8) = r1;" "r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: reserve with a non-constant size")
__failure __msg("R2 is not a known constant'")
__naked void rb_reserve_var_size(void)
{
	asm volatile ("call %[bpf_get_prandom_u32];" "r2 = r0;" "r2 &= 15;" "r1 = %[ringbuf] ll;" "r3 = 0;" "call %[bpf_ringbuf_reserve];" "if r0 == 0 goto l_out_%=;" "r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf), __imm(bpf_get_prandom_u32) : __clobber_all);
}

SEC("socket")
__description("references: submitting memory that was not reserved")
__failure __msg("R1 type=map_value expected=ringbuf_mem")
__naked void rb_submit_map_value(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" "if r0 == 0 goto l_out_%=;" "r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf), __imm(bpf_map_lookup_elem), __imm_addr(map_array_48b) : __clobber_all);
}

SEC("socket")
__description("references: submitting a pointer into the middle of the record")
__failure __msg("R1 must have zero offset when passed to release func or trusted arg to kfunc")
__naked void rb_submit_moved_ptr(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "r0 += 4;" "r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: checking a copy of the record for NULL")
__success __retval(0)
__naked void rb_copy_checked(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"r6 = r0;" "if r6 == 0 goto l_out_%=;" "r1 = r0;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: a record spilled to the stack and filled back keeps its reference")
__success __retval(0)
__naked void rb_spill_fill_ref(void)
{
	asm volatile ("r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "*(u64 *)(r10 - 8) = r0;" "r1 = *(u64 *)(r10 - 8);" "r2 = 0;" "call %[bpf_ringbuf_submit];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf) : __clobber_all);
}

SEC("socket")
__description("references: ringbuf_output takes no reference")
__success __retval(0)
__naked void rb_output_no_ref(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r1 = %[ringbuf] ll;" "r2 = r10;" "r2 += -8;" "r3 = 8;" "r4 = 0;" "call %[bpf_ringbuf_output];" "r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_output), __imm_addr(ringbuf) : __clobber_all);
}

SEC("tc")
__description("references: a reserved record passed to a helper as memory")
__success __retval(0)
__naked void rb_record_to_helper(void)
{
	asm volatile ("r6 = r1;" "r1 = %[ringbuf] ll;" "r2 = 8;" "r3 = 0;" "call %[bpf_ringbuf_reserve];"
		"if r0 == 0 goto l_out_%=;" "r7 = r0;" "r1 = r6;" "r2 = 0;" "r3 = r7;" "r4 = 8;" "call %[bpf_skb_load_bytes];" "r1 = r7;" "r2 = 0;" "call %[bpf_ringbuf_submit];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_ringbuf_reserve), __imm(bpf_ringbuf_submit), __imm(bpf_ringbuf_discard), __imm_addr(ringbuf), __imm(bpf_skb_load_bytes) : __clobber_all);
}

SEC("tc")
__description("references: socket lookup released")
__success __retval(0)
__naked void sk_lookup_release(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r10 - 8) = r2;" "*(u64 *)(r10 - 16) = r2;" "*(u64 *)(r10 - 24) = r2;" "*(u64 *)(r10 - 32) = r2;" "*(u64 *)(r10 - 40) = r2;" "r2 = r10;" "r2 += -40;" "r3 = 36;" "r4 = -1 ll;" "r5 = 0;" "call %[bpf_sk_lookup_tcp];"
		"if r0 == 0 goto l_out_%=;" "r1 = r0;" "call %[bpf_sk_release];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release) : __clobber_all);
}

SEC("tc")
__description("references: socket lookup never released")
__failure __msg("Unreleased reference id=2 alloc_insn=12") __msg("BPF_EXIT instruction in main prog would lead to reference leak")
__naked void sk_lookup_leak(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r10 - 8) = r2;" "*(u64 *)(r10 - 16) = r2;" "*(u64 *)(r10 - 24) = r2;" "*(u64 *)(r10 - 32) = r2;" "*(u64 *)(r10 - 40) = r2;" "r2 = r10;" "r2 += -40;" "r3 = 36;" "r4 = -1 ll;" "r5 = 0;" "call %[bpf_sk_lookup_tcp];"
		"l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release) : __clobber_all);
}

SEC("tc")
__description("references: releasing a possibly NULL socket")
__failure __msg("R1 type=sock_or_null expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
__naked void sk_release_unchecked(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r10 - 8) = r2;" "*(u64 *)(r10 - 16) = r2;" "*(u64 *)(r10 - 24) = r2;" "*(u64 *)(r10 - 32) = r2;" "*(u64 *)(r10 - 40) = r2;" "r2 = r10;" "r2 += -40;" "r3 = 36;" "r4 = -1 ll;" "r5 = 0;" "call %[bpf_sk_lookup_tcp];"
		"r1 = r0;" "call %[bpf_sk_release];" "r0 = 0;" "exit;"
		:: __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release) : __clobber_all);
}

SEC("tc")
__description("references: reading a socket after releasing it")
__failure __msg("R6 invalid mem access 'scalar'")
__naked void sk_read_after_release(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r10 - 8) = r2;" "*(u64 *)(r10 - 16) = r2;" "*(u64 *)(r10 - 24) = r2;" "*(u64 *)(r10 - 32) = r2;" "*(u64 *)(r10 - 40) = r2;" "r2 = r10;" "r2 += -40;" "r3 = 36;" "r4 = -1 ll;" "r5 = 0;" "call %[bpf_sk_lookup_tcp];"
		"if r0 == 0 goto l_out_%=;" "r6 = r0;" "r1 = r0;" "call %[bpf_sk_release];" "r0 = *(u32 *)(r6 + 0);" "exit;" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release) : __clobber_all);
}

SEC("tc")
__description("references: reading a field of a looked-up socket")
__success __retval(0)
__naked void sk_read_field(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r10 - 8) = r2;" "*(u64 *)(r10 - 16) = r2;" "*(u64 *)(r10 - 24) = r2;" "*(u64 *)(r10 - 32) = r2;" "*(u64 *)(r10 - 40) = r2;" "r2 = r10;" "r2 += -40;" "r3 = 36;" "r4 = -1 ll;" "r5 = 0;" "call %[bpf_sk_lookup_tcp];"
		"if r0 == 0 goto l_out_%=;" "r6 = *(u32 *)(r0 + 4);" "r1 = r0;" "call %[bpf_sk_release];" "l_out_%=: r0 = 0;" "exit;"
		:: __imm(bpf_sk_lookup_tcp), __imm(bpf_sk_release) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
