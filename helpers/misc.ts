// Identity and randomness helpers:
//   get_prandom_u32 (7)        the runtime's seedable PRNG (RuntimeOptions.seed)
//   get_smp_processor_id (8)   the CPU this run executes on (the run's `cpu` option), so it agrees
//                              with the per-CPU copy map lookups return
//   get_numa_node_id (42)      always node 0: the VM has one memory node
//   get_current_pid_tgid (14)  tgid << 32 | pid of the configured task
//   get_current_uid_gid (15)   gid << 32 | uid of the configured task
//   get_current_comm (16)      the task's comm, at most TASK_COMM_LEN-1 (15) bytes, NUL-padded to
//                              the buffer size (strscpy_pad), returns 0
//   get_ns_current_pid_tgid (120)(dev, ino, nsdata, size): pid and tgid of the configured task in
//                              its pid namespace (TaskInfo.pidnsDev/pidnsIno) when dev and ino
//                              name it; a size other than 8 (struct bpf_pidns_info), a dev wider
//                              than dev_t's 32 bits or another namespace: -EINVAL, nsdata zeroed

import { FaultSignal } from '../src/errors.js';
import { Errno } from '../maps/types.js';
import type { HelperEntry, HelperRet } from './types.js';

const INT: HelperRet = { type: 'RET_INTEGER' };
export const TASK_COMM_LEN = 16;
/** The default pid namespace of the task (TaskInfo.pidnsDev/pidnsIno): nsfs device 4 and
 *  PROC_PID_INIT_INO, the initial namespace's inode. */
export const PIDNS_DEV = 4;
export const PIDNS_INIT_INO = 0xeffffffc;

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
  {
    id: 120,
    name: 'get_ns_current_pid_tgid',
    proto: { args: [{ type: 'ARG_ANYTHING' }, { type: 'ARG_ANYTHING' }, { type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE' }], ret: INT },
    gplOnly: false,
    // bpf_base_func_proto (6.10+): every program type
    progTypes: 'all',
    impl: (call) => {
      const dev = call.u64(1);
      const ino = call.u64(2);
      const size = call.u32(4);
      const buf = call.ptr(3);
      const t = call.env.task;
      if (size !== 8 || dev > 0xffffffffn || dev !== BigInt((t.pidnsDev ?? PIDNS_DEV) >>> 0) || ino !== BigInt((t.pidnsIno ?? PIDNS_INIT_INO) >>> 0)) {
        call.arena.writeChecked(buf, size); // memset(nsdata, 0, size)
        return -Errno.EINVAL;
      }
      const out = new Uint8Array(8);
      const dv = new DataView(out.buffer);
      dv.setUint32(0, t.pid >>> 0, true);
      dv.setUint32(4, t.tgid >>> 0, true);
      call.arena.writeChecked(buf, 8, out);
      return 0;
    },
  },
];

/** The task's comm as the kernel stores it: UTF-8 bytes cut to TASK_COMM_LEN-1. */
export function encodeComm(comm: string): Uint8Array {
  return new TextEncoder().encode(comm).subarray(0, TASK_COMM_LEN - 1);
}
