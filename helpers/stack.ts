// Stack-trace helpers, placeholders: ebpfvm has no kernel or user call stacks to walk, so both
// answer as the kernel does when it cannot capture a stack.
//   get_stackid (27)(ctx, map, flags): -EFAULT (BPF_MAP_TYPE_STACK_TRACE is not implemented).
//   get_stack (67)(ctx, buf, size, flags): -EFAULT with the buffer zeroed.
// They exist so programs that call them load and run; do not expect stack contents.

import { Errno } from '../maps/types.js';
import type { HelperEntry } from './types.js';

export const STACK_HELPERS: readonly HelperEntry[] = [
  {
    id: 27,
    name: 'get_stackid',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: 'all',
    impl: () => -Errno.EFAULT,
  },
  {
    id: 67,
    name: 'get_stack',
    proto: { args: [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: 'all',
    impl: (call) => {
      const size = Number(call.u64(3) & 0xffffffffn);
      if (size > 0) {
        const buf = call.ptr(2);
        call.arena.writeChecked(buf, size); // zeroed
      }
      return -Errno.EFAULT;
    },
  },
];
