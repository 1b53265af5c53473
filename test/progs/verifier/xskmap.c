// SPDX-License-Identifier: MIT
/* xskmap lookups give PTR_TO_XDP_SOCK_OR_NULL: struct bpf_xdp_sock's queue_id is readable as a
 * whole __u32 once the pointer is checked, nothing is writable. An empty slot gives NULL. */
#include "vmaps.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, int);
} xsks SEC(".maps");

SEC("xdp")
__description("xskmap: lookup, NULL check, read queue_id; an empty slot takes the NULL branch")
__success __retval(7)
__naked void xsk_queue_id(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[xsks] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 != 0 goto 1f;" "r0 = 7;" "exit;"
		"1: r0 = *(u32 *)(r0 + 0);" "r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(xsks) : __clobber_all);
}

SEC("xdp")
__description("xskmap: the lookup result may be NULL")
__failure __msg("R0 invalid mem access 'xdp_sock_or_null'")
__naked void xsk_no_null_check(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[xsks] ll;" "call %[bpf_map_lookup_elem];"
		"r0 = *(u32 *)(r0 + 0);" "r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(xsks) : __clobber_all);
}

SEC("xdp")
__description("xskmap: an 8-byte read of bpf_xdp_sock is refused")
__failure __msg("R0 invalid xdp_sock access off=0 size=8")
__naked void xsk_wide_read(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[xsks] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto 1f;" "r0 = *(u64 *)(r0 + 0);" "1: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(xsks) : __clobber_all);
}

SEC("xdp")
__description("xskmap: bpf_xdp_sock is read-only")
__failure __msg("R0 cannot write into xdp_sock")
__naked void xsk_write(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[xsks] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto 1f;" "r1 = 1;" "*(u32 *)(r0 + 0) = r1;" "1: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(xsks) : __clobber_all);
}

SEC("xdp")
__description("xskmap: programs may not update it")
__failure __msg("cannot pass map_type 17 into func bpf_map_update_elem#2")
__naked void xsk_update(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r3 = r10;" "r3 += -8;" "r4 = 0;"
		"r1 = %[xsks] ll;" "call %[bpf_map_update_elem];" "r0 = 0;" "exit;"
		:: __imm(bpf_map_update_elem), __imm_addr(xsks) : __clobber_all);
}

SEC("xdp")
__description("xskmap: redirect to an empty slot takes the fallback action (XDP_PASS)")
__success __retval(2)
__naked void xsk_redirect_pass(void)
{
	asm volatile ("r1 = %[xsks] ll;" "r2 = 1;" "r3 = 2;" "call %[bpf_redirect_map];" "exit;"
		:: __imm(bpf_redirect_map), __imm_addr(xsks) : __clobber_all);
}

SEC("xdp")
__description("xskmap: redirect with flags beyond the action bits is XDP_ABORTED")
__success __retval(0)
__naked void xsk_redirect_bad_flags(void)
{
	asm volatile ("r1 = %[xsks] ll;" "r2 = 0;" "r3 = 8;" "call %[bpf_redirect_map];" "exit;"
		:: __imm(bpf_redirect_map), __imm_addr(xsks) : __clobber_all);
}

SEC("xdp")
__description("xskmap: redirect beyond max_entries takes the fallback action (XDP_TX)")
__success __retval(3)
__naked void xsk_redirect_oob(void)
{
	asm volatile ("r1 = %[xsks] ll;" "r2 = 100;" "r3 = 3;" "call %[bpf_redirect_map];" "exit;"
		:: __imm(bpf_redirect_map), __imm_addr(xsks) : __clobber_all);
}

SEC("xdp")
__description("xskmap: no pointer arithmetic on an xdp_sock")
__failure __msg("R0 pointer arithmetic on xdp_sock prohibited")
__naked void xsk_ptr_arith(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[xsks] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto 1f;" "r0 += 4;" "r0 = *(u32 *)(r0 + 0);" "1: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(xsks) : __clobber_all);
}

SEC("xdp")
__description("xskmap: a narrow read of queue_id is refused")
__failure __msg("R0 invalid xdp_sock access off=0 size=2")
__naked void xsk_narrow_read(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[xsks] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto 1f;" "r0 = *(u16 *)(r0 + 0);" "1: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(xsks) : __clobber_all);
}

SEC("xdp")
__description("xskmap: an xdp_sock is no acquired reference, so it cannot be released")
__failure __msg("R1 must be referenced when passed to release function")
__naked void xsk_release(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[xsks] ll;" "call %[bpf_map_lookup_elem];"
		"if r0 == 0 goto 1f;" "r1 = r0;" "call %[bpf_sk_release];" "1: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm(bpf_sk_release), __imm_addr(xsks) : __clobber_all);
}

SEC("xdp")
__description("xskmap: a spilled and filled xdp_sock is still one (NULL check, queue_id read)")
__success __retval(0)
__naked void xsk_spill_fill(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[xsks] ll;" "call %[bpf_map_lookup_elem];"
		"*(u64 *)(r10 - 16) = r0;" "r0 = *(u64 *)(r10 - 16);"
		"if r0 == 0 goto 1f;" "r0 = *(u32 *)(r0 + 0);" "1: r0 = 0;" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(xsks) : __clobber_all);
}
