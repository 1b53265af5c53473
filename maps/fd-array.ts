// Shared core of the maps whose values are references the kernel resolves at update time: an
// array of u32 slots (0 = empty) indexed by a u32 key (prog_array, array_of_maps, devmap, cpumap)
// plus the kernel's common checks. What a slot refers to (a program id, a map id, an ifindex, a
// queue size) and how it is validated is up to each map type.

import { MapError } from '../src/errors.js';
import { ACCESS_MASK, createError } from './common.js';
import { Errno, MapFlag, type MapContext, type MapRuntime, type MapSpec } from './types.js';

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

/** Checks of fd_array_map_alloc_check: key and value are u32, max_entries > 0. */
export function checkFdArraySpec(spec: MapSpec, valueSizes: readonly number[] = [4]): void {
  if (spec.keySize !== 4 || !valueSizes.includes(spec.valueSize) || spec.maxEntries === 0) {
    throw createError(spec, `needs key_size 4, value_size ${valueSizes.join(' or ')} and max_entries > 0`, Errno.EINVAL);
  }
  const bad = spec.flags & ~(MapFlag.NUMA_NODE | ACCESS_MASK | MapFlag.INNER_MAP);
  if (bad !== 0) throw createError(spec, `unsupported map_flags 0x${bad.toString(16)}`, Errno.EINVAL);
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
