// bpf_wq (kernel/bpf/helpers.c, Linux 6.10+): a struct bpf_wq in a map value names a work item,
// whose kernel state (the kernel's bpf_work, allocated by bpf_wq_init and kept outside the value)
// lives in the runtime's WorkQueue below, keyed by the bpf_wq's address, like bpf_timer's
// (helpers/timer.ts). The kfuncs, with Linux 6.18's return codes:
//
//   bpf_wq_init(wq, map, flags)             flags != 0: -EINVAL; already initialised: -EBUSY; 0.
//   bpf_wq_set_callback_impl(wq, cb, flags, aux__prog)   flags != 0: -EINVAL; before init:
//     -EINVAL; else 0 (the callback belongs to the calling program).
//   bpf_wq_start(wq, flags)                 flags != 0: -EINVAL; before init or without a
//     callback: -EINVAL; else 0 and the work is queued (schedule_work: a work item already
//     queued and not yet run stays queued once, so it runs once).
//
// The work runs later on a kernel worker: here when user space advances the runtime's clock
// (src/clock.ts; `clock.advance(0)` just drains the queue), before any timer due later, in the
// order the items were queued, as a new run of the callback with (map, key, value) in a sleepable
// context (the verifier checks it so), r0 ignored. An element overwritten, deleted or evicted, and
// every element of a destroyed map, cancels and frees its work (bpf_wq_cancel_and_free): queued
// work that has not run yet does not run.

import { FaultSignal } from '../src/errors.js';
import { Errno, type BpfMap, type MapTimers } from '../maps/types.js';
import { TIMER_SIZE } from '../maps/common.js';
import type { BpfFunctionRef, HelperCall, HelperEnv, HelperResult } from './types.js';

/** One initialised work item (the kernel's bpf_work). */
export interface BpfWork {
  readonly addr: number;
  /** The map value holding it, and the map (the callback's first and third arguments). */
  readonly value: number;
  readonly map: BpfMap;
  readonly mapHandle: bigint;
  callback: BpfFunctionRef | undefined;
  /** Queued by bpf_wq_start and not run yet. */
  pending: boolean;
  /** The CPU that queued it last (schedule_work queues on the local CPU's pool). */
  cpu: number;
}

/** The runtime's work items by bpf_wq address, and the queue the clock drains. */
export class WorkQueue implements MapTimers {
  private readonly byAddr = new Map<number, BpfWork>();
  private queue: BpfWork[] = [];

  get(addr: number): BpfWork | undefined {
    return this.byAddr.get(addr);
  }

  all(): BpfWork[] {
    return [...this.byAddr.values()];
  }

  init(addr: number, value: number, map: BpfMap, mapHandle: bigint): BpfWork {
    const w: BpfWork = { addr, value, map, mapHandle, callback: undefined, pending: false, cpu: 0 };
    this.byAddr.set(addr, w);
    return w;
  }

  /** schedule_work: false when the item is already queued. */
  schedule(w: BpfWork, cpu: number): boolean {
    if (w.pending) return false;
    w.pending = true;
    w.cpu = cpu;
    this.queue.push(w);
    return true;
  }

  /** The next queued item still alive, taken off the queue (no longer pending: a start from its
   *  own callback queues it again). */
  takeNext(): BpfWork | undefined {
    while (this.queue.length) {
      const w = this.queue.shift()!;
      if (!w.pending || this.byAddr.get(w.addr) !== w) continue;
      w.pending = false;
      return w;
    }
    return undefined;
  }

  /** Queued items (tests, the CLI's report). */
  pendingCount(): number {
    return this.queue.filter((w) => w.pending && this.byAddr.get(w.addr) === w).length;
  }

  /** bpf_wq_cancel_and_free: the element holding the item is freed or overwritten. */
  free(addr: number): void {
    const w = this.byAddr.get(addr);
    if (!w) return;
    w.pending = false;
    w.callback = undefined;
    this.byAddr.delete(addr);
  }
}

const queues = new WeakMap<HelperEnv, WorkQueue>();

/** The runtime's work queue (one per helper environment, made on first use). */
export function workQueue(env: HelperEnv): WorkQueue {
  let q = queues.get(env);
  if (!q) queues.set(env, (q = new WorkQueue()));
  return q;
}

/** The bpf_wq argument: 16 writable bytes (a forged pointer faults, naming the kfunc). */
function wqArg(call: HelperCall): number {
  const at = call.ptr(1);
  call.arena.check(at, TIMER_SIZE, true);
  return at;
}

function wqInit(call: HelperCall): HelperResult {
  const at = wqArg(call);
  const map = call.map(2);
  if (call.u32(3) !== 0) return -Errno.EINVAL;
  const q = workQueue(call.env);
  if (q.get(at)) return -Errno.EBUSY;
  // The kernel finds the value from the map's record (cb->value = wq - wq_off); the verifier made
  // sure the bpf_wq is that field of this map. Unverified, check it here.
  const off = map.spec.wqOffset;
  if (off === undefined || !map.valueKey) throw new FaultSignal(`bpf_wq_init: map '${map.name}' holds no struct bpf_wq (BTF)`);
  if (map.valueKey(at - off) === undefined) throw new FaultSignal(`bpf_wq_init: 0x${at.toString(16)} is not the struct bpf_wq of a live element of map '${map.name}'`);
  q.init(at, at - off, map, call.u64(2));
  return 0;
}

function wqSetCallback(call: HelperCall): HelperResult {
  const at = wqArg(call);
  if (call.u32(3) !== 0) return -Errno.EINVAL;
  const w = workQueue(call.env).get(at);
  if (!w) return -Errno.EINVAL;
  if (!call.functionRef) throw new FaultSignal('bpf_wq_set_callback_impl: this machine cannot keep a callback');
  w.callback = call.functionRef(2);
  return 0;
}

function wqStart(call: HelperCall): HelperResult {
  const at = wqArg(call);
  if (call.u32(2) !== 0) return -Errno.EINVAL;
  const q = workQueue(call.env);
  const w = q.get(at);
  if (!w || !w.callback) return -Errno.EINVAL;
  q.schedule(w, call.cpu);
  return 0;
}

export const wqKfuncImpls = { init: wqInit, setCallback: wqSetCallback, start: wqStart };
