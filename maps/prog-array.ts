// BPF_MAP_TYPE_PROG_ARRAY (kernel/bpf/arraymap.c, fd arrays): slot i holds a program for
// bpf_tail_call. User space writes program fds; in ebpfvm these are program ids from
// `runtime.registerProgram` (the loader fills `values = { [i] = &prog }` initialisers with them).
// Update takes only BPF_ANY (-EINVAL otherwise), an index beyond max_entries is -E2BIG, an
// unknown program -EBADF; delete of an empty slot is -ENOENT; user-space lookup returns the
// program id. Programs may only tail-call through it (helpers/tailcall.ts).

import { checkFdArraySpec, checkUserValue, nextIndex, runtimeOf, u32Bytes, u32Of, userIndex } from './fd-array.js';
import { Errno, type BpfMap, type MapContext, type MapRuntime, type MapSpec } from './types.js';

export class ProgArrayMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize = 4;
  readonly maxEntries: number;
  frozen = false;
  private readonly slots: Uint32Array;
  private readonly runtime: MapRuntime;

  constructor(spec: MapSpec, ctx: MapContext) {
    checkFdArraySpec(spec);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.maxEntries = spec.maxEntries;
    this.slots = new Uint32Array(spec.maxEntries);
    this.runtime = runtimeOf(spec, ctx);
  }

  /** The program id in slot `index`, or 0 (empty or out of range). */
  program(index: number): number {
    return index < this.maxEntries ? this.slots[index]! : 0;
  }

  lookupElem(): number {
    return 0;
  }
  updateElem(): number {
    return -Errno.EINVAL;
  }
  deleteElem(keyAddr: number): number {
    void keyAddr;
    return -Errno.EINVAL;
  }
  lookup(key: Uint8Array): Uint8Array | undefined {
    const i = userIndex(this.name, key);
    const id = this.program(i);
    return id === 0 ? undefined : u32Bytes(id);
  }
  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    const i = userIndex(this.name, key);
    checkUserValue(this.name, value, 4);
    if (flags !== 0) return -Errno.EINVAL;
    if (i >= this.maxEntries) return -Errno.E2BIG;
    const id = u32Of(value);
    if (id === 0 || this.runtime.programById(id) === undefined) return -Errno.EBADF;
    this.slots[i] = id;
    return 0;
  }
  delete(key: Uint8Array): number {
    const i = userIndex(this.name, key);
    if (i >= this.maxEntries) return -Errno.E2BIG;
    if (this.slots[i] === 0) return -Errno.ENOENT;
    this.slots[i] = 0;
    return 0;
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return nextIndex(this.name, key, this.maxEntries);
  }
  destroy(): void {}
}

export const createProgArrayMap = (spec: MapSpec, ctx: MapContext): BpfMap => new ProgArrayMap(spec, ctx);
