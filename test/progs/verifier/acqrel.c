// SPDX-License-Identifier: MIT
/* Load-acquire and store-release (BPF_STX | BPF_ATOMIC | size, imm BPF_LOAD_ACQ 0x100 /
 * BPF_STORE_REL 0x110, Linux 6.15+): every size's value (a load zero-extends like a plain load),
 * the pointer types check_atomic_load / check_atomic_store refuse, alignment, register checks and
 * the unprivileged rules. clang-19 has no mnemonic for them: each is a hand-encoded .8byte. */
#include "vmaps.h"

#ifndef BPF_LOAD_ACQ
#define BPF_LOAD_ACQ 0x100
#endif
#ifndef BPF_STORE_REL
#define BPF_STORE_REL 0x110
#endif
#define ACQREL(sz, d, s, o, op) ((struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC | (sz), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (op) })
/* dst = load_acquire((sz *)(src + off)) */
#define LDACQ(sz, d, s, o) ACQREL(sz, d, s, o, BPF_LOAD_ACQ)
/* store_release((sz *)(dst + off), src) */
#define STREL(sz, d, s, o) ACQREL(sz, d, s, o, BPF_STORE_REL)

/* Each load: r0 = the loaded value; a value with bits above its size fails the run (-1). */
#define LOAD_CASE(fn, sz, off, ret)							\
SEC("socket")										\
__description("load-acquire: " #fn)							\
__success __success_unpriv __retval(ret)						\
__naked void fn(void)									\
{											\
	asm volatile ("r1 = 0x1122334455667788 ll;" "*(u64 *)(r10 - 8) = r1;"		\
		".8byte %[insn];"							\
		"r2 = r0;" "r2 >>= 32;" "if r2 == 0 goto l0_%=;" "r0 = -1;" "l0_%=: exit;"	\
		:: __imm_insn(insn, LDACQ(sz, BPF_REG_0, BPF_REG_10, off)) : __clobber_all);	\
}

LOAD_CASE(load_acquire_u8, BPF_B, -8, 0x88)
LOAD_CASE(load_acquire_u8_off, BPF_B, -7, 0x77)
LOAD_CASE(load_acquire_u16, BPF_H, -8, 0x7788)
LOAD_CASE(load_acquire_u16_off, BPF_H, -6, 0x5566)
LOAD_CASE(load_acquire_u32, BPF_W, -8, 0x55667788)
LOAD_CASE(load_acquire_u32_off, BPF_W, -4, 0x11223344)

SEC("socket")
__description("load-acquire: u64, both halves")
__success __success_unpriv __retval(0x11223344)
__naked void load_acquire_u64(void)
{
	asm volatile ("r1 = 0x1122334455667788 ll;" "*(u64 *)(r10 - 8) = r1;"
		".8byte %[insn];"
		"if r0 != r1 goto l0_%=;" "r0 >>= 32;" "exit;" "l0_%=: r0 = -1;" "exit;"
		:: __imm_insn(insn, LDACQ(BPF_DW, BPF_REG_0, BPF_REG_10, -8)) : __clobber_all);
}

/* Each store: the slot holds 0x1122334455667788; r2's low bytes replace its first bytes. */
#define STORE_CASE(fn, sz, off, ret)							\
SEC("socket")										\
__description("store-release: " #fn)							\
__success __success_unpriv __retval(ret)						\
__naked void fn(void)									\
{											\
	asm volatile ("r1 = 0x1122334455667788 ll;" "*(u64 *)(r10 - 8) = r1;"		\
		"r2 = 0x0a0b0c0d0e0f1011 ll;"						\
		".8byte %[insn];"							\
		"r0 = *(u64 *)(r10 - 8);" "r1 = r0;" "r1 >>= 32;"			\
		"if r1 == 0x11223344 goto l0_%=;" "r0 = r1;" "l0_%=: exit;"		\
		:: __imm_insn(insn, STREL(sz, BPF_REG_10, BPF_REG_2, off)) : __clobber_all);	\
}

STORE_CASE(store_release_u8, BPF_B, -8, 0x55667711)
STORE_CASE(store_release_u8_off, BPF_B, -6, 0x55117788)
STORE_CASE(store_release_u16, BPF_H, -8, 0x55661011)
STORE_CASE(store_release_u16_off, BPF_H, -6, 0x10117788)
STORE_CASE(store_release_u32, BPF_W, -8, 0x0e0f1011)
STORE_CASE(store_release_u32_high, BPF_W, -4, 0x0e0f1011)

SEC("socket")
__description("store-release: u64")
__success __success_unpriv __retval(0x0a0b0c0d)
__naked void store_release_u64(void)
{
	asm volatile ("r2 = 0x0a0b0c0d0e0f1011 ll;"
		".8byte %[insn];"
		"r0 = *(u64 *)(r10 - 8);" "if r0 != r2 goto l0_%=;" "r0 >>= 32;" "exit;" "l0_%=: r0 = -1;" "exit;"
		:: __imm_insn(insn, STREL(BPF_DW, BPF_REG_10, BPF_REG_2, -8)) : __clobber_all);
}

SEC("socket")
__description("load-acquire/store-release: a map value, round trip")
__success __success_unpriv __retval(7)
__naked void acqrel_map_value(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[map_array_48b] ll;"
		"call %[bpf_map_lookup_elem];" "if r0 == 0 goto l0_%=;"
		"r1 = 7;" ".8byte %[st];" ".8byte %[ld];" "r0 = r3;" "exit;"
		"l0_%=: r0 = 1;" "exit;"
		:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem),
		   __imm_insn(st, STREL(BPF_W, BPF_REG_0, BPF_REG_1, 4)),
		   __imm_insn(ld, LDACQ(BPF_W, BPF_REG_3, BPF_REG_0, 4)) : __clobber_all);
}

