// BPF_MAP_TYPE_RBTREE (ebpfvm number 4096): the RFC's rbtree map (DESIGN section 7).
//
// Nodes are the program's own structs, allocated in the arena by bpf_rbtree_alloc_node; the value
// type begins with the kernel's 24-byte `struct rb_node`, and the tree (maps/rbtree-tree.ts) keeps
// its links in those bytes, where a program can read them as it would in the kernel.
//
// Safety of the links. Two designs were measured (bench/rbtree.ts, 1e6 nodes, 16-byte payload):
//  - out of band: parent/left/right/colour in typed arrays indexed by a node slot plus a JS Map
//    from address to slot, mirrored into the node: ~90 bytes per node (the arena slot + 17 bytes
//    of typed arrays + the Map entry);
//  - in band, write-protected: the 24 rb_node bytes (three whole 8-byte words) are marked
//    read-only for programs with the arena's write protection from allocation until free, so only
//    this code writes them (nodes of value_size come from a slab class whose slots keep those
//    bytes protected for good, so allocating and freeing one sets and clears nothing). Live cost per node, every side table counted (bench/memory.ts, fresh
//    processes): 40.1 bytes of slab pages, 2.1 of the arena's word write-protect bitmaps, 2.0 of
//    its slot table, 0.1 of page tables, 0.2 of this map's ownership bitmap, ~1.0 of JS heap:
//    ~45.4 bytes (it was ~64 with a per-byte bitmap, 4-byte slot lengths and JS free lists).
// We use the second. Programs that store into rb_node fault cleanly in unverified mode (the
// verifier rejects such stores with "only read is supported" before that).
//
// Ownership is out of band and tamper-proof: a bitmap with one bit per window of the arena, the
// largest power of two <= value_size (this map's nodes are at least value_size bytes and never
// overlap, so no two of them share a window) says which node allocations belong to this map.
// Linked/unlinked is read from the protected header (RB_EMPTY_NODE: parent == self), so it needs
// no extra state either.
//
// Program-side semantics (checked here; the lock check is in helpers/rbtree.ts, which knows the
// run): add refuses linked nodes, nodes of other maps and non-nodes (NULL, the program keeps the
// node); remove refuses unlinked nodes; free_node refuses linked nodes with -EBUSY. While a less/
// cmp callback runs the tree is busy, and every tree-touching operation on it returns NULL.
//
// User space: the RFC answered every syscall op with -ENOTSUPP. We keep that for update (an
// insertion needs a comparator: use src/rbtree-api.ts) and give the generic ops a meaning that
// makes generic dumpers useful: a key is a node's arena address as a little-endian u64; nextKey
// walks the nodes in tree order, lookup returns a node's value bytes, delete unlinks and frees it.

import { MapError } from '../src/errors.js';
import type { Arena, SlabClass } from '../vm/memory.js';
import { RbTree } from './rbtree-tree.js';
import { Errno, MapType, type BpfMap, type MapContext, type MapFactory, type MapSpec } from './types.js';

/** sizeof(struct rb_node) on 64-bit: __rb_parent_color, rb_right, rb_left. */
export const RB_NODE_SIZE = 24;
/** The largest node alloc_node hands out: 4 MiB, kmalloc's KMALLOC_MAX_SIZE on x86-64. */
export const RBTREE_NODE_MAX = 4 << 20;

/** sizeof(struct bpf_spin_lock). */
export const SPIN_LOCK_SIZE = 4;
const PAGE_SHIFT = 12;
const NODE_ALLOC = { kind: 'node' } as const;

