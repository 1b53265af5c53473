// SPDX-License-Identifier: MIT
/* BPF arena programs (verifier/alu.ts, mem.ts, kfuncs.ts, calls.ts): pointers cast to the kernel
 * view are PTR_TO_ARENA, loaded and stored through without bounds, any arithmetic keeps them; what
 * the kernel refuses: an arena pointer as a helper's memory, sign-extending loads from an arena, a
 * cast in a program without an arena, a NULL map for the kfuncs, the kfuncs outside sleepable
 * programs, and a global function's arg:arena given another pointer. The messages are the
 * kernel's (kernel/bpf/verifier.c); the 6.18 host refuses BPF_MAP_CREATE of an arena (EPERM), so
 * these have no host recording (docs/arena.md). */
// cflags: -mcpu=v4
#include "../verifier/vmaps.h" /* the annotation macros; not in test/progs/verifier, whose annotations must hold on the host */

#define __arena __attribute__((address_space(1)))
#define __arg_arena __attribute__((btf_decl_tag("arg:arena")))
#define NUMA_NO_NODE (-1)

struct {
	__uint(type, 33); /* BPF_MAP_TYPE_ARENA */
	__uint(map_flags, 1 << 10); /* BPF_F_MMAPABLE */
	__uint(max_entries, 3); /* page 0 holds the __arena globals */
} arena SEC(".maps");

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id, __u64 flags) __ksym __weak;
void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym __weak;

int __arena hits;

SEC("syscall")
__description("arena: alloc, write, read back, free, read 0")
__success __retval(0)
int alloc_rw(void *ctx)
{
	volatile long __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);

	if (!p)
		return 1;
	p[3] = 42;
	if (p[3] != 42)
		return 2;
	bpf_arena_free_pages(&arena, (void __arena *)p, 1);
	if (p[3] != 0)
		return 3;
	return 0;
}

SEC("syscall")
__description("arena: no bounds: a store a page past the arena is dropped, its load reads 0")
__success __retval(0)
int past_the_end(void *ctx)
{
	volatile unsigned char __arena *p = bpf_arena_alloc_pages(&arena, NULL, 2, NUMA_NO_NODE, 0);

	if (!p)
		return 1;
	p[2 * 4096 + 100] = 7;
	return p[2 * 4096 + 100];
}

__noinline int bump(int __arena *v __arg_arena)
{
	if (!v)
		return 0;
	return ++*v;
}

SEC("syscall")
__description("arena: a global function's arg:arena takes an arena pointer")
__success __retval(2)
int arg_arena_ok(void *ctx)
{
	bump(&hits);
	return bump(&hits);
}

__noinline int peek(void *v __arg_arena)
{
	return v != 0;
}

SEC("syscall")
__description("arena: a global function's arg:arena refuses a stack pointer")
__failure __msg("R1 is not a pointer to arena or scalar.")
int arg_arena_stack(void *ctx)
{
	int x = 0;

	return peek(&x) + x;
}

SEC("syscall")
__description("arena: an arena pointer is no helper memory")
__failure __msg("R2 type=arena expected=")
int arena_to_helper(void *ctx)
{
	int __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);

	if (!p)
		return 0;
	return bpf_map_lookup_elem(&map_hash_8b, (void *)p) != 0;
}

SEC("syscall")
__description("arena: sign-extending loads from an arena are refused")
__failure __msg("sign extending loads from arena are not supported yet")
int arena_ldsx(void *ctx)
{
	signed char __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);

	if (!p)
		return 0;
	return *(volatile signed char __arena *)p;
}

SEC("syscall")
__description("arena: addr_space_cast needs the program's arena")
__failure __msg("addr_space_cast insn can only be used in a program that has an associated arena")
__naked int cast_without_arena(void)
{
	asm volatile("r1 = 0; r1 = addr_space_cast(r1, 0, 1); r0 = 0; exit;" ::: __clobber_all);
}

SEC("syscall")
__description("arena: the kfuncs' map is a trusted argument")
__failure __msg("Possibly NULL pointer passed to trusted arg0")
int null_map(void *ctx)
{
	return bpf_arena_alloc_pages(NULL, NULL, 1, NUMA_NO_NODE, 0) != 0;
}

SEC("tc")
__description("arena: the kfuncs are sleepable")
__failure __msg("program must be sleepable to call sleepable kfunc bpf_arena_alloc_pages")
int not_sleepable(struct __sk_buff *skb)
{
	return bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0) != 0;
}

char _license[] SEC("license") = "GPL";
