// SPDX-License-Identifier: MIT
/* cgroup_sock programs (struct bpf_sock as the context, sock_filter_is_valid_access): at socket
 * creation and release bound_dev_if, mark and priority are read and written as u32; after a bind
 * (post_bind4/6) the source address of that family and the source port are readable; every
 * other field is read-only everywhere (the addresses narrowly, dst_port as 1, 2 or 4 bytes at its
 * start, the two bytes after it never). Helpers: the socket cookie, the netns cookie, sk storage
 * of the context (get only), bpf_get_retval. Exits in [0, 1]. The kernel cannot test-run this
 * type, so none of these carries a __retval.
 * Offsets: bound_dev_if 0, family 4, type 8, protocol 12, mark 16, priority 20, src_ip4 24,
 * src_ip6 28, src_port 44, dst_port 48, dst_ip4 52, dst_ip6 56, state 72, rx_queue_mapping 76. */
#include "vmaps.h"

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long long);
} cg_sock_storage SEC(".maps");

SEC("cgroup/sock_create")
__description("cgroup_sock: sock_create sets mark, priority and bound_dev_if, reads family and protocol")
__success
__naked void cs_create_write(void)
{
	asm volatile ("w2 = 7;" "*(u32 *)(r1 + 16) = r2;" "*(u32 *)(r1 + 20) = r2;" "*(u32 *)(r1 + 0) = r2;"
		      "r2 = *(u32 *)(r1 + 4);" "r2 = *(u8 *)(r1 + 12);" "r2 = *(u32 *)(r1 + 16);"
		      "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/sock_release")
__description("cgroup_sock: sock_release reads the peer: dst_port by 1, 2, 4 bytes, dst_ip6 narrowly, state")
__success
__naked void cs_release_read(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 48);" "r2 = *(u16 *)(r1 + 48);" "r2 = *(u8 *)(r1 + 49);"
		      "r2 = *(u8 *)(r1 + 59);" "r2 = *(u16 *)(r1 + 62);" "r2 = *(u32 *)(r1 + 72);" "r2 = *(u32 *)(r1 + 76);"
		      "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/post_bind4")
__description("cgroup_sock: post_bind4 reads src_ip4 by bytes and src_port")
__success
__naked void cs_post_bind4(void)
{
	asm volatile ("r2 = *(u8 *)(r1 + 27);" "r2 = *(u32 *)(r1 + 24);" "r2 = *(u16 *)(r1 + 44);"
		      "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/post_bind6")
__description("cgroup_sock: post_bind6 reads src_ip6 and src_port")
__success
__naked void cs_post_bind6(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + 40);" "r2 = *(u8 *)(r1 + 29);" "r2 = *(u32 *)(r1 + 44);"
		      "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/post_bind6")
__description("cgroup_sock: post_bind6 does not see src_ip4")
__failure __msg("invalid bpf_context access off=24 size=4")
__naked void cs_post_bind6_ip4(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 24);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/post_bind4")
__description("cgroup_sock: post_bind4 may not set mark")
__failure __msg("invalid bpf_context access off=16 size=4")
__naked void cs_post_bind_mark(void)
{
	asm volatile ("w2 = 1;" "*(u32 *)(r1 + 16) = r2;" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/sock_create")
__description("cgroup_sock: sock_create does not see src_port")
__failure __msg("invalid bpf_context access off=44 size=4")
__naked void cs_create_src_port(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 44);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/sock_create")
__description("cgroup_sock: family is read-only")
__failure __msg("invalid bpf_context access off=4 size=4")
__naked void cs_write_family(void)
{
	asm volatile ("w2 = 2;" "*(u32 *)(r1 + 4) = r2;" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/sock_create")
__description("cgroup_sock: mark is read as a whole u32")
__failure __msg("invalid bpf_context access off=16 size=2")
__naked void cs_mark_narrow(void)
{
	asm volatile ("r0 = *(u16 *)(r1 + 16);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/sock_release")
__description("cgroup_sock: the two bytes after dst_port are no field")
__failure __msg("invalid bpf_context access off=50 size=2")
__naked void cs_after_dst_port(void)
{
	asm volatile ("r0 = *(u16 *)(r1 + 50);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/sock_release")
__description("cgroup_sock: a narrow load past state's first byte")
__failure __msg("invalid bpf_context access off=73 size=1")
__naked void cs_state_byte1(void)
{
	asm volatile ("r0 = *(u8 *)(r1 + 73);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/sock_create")
__description("cgroup_sock: no field past rx_queue_mapping")
__failure __msg("invalid bpf_context access off=80 size=4")
__naked void cs_past_end(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 80);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("cgroup/sock_create")
__description("cgroup_sock: socket and netns cookies, sk storage of the context, bpf_get_retval")
__success
__naked void cs_helpers(void)
{
	asm volatile ("r6 = r1;" "call %[bpf_get_socket_cookie];" "r1 = r6;" "call %[bpf_get_netns_cookie];"
		      "r1 = %[cg_sock_storage] ll;" "r2 = r6;" "r3 = 0;" "r4 = 1;" "call %[bpf_sk_storage_get];"
		      "call %[bpf_get_retval];" "r0 = 1;" "exit;"
		:: __imm(bpf_get_socket_cookie), __imm(bpf_get_netns_cookie), __imm(bpf_sk_storage_get),
		   __imm(bpf_get_retval), __imm_addr(cg_sock_storage)
		: __clobber_all);
}

SEC("cgroup/sock_create")
__description("cgroup_sock: no bpf_sk_storage_delete")
__failure __msg("program of this type cannot use helper bpf_sk_storage_delete#108")
__naked void cs_storage_delete(void)
{
	asm volatile ("r2 = r1;" "r1 = %[cg_sock_storage] ll;" "call %[bpf_sk_storage_delete];" "r0 = 1;" "exit;"
		:: __imm(bpf_sk_storage_delete), __imm_addr(cg_sock_storage) : __clobber_all);
}

SEC("cgroup/post_bind4")
__description("cgroup_sock: exit value 2 is outside [0, 1]")
__failure __msg("At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]")
__naked void cs_exit_2(void)
{
	asm volatile ("r0 = 2;" "exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