SEC("socket")
__description("load-acquire: a misaligned map value is refused (strict alignment for atomics)")
__failure __msg("misaligned value access") __failure_unpriv
__naked void load_acquire_misaligned_map(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[map_array_48b] ll;"
		"call %[bpf_map_lookup_elem];" "if r0 == 0 goto l0_%=;"
		".8byte %[ld];" "r0 = r3;" "exit;"
		"l0_%=: r0 = 1;" "exit;"
		:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem),
		   __imm_insn(ld, LDACQ(BPF_W, BPF_REG_3, BPF_REG_0, 2)) : __clobber_all);
}

SEC("socket")
__description("store-release: a misaligned map value is refused (strict alignment for atomics)")
__failure __msg("misaligned value access") __failure_unpriv
__naked void store_release_misaligned_map(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[map_array_48b] ll;"
		"call %[bpf_map_lookup_elem];" "if r0 == 0 goto l0_%=;"
		"r1 = 1;" ".8byte %[st];" "r0 = 0;" "exit;"
		"l0_%=: r0 = 1;" "exit;"
		:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem),
		   __imm_insn(st, STREL(BPF_H, BPF_REG_0, BPF_REG_1, 3)) : __clobber_all);
}

SEC("socket")
__description("load-acquire: u8 of a map value is a scalar of 0..255 (marked like a plain load)")
__failure __msg("invalid access to map value, value_size=48 off=255 size=1") __failure_unpriv
__naked void load_acquire_u8_bounds(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[map_array_48b] ll;"
		"call %[bpf_map_lookup_elem];" "if r0 == 0 goto l0_%=;"
		".8byte %[ld];" "r0 += r3;" "r0 = *(u8 *)(r0 + 0);" "exit;"
		"l0_%=: r0 = 1;" "exit;"
		:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem),
		   __imm_insn(ld, LDACQ(BPF_B, BPF_REG_3, BPF_REG_0, 4)) : __clobber_all);
}

SEC("socket")
__description("load-acquire: misaligned stack")
__failure __msg("misaligned stack access") __failure_unpriv
__naked void load_acquire_misaligned_stack(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" ".8byte %[ld];" "exit;"
		:: __imm_insn(ld, LDACQ(BPF_W, BPF_REG_0, BPF_REG_10, -6)) : __clobber_all);
}

