// The hash table behind hash, percpu_hash, lru_hash and lru_percpu_hash.
//
// Layout: every element lives in a slot. A slot owns one arena allocation for its key (read-only to
// programs: for_each_map_elem hands out key pointers) and one value allocation, or one per CPU for
// per-CPU maps, so an overrun past a value faults in unverified runs exactly at the value's end.
// Slots are allocated on first use and kept until the map is destroyed: a deleted element's memory
// goes back to the map's free list, like the kernel's preallocated elements, so a stale value
// pointer a program still holds reads old or reused bytes of this map instead of faulting or
// touching another map.
//
// Lookup goes through a JS Map from the key bytes (a u32 number for 4-byte keys, a latin1 string
// otherwise) to the slot index.
//
// Iteration order (get_next_key, for_each_map_elem, user-space keys()) is insertion order: a new key
// goes to the end, updating an existing key keeps its place, deleting and re-inserting moves it to
// the end. A missing key passed to get_next_key restarts from the first key, as the kernel does.
// (The kernel walks buckets in hash order; no program may depend on either order.)
//
// LRU (lru_hash, lru_percpu_hash): strict least-recently-used. Every element sits on a recency list;
// a program-side lookup and any update (program or user space) move it to the most-recent end;
// user-space lookups and iteration do not. Inserting a new key into a full map (or, with
// BPF_F_NO_COMMON_LRU, into a CPU's full share) first evicts the least recently used element of that
// list, so LRU maps never return -E2BIG. Flags are checked before evicting (the kernel may evict
// even when BPF_EXIST then fails; we do not). With BPF_F_NO_COMMON_LRU each CPU has its own list
// with max_entries / ncpus elements (max_entries rounded up to a multiple of ncpus, as the kernel
// does); user-space inserts use CPU 0's list.

import { FaultSignal } from '../src/errors.js';
import { MemFlag, type Arena } from '../vm/memory.js';
import {
  ACCESS_MASK,
  MAX_HASH_KEY_VALUE,
  MAX_PERCPU_VALUE_SIZE,
  MAX_PREALLOC_ENTRIES,
  SPIN_LOCK_SIZE,
  TIMER_SIZE,
  allocElement,
  checkCommonSpec,
  checkProgWritable,
  checkPercpuNuma,
  checkUserBytes,
  copyBytes,
  copyValueIn,
  copyValueOut,
  createError,
  roundUp8,
  updateFlagsValid,
  valueMemFlags,
} from './common.js';
import { Errno, MapFlag, MapType, UpdateFlag, type BpfMap, type MapContext, type MapSpec } from './types.js';
import { GRAPH_FIELD_SIZE } from './graph.js';

export interface HashTableKind {
  percpu: boolean;
  lru: boolean;
}

type KeyId = number | string;

const NONE = -1;

