// SPDX-License-Identifier: MIT
/* bpf_fastcall (verifier/fastcall.ts): spills and fills of caller-saved registers around a call the
 * kernel inlines (bpf_get_smp_processor_id on x86-64) are removed from the xlated program and the
 * function's stack depth lowered, unless an instruction outside the patterns touches their slots;
 * the inlined helper (verifier/fixups.ts) still gives the CPU number, and the registers the fills
 * restored keep their values (the run's retval). The harness pins the host's run to CPU 0. Only
 * some program types' prototype of the helper allows it (tc here; a socket filter's does not). */
#include "vmaps.h"

SEC("tc")
__description("fastcall: spills and fills around bpf_get_smp_processor_id go, stack depth 8")
__arch_x86_64
__log_level(4) __msg("stack depth 8")
__xlated("0: r1 = 1")
__xlated("1: r2 = 2")
__xlated("2: w0 = ")
__xlated("3: r0 = &(void __percpu *)(r0)")
__xlated("4: r0 = *(u32 *)(r0 +0)")
__xlated("5: r0 += r1")
__xlated("6: r0 += r2")
__xlated("7: exit")
__success __retval(3)
__naked void fastcall_removed(void)
{
	asm volatile (
	"r1 = 1;"
	"r2 = 2;"
	"*(u64 *)(r10 - 16) = r1;"
	"*(u64 *)(r10 - 24) = r2;"
	"call %[bpf_get_smp_processor_id];"
	"r2 = *(u64 *)(r10 - 24);"
	"r1 = *(u64 *)(r10 - 16);"
	"r0 += r1;"
	"r0 += r2;"
	"exit;"
	:
	: __imm(bpf_get_smp_processor_id)
	: __clobber_all);
}

SEC("tc")
__description("fastcall: a read of a pattern slot outside the pattern keeps every spill and fill")
__arch_x86_64
__log_level(4) __msg("stack depth 16")
__xlated("1: *(u64 *)(r10 -16) = r1")
__xlated("2: w0 = ")
__xlated("3: r0 = &(void __percpu *)(r0)")
__xlated("4: r0 = *(u32 *)(r0 +0)")
__xlated("5: r1 = *(u64 *)(r10 -16)")
__xlated("6: r2 = *(u64 *)(r10 -16)")
__success __retval(2)
__naked void fastcall_contract_broken(void)
{
	asm volatile (
	"r1 = 1;"
	"*(u64 *)(r10 - 16) = r1;"
	"call %[bpf_get_smp_processor_id];"
	"r1 = *(u64 *)(r10 - 16);"
	"r2 = *(u64 *)(r10 - 16);"
	"r0 += r1;"
	"r0 += r2;"
	"exit;"
	:
	: __imm(bpf_get_smp_processor_id)
	: __clobber_all);
}

SEC("tc")
__description("fastcall: a pattern stops at a fill a jump lands on; the inner pair goes")
__arch_x86_64
__log_level(4) __msg("stack depth 16")
__xlated("4: *(u64 *)(r10 -16) = r1")
__xlated("5: if r6 == 0x0 goto pc+4")
__xlated("6: *(u64 *)(r10 -16) = r1")
__xlated("7: w0 = ")
__xlated("8: r0 = &(void __percpu *)(r0)")
__xlated("9: r0 = *(u32 *)(r0 +0)")
__xlated("10: r1 = *(u64 *)(r10 -16)")
__xlated("11: r0 = r1")
__success __retval(3)
__naked void fastcall_jump_target(void)
{
	asm volatile (
	"call %[bpf_get_prandom_u32];"
	"r6 = r0;"
	"r1 = 1;"
	"r2 = 2;"
	/* -16 lies above the pattern slots (-24): a plain write there is allowed */
	"*(u64 *)(r10 - 16) = r1;"
	"if r6 == 0 goto l0_%=;"
	"*(u64 *)(r10 - 16) = r1;"
	"*(u64 *)(r10 - 24) = r2;"
	"call %[bpf_get_smp_processor_id];"
	"r2 = *(u64 *)(r10 - 24);"
"l0_%=:"
	"r1 = *(u64 *)(r10 - 16);"
	"r0 = r1;"
	"r0 += r2;"
	"exit;"
	:
	: __imm(bpf_get_smp_processor_id),
	  __imm(bpf_get_prandom_u32)
	: __clobber_all);
}

SEC("tc")
__description("fastcall: a pattern around a helper the kernel does not inline stays, and so does the stack depth")
__arch_x86_64
__log_level(4) __msg("stack depth 16")
__xlated("0: r1 = 5")
__xlated("1: w0 = ")
__xlated("2: r0 = &(void __percpu *)(r0)")
__xlated("3: r0 = *(u32 *)(r0 +0)")
__xlated("4: *(u64 *)(r10 -16) = r1")
__xlated("5: call")
__xlated("6: r1 = *(u64 *)(r10 -16)")
__success __retval(5)
__naked void fastcall_not_inlined_kept(void)
{
	asm volatile (
	"r1 = 5;"
	"*(u64 *)(r10 - 16) = r1;"
	"call %[bpf_get_smp_processor_id];"
	"r1 = *(u64 *)(r10 - 16);"
	"*(u64 *)(r10 - 16) = r1;"
	"call %[bpf_get_prandom_u32];"
	"r1 = *(u64 *)(r10 - 16);"
	"r0 = r1;"
	"exit;"
	:
	: __imm(bpf_get_smp_processor_id),
	  __imm(bpf_get_prandom_u32)
	: __clobber_all);
}

