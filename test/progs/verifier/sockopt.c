// SPDX-License-Identifier: MIT
/* cgroup_sockopt programs (struct bpf_sockopt, cg_sockopt_is_valid_access, cg_sockopt_func_proto):
 * sk is a PTR_TO_SOCKET that needs no NULL check; optval/optval_end are packet-like pointers a
 * program bounds-checks and may write through; level, optname, optlen are read as u32; optlen is
 * writable at both hooks, level and optname at setsockopt only, retval readable and writable at
 * getsockopt only. bpf_setsockopt/bpf_getsockopt (on ctx->sk) exist at the setsockopt hook only;
 * bpf_get_retval/set_retval, bpf_tcp_sock, sk storage and the netns cookie at both. Exits in
 * [0, 1]. The kernel cannot test-run this type, so none of these carries a __retval.
 * Offsets: sk 0, optval 8, optval_end 16, level 24, optname 28, optlen 32, retval 36. */
#include "vmaps.h"

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long long);
} sockopt_sk_storage SEC(".maps");

SEC("cgroup/getsockopt")
__description("sockopt: getsockopt bounds-checks optval, reads and writes it, sets optlen and retval")
__success
__naked void so_get_optval(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 8);" "r3 = *(u64 *)(r1 + 16);" "r4 = r2;" "r4 += 4;"
		      "if r4 > r3 goto 1f;" "r5 = *(u8 *)(r2 + 0);" "*(u32 *)(r2 + 0) = r5;"
		      "1:" "w2 = 4;" "*(u32 *)(r1 + 32) = r2;" "w2 = 0;" "*(u32 *)(r1 + 36) = r2;"
		      "r2 = *(u32 *)(r1 + 24);" "r2 = *(u32 *)(r1 + 28);" "r2 = *(u32 *)(r1 + 36);"
		      "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/getsockopt")
__description("sockopt: optval read without a bounds check")
__failure __msg("invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)")
__msg("R2 offset is outside of the packet")
__naked void so_optval_unchecked(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 8);" "r0 = *(u8 *)(r2 + 0);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/getsockopt")
__description("sockopt: sk is a socket pointer that needs no NULL check")
__success
__naked void so_sk_read(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 0);" "r0 = *(u32 *)(r2 + 4);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/getsockopt")
__description("sockopt: sk is read as a whole u64")
__failure __msg("invalid bpf_context access off=0 size=4")
__naked void so_sk_narrow(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 0);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/setsockopt")
__description("sockopt: setsockopt rewrites level, optname and optlen")
__success
__naked void so_set_rewrite(void)
{
	asm volatile ("w2 = 1;" "*(u32 *)(r1 + 24) = r2;" "w2 = 15;" "*(u32 *)(r1 + 28) = r2;"
		      "w2 = -1;" "*(u32 *)(r1 + 32) = r2;" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/getsockopt")
__description("sockopt: getsockopt may not rewrite level")
__failure __msg("invalid bpf_context access off=24 size=4")
__naked void so_get_write_level(void)
{
	asm volatile ("w2 = 1;" "*(u32 *)(r1 + 24) = r2;" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/setsockopt")
__description("sockopt: setsockopt may not read retval")
__failure __msg("invalid bpf_context access off=36 size=4")
__naked void so_set_read_retval(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 36);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/getsockopt")
__description("sockopt: optlen is read as a whole u32")
__failure __msg("invalid bpf_context access off=32 size=2")
__naked void so_optlen_narrow(void)
{
	asm volatile ("r0 = *(u16 *)(r1 + 32);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/setsockopt")
__description("sockopt: sk is read-only")
__failure __msg("invalid bpf_context access off=0 size=8")
__naked void so_write_sk(void)
{
	asm volatile ("r2 = 0;" "*(u64 *)(r1 + 0) = r2;" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/setsockopt")
__description("sockopt: setsockopt calls bpf_setsockopt and bpf_getsockopt on ctx->sk")
__success
__naked void so_set_helpers(void)
{
	asm volatile ("r6 = r1;" "r1 = 0;" "*(u32 *)(r10 - 4) = r1;"
		      "r1 = *(u64 *)(r6 + 0);" "r2 = 1;" "r3 = 36;" "r4 = r10;" "r4 += -4;" "r5 = 4;"
		      "call %[bpf_setsockopt];"
		      "r1 = *(u64 *)(r6 + 0);" "r2 = 1;" "r3 = 36;" "r4 = r10;" "r4 += -8;" "r5 = 4;"
		      "call %[bpf_getsockopt];"
		      "r0 = 1;" "exit;"
		:: __imm(bpf_setsockopt), __imm(bpf_getsockopt) : __clobber_all);
}

SEC("cgroup/getsockopt")
__description("sockopt: getsockopt has no bpf_setsockopt")
__failure __msg("program of this type cannot use helper bpf_setsockopt#49")
__naked void so_get_setsockopt(void)
{
	asm volatile ("r6 = r1;" "r1 = 0;" "*(u32 *)(r10 - 4) = r1;"
		      "r1 = *(u64 *)(r6 + 0);" "r2 = 1;" "r3 = 36;" "r4 = r10;" "r4 += -4;" "r5 = 4;"
		      "call %[bpf_setsockopt];" "r0 = 1;" "exit;"
		:: __imm(bpf_setsockopt) : __clobber_all);
}

SEC("cgroup/setsockopt")
__description("sockopt: bpf_setsockopt takes the socket, not the context")
__failure __msg("R1 type=ctx expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
__naked void so_setsockopt_ctx(void)
{
	asm volatile ("r6 = r1;" "r1 = 0;" "*(u32 *)(r10 - 4) = r1;"
		      "r1 = r6;" "r2 = 1;" "r3 = 36;" "r4 = r10;" "r4 += -4;" "r5 = 4;"
		      "call %[bpf_setsockopt];" "r0 = 1;" "exit;"
		:: __imm(bpf_setsockopt) : __clobber_all);
}

SEC("cgroup/getsockopt")
__description("sockopt: bpf_get_retval, bpf_set_retval, bpf_get_netns_cookie, bpf_tcp_sock")
__success
__naked void so_common_helpers(void)
{
	asm volatile ("r6 = r1;" "call %[bpf_get_retval];" "r1 = r0;" "call %[bpf_set_retval];"
		      "r1 = r6;" "call %[bpf_get_netns_cookie];"
		      "r1 = *(u64 *)(r6 + 0);" "call %[bpf_tcp_sock];" "if r0 == 0 goto 1f;" "r0 = *(u32 *)(r0 + 0);"
		      "1:" "r0 = 1;" "exit;"
		:: __imm(bpf_get_retval), __imm(bpf_set_retval), __imm(bpf_get_netns_cookie), __imm(bpf_tcp_sock)
		: __clobber_all);
}

SEC("cgroup/setsockopt")
__description("sockopt: socket storage of ctx->sk")
__success
__naked void so_sk_storage(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 0);" "r1 = %[sockopt_sk_storage] ll;" "r3 = 0;" "r4 = 1;"
		      "call %[bpf_sk_storage_get];" "if r0 == 0 goto 1f;" "r1 = 1;" "*(u64 *)(r0 + 0) = r1;"
		      "1:" "r0 = 1;" "exit;"
		:: __imm(bpf_sk_storage_get), __imm_addr(sockopt_sk_storage) : __clobber_all);
}

SEC("cgroup/setsockopt")
__description("sockopt: exit value 2 is outside [0, 1]")
__failure __msg("At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]")
__naked void so_exit_2(void)
{
	asm volatile ("r0 = 2;" "exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
