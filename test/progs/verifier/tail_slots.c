// SPDX-License-Identifier: MIT
/* prog_array `values` under the kernel's test loader (test_loader.c): only the test program and the
 * auxiliary programs of the run's mode are set to load; libbpf verifies them, then fills the
 * slots, and a slot whose program was not loaded (fd -1) fails the whole load (EBADF). Here the
 * slot's target is auxiliary for privileged runs only, so an @unpriv run that verifies fails at
 * the slot, and one the verifier rejects fails with the verifier's message. */
#include "vmaps.h"

SEC("socket")
__auxiliary
__naked void slot_target(void)
{
	asm volatile ("r0 = 42; exit;");
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(int));
	__array(values, void (void));
} slots SEC(".maps") = {
	.values = { [0] = (void *)&slot_target },
};

SEC("socket")
__description("tail slots: the target is loaded for the privileged run, missing for the unprivileged one")
__success __retval(42)
__failure_unpriv
__naked void tail_to_target(void)
{
	asm volatile ("r2 = %[slots] ll;" "r3 = 0;" "call %[bpf_tail_call];" "r0 = 7;" "exit;"
		:: __imm(bpf_tail_call), __imm_addr(slots) : __clobber_all);
}

SEC("socket")
__description("tail slots: an unprivileged rejection is the verifier's, before the slots are filled")
__success __retval(0)
__failure_unpriv __msg_unpriv("R10 leaks addr into map")
__naked void leak_before_slots(void)
{
	asm volatile (VAL_PRE "*(u64 *)(r6 + 0) = r10;" VAL_OUT
		:: VAL_IMMS : __clobber_all);
}

char _license[] SEC("license") = "GPL";
