// BPF_MAP_TYPE_PROG_ARRAY (kernel/bpf/arraymap.c, fd arrays): slot i holds a program for
// bpf_tail_call. User space writes program fds; in ebpfvm these are program ids from
// `runtime.registerProgram` (the loader fills `values = { [i] = &prog }` initialisers with them).
// Update takes only BPF_ANY (-EINVAL otherwise), an index beyond max_entries is -E2BIG, an
// unknown program -EBADF; delete of an empty slot is -ENOENT; user-space lookup returns the
// program id. Programs may only tail-call through it (helpers/tailcall.ts).
//
// Like the kernel's bpf_prog_map_compatible, the first program stored makes its type the map's
// owner type for the map's lifetime; a program of another type (or an extension program) is
// -EINVAL, so a tail call never lands in a program that reads a different context. A program
// with an extension attached (src/freplace.ts) is -EBUSY, as prog_fd_array_get_ptr refuses an
// extended program: the extension could tail-call back into it without end.

import { ProgType } from '../vm/prog-types.js';
import { IdArrayMap } from './fd-array.js';
import { Errno, type BpfMap, type MapContext, type MapSpec } from './types.js';

export class ProgArrayMap extends IdArrayMap {
  /** Program type every program in the map must have, fixed by the first one stored. */
  private ownerType: number | undefined;

  /** The program id in slot `index`, or 0 (empty or out of range). */
  program(index: number): number {
    return this.slotId(index);
  }

  protected checkId(id: number): number {
    const prog = id === 0 ? undefined : (this.runtime.programById(id) as { progType?: number; extendedFuncs?: readonly string[] } | undefined);
    if (prog === undefined) return -Errno.EBADF;
    const type = prog.progType ?? ProgType.UNSPEC;
    if (type === ProgType.EXT) return -Errno.EINVAL;
    if (this.ownerType !== undefined && this.ownerType !== type) return -Errno.EINVAL;
    if (prog.extendedFuncs?.length) return -Errno.EBUSY;
    this.ownerType ??= type;
    return 0;
  }
}

export const createProgArrayMap = (spec: MapSpec, ctx: MapContext): BpfMap => new ProgArrayMap(spec, ctx);
