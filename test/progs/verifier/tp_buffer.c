// SPDX-License-Identifier: MIT
/* A writable raw tracepoint's buffer (PTR_TO_TP_BUFFER): args[0] of its context, read whole as a
 * pointer, then accessed only at constant, non-negative offsets (__check_buffer_access); the
 * furthest byte is checked against the tracepoint's writable size when it is attached, not here.
 * It is not memory a helper takes. Expectations are the 6.18 host's
 * (test/fixtures/verifier-kernel/tp_buffer.json). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
} tpb_arr SEC(".maps");

SEC("raw_tracepoint.w")
__description("tp buffer: constant offsets read and write, a pointer may be stored")
__success __log_level(2)
__msg("R6=tp_buffer()")
__naked void tpb_const_offsets(void)
{
	asm volatile ("					\
	r6 = *(u64 *)(r1 + 0);				\
	r7 = *(u64 *)(r6 + 16);				\
	*(u64 *)(r6 + 8) = r7;				\
	*(u64 *)(r6 + 0) = r10;				\
	r6 += 24;					\
	*(u32 *)(r6 + 4) = 1;				\
	r0 = 0;						\
	exit;						\
"	::: __clobber_all);
}

SEC("raw_tracepoint.w")
__description("tp buffer: a variable offset is refused")
__failure __msg("R6 invalid variable buffer offset: off=0, var_off=(0x0; 0xffffffff)")
__naked void tpb_variable_offset(void)
{
	asm volatile ("					\
	r6 = *(u64 *)(r1 + 0);				\
	r1 = 0;						\
	*(u64 *)(r10 - 8) = r1;				\
	r2 = r10;					\
	r2 += -8;					\
	r1 = %[tpb_arr] ll;				\
	call %[bpf_map_lookup_elem];			\
	if r0 != 0 goto l0_%=;				\
	exit;						\
l0_%=:	r0 = *(u32 *)(r0 + 0);				\
	r6 += r0;					\
	r7 = 4242;					\
	*(u64 *)(r6 + 0) = r7;				\
	r0 = 0;						\
	exit;						\
"	:
	: __imm(bpf_map_lookup_elem),
	  __imm_addr(tpb_arr)
	: __clobber_all);
}

SEC("raw_tracepoint.w")
__description("tp buffer: a negative offset is refused")
__failure __msg("R6 invalid tracepoint buffer access: off=-8, size=8")
__naked void tpb_negative_offset(void)
{
	asm volatile ("					\
	r6 = *(u64 *)(r1 + 0);				\
	r6 += -16;					\
	r0 = *(u64 *)(r6 + 8);				\
	r0 = 0;						\
	exit;						\
"	::: __clobber_all);
}

SEC("raw_tracepoint.w")
__description("tp buffer: args[0] is read whole")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void tpb_narrow_read(void)
{
	asm volatile ("					\
	r6 = *(u32 *)(r1 + 0);				\
	r0 = 0;						\
	exit;						\
"	::: __clobber_all);
}

SEC("raw_tracepoint.w")
__description("tp buffer: args[1] is a plain scalar")
__failure __msg("R6 invalid mem access 'scalar'")
__naked void tpb_other_arg(void)
{
	asm volatile ("					\
	r6 = *(u64 *)(r1 + 8);				\
	r0 = *(u64 *)(r6 + 0);				\
	r0 = 0;						\
	exit;						\
"	::: __clobber_all);
}

SEC("raw_tracepoint.w")
__description("tp buffer: not memory a helper takes")
__failure __msg("R1 type=tp_buffer expected=")
__naked void tpb_helper_arg(void)
{
	asm volatile ("					\
	r1 = *(u64 *)(r1 + 0);				\
	r2 = 8;						\
	r3 = 0;						\
	call %[bpf_probe_read_kernel];			\
	r0 = 0;						\
	exit;						\
"	:
	: __imm(bpf_probe_read_kernel)
	: __clobber_all);
}

SEC("raw_tracepoint")
__description("tp buffer: a plain raw tracepoint's args[0] is a scalar")
__failure __msg("R6 invalid mem access 'scalar'")
__naked void tpb_not_writable(void)
{
	asm volatile ("					\
	r6 = *(u64 *)(r1 + 0);				\
	r0 = *(u64 *)(r6 + 0);				\
	r0 = 0;						\
	exit;						\
"	::: __clobber_all);
}
