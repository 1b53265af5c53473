// tail_call (12)(ctx, prog_array, index): replace the running program by the one in slot `index`
// of a BPF_MAP_TYPE_PROG_ARRAY (maps/prog-array.ts); the new program starts at its first
// instruction with the same context in r1, on the same stack frame, and never returns here. As
// in the kernel, the call "falls through" (the helper returns and the program continues) when
// the index is out of range, when 33 tail calls (MAX_TAIL_CALL_CNT) already happened in this run
// (the count is shared by the whole chain; a missing slot also uses one up, as the kernel counts
// before reading the slot), or when the slot is empty. ebpfvm also falls through inside a
// callback (bpf_loop & co.), where the kernel's verifier refuses tail calls. The return value on
// fall-through is a negative errno (-E2BIG out of range, -ENOENT empty slot, -EBUSY limit or
// callback); the kernel leaves r0 unreadable there, so programs should not depend on it.

import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import { ProgArrayMap } from '../maps/prog-array.js';
import type { HelperEntry } from './types.js';

export const TAILCALL_HELPERS: readonly HelperEntry[] = [
  {
    id: 12,
    name: 'tail_call',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_VOID' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const m = call.map(2);
      if (!(m instanceof ProgArrayMap)) throw new FaultSignal(`tail_call: map ${m.name} is not a prog_array`);
      if (!call.tailCall) throw new FaultSignal('tail_call: this VM cannot tail-call');
      const index = call.u32(3);
      if (index >= m.maxEntries) return -Errno.E2BIG;
      const id = m.program(index);
      if (call.tailCall(id)) return 0;
      return id === 0 ? -Errno.ENOENT : -Errno.EBUSY;
    },
  },
];
