// The arena: the one block of memory every program-visible byte lives in (stacks, contexts,
// packets, map values, global data, rbtree nodes). Addresses are 32-bit offsets into it, so a
// pointer in a 64-bit register is the address with a zero upper half. Page 0 is never handed out,
// which keeps NULL (and small integers mistaken for pointers) out of every region.
//
// Lookup is O(1): `pageOwner[addr >>> 12]` names either a region (large allocations and
// explicitly placed areas) or a slab (small allocations of one size class). Write protection
// marks bytes programs may read but not write (rbtree links, lock words, context fields); only
// pages flagged as holding protected bytes consult it. It is kept per 8-byte word: one bit per
// word says the word holds protected bytes, a second that it is protected only in part (a 4-byte
// lock word, a context field), and only those few words keep a byte mask, in a map. rbtree links
// are three whole words at an 8-aligned node start, so a tree costs 2 bits per 8 arena bytes, not
// 1 per byte (bench/memory.ts measures every side table per rbtree node).

import { FaultSignal, UsageError } from '../src/errors.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** The largest VM memory an Arena may grow to: every address fits an int32. */
export const ARENA_MAX_BYTES = 2 ** 31;

export const MemFlag = {
  READ: 1,
  WRITE: 2,
} as const;

export type RegionKind = 'stack' | 'ctx' | 'packet' | 'map' | 'global' | 'node' | 'heap' | 'input' | 'bpf_arena' | 'other';

/** What `describe` reports about an address; used for fault messages and by tests. */
export interface RegionInfo {
  start: number;
  length: number;
  flags: number;
  kind: RegionKind;
  name: string;
}

export interface ArenaOptions {
  /** Bytes reserved up front (rounded to pages). Default 1 MiB. */
  initialBytes?: number;
  /** Hard upper bound of the arena. Default 1 GiB. */
  maxBytes?: number;
}

/** Arena.footprint(). Typed arrays are counted by byteLength; the JS objects around them (slab
 *  records, free lists, the partial-word map) are left to a heap measurement. */
export interface ArenaFootprint {
  /** Current size of the arena buffer (grows by doubling up to maxBytes; pages never touched
   *  cost no RAM). Node counts it in `arrayBuffers`. */
  reservedBytes: number;
  /** The buffer's maximum size (address space reserved, not memory). */
  maxBytes: number;
  /** Pages handed out to slabs and regions (allocated slots, their slab's unused tail included). */
  pagesInUseBytes: number;
  /** pageOwner (4 bytes a page) and pageProtected (1 byte a page). */
  pageTableBytes: number;
  /** The word write-protect bitmaps: 2 bits per 8 arena bytes (protected, partly protected). */
  protectBitmapBytes: number;
  /** Words with a byte mask of their own (protected in part). */
  partiallyProtectedWords: number;
  /** Every slab's per-slot length table (2 bytes a slot). */
  slotTableBytes: number;
}

export interface AllocOptions {
  kind?: RegionKind;
  name?: string;
  /** MemFlag bits; default READ|WRITE. */
  flags?: number;
}

// Size classes for slab allocations; larger requests get page-aligned regions of their own.
// 40 is the rbtree node with a 16-byte payload (24-byte header + 16): 40 bytes a node, not 48.
const SIZE_CLASSES = [8, 16, 24, 32, 40, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048];
const MAX_CLASS = SIZE_CLASSES[SIZE_CLASSES.length - 1]!;
/** CLASS_OF[(n + 7) >>> 3]: the size class of an n-byte request (1 <= n <= 2048), a table read
 *  instead of a search per allocation (an rbtree add+remove pair allocates once). */
const CLASS_OF = new Uint16Array((MAX_CLASS >>> 3) + 1);
for (let u = 1; u < CLASS_OF.length; u++) CLASS_OF[u] = SIZE_CLASSES.find((c) => c >= u * 8)!;
const SLAB_PAGES = 4;
/** Offsets inside a slab are below 2^SLAB_OFFSET_BITS: every class fits SLAB_PAGES pages (2048 <
 *  16384 bytes), which slotOf's multiply-shift relies on. */
const SLAB_OFFSET_BITS = 14;
/** Arena.relocateOnEveryAlloc moves arenas with at most this many bytes in use. */
const RELOCATE_TEST_LIMIT = 4 << 20;
const NO_OWNER = 0;

/** A reserved range of pages populated one page at a time (a BPF arena map's pages). */
export interface SparseWindow {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  /** The guard pages around [start, end): never populated, accesses behave as to unpopulated
   *  pages. */
  readonly guardStart: number;
  readonly guardEnd: number;
}

interface Slab {
  objSize: number;
  /** slotOf's multiplier and shift: floor(off / objSize) = (off * mul) >>> shift. */
  mul: number;
  shift: number;
  start: number;
  count: number;
  flags: number;
  kind: RegionKind;
  /** Requested length + 1 of each object, 0 when the slot is free (at most 2049: the largest
   *  class is 2048, so 2 bytes a slot, part of every node's cost). */
  used: Uint16Array;
  /** Slots fresh..count-1 were never handed out; `free` holds only slots freed since, so a slab
   *  that is only ever filled carries no free list at all. */
  fresh: number;
  free: number[];
  /** The class's list of slabs with free slots (this slab is in it while `free` is non-empty). */
  partial: Slab[];
  /** The class's protected head (SlabClass.head): kept protected in every slot, live or free. */
  head: number;
}

/** A slab size class: object size, access flags and kind, and its slabs with free slots. Opaque
 *  outside the arena: a caller that allocates many objects of one size (an rbtree map's nodes)
 *  takes it once from `slabClass` and allocates with `allocIn`, skipping the class lookup.
 *
 *  A class with a protected head (`head` > 0 bytes, whole words) keeps the first `head` bytes of
 *  every slot write-protected for good: set when a slab is made, never cleared (free leaves them;
 *  a free slot is no allocation, so no access reaches it anyway). Its objects are the rbtree
 *  nodes, whose links are protected for a node's whole life: allocating and freeing one then
 *  costs no protection work (two bitmap updates per node were ~12 ns of a ~120 ns user-space
 *  add+remove pair). Nothing else is ever protected in such an object (an rbtree node holds no
 *  lock), so free clears nothing in it. */
