// BPF_MAP_TYPE_CPUMAP (kernel/bpf/cpumap.c): key = CPU number, value = the kernel's
// `struct bpf_cpumap_val { __u32 qsize; union { int fd; __u32 id; } bpf_prog; }` (value_size 4
// or 8). Creation: key_size 4, only BPF_F_NUMA_NODE, max_entries at most NR_CPUS (-E2BIG).
// Update: flags above BPF_EXIST -EINVAL, key >= max_entries -E2BIG, NOEXIST -EEXIST, qsize above
// 16384 -EOVERFLOW, a CPU the runtime does not have -ENODEV, qsize 0 empties the slot, an
// unknown program -ENOMEM (the kernel fails the entry allocation). Delete: key >= max_entries
// -EINVAL, else 0. Programs see the value read-only and redirect through it.

import { createError } from './common.js';
import { TargetArray } from './devmap.js';
import { checkUserValue, nextIndex, runtimeOf, u32Of, userIndex } from './fd-array.js';
import { Errno, MapFlag, UpdateFlag, type BpfMap, type MapContext, type MapRuntime, type MapSpec } from './types.js';

const NR_CPUS = 8192;
const MAX_QSIZE = 16384;
const EOVERFLOW = 75;

export class CpumapMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize: number;
  readonly maxEntries: number;
  frozen = false;
  private readonly targets: TargetArray;
  private readonly runtime: MapRuntime;
  private readonly ncpus: number;
  private readonly arena: MapContext['arena'];

  constructor(spec: MapSpec, ctx: MapContext) {
    if (spec.keySize !== 4 || (spec.valueSize !== 4 && spec.valueSize !== 8) || (spec.flags & ~MapFlag.NUMA_NODE) !== 0 || spec.maxEntries === 0) {
      throw createError(spec, 'needs key_size 4, value_size 4 or 8, max_entries > 0 and no flags but BPF_F_NUMA_NODE', Errno.EINVAL);
    }
    if (spec.maxEntries > NR_CPUS) throw createError(spec, `max_entries ${spec.maxEntries} exceeds NR_CPUS (${NR_CPUS})`, Errno.E2BIG);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.runtime = runtimeOf(spec, ctx);
    this.ncpus = ctx.ncpus;
    this.arena = ctx.arena;
    this.targets = new TargetArray(ctx.arena, spec.maxEntries, spec.valueSize, `${spec.name} cpumap`);
  }

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
    const cpu = userIndex(this.name, key);
    checkUserValue(this.name, value, this.valueSize);
    if (flags > UpdateFlag.EXIST || flags < 0) return -Errno.EINVAL;
    if (cpu >= this.maxEntries) return -Errno.E2BIG;
    if (flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
    const qsize = u32Of(value);
    if (qsize > MAX_QSIZE) return -EOVERFLOW;
    if (cpu >= this.ncpus) return -Errno.ENODEV;
    if (qsize === 0) {
      this.targets.set(cpu, undefined);
      return 0;
    }
    const prog = value.length >= 8 ? new DataView(value.buffer, value.byteOffset + 4, 4).getInt32(0, true) : 0;
    if (prog > 0 && this.runtime.programById(prog) === undefined) return -Errno.ENOMEM;
    this.targets.set(cpu, value);
    return 0;
  }
  delete(key: Uint8Array): number {
    const cpu = userIndex(this.name, key);
    if (cpu >= this.maxEntries) return -Errno.EINVAL;
    this.targets.set(cpu, undefined);
    return 0;
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return nextIndex(this.name, key, this.maxEntries);
  }
  destroy(): void {
    this.targets.free();
  }
}

export const createCpumapMap = (spec: MapSpec, ctx: MapContext): BpfMap => new CpumapMap(spec, ctx);
