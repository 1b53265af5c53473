// SPDX-License-Identifier: MIT
/* An arena map's fields through CO-RE and a map pointer's walked members (as 6.12's
 * verifier_arena.c basic_alloc3 and iter_maps3): struct bpf_arena starts with its struct bpf_map,
 * whose max_entries a program reads through the map pointer; bpf_map's inner_map_meta, read from
 * an iterator's trusted map, is an untrusted pointer a kfunc refuses. Outside test/progs/verifier:
 * the host cannot create an arena (EPERM, docs/arena.md). test/maps/arena.test.ts. */
// cflags: -mcpu=v4
#define BPF_NO_KFUNC_PROTOTYPES
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_misc.h"

#define __arena __attribute__((address_space(1)))
#define NUMA_NO_NODE (-1)

struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, 1 << 10); /* BPF_F_MMAPABLE */
	__uint(max_entries, 2);
} arena SEC(".maps");

void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt, int node_id, __u64 flags) __ksym __weak;

struct bpf_arena___l {
	struct bpf_map map;
} __attribute__((preserve_access_index));

SEC("syscall")
__description("arena: every page through the arena struct's map (CO-RE)")
__success __retval(0)
int alloc_all_core(void *ctx)
{
	struct bpf_arena___l *ar = (struct bpf_arena___l *)&arena;
	volatile char __arena *pages;

	pages = bpf_arena_alloc_pages(&ar->map, NULL, ar->map.max_entries, NUMA_NO_NODE, 0);
	if (!pages)
		return 1;
	return 0;
}

SEC("iter.s/bpf_map")
__description("arena: a map's inner_map_meta is untrusted")
__failure __msg("untrusted_ptr_bpf_map")
int inner_meta_untrusted(struct bpf_iter__bpf_map *ctx)
{
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	bpf_arena_alloc_pages(map->inner_map_meta, NULL, map->max_entries, 0, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