export class RbtreeMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type = MapType.RBTREE;
  readonly name: string;
  /** User-space cursor keys are node addresses as u64 (see the header comment). */
  readonly keySize = 8;
  readonly valueSize: number;
  readonly maxEntries = 0;
  frozen = false;

  readonly tree: RbTree;
  /** Address of the map's own `struct bpf_spin_lock` (write-protected for programs). */
  readonly lockAddr: number;
  /** True while a less/cmp callback runs: the tree is mid-operation and refuses other calls. */
  busy = false;
  /** insertValue's last value and its words (wordsOf). */
  private lastValue: Uint8Array | null = null;
  private lastWords: Int32Array | null = null;

  readonly arena: Arena;
  /** Ownership-bitmap windows are 2^granuleShift bytes: the largest power of two that is at most
   *  the smallest node this map allocates (value_size) and at most a page, so one bit never
   *  covers two of its live nodes, and the bit of an address is a shift away, not a division. */
  private readonly granuleShift: number;
  private owned: Uint8Array = new Uint8Array(64);
  /** The arena's slab class of value_size-byte nodes (undefined when they are larger than a slab
   *  object), whose slots keep their first 24 bytes (the rb_node) write-protected for good (see
   *  SlabClass): nodes of that class are allocated from it directly, with no protection to set
   *  or clear. Larger nodes (allocNode with a size above the class) are protected one by one. */
  private readonly nodeClass: SlabClass | undefined;
  private alive = 0;
  private aliveBytes = 0;
  private destroyed = false;

  constructor(spec: MapSpec, ctx: MapContext) {
    validateSpec(spec);
    this.spec = { ...spec };
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    this.granuleShift = 31 - Math.clz32(Math.min(spec.valueSize, 1 << PAGE_SHIFT));
    this.arena = ctx.arena;
    this.tree = new RbTree(ctx.arena);
    this.nodeClass = ctx.arena.slabClass(spec.valueSize, NODE_ALLOC.kind, RB_NODE_SIZE);
    this.lockAddr = ctx.arena.alloc(SPIN_LOCK_SIZE, { kind: 'map', name: `${spec.name}.lock` });
    ctx.arena.protect(this.lockAddr, SPIN_LOCK_SIZE);
  }

  /** Only the map's own lock (a node holds no lock). */
  spinLockAt(addr: number): boolean {
    return !this.destroyed && addr === this.lockAddr;
  }

  // ---- accounting --------------------------------------------------------------------------

  /** Nodes allocated through this map and not freed (linked or held by a program). */
  get nodesAlive(): number {
    return this.alive;
  }
  /** Nodes in the tree. */
  get size(): number {
    return this.tree.size;
  }
  /** Arena bytes this map accounts for: live nodes (requested sizes) and the lock word. */
  get bytesInUse(): number {
    return this.aliveBytes + (this.destroyed ? 0 : SPIN_LOCK_SIZE);
  }
  /** Bytes of the ownership bitmap (JS heap side of the per-node cost). */
  get bookkeepingBytes(): number {
    return this.owned.byteLength;
  }

  // ---- nodes -------------------------------------------------------------------------------

  /** bpf_rbtree_alloc_node: a node of max(size, value_size) bytes, payload zeroed, rb_node
   *  RB_CLEAR_NODE'd and write-protected; 0 when size < 24 or the arena is full. */
  allocNode(size: number): number {
    // Bounded before anything is allocated: above the allocator's maximum (kmalloc's
    // KMALLOC_MAX_SIZE, DESIGN section 7) the answer is NULL, as kmalloc failing would give.
    const len = Math.max(size, this.valueSize);
    if (this.destroyed || size < RB_NODE_SIZE || len > RBTREE_NODE_MAX) return 0;
    let addr: number;
    const cls = this.nodeClass;
    const inClass = cls !== undefined && len <= cls.objSize;
    try {
      addr = inClass ? this.arena.allocIn(cls, len) : this.arena.alloc(len, NODE_ALLOC);
    } catch {
      return 0; // ENOMEM: the helper returns NULL, as kmalloc failing would
    }
    this.tree.clearZeroed(addr);
    if (!inClass) this.arena.protect(addr, RB_NODE_SIZE); // (the class's are: see nodeClass)
    this.setOwned(addr, true);
    this.alive++;
    this.aliveBytes += len;
    return addr;
  }

  /** Whether `addr` is the start of a live node allocated by this map. */
  ownsNode(addr: number): boolean {
    if (addr <= 0 || (addr & 7) !== 0) return false;
    const s = addr >>> this.granuleShift;
    const bits = this.owned;
    if ((s >>> 3) >= bits.length || (bits[s >>> 3]! & (1 << (s & 7))) === 0) return false;
    // A set bit says one of our nodes starts in this window. The window lies inside one page
    // (a power of two, at most a page, aligned), and a page belongs to one slab or region. So any
    // other live allocation starting in it would share our node's slab, whose slots are at least
    // our node's length (>= value_size >= the window) apart: a live allocation starting at
    // `addr` is our node.
    return this.arena.isLive(addr);
  }

  isLinked(addr: number): boolean {
    return this.tree.isLinked(addr);
  }

  /** bpf_rbtree_free_node: 0 (freed), -EBUSY (still linked, or called from a callback of this
   *  tree: left intact), -EINVAL (not a live node of this map: nothing happens). */
  freeNode(addr: number): number {
    if (!this.ownsNode(addr)) return -Errno.EINVAL;
    // Busy: a less/cmp callback is running, and the node being added is unlinked but must not
    // be freed under the insertion.
    if (this.busy || this.tree.isLinked(addr)) return -Errno.EBUSY;
    this.release(addr);
    return 0;
  }

  private release(addr: number): void {
    this.setOwned(addr, false);
    const len = this.arena.free(addr); // also clears the write protection of the whole allocation
    this.alive--;
    this.aliveBytes -= len;
  }

  private setOwned(addr: number, on: boolean): void {
    const s = addr >>> this.granuleShift;
    const byte = s >>> 3;
    if (byte >= this.owned.length) {
      // Grow by a quarter, not double: the bitmap is part of the per-node cost (still amortised O(1)).
      const n = Math.max(byte + 1, Math.ceil(this.owned.length * 1.25));
      const grown = new Uint8Array(n);
      grown.set(this.owned);
      this.owned = grown;
    }
    if (on) this.owned[byte]! |= 1 << (s & 7);
    else this.owned[byte]! &= ~(1 << (s & 7));
  }

  // ---- user space (src/rbtree-api.ts: the caller checked that the map is idle and writable) ----

  /** Insert a node of value_size bytes made from `value` (at most value_size bytes; its first 24,
   *  the rb_node, ignored; bytes past its end zero), ordered by the word key RbTree.addByKey takes
   *  (`wi` >= 6: after the rb_node). Returns the node, or 0 when the arena is full (nothing
   *  allocated). One place does what allocNode, a payload copy and the walk would: the node's
   *  words are each written once (the walk reads only the new node's key, and the link writes the
   *  rb_node), so a node of this map's slab class is not zeroed first. */
  insertValue(value: Uint8Array, wi: number, size: 4 | 8, signed: boolean): number {
    // Small on purpose: V8 inlines functions of at most a few hundred bytes of bytecode, and a
    // call each way costs a user-space pair a few ns, so the cold cases are methods of their own.
    const len = this.valueSize;
    // The API checks this first; here too, so that no caller can copy past the node.
    if (!(value.length <= len)) this.valueTooLarge(value.length);
    const cls = this.nodeClass;
    if (cls === undefined || this.destroyed) return this.insertValueInRegion(value, wi, size, signed);
    const addr = this.arena.allocUnwritten(cls, len);
    if (addr === 0) return 0; // arena full
    // Every word of the slot is written: the link writes the (write-protected) rb_node (the walk
    // reads only the new node's key), here the value's words after it, then zeros. A value whose
    // words have a view (wordsOf) is copied a word at a time; anything else (a fresh value, an
    // unaligned one, a length that is not whole words, a detached or shrunk buffer, whose view
    // is shorter than the value) four bytes to a word (copyValueBytes).
    const n = value.length;
    const words = this.wordsOf(value);
    if (words !== null && words.length << 2 === n && n >= RB_NODE_SIZE) {
      const i32 = this.arena.i32;
      const a = addr >>> 2;
      for (let k = RB_NODE_SIZE >>> 2; k < words.length; k++) i32[a + k] = words[k]!;
      for (let k = words.length; k < cls.objSize >>> 2; k++) i32[a + k] = 0;
    } else this.copyValueBytes(addr, value, cls.objSize);
    const s = addr >>> this.granuleShift;
    if (s >>> 3 < this.owned.length) this.owned[s >>> 3]! |= 1 << (s & 7);
    else this.setOwned(addr, true);
    this.alive++;
    this.aliveBytes += len;
    this.tree.addByKey(addr, wi, size, signed);
    return addr;
  }

  private valueTooLarge(length: number): never {
    throw new MapError(`value of ${length} bytes is larger than value_size ${this.valueSize}`, this.name, -Errno.EINVAL);
  }

  /** insertValue's node as a region of its own (a value_size above the slab classes): zeroed by
   *  the allocation, so only the value's bytes are copied. 0 when destroyed or the arena is full. */
  private insertValueInRegion(value: Uint8Array, wi: number, size: 4 | 8, signed: boolean): number {
    const addr = this.allocNode(this.valueSize);
    if (addr === 0) return 0;
    const u8 = this.arena.u8;
    for (let i = RB_NODE_SIZE; i < value.length; i++) u8[addr + i] = value[i]!;
    this.tree.addByKey(addr, wi, size, signed);
    return addr;
  }

  /** Write `value`'s bytes after the rb_node into the `end`-byte slot at `addr`, then zeros to
   *  its end, a whole word per store (4 stores beat 16). */
  private copyValueBytes(addr: number, value: Uint8Array, end: number): void {
    const i32 = this.arena.i32;
    const n = value.length;
    let i = RB_NODE_SIZE;
    for (; i + 4 <= n; i += 4) i32[(addr + i) >>> 2] = value[i]! | (value[i + 1]! << 8) | (value[i + 2]! << 16) | (value[i + 3]! << 24);
    if (i < n) {
      i32[(addr + i) >>> 2] = partialWord(value, i);
      i += 4;
    }
    for (; i < end; i += 4) i32[(addr + i) >>> 2] = 0;
  }

  /** An Int32Array over `value`'s bytes when the same word-aligned value came last time too (a
   *  caller that encodes each value into one scratch buffer): a word load per word instead of
   *  four byte loads, ~3 ns of a ~110 ns user-space pair. Made on the second use in a row, so a
   *  caller with a fresh value per insert never pays for a view it uses once. The last value is
   *  held until the next insert or destroy. */
  private wordsOf(value: Uint8Array): Int32Array | null {
    if (value !== this.lastValue) {
      this.lastValue = value;
      this.lastWords = null;
      return null;
    }
    // (a detached buffer has length 0, and a view of it would throw: never made for one)
    if (this.lastWords === null && (value.byteOffset & 3) === 0 && value.length >= RB_NODE_SIZE) this.lastWords = new Int32Array(value.buffer, value.byteOffset, value.length >>> 2);
    return this.lastWords;
  }

  /** Unlink and free `addr` when it is a linked node of this map (user space's remove); false, and
   *  nothing happens, otherwise. */
  removeLinked(addr: number): boolean {
    if (addr <= 0 || (addr & 7) !== 0) return false;
    const s = addr >>> this.granuleShift;
    const bits = this.owned;
    if (s >>> 3 >= bits.length || (bits[s >>> 3]! & (1 << (s & 7))) === 0) return false;
    // The bit says one of our nodes starts in addr's window (see ownsNode), so reading the word
    // at addr stays inside the arena; unless addr is a live allocation it is not acted on.
    if (!this.tree.isLinked(addr)) return false;
    // ownsNode's liveness check and the free in one arena lookup. The free comes first: it only
    // marks the slot free and clears its write protection, and nothing allocates before erase
    // has read the links (erase without clearing writes nothing into the node itself).
    const len = this.arena.tryFree(addr);
    if (len < 0) return false;
    this.tree.erase(addr, false);
    bits[s >>> 3]! &= ~(1 << (s & 7));
    this.alive--;
    this.aliveBytes -= len;
    return true;
  }

  // ---- tree operations (program side; callers check the lock) -------------------------------

  /** Insert with `less(a, b)`; returns the node, or 0 when the tree is busy, the node is not an
   *  unlinked node of this map. Ties go right (kernel rb_add), so equal keys keep FIFO order. */
  add(node: number, less: (a: number, b: number) => boolean): number {
    if (this.busy || !this.ownsNode(node) || this.tree.isLinked(node)) return 0;
    this.busy = true;
    try {
      this.tree.add(node, less);
    } finally {
      this.busy = false;
    }
    return node;
  }

  /** rb_find with `cmp(node)`: <0 go left, >0 go right, 0 found. 0 when busy or not found. */
  find(cmp: (node: number) => number): number {
    if (this.busy) return 0;
    this.busy = true;
    try {
      return this.tree.find(cmp);
    } finally {
      this.busy = false;
    }
  }

  /** Unlink a node of this tree; returns it (owned by the caller again) or 0. */
  remove(node: number): number {
    if (this.busy || !this.ownsNode(node) || !this.tree.isLinked(node)) return 0;
    this.tree.erase(node);
    return node;
  }

  first(): number {
    return this.busy ? 0 : this.tree.first();
  }
  last(): number {
    return this.busy ? 0 : this.tree.last();
  }
  next(node: number): number {
    if (this.busy || !this.ownsNode(node) || !this.tree.isLinked(node)) return 0;
    return this.tree.next(node);
  }
  prev(node: number): number {
    if (this.busy || !this.ownsNode(node) || !this.tree.isLinked(node)) return 0;
    return this.tree.prev(node);
  }

  /** Every node in tree order. */
  inOrder(): number[] {
    const out: number[] = [];
    for (let n = this.tree.first(); n !== 0; n = this.tree.next(n)) out.push(n);
    return out;
  }

  /** Allocated length of a node (max(size asked, value_size)). */
  nodeLength(addr: number): number {
    return this.arena.describe(addr)?.length ?? 0;
  }

  // ---- BpfMap: program side (bpf_map_* helpers on an rbtree map: the RFC's -ENOTSUPP) --------

  lookupElem(_keyAddr: number, _cpu: number): number {
    return 0;
  }
  updateElem(_keyAddr: number, _valueAddr: number, _flags: number, _cpu: number): number {
    return -Errno.ENOTSUPP;
  }
  deleteElem(_keyAddr: number): number {
    return -Errno.ENOTSUPP;
  }

  // ---- BpfMap: user side (key = node address as u64 LE) --------------------------------------

  lookup(key: Uint8Array): Uint8Array | undefined {
    const addr = this.keyAddr(key);
    if (addr === undefined || !this.ownsNode(addr) || !this.tree.isLinked(addr)) return undefined;
    return this.arena.read(addr, this.nodeLength(addr));
  }

  update(_key: Uint8Array, _value: Uint8Array, _flags?: number): number {
    return -Errno.ENOTSUPP;
  }

  delete(key: Uint8Array): number {
    this.assertIdle('delete');
    const addr = this.keyAddr(key);
    if (this.frozen) return -Errno.EPERM;
    if (addr === undefined || !this.ownsNode(addr) || !this.tree.isLinked(addr)) return -Errno.ENOENT;
    this.tree.erase(addr);
    this.release(addr);
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    let next: number;
    if (key === undefined) next = this.tree.first();
    else {
      const addr = this.keyAddr(key);
      // Like get_next_key on a missing key: start over from the first.
      next = addr !== undefined && this.ownsNode(addr) && this.tree.isLinked(addr) ? this.tree.next(addr) : this.tree.first();
    }
    return next === 0 ? undefined : addrKey(next);
  }

  /** Free every node this map allocated (linked, or leaked by an unverified program) and the lock. */
  destroy(): void {
    if (this.destroyed) return;
    this.assertIdle('destroy');
    for (const n of this.tree.postOrder()) this.release(n);
    this.tree.reset();
    // Nodes still held by programs: find them through the ownership bitmap.
    const bits = this.owned;
    for (let byte = 0; byte < bits.length; byte++) {
      if (bits[byte] === 0) continue;
      for (let b = 0; b < 8; b++) {
        if ((bits[byte]! & (1 << b)) === 0) continue;
        const lo = (byte * 8 + b) << this.granuleShift;
        for (let a = lo; a < lo + (1 << this.granuleShift); a += 8) if (this.ownsNode(a)) this.release(a);
      }
    }
    this.lastValue = this.lastWords = null;
    this.arena.unprotect(this.lockAddr, SPIN_LOCK_SIZE);
    this.arena.free(this.lockAddr);
    this.destroyed = true;
  }

  /** Neither busy, destroyed nor frozen: user space may insert and remove (what assertIdle and
   *  a frozen map's -EPERM check, in one test for the API's hot paths). */
  writableIdle(): boolean {
    return !this.busy && !this.destroyed && !this.frozen;
  }

  /** User-space mutation while a program's callback is mid-operation on this tree is a bug. */
  assertIdle(op: string): void {
    if (this.busy) throw new MapError(`${op}: the tree is in the middle of a program operation`, this.name, Errno.EBUSY);
    if (this.destroyed) throw new MapError(`${op}: map was destroyed`, this.name, Errno.EBADF);
  }

  private keyAddr(key: Uint8Array): number | undefined {
    if (key.length < 4) return undefined;
    const dv = new DataView(key.buffer, key.byteOffset, key.byteLength);
    if (key.length >= 8 && dv.getUint32(4, true) !== 0) return undefined;
    return dv.getUint32(0, true);
  }
}