export interface SlabClass {
  readonly objSize: number;
  readonly flags: number;
  readonly kind: RegionKind;
  readonly head: number;
  /** @internal Slabs of this class with a free slot (the last one is allocated from). */
  readonly list: Slab[];
}

/** The slot of `slab` holding `addr` (an address on the slab's pages), by a multiply and a shift:
 *  a division costs several times as much, and every free, isLive and slab access check takes one.
 *  Exact (Granlund-Montgomery): with off < 2^N (N = SLAB_OFFSET_BITS = 14), d = objSize,
 *  l = ceil(log2 d), shift = N + l and mul = floor(2^shift / d) + 1 = (2^shift + e) / d with
 *  0 < e <= d: off * mul / 2^shift = off/d + off*e / (d * 2^shift), and the second term is below
 *  2^N * d / (d * 2^(N+l)) = 2^-l <= 1/d, which cannot carry off/d (whose fraction is at most
 *  (d-1)/d) past the next integer. off * mul < 2^14 * 2^15 fits an int32. test/vm/arena.test.ts
 *  checks every offset of every class. */
function slotOf(slab: Slab, addr: number): number {
  return ((addr - slab.start) * slab.mul) >>> slab.shift;
}

/** slab.used[idx] (requested length + 1; 0: free), and 0 past the last slot: the slab's pages end
 *  in slack smaller than a slot (16384 % 40 = 24 bytes) that is no allocation. (Read as a slot, its
 *  undefined length made every access check pass there, so a write ran on into the next pages.) */
function slotUse(slab: Slab, idx: number): number {
  return idx < slab.count ? slab.used[idx]! : 0;
}

interface Region {
  /** First accessible byte; `base` unless moved up by setRegionLow. */
  start: number;
  length: number;
  /** Where the allocation begins (what allocRegion returned). */
  base: number;
  flags: number;
  kind: RegionKind;
  name: string;
}

export class Arena {
  // The views below are over a plain, fixed-size ArrayBuffer that is REPLACED when the arena
  // grows: typed-array access on a resizable ArrayBuffer costs about 2x as much in Node 20 (V8
  // 11.3; scripts/arena-views.mjs measures both), and every access of every program and tree goes
  // through these views. Growth copies the used bytes into a buffer twice the size and swaps every
  // view at once (`views` counts the swaps). So: read `arena.u8` (etc.) where you use it; a view
  // kept in a local or a field goes stale at the next allocation (anything that may allocate: a
  // helper, a map update, a node alloc), and writes through a stale view are lost. Long-lived
  // holders re-read after `views` moves (the interpreter and compiled code after every helper or
  // kfunc call, RbTree per operation). Assigned only by `setViews`.
  /** Byte view of the whole arena. */
  u8!: Uint8Array;
  /** DataView over the whole arena. */
  dv!: DataView;
  /** Aligned views for the interpreter's fast paths: DataView accessors are several times slower
   *  than typed-array elements in Node 20 (bench: 15 vs 2.6 µs per 1000). */
  i32!: Int32Array;
  u32!: Uint32Array;
  u16!: Uint16Array;
  i16!: Int16Array;
  i8!: Int8Array;
  /** How many times the views were replaced (growth); a holder of views compares it with the
   *  value it last saw. */
  views = 0;
  readonly maxBytes: number;
  private buffer!: ArrayBuffer;
  /** Test aid (EBPFVM_ARENA_RELOCATE=1 in test/engine-setup.ts): every allocation moves the arena
   *  to a fresh buffer (arenas of up to 4 MiB: each move copies it) and detaches the old
   *  one, so a view kept across an allocation reads nothing and writes nowhere (a stale DataView
   *  throws), and code that would silently use one fails. */
  static relocateOnEveryAlloc = false;

  // pageOwner[page]: 0 none, >0 region id, <0 slab id (-id).
  private pageOwner: Int32Array;
  // pageProtected[page] = 1 when some byte in that page is write-protected.
  private pageProtected: Uint8Array;
  // Bit w: 8-byte word w (bytes 8w..8w+7) holds write-protected bytes; all 8 of them unless the
  // same bit is set in partialBits, and then partialWords has the word's byte mask (bit i: byte
  // 8w+i). The second bitmap keeps the map lookup off checks of wholly protected words.
  private protectWords: Uint8Array;
  private partialBits: Uint8Array;
  private readonly partialWords = new Map<number, number>();

  private readonly regions: (Region | undefined)[] = [undefined];
  private readonly freeRegionIds: number[] = [];
  private readonly slabs: (Slab | undefined)[] = [undefined];
  private readonly slabClasses = new Map<string, SlabClass>();
  private lastClass: SlabClass = { objSize: -1, flags: -1, kind: 'other', head: 0, list: [] };
  private readonly freePageRuns: { start: number; pages: number }[] = [];
  private readonly windows: SparseWindow[] = [];
  private top: number = PAGE_SIZE; // first page never handed out
  private liveBytes = 0;

  constructor(opts: ArenaOptions = {}) {
    // Addresses live in int32 words (the rbtree and graph tree cores' links, the compiled code's
    // registers): memory past 2 GiB would be mislinked or misread, so it is refused here, once.
    const max = opts.maxBytes ?? 1 << 30;
    if (!(max > 0 && max <= ARENA_MAX_BYTES)) throw new UsageError(`VM memory limit ${max} bytes: it must be more than 0 and at most 2 GiB (${ARENA_MAX_BYTES})`);
    this.maxBytes = roundPages(max);
    const initial = Math.min(roundPages(opts.initialBytes ?? 1 << 20), this.maxBytes);
    this.setViews(new ArrayBuffer(initial));
    this.pageOwner = new Int32Array(initial >>> PAGE_SHIFT);
    this.pageProtected = new Uint8Array(initial >>> PAGE_SHIFT);
    this.protectWords = new Uint8Array(initial >>> 6);
    this.partialBits = new Uint8Array(initial >>> 6);
  }

