// SPDX-License-Identifier: MIT
/* Three call and comparison rules of the 6.18 host: a context without rewritten accesses (a
 * tracepoint's) passed as a global function's memory is checked byte-wise like a load; comparing a
 * maybe-NULL pointer with a register holding NULL proves nothing (only `if rX == 0` is a NULL
 * check); a recursion the search gets through (bounded by values) still fails the static call
 * depth walk. */
#include "vmaps.h"

struct four { int x; };

__noinline __weak int cr_read(struct four *p)
{
	return p ? p->x : 0;
}

SEC("tracepoint")
__description("call rules: a tracepoint context is no memory for a global function")
__failure __msg("invalid bpf_context access off=3 size=1")
__msg("Caller passes invalid args into func#1 ('cr_read')")
int ctx_as_mem(void *ctx)
{
	return cr_read(ctx);
}

SEC("socket")
__description("call rules: a maybe-NULL pointer compared with a NULL register stays maybe-NULL")
__failure __msg("R6 invalid mem access 'map_value_or_null'")
__naked void null_register_compare(void)
{
	asm volatile (
		"r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;"
		"r1 = %[map_hash_8b] ll;" "call %[bpf_map_lookup_elem];" "r6 = r0;"
		"r0 = 0;" "if r0 != r6 goto l_j_%=;" "exit;"
		"l_j_%=: r0 = *(u64 *)(r6 + 0);" "exit;"
		:: __imm(bpf_map_lookup_elem), __imm_addr(map_hash_8b) : __clobber_all);
}

static __naked __noinline __attribute__((used)) void cr_recurse(void)
{
	asm volatile ("r1 += 1;" "r0 = r1;" "if r1 < 3 goto l_%=;" "exit;" "l_%=: call cr_recurse;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("call rules: a recursion bounded by values fails the call depth walk")
__failure __msg("the call stack of 8 frames is too deep !")
__naked void bounded_recursion(void)
{
	asm volatile ("r1 = 0;" "call cr_recurse;" "exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
