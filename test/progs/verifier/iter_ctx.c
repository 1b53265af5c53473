// SPDX-License-Identifier: MIT
/* Reads of an iterator program's context (btf_ctx_access over the target's bpf_iter_<target>
 * prototype): an integer argument (bpf_iter__udp's uid and bucket) may be read narrower than its
 * u64 slot, at a slot's start; a pointer argument only whole. Every verdict and message is the
 * host kernel's (test/fixtures/verifier-kernel/iter_ctx.json). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

char _license[] SEC("license") = "GPL";

SEC("iter/udp")
__success
__naked int udp_bucket_u32(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 24);" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("iter/udp")
__success
__naked int udp_uid_u32(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 16);" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("iter/udp")
__success
__naked int udp_bucket_u8(void)
{
	asm volatile ("r0 = *(u8 *)(r1 + 24);" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("iter/udp")
__failure __msg("invalid bpf_context access off=8 size=4")
__naked int udp_sk_u32(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 8);" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("iter/udp")
__failure __msg("invalid bpf_context access off=28 size=4")
__naked int udp_bucket_high_half(void)
{
	asm volatile ("r0 = *(u32 *)(r1 + 28);" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("iter/tcp")
__success
__naked int tcp_uid_u16(void)
{
	asm volatile ("r0 = *(u16 *)(r1 + 16);" "r0 = 0;" "exit;" ::: __clobber_all);
}