SEC("socket")
__description("load-acquire: uninitialized stack (privileged programs may read it)")
__success __failure_unpriv __msg_unpriv("invalid read from stack")
__naked void load_acquire_uninit_stack(void)
{
	asm volatile (".8byte %[ld];" "exit;"
		:: __imm_insn(ld, LDACQ(BPF_B, BPF_REG_0, BPF_REG_10, -8)) : __clobber_all);
}

SEC("socket")
__description("load-acquire: from the context is refused")
__failure __msg("BPF_ATOMIC loads from R1 ctx is not allowed") __failure_unpriv
__naked void load_acquire_ctx(void)
{
	asm volatile (".8byte %[ld];" "exit;"
		:: __imm_insn(ld, LDACQ(BPF_W, BPF_REG_0, BPF_REG_1, 0)) : __clobber_all);
}

SEC("socket")
__description("load-acquire: the context at an offset it has no field at: the pointer type is refused first")
__failure __msg("BPF_ATOMIC loads from R1 ctx is not allowed") __failure_unpriv
__naked void load_acquire_ctx_bad_off(void)
{
	asm volatile (".8byte %[ld];" "exit;"
		:: __imm_insn(ld, LDACQ(BPF_W, BPF_REG_0, BPF_REG_1, 1000)) : __clobber_all);
}

SEC("socket")
__description("store-release: to the context is refused")
__failure __msg("BPF_ATOMIC stores into R1 ctx is not allowed") __failure_unpriv
__naked void store_release_ctx(void)
{
	asm volatile ("r2 = 0;" ".8byte %[st];" "r0 = 0;" "exit;"
		:: __imm_insn(st, STREL(BPF_W, BPF_REG_1, BPF_REG_2, 48)) : __clobber_all);
}

SEC("tc")
__description("load-acquire: from the packet is refused")
__failure __msg("BPF_ATOMIC loads from R2 pkt is not allowed")
__naked void load_acquire_pkt(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);" "r3 = *(u32 *)(r1 + %[data_end]);"
		"r4 = r2;" "r4 += 8;" "if r4 > r3 goto l0_%=;" ".8byte %[ld];" "l0_%=: r0 = 0;" "exit;"
		:: __imm_const(data, offsetof(struct __sk_buff, data)), __imm_const(data_end, offsetof(struct __sk_buff, data_end)),
		   __imm_insn(ld, LDACQ(BPF_W, BPF_REG_0, BPF_REG_2, 0)) : __clobber_all);
}

SEC("tc")
__description("store-release: to the packet is refused")
__failure __msg("BPF_ATOMIC stores into R2 pkt is not allowed")
__naked void store_release_pkt(void)
{
	asm volatile ("r2 = *(u32 *)(r1 + %[data]);" "r3 = *(u32 *)(r1 + %[data_end]);"
		"r4 = r2;" "r4 += 8;" "if r4 > r3 goto l0_%=;" "r5 = 0;" ".8byte %[st];" "l0_%=: r0 = 0;" "exit;"
		:: __imm_const(data, offsetof(struct __sk_buff, data)), __imm_const(data_end, offsetof(struct __sk_buff, data_end)),
		   __imm_insn(st, STREL(BPF_B, BPF_REG_2, BPF_REG_5, 0)) : __clobber_all);
}

SEC("tc")
__description("load-acquire: from a sock_common is refused")
__failure __msg("BPF_ATOMIC loads from R1 sock_common is not allowed")
__naked void load_acquire_sock(void)
{
	asm volatile ("r1 = *(u64 *)(r1 + %[sk]);" "if r1 == 0 goto l0_%=;" ".8byte %[ld];" "l0_%=: r0 = 0;" "exit;"
		:: __imm_const(sk, offsetof(struct __sk_buff, sk)),
		   __imm_insn(ld, LDACQ(BPF_W, BPF_REG_0, BPF_REG_1, 0)) : __clobber_all);
}

