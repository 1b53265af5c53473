// BPF_MAP_TYPE_ARENA (kernel/bpf/arena.c): a range of memory pages shared by programs and user
// space, allocated a page at a time. Not to be confused with the VM's own memory, which
// vm/memory.ts also calls "the arena": this file always says "BPF arena" for the map.
//
// The kernel keeps two views of one BPF arena: user space mmaps it at user_vm_start (map_extra,
// or where mmap put it), and programs reach the same pages at kern_vm_start + the low 32 bits of a
// user address (the JIT's PROBE_MEM32 accesses, after `addr_space_cast` dropped the upper half).
// Here the map reserves a window of the VM's memory (vm/memory.ts sparse windows) and picks the
// low 32 bits of user_vm_start to be the window's VM address, so the "kernel view" of a user
// pointer (its low half) IS the VM address of the byte: a program's arena loads and stores are
// ordinary VM accesses, with no translation on the hot path. The upper 32 bits are map_extra's
// (or 0x7f00_0000_0000's when map_extra is 0, an address of the x86-64 mmap area).
//
// Deliberate differences (docs/arena.md):
//  - user_vm_start keeps map_extra's upper 32 bits but its lower 32 bits are the window's VM
//    address, not map_extra's: a pointer's offset into the BPF arena, its page alignment and its
//    upper half are the kernel's, its low half is not.
//  - the VM's address space is 32-bit and shared by everything a program touches, so a BPF arena
//    spans at most ARENA_MAP_MAX_PAGES pages (256 MiB) where the kernel allows 4 GiB: a larger
//    max_entries is refused with -ENOMEM (the kernel's errno when it cannot reserve the range),
//    above 4 GiB with the kernel's -E2BIG.
import { MapError } from '../src/errors.js';
import { PAGE_SIZE, type Arena } from '../vm/memory.js';
import { checkFitsArena, createError } from './common.js';
import { Errno, MapFlag, MapType, type BpfMap, type MapContext, type MapSpec } from './types.js';

/** BPF_F_SEGV_ON_FAULT: a user-space access to a page no program allocated faults. */
export const BPF_F_SEGV_ON_FAULT = 1 << 17;
/** BPF_F_NO_USER_CONV: addr_space_cast to the user view keeps only the low 32 bits. */
export const BPF_F_NO_USER_CONV = 1 << 18;
const ARENA_FLAGS = MapFlag.MMAPABLE | BPF_F_SEGV_ON_FAULT | BPF_F_NO_USER_CONV;

/** The kernel's limit: max_entries * PAGE_SIZE <= 4 GiB (-E2BIG). */
export const ARENA_KERNEL_MAX_PAGES = 1 << 20;
/** ebpfvm's limit (256 MiB): the window must fit the VM's 32-bit address space beside everything
 *  else. Larger BPF arenas are refused with -ENOMEM. */
export const ARENA_MAP_MAX_PAGES = 1 << 16;
/** Pages reserved on each side of the window (the kernel's GUARD_SZ / 2 = 32 KiB, a load's or
 *  store's largest offset, rounded up to 64 KiB): arena accesses a little outside the arena
 *  (a page before the first, past the last) read 0 and drop stores, as in the kernel, instead
 *  of reaching the VM memory beside the window. */
export const ARENA_GUARD_PAGES = 16;
/** Upper 32 bits of user_vm_start when map_extra does not give them. */
export const DEFAULT_USER_VM_HI = 0x7f00;
/** NUMA_NO_NODE; the runtime has one NUMA node, 0. */
const NUMA_NO_NODE = -1;

const TWO32 = 1n << 32n;
const LO32 = TWO32 - 1n;

