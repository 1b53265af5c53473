// BPF_MAP_TYPE_PERF_EVENT_ARRAY (kernel/bpf/arraymap.c, kernel/trace/bpf_trace.c): key = CPU index,
// value = a perf event fd that user space opened on that CPU (PERF_COUNT_SW_BPF_OUTPUT). ebpfvm
// has no perf events, so an "event" is a slot marked open: user space writes any non-zero u32
// (libbpf's perf_buffer does this for every CPU; `openAll()` does the same). bpf_perf_event_output
// then behaves as in the kernel: index BPF_F_CURRENT_CPU picks this CPU's slot; an index beyond
// max_entries is -E2BIG, an empty slot -ENOENT, a slot of another CPU -EOPNOTSUPP. Delivered
// samples go to `onEvent` and to the run's `output.perf`.

import { MapError } from '../src/errors.js';
import { createError, FD_ARRAY_FLAGS } from './common.js';
import { clearSlot, setSlot, Slots, u32Bytes, u32Of } from './fd-array.js';
import { Errno, MapFlag, type BpfMap, type MapContext, type MapSpec } from './types.js';

export interface PerfSample {
  cpu: number;
  data: Uint8Array;
}

export class PerfEventArrayMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize = 4;
  readonly maxEntries: number;
  frozen = false;
  /** Event id per slot (0 = empty). */
  private readonly slots: Slots;
  onEvent: ((sample: PerfSample) => void) | undefined = undefined;
  /** Samples delivered since creation. */
  delivered = 0;

  constructor(spec: MapSpec, ctx: MapContext) {
    // libbpf sets max_entries to the number of possible CPUs when the object leaves it 0
    const n = spec.maxEntries === 0 ? ctx.ncpus : spec.maxEntries;
    if (spec.keySize !== 4 || spec.valueSize !== 4) throw createError(spec, 'perf event arrays need key_size 4 and value_size 4', Errno.EINVAL);
    if ((spec.flags & ~(FD_ARRAY_FLAGS | MapFlag.PRESERVE_ELEMS)) !== 0) throw createError(spec, `unsupported map_flags 0x${(spec.flags >>> 0).toString(16)}`, Errno.EINVAL);
    if ((spec.flags & MapFlag.RDONLY) !== 0 && (spec.flags & MapFlag.WRONLY) !== 0) throw createError(spec, 'BPF_F_RDONLY and BPF_F_WRONLY are mutually exclusive', Errno.EINVAL);
    this.spec = Object.freeze({ ...spec, maxEntries: n });
    this.type = spec.type;
    this.name = spec.name;
    this.maxEntries = n;
    this.slots = new Slots(n);
  }

  /** Open an event on every CPU slot (what libbpf's perf_buffer__new does). */
  openAll(ncpus: number): void {
    for (let i = 0; i < Math.min(ncpus, this.maxEntries); i++) if (this.slots.get(i) === 0) this.slots.set(i, i + 1);
  }

  /** get_map_perf_counter's slot checks for bpf_perf_event_read(_value): -E2BIG beyond
   *  max_entries, -ENOENT for an empty slot, -EINVAL for another CPU's event (perf_event_read_local);
   *  0 for this CPU's, whose count ebpfvm keeps at 0. */
  readCounter(index: number, cpu: number): number {
    if (index >= this.maxEntries) return -Errno.E2BIG;
    if (this.slots.get(index) === 0) return -Errno.ENOENT;
    return index === cpu ? 0 : -Errno.EINVAL;
  }

  /** bpf_perf_event_output's checks and delivery: 0 or negative errno. */
  output(index: number, cpu: number, data: Uint8Array): number {
    if (index >= this.maxEntries) return -Errno.E2BIG;
    if (this.slots.get(index) === 0) return -Errno.ENOENT;
    // each event is bound to the CPU of its slot
    if (index !== cpu) return -Errno.EOPNOTSUPP;
    this.delivered++;
    this.onEvent?.({ cpu, data });
    return 0;
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
    this.index(key);
    return undefined; // the kernel refuses lookups of fd arrays from user space (-EOPNOTSUPP)
  }
  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    const i = this.index(key);
    if (!(value instanceof Uint8Array) || value.length !== 4) throw new MapError('value must be a 4-byte event fd', this.name, -Errno.EINVAL);
    if (this.frozen) return -Errno.EPERM;
    return setSlot(this.slots, i, u32Of(value), flags, (v) => (v === 0 ? -Errno.EBADF : 0));
  }
  delete(key: Uint8Array): number {
    const i = this.index(key);
    if (this.frozen) return -Errno.EPERM;
    return clearSlot(this.slots, i);
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const next = key === undefined ? 0 : this.index(key) + 1;
    return next >= this.maxEntries ? undefined : u32Bytes(next);
  }
  destroy(): void {}

  private index(key: Uint8Array): number {
    if (!(key instanceof Uint8Array) || key.length !== 4) throw new MapError('key must be 4 bytes (a CPU index)', this.name, -Errno.EINVAL);
    return u32Of(key);
  }
}

export const createPerfEventArrayMap = (spec: MapSpec, ctx: MapContext): BpfMap => new PerfEventArrayMap(spec, ctx);
