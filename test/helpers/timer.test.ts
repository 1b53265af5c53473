// bpf_timer helpers (helpers/timer.ts) beyond the host-recorded single runs of
// test/progs/run_timer.c (test/agreement/kernel-progs-local.test.ts): state across runs in one
// runtime, verification, and what a run leaves armed.
import { describe, expect, it } from 'vitest';
import { testRun } from '../../vm/test-run.js';
import { timersOf } from '../../helpers/timer.js';
import { loadProg } from '../run/helpers.js';

describe('bpf_timer', () => {
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
    const [t] = [...timersOf(o.runtime.arena).values()];
    expect(t?.armed).toBeUndefined();
    expect(t?.callback).toBeUndefined(); // cancel drops the callback
    expect(testRun(o.runtime, o.program('tm_cancel_armed').program, {}).retval).toBe(1);
  });

  it('every program of run_timer.c verifies, as on the host kernel (verifier/timer.ts)', () => {
    const o = loadProg('run_timer.o');
    for (const name of ['tm_init', 'tm_init_twice', 'tm_start', 'tm_cancel_armed', 'tm_restart_after_cancel', 'tm_set_callback_uninit']) {
      const v = o.program(name).verify();
      expect(v.error, name).toBeUndefined();
      expect(v.accepted, name).toBe(true);
    }
  });
});
