// bpf_timer (kernel/bpf/helpers.c): a struct bpf_timer in a map value names a timer, whose kernel
// state (the kernel's bpf_hrtimer, allocated by bpf_timer_init and kept outside the value) lives
// in the runtime's TimerTable below, keyed by the bpf_timer's address. The 16 bytes in the value
// are never read: programs cannot forge or corrupt what a timer trusts (the verifier refuses
// loads and stores there anyway, and user space reads them as zeros, as from the kernel).
//
//   timer_init (169)(timer, map, flags): flags is a clock id below MAX_CLOCKS (16), and only
//     CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME: else -EINVAL; a timer already
//     initialised: -EBUSY; else 0.
//   timer_set_callback (170)(timer, callback): -EINVAL before init; 0. The callback belongs to
//     the calling program (the kernel takes a reference on it).
//   timer_start (171)(timer, nsecs, flags): flags other than BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN
//     -EINVAL; -EINVAL before init or without a callback; else 0 and the timer is armed (again):
//     it expires nsecs after now, or at nsecs with BPF_F_TIMER_ABS, on the runtime's clock.
//   timer_cancel (172)(timer): -EINVAL before init; -EDEADLK from the timer's own callback; else
//     the callback is dropped (a start needs a new set_callback) and the result is 1 when an armed
//     timer was disarmed, 0 when it was not armed (hrtimer_cancel).
//
// Expiry: the runtime's clock (src/clock.ts) fires an armed timer when user space advances the
// clock past its expiry, as the kernel's hrtimer softirq does: a new run of the callback with
// (map, key, value), r0 ignored (the verifier holds it to 0), on the CPU that armed it. While the
// callback runs the timer is "running" (the kernel's per-CPU hrtimer_running): cancelling it from
// there is -EDEADLK; deleting or overwriting its element frees it, so the callback's own start
// then fails with -EINVAL; starting it from there arms it again (it fires again when the clock
// reaches the new expiry). Without BPF_F_TIMER_CPU_PIN the kernel may migrate an hrtimer to
// another CPU; ebpfvm always fires it on the arming CPU (one valid outcome). Timers fire only
// when user space advances the clock, never during a run: in the kernel a timer due within
// microseconds may fire while the program that armed it is still running (from the timer
// interrupt), which a program cannot rely on either way.
//
// An element overwritten (update), deleted, evicted (LRU), and every element of a destroyed map
// cancels and frees its timer (bpf_obj_free_fields -> bpf_timer_cancel_and_free): the maps call
// TimerTable.free. The clock ids all read the runtime's one clock (REALTIME is that clock plus
// REALTIME_OFFSET, a fixed epoch), so an absolute expiry is compared with the clock the timer was
// initialised with.

import { FaultSignal } from '../src/errors.js';
import { Errno, type BpfMap, type MapTimers } from '../maps/types.js';
import { TIMER_SIZE } from '../maps/common.js';
import type { BpfFunctionRef, HelperCall, HelperEntry } from './types.js';

const MAX_CLOCKS = 16n;
export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_BOOTTIME = 7;
const BPF_F_TIMER_ABS = 1n;
const BPF_F_TIMER_CPU_PIN = 2n;
/** CLOCK_REALTIME minus CLOCK_MONOTONIC: a fixed epoch (2026-01-01T00:00:00Z) so absolute
 *  REALTIME expiries are reproducible. */
export const REALTIME_OFFSET = 1_767_225_600_000_000_000n;

/** One initialised timer (the kernel's bpf_hrtimer). */
export interface BpfTimer {
  /** Address of the struct bpf_timer (the table's key). */
  readonly addr: number;
  /** The map value holding it, and the map (the callback's first and third arguments). */
  readonly value: number;
  readonly map: BpfMap;
  readonly mapHandle: bigint;
  /** CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME. */
  readonly clock: number;
  /** Set by bpf_timer_set_callback; dropped by a cancel. */
  callback: BpfFunctionRef | undefined;
  /** When armed: the expiry on the runtime's (monotonic) clock, ns. */
  expires: bigint | undefined;
  /** The CPU the callback runs on (the one that armed it), and whether it was pinned there. */
  cpu: number;
  pinned: boolean;
  /** Arming order: timers with the same expiry fire in the order they were armed. */
  seq: number;
}

