// The runtime's clock: what bpf_ktime_get_ns / _boot_ns / _coarse_ns and jiffies64 read
// (helpers/time.ts) and what bpf_timer expiries are measured on (helpers/timer.ts). User space
// moves it forward with `advance(ns)`, and every armed timer it passes fires then, in expiry
// order, as the kernel's hrtimer softirq would have run it: a run of its callback on its own,
// with (map, key, value). A callback that arms a timer (its own or another) within the advanced
// span fires again in the same advance.
//
// The clock reads its source plus what user space advanced so far. The default source is the
// real time elapsed since the runtime was made, plus 1 s (so ktime is never 0): time passes by
// itself as before, and `advance` adds to it. The 'virtual' source stands still: only `advance`
// moves the clock, so runs and timer firings are reproducible (the CLI's `run --advance-ns`
// uses it). While a timer fires, the clock reads at least that timer's expiry: a virtual clock
// jumps to each expiry in turn, so the callback sees the time it was due.
//
// bpf_wq work items (helpers/wq.ts) run on the same advance: the kernel runs queued work on a
// worker as soon as it can, so every item queued runs before the next timer expiry is reached, at
// the clock's current time, in the order queued (work a callback queues runs in the same advance;
// `advance(0)` only drains the queue).

import type { RunOutput } from '../helpers/types.js';
import type { BpfTimer, TimerTable } from '../helpers/timer.js';
import { UsageError } from './errors.js';

/** Where the clock's time comes from: a function (ns), or 'virtual' (still; only advance moves). */
export type ClockSource = (() => bigint) | 'virtual';

/** Where a virtual clock starts: 1 s, like the default source's first reading. */
export const CLOCK_START_NS = 1_000_000_000n;

/** At most this many callbacks per advance: a timer that keeps re-arming itself with a zero
 *  delay would otherwise fire forever (the kernel's softirq would spin the same way). */
export const MAX_FIRINGS_PER_ADVANCE = 100_000;

/** One timer or work-item callback run by an advance. */
export interface FiredTimer {
  /** A bpf_timer expiry or a bpf_wq work item. */
  kind: 'timer' | 'wq';
  /** The clock (ns) when it fired: its expiry, or later when the source had moved past it. */
  at: bigint;
  /** The map holding the timer and the element's key bytes (arrays: the u32 index). */
  map: string;
  key: Uint8Array;
  cpu: number;
  /** The callback's r0 (the verifier holds verified callbacks to 0) and instructions run. */
  r0: bigint;
  insns: number;
}

export interface AdvanceResult {
  /** The clock before and after the advance, ns. */
  from: bigint;
  to: bigint;
  fired: FiredTimer[];
  /** printk lines, ring buffer and perf records the callbacks produced. */
  output: RunOutput;
}

/** How the runtime runs one callback (Runtime.fireTimer). */
export type FireFn = (t: BpfTimer, output: RunOutput) => { r0: bigint; insns: number; key: Uint8Array };

/** How the runtime runs the next queued work item, if any (Runtime.runNextWork). */
export type WorkFn = (output: RunOutput) => { map: string; key: Uint8Array; cpu: number; r0: bigint; insns: number } | undefined;

export class RuntimeClock {
  private readonly source: () => bigint;
  /** Nanoseconds added by advance (and by jumps to a timer's expiry). */
  private offset = 0n;
  private advancing = false;

  constructor(
    source: ClockSource,
    private readonly timers: TimerTable,
    private readonly fire: FireFn,
    private readonly work: WorkFn = () => undefined,
  ) {
    if (source !== 'virtual' && typeof source !== 'function') throw new UsageError(`clock: expected 'virtual' or a function returning ns as a bigint (got ${String(source)})`);
    this.source = source === 'virtual' ? () => CLOCK_START_NS : source;
  }

  /** The monotonic clock, ns. */
  now(): bigint {
    return this.source() + this.offset;
  }

  /** Move the clock `ns` forward and fire every timer that expires on the way. */
  advance(ns: bigint | number): AdvanceResult {
    const step = typeof ns === 'number' ? (Number.isSafeInteger(ns) ? BigInt(ns) : -1n) : ns;
    if (step < 0n) throw new UsageError(`clock.advance: expected a non-negative integer number of ns (got ${String(ns)})`);
    return this.advanceTo(this.now() + step);
  }

  /** Move the clock to `target` ns (no move if it is already there or past) and fire every timer
   *  that expires up to it. */
  advanceTo(target: bigint): AdvanceResult {
    if (this.advancing) throw new UsageError('clock.advance: called from inside a timer callback');
    const from = this.now();
    const output: RunOutput = { printk: [], ringbuf: [], perf: [] };
    const fired: FiredTimer[] = [];
    this.advancing = true;
    try {
      const tooMany = (): never => {
        throw new UsageError(`clock.advance: more than ${MAX_FIRINGS_PER_ADVANCE} timer or work callbacks before ${target} ns (a timer or work item keeps re-arming itself before the target)`);
      };
      for (;;) {
        // Queued work first, at the current time.
        for (let w = this.work(output); w; w = this.work(output)) {
          fired.push({ kind: 'wq', at: this.now(), ...w });
          if (fired.length >= MAX_FIRINGS_PER_ADVANCE) tooMany();
        }
        const t = this.timers.nextDue(target);
        if (!t) break;
        if (fired.length >= MAX_FIRINGS_PER_ADVANCE) {
          throw new UsageError(`clock.advance: more than ${MAX_FIRINGS_PER_ADVANCE} timer callbacks before ${target} ns (a timer keeps re-arming itself before the target)`);
        }
        const due = t.expires!;
        if (this.now() < due) this.offset += due - this.now();
        const at = this.now();
        // hrtimer: the timer is no longer armed once it fires (HRTIMER_NORESTART); the callback
        // may arm it again. Without a callback (cancelled, freed) nothing runs.
        t.expires = undefined;
        if (!t.callback) continue;
        const r = this.fire(t, output);
        fired.push({ kind: 'timer', at, map: t.map.name, key: r.key, cpu: t.cpu, r0: r.r0, insns: r.insns });
      }
      if (this.now() < target) this.offset += target - this.now();
    } finally {
      this.advancing = false;
    }
    return { from, to: this.now(), fired, output };
  }
}
