// BPF_MAP_TYPE_CPUMAP (kernel/bpf/cpumap.c): key = CPU number, value = the kernel's
// `struct bpf_cpumap_val { __u32 qsize; union { int fd; __u32 id; } bpf_prog; }` (value_size 4
// or 8). Creation: key_size 4, only BPF_F_NUMA_NODE, max_entries at most NR_CPUS (-E2BIG).
// Update: flags above BPF_EXIST -EINVAL, key >= max_entries -E2BIG, NOEXIST -EEXIST, qsize above
// 16384 -EOVERFLOW, a CPU the runtime does not have -ENODEV, qsize 0 empties the slot, an
// unknown program -ENOMEM (the kernel fails the entry allocation). Delete: key >= max_entries
// -EINVAL, else 0. Programs see the value read-only and redirect through it.

import { createError } from './common.js';
import { progOf, TargetArrayMap } from './devmap.js';
import { u32Of } from './fd-array.js';
import { Errno, MapFlag, type BpfMap, type MapContext, type MapSpec } from './types.js';

const NR_CPUS = 8192;
const MAX_QSIZE = 16384;
const EOVERFLOW = 75;

function checkCpumapSpec(spec: MapSpec): void {
  if (spec.keySize !== 4 || (spec.valueSize !== 4 && spec.valueSize !== 8) || (spec.flags & ~MapFlag.NUMA_NODE) !== 0 || spec.maxEntries === 0) {
    throw createError(spec, 'needs key_size 4, value_size 4 or 8, max_entries > 0 and no flags but BPF_F_NUMA_NODE', Errno.EINVAL);
  }
  if (spec.maxEntries > NR_CPUS) throw createError(spec, `max_entries ${spec.maxEntries} exceeds NR_CPUS (${NR_CPUS})`, Errno.E2BIG);
}

export class CpumapMap extends TargetArrayMap {
  private readonly ncpus: number;

  constructor(spec: MapSpec, ctx: MapContext) {
    super(spec, ctx, checkCpumapSpec, 'cpumap');
    this.ncpus = ctx.ncpus;
  }

  protected store(cpu: number, value: Uint8Array): number {
    const qsize = u32Of(value);
    if (qsize > MAX_QSIZE) return -EOVERFLOW;
    if (cpu >= this.ncpus) return -Errno.ENODEV;
    if (qsize === 0) {
      this.targets.set(cpu, undefined);
      return 0;
    }
    const prog = progOf(value);
    if (prog > 0 && this.runtime.programById(prog) === undefined) return -Errno.ENOMEM;
    return this.targets.set(cpu, value);
  }
}

export const createCpumapMap = (spec: MapSpec, ctx: MapContext): BpfMap => new CpumapMap(spec, ctx);
