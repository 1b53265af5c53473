// bpf_spin_lock (93) / bpf_spin_unlock (94). The lock is a 4-byte struct bpf_spin_lock inside a map
// value. The VM is single-threaded, so a lock only records that *this run* holds it (HelperCall
// locks): taking a lock this run holds is a fault (it would deadlock), releasing one it does not
// hold is a fault, and the interpreter faults a run that ends holding a lock (DESIGN section 2).
// The word itself is set to 1 while held and 0 after, as the kernel's lock word reads; maps show
// it as 0 to user space and keep it out of value copies.
//
// Only the word at the BTF-declared bpf_spin_lock offset of a value of the map the address belongs
// to is a lock (BpfMap.spinLockAt; the kernel refuses anything else at load: "map '...' has no
// valid bpf_spin_lock"). Anything else -- a frozen .rodata constant, a stack word, the rbtree map's
// own lock (bpf_rbtree_lock takes that one) -- is a VmFault naming the address and what it is, and
// nothing is written: the word the helper writes is always that lock and nothing else.

import { FaultSignal } from '../src/errors.js';
import { MemFlag } from '../vm/memory.js';
import { RbtreeMap } from '../maps/rbtree.js';
import type { BpfMap } from '../maps/types.js';
import type { HelperCall, HelperEntry } from './types.js';

/** What the memory at `addr` is, for fault messages. */
export function describeAddr(call: HelperCall, addr: number): string {
  const r = call.arena.describe(addr);
  if (!r) return 'not in any region';
  return `offset ${addr - r.start} of ${r.kind} '${r.name}'`;
}

/** The lock word at argument 1, checked to be a lock some map owns and `accept` takes; returns
 *  its address and map. */
export function lockWord(call: HelperCall, what: string, accept: (m: BpfMap) => boolean, expected: string): { addr: number; map: BpfMap } {
  const addr = call.ptr(1);
  const map = addr !== 0 && (addr & 3) === 0 ? call.env.spinLockMap(addr) : undefined;
  if (!map || !accept(map)) {
    const owner = map ? ` (it is the lock of map '${map.name}')` : '';
    throw new FaultSignal(`${what}: 0x${addr.toString(16)} is not ${expected}: ${describeAddr(call, addr)}${owner}`);
  }
  // A map whose values programs may not write (BPF_F_RDONLY_PROG) cannot be locked either.
  const r = call.arena.describe(addr);
  if (!r || (r.flags & MemFlag.WRITE) === 0) throw new FaultSignal(`${what}: the lock at 0x${addr.toString(16)} is in read-only memory (${describeAddr(call, addr)})`);
  return { addr, map };
}

const isValueLock = (m: BpfMap) => !(m instanceof RbtreeMap);

/** The lock at argument 1: a map value's, or the bpf_spin_lock field of an object from
 *  bpf_obj_new (maps/graph.ts, where the word is write-protected like a map value's). */
function valueLock(call: HelperCall, what: string): number {
  const addr = call.ptr(1);
  if (call.env.graph?.objectLockAt(addr)) return addr;
  return lockWord(call, what, isValueLock, VALUE_LOCK).addr;
}
const VALUE_LOCK = "the bpf_spin_lock of a map value (at the offset the value's BTF declares)";

/** The lock word is write-protected for programs; the lock helpers are its one writer, and only
 *  after lockWord proved the address is that word. */
function setLockWord(call: HelperCall, addr: number, v: number): void {
  call.arena.dv.setUint32(addr, v, true);
}

export const LOCK_HELPERS: readonly HelperEntry[] = [
  {
    id: 93,
    name: 'spin_lock',
    proto: { args: [{ type: 'ARG_PTR_TO_SPIN_LOCK' }], ret: { type: 'RET_VOID' } },
    gplOnly: false,
    progTypes: 'all',
    impl: (call) => {
      const addr = valueLock(call, 'bpf_spin_lock');
      call.locks.take(addr, 'bpf_spin_lock');
      setLockWord(call, addr, 1);
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
      const addr = valueLock(call, 'bpf_spin_unlock');
      call.locks.release(addr, 'bpf_spin_unlock');
      setLockWord(call, addr, 0);
      return 0;
    },
  },
];