export class HashTable implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  frozen = false;

  /** Bytes per CPU copy in user-space buffers (round_up(value_size, 8)). */
  readonly percpuStride: number;
  readonly ncpus: number;
  /** Value copies per slot: ncpus for per-CPU maps, else 1. */
  private readonly copies: number;
  private readonly arena: Arena;
  private readonly percpu: boolean;
  private readonly lru: boolean;
  private readonly lockOff: number | undefined;
  private readonly valueFlags: number;

  private readonly index = new Map<KeyId, number>();
  /** Value addresses of every slot ever taken, kept only when values hold a bpf_spin_lock
   *  (spinLockAt). A slot's value keeps its address for the map's life, deleted or not. */
  private readonly lockValues: Set<number> | undefined;
  /** Values holding graph roots or kptrs (spec.graph, not per-CPU): value address -> slot, so the
   *  graph kfuncs find the value an address lies in, and a deleted, evicted or overwritten element
   *  gives up what its roots and kptrs hold (the kernel's check_and_free_fields). */
  private readonly graph: MapContext['graph'];
  private readonly graphValues: Map<number, number> | undefined;
  /** Values holding a struct bpf_timer (spec.timerOffset; hash and lru_hash): value address ->
   *  slot, for the timer callback's key, and the runtime's timers, which a deleted, evicted or
   *  overwritten element frees its timer from. */
  private readonly asyncOffs: readonly number[];
  private readonly timers: MapContext['timers'];
  private readonly timerValues: Map<number, number> | undefined;
  private slotKeyId: KeyId[] = [];
  private slotKeyAddr: Int32Array;
  private slotValAddr: Int32Array;
  private live: Uint8Array;
  // Insertion-order list (iteration).
  private iterPrev: Int32Array;
  private iterNext: Int32Array;
  private iterHead = NONE;
  private iterTail = NONE;
  // Recency lists (LRU only): head = most recent, tail = least recent.
  private lruPrev: Int32Array;
  private lruNext: Int32Array;
  private slotList: Uint16Array;
  private readonly lruHead: Int32Array;
  private readonly lruTail: Int32Array;
  private readonly listCount: Int32Array;
  private readonly listCap: number;

  private capacity = 0; // slots with bookkeeping arrays allocated
  private fresh = 0; // next never-used slot
  private readonly freeSlots: number[] = [];
  private count = 0;

  constructor(spec: MapSpec, ctx: MapContext, kind: HashTableKind) {
    this.percpu = kind.percpu;
    this.lru = kind.lru;
    this.ncpus = ctx.ncpus;
    this.arena = ctx.arena;
    checkHashSpec(spec, kind);
    const percpuLru = kind.lru && (spec.flags & MapFlag.NO_COMMON_LRU) !== 0;
    let maxEntries = spec.maxEntries;
    if (percpuLru) maxEntries = Math.ceil(maxEntries / ctx.ncpus) * ctx.ncpus;
    this.spec = Object.freeze({ ...spec, maxEntries });
    this.type = spec.type;
    this.name = spec.name;
    this.keySize = spec.keySize;
    this.valueSize = spec.valueSize;
    this.maxEntries = maxEntries;
    this.percpuStride = roundUp8(spec.valueSize);
    this.copies = kind.percpu ? ctx.ncpus : 1;
    this.lockOff = spec.spinLockOffset;
    this.lockValues = spec.spinLockOffset !== undefined ? new Set() : undefined;
    this.graph = spec.graph && !kind.percpu ? ctx.graph : undefined;
    this.graphValues = this.graph ? new Map() : undefined;
    // bpf_timer and bpf_wq (16 bytes each), in the map types that may hold them
    this.asyncOffs = kind.percpu ? [] : [spec.timerOffset, spec.wqOffset].filter((o): o is number => o !== undefined);
    this.timers = this.asyncOffs.length ? ctx.timers : undefined;
    this.timerValues = this.asyncOffs.length ? new Map() : undefined;
    this.valueFlags = valueMemFlags(spec.flags);
    const lists = percpuLru ? ctx.ncpus : 1;
    this.lruHead = new Int32Array(lists).fill(NONE);
    this.lruTail = new Int32Array(lists).fill(NONE);
    this.listCount = new Int32Array(lists);
    this.listCap = maxEntries / lists;
    this.slotKeyAddr = new Int32Array(0);
    this.slotValAddr = new Int32Array(0);
    this.live = new Uint8Array(0);
    this.iterPrev = new Int32Array(0);
    this.iterNext = new Int32Array(0);
    this.lruPrev = new Int32Array(0);
    this.lruNext = new Int32Array(0);
    this.slotList = new Uint16Array(0);
    this.grow(Math.min(maxEntries, 64));
    for (const { key, value } of spec.contents ?? []) {
      const err = this.update(key, value, UpdateFlag.ANY);
      if (err < 0) throw createError(spec, `initial contents rejected (errno ${-err})`, -err);
    }
  }

  /** Number of elements in the map. */
  get size(): number {
    return this.count;
  }

  // ---- program side -------------------------------------------------------------------

  valueBase(addr: number): number | undefined {
    const info = this.graphValues ? this.arena.describe(addr) : undefined;
    const slot = info ? this.graphValues!.get(info.start) : undefined;
    return slot !== undefined && this.live[slot] ? info!.start : undefined;
  }

  valueKey(valueAddr: number): { addr: number } | undefined {
    const slot = this.timerValues?.get(valueAddr);
    return slot !== undefined && this.live[slot] ? { addr: this.slotKeyAddr[slot]! } : undefined;
  }

  spinLockAt(addr: number): boolean {
    return this.lockOff !== undefined && this.lockValues!.has(addr - this.lockOff);
  }

  lookupElem(keyAddr: number, cpu: number): number {
    const slot = this.index.get(this.keyIdAt(keyAddr));
    if (slot === undefined) return 0;
    if (this.lru) this.touch(slot);
    return this.slotValAddr[slot * this.copies + this.copyFor(cpu)]!;
  }

  updateElem(keyAddr: number, valueAddr: number, flags: number, cpu: number): number {
    checkProgWritable(this.spec);
    const id = this.keyIdAt(keyAddr);
    this.arena.check(valueAddr, this.valueSize, false);
    const u8 = this.arena.u8;
    return this.put(id, u8, keyAddr, u8, valueAddr, flags, this.copyFor(cpu), false, this.listFor(cpu));
  }

  deleteElem(keyAddr: number): number {
    checkProgWritable(this.spec);
    return this.remove(this.keyIdAt(keyAddr));
  }

  // ---- user side ------------------------------------------------------------------------

  lookup(key: Uint8Array): Uint8Array | undefined {
    checkUserBytes(this.spec, 'key', key, this.keySize);
    const slot = this.index.get(keyIdOf(key, 0, this.keySize));
    if (slot === undefined) return undefined;
    return this.readValue(slot);
  }

  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    checkUserBytes(this.spec, 'key', key, this.keySize);
    checkUserBytes(this.spec, 'value', value, this.userValueSize);
    if (this.frozen) return -Errno.EPERM;
    // User space writes every CPU's copy (copies === ncpus) from one buffer.
    return this.put(keyIdOf(key, 0, this.keySize), key, 0, value, 0, flags, -1, true, 0);
  }

  delete(key: Uint8Array): number {
    checkUserBytes(this.spec, 'key', key, this.keySize);
    if (this.frozen) return -Errno.EPERM;
    return this.remove(keyIdOf(key, 0, this.keySize));
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    let slot = this.iterHead;
    if (key !== undefined) {
      checkUserBytes(this.spec, 'key', key, this.keySize);
      const cur = this.index.get(keyIdOf(key, 0, this.keySize));
      if (cur !== undefined) slot = this.iterNext[cur]!;
    }
    if (slot === NONE) return undefined;
    return this.arena.read(this.slotKeyAddr[slot]!, this.keySize);
  }

  /** Size of a value in user-space buffers: round_up(value_size, 8) * ncpus for per-CPU maps. */
  get userValueSize(): number {
    return this.percpu ? this.percpuStride * this.ncpus : this.valueSize;
  }

  /** Visit elements in iteration order with arena addresses (this CPU's copy for per-CPU maps);
   *  stop when `fn` returns true. Elements deleted during the walk are skipped. Returns the number
   *  of elements visited. Used by bpf_for_each_map_elem. */
  forEachElem(cpu: number, fn: (keyAddr: number, valueAddr: number) => boolean): number {
    const slots: number[] = [];
    for (let s = this.iterHead; s !== NONE; s = this.iterNext[s]!) slots.push(s);
    const copy = this.copyFor(cpu);
    let n = 0;
    for (const s of slots) {
      if (this.live[s] === 0) continue;
      n++;
      if (fn(this.slotKeyAddr[s]!, this.slotValAddr[s * this.copies + copy]!)) break;
    }
    return n;
  }

  /** Keys from least to most recently used, per recency list (LRU maps; for tests and debugging). */
  recencyOrder(list = 0): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let s = this.lruTail[list] ?? NONE; s !== NONE; s = this.lruPrev[s]!) out.push(this.arena.read(this.slotKeyAddr[s]!, this.keySize));
    return out;
  }

  destroy(): void {
    if (this.graph) for (let s = 0; s < this.fresh; s++) if (this.live[s]) this.graph.freeFields(this.spec.graph!, this.slotValAddr[s]!);
    if (this.timers) for (let s = 0; s < this.fresh; s++) if (this.live[s]) for (const o of this.asyncOffs) this.timers.free(this.slotValAddr[s]! + o);
    this.graphValues?.clear();
    this.timerValues?.clear();
    for (let s = 0; s < this.fresh; s++) {
      if (this.slotKeyAddr[s]) this.arena.free(this.slotKeyAddr[s]!);
      for (let c = 0; c < this.copies; c++) {
        const a = this.slotValAddr[s * this.copies + c]!;
        if (a) this.arena.free(a);
      }
    }
    this.index.clear();
    this.lockValues?.clear();
    this.count = 0;
    this.fresh = 0;
    this.freeSlots.length = 0;
    this.iterHead = this.iterTail = NONE;
    this.lruHead.fill(NONE);
    this.lruTail.fill(NONE);
    this.listCount.fill(0);
    this.capacity = 0;
  }

  // ---- internals ------------------------------------------------------------------------

  /** Insert or update. `copy` is the CPU copy a program writes (-1: user space writes all copies
   *  from a per-CPU buffer). */
  private put(id: KeyId, key: Uint8Array, keyOff: number, value: Uint8Array, valueOff: number, flags: number, copy: number, user: boolean, list: number): number {
    const allowLock = !this.percpu && !this.lru;
    if (!updateFlagsValid(flags, allowLock)) return -Errno.EINVAL;
    if ((flags & UpdateFlag.F_LOCK) !== 0 && this.lockOff === undefined) return -Errno.EINVAL;
    const mode = flags & 3;
    let slot = this.index.get(id);
    if (slot !== undefined) {
      if (mode === UpdateFlag.NOEXIST) return -Errno.EEXIST;
      this.writeValue(slot, value, valueOff, copy, user, false);
      if (this.lru) this.touch(slot);
      return 0;
    }
    if (mode === UpdateFlag.EXIST) return -Errno.ENOENT;
    if (this.listCount[list]! >= this.listCap) {
      if (!this.lru) return -Errno.E2BIG;
      this.evict(list);
    }
    slot = this.takeSlot();
    if (slot < 0) return -Errno.ENOMEM;
    // A program's key and value are arena bytes: the allocation may have moved the arena to a new
    // buffer (vm/memory.ts), so its byte view is read again.
    if (!user) key = value = this.arena.u8;
    this.index.set(id, slot);
    this.slotKeyId[slot] = id;
    this.live[slot] = 1;
    this.count++;
    copyBytes(this.arena.u8, this.slotKeyAddr[slot]!, key, keyOff, this.keySize);
    this.writeValue(slot, value, valueOff, copy, user, true);
    // append to the iteration list
    this.iterPrev[slot] = this.iterTail;
    this.iterNext[slot] = NONE;
    if (this.iterTail !== NONE) this.iterNext[this.iterTail] = slot;
    else this.iterHead = slot;
    this.iterTail = slot;
    this.slotList[slot] = list;
    this.listCount[list]!++;
    if (this.lru) this.pushRecent(slot);
    return 0;
  }

  private remove(id: KeyId): number {
    const slot = this.index.get(id);
    if (slot === undefined) return -Errno.ENOENT;
    this.unlinkSlot(slot);
    return 0;
  }

  private unlinkSlot(slot: number): void {
    if (this.graph) this.graph.freeFields(this.spec.graph!, this.slotValAddr[slot]!);
    if (this.timers) for (const o of this.asyncOffs) this.timers.free(this.slotValAddr[slot]! + o);
    this.index.delete(this.slotKeyId[slot]!);
    this.slotKeyId[slot] = 0;
    this.live[slot] = 0;
    this.count--;
    const p = this.iterPrev[slot]!;
    const n = this.iterNext[slot]!;
    if (p !== NONE) this.iterNext[p] = n;
    else this.iterHead = n;
    if (n !== NONE) this.iterPrev[n] = p;
    else this.iterTail = p;
    this.listCount[this.slotList[slot]!]!--;
    if (this.lru) this.unlinkRecent(slot);
    this.freeSlots.push(slot);
  }

  private evict(list: number): void {
    const victim = this.lruTail[list]!;
    if (victim === NONE) throw new Error(`map ${this.name}: LRU list ${list} empty while full`);
    this.unlinkSlot(victim);
  }

  private touch(slot: number): void {
    if (this.lruHead[this.slotList[slot]!] === slot) return;
    this.unlinkRecent(slot);
    this.pushRecent(slot);
  }

  private pushRecent(slot: number): void {
    const l = this.slotList[slot]!;
    const head = this.lruHead[l]!;
    this.lruPrev[slot] = NONE;
    this.lruNext[slot] = head;
    if (head !== NONE) this.lruPrev[head] = slot;
    else this.lruTail[l] = slot;
    this.lruHead[l] = slot;
  }

  private unlinkRecent(slot: number): void {
    const l = this.slotList[slot]!;
    const p = this.lruPrev[slot]!;
    const n = this.lruNext[slot]!;
    if (p !== NONE) this.lruNext[p] = n;
    else this.lruHead[l] = n;
    if (n !== NONE) this.lruPrev[n] = p;
    else this.lruTail[l] = p;
  }

  /** A free slot with key and value memory, or -1 when the arena is full (nothing is kept). */
  private takeSlot(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = this.fresh;
    if (slot >= this.capacity) this.grow(Math.min(this.maxEntries, Math.max(64, this.capacity * 2)));
    const got = [allocElement(this.arena, this.keySize, this.name, MemFlag.READ)];
    for (let c = 0; c < this.copies; c++) got.push(allocElement(this.arena, this.valueSize, this.name, this.valueFlags));
    if (got.includes(0)) {
      // The kernel's element allocation fails with -ENOMEM; give back what was taken.
      for (const a of got) if (a !== 0) this.arena.free(a);
      return -1;
    }
    this.fresh++;
    this.slotKeyAddr[slot] = got[0]!;
    for (let c = 0; c < this.copies; c++) {
      const a = got[c + 1]!;
      // Programs never write a bpf_spin_lock word directly; only the lock helpers do.
      if (this.lockOff !== undefined) {
        this.arena.protect(a + this.lockOff, SPIN_LOCK_SIZE);
        this.lockValues!.add(a);
      }
      this.slotValAddr[slot * this.copies + c] = a;
    }
    this.graphValues?.set(this.slotValAddr[slot]!, slot);
    this.timerValues?.set(this.slotValAddr[slot]!, slot);
    return slot;
  }

  private grow(cap: number): void {
    if (cap <= this.capacity) return;
    const g32 = (a: Int32Array, n: number) => {
      const b = new Int32Array(n);
      b.set(a.subarray(0, Math.min(a.length, n)));
      return b;
    };
    this.slotKeyAddr = g32(this.slotKeyAddr, cap);
    this.slotValAddr = g32(this.slotValAddr, cap * this.copies);
    this.iterPrev = g32(this.iterPrev, cap);
    this.iterNext = g32(this.iterNext, cap);
    if (this.lru) {
      this.lruPrev = g32(this.lruPrev, cap);
      this.lruNext = g32(this.lruNext, cap);
    }
    const live = new Uint8Array(cap);
    live.set(this.live);
    this.live = live;
    const lists = new Uint16Array(cap);
    lists.set(this.slotList);
    this.slotList = lists;
    this.capacity = cap;
  }

  private writeValue(slot: number, value: Uint8Array, valueOff: number, copy: number, user: boolean, fresh: boolean): void {
    const u8 = this.arena.u8;
    const base = slot * this.copies;
    if (user && this.percpu) {
      for (let c = 0; c < this.copies; c++) {
        copyValueIn(u8, this.slotValAddr[base + c]!, value, c * this.percpuStride, this.valueSize, this.lockOff);
      }
      return;
    }
    if (!this.percpu) {
      const dst = this.slotValAddr[base]!;
      // A reused slot still holds its previous element's bytes, lock word included; a new element
      // starts with an unlocked lock.
      if (fresh && this.lockOff !== undefined) u8.fill(0, dst + this.lockOff, dst + this.lockOff + SPIN_LOCK_SIZE);
      // Graph roots and kptrs are never copied in: an overwritten element's are freed (what they
      // held is dropped), and every element starts with them empty.
      if (this.graph && !fresh) this.graph.freeFields(this.spec.graph!, dst);
      copyValueIn(u8, dst, value, valueOff, this.valueSize, this.lockOff);
      if (this.graph) for (const f of this.spec.graph!.fields) if (f.kind !== 'spin_lock') u8.fill(0, dst + f.offset, dst + f.offset + GRAPH_FIELD_SIZE[f.kind]);
      // The kernel replaces an updated element by a new one (the old one's timer is freed with
      // it) whose timer starts empty: never copied in, read as zeros.
      if (this.timers) {
        for (const o of this.asyncOffs) {
          if (!fresh) this.timers.free(dst + o);
          u8.fill(0, dst + o, dst + o + TIMER_SIZE);
        }
      }
      return;
    }
    // A program writes its own CPU's copy; a new element starts with the other CPUs' copies zeroed
    // (the kernel's pcpu_init_value).
    for (let c = 0; c < this.copies; c++) {
      const dst = this.slotValAddr[base + c]!;
      if (c === copy) copyValueIn(u8, dst, value, valueOff, this.valueSize, this.lockOff);
      else if (fresh) u8.fill(0, dst, dst + this.valueSize);
    }
  }

  private readValue(slot: number): Uint8Array {
    const u8 = this.arena.u8;
    const base = slot * this.copies;
    if (!this.percpu) {
      const out = new Uint8Array(this.valueSize);
      copyValueOut(u8, this.slotValAddr[base]!, out, 0, this.valueSize, this.lockOff);
      // Like the kernel's check_and_init_map_value: roots and kptrs read as zero from user space.
      if (this.graph) for (const f of this.spec.graph!.fields) out.fill(0, f.offset, f.offset + GRAPH_FIELD_SIZE[f.kind]);
      for (const o of this.asyncOffs) out.fill(0, o, o + TIMER_SIZE);
      return out;
    }
    const out = new Uint8Array(this.percpuStride * this.ncpus);
    for (let c = 0; c < this.copies; c++) copyValueOut(u8, this.slotValAddr[base + c]!, out, c * this.percpuStride, this.valueSize, this.lockOff);
    return out;
  }

  private keyIdAt(keyAddr: number): KeyId {
    this.arena.check(keyAddr, this.keySize, false);
    return keyIdOf(this.arena.u8, keyAddr, this.keySize);
  }

  private copyFor(cpu: number): number {
    if (!this.percpu) return 0;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.ncpus) {
      throw new FaultSignal(`map ${this.name}: cpu ${cpu} out of range (ncpus ${this.ncpus})`);
    }
    return cpu;
  }

  private listFor(cpu: number): number {
    return this.lruHead.length === 1 ? 0 : Math.min(Math.max(cpu | 0, 0), this.lruHead.length - 1);
  }
}

