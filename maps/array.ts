// BPF_MAP_TYPE_ARRAY, the reference BpfMap. All values live in one arena region, element i at
// `base + i * stride` with the stride rounded up to 8 bytes as the kernel does, so pointers a
// program gets stay valid for the map's lifetime (arrays never delete). The loader uses it for
// .data/.rodata/.bss (one element holding the whole section). A bpf_spin_lock word in the value
// is write-protected for programs (only the lock helpers change it), as in hash maps.

import { MapError } from '../src/errors.js';
import { ARRAY_FLAGS, MAX_ARRAY_VALUE_SIZE, SPIN_LOCK_SIZE, TIMER_SIZE, checkCommonSpec, checkFitsArena, checkProgWritable, checkUserBytes, createError, isU32Flags, valueMemFlags } from './common.js';
import { GRAPH_FIELD_SIZE } from './graph.js';
import { Errno, UpdateFlag, type BpfMap, type MapContext, type MapFactory, type MapSpec } from './types.js';

export class ArrayMap implements BpfMap {
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly stride: number;
  /** Arena address of element 0. */
  readonly base: number;
  frozen = false;
  private readonly arena: MapContext['arena'];
  private readonly graph: MapContext['graph'];
  /** The runtime's timers, when the values hold a struct bpf_timer (spec.timerOffset). */
  private readonly timers: MapContext['timers'];
  /** Offsets of the value's struct bpf_timer and struct bpf_wq (16 bytes each), if any. */
  private readonly asyncOffs: readonly number[];
  private destroyed = false;

  constructor(
    readonly spec: Readonly<MapSpec>,
    ctx: MapContext,
  ) {
    checkCommonSpec(spec, ARRAY_FLAGS, MAX_ARRAY_VALUE_SIZE);
    if (spec.keySize !== 4) throw createError(spec, `array maps need key_size 4 (got ${spec.keySize})`, Errno.EINVAL);
    this.type = spec.type;
    this.name = spec.name;
    this.keySize = 4;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    // Plain arithmetic, not `(n + 7) & ~7`: value_size may be up to 2^31 - 1.
    this.stride = Math.ceil(spec.valueSize / 8) * 8;
    this.arena = ctx.arena;
    this.graph = spec.graph ? ctx.graph : undefined;
    this.asyncOffs = [spec.timerOffset, spec.wqOffset].filter((o): o is number => o !== undefined);
    this.timers = this.asyncOffs.length ? ctx.timers : undefined;
    const total = this.stride * this.maxEntries;
    checkFitsArena(spec, total, this.arena.maxBytes);
    this.base = this.arena.allocRegion(total, valueMemFlags(spec.flags), 'map', spec.name);
    const lk = spec.spinLockOffset;
    if (lk !== undefined) for (let i = 0; i < this.maxEntries; i++) this.arena.protect(this.base + i * this.stride + lk, SPIN_LOCK_SIZE);
    for (const c of spec.contents ?? []) {
      const idx = keyIndex(c.key);
      if (idx >= this.maxEntries) {
        this.destroy();
        throw new MapError(`initial value for index ${idx} beyond max_entries ${this.maxEntries}`, spec.name, -Errno.E2BIG);
      }
      this.arena.write(this.base + idx * this.stride, c.value.subarray(0, this.valueSize));
    }
  }

  spinLockAt(addr: number): boolean {
    const lk = this.spec.spinLockOffset;
    const off = addr - this.base;
    return lk !== undefined && !this.destroyed && off >= 0 && off < this.stride * this.maxEntries && off % this.stride === lk;
  }

  valueBase(addr: number): number | undefined {
    const off = addr - this.base;
    if (this.destroyed || off < 0 || off >= this.stride * this.maxEntries) return undefined;
    return this.base + Math.floor(off / this.stride) * this.stride;
  }

  valueKey(valueAddr: number): { index: number } | undefined {
    const off = valueAddr - this.base;
    if (this.destroyed || off < 0 || off >= this.stride * this.maxEntries || off % this.stride !== 0) return undefined;
    return { index: off / this.stride };
  }

  /** Address of element `index` (the loader and LD_IMM64 map-value use this). */
  valueAddr(index: number): number {
    return this.base + index * this.stride;
  }

  // ---- program side ----

  lookupElem(keyAddr: number, _cpu: number): number {
    this.arena.check(keyAddr, 4, false);
    const idx = this.arena.dv.getUint32(keyAddr, true);
    return idx < this.maxEntries ? this.base + idx * this.stride : 0;
  }

  updateElem(keyAddr: number, valueAddr: number, flags: number, _cpu: number): number {
    checkProgWritable(this.spec);
    this.arena.check(keyAddr, 4, false);
    this.arena.check(valueAddr, this.valueSize, false);
    const idx = this.arena.dv.getUint32(keyAddr, true);
    const err = this.checkUpdate(idx, flags);
    if (err !== 0) return err;
    const dst = this.base + idx * this.stride;
    const lock = this.saveLock(dst);
    const special = this.saveGraph(dst);
    this.arena.u8.copyWithin(dst, valueAddr, valueAddr + this.valueSize);
    this.restoreLock(dst, lock);
    this.replaceGraph(dst, special);
    this.freeTimer(dst);
    return 0;
  }

