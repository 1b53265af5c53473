// withExtensions (src/loader/freplace.ts) appends each extension's code to its target's: the
// per-pc facts of the extension move with it. Program.refusedCalls (15479b2: calls the verifier
// refuses, which an unverified run faults at) must too, or an unverified run of the target with
// the extension attached calls a helper the kernel's verifier refuses, on either engine. And the
// other way: an extension's gpl_only calls are judged by its own license, as the kernel's verifier
// judges them (bpf_check_attach_target compares no licenses), so a GPL extension of a non-GPL
// target makes them, while the target's own stay refused.
import { describe, expect, it } from 'vitest';
import { VmFault } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import { withExtensions } from '../../src/loader/freplace.js';
import { I, callLocal, exit, mov64, prog } from '../vm/enc.js';

const LINE = 'program of this type cannot use helper bpf_ktime_get_ns#5';

describe('withExtensions keeps the refused calls of the extensions it appends', () => {
  // main: call f; exit. f (pc 2): r0 = 1; exit.
  const own = prog([callLocal(1), exit(), mov64(0, 1), exit()], { funcs: [{ pc: 0, name: 'main' }, { pc: 2, name: 'f' }] });
  // the extension replacing f: r0 = ktime_get_ns(), a call the verifier refuses for this type
  const ext = prog([I(0x85, 0, 0, 0, 5), exit()], { name: 'ext', refusedCalls: new Map([[0, LINE]]) });

  it('at their pcs in the joined program', () => {
    const joined = withExtensions(own, new Map([['f', ext]]));
    expect(joined.refusedCalls?.get(4)).toBe(LINE);
  });

  for (const engine of ['interpreter', 'compiled'] as const) {
    it(`an unverified run faults at the call (${engine})`, () => {
      const rt = new Runtime({ engine });
      const joined = withExtensions(own, new Map([['f', ext]]));
      let fault: VmFault | undefined;
      try {
        rt.execute(joined);
      } catch (e) {
        if (!(e instanceof VmFault)) throw e;
        fault = e;
      }
      expect(fault?.reason).toContain(LINE);
      expect(fault?.pc).toBe(4);
    });
  }
});

describe('an extension calls gpl_only helpers under its own license', () => {
  // get_current_task (35) is gpl_only. main: call f; exit. f (pc 2): r0 = 1; exit.
  const own = prog([callLocal(1), exit(), mov64(0, 1), exit()], { gpl: false, funcs: [{ pc: 0, name: 'main' }, { pc: 2, name: 'f' }] });
  const ext = prog([I(0x85, 0, 0, 0, 35), mov64(0, 7), exit()], { name: 'ext', gpl: true });
  // the target's own gpl_only call, refused at load (its license is not GPL): still refused
  const ownCalls = prog([I(0x85, 0, 0, 0, 35), callLocal(1), exit(), mov64(0, 1), exit()], {
    gpl: false,
    funcs: [{ pc: 0, name: 'main' }, { pc: 3, name: 'f' }],
    refusedCalls: new Map([[0, 'cannot call GPL-restricted function from non-GPL compatible program']]),
  });
  for (const engine of ['interpreter', 'compiled'] as const) {
    it(`a GPL extension of a non-GPL target (${engine})`, () => {
      const rt = new Runtime({ engine });
      expect(rt.execute(withExtensions(own, new Map([['f', ext]]))).r0).toBe(7n);
      expect(rt.execute(withExtensions(own, new Map([['main', ext]]))).r0).toBe(7n);
      expect(() => rt.execute(withExtensions(ownCalls, new Map([['f', ext]])))).toThrow(/GPL-restricted/);
    });
  }
});
