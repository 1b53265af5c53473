// fentry/fexit/fmod_ret programs under `ebpfvm test` (test/selftest/tracing-run.test.ts): the
// kernel's test loader loads them without attaching, so bpf_prog_test_run_tracing only calls its
// own test functions and the program never runs (fentry/fexit: retval 0 whatever the program
// returns; fmod_ret: bpf_modify_return_test's side effects and returns, 2 << 16 | 33); a typed
// argument the built-in BTF knows (bpf_fentry_test_sinfo's struct skb_shared_info *) reads as a
// BTF pointer. As 6.12's net/bpf/test_run.c and verifier_typedef.c / verifier_btf_ctx_access.c.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

SEC("fentry/bpf_fentry_test_sinfo")
__description("fentry: the typed argument's member through a typedef")
__success __retval(0)
__naked void sinfo_frags(void)
{
	asm volatile ("					\
	r1 = *(u64 *)(r1 +0);				\
	r2 = *(u64 *)(r1 +%[frags_offs]);		\
	r0 = 0;						\
	exit;						\
"	:
	: __imm_const(frags_offs, offsetof(struct skb_shared_info, frags))
	: __clobber_all);
}

SEC("fentry/bpf_fentry_test1")
__description("fentry: the program does not run, retval 0")
__success __retval(0)
__naked void fentry_not_run(void)
{
	asm volatile ("r0 = 0; exit;" ::: __clobber_all);
}

SEC("fmod_ret/bpf_modify_return_test")
__description("fmod_ret: the test functions' own result")
__success __retval(131105)
__naked void fmod_ret_not_run(void)
{
	asm volatile ("r0 = 0; exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