  deleteElem(_keyAddr: number): number {
    return -Errno.EINVAL;
  }

  // ---- user side ----

  lookup(key: Uint8Array): Uint8Array | undefined {
    const idx = this.userKey(key);
    if (idx >= this.maxEntries) return undefined;
    const out = this.arena.read(this.base + idx * this.stride, this.valueSize);
    // Like the kernel's check_and_init_map_value: special fields read as zero from user space.
    const lk = this.spec.spinLockOffset;
    if (lk !== undefined) out.fill(0, lk, lk + 4);
    for (const f of this.spec.graph?.fields ?? []) out.fill(0, f.offset, f.offset + GRAPH_FIELD_SIZE[f.kind]);
    for (const o of this.asyncOffs) out.fill(0, o, o + TIMER_SIZE);
    return out;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number = UpdateFlag.ANY): number {
    const idx = this.userKey(key);
    checkUserBytes(this.spec, 'value', value, this.valueSize);
    if (this.frozen) return -Errno.EPERM;
    const err = this.checkUpdate(idx, flags);
    if (err !== 0) return err;
    const dst = this.base + idx * this.stride;
    const lock = this.saveLock(dst);
    const special = this.saveGraph(dst);
    this.arena.write(dst, value);
    this.restoreLock(dst, lock);
    this.replaceGraph(dst, special);
    this.freeTimer(dst);
    return 0;
  }

  delete(key: Uint8Array): number {
    this.userKey(key);
    return -Errno.EINVAL;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    // Like the kernel: a missing or out-of-range key restarts at index 0.
    let next = 0;
    if (key !== undefined) {
      const idx = this.userKey(key);
      if (idx < this.maxEntries) next = idx + 1;
    }
    if (next >= this.maxEntries) return undefined;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, next, true);
    return out;
  }

  destroy(): void {
    if (this.destroyed) return;
    // What the values' roots and kptrs still hold goes first (bpf_obj_free_fields per element).
    if (this.graph) for (let i = 0; i < this.maxEntries; i++) this.graph.freeFields(this.spec.graph!, this.base + i * this.stride);
    if (this.timers) for (let i = 0; i < this.maxEntries; i++) for (const o of this.asyncOffs) this.timers.free(this.base + i * this.stride + o);
    this.destroyed = true;
    this.arena.free(this.base); // also clears the spin-lock words' write protection
  }

  private checkUpdate(idx: number, flags: number): number {
    if (!isU32Flags(flags)) return -Errno.EINVAL;
    if (flags & ~(UpdateFlag.EXIST | UpdateFlag.NOEXIST | UpdateFlag.F_LOCK) || (flags & 3) === 3) return -Errno.EINVAL;
    if (idx >= this.maxEntries) return -Errno.E2BIG;
    // Every index of an array exists, so NOEXIST can never succeed.
    if (flags & UpdateFlag.NOEXIST) return -Errno.EEXIST;
    if (flags & UpdateFlag.F_LOCK && this.spec.spinLockOffset === undefined) return -Errno.EINVAL;
    return 0;
  }

  // Updates never overwrite a bpf_spin_lock inside the value (the kernel's copy_map_value skips
  // special fields); with BPF_F_LOCK the copy would happen under that lock, which in a
  // single-threaded VM is the same copy.
  private saveLock(elem: number): number {
    const lk = this.spec.spinLockOffset;
    return lk === undefined ? 0 : this.arena.dv.getUint32(elem + lk, true);
  }

  private restoreLock(elem: number, word: number): void {
    const lk = this.spec.spinLockOffset;
    if (lk !== undefined) this.arena.dv.setUint32(elem + lk, word, true);
  }

  // An update copies around the graph roots and kptrs too (copy_map_value skips every special
  // field), then frees what they held (array_map_update_elem's bpf_obj_free_fields): the old kptr
  // is dropped and the roots are drained, as in the kernel.
  private saveGraph(elem: number): Uint8Array[] | undefined {
    if (!this.graph) return undefined;
    return this.spec.graph!.fields.map((f) => this.arena.read(elem + f.offset, GRAPH_FIELD_SIZE[f.kind]));
  }

  private replaceGraph(elem: number, saved: Uint8Array[] | undefined): void {
    if (!saved) return;
    this.spec.graph!.fields.forEach((f, i) => this.arena.u8.set(saved[i]!, elem + f.offset));
    this.graph!.freeFields(this.spec.graph!, elem);
  }

  // array_map_update_elem: the copy skips the timer (copy_map_value), then bpf_obj_free_fields
  // cancels and frees it; its bytes read as zero again, as the kernel's async->cb = NULL.
  private freeTimer(elem: number): void {
    if (!this.timers) return;
    for (const o of this.asyncOffs) {
      const at = elem + o;
      this.arena.u8.fill(0, at, at + TIMER_SIZE);
      this.timers.free(at);
    }
  }

  private userKey(key: Uint8Array): number {
    checkUserBytes(this.spec, 'key', key, 4);
    return keyIndex(key);
  }
}

function keyIndex(key: Uint8Array): number {
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(0, true);
}

export const createArrayMap: MapFactory = (spec, ctx) => new ArrayMap(spec, ctx);