/** One arming in the expiry queue: valid while its timer still has this expiry and sequence
 *  number (a re-arm, cancel, free or firing leaves it stale; stale entries are dropped lazily). */
interface Arming {
  t: BpfTimer;
  expires: bigint;
  seq: number;
}

const before = (a: Arming, b: Arming): boolean => a.expires < b.expires || (a.expires === b.expires && a.seq < b.seq);

/** The runtime's timers by bpf_timer address. One per runtime; the clock fires them. */
export class TimerTable implements MapTimers {
  private readonly byAddr = new Map<number, BpfTimer>();
  /** Armings as a binary min-heap by (expiry, arming order). */
  private readonly heap: Arming[] = [];
  private seq = 0;
  /** The timer whose callback is running (the kernel's per-CPU hrtimer_running). */
  running: BpfTimer | undefined = undefined;

  /** `now` reads the runtime's monotonic clock in ns. */
  constructor(private readonly now: () => bigint) {}

  get(addr: number): BpfTimer | undefined {
    return this.byAddr.get(addr);
  }

  /** Every initialised timer (tests, the CLI's report). */
  all(): BpfTimer[] {
    return [...this.byAddr.values()];
  }

  /** The armed timer that expires first (the earliest armed among equal expiries), if it expires
   *  at or before `limit`. */
  nextDue(limit: bigint): BpfTimer | undefined {
    const h = this.heap;
    while (h.length) {
      const top = h[0]!;
      if (top.t.expires === top.expires && top.t.seq === top.seq && this.byAddr.get(top.t.addr) === top.t) return top.expires <= limit ? top.t : undefined;
      this.pop();
    }
    return undefined;
  }

  /** Heap size at which stale armings are swept out (re-arming without firing leaves one each). */
  private sweepAt = 4096;

  private push(a: Arming): void {
    const h = this.heap;
    if (h.length >= this.sweepAt) {
      const live = h.filter((x) => x.t.expires === x.expires && x.t.seq === x.seq && this.byAddr.get(x.t.addr) === x.t);
      live.sort((x, y) => (before(x, y) ? -1 : 1)); // a sorted array is a heap
      h.length = 0;
      h.push(...live);
      this.sweepAt = Math.max(4096, 2 * h.length);
    }
    let i = h.push(a) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = a;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (!h.length) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && before(h[l + 1]!, h[l]!) ? l + 1 : l;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }

  init(addr: number, value: number, map: BpfMap, mapHandle: bigint, clock: number): BpfTimer {
    const t: BpfTimer = { addr, value, map, mapHandle, clock, callback: undefined, expires: undefined, cpu: 0, pinned: false, seq: 0 };
    this.byAddr.set(addr, t);
    return t;
  }

  /** hrtimer_start: arm (or re-arm) `t` to expire `nsecs` from now, or at `nsecs` on its clock. */
  start(t: BpfTimer, nsecs: bigint, abs: boolean, pinned: boolean, cpu: number): void {
    const now = this.now();
    // ktime_t is signed: an expiry in the past (a negative one too) fires as soon as it can.
    const ns = BigInt.asIntN(64, nsecs);
    let at = abs ? ns - (t.clock === CLOCK_REALTIME ? REALTIME_OFFSET : 0n) : now + ns;
    if (at < now) at = now;
    t.expires = at;
    t.pinned = pinned;
    t.cpu = cpu;
    t.seq = ++this.seq;
    this.push({ t, expires: at, seq: t.seq });
  }

  /** bpf_timer_cancel_and_free: the element holding the timer is freed or overwritten. */
  free(addr: number): void {
    const t = this.byAddr.get(addr);
    if (!t) return;
    t.expires = undefined;
    t.callback = undefined;
    this.byAddr.delete(addr);
  }
}

