// `run --advance-ns N`: after the run user space advances the runtime's (then virtual) clock N ns
// and the bpf_timer callbacks the run armed fire on the way (src/clock.ts); the text and JSON
// outputs list them, --dump-maps shows the maps after them, a bad N is a usage error.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './capture.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const obj = join(ROOT, 'test/progs/run_timer_fire.o');

describe('run --advance-ns', () => {
  it('lists the callbacks that fired, in expiry order, and what is still armed', async () => {
    const r = await cli('run', obj, '--prog', 'arm_rearm', '--advance-ns', '3500');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Timers: clock advanced 3500 ns, 3 callbacks fired, 1 still armed\n');
    expect(r.out).toContain('  +1000 ns: arr key 02000000 on cpu 0, r0 0');
    expect(r.out).toContain('  +3000 ns: arr key 02000000 on cpu 0, r0 0');
  });
  it('--json: the timers object; --dump-maps shows the values the callbacks changed', async () => {
    const r = await cli('run', obj, '--prog', 'arm_self_cancel', '--advance-ns', '0x77359400', '--json', '--dump-maps');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.timers.advanced_ns).toBe('2000000000');
    expect(out.timers.clock_ns).toBe('3000000000');
    expect(out.timers.fired).toEqual([{ after_ns: '2000', map: 'hash', key: '07000000', cpu: 0, r0: '0', insn_count: out.timers.fired[0].insn_count }]);
    // hash[7]'s callback cancelled arr[3] (armed for 1 s, so it never fired) and deleted itself
    expect(out.timers.armed).toBe(0);
    expect(out.maps.hash.entries).toEqual([]);
    const section = (suffix: string) => (Object.entries(out.maps).find(([name]) => name.endsWith(suffix))![1] as { entries: { formatted: { value: Record<string, unknown> } }[] }).entries[0]!.formatted.value;
    expect(section('.data')).toEqual({ cancel_self: -35, start_after_delete: -22, cancel_other: 1 });
    expect(section('.bss')).toMatchObject({ fired_total: 1, last_key: 7 });
  });
  it('without the flag no timer fires', async () => {
    const r = await cli('run', obj, '--prog', 'arm_rel', '--json', '--dump-maps');
    expect(JSON.parse(r.out).timers).toBeUndefined();
  });
  it('a callback that faults (unverified) exits 1 naming the callback', async () => {
    const r = await cli('run', obj, '--prog', 'arm_bad_cb', '--no-verify', '--advance-ns', '5000');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Return value: 0, duration: \d+ns\n$/); // the run itself was fine
    expect(r.err).toMatch(/ebpfvm: fault in a timer callback: arm_bad_cb\/bad_cb pc \d+ .*'timer callback key' is read-only/);
  });
  it('a bad count is a usage error', async () => {
    const r = await cli('run', obj, '--prog', 'arm_rel', '--advance-ns', '-5');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--advance-ns: '-5' is not an unsigned 64-bit integer");
  });
});
