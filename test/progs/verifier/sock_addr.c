// SPDX-License-Identifier: MIT
/* cgroup_sock_addr programs (struct bpf_sock_addr, sock_addr_is_valid_access): a hook sees only
 * its own address family's fields (user_ip4 for the *4 hooks, user_ip6 for the *6 ones,
 * msg_src_ip4/6 for sendmsg4/6 only, neither for the unix hooks); addresses and the port are
 * read narrowly or (inside the ip6 arrays) as aligned u64, written as u32 or aligned u64;
 * family/type/protocol are read-only; sk is a PTR_TO_SOCKET that needs no NULL check. Exits:
 * bind4/6 in [0, 3], recvmsg/getpeername/getsockname exactly 1, the rest [0, 1]. The kernel
 * cannot test-run this type, so none of these carries a __retval.
 * Offsets: user_family 0, user_ip4 4, user_ip6 8, user_port 24, family 28, type 32, protocol 36,
 * msg_src_ip4 40, msg_src_ip6 44, sk 64. */
#include "vmaps.h"

SEC("cgroup/connect4")
__description("sock_addr: connect4 reads user_ip4 by bytes, rewrites the address and port")
__success
__naked void sa_connect4_rewrite(void)
{
	asm volatile ("r2 = *(u8 *)(r1 + 7);" "r3 = *(u16 *)(r1 + 4);" "r2 = *(u32 *)(r1 + 24);"
		      "w2 = 0x0100007f;" "*(u32 *)(r1 + 4) = r2;" "w2 = 0x5000;" "*(u32 *)(r1 + 24) = r2;"
		      "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/sendmsg6")
__description("sock_addr: sendmsg6 reads msg_src_ip6 as a u64 and writes user_ip6 as a u64")
__success
__naked void sa_sendmsg6_wide(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 48);" "*(u64 *)(r1 + 8) = r2;" "*(u64 *)(r1 + 16) = r2;"
		      "r2 = *(u32 *)(r1 + 28);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/connect4")
__description("sock_addr: sk is a socket pointer that needs no NULL check")
__success
__naked void sa_sk_read(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 64);" "r0 = *(u32 *)(r2 + 4);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/connect_unix")
__description("sock_addr: connect_unix reads user_port")
__success
__naked void sa_unix_port(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 24);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/connect4")
__description("sock_addr: family is read-only")
__failure __msg("invalid bpf_context access off=28 size=4")
__naked void sa_write_family(void)
{
	asm volatile ("r2 = 2;" "*(u32 *)(r1 + 28) = r2;" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/connect6")
__description("sock_addr: connect6 may not read user_ip4")
__failure __msg("invalid bpf_context access off=4 size=4")
__naked void sa_connect6_ip4(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 4);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/connect_unix")
__description("sock_addr: connect_unix may not read user_ip6")
__failure __msg("invalid bpf_context access off=8 size=4")
__naked void sa_unix_ip6(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 8);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/connect4")
__description("sock_addr: msg_src_ip4 is for sendmsg4 only")
__failure __msg("invalid bpf_context access off=40 size=4")
__naked void sa_connect4_msg_src(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 40);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/bind4")
__description("sock_addr: user_port is written as a u32, not a u16")
__failure __msg("invalid bpf_context access off=24 size=2")
__naked void sa_port_u16_write(void)
{
	asm volatile ("r2 = 0x5000;" "*(u16 *)(r1 + 24) = r2;" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/sendmsg6")
__description("sock_addr: a u64 load straddling the end of user_ip6 is refused")
__failure __msg("invalid bpf_context access off=24 size=8")
__naked void sa_wide_straddle(void)
{
	asm volatile ("r0 = *(u64 *)(r1 + 24);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/connect4")
__description("sock_addr: sk is read-only")
__failure __msg("invalid bpf_context access off=64 size=8")
__naked void sa_write_sk(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r1 + 64) = r2;" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/bind4")
__description("sock_addr: bind4 may return 3")
__success
__naked void sa_bind4_ret3(void)
{
	asm volatile ("r0 = 3;" "exit;" ::  : __clobber_all);
}

SEC("cgroup/bind6")
__description("sock_addr: bind6 may not return 4")
__failure __msg("At program exit the register R0 has smin=4 smax=4 should have been in [0, 3]")
__naked void sa_bind6_ret4(void)
{
	asm volatile ("r0 = 4;" "exit;" ::  : __clobber_all);
}

SEC("cgroup/connect6")
__description("sock_addr: connect6 may not return 2")
__failure __msg("At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]")
__naked void sa_connect6_ret2(void)
{
	asm volatile ("r0 = 2;" "exit;" ::  : __clobber_all);
}

SEC("cgroup/recvmsg4")
__description("sock_addr: recvmsg4 must return 1")
__failure __msg("At program exit the register R0 has smin=0 smax=0 should have been in [1, 1]")
__naked void sa_recvmsg4_ret0(void)
{
	asm volatile ("r0 = 0;" "exit;" ::  : __clobber_all);
}

SEC("cgroup/getsockname_unix")
__description("sock_addr: getsockname_unix must return 1")
__failure __msg("At program exit the register R0 has smin=0 smax=0 should have been in [1, 1]")
__naked void sa_getsockname_unix_ret0(void)
{
	asm volatile ("r0 = 0;" "exit;" ::  : __clobber_all);
}

char _license[] SEC("license") = "GPL";