/** The BPF arena map as the kfuncs, the VM and the user-space API see it. */
export interface BpfArenaMap extends BpfMap {
  /** Where user space sees page 0 (the kernel's user_vm_start). */
  readonly userVmStart: bigint;
  readonly userVmEnd: bigint;
  /** VM address of page 0: the low 32 bits of userVmStart. */
  readonly windowStart: number;
  /** Upper 32 bits of userVmStart (what addr_space_cast to the user view puts back). */
  readonly userHi: number;
  /** BPF_F_NO_USER_CONV: the cast to the user view keeps the low 32 bits only. */
  readonly noUserConv: boolean;
  /** bpf_arena_alloc_pages: the user address of the first page, or 0n (the kernel's NULL). */
  allocPages(addr: bigint, pageCnt: number, nodeId: number, flags: bigint): bigint;
  /** bpf_arena_free_pages (returns nothing in the kernel either). */
  freePages(addr: bigint, pageCnt: number): void;
  /** bpf_arena_reserve_pages (Linux 6.17): 0, or -EINVAL (past the end), -EBUSY (a page in use). */
  reservePages(addr: bigint, pageCnt: number): number;
  /** Page offsets (pgoff) of the allocated pages (with memory behind them: not the reserved
   *  ones), ascending. */
  allocatedPages(): number[];
  /** User space reads `len` bytes at byte offset `off` of the BPF arena (as through its mmap).
   *  Pages nothing allocated read as zeros and stay unallocated (the kernel would fault a zero
   *  page in). A range past the end is a MapError (-EFAULT, the SIGSEGV of the mmap). */
  readBytes(off: number, len: number): Uint8Array;
  /** User space writes at byte offset `off`: pages not allocated yet are allocated (zeroed) first,
   *  as the kernel's arena_vm_fault does, unless the map has BPF_F_SEGV_ON_FAULT (-EFAULT). */
  writeBytes(off: number, bytes: Uint8Array): void;
  /** Byte offset into the BPF arena of a user address (or of its kernel view: only the low 32
   *  bits count, as compute_pgoff does), or undefined outside the BPF arena. */
  offsetOf(addr: bigint): number | undefined;
}

export function isBpfArenaMap(m: BpfMap | undefined): m is BpfArenaMap {
  return m !== undefined && m.type === MapType.ARENA && 'windowStart' in m;
}

/** arena_map_alloc's attribute checks, in its order, with its errnos. */
export function checkArenaSpec(spec: MapSpec): void {
  if (spec.keySize !== 0 || spec.valueSize !== 0) throw createError(spec, 'key_size and value_size must be 0', Errno.EINVAL);
  if (spec.maxEntries === 0) throw createError(spec, 'max_entries (the number of pages) must not be 0', Errno.EINVAL);
  if ((spec.flags & MapFlag.MMAPABLE) === 0) throw createError(spec, 'BPF_F_MMAPABLE must be set', Errno.EINVAL);
  const bad = spec.flags & ~ARENA_FLAGS;
  if (bad !== 0) throw createError(spec, `unsupported map_flags 0x${(bad >>> 0).toString(16)} (allowed 0x${ARENA_FLAGS.toString(16)}: BPF_F_MMAPABLE, BPF_F_SEGV_ON_FAULT, BPF_F_NO_USER_CONV)`, Errno.EINVAL);
  const extra = spec.mapExtra ?? 0n;
  if ((extra & BigInt(PAGE_SIZE - 1)) !== 0n) throw createError(spec, `map_extra 0x${extra.toString(16)} (the user address) is not page-aligned`, Errno.EINVAL);
  if (spec.maxEntries > ARENA_KERNEL_MAX_PAGES) throw createError(spec, `${spec.maxEntries} pages exceed 4 GiB`, Errno.E2BIG);
  const range = BigInt(spec.maxEntries) * BigInt(PAGE_SIZE);
  if (extra >> 32n !== (extra + range - 1n) >> 32n) throw createError(spec, `map_extra 0x${extra.toString(16)} + ${range} bytes crosses a 4 GiB boundary`, Errno.ERANGE);
  if (spec.maxEntries > ARENA_MAP_MAX_PAGES) {
    throw createError(spec, `${spec.maxEntries} pages: ebpfvm's BPF arenas span at most ${ARENA_MAP_MAX_PAGES} pages (256 MiB; the kernel allows 4 GiB, but the VM's 32-bit address space is shared by all its memory)`, Errno.ENOMEM);
  }
}

