// Task helpers of tracing programs (kernel/trace/bpf_trace.c):
//   get_current_task (35)       the current task_struct's address, as a plain integer (programs
//                               read it with probe_read_kernel or BPF_CORE_READ)
//   get_current_task_btf (158)  the same address as a BTF pointer (PTR_TO_BTF_ID task_struct):
//                               programs dereference it directly, PROBE_MEM loads
// The address is the task image the runtime maps into its kernel-memory view at construction
// (src/btf/builtin-kmem.ts), laid out from the built-in BTF's task_struct and filled from
// RuntimeOptions.task (pid, tgid, uid/gid through cred, comm); `run --kmem` may overwrite bytes.

import { CURRENT_TASK_ADDR } from '../src/btf/builtin-addrs.js';
import type { HelperEntry } from './types.js';

export const TRACING_HELPERS: readonly HelperEntry[] = [
  { id: 35, name: 'get_current_task', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: true, progTypes: 'all', impl: () => CURRENT_TASK_ADDR },
  {
    id: 158,
    name: 'get_current_task_btf',
    proto: { args: [], ret: { type: 'RET_PTR_TO_BTF_ID', btfType: 'task_struct' } },
    gplOnly: true,
    progTypes: 'all',
    impl: () => CURRENT_TASK_ADDR,
  },
];