SEC("tc")
__description("fastcall: a callee writing into the caller's pattern slot keeps the caller's spills")
__arch_x86_64
__xlated("1: *(u64 *)(r10 -8) = r1")
__xlated("2: w0 = ")
__xlated("3: r0 = &(void __percpu *)(r0)")
__xlated("4: r0 = *(u32 *)(r0 +0)")
__xlated("5: r1 = *(u64 *)(r10 -8)")
__success __retval(7)
__naked void fastcall_callee_writes(void)
{
	asm volatile (
	"r1 = 1;"
	"*(u64 *)(r10 - 8) = r1;"
	"call %[bpf_get_smp_processor_id];"
	"r1 = *(u64 *)(r10 - 8);"
	"r1 = r10;"
	"r1 += -8;"
	"call fastcall_callee_writes_aux;"
	"exit;"
	:
	: __imm(bpf_get_smp_processor_id)
	: __clobber_all);
}

__used
__naked static void fastcall_callee_writes_aux(void)
{
	asm volatile (
	"r0 = 7;"
	"*(u64 *)(r1 + 0) = r0;"
	"exit;"
	::: __clobber_all);
}

SEC("socket")
__description("fastcall: a socket filter's bpf_get_smp_processor_id has no allow_fastcall: spills stay, inlined all the same")
__arch_x86_64
__log_level(4) __msg("stack depth 24")
__xlated("2: *(u64 *)(r10 -16) = r1")
__xlated("3: *(u64 *)(r10 -24) = r2")
__xlated("4: w0 = ")
__xlated("5: r0 = &(void __percpu *)(r0)")
__xlated("6: r0 = *(u32 *)(r0 +0)")
__xlated("7: r2 = *(u64 *)(r10 -24)")
__xlated("8: r1 = *(u64 *)(r10 -16)")
__success __retval(3)
__naked void fastcall_socket_raw_proto(void)
{
	asm volatile (
	"r1 = 1;"
	"r2 = 2;"
	"*(u64 *)(r10 - 16) = r1;"
	"*(u64 *)(r10 - 24) = r2;"
	"call %[bpf_get_smp_processor_id];"
	"r2 = *(u64 *)(r10 - 24);"
	"r1 = *(u64 *)(r10 - 16);"
	"r0 += r1;"
	"r0 += r2;"
	"exit;"
	:
	: __imm(bpf_get_smp_processor_id)
	: __clobber_all);
}

__used
__naked static void fastcall_loop_cb(void)
{
	asm volatile (
	"r3 = *(u64 *)(r2 + 0);"
	"r3 += r1;"
	"*(u64 *)(r2 + 0) = r3;"
	"r0 = 0;"
	"exit;"
	::: __clobber_all);
}

SEC("tc")
__description("fastcall: bpf_loop inlined three slots below the lowered depth; the callback sums the indexes")
__arch_x86_64
__log_level(4) __msg("stack depth 32+0")
__xlated("4: r1 = 6")
__xlated("5: w0 = ")
__xlated("...")
__xlated("12: if r1 <= 0x800000 goto pc+2")
__xlated("13: w0 = -7")
__xlated("14: goto pc+16")
__xlated("15: *(u64 *)(r10 -32) = r6")
__xlated("...")
__xlated("24: call pc+")
__success __retval(15)
__naked void fastcall_bpf_loop_inlined(void)
{
	asm volatile (
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"r1 = 6;"
	"*(u64 *)(r10 - 16) = r1;"
	"call %[bpf_get_smp_processor_id];"
	"r1 = *(u64 *)(r10 - 16);"
	"r2 = %[fastcall_loop_cb];"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 0;"
	"call %[bpf_loop];"
	"r1 = *(u64 *)(r10 - 8);"
	/* 0 + 1 + ... + 5 = 15, and bpf_loop returned 6 */
	"if r0 != 6 goto l0_%=;"
	"r0 = r1;"
	"exit;"
"l0_%=:"
	"r0 = 99;"
	"exit;"
	:
	: __imm_ptr(fastcall_loop_cb),
	  __imm(bpf_get_smp_processor_id),
	  __imm(bpf_loop)
	: __clobber_common);
}

SEC("tc")
__description("fastcall: the inlined bpf_loop's -E2BIG is zero-extended (w0 = -7), unlike the helper's")
__success __retval(0)
__naked void bpf_loop_inlined_e2big(void)
{
	asm volatile (
	"r1 = 0x800001;"
	"r2 = %[fastcall_loop_cb];"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 0;"
	"*(u64 *)(r10 - 8) = r4;"
	"call %[bpf_loop];"
	"r0 >>= 32;"
	"exit;"
	:
	: __imm_ptr(fastcall_loop_cb),
	  __imm(bpf_loop)
	: __clobber_common);
}

SEC("tc")
__description("fastcall: bpf_loop with flags not known to be zero stays a call (-EINVAL here)")
__success __retval(-1)
__naked void bpf_loop_flags_not_inlined(void)
{
	asm volatile (
	"r1 = 0x800001;"
	"r2 = %[fastcall_loop_cb];"
	"r3 = r10;"
	"r3 += -8;"
	"r4 = 0;"
	"*(u64 *)(r10 - 8) = r4;"
	"call %[bpf_get_prandom_u32];"
	"r4 = r0;"
	"r4 |= 1;"
	"r1 = 0x800001;"
	"r2 = %[fastcall_loop_cb];"
	"r3 = r10;"
	"r3 += -8;"
	"call %[bpf_loop];"
	"r0 >>= 32;"
	"exit;"
	:
	: __imm_ptr(fastcall_loop_cb),
	  __imm(bpf_loop),
	  __imm(bpf_get_prandom_u32)
	: __clobber_common);
}

char _license[] SEC("license") = "GPL";
