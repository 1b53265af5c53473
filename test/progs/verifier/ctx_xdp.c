// SPDX-License-Identifier: MIT
/* xdp_md access (xdp_is_valid_access): egress_ifindex only in devmap programs
 * (expected_attach_type BPF_XDP_DEVMAP), and every field read whole as a u32
 * (__is_valid_xdp_access: no narrow loads). Found by the Linux 6.1 selftest sweep
 * (test_xdp_devmap_helpers.c, which must fail to load). Expectations are the 6.18 host's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("xdp")
__description("xdp ctx: egress_ifindex outside a devmap program is refused")
__failure __msg("invalid bpf_context access off=20 size=4")
__naked void xdp_egress_ifindex(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + %[off]);" "exit;"
		:: __imm_const(off, offsetof(struct xdp_md, egress_ifindex)) : __clobber_all);
}

SEC("xdp/devmap")
__description("xdp ctx: a devmap program reads egress_ifindex")
__success
__naked void xdp_devmap_egress_ifindex(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + %[off]);" "r0 = 2;" "exit;"
		:: __imm_const(off, offsetof(struct xdp_md, egress_ifindex)) : __clobber_all);
}

SEC("xdp")
__description("xdp ctx: a 2-byte read of ingress_ifindex is refused")
__failure __msg("invalid bpf_context access off=12 size=2")
__naked void xdp_narrow_ingress_ifindex(void)
{
	asm volatile ("r0 = *(u16 *)(r1 + %[off]);" "exit;"
		:: __imm_const(off, offsetof(struct xdp_md, ingress_ifindex)) : __clobber_all);
}

SEC("xdp")
__description("xdp ctx: a 1-byte read of rx_queue_index is refused")
__failure __msg("invalid bpf_context access off=16 size=1")
__naked void xdp_narrow_rx_queue(void)
{
	asm volatile ("r0 = *(u8 *)(r1 + %[off]);" "exit;"
		:: __imm_const(off, offsetof(struct xdp_md, rx_queue_index)) : __clobber_all);
}

SEC("xdp")
__description("xdp ctx: ingress_ifindex and rx_queue_index read whole")
__success __retval(2)
__naked void xdp_whole_fields(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[ifi]);" "r2 = *(u32 *)(r1 + %[rxq]);" "r0 = 2;" "exit;"
		:: __imm_const(ifi, offsetof(struct xdp_md, ingress_ifindex)),
		   __imm_const(rxq, offsetof(struct xdp_md, rx_queue_index)) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
