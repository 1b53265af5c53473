// SPDX-License-Identifier: MIT
/* Sign-extending loads (BPF_MEMSX) from the context: a field that gives a packet pointer may not
 * be read sign-extended (the is_valid_access callbacks' is_ldsx), a plain number field may.
 * Expectations are the 6.18 host's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("xdp")
__description("ctx ldsx: xdp_md->data read as s32 is refused")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void xdp_data_s32(void)
{
	asm volatile ("r2 = *(s32 *)(r1 + %[off]);" "r0 = 0;" "exit;"
		:: __imm_const(off, offsetof(struct xdp_md, data)) : __clobber_all);
}

SEC("tc")
__description("ctx ldsx: __sk_buff->data_end read as s32 is refused")
__failure __msg("invalid bpf_context access off=80 size=4")
__naked void skb_data_end_s32(void)
{
	asm volatile ("r2 = *(s32 *)(r1 + %[off]);" "r0 = 0;" "exit;"
		:: __imm_const(off, offsetof(struct __sk_buff, data_end)) : __clobber_all);
}

SEC("tc")
__description("ctx ldsx: __sk_buff->len read as s16 is a sign-extended number")
__success __log_level(2) __retval(0)
__msg("0: (89) r2 = *(s16 *)(r1 +0)          ; R1=ctx() R2=scalar(smin=smin32=-32768,smax=smax32=32767)")
__naked void skb_len_s16(void)
{
	asm volatile ("r2 = *(s16 *)(r1 + %[off]);" "r0 = 0;" "exit;"
		:: __imm_const(off, offsetof(struct __sk_buff, len)) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