/** The map key's identity in the index: a number for keys of up to 6 bytes (exact below 2^53; the
 *  common u32 key is the fast path), else a string of 16-bit code units (the size is fixed per
 *  map, so a trailing odd byte is unambiguous). */
export function keyIdOf(bytes: Uint8Array, off: number, size: number): KeyId {
  if (size === 4) return (bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24)) >>> 0;
  if (size <= 6) {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[off + i]!;
    return v;
  }
  if (size === 8) {
    // u64 keys whose upper half is below 2^21 (ids, pid_tgid, small counters) stay exact numbers;
    // the rest become 4-unit strings. The two forms never collide (numbers vs strings).
    const hi = (bytes[off + 4]! | (bytes[off + 5]! << 8) | (bytes[off + 6]! << 16) | (bytes[off + 7]! << 24)) >>> 0;
    if (hi < 0x200000) return hi * 0x100000000 + ((bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24)) >>> 0);
    return String.fromCharCode(
      bytes[off]! | (bytes[off + 1]! << 8),
      bytes[off + 2]! | (bytes[off + 3]! << 8),
      bytes[off + 4]! | (bytes[off + 5]! << 8),
      bytes[off + 6]! | (bytes[off + 7]! << 8),
    );
  }
  if (size > KEY_UNITS.length * 2) {
    // Keys beyond the stack's 512 bytes (from map values): in chunks, since fromCharCode.apply
    // takes a bounded number of arguments.
    let id = '';
    for (let at = 0; at < size; at += KEY_UNITS.length * 2) id += keyIdOf(bytes, off + at, Math.min(KEY_UNITS.length * 2, size - at));
    return id;
  }
  const units = KEY_UNITS;
  const n = size >>> 1;
  for (let i = 0; i < n; i++) units[i] = bytes[off + 2 * i]! | (bytes[off + 2 * i + 1]! << 8);
  let len = n;
  if (size & 1) units[len++] = bytes[off + size - 1]!;
  return String.fromCharCode.apply(null, len === units.length ? units : units.slice(0, len));
}