  private setViews(buffer: ArrayBuffer): void {
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer);
    this.dv = new DataView(buffer);
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.u16 = new Uint16Array(buffer);
    this.i16 = new Int16Array(buffer);
    this.i8 = new Int8Array(buffer);
    this.views++;
  }

  /** Bytes currently allocated (requested sizes, not rounded). */
  get bytesInUse(): number {
    return this.liveBytes;
  }

  /** Current arena size in bytes. */
  get size(): number {
    return this.buffer.byteLength;
  }

  // ---- allocation ----------------------------------------------------------------------

  /** Allocate `size` zeroed bytes, 8-byte aligned. Throws FaultSignal when the arena is full. */
  alloc(size: number, opts: AllocOptions = {}): number {
    if (!Number.isInteger(size) || size < 0) throw new FaultSignal(`invalid allocation size ${size}`);
    if (Arena.relocateOnEveryAlloc && this.buffer.byteLength <= RELOCATE_TEST_LIMIT) this.relocate(this.buffer.byteLength);
    const flags = opts.flags ?? MemFlag.READ | MemFlag.WRITE;
    const kind = opts.kind ?? 'heap';
    if (size > MAX_CLASS) return this.allocRegion(size, flags, kind, opts.name ?? kind);
    // The class; repeated allocations of one kind (rbtree nodes) skip building the key.
    const objSize = CLASS_OF[(Math.max(size, 1) + 7) >>> 3]!;
    const last = this.lastClass;
    const cls = objSize === last.objSize && flags === last.flags && kind === last.kind && last.head === 0 ? last : this.classOf(objSize, flags, kind, 0);
    return this.allocSlabObject(cls, size);
  }

  /** The slab class `alloc(size, { kind })` takes its objects from, for `allocIn`, or with `head`
   *  a class of its own whose objects' first `head` bytes stay write-protected (see SlabClass; a
   *  multiple of 8, at most 64 and at most the object size); undefined when such allocations are
   *  not slab objects (size above the largest class). */
  slabClass(size: number, kind: RegionKind, head = 0): SlabClass | undefined {
    if (!Number.isInteger(size) || size < 0 || size > MAX_CLASS) return undefined;
    const objSize = CLASS_OF[(Math.max(size, 1) + 7) >>> 3]!;
    if (!(head >= 0 && head <= 64 && head <= objSize && (head & 7) === 0)) throw new FaultSignal(`invalid protected head of ${head} bytes for ${objSize}-byte objects`);
    return this.classOf(objSize, MemFlag.READ | MemFlag.WRITE, kind, head);
  }

  /** `alloc(size, { kind })` from the class `slabClass(n, kind)` gave (any n of the same class):
   *  the same allocation, zeroed and accounted, without finding the class again. `size` must be
   *  an integer no larger than the class's objects (FaultSignal otherwise). */
  allocIn(cls: SlabClass, size: number): number {
    if (!(size >= 0 && size <= cls.objSize && (size | 0) === size)) throw new FaultSignal(`invalid allocation size ${size} for a ${cls.objSize}-byte slab class`);
    if (Arena.relocateOnEveryAlloc && this.buffer.byteLength <= RELOCATE_TEST_LIMIT) this.relocate(this.buffer.byteLength);
    return this.allocSlabObject(cls, size);
  }

  /** allocIn without the zeroing, for an owner that writes every byte of the object (all
   *  cls.objSize of them) before anything can read it: an rbtree node made from a value, whose
   *  payload words are copied and whose links are written by the insertion (the user-space
   *  insert's hot path: each word written once). Small, so its caller inlines it. Returns 0 when
   *  the arena is full (no exception: a try block around the call cost its caller ~10 ns). */
  allocUnwritten(cls: SlabClass, size: number): number {
    if (!(size >= 0 && size <= cls.objSize && (size | 0) === size)) badSize(size, cls.objSize);
    if (Arena.relocateOnEveryAlloc) this.relocateForTest();
    const list = cls.list;
    const slab = list.length > 0 ? list[list.length - 1]! : this.newSlabOrFull(cls);
    return slab === undefined ? 0 : this.takeSlot(cls, slab, size);
  }

  /** Free an allocation made by `alloc`; returns the length it had (what lengthOf said). Double
   *  frees and foreign addresses are FaultSignals. */
  free(addr: number): number {
    const owner = this.ownerOf(addr);
    if (owner > 0) {
      const r = this.regions[owner]!;
      if (r.base !== addr) throw new FaultSignal(`free of 0x${addr.toString(16)}: not the start of an allocation`);
      const length = r.length;
      this.liveBytes -= r.start + r.length - r.base;
      this.releaseRegion(owner);
      return length;
    }
    if (owner < 0) {
      const slab = this.slabs[-owner]!;
      const idx = slotOf(slab, addr);
      // idx * objSize !== off: the start of a slot, told without a division
      if (idx * slab.objSize !== addr - slab.start || slotUse(slab, idx) === 0) {
        throw new FaultSignal(`free of 0x${addr.toString(16)}: not a live allocation (double free?)`);
      }
      return this.freeSlot(slab, idx, addr);
    }
    throw new FaultSignal(`free of 0x${addr.toString(16)}: not an arena allocation`);
  }

  /** `free` when `addr` is the start of a live allocation (returns its length), else -1 and
   *  nothing happens: an owner's liveness check and its free in one lookup (an rbtree node's
   *  removal from user space). */
  tryFree(addr: number): number {
    const owner = this.ownerOf(addr);
    if (owner < 0) {
      const slab = this.slabs[-owner]!;
      const idx = slotOf(slab, addr);
      if (idx * slab.objSize !== addr - slab.start || slotUse(slab, idx) === 0) return -1;
      return this.freeSlot(slab, idx, addr);
    }
    return owner > 0 && this.regions[owner]!.base === addr ? this.free(addr) : -1;
  }

  /** Free the live slot `idx` of `slab` (at `addr`); returns its length. */
  private freeSlot(slab: Slab, idx: number, addr: number): number {
    const length = slab.used[idx]! - 1;
    this.liveBytes -= length;
    slab.used[idx] = 0;
    if (slab.head === 0) this.clearProtect(addr, slab.objSize); // else: see SlabClass
    if (slab.free.length === 0 && slab.fresh === slab.count) slab.partial.push(slab);
    slab.free.push(idx);
    return length;
  }

  /** Whether `addr` is the start of a live allocation. */
  isLive(addr: number): boolean {
    const owner = this.ownerOf(addr);
    if (owner > 0) return this.regions[owner]!.base === addr;
    if (owner < 0) {
      const slab = this.slabs[-owner]!;
      const idx = slotOf(slab, addr);
      return idx * slab.objSize === addr - slab.start && slotUse(slab, idx) !== 0;
    }
    return false;
  }

  /** Change the access flags of a whole allocation (e.g. freeze .rodata). */
  setFlags(addr: number, flags: number): void {
    const owner = this.ownerOf(addr);
    if (owner > 0) this.regions[owner]!.flags = flags;
    else throw new FaultSignal(`setFlags: 0x${addr.toString(16)} is not a region start (use a non-slab allocation)`);
  }

  /** Allocate a dedicated, page-aligned region (never slab-allocated), e.g. maps and stacks whose
   *  flags may change later. */
  allocRegion(size: number, flags: number, kind: RegionKind, name: string): number {
    if (Arena.relocateOnEveryAlloc && this.buffer.byteLength <= RELOCATE_TEST_LIMIT) this.relocate(this.buffer.byteLength);
    const pages = Math.max(1, Math.ceil(size / PAGE_SIZE));
    const start = this.takePages(pages);
    this.u8.fill(0, start, start + pages * PAGE_SIZE);
    const id = this.freeRegionIds.pop() ?? this.regions.length;
    this.regions[id] = { start, length: size, base: start, flags, kind, name };
    this.pageOwner.fill(id, start >>> PAGE_SHIFT, (start >>> PAGE_SHIFT) + pages);
    this.liveBytes += size;
    return start;
  }

  /** Make the bytes of region `base` below `low` inaccessible (and those from `low` up to the
   *  region's end accessible again). The interpreter's call stack is one region whose live part
   *  is the current frame and its callers' frames above it; the low edge follows the depth. */
  setRegionLow(base: number, low: number): void {
    const r = this.regions[this.pageOwner[base >>> PAGE_SHIFT]!]!;
    const end = r.start + r.length;
    r.start = low;
    r.length = end - low;
  }

  // ---- sparse windows (the pages of a BPF arena map) -----------------------------------
  //
  // A BPF_MAP_TYPE_ARENA map is a range of addresses whose pages come and go one at a time
  // (bpf_arena_alloc_pages / free_pages, user-space page faults). Its range is reserved here as
  // one run of pages no allocation is handed; each populated page is a region of its own, so the
  // ordinary access checks and the range cache cover it; an unpopulated page belongs to nothing,
  // so every access to it takes the slow path, where `windowAt` says the kernel's exception-table
  // rule applies (loads read 0, stores are dropped) instead of a fault.

  /** Reserve `pages` contiguous, inaccessible pages for a sparse window; returns its start.
   *  FaultSignal when the arena cannot hold them. */
  reserveWindow(pages: number, name: string, guardPages = 0): number {
    if (!Number.isInteger(pages) || pages <= 0) throw new FaultSignal(`invalid window size ${pages} pages`);
    const base = this.takePages(pages + 2 * guardPages);
    const start = base + guardPages * PAGE_SIZE;
    this.windows.push({ start, end: start + pages * PAGE_SIZE, name, guardStart: base, guardEnd: start + (pages + guardPages) * PAGE_SIZE });
    return start;
  }

  /** Unpopulate every page of the window starting at `start` and give its pages back. */
  releaseWindow(start: number): void {
    const i = this.windows.findIndex((w) => w.start === start);
    if (i < 0) throw new FaultSignal(`releaseWindow: no window at 0x${start.toString(16)}`);
    const w = this.windows[i]!;
    for (let a = w.start; a < w.end; a += PAGE_SIZE) if (this.pageOwner[a >>> PAGE_SHIFT]! > 0) this.unpopulatePage(a);
    this.windows.splice(i, 1);
    this.freePageRuns.push({ start: w.guardStart, pages: (w.guardEnd - w.guardStart) / PAGE_SIZE });
  }

  /** The window whose range, guard pages included, holds every byte of [addr, addr + size). */
  windowAt(addr: number, size: number): SparseWindow | undefined {
    for (const w of this.windows) if (addr >= w.guardStart && addr + size <= w.guardEnd) return w;
    return undefined;
  }

  /** Make the page at `addr` (page-aligned, inside a window, unpopulated) a zeroed, writable region. */
  populatePage(addr: number, name: string): void {
    const page = addr >>> PAGE_SHIFT;
    const w = this.windowAt(addr, PAGE_SIZE);
    if ((addr & (PAGE_SIZE - 1)) !== 0 || !w || addr < w.start || addr >= w.end || this.pageOwner[page] !== NO_OWNER) {
      throw new FaultSignal(`populatePage: 0x${addr.toString(16)} is not an unpopulated window page`);
    }
    // Stores to an unpopulated page are dropped by the VM, but a page may still hold what it held
    // before it was last unpopulated: a new page starts zeroed, as the kernel's __GFP_ZERO page.
    this.u8.fill(0, addr, addr + PAGE_SIZE);
    const id = this.freeRegionIds.pop() ?? this.regions.length;
    this.regions[id] = { start: addr, length: PAGE_SIZE, base: addr, flags: MemFlag.READ | MemFlag.WRITE, kind: 'bpf_arena', name };
    this.pageOwner[page] = id;
    this.liveBytes += PAGE_SIZE;
  }

  /** Take a populated window page away again (its bytes become unreachable). */
  unpopulatePage(addr: number): void {
    const page = addr >>> PAGE_SHIFT;
    const id = this.pageOwner[page]!;
    if ((addr & (PAGE_SIZE - 1)) !== 0 || id <= 0 || this.regions[id]!.kind !== 'bpf_arena') {
      throw new FaultSignal(`unpopulatePage: 0x${addr.toString(16)} is not a populated window page`);
    }
    this.pageOwner[page] = NO_OWNER;
    this.clearProtect(addr, PAGE_SIZE);
    this.regions[id] = undefined;
    this.freeRegionIds.push(id);
    this.liveBytes -= PAGE_SIZE;
  }

  /** Whether the window page holding `addr` is populated. */
  isPopulated(addr: number): boolean {
    const id = this.ownerOf(addr);
    return id > 0 && this.regions[id]!.kind === 'bpf_arena';
  }

  // ---- access checks (the hot path of unverified runs) ---------------------------------

  /** True when [addr, addr+size) lies inside one live allocation with the needed access.
   *  `addr` must already be known to have a zero upper half. */
  canAccess(addr: number, size: number, write: boolean): boolean {
    const page = addr >>> PAGE_SHIFT;
    if (page >= this.pageOwner.length) return false;
    const owner = this.pageOwner[page]!;
    let start: number;
    let length: number;
    let flags: number;
    if (owner > 0) {
      const r = this.regions[owner]!;
      start = r.start;
      length = r.length;
      flags = r.flags;
      if (addr < start) return false; // below a moved low edge (setRegionLow)
    } else if (owner < 0) {
      const slab = this.slabs[-owner]!;
      const idx = slotOf(slab, addr);
      const used = slotUse(slab, idx);
      if (used === 0) return false;
      start = slab.start + idx * slab.objSize;
      length = used - 1;
      flags = slab.flags;
    } else {
      return false;
    }
    if (addr + size > start + length) return false;
    if (write) {
      if ((flags & MemFlag.WRITE) === 0) return false;
      if (this.pageProtected[page] !== 0 || this.pageProtected[(addr + size - 1) >>> PAGE_SHIFT] !== 0) {
        if (this.isProtected(addr, size)) return false;
      }
    } else if ((flags & MemFlag.READ) === 0) return false;
    return true;
  }

  /** Bounds [start, end) of the allocation holding `addr` when every byte of it allows the access
   *  (for writes: writable, and no write-protected byte on its pages), written to `out`. The
   *  interpreter caches the last range so repeated accesses to one region skip the page lookup;
   *  it drops the cache whenever a helper ran, since only helpers free or re-flag memory mid-run. */
  accessRange(addr: number, write: boolean, out: Float64Array): boolean {
    const page = addr >>> PAGE_SHIFT;
    if (page >= this.pageOwner.length) return false;
    const owner = this.pageOwner[page]!;
    let start: number;
    let length: number;
    let flags: number;
    if (owner > 0) {
      const r = this.regions[owner]!;
      start = r.start;
      length = r.length;
      flags = r.flags;
      if (addr < start) return false; // below a moved low edge (setRegionLow)
    } else if (owner < 0) {
      const slab = this.slabs[-owner]!;
      const idx = slotOf(slab, addr);
      const used = slotUse(slab, idx);
      if (used === 0) return false;
      start = slab.start + idx * slab.objSize;
      length = used - 1;
      flags = slab.flags;
    } else return false;
    if ((flags & (write ? MemFlag.WRITE : MemFlag.READ)) === 0) return false;
    if (write && length > 0) {
      for (let p = start >>> PAGE_SHIFT; p <= (start + length - 1) >>> PAGE_SHIFT; p++) if (this.pageProtected[p] !== 0) return false;
    }
    out[0] = start;
    out[1] = start + length;
    return true;
  }

  /** Throw a FaultSignal naming the problem unless the access is allowed. */
  check(addr: number, size: number, write: boolean): void {
    if (!this.canAccess(addr, size, write)) throw new FaultSignal(this.explain(addr, size, write));
  }

  /** Human-readable reason an access fails (used in fault messages). */
  explain(addr: number, size: number, write: boolean): string {
    const what = `${write ? 'write' : 'read'} of ${size} byte${size === 1 ? '' : 's'} at 0x${addr.toString(16)}`;
    // An access starting right past an allocation that ends on a page boundary (a call stack's
    // top, r10 + 0) still names that allocation.
    const info = this.describe(addr) ?? (addr > 0 ? this.describe(addr - 1) : undefined);
    if (!info) {
      const w = this.windows.find((x) => addr < x.guardEnd && addr + size > x.guardStart);
      if (w) return `${what}: out of bounds of bpf_arena '${w.name}' (window 0x${w.start.toString(16)}-0x${w.end.toString(16)})`;
      return `${what}: not in any region`;
    }
    const off = addr - info.start;
    if (addr < info.start || addr + size > info.start + info.length) {
      return `${what}: out of bounds of ${info.kind} '${info.name}' (size ${info.length}, offset ${off})`;
    }
    if (write && (info.flags & MemFlag.WRITE) === 0) return `${what}: ${info.kind} '${info.name}' is read-only`;
    if (write && this.isProtected(addr, size)) return `${what}: bytes of ${info.kind} '${info.name}' at offset ${off} are write-protected`;
    if (!write && (info.flags & MemFlag.READ) === 0) return `${what}: ${info.kind} '${info.name}' is not readable`;
    return `${what}: not allowed`;
  }

  /** The allocation containing `addr`, or undefined. */
  /** The length of the live allocation containing `addr` (describe's `length`, without making
   *  an object: freeing an rbtree node asks for it). */
  lengthOf(addr: number): number | undefined {
    const owner = this.ownerOf(addr);
    if (owner > 0) return this.regions[owner]!.length;
    if (owner < 0) {
      const slab = this.slabs[-owner]!;
      const used = slotUse(slab, slotOf(slab, addr));
      return used === 0 ? undefined : used - 1;
    }
    return undefined;
  }

  describe(addr: number): RegionInfo | undefined {
    const owner = this.ownerOf(addr);
    if (owner > 0) {
      const r = this.regions[owner]!;
      return { start: r.start, length: r.length, flags: r.flags, kind: r.kind, name: r.name };
    }
    if (owner < 0) {
      const slab = this.slabs[-owner]!;
      const idx = slotOf(slab, addr);
      const used = slotUse(slab, idx);
      if (used === 0) return undefined;
      return { start: slab.start + idx * slab.objSize, length: used - 1, flags: slab.flags, kind: slab.kind, name: slab.kind };
    }
    return undefined;
  }

  // ---- write protection ----------------------------------------------------------------

  protect(addr: number, len: number): void {
    // At most 8 whole words (an rbtree node's three links, on every node allocation): their bits
    // lie in at most two bytes of the bitmap, set with a mask each, unless one of the words was
    // protected in part (its byte mask must go: protectRange). Small, so V8 inlines it.
    if (((addr | len) & 7) === 0 && len > 0 && len <= 64) {
      const w = addr >>> 3;
      const b = w >>> 3;
      const m = ((1 << (len >>> 3)) - 1) << (w & 7);
      const lo = m & 0xff;
      const hi = m >>> 8;
      if ((this.partialBits[b]! & lo) === 0 && (hi === 0 || (this.partialBits[b + 1]! & hi) === 0)) {
        this.protectWords[b]! |= lo;
        if (hi !== 0) this.protectWords[b + 1]! |= hi;
        this.pageProtected[addr >>> PAGE_SHIFT] = 1;
        this.pageProtected[(addr + len - 1) >>> PAGE_SHIFT] = 1;
        return;
      }
    }
    this.protectRange(addr, len);
  }

  private protectRange(addr: number, len: number): void {
    if (len <= 0) return;
    const end = addr + len;
    if (((addr | len) & 7) === 0) {
      // whole words: set their bits; a word that was protected in part becomes wholly
      // protected, so its byte mask goes
      for (let w = addr >>> 3; w < end >>> 3; w++) {
        const bit = 1 << (w & 7);
        this.protectWords[w >>> 3]! |= bit;
        if ((this.partialBits[w >>> 3]! & bit) !== 0) this.setWordMask(w, 0xff);
      }
      for (let p = addr >>> PAGE_SHIFT; p <= (end - 1) >>> PAGE_SHIFT; p++) this.pageProtected[p] = 1;
      return;
    }
    for (let w = Math.floor(addr / 8); w * 8 < end; w++) this.setWordMask(w, this.wordMask(w) | byteMask(w, addr, end));
    for (let p = addr >>> PAGE_SHIFT; p <= (end - 1) >>> PAGE_SHIFT; p++) this.pageProtected[p] = 1;
  }

  unprotect(addr: number, len: number): void {
    this.clearProtect(addr, len);
  }

  isProtected(addr: number, len: number): boolean {
    const end = addr + len;
    for (let w = addr >>> 3; w * 8 < end; w++) {
      const bit = 1 << (w & 7);
      if ((this.protectWords[w >>> 3]! & bit) === 0) continue;
      // A wholly protected word: any overlap is protected. A partly protected one: its mask decides.
      if ((this.partialBits[w >>> 3]! & bit) === 0 || (this.partialWords.get(w)! & byteMask(w, addr, end)) !== 0) return true;
    }
    return false;
  }

  // ---- the one checked write path ------------------------------------------------------

  /** Every write a helper, map operation or kfunc makes for a program into memory the program
   *  named goes through here (DESIGN section 2, "One checked write path"): [addr, addr+len) must
   *  pass exactly the check a program's own store passes (one live allocation, writable, no
   *  write-protected byte), else a FaultSignal naming the address and what it is, and nothing is
   *  written. Then `src` (its first `len` bytes; it may be a view of the arena itself) is copied
   *  and the rest of the range is zeroed. len 0 checks and writes nothing: the kernel accepts any
   *  pointer with a zero size (ARG_CONST_SIZE_OR_ZERO). */
  writeChecked(addr: number, len: number, src?: Uint8Array): void {
    if (len === 0) return;
    if (!Number.isSafeInteger(addr) || addr < 0 || !Number.isSafeInteger(len) || len < 0 || !this.canAccess(addr, len, true)) {
      throw new FaultSignal(this.explain(addr, len, true));
    }
    const n = src === undefined ? 0 : Math.min(src.length, len);
    if (n > 0) this.u8.set(n === src!.length ? src! : src!.subarray(0, n), addr);
    if (n < len) this.u8.fill(0, addr + n, addr + len);
  }

  // ---- bulk helpers (unchecked: for the memory's owner -- a map's own values, test-run setup --
  // never for an address a program passed; those use writeChecked) ------------------------

  read(addr: number, len: number): Uint8Array {
    return this.u8.slice(addr, addr + len);
  }

  write(addr: number, bytes: Uint8Array): void {
    this.u8.set(bytes, addr);
  }

  zero(addr: number, len: number): void {
    this.u8.fill(0, addr, addr + len);
  }

  // ---- accounting ----------------------------------------------------------------------

  /** What the arena occupies, side tables included (bench/memory.ts): Node counts the arena
   *  buffer (all of it, touched or not) in `arrayBuffers`, so memory figures take the pages in
   *  use from here and subtract `reservedBytes` from Node's figure. */
  footprint(): ArenaFootprint {
    let slotTables = 0;
    for (const slab of this.slabs) if (slab) slotTables += slab.used.byteLength;
    let freePages = 0;
    for (const run of this.freePageRuns) freePages += run.pages;
    return {
      reservedBytes: this.buffer.byteLength,
      maxBytes: this.maxBytes,
      pagesInUseBytes: this.top - PAGE_SIZE - freePages * PAGE_SIZE,
      pageTableBytes: this.pageOwner.byteLength + this.pageProtected.byteLength,
      protectBitmapBytes: this.protectWords.byteLength + this.partialBits.byteLength,
      partiallyProtectedWords: this.partialWords.size,
      slotTableBytes: slotTables,
    };
  }

  // ---- internals -----------------------------------------------------------------------

  private ownerOf(addr: number): number {
    // An integer in [0, 2^31) (every address is: ARENA_MAX_BYTES): `>>> PAGE_SHIFT` of anything
    // above 2^32 wraps, and node + 2^32 named the node's own page, so isLive and free took it for
    // the node.
    if ((addr | 0) !== addr || addr < 0) return NO_OWNER;
    const page = addr >>> PAGE_SHIFT;
    return page < this.pageOwner.length ? this.pageOwner[page]! : NO_OWNER;
  }

  private clearProtect(addr: number, len: number): void {
    // A small slab object (a freed rbtree node): on at most two pages, at most 8 whole words,
    // whose bits lie in at most two bytes of the bitmap: cleared with a mask each, unless one of
    // the words is protected in part (its byte mask must go too: clearProtectRange). Small, so
    // V8 inlines it into free.
    if (((addr | len) & 7) === 0 && len > 0 && len <= 64) {
      if (this.pageProtected[addr >>> PAGE_SHIFT] === 0 && this.pageProtected[(addr + len - 1) >>> PAGE_SHIFT] === 0) return;
      const w0 = addr >>> 3;
      const b = w0 >>> 3;
      const m = ((1 << (len >>> 3)) - 1) << (w0 & 7);
      const lo = m & 0xff;
      const hi = m >>> 8;
      if ((this.partialBits[b]! & lo) === 0 && (hi === 0 || (this.partialBits[b + 1]! & hi) === 0)) {
        this.protectWords[b]! &= ~lo;
        if (hi !== 0) this.protectWords[b + 1]! &= ~hi;
        return;
      }
    }
    this.clearProtectRange(addr, len);
  }

  private clearProtectRange(addr: number, len: number): void {
    if (len <= 0) return;
    const end = addr + len;
    if (((addr | len) & 7) === 0 && len <= 64) {
      // a small object with a partly protected word among its words
      for (let w = addr >>> 3; w < end >>> 3; w++) {
        const bit = 1 << (w & 7);
        if ((this.protectWords[w >>> 3]! & bit) === 0) continue;
        this.protectWords[w >>> 3]! &= ~bit;
        if ((this.partialBits[w >>> 3]! & bit) !== 0) {
          this.partialBits[w >>> 3]! &= ~bit;
          this.partialWords.delete(w);
        }
      }
      return;
    }
    // Most memory was never protected: skip the per-bit walk unless a page says otherwise.
    let any = false;
    for (let p = addr >>> PAGE_SHIFT; p <= (end - 1) >>> PAGE_SHIFT; p++) {
      if (this.pageProtected[p] !== 0) {
        any = true;
        break;
      }
    }
    if (!any) return;
    // Words the range covers only in part keep their other protected bytes.
    const first = Math.ceil(addr / 8); // first word covered entirely
    const last = Math.floor(end / 8); // words [first, last) are covered entirely
    if (first > last) {
      const w = last; // the range lies inside one word
      this.setWordMask(w, this.wordMask(w) & ~byteMask(w, addr, end));
    } else {
      if (addr % 8 !== 0) this.setWordMask(first - 1, this.wordMask(first - 1) & ~byteMask(first - 1, addr, end));
      if (end % 8 !== 0) this.setWordMask(last, this.wordMask(last) & ~byteMask(last, addr, end));
      // Whole words: bit by bit at the unaligned edges of the word bitmap, whole bytes of it in
      // between (a freed test-run context region is a page: 512 words).
      let w = first;
      for (; w < last && (w & 7) !== 0; w++) this.protectWords[w >>> 3]! &= ~(1 << (w & 7));
      const wholeBytesEnd = last & ~7;
      if (wholeBytesEnd > w) {
        this.protectWords.fill(0, w >>> 3, wholeBytesEnd >>> 3);
        w = wholeBytesEnd;
      }
      for (; w < last; w++) this.protectWords[w >>> 3]! &= ~(1 << (w & 7));
      if (this.partialWords.size > 0) {
        const drop = (pw: number) => {
          this.partialWords.delete(pw);
          this.partialBits[pw >>> 3]! &= ~(1 << (pw & 7));
        };
        if (this.partialWords.size < last - first) {
          for (const pw of this.partialWords.keys()) if (pw >= first && pw < last) drop(pw); // deleting while iterating a Map is safe
        } else for (let pw = first; pw < last; pw++) if ((this.partialBits[pw >>> 3]! & (1 << (pw & 7))) !== 0) drop(pw);
      }
    }
    // Pages the range covers entirely hold no protected byte any more.
    for (let p = (addr + PAGE_SIZE - 1) >>> PAGE_SHIFT; (p + 1) * PAGE_SIZE <= end; p++) this.pageProtected[p] = 0;
  }

  /** Byte mask of word `w`'s protected bytes (0 when none). */
  private wordMask(w: number): number {
    const bit = 1 << (w & 7);
    if ((this.protectWords[w >>> 3]! & bit) === 0) return 0;
    return (this.partialBits[w >>> 3]! & bit) === 0 ? 0xff : this.partialWords.get(w)!;
  }

  private setWordMask(w: number, mask: number): void {
    const bit = 1 << (w & 7);
    if (mask === 0) this.protectWords[w >>> 3]! &= ~bit;
    else this.protectWords[w >>> 3]! |= bit;
    if (mask === 0 || mask === 0xff) {
      if ((this.partialBits[w >>> 3]! & bit) !== 0) {
        this.partialBits[w >>> 3]! &= ~bit;
        this.partialWords.delete(w);
      }
    } else {
      this.partialBits[w >>> 3]! |= bit;
      this.partialWords.set(w, mask);
    }
  }

  private allocSlabObject(cls: SlabClass, size: number): number {
    const objSize = cls.objSize;
    const list = cls.list;
    // `list` holds only slabs with free slots, so finding one is O(1), not a scan of every slab.
    const slab = list.length > 0 ? list[list.length - 1]! : this.newSlab(cls);
    const addr = this.takeSlot(cls, slab, size);
    // Small objects (every class is a multiple of 8, every slot 8-aligned): word stores beat a
    // fill() call.
    if (objSize <= 64) {
      const i32 = this.i32;
      for (let i = addr >>> 2, e = (addr + objSize) >>> 2; i < e; i++) i32[i] = 0;
    } else this.u8.fill(0, addr, addr + objSize);
    return addr;
  }

  /** A slot of `slab` (of class `cls`, with a free slot) for `size` bytes, accounted, not zeroed:
   *  freed slots first (last freed, first reused), then fresh ones in address order. */
  private takeSlot(cls: SlabClass, slab: Slab, size: number): number {
    const free = slab.free;
    const idx = free.length > 0 ? free.pop()! : slab.fresh++;
    if (free.length === 0 && slab.fresh === slab.count) cls.list.pop(); // full: off the list
    slab.used[idx] = size + 1; // +1 so a zero-length allocation is still "used"
    this.liveBytes += size;
    return slab.start + idx * cls.objSize;
  }

  /** The class (size, flags, kind), made on first use; remembered as lastClass. */
  private classOf(objSize: number, flags: number, kind: RegionKind, head: number): SlabClass {
    const key = `${objSize}:${flags}:${kind}:${head}`;
    let cls = this.slabClasses.get(key);
    if (!cls) this.slabClasses.set(key, (cls = { objSize, flags, kind, head, list: [] }));
    this.lastClass = cls;
    return cls;
  }

  /** newSlab for `cls`, or undefined when the arena is full. */
  private newSlabOrFull(cls: SlabClass): Slab | undefined {
    try {
      return this.newSlab(cls);
    } catch (e) {
      // the arena at its limit (FaultSignal), or no memory for its grown buffer (RangeError)
      if (e instanceof FaultSignal || e instanceof RangeError) return undefined;
      throw e;
    }
  }

  /** A fresh slab for the class `list` belongs to (out of allocSlabObject, so that the path every
   *  small allocation takes is small). */
  private newSlab(cls: SlabClass): Slab {
    const { objSize, flags, kind, head, list } = cls;
    const pages = Math.max(SLAB_PAGES, Math.ceil(objSize / PAGE_SIZE));
    const start = this.takePages(pages);
    const count = Math.floor((pages * PAGE_SIZE) / objSize);
    if (pages * PAGE_SIZE > 1 << SLAB_OFFSET_BITS) throw new Error(`slab of ${pages} pages: slotOf needs offsets below 2^${SLAB_OFFSET_BITS}`);
    const shift = SLAB_OFFSET_BITS + Math.ceil(Math.log2(objSize));
    const mul = Math.floor(2 ** shift / objSize) + 1;
    const slab: Slab = { objSize, mul, shift, start, count, flags, kind, used: new Uint16Array(count), fresh: 0, free: [], partial: list, head };
    const id = this.slabs.length;
    this.slabs.push(slab);
    this.pageOwner.fill(-id, start >>> PAGE_SHIFT, (start >>> PAGE_SHIFT) + pages);
    // a protected-head class: every slot's head protected now, once (pages fresh from takePages
    // carry no protection: a region's release clears all of its pages)
    if (head > 0) for (let i = 0; i < count; i++) this.protect(start + i * objSize, head);
    list.push(slab);
    return slab;
  }

  private releaseRegion(id: number): void {
    const r = this.regions[id]!;
    const pages = Math.max(1, Math.ceil((r.start + r.length - r.base) / PAGE_SIZE));
    this.pageOwner.fill(NO_OWNER, r.base >>> PAGE_SHIFT, (r.base >>> PAGE_SHIFT) + pages);
    this.clearProtect(r.base, pages * PAGE_SIZE);
    this.regions[id] = undefined;
    this.freeRegionIds.push(id);
    this.freePageRuns.push({ start: r.base, pages });
  }

  private takePages(pages: number): number {
    const i = this.freePageRuns.findIndex((run) => run.pages >= pages);
    if (i >= 0) {
      const run = this.freePageRuns[i]!;
      const start = run.start;
      if (run.pages === pages) this.freePageRuns.splice(i, 1);
      else {
        run.start += pages * PAGE_SIZE;
        run.pages -= pages;
      }
      return start;
    }
    const start = this.top;
    const end = start + pages * PAGE_SIZE;
    if (end > this.maxBytes) throw new FaultSignal(`arena exhausted: ${end} bytes needed, limit ${this.maxBytes}`);
    if (end > this.buffer.byteLength) this.grow(end);
    this.top = end;
    return start;
  }

  private grow(needed: number): void {
    const next = Math.min(this.maxBytes, Math.max(needed, this.buffer.byteLength * 2));
    this.relocate(next);
    const owner = new Int32Array(next >>> PAGE_SHIFT);
    owner.set(this.pageOwner);
    this.pageOwner = owner;
    const prot = new Uint8Array(next >>> PAGE_SHIFT);
    prot.set(this.pageProtected);
    this.pageProtected = prot;
    const words = new Uint8Array(next >>> 6);
    words.set(this.protectWords);
    this.protectWords = words;
    const partial = new Uint8Array(next >>> 6);
    partial.set(this.partialBits);
    this.partialBits = partial;
  }

  /** The relocateOnEveryAlloc test aid's move, for fast paths that check the flag inline. */
  private relocateForTest(): void {
    if (this.buffer.byteLength <= RELOCATE_TEST_LIMIT) this.relocate(this.buffer.byteLength);
  }

  /** Move the arena into a fresh buffer of `size` bytes (>= the current size): the bytes below
   *  `top` are copied (above it nothing was ever handed out, so it is still zero), then every view
   *  is replaced. The old buffer is garbage once no stale view holds it. */
  private relocate(size: number): void {
    const old = this.buffer;
    const oldU8 = this.u8;
    const buffer = new ArrayBuffer(size);
    new Uint8Array(buffer).set(oldU8.subarray(0, this.top));
    this.setViews(buffer);
    if (Arena.relocateOnEveryAlloc) detach(old);
  }
}

/** Detach `buffer` (structuredClone with transfer is the portable way in Node 20 and browsers):
 *  its views then have length 0, so a stale one reads undefined and writes nothing. */
function detach(buffer: ArrayBuffer): void {
  structuredClone(buffer, { transfer: [buffer] });
}

/** allocUnwritten's refusal (out of line: the call it is in stays small). */
function badSize(size: number, objSize: number): never {
  throw new FaultSignal(`invalid allocation size ${size} for a ${objSize}-byte slab class`);
}

/** Bit i set when byte 8w+i of word `w` lies in [addr, end). */
function byteMask(w: number, addr: number, end: number): number {
  const lo = Math.max(addr - w * 8, 0);
  const hi = Math.min(end - w * 8, 8);
  return hi <= lo ? 0 : ((1 << hi) - 1) & ~((1 << lo) - 1);
}

function roundPages(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}
