// SPDX-License-Identifier: MIT
/* Direct packet access: range proofs from every comparison form against pkt_end, writes, variable offsets, pkt_end and data_meta. */
#include "vmaps.h"

SEC("tc")
__description("packet: pkt + 14 > pkt_end guards 14 bytes")
__success __retval(1)
__naked void tc_jgt_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 14;" "if r0 > r3 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: pkt + 13 > pkt_end does not guard byte 13")
__failure __msg("invalid access to packet, off=13 size=1, R2(id=0,off=13,r=13)") __msg("R2 offset is outside of the packet")
__naked void tc_jgt_short(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 13;" "if r0 > r3 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: pkt + 14 >= pkt_end guards 15 bytes")
__success __retval(1)
__naked void tc_jge_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 14;" "if r0 >= r3 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: pkt + 12 >= pkt_end (13 bytes) does not guard byte 13")
__failure __msg("invalid access to packet, off=13 size=1, R2(id=0,off=13,r=13)") __msg("R2 offset is outside of the packet")
__naked void tc_jge_short(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 12;" "if r0 >= r3 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: pkt_end < pkt + 14 guards 14 bytes")
__success __retval(1)
__naked void tc_jlt_swapped_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 14;" "if r3 < r0 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: pkt_end < pkt + 13 does not guard byte 13")
__failure __msg("invalid access to packet, off=13 size=1, R2(id=0,off=13,r=13)") __msg("R2 offset is outside of the packet")
__naked void tc_jlt_swapped_short(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 13;" "if r3 < r0 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: pkt_end <= pkt + 14 on the taken side")
__success __retval(1)
__naked void tc_jle_swapped_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 14;" "if r3 <= r0 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: pkt + 14 < pkt_end, the taken side guards 14 bytes")
__success __retval(1)
__naked void tc_jlt_taken_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 14;" "if r0 < r3 goto l_use_%=;" "goto l_out_%=;" "l_use_%=: r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: pkt + 14 < pkt_end, the fall-through side guards nothing")
__failure __msg("invalid access to packet, off=13 size=1, R2(id=0,off=13,r=0)") __msg("R2 offset is outside of the packet")
__naked void tc_jlt_fallthrough(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 14;" "if r0 < r3 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: pkt + 14 <= pkt_end, the taken side guards 14 bytes")
__success __retval(1)
__naked void tc_jle_taken_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 14;" "if r0 <= r3 goto l_use_%=;" "goto l_out_%=;" "l_use_%=: r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: pkt_end > pkt + 14, the taken side guards 14 bytes")
__success __retval(1)
__naked void tc_jgt_swapped_taken_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 14;" "if r3 > r0 goto l_use_%=;" "goto l_out_%=;" "l_use_%=: r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: pkt_end >= pkt + 14, the taken side guards 14 bytes")
__success __retval(1)
__naked void tc_jge_swapped_taken_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 14;" "if r3 >= r0 goto l_use_%=;" "goto l_out_%=;" "l_use_%=: r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: read without a range check")
__failure __msg("invalid access to packet, off=13 size=1, R2(id=0,off=13,r=0)") __msg("R2 offset is outside of the packet")
__naked void tc_no_check(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: tc programs may write checked packet bytes")
__success __retval(10)
__naked void tc_write_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 14;" "if r0 > r3 goto l_out_%=;" "r4 = 9;" "*(u8 *)(r2 + 13) = r4;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: write past the checked range")
__failure __msg("invalid access to packet, off=14 size=1, R2(id=0,off=14,r=14)") __msg("R2 offset is outside of the packet")
__naked void tc_write_unchecked(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 14;" "if r0 > r3 goto l_out_%=;" "r4 = 9;" "*(u8 *)(r2 + 14) = r4;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: arithmetic on pkt_end")
__failure __msg("R3 pointer arithmetic on pkt_end prohibited")
__naked void tc_pkt_end_arith(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r3 += -8;" "r0 = r2;" "r0 += 14;" "if r0 > r3 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: a bounded variable offset re-checked against pkt_end")
__success __retval(1)
__naked void tc_var_off_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 1;" "if r0 > r3 goto l_out_%=;" "r4 = *(u8 *)(r2 + 0);" "r4 &= 15;" "r2 += r4;" "r0 = r2;" "r0 += 14;" "if r0 > r3 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: an unbounded variable offset")
__failure __msg("math between pkt pointer and register with unbounded min value is not allowed")
__naked void tc_var_off_unbounded(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 8;" "if r0 > r3 goto l_out_%=;" "r4 = *(u64 *)(r2 + 0);" "r2 += r4;" "r0 = r2;" "r0 += 14;" "if r0 > r3 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: a variable offset invalidates the earlier check")
__failure __msg("invalid access to packet, off=13 size=1, R2(id=1,off=13,r=0)") __msg("R2 offset is outside of the packet")
__naked void tc_var_off_not_rechecked(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 16;" "if r0 > r3 goto l_out_%=;" "r4 = *(u8 *)(r2 + 0);" "r4 &= 15;" "r2 += r4;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: loading from pkt_end")
__failure __msg("R3 invalid mem access 'pkt_end'")
__naked void tc_pkt_ptr_deref_end(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = *(u8 *)(r3 + 0);" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: a constant offset of 0xffff is accepted")
__success __retval(2)
__naked void tc_pkt_max_off(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 0xffff;" "if r0 > r3 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("packet: a constant offset past the 64 KiB packet limit")
__failure __msg("invalid access to packet, off=13 size=1, R2(id=0,off=13,r=0)") __msg("R2 offset is outside of the packet")
__naked void tc_pkt_large_off(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);"
		"r0 = r2;" "r0 += 0x10000;" "if r0 > r3 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("packet: xdp range check guards the read")
__success __retval(1)
__naked void xdp_check_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0);" "r3 = *(u32 *)(r1 + 4);"
		"r0 = r2;" "r0 += 14;" "if r0 > r3 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("packet: xdp read without a range check")
__failure __msg("invalid access to packet, off=13 size=1, R2(id=0,off=13,r=0)") __msg("R2 offset is outside of the packet")
__naked void xdp_no_check(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0);" "r3 = *(u32 *)(r1 + 4);"
		"r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("packet: xdp programs may write checked packet bytes")
__success __retval(2)
__naked void xdp_write_ok(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0);" "r3 = *(u32 *)(r1 + 4);"
		"r0 = r2;" "r0 += 14;" "if r0 > r3 goto l_out_%=;" "*(u8 *)(r2 + 13) = 1;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("packet: data_meta read without checking it against data")
__failure __msg("invalid access to packet, off=0 size=1, R4(id=0,off=0,r=0)") __msg("R4 offset is outside of the packet")
__naked void xdp_meta_unchecked(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0);" "r3 = *(u32 *)(r1 + 4);"
		"r4 = *(u32 *)(r1 + 8);" "r0 = *(u8 *)(r4 + 0);" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("packet: data_meta checked against data")
__success __retval(2)
__naked void xdp_meta_checked(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0);" "r3 = *(u32 *)(r1 + 4);"
		"r4 = *(u32 *)(r1 + 8);" "r0 = r4;" "r0 += 1;" "if r0 > r2 goto l_out_%=;" "r0 = *(u8 *)(r4 + 0);" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("packet: comparing a packet pointer with a scalar does not set a range")
__failure __msg("invalid access to packet, off=13 size=1, R2(id=0,off=13,r=0)") __msg("R2 offset is outside of the packet")
__naked void xdp_compare_pkt_scalar(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0);" "r3 = *(u32 *)(r1 + 4);"
		"r0 = 100;" "if r2 > r0 goto l_out_%=;" "r0 = *(u8 *)(r2 + 13);" "r0 += 1;" "exit;"
		"l_out_%=: r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("packet: pkt_end - pkt is a scalar length")
__success __retval(64)
__naked void xdp_pkt_sub_pkt(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0);" "r3 = *(u32 *)(r1 + 4);"
		"r3 -= r2;" "r0 = r3;" "exit;"
		::  : __clobber_all);
}

char _license[] SEC("license") = "GPL";
