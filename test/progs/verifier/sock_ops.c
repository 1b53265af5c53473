// SPDX-License-Identifier: MIT
/* sock_ops programs (struct bpf_sock_ops, sock_ops_is_valid_access, sock_ops_func_proto): fields
 * are read as u32, bytes_received/bytes_acked/skb_hwtstamp and the pointers as u64, skb_tcp_flags
 * also narrowly at its start; only reply (the first args word) and sk_txhash are written, as u32.
 * sk is a socket pointer that may be NULL (not a full socket); skb_data/skb_data_end bound the
 * segment of the header-option callbacks, which may be read but not written directly. Helpers:
 * bpf_setsockopt/getsockopt on the context, bpf_sock_ops_cb_flags_set, the header-option
 * helpers, bpf_tcp_sock; not bpf_get_retval. Exits in [0, 1]. The kernel cannot test-run this
 * type, so none of these carries a __retval.
 * Offsets: op 0, args/reply/replylong 4, family 20, remote_ip4 24, local_ip4 28, remote_ip6 32,
 * local_ip6 48, remote_port 64, local_port 68, is_fullsock 72, snd_cwnd 76, state 88,
 * sk_txhash 164, bytes_received 168, bytes_acked 176, sk 184, skb_data 192, skb_data_end 200,
 * skb_len 208, skb_tcp_flags 212, skb_hwtstamp 216. */
#include "vmaps.h"