export function createBpfArenaMap(spec: MapSpec, ctx: MapContext): BpfArenaMap {
  checkArenaSpec(spec);
  const arena: Arena = ctx.arena;
  const pages = spec.maxEntries;
  checkFitsArena(spec, (pages + 2 * ARENA_GUARD_PAGES) * PAGE_SIZE, arena.maxBytes);
  const windowStart = arena.reserveWindow(pages, spec.name, ARENA_GUARD_PAGES);
  const extra = spec.mapExtra ?? 0n;
  const userHi = extra !== 0n ? Number(extra >> 32n) : DEFAULT_USER_VM_HI;
  const userVmStart = (BigInt(userHi) << 32n) | BigInt(windowStart);
  const userVmEnd = userVmStart + BigInt(pages * PAGE_SIZE);
  const segvOnFault = (spec.flags & BPF_F_SEGV_ON_FAULT) !== 0;
  let destroyed = false;

  const pageAddr = (pgoff: number) => windowStart + pgoff * PAGE_SIZE;
  // The kernel's range tree marks pages in use: allocated (populated here) or reserved by
  // bpf_arena_reserve_pages without a page behind them.
  const reserved = new Uint8Array(pages);
  const used = (pgoff: number) => reserved[pgoff] === 1 || arena.isPopulated(pageAddr(pgoff));
  // compute_pgoff: (u32)(uaddr - (u32)user_vm_start) >> PAGE_SHIFT
  const pgoffOf = (uaddr: bigint) => Number(BigInt.asUintN(32, uaddr - BigInt(windowStart)) >> 12n);

  const map: BpfArenaMap = {
    spec,
    type: MapType.ARENA,
    name: spec.name,
    keySize: 0,
    valueSize: 0,
    maxEntries: pages,
    frozen: false,
    userVmStart,
    userVmEnd,
    windowStart,
    userHi,
    noUserConv: (spec.flags & BPF_F_NO_USER_CONV) !== 0,

    allocPages(addr, pageCnt, nodeId, flags) {
      // bpf_arena_alloc_pages, then arena_alloc_pages
      if (destroyed || flags !== 0n || pageCnt === 0) return 0n;
      if (nodeId !== NUMA_NO_NODE && nodeId >>> 0 >= 1) return 0n; // one NUMA node, online
      if (pageCnt > pages) return 0n;
      let pgoff = 0;
      if (addr !== 0n) {
        if ((addr & BigInt(PAGE_SIZE - 1)) !== 0n) return 0n;
        pgoff = pgoffOf(addr);
        if (pgoff > pages - pageCnt) return 0n; // outside the user VMA
        for (let p = pgoff; p < pgoff + pageCnt; p++) if (used(p)) return 0n; // mtree_insert_range: -EEXIST
      } else {
        // mtree_alloc_range: the lowest run of pageCnt free pages
        let run = 0;
        let found = -1;
        for (let p = 0; p < pages; p++) {
          run = used(p) ? 0 : run + 1;
          if (run === pageCnt) {
            found = p - pageCnt + 1;
            break;
          }
        }
        if (found < 0) return 0n;
        pgoff = found;
      }
      for (let p = pgoff; p < pgoff + pageCnt; p++) arena.populatePage(pageAddr(p), spec.name);
      // clear_lo32(user_vm_start) + (u32)(user_vm_start + pgoff * PAGE_SIZE)
      return (userVmStart & ~LO32) + BigInt.asUintN(32, userVmStart + BigInt(pgoff * PAGE_SIZE));
    },

    freePages(addr, pageCnt) {
      // bpf_arena_free_pages, then arena_free_pages
      if (destroyed || pageCnt === 0 || addr === 0n) return;
      const uaddr = addr & LO32 & ~BigInt(PAGE_SIZE - 1); // only the aligned low 32 bits count
      const full = (userVmStart & ~LO32) + uaddr;
      if (full < userVmStart) return;
      const end = full + (BigInt(pageCnt) << 12n) < userVmEnd ? full + (BigInt(pageCnt) << 12n) : userVmEnd;
      if (full >= end) return;
      const cnt = Number((end - full) >> 12n);
      const first = pgoffOf(uaddr);
      // range_tree_set over the whole range: reservations end too
      reserved.fill(0, first, first + cnt);
      for (let p = first; p < first + cnt; p++) if (arena.isPopulated(pageAddr(p))) arena.unpopulatePage(pageAddr(p));
    },

    reservePages(addr, pageCnt) {
      // bpf_arena_reserve_pages, then arena_reserve_pages (Linux 6.17): an unaligned address is
      // ignored (0), a range past the end -EINVAL, a page in use -EBUSY
      if (destroyed || pageCnt === 0) return 0;
      if ((addr & BigInt(PAGE_SIZE - 1)) !== 0n) return 0;
      const pgoff = pgoffOf(addr);
      if (pgoff + pageCnt > pages) return -Errno.EINVAL;
      for (let p = pgoff; p < pgoff + pageCnt; p++) if (used(p)) return -Errno.EBUSY;
      reserved.fill(1, pgoff, pgoff + pageCnt);
      return 0;
    },

    allocatedPages() {
      const out: number[] = [];
      if (destroyed) return out;
      for (let p = 0; p < pages; p++) if (arena.isPopulated(pageAddr(p))) out.push(p);
      return out;
    },

    readBytes(off, len) {
      checkUserRange(off, len);
      const out = new Uint8Array(len);
      for (let i = 0; i < len; ) {
        const a = windowStart + off + i;
        const n = Math.min(len - i, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
        if (arena.isPopulated(a)) out.set(arena.u8.subarray(a, a + n), i);
        i += n;
      }
      return out;
    },

    writeBytes(off, bytes) {
      checkUserRange(off, bytes.length);
      for (let i = 0; i < bytes.length; ) {
        const a = windowStart + off + i;
        const n = Math.min(bytes.length - i, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
        if (!arena.isPopulated(a)) {
          if (segvOnFault) throw new MapError(`write at offset ${off + i}: page ${(a - windowStart) >>> 12} is not allocated and the BPF arena has BPF_F_SEGV_ON_FAULT`, spec.name, -Errno.EFAULT);
          arena.populatePage(a & ~(PAGE_SIZE - 1), spec.name);
        }
        arena.u8.set(bytes.subarray(i, i + n), a);
        i += n;
      }
    },

    offsetOf(addr) {
      const off = Number(BigInt.asUintN(32, addr - BigInt(windowStart)));
      return off < pages * PAGE_SIZE ? off : undefined;
    },

    // The kernel's arena_map_ops: no elements (lookup -EINVAL, the rest -EOPNOTSUPP).
    lookupElem: () => 0,
    updateElem: () => -Errno.EOPNOTSUPP,
    deleteElem: () => -Errno.EOPNOTSUPP,
    lookup: () => undefined,
    update: () => -Errno.EOPNOTSUPP,
    delete: () => -Errno.EOPNOTSUPP,
    nextKey: () => undefined,

    destroy() {
      if (destroyed) return;
      destroyed = true;
      arena.releaseWindow(windowStart);
    },
  };

  function checkUserRange(off: number, len: number): void {
    if (destroyed) throw new MapError('the BPF arena was destroyed', spec.name, -Errno.EFAULT);
    if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > pages * PAGE_SIZE) {
      throw new MapError(`bytes ${off}..${off + len} are outside the BPF arena (${pages} pages, ${pages * PAGE_SIZE} bytes)`, spec.name, -Errno.EFAULT);
    }
  }

  return map;
}