SEC("flow_dissector")
__description("load-acquire: from the flow keys is refused")
__failure __msg("BPF_ATOMIC loads from R1 flow_keys is not allowed")
__naked void load_acquire_flow_keys(void)
{
	asm volatile ("r1 = *(u64 *)(r1 + %[fk]);" ".8byte %[ld];" "r0 = 0;" "exit;"
		:: __imm_const(fk, offsetof(struct __sk_buff, flow_keys)),
		   __imm_insn(ld, LDACQ(BPF_H, BPF_REG_0, BPF_REG_1, 0)) : __clobber_all);
}

SEC("socket")
__description("store-release: an uninitialized source")
__failure __msg("R2 !read_ok") __failure_unpriv
__naked void store_release_uninit_src(void)
{
	asm volatile (".8byte %[st];" "r0 = 0;" "exit;"
		:: __imm_insn(st, STREL(BPF_DW, BPF_REG_10, BPF_REG_2, -8)) : __clobber_all);
}

SEC("socket")
__description("load-acquire: into r10")
__failure __msg("frame pointer is read only") __failure_unpriv
__naked void load_acquire_into_r10(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" ".8byte %[ld];" "r0 = 0;" "exit;"
		:: __imm_insn(ld, LDACQ(BPF_DW, BPF_REG_10, BPF_REG_10, -8)) : __clobber_all);
}

SEC("socket")
__description("load-acquire: from a null-unchecked map value")
__failure __msg("R0 invalid mem access 'map_value_or_null'") __failure_unpriv
__naked void load_acquire_or_null(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" "r2 = r10;" "r2 += -8;" "r1 = %[map_hash_8b] ll;"
		"call %[bpf_map_lookup_elem];" ".8byte %[ld];" "r0 = 0;" "exit;"
		:: __imm_addr(map_hash_8b), __imm(bpf_map_lookup_elem),
		   __imm_insn(ld, LDACQ(BPF_DW, BPF_REG_1, BPF_REG_0, 0)) : __clobber_all);
}

SEC("socket")
__description("load-acquire/store-release: invalid atomic opcode 0x101")
__failure __msg("BPF_ATOMIC uses invalid atomic opcode 101") __failure_unpriv
__naked void acqrel_bad_imm(void)
{
	asm volatile ("r1 = 0;" "*(u64 *)(r10 - 8) = r1;" ".8byte %[ld];" "r0 = 0;" "exit;"
		:: __imm_insn(ld, ACQREL(BPF_DW, BPF_REG_0, BPF_REG_10, -8, 0x101)) : __clobber_all);
}

SEC("socket")
__description("store-release: a stack pointer spilled and load-acquired back is a pointer")
__success __success_unpriv __retval(42)
__naked void acqrel_spill_fill(void)
{
	asm volatile ("r1 = 42;" "*(u64 *)(r10 - 16) = r1;" "r2 = r10;" "r2 += -16;"
		".8byte %[st];" ".8byte %[ld];" "r0 = *(u64 *)(r3 + 0);" "exit;"
		:: __imm_insn(st, STREL(BPF_DW, BPF_REG_10, BPF_REG_2, -8)),
		   __imm_insn(ld, LDACQ(BPF_DW, BPF_REG_3, BPF_REG_10, -8)) : __clobber_all);
}

SEC("socket")
__description("store-release: a pointer into a map value leaks an address (unprivileged)")
__success __failure_unpriv __msg_unpriv("R2 leaks addr into map")
__naked void store_release_ptr_to_map(void)
{
	asm volatile ("r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" "r1 = %[map_array_48b] ll;"
		"call %[bpf_map_lookup_elem];" "if r0 == 0 goto l0_%=;"
		"r2 = r10;" ".8byte %[st];" "l0_%=: r0 = 0;" "exit;"
		:: __imm_addr(map_array_48b), __imm(bpf_map_lookup_elem),
		   __imm_insn(st, STREL(BPF_DW, BPF_REG_0, BPF_REG_2, 8)) : __clobber_all);
}

char _license[] SEC("license") = "GPL";
