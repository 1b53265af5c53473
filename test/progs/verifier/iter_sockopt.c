// SPDX-License-Identifier: MIT
/* bpf_setsockopt / bpf_getsockopt from iterator programs: the tcp and unix targets give their
 * programs bpf_sk_setsockopt / bpf_sk_getsockopt (bpf_iter_get_func_proto: the target's
 * get_func_proto), whose socket argument is a BTF pointer to a sock_common; the other targets
 * give neither. Every verdict and message is the host kernel's
 * (test/fixtures/verifier-kernel/iter_sockopt.json). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

char _license[] SEC("license") = "GPL";

/* bpf_setsockopt(unix_sk, SOL_SOCKET, SO_SNDBUF, &v, 4), ctx->unix_sk checked for NULL */
SEC("iter/unix")
__success
__naked int unix_setsockopt(void)
{
	asm volatile (
	"r6 = *(u64 *)(r1 + 8);"
	"if r6 == 0 goto 1f;"
	"r1 = 4096;"
	"*(u32 *)(r10 - 4) = r1;"
	"r1 = r6;"
	"r2 = 1;"
	"r3 = 7;"
	"r4 = r10;"
	"r4 += -4;"
	"r5 = 4;"
	"call %[bpf_setsockopt];"
	"1: r0 = 0;"
	"exit;"
	:: __imm(bpf_setsockopt) : __clobber_all);
}

/* bpf_getsockopt(sk_common, SOL_SOCKET, SO_SNDBUF, &v, 4) */
SEC("iter/tcp")
__success
__naked int tcp_getsockopt(void)
{
	asm volatile (
	"r1 = *(u64 *)(r1 + 8);"
	"if r1 == 0 goto 1f;"
	"r2 = 1;"
	"r3 = 7;"
	"r4 = r10;"
	"r4 += -4;"
	"r5 = 4;"
	"call %[bpf_getsockopt];"
	"1: r0 = 0;"
	"exit;"
	:: __imm(bpf_getsockopt) : __clobber_all);
}

/* The socket may be NULL: the helper wants a non-NULL one. */
SEC("iter/tcp")
__failure __msg("R1 type=trusted_ptr_or_null_ expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_")
__naked int tcp_getsockopt_maybe_null(void)
{
	asm volatile (
	"r1 = *(u64 *)(r1 + 8);"
	"r2 = 1;"
	"r3 = 7;"
	"r4 = r10;"
	"r4 += -4;"
	"r5 = 4;"
	"call %[bpf_getsockopt];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_getsockopt) : __clobber_all);
}

/* The udp target has no get_func_proto. */
SEC("iter/udp")
__failure __msg("program of this type cannot use helper bpf_getsockopt#57")
__naked int udp_getsockopt(void)
{
	asm volatile (
	"r1 = *(u64 *)(r1 + 8);"
	"if r1 == 0 goto 1f;"
	"r2 = 1;"
	"r3 = 7;"
	"r4 = r10;"
	"r4 += -4;"
	"r5 = 4;"
	"call %[bpf_getsockopt];"
	"1: r0 = 0;"
	"exit;"
	:: __imm(bpf_getsockopt) : __clobber_all);
}

/* Nor has the task target. */
SEC("iter/task")
__failure __msg("program of this type cannot use helper bpf_setsockopt#49")
__naked int task_setsockopt(void)
{
	asm volatile (
	"r1 = 0;"
	"r2 = 1;"
	"r3 = 7;"
	"r4 = r10;"
	"r4 += -4;"
	"r5 = 4;"
	"call %[bpf_setsockopt];"
	"r0 = 0;"
	"exit;"
	:: __imm(bpf_setsockopt) : __clobber_all);
}
