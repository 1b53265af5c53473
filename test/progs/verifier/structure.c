// SPDX-License-Identifier: MIT
/* Structure checks the kernel makes before abstract interpretation (check_cfg, check_subprogs,
 * resolve_pseudo_ldimm64, opcode and register validity), each with an accepted twin. */
#include "vmaps.h"

SEC("socket")
__description("structure: shortest valid program")
__success __retval(0)
__naked void minimal_exit(void)
{
	asm volatile ("r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: exit without setting r0")
__failure __msg("R0 !read_ok")
__naked void exit_without_r0(void)
{
	asm volatile ("exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: forward conditional jump inside the program")
__success __retval(2)
__naked void forward_jump_ok(void)
{
	asm volatile ("r0 = 1;" "if r1 == 0 goto l0_%=;" "r0 = 2;" "l0_%=: exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: jump past the last instruction")
__failure __msg("jump out of range from insn 1 to 5")
__naked void jump_out_of_range_fwd(void)
{
	asm volatile ("r0 = 0;" "goto +3;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: jump before the first instruction")
__failure __msg("jump out of range from insn 1 to -2")
__naked void jump_out_of_range_back(void)
{
	asm volatile ("r0 = 0;" "if r0 == 0 goto -4;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: dead code after exit")
__failure __msg("unreachable insn 2")
__naked void unreachable_insn(void)
{
	asm volatile ("r0 = 0;" "exit;" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: jump over dead code")
__failure __msg("unreachable insn 2")
__naked void unreachable_after_goto(void)
{
	asm volatile ("r0 = 0;" "goto +1;" "r0 = 1;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: last instruction falls off the end")
__failure __msg("last insn is not an exit or jmp")
__naked void last_insn_not_exit(void)
{
	asm volatile ("r0 = 0;" "if r1 != 0 goto +1;" "exit;" "r0 = 1;" ::: __clobber_all);
}

SEC("socket")
__description("structure: program ending in an unconditional backward jump to an exit")
__success __retval(3)
__naked void last_insn_is_jmp(void)
{
	asm volatile ("r0 = 3;" "goto l1_%=;" "l0_%=: exit;" "l1_%=: goto l0_%=;" ::: __clobber_all);
}

SEC("socket")
__description("structure: ld_imm64 loads 64 bits")
__success __retval(1)
__naked void ld_imm64_ok(void)
{
	asm volatile ("r0 = 0x100000001 ll;" "r0 >>= 32;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: jump into the second half of ld_imm64")
__failure __msg("jump into the middle of ldimm64 insn 2")
__naked void jump_into_ld_imm64(void)
{
	asm volatile ("r0 = 0;" "if r1 == 0 goto +1;" "r0 = 0x100000001 ll;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: unknown opcode")
__failure __msg("unknown opcode ff")
__naked void unknown_opcode(void)
{
	asm volatile ("r0 = 0;" ".8byte 0xff;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: register number out of range")
__failure __msg("R11 is invalid")
__naked void invalid_register(void)
{
	asm volatile (".8byte 0x0bb7;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: reserved field set in mov")
__failure __msg("BPF_MOV uses reserved fields")
__naked void reserved_fields(void)
{
	asm volatile (".8byte 0x21b7;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: write to the frame pointer")
__failure __msg("frame pointer is read only")
__naked void write_r10(void)
{
	asm volatile ("r10 = 0;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: read from the frame pointer is fine")
__success __retval(0)
__naked void read_r10(void)
{
	asm volatile ("r1 = r10;" "r1 += -8;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: read of an uninitialised register")
__failure __msg("R2 !read_ok")
__naked void uninit_register(void)
{
	asm volatile ("r0 = r2;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: call of an unknown helper")
__failure __msg("invalid func unknown#1000")
__naked void unknown_helper(void)
{
	asm volatile ("call 1000;" "r0 = 0;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: a jump to itself")
__failure __msg("infinite loop detected at insn 1")
__naked void self_loop(void)
{
	asm volatile ("r0 = 0;" "l0_%=: if r0 == 0 goto l0_%=;" "exit;" ::: __clobber_all);
}

SEC("socket")
__description("structure: ld_imm64 whose second half is not zero-coded")
__failure __msg("invalid bpf_ld_imm64 insn")
__naked void ld_imm64_bad_second_half(void)
{
	asm volatile ("r0 = 0;" ".8byte 0x18;" ".8byte 0x95;" "exit;" ::: __clobber_all);
}

char _license[] SEC("license") = "GPL";
