// The same annotations in Linux 6.12's tag encoding (sel_tags_612.h): `ebpfvm test` reads both.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "sel_tags_612.h"

SEC("socket") __description("six twelve: returns seven") __success __retval(7)
int old_ret_seven(void *ctx) { return 7; }

SEC("socket") __success __retval(POINTER_VALUE)
int old_ret_any(void *ctx) { return 99; }

SEC("socket") __failure __msg("0: (95) exit") __msg("R0 {{!read_ok|not initialized}}")
__naked int old_no_r0(void)
{
	asm volatile ("exit;" ::: __clobber_all);
}

SEC("socket") __auxiliary
int old_aux(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
