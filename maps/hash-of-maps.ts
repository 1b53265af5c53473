// BPF_MAP_TYPE_HASH_OF_MAPS: a hash table (the shared core, maps/hash-table.ts, with its flags,
// errno and iteration order) whose u32 values are inner map ids, checked against the template
// as for array_of_maps (maps/array-of-maps.ts). Programs' lookups return the inner map's handle.

import { checkInner, checkInnerTemplate, createInnerMap } from './array-of-maps.js';
import { createError } from './common.js';
import { checkUserValue, runtimeOf, u32Bytes, u32Of } from './fd-array.js';
import { HashTable } from './hash-table.js';
import { Errno, MapType, type BpfMap, type MapContext, type MapRuntime, type MapSpec } from './types.js';

export class HashOfMapsMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize = 4;
  readonly maxEntries: number;
  frozen = false;
  readonly template: MapSpec;
  private readonly table: HashTable;
  private readonly runtime: MapRuntime;
  private readonly arena: MapContext['arena'];

  constructor(spec: MapSpec, ctx: MapContext) {
    if (spec.valueSize !== 4) throw createError(spec, 'map-in-map values are u32 map ids (value_size 4)', Errno.EINVAL);
    this.template = checkInnerTemplate(spec);
    const { innerMap: _t, contents: _c, ...rest } = spec;
    this.table = new HashTable({ ...rest, type: MapType.HASH }, ctx, { percpu: false, lru: false });
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.keySize = spec.keySize;
    this.maxEntries = spec.maxEntries;
    this.runtime = runtimeOf(spec, ctx);
    this.arena = ctx.arena;
  }

  /** Create a map from the template and store it under `key`; returns its id. */
  createInner(key: Uint8Array, name = `${this.name}.inner`): number {
    return createInnerMap(this.runtime, this.name, this.template, name, (id) => this.update(key, u32Bytes(id)), '');
  }

  lookupElemHandle(keyAddr: number): bigint {
    const v = this.table.lookupElem(keyAddr, 0);
    if (v === 0) return 0n;
    return this.runtime.mapById(this.arena.dv.getUint32(v, true))?.handle ?? 0n;
  }
  lookupElem(): number {
    return 0;
  }
  updateElem(): number {
    return -Errno.EINVAL;
  }
  deleteElem(keyAddr: number): number {
    return this.table.deleteElem(keyAddr);
  }
  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.table.lookup(key);
  }
  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    checkUserValue(this.name, value, 4);
    if (this.frozen) {
      this.table.lookup(key); // checks the key like every other operation
      return -Errno.EPERM;
    }
    const err = checkInner(this.runtime, this.template, u32Of(value));
    if (err < 0) return err;
    return this.table.update(key, value, flags);
  }
  delete(key: Uint8Array): number {
    if (this.frozen) {
      this.table.lookup(key);
      return -Errno.EPERM;
    }
    return this.table.delete(key);
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return this.table.nextKey(key);
  }
  destroy(): void {
    this.table.destroy();
  }
}

export const createHashOfMapsMap = (spec: MapSpec, ctx: MapContext): BpfMap => new HashOfMapsMap(spec, ctx);
