// Clocks, identity, randomness.
import { describe, expect, it } from 'vitest';
import { FakeWorld } from './fake-call.js';
import { Errno } from '../../maps/types.js';

describe('time helpers', () => {
  it('ktime_get_ns / boot_ns read the runtime clock; coarse_ns truncates to a 4 ms tick; jiffies64 counts ticks at HZ=250', () => {
    const w = new FakeWorld({ now: 12_345_678_901n });
    expect(w.invoke('ktime_get_ns')).toBe(12_345_678_901n);
    expect(w.invoke('ktime_get_boot_ns')).toBe(12_345_678_901n);
    expect(w.invoke('ktime_get_coarse_ns')).toBe(12_344_000_000n);
    // CLOCK_TAI: realtime (the timers' fixed 2026-01-01 epoch) with a TAI offset of 0
    expect(w.invoke('ktime_get_tai_ns')).toBe(1_767_225_600_000_000_000n + 12_345_678_901n);
    expect(w.invoke('jiffies64')).toBe(3086n);
    w.now += 4_000_000n;
    expect(w.invoke('jiffies64')).toBe(3087n);
  });
});

describe('identity and randomness', () => {
  it('pid_tgid, uid_gid pack the configured task as the kernel does', () => {
    const w = new FakeWorld({ task: { pid: 7, tgid: 5, uid: 1001, gid: 2002, comm: 'x' } });
    expect(w.invoke('get_current_pid_tgid')).toBe((5n << 32n) | 7n);
    expect(w.invoke('get_current_uid_gid')).toBe((2002n << 32n) | 1001n);
  });
  it('get_current_comm truncates to 15 bytes and NUL-pads the buffer', () => {
    const w = new FakeWorld({ task: { pid: 1, tgid: 1, uid: 0, gid: 0, comm: 'a-very-long-command-name' } });
    const buf = w.mem(new Array(20).fill(0xff));
    expect(w.invoke('get_current_comm', buf, 20)).toBe(0n);
    expect(w.str(buf)).toBe('a-very-long-com');
    expect(Array.from(w.arena.read(buf + 15, 5))).toEqual([0, 0, 0, 0, 0]);
    const small = w.mem(new Array(4).fill(0xff));
    expect(w.invoke('get_current_comm', small, 4)).toBe(0n);
    expect(w.str(small)).toBe('a-v');
  });
  it('get_ns_current_pid_tgid: the task\'s pid and tgid when dev and ino name its pid namespace, else -EINVAL and nsdata zeroed', () => {
    const w = new FakeWorld({ task: { pid: 7, tgid: 5, uid: 0, gid: 0, comm: 'x' } });
    const buf = w.mem(new Array(8).fill(0xff));
    expect(w.invoke('get_ns_current_pid_tgid', 4, 0xeffffffc, buf, 8)).toBe(0n);
    expect(Array.from(w.arena.read(buf, 8))).toEqual([7, 0, 0, 0, 5, 0, 0, 0]);
    for (const [dev, ino, size] of [[4, 0xeffffffd, 8], [5, 0xeffffffc, 8], [4n | (1n << 32n), 0xeffffffc, 8], [4, 0xeffffffc, 4]] as const) {
      const b = w.mem(new Array(8).fill(0xff));
      expect(w.invoke('get_ns_current_pid_tgid', dev, ino, b, size)).toBe(BigInt(-Errno.EINVAL));
      expect(Array.from(w.arena.read(b, size))).toEqual(new Array(size).fill(0));
    }
    const other = new FakeWorld({ task: { pid: 9, tgid: 9, uid: 0, gid: 0, comm: 'x', pidnsDev: 3, pidnsIno: 0xf0000001 } });
    const o = other.mem(new Array(8).fill(0xff));
    expect(other.invoke('get_ns_current_pid_tgid', 3, 0xf0000001, o, 8)).toBe(0n);
    expect(Array.from(other.arena.read(o, 8))).toEqual([9, 0, 0, 0, 9, 0, 0, 0]);
  });
  it('smp_processor_id is the run CPU, numa node is 0, prandom comes from the runtime PRNG', () => {
    const w = new FakeWorld({ cpu: 3, ncpus: 4 });
    expect(w.invoke('get_smp_processor_id')).toBe(3n);
    expect(w.invoke('get_numa_node_id')).toBe(0n);
    const a = w.invoke('get_prandom_u32');
    const b = w.invoke('get_prandom_u32');
    expect(a).not.toBe(b);
    expect(a >= 0n && a <= 0xffffffffn).toBe(true);
  });
});