SEC("sockops")
__description("sock_ops: reads op, args, addresses and counters, replies and sets sk_txhash")
__success
__naked void sops_read_reply(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0);" "r2 = *(u32 *)(r1 + 16);" "r2 = *(u32 *)(r1 + 44);"
		      "r2 = *(u32 *)(r1 + 68);" "r2 = *(u32 *)(r1 + 76);" "r2 = *(u64 *)(r1 + 168);"
		      "r2 = *(u64 *)(r1 + 216);" "r2 = *(u8 *)(r1 + 212);" "r2 = *(u32 *)(r1 + 208);"
		      "w2 = 1;" "*(u32 *)(r1 + 4) = r2;" "*(u32 *)(r1 + 164) = r2;"
		      "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: op is read-only")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void sops_write_op(void)
{
	asm volatile ("w2 = 1;" "*(u32 *)(r1 + 0) = r2;" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: only the first reply word is writable")
__failure __msg("invalid bpf_context access off=8 size=4")
__naked void sops_write_replylong1(void)
{
	asm volatile ("w2 = 1;" "*(u32 *)(r1 + 8) = r2;" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: bytes_received is read as a whole u64")
__failure __msg("invalid bpf_context access off=168 size=4")
__naked void sops_bytes_narrow(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 168);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: state is read as a whole u32")
__failure __msg("invalid bpf_context access off=88 size=1")
__naked void sops_state_narrow(void)
{
	asm volatile ("r0 = *(u8 *)(r1 + 88);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: sk after a NULL check")
__success
__naked void sops_sk_checked(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 184);" "if r2 == 0 goto 1f;" "r0 = *(u32 *)(r2 + 4);"
		      "1:" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: sk may be NULL")
__failure __msg("R2 invalid mem access 'sock_or_null'")
__naked void sops_sk_unchecked(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 184);" "r0 = *(u32 *)(r2 + 4);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: sk's fields as bpf_sock_is_valid_access has them: type, dst_port by bytes")
__success
__naked void sops_sk_fields(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 184);" "if r2 == 0 goto 1f;" "r0 = *(u32 *)(r2 + 8);"
		      "r0 = *(u8 *)(r2 + 49);" "r0 = *(u16 *)(r2 + 48);" "r0 = *(u8 *)(r2 + 31);"
		      "1:" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: sk has no field after dst_port")
__failure __msg("R2 invalid sock access off=50 size=2")
__naked void sops_sk_past_dst_port(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 184);" "if r2 == 0 goto 1f;" "r0 = *(u16 *)(r2 + 50);"
		      "1:" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: bpf_tcp_sock's byte counters are u64s")
__failure __msg("R0 invalid tcp_sock access off=80 size=4")
__naked void sops_tcp_sock_narrow(void)
{
	asm volatile ("r1 = *(u64 *)(r1 + 184);" "if r1 == 0 goto 1f;" "call %[bpf_tcp_sock];" "if r0 == 0 goto 1f;"
		      "r2 = *(u64 *)(r0 + 88);" "r0 = *(u32 *)(r0 + 80);"
		      "1:" "r0 = 1;" "exit;"
		:: __imm(bpf_tcp_sock) : __clobber_all);
}

SEC("sockops")
__description("sock_ops: the segment is read after a bounds check")
__success
__naked void sops_skb_data(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 192);" "r3 = *(u64 *)(r1 + 200);" "r4 = r2;" "r4 += 20;"
		      "if r4 > r3 goto 1f;" "r0 = *(u8 *)(r2 + 13);"
		      "1:" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: the segment may not be written directly")
__failure __msg("cannot write into packet")
__naked void sops_skb_data_write(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 192);" "r3 = *(u64 *)(r1 + 200);" "r4 = r2;" "r4 += 20;"
		      "if r4 > r3 goto 1f;" "r0 = 0;" "*(u8 *)(r2 + 13) = r0;"
		      "1:" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: skb_data is read as a whole u64")
__failure __msg("invalid bpf_context access off=192 size=4")
__naked void sops_skb_data_narrow(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 192);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sockops")
__description("sock_ops: cb flags, setsockopt/getsockopt on the context, tcp_sock of sk")
__success
__naked void sops_helpers(void)
{
	asm volatile ("r6 = r1;" "r2 = 7;" "call %[bpf_sock_ops_cb_flags_set];"
		      "r1 = 1;" "*(u32 *)(r10 - 4) = r1;"
		      "r1 = r6;" "r2 = 6;" "r3 = 3;" "r4 = r10;" "r4 += -4;" "r5 = 4;" "call %[bpf_setsockopt];"
		      "r1 = r6;" "r2 = 6;" "r3 = 3;" "r4 = r10;" "r4 += -8;" "r5 = 4;" "call %[bpf_getsockopt];"
		      "r1 = *(u64 *)(r6 + 184);" "if r1 == 0 goto 1f;" "call %[bpf_tcp_sock];"
		      "1:" "r0 = 1;" "exit;"
		:: __imm(bpf_sock_ops_cb_flags_set), __imm(bpf_setsockopt), __imm(bpf_getsockopt), __imm(bpf_tcp_sock)
		: __clobber_all);
}

SEC("sockops")
__description("sock_ops: the header-option helpers")
__success
__naked void sops_hdr_opt(void)
{
	asm volatile ("r6 = r1;" "r1 = 0xeb9f;" "*(u64 *)(r10 - 8) = r1;"
		      "r1 = r6;" "r2 = r10;" "r2 += -8;" "r3 = 8;" "r4 = 0;" "call %[bpf_load_hdr_opt];"
		      "r1 = r6;" "r2 = 4;" "r3 = 0;" "call %[bpf_reserve_hdr_opt];"
		      "r1 = r6;" "r2 = r10;" "r2 += -8;" "r3 = 4;" "r4 = 0;" "call %[bpf_store_hdr_opt];"
		      "r0 = 1;" "exit;"
		:: __imm(bpf_load_hdr_opt), __imm(bpf_reserve_hdr_opt), __imm(bpf_store_hdr_opt) : __clobber_all);
}

SEC("sockops")
__description("sock_ops: no bpf_get_retval")
__failure __msg("program of this type cannot use helper bpf_get_retval#186")
__naked void sops_get_retval(void)
{
	asm volatile ("call %[bpf_get_retval];" "r0 = 1;" "exit;" :: __imm(bpf_get_retval) : __clobber_all);
}

SEC("sockops")
__description("sock_ops: bpf_load_hdr_opt writes its buffer: uninitialised stack is fine (MEM_WRITE)")
__success
__naked void sops_load_hdr_uninit(void)
{
	asm volatile ("r2 = r10;" "r2 += -8;" "r3 = 8;" "r4 = 0;" "call %[bpf_load_hdr_opt];"
		      "r0 = 1;" "exit;"
		:: __imm(bpf_load_hdr_opt) : __clobber_all);
}

SEC("sockops")
__description("sock_ops: exit value 2 is outside [0, 1]")
__failure __msg("At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]")
__naked void sops_exit_2(void)
{
	asm volatile ("r0 = 2;" "exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
