// BPF_MAP_TYPE_PERCPU_ARRAY: max_entries preallocated elements indexed by a u32 key, one copy per
// CPU. A program sees the copy of the CPU it runs on; user space reads and writes all copies at
// once, each padded to round_up(value_size, 8) bytes, in CPU order (libbpf's layout).
//
// Memory: one arena region per CPU holding that CPU's copy of every element at a stride of
// round_up(value_size, 8), so each CPU's copies are contiguous like the kernel's per-CPU areas.

import { FaultSignal } from '../src/errors.js';
import {
  ACCESS_MASK,
  MAX_PERCPU_VALUE_SIZE,
  checkCommonSpec,
  checkProgWritable,
  checkPercpuNuma,
  checkUserBytes,
  createError,
  roundUp8,
  updateFlagsValid,
  valueMemFlags,
} from './common.js';
import { Errno, MapFlag, MapType, UpdateFlag, type BpfMap, type MapContext, type MapFactory, type MapSpec } from './types.js';
import { MemFlag, type Arena } from '../vm/memory.js';

/** Refuse maps whose copies would not fit comfortably in the arena (the kernel answers ENOMEM). */
const MAX_TOTAL_BYTES = 256 * 1024 * 1024;

export class PercpuArrayMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type = MapType.PERCPU_ARRAY;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize: number;
  readonly maxEntries: number;
  frozen = false;
  readonly ncpus: number;
  /** Bytes between elements and between CPU copies in user buffers. */
  readonly stride: number;
  private readonly arena: Arena;
  /** Region base of each CPU's copies. */
  private readonly bases: number[] = [];

  constructor(spec: MapSpec, ctx: MapContext) {
    if (spec.type !== MapType.PERCPU_ARRAY) throw createError(spec, 'map type is not percpu_array', Errno.EINVAL);
    // The kernel's array_map_alloc_check allows BPF_F_NUMA_NODE for every array (the node only
    // places the memory; here there is one arena). Not BPF_F_MMAPABLE: per-CPU copies can't be.
    checkCommonSpec(spec, ACCESS_MASK | MapFlag.NUMA_NODE, MAX_PERCPU_VALUE_SIZE);
    checkPercpuNuma(spec);
    if (spec.keySize !== 4) throw createError(spec, `key_size must be 4 (got ${spec.keySize})`, Errno.EINVAL);
    if (spec.spinLockOffset !== undefined) {
      throw createError(spec, 'bpf_spin_lock is not supported in per-CPU maps', Errno.EOPNOTSUPP);
    }
    this.spec = Object.freeze({ ...spec });
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.ncpus = ctx.ncpus;
    this.arena = ctx.arena;
    this.stride = roundUp8(spec.valueSize);
    const perCpu = this.stride * spec.maxEntries;
    if (perCpu * ctx.ncpus > MAX_TOTAL_BYTES) {
      throw createError(spec, `${spec.maxEntries} elements x ${ctx.ncpus} CPUs x ${this.stride} bytes is too large`, Errno.ENOMEM);
    }
    const flags = valueMemFlags(spec.flags);
    for (let c = 0; c < ctx.ncpus; c++) this.bases.push(ctx.arena.allocRegion(perCpu, flags, 'map', `${spec.name}[cpu${c}]`));
    for (const { key, value } of spec.contents ?? []) {
      const err = this.update(key, value, UpdateFlag.ANY);
      if (err < 0) throw createError(spec, `initial contents rejected (errno ${-err})`, -err);
    }
  }

  // ---- program side -------------------------------------------------------------------

  /** Each CPU's region base (the compiling tier inlines lookups as the kernel's
   *  percpu_array_map_gen_lookup does: base of this CPU + index * stride). */
  cpuBases(): readonly number[] {
    return this.bases.slice();
  }

  lookupElem(keyAddr: number, cpu: number): number {
    const idx = this.indexAt(keyAddr);
    if (idx >= this.maxEntries) return 0;
    return this.bases[this.checkCpu(cpu)]! + idx * this.stride;
  }

  updateElem(keyAddr: number, valueAddr: number, flags: number, cpu: number): number {
    checkProgWritable(this.spec);
    const idx = this.indexAt(keyAddr);
    const err = this.checkUpdate(idx, flags);
    if (err !== 0) return err;
    this.arena.check(valueAddr, this.valueSize, false);
    const dst = this.bases[this.checkCpu(cpu)]! + idx * this.stride;
    this.arena.u8.copyWithin(dst, valueAddr, valueAddr + this.valueSize);
    return 0;
  }

  deleteElem(keyAddr: number): number {
    this.indexAt(keyAddr);
    return -Errno.EINVAL; // array elements always exist
  }

  // ---- user side ------------------------------------------------------------------------

  lookup(key: Uint8Array): Uint8Array | undefined {
    const idx = this.userIndex(key);
    if (idx >= this.maxEntries) return undefined;
    const out = new Uint8Array(this.stride * this.ncpus);
    for (let c = 0; c < this.ncpus; c++) {
      const src = this.bases[c]! + idx * this.stride;
      out.set(this.arena.u8.subarray(src, src + this.valueSize), c * this.stride);
    }
    return out;
  }

  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    const idx = this.userIndex(key);
    checkUserBytes(this.spec, 'value', value, this.stride * this.ncpus);
    if (this.frozen) return -Errno.EPERM;
    const err = this.checkUpdate(idx, flags);
    if (err !== 0) return err;
    for (let c = 0; c < this.ncpus; c++) {
      this.arena.u8.set(value.subarray(c * this.stride, c * this.stride + this.valueSize), this.bases[c]! + idx * this.stride);
    }
    return 0;
  }

  delete(key: Uint8Array): number {
    this.userIndex(key);
    if (this.frozen) return -Errno.EPERM;
    return -Errno.EINVAL;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    let next = 0;
    if (key !== undefined) {
      const idx = this.userIndex(key);
      // A missing (out of range) key restarts from index 0, as the kernel does.
      next = idx >= this.maxEntries ? 0 : idx + 1;
    }
    if (next >= this.maxEntries) return undefined;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, next, true);
    return out;
  }

  /** Visit every element's copy for `cpu` in index order; stop when `fn` returns true. */
  forEachElem(cpu: number, fn: (keyAddr: number, valueAddr: number) => boolean, keyScratch?: number): number {
    const c = this.checkCpu(cpu);
    // The key a callback sees is read-only to it, like the kernel's element key.
    const scratch = keyScratch ?? this.arena.alloc(4, { kind: 'map', name: `${this.name} key`, flags: MemFlag.READ });
    let n = 0;
    try {
      for (let i = 0; i < this.maxEntries; i++) {
        this.arena.dv.setUint32(scratch, i, true);
        n++;
        if (fn(scratch, this.bases[c]! + i * this.stride)) break;
      }
    } finally {
      if (keyScratch === undefined) this.arena.free(scratch);
    }
    return n;
  }

  destroy(): void {
    for (const b of this.bases) this.arena.free(b);
    this.bases.length = 0;
  }

  // ---- internals ------------------------------------------------------------------------

  private checkUpdate(idx: number, flags: number): number {
    if (!updateFlagsValid(flags, true)) return -Errno.EINVAL;
    if ((flags & UpdateFlag.F_LOCK) !== 0) return -Errno.EINVAL; // no bpf_spin_lock in per-CPU values
    if (idx >= this.maxEntries) return -Errno.E2BIG;
    if ((flags & 3) === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    return 0;
  }

  private indexAt(keyAddr: number): number {
    this.arena.check(keyAddr, 4, false);
    return this.arena.dv.getUint32(keyAddr, true);
  }

  private userIndex(key: Uint8Array): number {
    checkUserBytes(this.spec, 'key', key, 4);
    return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
  }

  private checkCpu(cpu: number): number {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.ncpus) {
      throw new FaultSignal(`map ${this.name}: cpu ${cpu} out of range (ncpus ${this.ncpus})`);
    }
    return cpu;
  }
}

export const createPercpuArrayMap: MapFactory = (spec: MapSpec, ctx: MapContext) => new PercpuArrayMap(spec, ctx);