/** The runtime's timer table, or a fault when the runtime has none (a custom helper table). */
function table(call: HelperCall): TimerTable {
  const t = call.env.timers;
  if (!t) throw new FaultSignal('bpf_timer: this runtime has no timer table');
  return t;
}

/** The timer argument: 16 writable bytes (a forged pointer faults, naming the helper). */
function timerArg(call: HelperCall): number {
  const at = call.ptr(1);
  call.arena.check(at, TIMER_SIZE, true);
  return at;
}

// Timer helpers are in bpf_base_func_proto: every program type (for tracing programs the loader
// refuses maps holding a bpf_timer, as check_map_prog_compatibility does).
const ALL = 'all' as const;

export const TIMER_HELPERS: readonly HelperEntry[] = [
  {
    id: 169,
    name: 'timer_init',
    proto: { args: [{ type: 'ARG_PTR_TO_TIMER' }, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: ALL,
    impl: (call) => {
      const at = timerArg(call);
      const map = call.map(2);
      const flags = call.u64(3);
      const clock = Number(flags & (MAX_CLOCKS - 1n));
      if (flags >= MAX_CLOCKS || (clock !== CLOCK_MONOTONIC && clock !== CLOCK_REALTIME && clock !== CLOCK_BOOTTIME)) return -Errno.EINVAL;
      const timers = table(call);
      if (timers.get(at)) return -Errno.EBUSY;
      // The kernel finds the value from the map's record (cb->value = timer - timer_off); the
      // verifier made sure the timer is that field of this map. Unverified, check it here.
      const off = map.spec.timerOffset;
      if (off === undefined || !map.valueKey) throw new FaultSignal(`bpf_timer_init: map '${map.name}' holds no struct bpf_timer (BTF)`);
      if (map.valueKey(at - off) === undefined) throw new FaultSignal(`bpf_timer_init: 0x${at.toString(16)} is not the struct bpf_timer of a live element of map '${map.name}'`);
      timers.init(at, at - off, map, call.u64(2), clock);
      return 0;
    },
  },
  {
    id: 170,
    name: 'timer_set_callback',
    proto: { args: [{ type: 'ARG_PTR_TO_TIMER' }, { type: 'ARG_PTR_TO_FUNC' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: ALL,
    impl: (call) => {
      const t = table(call).get(timerArg(call));
      if (!t) return -Errno.EINVAL;
      if (!call.functionRef) throw new FaultSignal('bpf_timer_set_callback: this machine cannot keep a callback');
      t.callback = call.functionRef(2);
      return 0;
    },
  },
  {
    id: 171,
    name: 'timer_start',
    proto: { args: [{ type: 'ARG_PTR_TO_TIMER' }, { type: 'ARG_ANYTHING' }, { type: 'ARG_ANYTHING' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: ALL,
    impl: (call) => {
      const flags = call.u64(3);
      if ((flags & ~(BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN)) !== 0n) return -Errno.EINVAL;
      const timers = table(call);
      const t = timers.get(timerArg(call));
      if (!t || t.callback === undefined) return -Errno.EINVAL;
      timers.start(t, call.u64(2), (flags & BPF_F_TIMER_ABS) !== 0n, (flags & BPF_F_TIMER_CPU_PIN) !== 0n, call.cpu);
      return 0;
    },
  },
  {
    id: 172,
    name: 'timer_cancel',
    proto: { args: [{ type: 'ARG_PTR_TO_TIMER' }], ret: { type: 'RET_INTEGER' } },
    gplOnly: true,
    progTypes: ALL,
    impl: (call) => {
      const timers = table(call);
      const t = timers.get(timerArg(call));
      if (!t) return -Errno.EINVAL;
      // hrtimer_cancel would wait for the running callback to finish: its own callback deadlocks.
      if (timers.running === t) return -Errno.EDEADLK;
      t.callback = undefined;
      const wasArmed = t.expires !== undefined;
      t.expires = undefined;
      return wasArmed ? 1 : 0;
    },
  },
];
