// SPDX-License-Identifier: MIT
/* Context access by program type: valid offsets and sizes, narrow loads, read-only fields, modified ctx pointers. */
#include "vmaps.h"

SEC("socket")
__description("socket: read skb->len")
__success __retval(50)
__naked void sk_read_len(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 0);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: narrow 1-byte read of skb->len")
__success __retval(50)
__naked void sk_read_len_narrow(void)
{
	asm volatile ("r0 = *(u8 *)(r1 + 0);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: 8-byte read of the 4-byte skb->len")
__failure __msg("invalid bpf_context access off=0 size=8")
__naked void sk_read_len_8byte(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 0);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: read past the end of __sk_buff")
__failure __msg("invalid bpf_context access off=1000 size=4")
__naked void sk_read_past_end(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 1000);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: write skb->cb[0]")
__success __retval(0)
__naked void sk_write_cb(void)
{
	asm volatile ("r2 = 7;" "*(u32 *)(r1 + 48) = r2;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: skb->mark is read-only for socket filters")
__failure __msg("invalid bpf_context access off=8 size=4")
__naked void sk_write_mark(void)
{
	asm volatile ("r2 = 7;" "*(u32 *)(r1 + 8) = r2;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: skb->data is not readable by socket filters")
__failure __msg("invalid bpf_context access off=76 size=4")
__naked void sk_read_data(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 76);" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: read back what was written to skb->cb[1]")
__success __retval(9)
__naked void sk_read_cb_back(void)
{
	asm volatile ("r2 = 9;" "*(u32 *)(r1 + 52) = r2;" "r0 = *(u32 *)(r1 + 52);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: load through a ctx pointer moved by ALU")
__failure __msg("dereference of modified ctx ptr R1 off=8 disallowed")
__naked void sk_modified_ctx(void)
{
	asm volatile ("r1 += 8;" "r0 = *(u32 *)(r1 + 0);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: the same field through the instruction offset")
__success __retval(0)
__naked void sk_ctx_offset_in_insn(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 8);" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: BPF_ST into skb->cb")
__success __retval(0)
__naked void sk_ctx_store_imm(void)
{
	asm volatile ("*(u32 *)(r1 + 48) = 1;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: BPF_ST into the read-only skb->mark")
__failure __msg("invalid bpf_context access off=8 size=4")
__naked void sk_ctx_store_imm_mark(void)
{
	asm volatile ("*(u32 *)(r1 + 8) = 1;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("socket")
__description("socket: misaligned 4-byte read of __sk_buff")
__failure __msg("invalid bpf_context access off=2 size=4")
__naked void sk_read_misaligned(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 2);" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("tc: write skb->mark")
__success __retval(0)
__naked void tc_write_mark(void)
{
	asm volatile ("r2 = 7;" "*(u32 *)(r1 + 8) = r2;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("tc: skb->len is read-only")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void tc_write_len(void)
{
	asm volatile ("r2 = 7;" "*(u32 *)(r1 + 0) = r2;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("tc: read skb->data and skb->data_end")
__success __retval(0)
__naked void tc_read_data(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 76);" "r3 = *(u32 *)(r1 + 80);" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("tc: narrow read of skb->data")
__failure __msg("invalid bpf_context access off=76 size=2")
__naked void tc_read_data_narrow(void)
{
	asm volatile ("r2 = *(u16 *)(r1 + 76);" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("tc: write skb->priority")
__success __retval(0)
__naked void tc_write_priority(void)
{
	asm volatile ("r2 = 3;" "*(u32 *)(r1 + 32) = r2;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("tc")
__description("tc: skb->protocol is read-only")
__failure __msg("invalid bpf_context access off=16 size=4")
__naked void tc_write_protocol(void)
{
	asm volatile ("r2 = 3;" "*(u32 *)(r1 + 16) = r2;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("xdp: read data, data_end and ingress_ifindex")
__success __retval(2)
__naked void xdp_read_fields(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0);" "r3 = *(u32 *)(r1 + 4);" "r4 = *(u32 *)(r1 + 12);" "r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("xdp: xdp_md is read-only")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void xdp_write_data(void)
{
	asm volatile ("r2 = 0;" "*(u32 *)(r1 + 0) = r2;" "r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("xdp: read past the end of xdp_md")
__failure __msg("invalid bpf_context access off=64 size=4")
__naked void xdp_read_past_end(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 64);" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("xdp: 8-byte read of xdp_md->data")
__failure __msg("invalid bpf_context access off=0 size=8")
__naked void xdp_read_8byte(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 0);" "r0 = 2;" "exit;"
		::  : __clobber_all);
}

SEC("xdp")
__description("xdp: read rx_queue_index")
__success __retval(0)
__naked void xdp_read_rx_queue(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 16);" "exit;"
		::  : __clobber_all);
}

SEC("raw_tp/sys_enter")
__description("raw_tp: read both sys_enter arguments")
__success
__naked void rawtp_read_args(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 0);" "r3 = *(u64 *)(r1 + 8);" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("raw_tp/sys_enter")
__description("raw_tp: read past the argument array")
__failure __msg("invalid bpf_context access off=96 size=8")
__naked void rawtp_read_past_args(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 96);" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("raw_tp/sys_enter")
__description("raw_tp: arguments are read-only")
__failure __msg("invalid bpf_context access off=0 size=8")
__naked void rawtp_write_arg(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r1 + 0) = r2;" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("raw_tp/sys_enter")
__description("raw_tp: 4-byte read of an 8-byte argument")
__success
__naked void rawtp_read_4byte(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0);" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("syscall")
__description("syscall: run with empty options")
__success __retval(0)
__naked void syscall_no_ctx(void)
{
	asm volatile ("r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("syscall")
__description("syscall: negative ctx offset")
__failure __msg("invalid bpf_context access off=-4 size=4")
__naked void syscall_ctx_negative(void)
{
	asm volatile ("r0 = *(u32 *)(r1 - 4);" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

SEC("raw_tp/sys_enter")
__description("raw_tp: misaligned 8-byte read")
__failure __msg("invalid bpf_context access off=4 size=8")
__naked void rawtp_read_misaligned(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 4);" "r0 = 0;" "exit;"
		::  : __clobber_all);
}

char _license[] SEC("license") = "GPL";
