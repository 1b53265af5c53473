// SPDX-License-Identifier: MIT
/* Linked scalars with a constant delta (verifier/linked.ts): `r1 = r0; r1 += 4` keeps r1 linked to
 * r0 with delta 4 (the log's `id=1+4`), so a comparison on either moves the other's bounds by the
 * difference (6.18 stable: negative deltas, sub and 32-bit adds too). Each program's verdict
 * depends on the link: a read at fp+8 is reachable exactly when the link was lost. Expectations
 * are the 6.18 host's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

/* r0 = an unknown byte; BAD: an out-of-frame stack read, rejected where reachable. */
#define RAND "call %[bpf_ktime_get_ns];" "r0 &= 0xff;"
#define BAD "r0 = *(u64 *)(r10 + 8);"

SEC("socket")
__description("linked: r1 += 4 prints id=1+4, the fall-through of if r0 > 7 bounds r1 to [4, 11]")
__success __log_level(2) __retval(0)
__msg("3: (07) r1 += 4                       ; R1=scalar(id=1+4,smin=umin=smin32=umin32=4,smax=umax=smax32=umax32=259,var_off=(0x0; 0x1ff))")
__msg("R1=scalar(id=1+4,smin=umin=smin32=umin32=4,smax=umax=smax32=umax32=11,var_off=(0x0; 0xf))")
__naked void delta_print_and_sync(void)
{
	asm volatile (RAND "r1 = r0;" "r1 += 4;" "if r0 > 7 goto l_out_%=;"
		"if r1 < 12 goto l_out_%=;" BAD
		"l_out_%=: r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("linked: a negative delta (id=1-4), the jump branch of if r0 >= 8 gives r1 >= 4")
__success __log_level(2) __retval(0)
__msg("3: (07) r1 += -4                      ; R1=scalar(id=1-4,smin=smin32=-4,smax=smax32=251)")
__naked void negative_delta_jump_branch(void)
{
	asm volatile (RAND "r1 = r0;" "r1 += -4;" "if r0 >= 8 goto l_j_%=;" "r0 = 0; exit;"
		"l_j_%=: if r1 s>= 4 goto l_out_%=;" BAD
		"l_out_%=: r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("linked: r1 -= 4 and r2 -= -4 are deltas -4 and +4")
__success __log_level(2) __retval(0)
__msg("3: (17) r1 -= 4                       ; R1=scalar(id=1-4,")
__msg("5: (17) r2 -= -4                      ; R2=scalar(id=1+4,")
__naked void sub_delta(void)
{
	asm volatile (RAND "r1 = r0;" "r1 -= 4;" "r2 = r0;" "r2 -= -4;" "if r0 >= 8 goto l_j_%=;" "r0 = 0; exit;"
		"l_j_%=: if r1 s< 4 goto l_bad_%=;" "if r2 < 12 goto l_bad_%=;" "r0 = 0; exit;"
		"l_bad_%=:" BAD "r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("linked: w1 += -4 links the zero-extended result; r0 >= 8 gives r1 in [4, 251]")
__success __log_level(2) __retval(0)
__msg("3: (04) w1 += -4                      ; R1=scalar(id=1-4,")
__naked void alu32_delta(void)
{
	asm volatile (RAND "r1 = r0;" "w1 += -4;" "if r0 >= 8 goto l_j_%=;" "r0 = 0; exit;"
		"l_j_%=: if r1 < 4 goto l_bad_%=;" "if r1 > 251 goto l_bad_%=;" "r0 = 0; exit;"
		"l_bad_%=:" BAD "r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("linked: a 32-bit comparison on the delta register bounds the base (r1 > 10 gives r0 >= 7)")
__success __retval(0)
__naked void jmp32_on_delta_reg(void)
{
	asm volatile (RAND "r1 = r0;" "r1 += 4;" "if w1 > 10 goto l_j_%=;" "r0 = 0; exit;"
		"l_j_%=: if r0 >= 7 goto l_out_%=;" BAD
		"l_out_%=: r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("linked: a second add breaks the link (one delta per register)")
__failure __log_level(2)
__msg("4: (07) r1 += 4                       ; R1=scalar(smin=umin=smin32=umin32=8,smax=umax=smax32=umax32=263,var_off=(0x0; 0x1ff))")
__msg("invalid read from stack R10 off=8 size=8")
__naked void second_add_breaks_link(void)
{
	asm volatile (RAND "r1 = r0;" "r1 += 4;" "r1 += 4;" "if r0 > 7 goto l_out_%=;"
		"if r1 < 16 goto l_out_%=;" BAD
		"l_out_%=: r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("linked: copying a register with a delta gives both a fresh id, unlinked from the base")
__failure __log_level(2)
__msg("4: (bf) r2 = r1                       ; R1=scalar(id=2,")
__msg("invalid read from stack R10 off=8 size=8")
__naked void copy_of_delta_reg_relinks(void)
{
	asm volatile (RAND "r1 = r0;" "r1 += 4;" "r2 = r1;" "if r0 > 7 goto l_out_%=;"
		"if r1 < 12 goto l_out_%=;" BAD
		"l_out_%=: r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("linked: r1 += r1 is no constant delta")
__failure
__msg("invalid read from stack R10 off=8 size=8")
__naked void add_self_no_delta(void)
{
	asm volatile (RAND "r1 = r0;" "r1 += r1;" "if r0 > 7 goto l_out_%=;"
		"if r1 < 15 goto l_out_%=;" BAD
		"l_out_%=: r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("linked: a delta beyond s32 is not tracked")
__failure __log_level(2)
__msg("R1=scalar(smin=umin=umin32=0x80000000,")
__msg("invalid read from stack R10 off=8 size=8")
__naked void delta_beyond_s32(void)
{
	asm volatile (RAND "r2 = 0x80000000 ll;" "r1 = r0;" "r1 += r2;" "if r0 > 7 goto l_out_%=;"
		"r2 = 0x80000008 ll;" "if r1 < r2 goto l_out_%=;" BAD
		"l_out_%=: r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("linked: without CAP_BPF a delta breaks the link")
__success __retval(0)
__failure_unpriv __msg_unpriv("invalid read from stack R10 off=8 size=8")
__naked void unpriv_no_delta(void)
{
	asm volatile (RAND "r1 = r0;" "r1 += 4;" "if r0 > 7 goto l_out_%=;"
		"if r1 < 12 goto l_out_%=;" BAD
		"l_out_%=: r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("linked: pruning keeps paths whose deltas differ (delta 4 safe, delta 5 reads fp+0)")
__failure __flag(BPF_F_TEST_STATE_FREQ)
__msg("invalid variable-offset read from stack R2 var_off=(0x0; 0xf) off=-12 size=1")
__naked void prune_needs_same_delta(void)
{
	asm volatile (
		"r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "*(u64 *)(r10 - 16) = r1;"
		"call %[bpf_ktime_get_ns];" "r7 = r0;" "r7 &= 1;"
		RAND
		"if r7 == 0 goto l_b_%=;"
		"r1 = r0;" "r1 += 4;" "goto l_j_%=;"
		"l_b_%=: if r0 > 250 goto l_out_%=;" "r1 = r0;" "r1 += 5;"
		"l_j_%=: if r0 > 7 goto l_out_%=;"
		"r2 = r10;" "r2 += -12;" "r2 += r1;" "r0 = *(u8 *)(r2 + 0);"
		"l_out_%=: r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

SEC("socket")
__description("linked: a spill of a register with a delta links the slot, not the base")
__failure __log_level(2)
__msg("4: (7b) *(u64 *)(r10 -8) = r1         ; R1=scalar(id=2,")
__msg("invalid read from stack R10 off=8 size=8")
__naked void spill_of_delta_reg(void)
{
	asm volatile (RAND "r1 = r0;" "r1 += 4;" "*(u64 *)(r10 - 8) = r1;" "if r0 > 7 goto l_out_%=;"
		"r2 = *(u64 *)(r10 - 8);" "if r2 < 12 goto l_out_%=;" BAD
		"l_out_%=: r0 = 0; exit;"
		:: __imm(bpf_ktime_get_ns) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
