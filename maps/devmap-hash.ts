// BPF_MAP_TYPE_DEVMAP_HASH (kernel/bpf/devmap.c): redirect targets under arbitrary u32 keys,
// values as in maps/devmap.ts. Kept in the shared hash table (maps/hash-table.ts; iteration in
// its documented order, not the kernel's bucket order) with values read-only to programs.
// Update: flags above BPF_EXIST -EINVAL, NOEXIST on a present key -EEXIST, a new key into a full
// map -E2BIG, a device other than loopback (including ifindex 0) -EINVAL; delete of an absent key
// -ENOENT.

import { createError, DEV_CREATE_FLAGS } from './common.js';
import { checkDevmapValue } from './devmap.js';
import { checkFdArraySpec, checkUserValue, runtimeOf } from './fd-array.js';
import { HashTable } from './hash-table.js';
import { Errno, MapFlag, MapType, UpdateFlag, type BpfMap, type MapContext, type MapRuntime, type MapSpec } from './types.js';

export class DevmapHashMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize: number;
  readonly maxEntries: number;
  frozen = false;
  private readonly table: HashTable;
  private readonly runtime: MapRuntime;

  constructor(spec: MapSpec, ctx: MapContext) {
    if (spec.keySize !== 4 || (spec.valueSize !== 4 && spec.valueSize !== 8) || spec.maxEntries === 0) {
      throw createError(spec, 'needs key_size 4, value_size 4 or 8 and max_entries > 0', Errno.EINVAL);
    }
    checkFdArraySpec(spec, [4, 8], DEV_CREATE_FLAGS);
    this.table = new HashTable({ ...spec, type: MapType.HASH, flags: (spec.flags | MapFlag.RDONLY_PROG | MapFlag.NO_PREALLOC) & ~MapFlag.INNER_MAP }, ctx, { percpu: false, lru: false });
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.runtime = runtimeOf(spec, ctx);
  }

  /** The target's key exists (bpf_redirect_map succeeds). */
  hasTarget(key: number): boolean {
    const k = new Uint8Array(4);
    new DataView(k.buffer).setUint32(0, key >>> 0, true);
    return this.table.lookup(k) !== undefined;
  }

  lookupElem(keyAddr: number): number {
    return this.table.lookupElem(keyAddr, 0);
  }
  updateElem(): number {
    return -Errno.EINVAL;
  }
  deleteElem(): number {
    return -Errno.EINVAL;
  }
  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.table.lookup(key);
  }
  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    checkUserValue(this.name, value, this.valueSize);
    if (this.frozen) return -Errno.EPERM;
    if (!Number.isInteger(flags) || flags > UpdateFlag.EXIST || flags < 0) return -Errno.EINVAL;
    const exists = this.table.lookup(key) !== undefined;
    if (exists && flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    const err = checkDevmapValue(this.runtime, value);
    if (err < 0) return err;
    // the kernel does not check BPF_EXIST for devmap_hash: a new key is added either way
    return this.table.update(key, value, UpdateFlag.ANY);
  }
  delete(key: Uint8Array): number {
    if (this.frozen) {
      this.table.lookup(key); // checks the key like every other operation
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

export const createDevmapHashMap = (spec: MapSpec, ctx: MapContext): BpfMap => new DevmapHashMap(spec, ctx);
