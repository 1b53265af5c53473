// bpf_spin_lock (93) / bpf_spin_unlock (94). The lock is a 4-byte struct bpf_spin_lock inside a map
// value. The VM is single-threaded, so a lock only records that *this run* holds it (HelperCall
// locks): taking a lock this run holds is a fault (it would deadlock), releasing one it does not
// hold is a fault, and the interpreter faults a run that ends holding a lock (DESIGN section 2).
// The word itself is set to 1 while held and 0 after, as the kernel's lock word reads; maps show
// it as 0 to user space and keep it out of value copies.

import { FaultSignal } from '../src/errors.js';
import type { HelperCall, HelperEntry } from './types.js';

function lockWord(call: HelperCall, what: string): number {
  const addr = call.ptr(1);
  if (addr === 0 || (addr & 3) !== 0) throw new FaultSignal(`${what}: 0x${addr.toString(16)} is not a 4-byte aligned bpf_spin_lock`);
  call.arena.check(addr, 4, false);
  const region = call.arena.describe(addr);
  if (region && region.kind !== 'map') throw new FaultSignal(`${what}: the lock at 0x${addr.toString(16)} is in ${region.kind} memory, not a map value`);
  return addr;
}

export const LOCK_HELPERS: readonly HelperEntry[] = [
  {
    id: 93,
    name: 'spin_lock',
    proto: { args: [{ type: 'ARG_PTR_TO_SPIN_LOCK' }], ret: { type: 'RET_VOID' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const addr = lockWord(call, 'bpf_spin_lock');
      call.locks.take(addr, 'bpf_spin_lock');
      call.arena.dv.setUint32(addr, 1, true);
      return 0;
    },
  },
  {
    id: 94,
    name: 'spin_unlock',
    proto: { args: [{ type: 'ARG_PTR_TO_SPIN_LOCK' }], ret: { type: 'RET_VOID' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const addr = lockWord(call, 'bpf_spin_unlock');
      call.locks.release(addr, 'bpf_spin_unlock');
      call.arena.dv.setUint32(addr, 0, true);
      return 0;
    },
  },
];