/** The little-endian word of bytes[i..] (fewer than 4 left; the rest zero). */
function partialWord(bytes: Uint8Array, i: number): number {
  let word = 0;
  for (let j = i; j < bytes.length; j++) word |= bytes[j]! << ((j - i) << 3);
  return word;
}

function addrKey(addr: number): Uint8Array {
  const k = new Uint8Array(8);
  new DataView(k.buffer).setUint32(0, addr, true);
  return k;
}

/** The RFC's map_alloc_check + rbtree_map_check_btf, with messages that name `rb_node`. */
export function validateSpec(spec: MapSpec): void {
  const fail = (msg: string): never => {
    throw new MapError(msg, spec.name, Errno.EINVAL);
  };
  if (spec.type !== MapType.RBTREE) fail(`not an rbtree map (type ${spec.type})`);
  if (spec.maxEntries !== 0) fail(`rbtree maps grow without bound: max_entries must be 0, got ${spec.maxEntries}`);
  if (spec.valueSize < RB_NODE_SIZE) {
    fail(`value type must begin with struct rb_node (${RB_NODE_SIZE} bytes), but value_size is ${spec.valueSize}`);
  }
  if (spec.rbNodeOffset === undefined) {
    fail(
      spec.btfValueTypeId === undefined
        ? 'value type unknown (no BTF): an rbtree value type must begin with struct rb_node'
        : 'value type has no struct rb_node member; it must begin with struct rb_node',
    );
  }
  if (spec.rbNodeOffset !== 0) fail(`struct rb_node must be the first member of the value type, found at offset ${spec.rbNodeOffset}`);
}

export const createRbtreeMap: MapFactory = (spec, ctx) => new RbtreeMap(spec, ctx);

/** A MapSpec for an rbtree map created without an ELF object (tests, the TypeScript API). */
export function rbtreeSpec(name: string, valueSize: number): MapSpec {
  return { name, type: MapType.RBTREE, keySize: 0, valueSize, maxEntries: 0, flags: 0, rbNodeOffset: 0 };
}
