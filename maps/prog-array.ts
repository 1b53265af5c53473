// BPF_MAP_TYPE_PROG_ARRAY (kernel/bpf/arraymap.c, fd arrays): slot i holds a program for
// bpf_tail_call. User space writes program fds; in ebpfvm these are program ids from
// `runtime.registerProgram` (the loader fills `values = { [i] = &prog }` initialisers with them).
// Update takes only BPF_ANY (-EINVAL otherwise), an index beyond max_entries is -E2BIG, an
// unknown program -EBADF; delete of an empty slot is -ENOENT; user-space lookup returns the
// program id. Programs may only tail-call through it (helpers/tailcall.ts).

import { IdArrayMap } from './fd-array.js';
import { Errno, type BpfMap, type MapContext, type MapSpec } from './types.js';

export class ProgArrayMap extends IdArrayMap {
  /** The program id in slot `index`, or 0 (empty or out of range). */
  program(index: number): number {
    return this.slotId(index);
  }

  protected checkId(id: number): number {
    return id === 0 || this.runtime.programById(id) === undefined ? -Errno.EBADF : 0;
  }
}

export const createProgArrayMap = (spec: MapSpec, ctx: MapContext): BpfMap => new ProgArrayMap(spec, ctx);