/** Scratch for keyIdOf: keys of up to 512 bytes (MAX_BPF_STACK) in one piece. */
const KEY_UNITS: number[] = new Array<number>(256).fill(0);

function checkHashSpec(spec: MapSpec, kind: HashTableKind): void {
  let allowed = MapFlag.NO_PREALLOC | MapFlag.NUMA_NODE | MapFlag.ZERO_SEED | ACCESS_MASK;
  if (kind.lru) allowed |= MapFlag.NO_COMMON_LRU;
  checkCommonSpec(spec, allowed, kind.percpu ? MAX_PERCPU_VALUE_SIZE : MAX_HASH_KEY_VALUE);
  if (kind.percpu) checkPercpuNuma(spec);
  if (spec.keySize + spec.valueSize > MAX_HASH_KEY_VALUE) {
    throw createError(spec, `key_size ${spec.keySize} + value_size ${spec.valueSize} too large (max ${MAX_HASH_KEY_VALUE} together)`, Errno.E2BIG);
  }
  if (kind.lru && (spec.flags & MapFlag.NO_PREALLOC) !== 0) {
    throw createError(spec, 'LRU maps are always preallocated (BPF_F_NO_PREALLOC is not supported)', Errno.ENOTSUPP);
  }
  if ((spec.flags & MapFlag.NO_PREALLOC) === 0 && spec.maxEntries > MAX_PREALLOC_ENTRIES) {
    throw createError(spec, `max_entries ${spec.maxEntries} too large to preallocate (max ${MAX_PREALLOC_ENTRIES}; use BPF_F_NO_PREALLOC)`, Errno.ENOMEM);
  }
  if (spec.spinLockOffset !== undefined && (kind.lru || kind.percpu)) {
    throw createError(spec, 'bpf_spin_lock is only supported in hash, array and local-storage maps', Errno.EOPNOTSUPP);
  }
  if (spec.type !== (kind.lru ? (kind.percpu ? MapType.LRU_PERCPU_HASH : MapType.LRU_HASH) : kind.percpu ? MapType.PERCPU_HASH : MapType.HASH)) {
    throw createError(spec, 'map type does not match the hash table kind', Errno.EINVAL);
  }
}
