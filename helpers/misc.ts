// Identity and randomness helpers:
//   get_prandom_u32 (7)        the runtime's seedable PRNG (RuntimeOptions.seed)
//   get_smp_processor_id (8)   the CPU this run executes on (the run's `cpu` option), so it agrees
//                              with the per-CPU copy map lookups return
//   get_numa_node_id (42)      always node 0: the VM has one memory node
//   get_current_pid_tgid (14)  tgid << 32 | pid of the configured task
//   get_current_uid_gid (15)   gid << 32 | uid of the configured task
//   get_current_comm (16)      the task's comm, at most TASK_COMM_LEN-1 (15) bytes, NUL-padded to
//                              the buffer size (strscpy_pad), returns 0

import { FaultSignal } from '../src/errors.js';
import type { HelperEntry, HelperRet } from './types.js';

const INT: HelperRet = { type: 'RET_INTEGER' };
export const TASK_COMM_LEN = 16;

export const MISC_HELPERS: readonly HelperEntry[] = [
  { id: 7, name: 'get_prandom_u32', proto: { args: [], ret: INT }, gplOnly: false, progTypes: 'all', impl: (call) => call.env.prandomU32() >>> 0 },
  { id: 8, name: 'get_smp_processor_id', proto: { args: [], ret: INT }, gplOnly: false, progTypes: 'all', impl: (call) => call.cpu },
  { id: 42, name: 'get_numa_node_id', proto: { args: [], ret: INT }, gplOnly: false, progTypes: 'all', impl: () => 0 },
  {
    id: 14,
    name: 'get_current_pid_tgid',
    proto: { args: [], ret: INT },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => (BigInt(call.env.task.tgid >>> 0) << 32n) | BigInt(call.env.task.pid >>> 0),
  },
  {
    id: 15,
    name: 'get_current_uid_gid',
    proto: { args: [], ret: INT },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => (BigInt(call.env.task.gid >>> 0) << 32n) | BigInt(call.env.task.uid >>> 0),
  },
  {
    id: 16,
    name: 'get_current_comm',
    proto: { args: [{ type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE' }], ret: INT },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const buf = call.ptr(1);
      const size = call.u32(2);
      if (size === 0) throw new FaultSignal('get_current_comm: size must be > 0 (ARG_CONST_SIZE)');
      const comm = encodeComm(call.env.task.comm);
      // NUL-padded to the buffer size: writeChecked zero-fills past the copied bytes.
      call.arena.writeChecked(buf, size, comm.subarray(0, Math.min(comm.length, size - 1)));
      return 0;
    },
  },
];

/** The task's comm as the kernel stores it: UTF-8 bytes cut to TASK_COMM_LEN-1. */
export function encodeComm(comm: string): Uint8Array {
  return new TextEncoder().encode(comm).subarray(0, TASK_COMM_LEN - 1);
}
