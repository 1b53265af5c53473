/* SPDX-License-Identifier: MIT */
/* Maps shared by the annotated verifier programs (the shapes the kernel's verifier selftests use). */
#ifndef __VMAPS_H
#define __VMAPS_H
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

#define MAX_ENTRIES 11

struct test_val {
	unsigned int index;
	int foo[MAX_ENTRIES];
};

struct lock_val {
	int cnt;
	struct bpf_spin_lock lock;
	int data;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, long long);
	__type(value, long long);
} map_hash_8b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, long long);
	__type(value, struct test_val);
} map_hash_48b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct test_val);
} map_array_48b SEC(".maps");

#endif

/* Inline-asm building blocks: r6 = &map_array_48b[0] (never NULL at run time, checked for the
 * verifier), r0 = an unknown u32 from bpf_get_prandom_u32; VAL_OUT is the common exit (r0 = 0). */
#define VAL_PRE \
	"r1 = 0;" "*(u32 *)(r10 - 4) = r1;" "r2 = r10;" "r2 += -4;" \
	"r1 = %[map_array_48b] ll;" "call %[bpf_map_lookup_elem];" \
	"if r0 == 0 goto l_out_%=;" "r6 = r0;" "call %[bpf_get_prandom_u32];"
#define VAL_OUT "l_out_%=: r0 = 0;" "exit;"
#define VAL_IMMS __imm(bpf_map_lookup_elem), __imm(bpf_get_prandom_u32), __imm_addr(map_array_48b)

#ifndef __used
#define __used __attribute__((used))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif
/* A .text subprogram in inline asm, called from a program with "call NAME;". */
#define SUBPROG(name) static __naked __noinline __used void name(void)
