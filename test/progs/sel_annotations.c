// `ebpfvm test` and the annotation parser: kernel selftest annotations in the numbered tag form of
// include/bpf_misc.h ("comment:<N>:<tag>"). Some of these tests are meant to FAIL (wrong retval,
// wrong message): test/selftest checks that they are reported, with the reason.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("socket") __description("returns seven") __success __retval(7)
int ret_seven(void *ctx) { return 7; }

/* POINTER_VALUE disables the comparison. */
SEC("socket") __success __retval(POINTER_VALUE)
int ret_any(void *ctx) { return 1234; }

/* Meant to fail: the program returns 4. */
SEC("socket") __success __retval(3)
int ret_wrong(void *ctx) { return 4; }

/* The comparison is signed 32-bit: -1 is r0 = 0xffffffff. */
SEC("socket") __success __retval(-1)
int ret_minus_one(void *ctx) { return -1; }

/* R0 never written: the kernel's error line, matched in order, one part by regex. */
SEC("socket") __failure __msg("0: (95) exit") __msg("R0 {{!read_ok|not initialized}}") __not_msg("processed 0 insns")
__naked int no_r0(void)
{
	asm volatile ("exit;" ::: __clobber_all);
}

/* Meant to fail: the messages are in the wrong order. */
SEC("socket") __failure __msg("R0 !read_ok") __msg("0: (95) exit")
__naked int msgs_out_of_order(void)
{
	asm volatile ("exit;" ::: __clobber_all);
}

/* A level-2 log shows every instruction with its state. */
SEC("socket") __success __log_level(2) __msg("0: (b7) r0 = 5") __msg("1: (95) exit")
__naked int log_level_two(void)
{
	asm volatile ("r0 = 5; exit;" ::: __clobber_all);
}

/* Meant to fail: __not_msg finds its text between its neighbours. */
SEC("socket") __success __log_level(2) __msg("0: (b7) r0 = 5") __not_msg("exit") __msg("processed")
__naked int not_msg_present(void)
{
	asm volatile ("r0 = 5; exit;" ::: __clobber_all);
}

SEC("socket") __success __success_unpriv __retval(0)
int with_unpriv(void *ctx) { return 0; }

SEC("socket") __flag(BPF_F_STRICT_ALIGNMENT) __success __retval(1)
int with_flag(void *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
	if (!v)
		return 0;
	*v += 1;
	return 1;
}

/* Not a test: loaded with every test of this object. */
SEC("socket") __auxiliary
int aux_prog(void *ctx) { return 0; }

/* Needs a section libbpf knows: reported as a skip, not a failure. */
SEC("?weird/section") __success
int unsupported_type(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
