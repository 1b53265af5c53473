// BPF_MAP_TYPE_DEVMAP (kernel/bpf/devmap.c): slot i holds a redirect target, the kernel's
// `struct bpf_devmap_val { __u32 ifindex; union { int fd; __u32 id; } bpf_prog; }` (value_size 4:
// ifindex only, or 8). ebpfvm's only device is loopback (ifindex 1, as in vm/test-run.ts), so
// another ifindex is -EINVAL, as the kernel answers for a device that does not exist. A program
// (user space writes a program id here; > 0 means one) must exist, else -EINVAL. ifindex 0
// empties the slot. Update: flags above BPF_EXIST -EINVAL, index out of range -E2BIG, NOEXIST
// -EEXIST (every slot "exists"); delete out of range -EINVAL, else 0. Programs see a read-only
// copy of the value (bpf_map_lookup_elem) and redirect through it (helpers/redirect.ts).

import { MemFlag } from '../vm/memory.js';
import { allocElement, DEV_CREATE_FLAGS } from './common.js';
import { checkFdArraySpec, checkUserValue, nextIndex, runtimeOf, u32Of, userIndex } from './fd-array.js';
import { Errno, UpdateFlag, type BpfMap, type MapContext, type MapRuntime, type MapSpec } from './types.js';

/** The one device ebpfvm has. */
export const LOOPBACK_IFINDEX = 1;

/** Validate a devmap value; 0 or negative errno. */
export function checkDevmapValue(runtime: MapRuntime, v: Uint8Array): number {
  const ifindex = u32Of(v);
  const prog = progOf(v);
  if (ifindex !== LOOPBACK_IFINDEX) return -Errno.EINVAL;
  if (prog > 0 && runtime.programById(prog) === undefined) return -Errno.EINVAL;
  return 0;
}

/** The program of a devmap or cpumap value (its bytes 4-7 as an s32; 0 when value_size is 4). */
export function progOf(v: Uint8Array): number {
  return v.length >= 8 ? new DataView(v.buffer, v.byteOffset + 4, 4).getInt32(0, true) : 0;
}

/** `count` slots of fixed-size target values, each in read-only arena memory allocated when the
 *  slot is first filled (devmap and cpumap): max_entries comes from the object and may be huge,
 *  while the kernel's entries too are allocated per update. */
export class TargetArray {
  /** Arena address of each filled slot's value. */
  private readonly values = new Map<number, number>();
  constructor(
    private readonly arena: MapContext['arena'],
    readonly count: number,
    readonly size: number,
    private readonly name: string,
  ) {}
  /** Fill (or with undefined, empty) slot `i`: 0, or -ENOMEM when the arena is full. */
  set(i: number, v: Uint8Array | undefined): number {
    const old = this.values.get(i);
    if (v === undefined) {
      if (old !== undefined) this.arena.free(old);
      this.values.delete(i);
      return 0;
    }
    const a = old ?? allocElement(this.arena, this.size, this.name, MemFlag.READ);
    if (a === 0) return -Errno.ENOMEM;
    this.values.set(i, a);
    this.arena.write(a, v.subarray(0, this.size));
    return 0;
  }
  addr(i: number): number {
    return this.values.get(i) ?? 0;
  }
  get(i: number): Uint8Array | undefined {
    const a = this.addr(i);
    return a === 0 ? undefined : this.arena.read(a, this.size);
  }
  free(): void {
    for (const a of this.values.values()) this.arena.free(a);
    this.values.clear();
  }
}

/** A map of redirect targets in a TargetArray indexed by a u32 key (devmap, cpumap): programs
 *  read a slot, user space updates it. `checkSpec` validates the spec first; `store` validates
 *  and stores (or empties) slot `i` once the common update checks have passed. */
export abstract class TargetArrayMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize: number;
  readonly maxEntries: number;
  frozen = false;
  protected readonly targets: TargetArray;
  protected readonly runtime: MapRuntime;
  private readonly arena: MapContext['arena'];

  constructor(spec: MapSpec, ctx: MapContext, checkSpec: (spec: MapSpec) => void, kind: string) {
    checkSpec(spec);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.runtime = runtimeOf(spec, ctx);
    this.arena = ctx.arena;
    this.targets = new TargetArray(ctx.arena, spec.maxEntries, spec.valueSize, `${spec.name} ${kind}`);
  }

  protected abstract store(i: number, value: Uint8Array): number;

  /** Whether bpf_redirect_map finds a target at `key`. */
  hasTarget(key: number): boolean {
    return this.targets.addr(key) !== 0;
  }

  lookupElem(keyAddr: number): number {
    this.arena.check(keyAddr, 4, false);
    return this.targets.addr(this.arena.dv.getUint32(keyAddr, true));
  }
  updateElem(): number {
    return -Errno.EINVAL;
  }
  deleteElem(): number {
    return -Errno.EINVAL;
  }
  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.targets.get(userIndex(this.name, key));
  }
  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    const i = userIndex(this.name, key);
    checkUserValue(this.name, value, this.valueSize);
    if (this.frozen) return -Errno.EPERM;
    if (!Number.isInteger(flags) || flags > UpdateFlag.EXIST || flags < 0) return -Errno.EINVAL;
    if (i >= this.maxEntries) return -Errno.E2BIG;
    if (flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    return this.store(i, value);
  }
  delete(key: Uint8Array): number {
    const i = userIndex(this.name, key);
    if (this.frozen) return -Errno.EPERM;
    if (i >= this.maxEntries) return -Errno.EINVAL;
    this.targets.set(i, undefined);
    return 0;
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return nextIndex(this.name, key, this.maxEntries);
  }
  destroy(): void {
    this.targets.free();
  }
}

export class DevmapMap extends TargetArrayMap {
  constructor(spec: MapSpec, ctx: MapContext) {
    super(spec, ctx, (s) => checkFdArraySpec(s, [4, 8], DEV_CREATE_FLAGS), 'devmap');
  }

  protected store(i: number, value: Uint8Array): number {
    if (u32Of(value) === 0) {
      if (progOf(value) > 0) return -Errno.EINVAL;
      this.targets.set(i, undefined);
      return 0;
    }
    const err = checkDevmapValue(this.runtime, value);
    if (err < 0) return err;
    return this.targets.set(i, value);
  }
}

export const createDevmapMap = (spec: MapSpec, ctx: MapContext): BpfMap => new DevmapMap(spec, ctx);
