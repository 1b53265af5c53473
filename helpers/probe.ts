// Probe reads (kernel/trace/bpf_trace.c):
//   probe_read (4), probe_read_user (112), probe_read_kernel (113)(dst, size, unsafe_ptr): copy
//     size bytes; on any unreadable byte the destination is zeroed and the result is -EFAULT.
//   probe_read_str (45), probe_read_user_str (114), probe_read_kernel_str (115)(dst, size, ptr):
//     copy a NUL-terminated string of at most size - 1 characters plus the NUL; returns the
//     length including the NUL, or -EFAULT (destination zeroed) when a byte before the NUL cannot
//     be read; size 0 returns 0.
// probe_read_kernel(_str) of an address in the user half of x86-64 (below TASK_SIZE_MAX plus a
// page) that is not BPF memory is -ERANGE, as copy_from_kernel_nofault_allowed answers in Linux
// 6.x; the other variants say -EFAULT for any unreadable byte.
// Sources: for the kernel variants (and the legacy probe_read/probe_read_str) an address with a
// zero upper half is arena memory (a BPF stack or map value, which is kernel memory to the
// kernel); every other address, and every address of the user variants, reads the runtime's
// user-supplied memory view (HelperEnv.readKernel), which stands for both kernel and user memory
// (DESIGN section 2). So probe_read_user of a BPF stack address fails (-EFAULT), as in Linux.
// copy_from_user (148)(dst, size, user_ptr) and copy_from_user_task (191)(dst, size, user_ptr,
//   task, flags), sleepable programs only (might_sleep), every program type with CAP_PERFMON: size bytes of user memory (the view), 0,
//   or -EFAULT with dst zeroed; size 0 reads nothing. copy_from_user_task: flags other than 0
//   -EINVAL; the view is the current task's address space (ebpfvm has one), so another task of
//   the task model has none of it (-EFAULT, dst zeroed); a pointer that is no task of the model
//   faults naming the helper.

import { Errno } from '../maps/types.js';
import { FaultSignal } from '../src/errors.js';
import { CURRENT_TASK_ADDR } from '../src/btf/builtin-addrs.js';
import type { HelperCall, HelperEntry } from './types.js';

function readByte(call: HelperCall, addr: bigint, arena: boolean): number | undefined {
  if (arena && addr >> 32n === 0n) {
    const a = Number(addr);
    return call.arena.canAccess(a, 1, false) ? call.arena.u8[a] : undefined;
  }
  return call.env.readKernel(addr, 1)?.[0];
}

function read(call: HelperCall, addr: bigint, len: number, arena: boolean): Uint8Array | undefined {
  if (len === 0) return new Uint8Array(0);
  if (arena && addr >> 32n === 0n) {
    const a = Number(addr);
    return call.arena.canAccess(a, len, false) ? call.arena.read(a, len) : undefined;
  }
  return call.env.readKernel(addr, len);
}

const ERANGE = 34;
const USER_TOP = 0x7ffffffff000n + 4096n;

/** The errno of a failed read: -ERANGE for kernel reads of user-half addresses. */
function failure(call: HelperCall, addr: bigint, kernel: boolean): number {
  return kernel && addr < USER_TOP ? -ERANGE : -Errno.EFAULT;
}

function probeRead(call: HelperCall, kernel: boolean, user: boolean): number {
  const dst = call.ptr(1);
  const size = Number(call.u64(2) & 0xffffffffn);
  // Size 0 touches nothing and returns 0, wherever dst points (as the kernel does).
  if (size === 0) return 0;
  // The destination bounds the size before anything is read (a hostile size is never allocated);
  // the copy is read before it is written, since the source may overlap the destination.
  call.arena.check(dst, size, true);
  const bytes = read(call, call.u64(3), size, !user);
  call.arena.writeChecked(dst, size, bytes);
  return bytes ? 0 : failure(call, call.u64(3), kernel);
}

function probeReadStr(call: HelperCall, kernel: boolean, user: boolean): number {
  const dst = call.ptr(1);
  const size = Number(call.u64(2) & 0xffffffffn);
  if (size === 0) return 0;
  call.arena.check(dst, size, true); // the whole buffer must be writable, however short the string
  const src = call.u64(3);
  const out = new Uint8Array(size);
  let n = 0;
  for (; n < size - 1; n++) {
    const b = readByte(call, BigInt.asUintN(64, src + BigInt(n)), !user);
    if (b === undefined) {
      call.arena.writeChecked(dst, size); // zeroed on failure
      return failure(call, src, kernel);
    }
    if (b === 0) break;
    out[n] = b;
  }
  call.arena.writeChecked(dst, n + 1, out); // the string and its NUL; the tail is left as it was
  return n + 1;
}

const ARGS = [{ type: 'ARG_PTR_TO_MEM', flags: ['MEM_UNINIT'] }, { type: 'ARG_CONST_SIZE_OR_ZERO' }, { type: 'ARG_ANYTHING' }] as const;

function entry(id: number, name: string, str: boolean): HelperEntry {
  const kernel = name.includes('kernel');
  const user = name.includes('user');
  return { id, name, proto: { args: ARGS, ret: { type: 'RET_INTEGER' } }, gplOnly: true, progTypes: 'all', impl: (call) => (str ? probeReadStr(call, kernel, user) : probeRead(call, kernel, user)) };
}

/** bpf_copy_from_user(_task): a user read of the whole size, or -EFAULT with dst zeroed. */
function copyFromUser(call: HelperCall, task: boolean): number {
  const dst = call.ptr(1);
  const size = Number(call.u64(2) & 0xffffffffn);
  if (task) {
    const t = call.u64(4);
    if (call.env.kernel?.taskUsers(t) === undefined) throw new FaultSignal(`copy_from_user_task: ${t === 0n ? 'NULL' : `0x${t.toString(16)}`} is not a task_struct of the task model`);
    if (call.u64(5) !== 0n) return -Errno.EINVAL;
    if (size === 0) return 0;
    if (t !== CURRENT_TASK_ADDR) {
      call.arena.writeChecked(dst, size); // zeroed
      return -Errno.EFAULT;
    }
  }
  if (size === 0) return 0;
  call.arena.check(dst, size, true);
  const bytes = read(call, call.u64(3), size, false);
  call.arena.writeChecked(dst, size, bytes);
  return bytes ? 0 : -Errno.EFAULT;
}

export const PROBE_HELPERS: readonly HelperEntry[] = [
  { id: 148, name: 'copy_from_user', proto: { args: ARGS, ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', mightSleep: true, impl: (call) => copyFromUser(call, false) },
  {
    id: 191,
    name: 'copy_from_user_task',
    proto: { args: [...ARGS, { type: 'ARG_PTR_TO_BTF_ID', btfType: 'task_struct' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: 'all',
    mightSleep: true,
    impl: (call) => copyFromUser(call, true),
  },
  entry(4, 'probe_read', false),
  entry(45, 'probe_read_str', true),
  entry(112, 'probe_read_user', false),
  entry(113, 'probe_read_kernel', false),
  entry(114, 'probe_read_user_str', true),
  entry(115, 'probe_read_kernel_str', true),
];
