// bpf_timer helpers (kernel/bpf/helpers.c): a struct bpf_timer in a map value names a timer.
//   timer_init (169)(timer, map, flags): flags is a clock id below MAX_CLOCKS (16), and only
//     CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME: else -EINVAL; a timer already
//     initialised: -EBUSY; else 0.
//   timer_set_callback (170)(timer, callback): -EINVAL before init; 0.
//   timer_start (171)(timer, nsecs, flags): flags other than BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN
//     -EINVAL; -EINVAL before init or before a callback is set; else 0 and the timer is armed.
//   timer_cancel (172)(timer): -EINVAL before init; -EDEADLK from the timer's own callback; else
//     0 when it was not armed, 1 when an armed timer was cancelled (hrtimer_cancel), and the
//     callback is dropped (a start needs a new set_callback).
// The timer's state is kept beside the arena, keyed by the bpf_timer's address; timer_init writes
// a token into the timer's first 8 bytes (the kernel keeps its bpf_async_kern pointer there, and
// the verifier forbids programs to load or store them). A timer is initialised only while its
// bytes still hold its token: a map update that overwrites the value (with zeros, as programs
// reset a value) ends the timer as the kernel's bpf_obj_free_fields does, and so does a freed and
// reused element. (User-space lookups see the token; the kernel shows zeros there.)
//
// Callbacks: in the kernel an armed timer fires on its hrtimer after the program (and the test
// run) has returned, so no test run's retval or data depends on it. ebpfvm has no virtual clock
// that user space advances yet, so an armed timer is only recorded (TimerState.armedNs) and its
// callback never runs. The verifier refuses timer arguments by name (not yet
// verified), so these helpers run only under --no-verify.

import type { Arena } from '../vm/memory.js';
import { Errno } from '../maps/types.js';
import type { HelperCall, HelperEntry } from './types.js';

const MAX_CLOCKS = 16n;
const CLOCK_REALTIME = 0n;
const CLOCK_MONOTONIC = 1n;
const CLOCK_BOOTTIME = 7n;
const BPF_F_TIMER_ABS = 1n;
const BPF_F_TIMER_CPU_PIN = 2n;
/** sizeof(struct bpf_timer). */
const TIMER_SIZE = 16;

export interface TimerState {
  /** What timer_init wrote into the bpf_timer's first 8 bytes. */
  token: bigint;
  clock: number;
  /** The callback's function handle once set (dropped by a cancel). */
  callback?: bigint;
  /** When armed: the expiry asked for (nsecs, and whether it is absolute); undefined otherwise. */
  armed?: { nsecs: bigint; abs: boolean; pinned: boolean };
  /** The map bpf_timer_init named (the callback's first argument in the kernel). */
  map: string;
}

const timers = new WeakMap<Arena, Map<number, TimerState>>();

/** The timers of a runtime (its arena), by bpf_timer address: for tests and the runtime. */
export function timersOf(arena: Arena): Map<number, TimerState> {
  let m = timers.get(arena);
  if (!m) timers.set(arena, (m = new Map()));
  return m;
}

/** The timer argument: 16 writable bytes (a forged pointer faults, naming the helper). */
function timerArg(call: HelperCall): number {
  const at = call.ptr(1);
  call.arena.check(at, TIMER_SIZE, true);
  return at;
}

/** The timer at `at` while its bytes still hold its token, else undefined (never initialised, or
 *  its value was overwritten since). */
function timerAt(call: HelperCall, at: number): TimerState | undefined {
  const all = timersOf(call.arena);
  const t = all.get(at);
  if (t && call.arena.dv.getBigUint64(at, true) === t.token) return t;
  if (t) all.delete(at);
  return undefined;
}

const TOKEN_TAG = 0xb9f7n << 48n;
let nextToken = 1n;

// Timer helpers are in bpf_base_func_proto: every program type (for tracing programs the loader
// already refuses maps holding a bpf_timer, as check_map_prog_compatibility does).
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
      const clock = flags & (MAX_CLOCKS - 1n);
      if (flags >= MAX_CLOCKS || (clock !== CLOCK_MONOTONIC && clock !== CLOCK_REALTIME && clock !== CLOCK_BOOTTIME)) return -Errno.EINVAL;
      if (timerAt(call, at)) return -Errno.EBUSY;
      const token = TOKEN_TAG | nextToken++;
      call.arena.dv.setBigUint64(at, token, true);
      timersOf(call.arena).set(at, { token, clock: Number(clock), map: map.name });
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
      const t = timerAt(call, timerArg(call));
      if (!t) return -Errno.EINVAL;
      t.callback = call.u64(2);
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
      const t = timerAt(call, timerArg(call));
      if (!t || t.callback === undefined) return -Errno.EINVAL;
      t.armed = { nsecs: call.u64(2), abs: (flags & BPF_F_TIMER_ABS) !== 0n, pinned: (flags & BPF_F_TIMER_CPU_PIN) !== 0n };
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
      const t = timerAt(call, timerArg(call));
      if (!t) return -Errno.EINVAL;
      // (A callback cancelling its own timer gets -EDEADLK in the kernel; callbacks never run
      // here yet, so that case cannot arise.)
      delete t.callback;
      const wasArmed = t.armed !== undefined;
      delete t.armed;
      return wasArmed ? 1 : 0;
    },
  },
];
