// Clock helpers. All read the runtime's one monotonic clock (HelperEnv.nowNs), which a test can
// replace for reproducible runs, so the three ktime variants agree with each other:
//   ktime_get_ns (5)         the clock itself (CLOCK_MONOTONIC)
//   ktime_get_boot_ns (125)  the same clock: a VM never suspends, so boottime == monotonic
//   ktime_get_coarse_ns (160) the clock truncated to the last timer tick (1/HZ)
//   jiffies64 (118)          ticks since the clock's zero: floor(ns * HZ / 1e9)
//   ktime_get_tai_ns (208)   CLOCK_TAI: the realtime clock (the clock plus timers' fixed epoch,
//                            REALTIME_OFFSET) plus the TAI offset, 0 as the kernel keeps it until
//                            adjtimex sets one (the recording host's is 0)
// ebpfvm models CONFIG_HZ=250 (the common distribution setting); the kernel's jiffies also start
// at INITIAL_JIFFIES (5 minutes before wrap), which we leave out so the value is predictable.

import { ProgType } from '../vm/prog-types.js';
import { REALTIME_OFFSET } from './timer.js';
import type { HelperEntry, HelperRet } from './types.js';

export const HZ = 250n;
export const NS_PER_TICK = 1_000_000_000n / HZ;

const INT: HelperRet = { type: 'RET_INTEGER' };

/** ktime_get_coarse_ns is not NMI-safe, so the kernel refuses it to tracing programs and to
 *  syscall programs (which share the tracing helper set): every other type may call it. */
const NOT_TRACING = Object.values(ProgType).filter(
  (t) => !([ProgType.KPROBE, ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE, ProgType.TRACING, ProgType.SYSCALL] as number[]).includes(t),
);

export const TIME_HELPERS: readonly HelperEntry[] = [
  { id: 5, name: 'ktime_get_ns', proto: { args: [], ret: INT }, gplOnly: false, progTypes: 'all', impl: (call) => call.env.nowNs() },
  { id: 125, name: 'ktime_get_boot_ns', proto: { args: [], ret: INT }, gplOnly: false, progTypes: 'all', impl: (call) => call.env.nowNs() },
  {
    id: 160,
    name: 'ktime_get_coarse_ns',
    proto: { args: [], ret: INT },
    gplOnly: false,
    progTypes: NOT_TRACING,
    impl: (call) => {
      const ns = call.env.nowNs();
      return ns - (ns % NS_PER_TICK);
    },
  },
  // bpf_base_func_proto: every program type
  { id: 208, name: 'ktime_get_tai_ns', proto: { args: [], ret: INT }, gplOnly: false, progTypes: 'all', impl: (call) => call.env.nowNs() + REALTIME_OFFSET },
  { id: 118, name: 'jiffies64', proto: { args: [], ret: INT }, gplOnly: false, progTypes: 'all', impl: (call) => call.env.nowNs() / NS_PER_TICK },
];
