// BPF_MAP_TYPE_ARRAY_OF_MAPS (kernel/bpf/arraymap.c + map_in_map.c): slot i holds an inner map.
// The map is created with an inner-map template (MapSpec.innerMap, from `__array(values, ...)`);
// user space stores inner maps by map id (the kernel takes fds and reports ids back), and each
// must match the template as bpf_map_meta_equal checks: same type, key_size, value_size and
// map_flags, and for array inner maps the same max_entries unless the template has
// BPF_F_INNER_MAP. A mismatch is -EINVAL, an unknown id -EBADF, flags other than BPF_ANY -EINVAL.
// Programs look up a slot and get the inner map's handle (a value usable as a map pointer,
// DESIGN section 2) or NULL; user-space lookups return the inner map id. `createInner` makes a
// fresh map from the template, as libbpf does for a slot the object leaves empty.

import { MapError } from '../src/errors.js';
import { createError } from './common.js';
import { IdArrayMap, u32Bytes } from './fd-array.js';
import { Errno, MapFlag, MapType, type BpfMap, type MapContext, type MapRuntime, type MapSpec } from './types.js';

export function checkInnerTemplate(spec: MapSpec): MapSpec {
  const t = spec.innerMap;
  if (!t) throw createError(spec, 'map-in-map needs an inner map template (__array(values, ...) in its definition, or LoadOptions.innerMaps)', Errno.EINVAL);
  if ([MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS, MapType.PROG_ARRAY, MapType.PERF_EVENT_ARRAY].includes(t.type as 3)) {
    throw createError(spec, 'inner maps cannot be map-in-map, prog_array or perf_event_array maps', Errno.ENOTSUPP);
  }
  return t;
}

/** 0 when `id` names a map the template accepts, else -EBADF / -EINVAL. */
export function checkInner(runtime: MapRuntime, template: MapSpec, id: number): number {
  const m = runtime.mapById(id)?.map;
  if (!m) return -Errno.EBADF;
  const s = m.spec;
  if (s.type !== template.type || m.keySize !== template.keySize || m.valueSize !== template.valueSize) return -Errno.EINVAL;
  if ((s.flags & ~MapFlag.INNER_MAP) !== (template.flags & ~MapFlag.INNER_MAP)) return -Errno.EINVAL;
  const arrayLike = s.type === MapType.ARRAY || s.type === MapType.PERCPU_ARRAY;
  if (arrayLike && (template.flags & MapFlag.INNER_MAP) === 0 && m.maxEntries !== template.maxEntries) return -Errno.EINVAL;
  // xsk_map_meta_equal: an xskmap (which cannot take BPF_F_INNER_MAP) must match in max_entries too
  if (s.type === MapType.XSKMAP && m.maxEntries !== template.maxEntries) return -Errno.EINVAL;
  return 0;
}

/** Create a map named `name` from `template` (the runtime must be able to) and store its id
 *  with `store`; a failed store throws with `what` before the errno. Returns the id. */
export function createInnerMap(runtime: MapRuntime, mapName: string, template: MapSpec, name: string, store: (id: number) => number, what: string): number {
  if (!runtime.createMap) throw new MapError('the runtime cannot create maps', mapName, -Errno.EINVAL);
  const lm = runtime.createMap({ ...template, name });
  const err = store(lm.id);
  if (err < 0) throw new MapError(`${what}errno ${-err}`, mapName, err);
  return lm.id;
}

export class ArrayOfMapsMap extends IdArrayMap {
  readonly template: MapSpec;
  private readonly arena: MapContext['arena'];

  constructor(spec: MapSpec, ctx: MapContext) {
    super(spec, ctx, checkInnerTemplate);
    this.template = spec.innerMap!; // checked by checkInnerTemplate
    this.arena = ctx.arena;
  }

  /** Inner map id in slot `index`, 0 when empty. */
  innerId(index: number): number {
    return this.slotId(index);
  }

  /** Create a map from the template, store it in slot `index` and return its id. */
  createInner(index: number, name = `${this.name}.inner${index}`): number {
    return createInnerMap(this.runtime, this.name, this.template, name, (id) => this.update(u32Bytes(index), u32Bytes(id)), `slot ${index}: `);
  }

  lookupElemHandle(keyAddr: number): bigint {
    this.arena.check(keyAddr, 4, false);
    const id = this.innerId(this.arena.dv.getUint32(keyAddr, true));
    return id === 0 ? 0n : this.runtime.mapById(id)?.handle ?? 0n;
  }

  protected checkId(id: number): number {
    return checkInner(this.runtime, this.template, id);
  }
}

export const createArrayOfMapsMap = (spec: MapSpec, ctx: MapContext): BpfMap => new ArrayOfMapsMap(spec, ctx);
