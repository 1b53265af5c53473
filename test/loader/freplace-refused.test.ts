// withExtensions (src/loader/freplace.ts) appends each extension's code to its target's: the
// per-pc facts of the extension move with it. Program.refusedCalls (15479b2: calls the verifier
// refuses, which an unverified run faults at) must too, or an unverified run of the target with
// the extension attached calls a helper the kernel's verifier refuses, on either engine.
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
