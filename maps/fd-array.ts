// Shared core of the maps whose values are references the kernel resolves at update time: u32
// slots (0 = empty) indexed by a u32 key (prog_array, array_of_maps, devmap, cpumap,
// perf_event_array) plus the kernel's common checks. What a slot refers to (a program id, a map
// id, an ifindex, a queue size) and how it is validated is up to each map type. Slots are kept
// sparsely (only filled ones cost memory): max_entries comes from the object and may be 2^32 - 1.

import { MapError } from '../src/errors.js';
import { createError, FD_ARRAY_FLAGS } from './common.js';
import { Errno, MapFlag, type BpfMap, type MapContext, type MapRuntime, type MapSpec } from './types.js';

export function u32Of(b: Uint8Array, off = 0): number {
  return new DataView(b.buffer, b.byteOffset + off, 4).getUint32(0, true);
}

export function u32Bytes(...vals: number[]): Uint8Array {
  const out = new Uint8Array(4 * vals.length);
  const dv = new DataView(out.buffer);
  vals.forEach((v, i) => dv.setUint32(4 * i, v >>> 0, true));
  return out;
}

export function runtimeOf(spec: MapSpec, ctx: MapContext): MapRuntime {
  if (!ctx.runtime) throw createError(spec, 'needs a runtime (map and program tables)', Errno.EINVAL);
  return ctx.runtime;
}

/** Checks of fd_array_map_alloc_check: key and value are u32, max_entries > 0, map_flags within
 *  `allowed` (the kernel's mask for the type). */
export function checkFdArraySpec(spec: MapSpec, valueSizes: readonly number[] = [4], allowed: number = FD_ARRAY_FLAGS): void {
  if (spec.keySize !== 4 || !valueSizes.includes(spec.valueSize) || spec.maxEntries === 0) {
    throw createError(spec, `needs key_size 4, value_size ${valueSizes.join(' or ')} and max_entries > 0`, Errno.EINVAL);
  }
  const bad = spec.flags & ~allowed;
  if (bad !== 0) throw createError(spec, `unsupported map_flags 0x${(bad >>> 0).toString(16)}`, Errno.EINVAL);
  if ((spec.flags & MapFlag.RDONLY) !== 0 && (spec.flags & MapFlag.WRONLY) !== 0) {
    throw createError(spec, 'BPF_F_RDONLY and BPF_F_WRONLY are mutually exclusive', Errno.EINVAL);
  }
}

/** The u32 slots of an fd array: `count` of them, all 0 (empty) until set. Only filled slots are
 *  stored, so creating a map with a huge max_entries costs nothing until it is used. */
export class Slots {
  private readonly filled = new Map<number, number>();
  constructor(readonly count: number) {}
  get(i: number): number {
    return this.filled.get(i) ?? 0;
  }
  set(i: number, id: number): void {
    if (id === 0) this.filled.delete(i);
    else this.filled.set(i, id);
  }
}

/** A user-side key of 4 bytes as an index. */
export function userIndex(name: string, key: Uint8Array): number {
  if (!(key instanceof Uint8Array) || key.length !== 4) throw new MapError(`key is ${key?.length} bytes, key_size is 4`, name, -Errno.EINVAL);
  return u32Of(key);
}

export function checkUserValue(name: string, value: Uint8Array, size: number): void {
  if (!(value instanceof Uint8Array) || value.length !== size) throw new MapError(`value is ${value?.length} bytes, value_size is ${size}`, name, -Errno.EINVAL);
}

/** get_next_key of every array-shaped map: a missing or last-but-out-of-range key restarts at 0. */
export function nextIndex(name: string, key: Uint8Array | undefined, max: number): Uint8Array | undefined {
  let next = 0;
  if (key !== undefined) {
    const i = userIndex(name, key);
    if (i < max) next = i + 1;
  }
  return next < max ? u32Bytes(next) : undefined;
}

/** Store `id` in slot `i` of an fd array: BPF_ANY only (-EINVAL), `i` below the slot count
 *  (-E2BIG), then `check(id)` (0 or a negative errno). */
export function setSlot(slots: Slots, i: number, id: number, flags: number, check: (id: number) => number): number {
  if (flags !== 0) return -Errno.EINVAL;
  if (i >= slots.count) return -Errno.E2BIG;
  const err = check(id);
  if (err < 0) return err;
  slots.set(i, id);
  return 0;
}

/** Empty slot `i` of an fd array: out of range -E2BIG, already empty -ENOENT. */
export function clearSlot(slots: Slots, i: number): number {
  if (i >= slots.count) return -Errno.E2BIG;
  if (slots.get(i) === 0) return -Errno.ENOENT;
  slots.set(i, 0);
  return 0;
}

/** An fd array whose slots hold object ids (prog_array, array_of_maps): u32 keys and values,
 *  user-space lookups return the id, programs cannot update or delete. `checkId` validates an id
 *  being stored; `checkSpec` runs after checkFdArraySpec and before the runtime is required. */
export abstract class IdArrayMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize = 4;
  readonly maxEntries: number;
  frozen = false;
  protected readonly slots: Slots;
  protected readonly runtime: MapRuntime;

  constructor(spec: MapSpec, ctx: MapContext, checkSpec?: (spec: MapSpec) => void) {
    checkFdArraySpec(spec);
    checkSpec?.(spec);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.maxEntries = spec.maxEntries;
    this.slots = new Slots(spec.maxEntries);
    this.runtime = runtimeOf(spec, ctx);
  }

  protected abstract checkId(id: number): number;

  /** The id in slot `index`, or 0 (empty or out of range). */
  protected slotId(index: number): number {
    return index < this.maxEntries ? this.slots.get(index) : 0;
  }

  lookupElem(): number {
    return 0;
  }
  updateElem(): number {
    return -Errno.EINVAL;
  }
  deleteElem(): number {
    return -Errno.EINVAL;
  }
  lookup(key: Uint8Array): Uint8Array | undefined {
    const id = this.slotId(userIndex(this.name, key));
    return id === 0 ? undefined : u32Bytes(id);
  }
  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    const i = userIndex(this.name, key);
    checkUserValue(this.name, value, 4);
    if (this.frozen) return -Errno.EPERM;
    return setSlot(this.slots, i, u32Of(value), flags, (id) => this.checkId(id));
  }
  delete(key: Uint8Array): number {
    const i = userIndex(this.name, key);
    if (this.frozen) return -Errno.EPERM;
    return clearSlot(this.slots, i);
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return nextIndex(this.name, key, this.maxEntries);
  }
  destroy(): void {}
}
