// SPDX-License-Identifier: MIT
/* Helpers the kernel gives a socket hook by its expected attach type (sock_addr_func_proto,
 * cgroup_common_func_proto): bpf_bind at connect4/connect6 only; bpf_setsockopt/getsockopt at
 * every sock_addr hook (6.12 left out the unix getpeername/getsockname ones, 6.18 has them
 * too); bpf_get_retval/set_retval not
 * at the hooks whose return value is fixed (recvmsg, getpeername, getsockname). Then CO-RE reads
 * and writes of the socket hook contexts through local flavours of their structs, which resolve
 * against the kernel's BTF (ebpfvm: its built-in BTF) to the uapi offsets: bpf_sock_addr,
 * bpf_sockopt, and bpf_sock_ops' reply inside its anonymous union. None of these program types
 * can be test-run, so none carries a __retval. */
#include "vmaps.h"
#include <bpf/bpf_endian.h>

struct sockaddr_in4 {
	unsigned short family;
	unsigned short port;
	unsigned int addr;
	char zero[8];
};

SEC("cgroup/connect4")
__description("sock_addr helpers: connect4 binds the socket first")
__success
__naked void sh_connect4_bind(void)
{
	asm volatile ("r6 = r1;" "r1 = 2;" "*(u64 *)(r10 - 16) = r1;" "r1 = 0;" "*(u64 *)(r10 - 8) = r1;"
		      "r1 = r6;" "r2 = r10;" "r2 += -16;" "r3 = 16;" "call %[bpf_bind];" "r0 = 1;" "exit;"
		:: __imm(bpf_bind) : __clobber_all);
}

SEC("cgroup/bind4")
__description("sock_addr helpers: bind4 has no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
__naked void sh_bind4_bind(void)
{
	asm volatile ("r6 = r1;" "r1 = 2;" "*(u64 *)(r10 - 16) = r1;" "r1 = 0;" "*(u64 *)(r10 - 8) = r1;"
		      "r1 = r6;" "r2 = r10;" "r2 += -16;" "r3 = 16;" "call %[bpf_bind];" "r0 = 1;" "exit;"
		:: __imm(bpf_bind) : __clobber_all);
}

SEC("cgroup/sendmsg6")
__description("sock_addr helpers: sendmsg6 sets and reads a socket option")
__success
__naked void sh_sendmsg6_sockopt(void)
{
	asm volatile ("r6 = r1;" "r1 = 1;" "*(u32 *)(r10 - 4) = r1;"
		      "r1 = r6;" "r2 = 1;" "r3 = 36;" "r4 = r10;" "r4 += -4;" "r5 = 4;" "call %[bpf_setsockopt];"
		      "r1 = r6;" "r2 = 1;" "r3 = 36;" "r4 = r10;" "r4 += -8;" "r5 = 4;" "call %[bpf_getsockopt];"
		      "r0 = 1;" "exit;"
		:: __imm(bpf_setsockopt), __imm(bpf_getsockopt) : __clobber_all);
}

SEC("cgroup/getsockname4")
__description("sock_addr helpers: getsockname4 reads a socket option")
__success
__naked void sh_getsockname4_getsockopt(void)
{
	asm volatile ("r2 = 1;" "r3 = 36;" "r4 = r10;" "r4 += -8;" "r5 = 4;" "call %[bpf_getsockopt];"
		      "r0 = 1;" "exit;"
		:: __imm(bpf_getsockopt) : __clobber_all);
}

SEC("cgroup/getpeername_unix")
__description("sock_addr helpers: getpeername_unix reads a socket option (Linux 6.18; not 6.12)")
__success
__naked void sh_getpeername_unix_getsockopt(void)
{
	asm volatile ("r2 = 1;" "r3 = 36;" "r4 = r10;" "r4 += -8;" "r5 = 4;" "call %[bpf_getsockopt];"
		      "r0 = 1;" "exit;"
		:: __imm(bpf_getsockopt) : __clobber_all);
}

SEC("cgroup/connect6")
__description("sock_addr helpers: connect6 reads and replaces the syscall's return value")
__success
__naked void sh_connect6_retval(void)
{
	asm volatile ("call %[bpf_get_retval];" "r1 = -1;" "call %[bpf_set_retval];" "r0 = 0;" "exit;"
		:: __imm(bpf_get_retval), __imm(bpf_set_retval) : __clobber_all);
}

SEC("cgroup/recvmsg4")
__description("sock_addr helpers: recvmsg4 has no bpf_set_retval")
__failure __msg("program of this type cannot use helper bpf_set_retval#187")
__naked void sh_recvmsg4_set_retval(void)
{
	asm volatile ("r1 = 0;" "call %[bpf_set_retval];" "r0 = 1;" "exit;" :: __imm(bpf_set_retval) : __clobber_all);
}

/* Local flavours: libbpf (and ebpfvm) match them to the kernel's struct by the name before
 * the ___, and relocate every field access to the kernel BTF's offset. */
struct bpf_sock_addr___local {
	__u32 user_family;
	__u32 user_ip4;
	__u32 user_ip6[4];
	__u32 user_port;
} __attribute__((preserve_access_index));

struct bpf_sockopt___local {
	__s32 optlen;
	__s32 retval;
} __attribute__((preserve_access_index));

struct bpf_sock_ops___local {
	__u32 op;
	union {
		__u32 args[4];
		__u32 reply;
	};
	__u32 is_fullsock;
} __attribute__((preserve_access_index));

SEC("cgroup/connect4")
__description("sock_addr CO-RE: user_port and user_ip4 through a local flavour of bpf_sock_addr")
__success
int sh_core_sock_addr(struct bpf_sock_addr *ctx)
{
	struct bpf_sock_addr___local *sa = (void *)ctx;

	if (sa->user_port == bpf_htons(53))
		sa->user_ip4 = bpf_htonl(0x7f000001);
	return 1;
}

SEC("cgroup/getsockopt")
__description("sockopt CO-RE: optlen and retval through a local flavour of bpf_sockopt")
__success
int sh_core_sockopt(struct bpf_sockopt *ctx)
{
	struct bpf_sockopt___local *so = (void *)ctx;

	if (so->optlen > 4)
		so->optlen = 4;
	so->retval = 0;
	return 1;
}

SEC("sockops")
__description("sock_ops CO-RE: reply inside the args union, is_fullsock, through a local flavour")
__success
int sh_core_sock_ops(struct bpf_sock_ops *ctx)
{
	struct bpf_sock_ops___local *so = (void *)ctx;

	if (so->op == 1 /* BPF_SOCK_OPS_TIMEOUT_INIT */ && so->is_fullsock)
		so->reply = 10;
	return 1;
}

char _license[] SEC("license") = "GPL";
