// The BPF arena kfuncs (kernel/bpf/arena.c), on maps/arena.ts. Both take the map as `p__map`
// (a map pointer, KF_TRUSTED_ARGS) and a user or kernel-view address of the BPF arena; the kernel
// registers them for every program type (BPF_PROG_TYPE_UNSPEC) as KF_SLEEPABLE.
//   bpf_arena_alloc_pages(map, addr__ign, page_cnt, node_id, flags): page_cnt zeroed pages, at
//     addr when it is non-NULL (page-aligned, inside the arena, all pages free) or at the lowest
//     free run; the user address of the first page, or NULL: flags != 0, page_cnt 0 or above
//     max_entries, a node other than NUMA_NO_NODE (-1) and 0, no room, a map that is no arena.
//   bpf_arena_free_pages(map, ptr__ign, page_cnt): frees the allocated pages among page_cnt from
//     ptr's page (only the low 32 bits of ptr count), clipped to the arena; nothing for NULL,
//     page_cnt 0, pages never allocated, or a map that is no arena; reservations in the range end.
//   bpf_arena_reserve_pages(map, ptr__ign, page_cnt) (Linux 6.17): keeps page_cnt pages from ptr
//     out of alloc_pages without backing them: 0 (also for page_cnt 0 and an unaligned ptr),
//     -EINVAL past the end or for a map that is no arena, -EBUSY when a page is in use.
import { isBpfArenaMap } from '../maps/arena.js';
import { Errno } from '../maps/types.js';
import type { HelperCall, HelperResult } from './types.js';

export function arenaAllocPages(call: HelperCall): HelperResult {
  const map = call.map(1);
  if (!isBpfArenaMap(map)) return 0;
  return map.allocPages(call.u64(2), call.u32(3), call.s32(4), call.u64(5));
}

export function arenaFreePages(call: HelperCall): HelperResult {
  const map = call.map(1);
  if (!isBpfArenaMap(map)) return 0;
  map.freePages(call.u64(2), call.u32(3));
  return 0;
}

export function arenaReservePages(call: HelperCall): HelperResult {
  const map = call.map(1);
  if (!isBpfArenaMap(map)) return -Errno.EINVAL;
  return map.reservePages(call.u64(2), call.u32(3));
}
