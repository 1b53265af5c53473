// SPDX-License-Identifier: MIT
/* sk_msg programs (struct sk_msg_md, sk_msg_is_valid_access, sk_msg_func_proto): the context is
 * read-only; data/data_end are packet pointers a program bounds-checks and may write through,
 * sk a socket pointer that needs no NULL check, the rest u32. Helpers: the msg_* ones (pull, push
 * and pop change the data, so the packet pointers die). The kernel cannot test-run this type, so
 * none of these carries a __retval. Offsets: data 0, data_end 8, family 16, remote_ip4 20,
 * local_ip4 24, remote_ip6 28, local_ip6 44, remote_port 60, local_port 64, size 68, sk 72. */
#include "vmaps.h"

SEC("sk_msg")
__description("sk_msg: reads and writes the message after a bounds check, reads size and sk")
__success
__naked void msg_data(void)
{
	asm volatile ("r2 = *(u64 *)(r1 + 0);" "r3 = *(u64 *)(r1 + 8);" "r4 = r2;" "r4 += 4;"
		      "if r4 > r3 goto 1f;" "r5 = *(u8 *)(r2 + 0);" "*(u8 *)(r2 + 1) = r5;"
		      "1:" "r2 = *(u32 *)(r1 + 68);" "r2 = *(u32 *)(r1 + 40);" "r2 = *(u64 *)(r1 + 72);"
		      "r0 = *(u32 *)(r2 + 4);" "r0 = 1;" "exit;"
		::  : __clobber_all);
}

SEC("sk_msg")
__description("sk_msg: the context is read-only")
__failure __msg("invalid bpf_context access off=68 size=4")
__naked void msg_write_size(void)
{
	asm volatile ("w2 = 0;" "*(u32 *)(r1 + 68) = r2;" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_msg")
__description("sk_msg: family is read as a whole u32")
__failure __msg("invalid bpf_context access off=16 size=2")
__naked void msg_family_narrow(void)
{
	asm volatile ("r0 = *(u16 *)(r1 + 16);" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("sk_msg")
__description("sk_msg: bpf_msg_pull_data invalidates the packet pointers")
__failure __msg("R2 invalid mem access 'scalar'")
__naked void msg_pull_invalidates(void)
{
	asm volatile ("r6 = r1;" "r7 = *(u64 *)(r1 + 0);" "r8 = *(u64 *)(r1 + 8);" "r4 = r7;" "r4 += 4;"
		      "if r4 > r8 goto 1f;" "r1 = r6;" "r2 = 0;" "r3 = 4;" "r4 = 0;" "call %[bpf_msg_pull_data];"
		      "r2 = r7;" "r0 = *(u8 *)(r2 + 0);"
		      "1:" "r0 = 1;" "exit;"
		:: __imm(bpf_msg_pull_data) : __clobber_all);
}

SEC("sk_msg")
__description("sk_msg: apply, cork, push and pop bytes")
__success
__naked void msg_helpers(void)
{
	asm volatile ("r6 = r1;" "r2 = 16;" "call %[bpf_msg_apply_bytes];" "r1 = r6;" "r2 = 16;" "call %[bpf_msg_cork_bytes];"
		      "r1 = r6;" "r2 = 0;" "r3 = 4;" "r4 = 0;" "call %[bpf_msg_push_data];"
		      "r1 = r6;" "r2 = 0;" "r3 = 4;" "r4 = 0;" "call %[bpf_msg_pop_data];" "r0 = 1;" "exit;"
		:: __imm(bpf_msg_apply_bytes), __imm(bpf_msg_cork_bytes), __imm(bpf_msg_push_data), __imm(bpf_msg_pop_data)
		: __clobber_all);
}

SEC("sk_msg")
__description("sk_msg: no bpf_bind")
__failure __msg("program of this type cannot use helper bpf_bind#64")
__naked void msg_bind(void)
{
	asm volatile ("r2 = r10;" "r2 += -16;" "r3 = 16;" "call %[bpf_bind];" "r0 = 1;" "exit;" :: __imm(bpf_bind) : __clobber_all);
}

SEC("sk_msg")
__description("sk_msg: no bpf_probe_read (tracing only)")
__failure __msg("program of this type cannot use helper bpf_probe_read#4")
__naked void msg_no_probe_read(void)
{
	asm volatile ("r1 = r10;" "r1 += -8;" "r2 = 8;" "r3 = 0;" "call %[bpf_probe_read];" "r0 = 1;" "exit;" :: __imm(bpf_probe_read) : __clobber_all);
}

SEC("sk_msg")
__description("sk_msg: no bpf_probe_read_str (tracing only)")
__failure __msg("program of this type cannot use helper bpf_probe_read_str#45")
__naked void msg_no_probe_read_str(void)
{
	asm volatile ("r1 = r10;" "r1 += -8;" "r2 = 8;" "r3 = 0;" "call %[bpf_probe_read_str];" "r0 = 1;" "exit;" :: __imm(bpf_probe_read_str) : __clobber_all);
}

SEC("sk_msg")
__description("sk_msg: no bpf_get_stack (tracing only)")
__failure __msg("program of this type cannot use helper bpf_get_stack#67")
__naked void msg_no_get_stack(void)
{
	asm volatile ("r2 = r10;" "r2 += -16;" "r3 = 16;" "r4 = 0;" "call %[bpf_get_stack];" "r0 = 1;" "exit;" :: __imm(bpf_get_stack) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
