// bpf_timer (helpers/timer.ts) on the runtime's clock (src/clock.ts), beyond the host-recorded
// single runs of test/progs/run_timer.c and run_timer_fire.c (test/agreement/
// kernel-progs-local.test.ts): state across runs in one runtime, verification, and what the
// callbacks do when user space advances the clock, against the host kernel's own firings
// (test/fixtures/timers, scripts/record-timer-fire.mjs) and the kernel selftest's assertions.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testRun } from '../../vm/test-run.js';
import { Runtime } from '../../src/runtime.js';
import { VmFault } from '../../src/errors.js';
import { TimerTable } from '../../helpers/timer.js';
import type { BpfMap } from '../../maps/types.js';
import { CLOCK_START_NS } from '../../src/clock.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runnableProgram, verifyForRun } from '../../src/verify.js';
import type { LoadedObject } from '../../src/loader/load.js';
import { loadProg } from '../run/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** A global of the object, as a signed 64-bit value (or the size it has). */
function global(o: LoadedObject, name: string): bigint {
  const g = o.spec.globals.get(name);
  if (!g) throw new Error(`no global ${name}`);
  const bytes = o.map(g.map).lookup(new Uint8Array(4))!.subarray(g.offset, g.offset + g.size);
  let v = 0n;
  for (let i = g.size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return BigInt.asIntN(g.size * 8, v);
}

/** Load `path`, verified (the accepted, rewritten program runs, without a budget) or not. */
function loadFor(path: string, runtime: Runtime, programs: readonly string[], verified: boolean): { o: LoadedObject; run: (p: string, args?: bigint[]) => number } {
  const o = load(runtime, openObject(new Uint8Array(readFileSync(path))), { programs: [...programs] });
  return {
    o,
    run: (p, args) => {
      if (verified) verifyForRun(o, p, {});
      // a verified program runs without an instruction budget (0), as its callbacks then do
      return testRun(runtime, verified ? runnableProgram(o.program(p)) : o.program(p).program, { ...(args ? { args } : {}), ...(verified ? { maxInsns: 0 } : {}) }).retval | 0;
    },
  };
}

describe('bpf_timer helpers', () => {
  it('a map update that resets the value ends its timer, as bpf_obj_free_fields does', () => {
    const o = loadProg('run_timer.o');
    const init = o.program('tm_init').program;
    const twice = o.program('tm_init_twice').program;
    // each run resets the value first, so init succeeds every time; a second init in one run is -EBUSY
    for (let i = 0; i < 3; i++) expect(testRun(o.runtime, init, {}).retval | 0).toBe(0);
    expect(testRun(o.runtime, init, { repeat: 4 }).retval | 0).toBe(0);
    expect(testRun(o.runtime, twice, {}).retval | 0).toBe(-16);
  });

  it('cancel disarms the timer and drops its callback; an armed one reports 1', () => {
    const o = loadProg('run_timer.o');
    expect(testRun(o.runtime, o.program('tm_cancel_unarmed').program, {}).retval).toBe(0);
    const [t] = o.runtime.timers.all();
    expect(t?.expires).toBeUndefined();
    expect(t?.callback).toBeUndefined(); // cancel drops the callback
    expect(testRun(o.runtime, o.program('tm_cancel_armed').program, {}).retval).toBe(1);
  });

  it("the programs of run_timer.c and run_timer_fire.c get the host kernel's verdicts (verifier/timer.ts)", () => {
    for (const file of ['run_timer.o', 'run_timer_fire.o']) {
      const o = loadProg(file);
      for (const p of o.spec.programs.keys()) {
        const v = o.program(p).verify();
        // arm_bad_cb's callback writes through its key, which the host refuses too
        // (test/fixtures/kernel-progs-local/run_timer_fire.json)
        expect(v.error, `${file}:${p}`).toBe(p === 'arm_bad_cb' ? 'write to change key R2 not allowed' : undefined);
        expect(v.accepted, `${file}:${p}`).toBe(p !== 'arm_bad_cb');
      }
    }
  });

  it('unverified, a callback that faults ends the advance with a VmFault at its own pc', () => {
    const runtime = new Runtime({ clock: 'virtual' });
    const { o, run } = loadFor(join(ROOT, 'test/progs/run_timer_fire.o'), runtime, ['arm_bad_cb'], false);
    expect(run('arm_bad_cb')).toBe(0);
    let fault: unknown;
    try {
      runtime.clock.advance(5000);
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(VmFault);
    const f = fault as VmFault;
    expect(f.reason).toMatch(/write of 4 bytes at 0x[0-9a-f]+: other 'timer callback key' is read-only/);
    expect(o.program('arm_bad_cb').program.funcs?.find((fn) => fn.pc <= f.pc && fn.name === 'bad_cb')).toBeDefined();
    // the clock stopped at the expiry it was firing; the timer is no longer armed
    expect(runtime.clock.now()).toBe(CLOCK_START_NS + 1000n);
    expect(runtime.clock.advance(5000).fired).toEqual([]);
  });
});

describe('timers on the runtime clock', () => {
  const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/timers/run_timer_fire.json'), 'utf8')) as {
    kernel: string;
    programs: string[];
    waitMs: number;
    retvals: Record<string, number>;
    globals: Record<string, number>;
    arr: number[];
    hash: Record<string, number>;
    lru: Record<string, number>;
  };
  const path = join(ROOT, 'test/progs/run_timer_fire.o');

  for (const engine of ['compiled', 'interpreter'] as const) {
    for (const verified of [false, true]) {
      it(`callbacks leave what the host kernel's left (${fixture.kernel}; ${engine}, ${verified ? 'verified' : 'unverified'})`, () => {
        const runtime = new Runtime({ clock: 'virtual', ncpus: 2, engine });
        const { o, run } = loadFor(path, runtime, fixture.programs, verified);
        // As recorded: each program runs, real time passes (the kernel's short timers fire then),
        // and after the last one the kernel had WAIT_MS to fire the rest.
        const fired: string[] = [];
        for (const p of fixture.programs) {
          expect(run(p), p).toBe(fixture.retvals[p]);
          fired.push(...runtime.clock.advance(100_000).fired.map((f) => `${f.map}[${new DataView(f.key.buffer).getUint32(0, true)}]`));
        }
        fired.push(...runtime.clock.advance(BigInt(fixture.waitMs) * 1_000_000n).fired.map((f) => f.map));
        for (const [name, want] of Object.entries(fixture.globals)) expect(global(o, name), name).toBe(BigInt(want));
        const word = (m: string, key: number) => {
          const k = new Uint8Array(4);
          new DataView(k.buffer).setUint32(0, key, true);
          const v = o.map(m).lookup(k);
          return v ? Number(new DataView(v.buffer, v.byteOffset).getBigUint64(0, true)) : undefined;
        };
        expect(fixture.arr.map((_, k) => word('arr', k))).toEqual(fixture.arr);
        for (const m of ['hash', 'lru'] as const) {
          const keys: number[] = [];
          for (let k = o.map(m).nextKey(undefined); k; k = o.map(m).nextKey(k)) keys.push(new DataView(k.buffer, k.byteOffset).getUint32(0, true));
          keys.sort();
          expect(Object.fromEntries(keys.map((k) => [String(k), word(m, k)])), m).toEqual(fixture[m]);
        }
        // arr[0] after 1000 ns, hash[7] (whose callback deletes it), arr[2] five times, arr[1] at
        // its absolute expiry, hash[5] at once: nine callbacks, none for freed timers.
        expect(fired).toEqual(['arr[0]', 'arr[1]', 'arr[2]', 'arr[2]', 'arr[2]', 'arr[2]', 'arr[2]', 'hash[7]', 'hash[5]']);
      });
    }
  }

  it('the virtual clock moves only when advanced; ktime in a callback reads its expiry; pinned callbacks run on the arming CPU', () => {
    const runtime = new Runtime({ clock: 'virtual', ncpus: 2 });
    const { o, run } = loadFor(path, runtime, ['arm_rel', 'arm_abs_pinned'], true);
    expect(runtime.clock.now()).toBe(CLOCK_START_NS);
    testRun(runtime, runnableProgram(o.program('arm_abs_pinned')), { cpu: 1 });
    expect(run('arm_rel')).toBe(0);
    expect(runtime.clock.now()).toBe(CLOCK_START_NS);
    const r = runtime.clock.advance(999);
    expect(r.fired).toEqual([]);
    expect(r.to).toBe(CLOCK_START_NS + 999n);
    const r2 = runtime.clock.advance(10_000);
    expect(r2.fired.map((f) => [f.map, f.at, f.cpu])).toEqual([
      ['arr', CLOCK_START_NS + 1000n, 0],
      ['arr', CLOCK_START_NS + 5000n, 1],
    ]);
    // each callback stored bpf_ktime_get_ns() in its value's last_ns: its expiry
    const lastNs = (key: number) => new DataView(o.map('arr').lookup(new Uint8Array([key, 0, 0, 0]))!.buffer).getBigUint64(8, true);
    expect([lastNs(0), lastNs(1)]).toEqual([CLOCK_START_NS + 1000n, CLOCK_START_NS + 5000n]);
    expect(global(o, 'last_cpu')).toBe(1n);
    expect(runtime.clock.now()).toBe(CLOCK_START_NS + 10_999n);
    expect(() => runtime.clock.advance(-1)).toThrow(/non-negative/);
    expect(() => new Runtime({ clock: 'real' as unknown as 'virtual' })).toThrow(/clock: expected 'virtual' or a function/);
  });

  it('destroying the map cancels its timers (map_release_uref)', () => {
    const runtime = new Runtime({ clock: 'virtual' });
    const { o, run } = loadFor(path, runtime, ['arm_rel'], true);
    expect(run('arm_rel')).toBe(0);
    expect(runtime.timers.all().length).toBe(1);
    runtime.destroyMap(o.mapId('arr'));
    expect(runtime.timers.all()).toEqual([]);
    expect(runtime.clock.advance(1_000_000).fired).toEqual([]);
  });

  it('with the default clock, real time runs on and advance adds to it', () => {
    const runtime = new Runtime();
    const a = runtime.clock.now();
    const r = runtime.clock.advance(5_000_000_000n);
    expect(r.to - a).toBeGreaterThanOrEqual(5_000_000_000n);
    expect(runtime.clock.now()).toBeGreaterThanOrEqual(r.to);
  });

  // The kernel's timer_mim.c: a timer in an inner hash map of a map-in-map ping-pongs between
  // two callbacks every 1000 ns; prog_tests/timer_mim.c checks that cnt grows, err is 0 and both
  // callbacks ran (ok == 3), then frees the inner map and checks that cnt stops.
  const kernelMim = '/root/.cache/ebpfvm/build/progs/timer_mim.o';
  it.skipIf(!existsSync(kernelMim))("the kernel's timer_mim.c: callbacks of an inner map's timer run until the map is freed", () => {
    for (const verified of [false, true]) {
      const runtime = new Runtime({ clock: 'virtual' });
      const { o, run } = loadFor(kernelMim, runtime, ['test1'], verified);
      expect(run('test1', [1n])).toBe(0);
      runtime.clock.advance(1_000_000);
      // fired at once, then every 1000 ns: 1001 callbacks in 1 ms
      expect(global(o, 'cnt')).toBe(1001n);
      expect(global(o, 'err')).toBe(0n);
      expect(global(o, 'ok')).toBe(3n);
      runtime.destroyMap(o.mapId('inner_htab'));
      expect(runtime.clock.advance(1_000_000).fired).toEqual([]);
      expect(global(o, 'cnt')).toBe(1001n);
    }
  });

  // The kernel's own selftest (tools/testing/selftests/bpf/progs/timer.c, built by
  // `npm run kernel:tree`): prog_tests/timer.c triggers test1..test5 (fentry on
  // bpf_fentry_test1..5), waits, and asserts what the callbacks computed. Here the clock is
  // advanced instead of waiting; the host cannot load these fentry programs (no attach target),
  // so the selftest's own assertions are the oracle.
  const kernelTimer = '/root/.cache/ebpfvm/build/progs/timer.o';
  it.skipIf(!existsSync(kernelTimer))("the kernel's timer.c: the values prog_tests/timer.c asserts after the timers fired", () => {
    for (const verified of [false, true]) {
      const runtime = new Runtime({ clock: 'virtual', ncpus: 2 });
      const progs = ['test1', 'test2', 'test3', 'test4', 'test5'];
      const { o, run } = loadFor(kernelTimer, runtime, progs, verified);
      expect([global(o, 'callback_check'), global(o, 'callback2_check'), global(o, 'pinned_callback_check')]).toEqual([52n, 52n, 0n]);
      // bpf_prog_test_run of an fentry program calls bpf_fentry_test1..8 with these arguments
      const args: Record<string, bigint[]> = { test1: [1n], test2: [2n, 3n], test3: [4n, 5n, 6n], test4: [7n, 8n, 9n, 10n], test5: [11n, 12n, 13n, 14n, 15n] };
      for (const p of progs) expect(run(p, args[p]), p).toBe(0);
      runtime.clock.advance(50_000); // usleep(50)
      expect(global(o, 'callback_check'), 'callback_check2').toBe(42n);
      expect(global(o, 'callback2_check'), 'callback2_check2').toBe(42n);
      expect(global(o, 'bss_data'), 'bss_data').toBe(10n);
      expect(global(o, 'abs_data'), 'abs_data').toBe(12n);
      expect(global(o, 'pinned_callback_check'), 'pinned_callback_check').toBe(2n);
      expect(global(o, 'err'), 'err').toBe(0n);
      expect(global(o, 'ok'), 'ok').toBe(7n);
      // the array timer was cancelled by timer_cb2; abs_timer stays armed ~34 s ahead
      expect(runtime.timers.all().filter((t) => t.expires !== undefined).map((t) => t.map.name)).toEqual(['abs_timer']);
    }
  });
});

describe('TimerTable', () => {
  it('fires in (expiry, arming order) through re-arms, cancels and frees, like a full scan would', () => {
    let now = 0n;
    const table = new TimerTable(() => now);
    const map = { name: 'm' } as unknown as BpfMap;
    let x = 12345;
    const rnd = (n: number) => ((x = (x * 1103515245 + 12345) % 2147483648), x % n);
    for (let a = 0; a < 500; a++) table.init(a * 16, a * 16, map, 0n, 1).callback = { prog: {} as never, pc: 0, maxInsns: 0 };
    const order: number[] = [];
    const expected: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const t = table.get(rnd(500) * 16);
      const op = rnd(10);
      if (!t) table.init(rnd(500) * 16, 0, map, 0n, 1);
      else if (op < 6) table.start(t, BigInt(rnd(1000)), false, false, 0);
      else if (op < 7) t.expires = undefined; // cancel
      else if (op < 8) table.free(t.addr);
      else {
        // fire what is due up to now + 100, checked against a scan of every timer
        const limit = now + 100n;
        for (;;) {
          const due = table.all().filter((d) => d.expires !== undefined && d.expires <= limit);
          due.sort((a, b) => (a.expires! < b.expires! ? -1 : a.expires! > b.expires! ? 1 : a.seq - b.seq));
          const got = table.nextDue(limit);
          expect(got?.addr).toBe(due[0]?.addr);
          if (!got) break;
          order.push(got.addr);
          expected.push(due[0]!.addr);
          got.expires = undefined;
        }
        now = limit;
      }
    }
    expect(order).toEqual(expected);
    expect(order.length).toBeGreaterThan(1000);
  });
});
