// SPDX-License-Identifier: MIT
/* sk_lookup programs: ctx->sk (sk_lookup_is_valid_access) is the socket selected so far, a full
 * socket or NULL (PTR_TO_SOCKET_OR_NULL, not a sock_common): after a NULL check its type and
 * protocol, which a sock_common has not, may be read. Offsets: sk 0; bpf_sock type 8, protocol 12. */
#include "vmaps.h"

SEC("sk_lookup")
__description("sk_lookup: ctx->sk after a NULL check is a full socket")
__success
__naked void lk_sk_type(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 0);" "if r2 == 0 goto 1f;" "r0 = *(u32 *)(r2 + 8);" "r0 = *(u32 *)(r2 + 12);"
		      "1:" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_lookup")
__description("sk_lookup: ctx->sk may be NULL")
__failure __msg("R2 invalid mem access 'sock_or_null'")
__naked void lk_sk_null(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 0);" "r0 = *(u32 *)(r2 + 8);" "r0 = 1;" "exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
