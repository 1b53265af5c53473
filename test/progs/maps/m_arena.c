// BPF arena maps (BPF_MAP_TYPE_ARENA): global __arena variables, bpf_arena_alloc_pages /
// free_pages with good and bad arguments, loads and stores of freed pages, addr_space_cast.
// test/maps/arena.test.ts asserts the values; the 6.18 host refuses BPF_MAP_CREATE of type 33
// (EPERM), so the oracle is arena.c's semantics (docs/arena.md).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __arena __attribute__((address_space(1)))
#define NUMA_NO_NODE (-1)
#define PAGE 4096

struct {
	__uint(type, 33); /* BPF_MAP_TYPE_ARENA: the host's uapi headers predate it */
	__uint(map_flags, 1 << 10); /* BPF_F_MMAPABLE */
	__uint(max_entries, 4); /* pages */
} arena SEC(".maps");

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id, __u64 flags) __ksym __weak;
void bpf_arena_free_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym __weak;
int bpf_arena_reserve_pages(void *map, void __arena *ptr, __u32 page_cnt) __ksym __weak;

int __arena counter = 5;           /* .addr_space.1: page 0 is allocated at load */
__u64 __arena table[4] = { 1, 2, 3, 4 };
__u64 __arena *saved;              /* .bss: a user pointer into the arena */

/* One page: written at both ends, its pointer kept for user space; counter += 10. */
SEC("syscall")
int am_alloc(void *ctx)
{
	__u64 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);

	if (!p)
		return 1;
	p[0] = 0x1122334455667788ull;
	p[PAGE / 8 - 1] = 7;
	counter += 10;
	table[3] += table[0] + table[1];
	saved = p;
	return 0;
}

/* Bad arguments give NULL: one bit per refused call, 0x3f when all six are refused. */
SEC("syscall")
int am_bad_args(void *ctx)
{
	int r = 0;

	if (!bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 1))	/* flags */
		r |= 1;
	if (!bpf_arena_alloc_pages(&arena, NULL, 0, NUMA_NO_NODE, 0))	/* no pages */
		r |= 2;
	if (!bpf_arena_alloc_pages(&arena, NULL, 5, NUMA_NO_NODE, 0))	/* > max_entries */
		r |= 4;
	if (!bpf_arena_alloc_pages(&arena, NULL, 1, 7, 0))		/* no such node */
		r |= 8;
	if (!bpf_arena_alloc_pages(&arena, (void __arena *)((long)&counter + 8), 1, NUMA_NO_NODE, 0)) /* unaligned */
		r |= 16;
	if (!bpf_arena_alloc_pages(&arena, (void __arena *)&counter, 1, NUMA_NO_NODE, 0)) /* page 0 is taken */
		r |= 32;
	return r;
}

/* Fill the arena: 3 free pages after the globals' page, then nothing. Returns pages got * 10 +
 * (1 if the 4th request failed). */
SEC("syscall")
int am_fill(void *ctx)
{
	void __arena *a = bpf_arena_alloc_pages(&arena, NULL, 3, NUMA_NO_NODE, 0);
	void __arena *b = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);

	return (a ? 30 : 0) + (b ? 0 : 1);
}

/* Use after free: a freed page reads 0 and ignores stores; freeing it again, freeing NULL and
 * freeing past the end are no-ops; the page comes back zeroed. Returns 0 when all hold. */
SEC("syscall")
int am_uaf(void *ctx)
{
	volatile __u64 __arena *p = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);
	volatile __u64 __arena *q;

	if (!p)
		return 1;
	*p = 42;
	if (*p != 42)
		return 2;
	bpf_arena_free_pages(&arena, (void __arena *)p, 1);
	if (*p != 0)
		return 3;
	*p = 43;		/* dropped */
	if (*p != 0)
		return 4;
	__sync_fetch_and_add(p, 1);	/* dropped too */
	bpf_arena_free_pages(&arena, (void __arena *)p, 1);
	bpf_arena_free_pages(&arena, NULL, 1);
	bpf_arena_free_pages(&arena, (void __arena *)p, 100);
	q = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);
	if (q != p)
		return 5;
	if (*q != 0)
		return 6;
	if (counter != 5 && counter != 15)	/* the globals' page is untouched */
		return 7;
	return 0;
}

/* Atomics on arena memory: returns the fetched old values' sum (5 + 1) and leaves counter at 8. */
SEC("syscall")
int am_atomics(void *ctx)
{
	long old = __sync_fetch_and_add(&counter, 2);	/* 5 -> 7 */
	long cmp = __sync_val_compare_and_swap(&table[0], 1, 9);

	__sync_fetch_and_add(&counter, 1);		/* 8 */
	return old + cmp;
}

/* bpf_arena_reserve_pages (Linux 6.17): a reserved page is not handed out, explicitly or not;
 * reserving a page in use is -EBUSY, past the end -EINVAL; freeing ends the reservation.
 * Returns 0 when all hold. */
SEC("syscall")
int am_reserve(void *ctx)
{
	char __arena *base = (char __arena *)&counter;	/* page 0 (globals) */
	char __arena *p;

	if (bpf_arena_reserve_pages(&arena, base, 1) != -16)	/* in use */
		return 1;
	if (bpf_arena_reserve_pages(&arena, base + 3 * PAGE, 2) != -22)	/* past the end */
		return 2;
	if (bpf_arena_reserve_pages(&arena, base + PAGE, 2) != 0)	/* pages 1 and 2 */
		return 3;
	if (bpf_arena_alloc_pages(&arena, base + PAGE, 1, NUMA_NO_NODE, 0))
		return 4;
	p = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);
	if (p != base + 3 * PAGE)	/* the only free page */
		return 5;
	bpf_arena_free_pages(&arena, base + PAGE, 1);	/* ends page 1's reservation */
	p = bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0);
	if (p != base + PAGE)
		return 6;
	if (bpf_arena_alloc_pages(&arena, NULL, 1, NUMA_NO_NODE, 0))	/* page 2 still reserved */
		return 7;
	return 0;
}

char _license[] SEC("license") = "GPL";
