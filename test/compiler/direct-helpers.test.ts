// Helper and kfunc calls: the compiled code calls the helper table's entry (the kfunc table's
// implementation), resolved when its function was made, instead of going through
// Interpreter.callHelper / callKfunc (vm/compiler/codegen.ts callCode). Everything observable must
// stay the interpreter's: r0 from every kind of result, the GPL-only refusal, unknown helpers and
// kfuncs, a run's own kfunc hook, faults raised in the helper (pc, registers) and the registers
// after the call.
import { describe, expect, it } from 'vitest';
import { FaultSignal, VmFault } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import type { HelperEntry, HelperResult, HelperCall } from '../../helpers/types.js';
import type { Engine } from '../../vm/interpreter.js';
import type { Program } from '../../vm/program.js';
import { ADD, alu64x, exit, I, lddw, mov64, movr, prog } from '../vm/enc.js';

const ENGINES: readonly Engine[] = ['interpreter', 'compiled'];

const helper = (id: number, impl: (c: HelperCall) => HelperResult, gplOnly = false): HelperEntry => ({
  id,
  name: `test_h${id}`,
  proto: { args: [], ret: { type: 'RET_INTEGER' } },
  gplOnly,
  progTypes: 'all',
  impl,
});

function both(p: Program, helpers: HelperEntry[]): unknown[] {
  return ENGINES.map((engine) => {
    const rt = new Runtime({ engine, helpers });
    try {
      const x = rt.execute(p);
      return { r0: x.r0.toString(16), insns: x.insnCount };
    } catch (e) {
      if (!(e instanceof VmFault)) throw e;
      return { fault: e.reason, pc: e.pc, regs: e.registers.map((v) => v.toString(16)) };
    }
  });
}

/** r6 = 7; r1 = 11; r2 = 22; call id; r0 += r6; r0 += r1 (what the call left in r1); exit */
const calling = (id: number, gpl = true): Program => prog([mov64(6, 7), mov64(1, 11), mov64(2, 22), I(0x85, 0, 0, 0, id), alu64x(ADD, 0, 6), alu64x(ADD, 0, 1), exit()], { gpl });

describe('helper calls with a constant id, compiled as direct calls', () => {
  it('every kind of result sets r0 as the interpreter sets it', () => {
    const results: HelperResult[] = [0, 5, 0xffffffff, 2 ** 32 + 3, -1, -(2 ** 40), 1n << 63n, -5n, (1n << 64n) + 9n];
    for (const v of results) {
      const [i, c] = both(calling(2), [helper(2, () => v)]);
      expect(c, String(v)).toEqual(i);
    }
  });

  it('a result that is no integer faults alike', () => {
    const [i, c] = both(calling(2), [helper(2, () => 0.5)]);
    expect(c).toEqual(i);
    expect(i).toMatchObject({ fault: expect.stringMatching(/not a safe integer/), pc: 3 });
  });

  it('the arguments the helper reads and the registers after the call are the interpreter\'s', () => {
    const [i, c] = both(calling(2), [helper(2, (call) => call.u32(1) * 1000 + call.u32(2))]);
    expect(c).toEqual(i);
    expect(i).toMatchObject({ r0: (11022 + 7 + 11).toString(16) });
  });

  it('a GPL-only helper from a program that is not GPL, and an unknown helper, fault alike', () => {
    const gplOnly = both(calling(2, false), [helper(2, () => 1, true)]);
    expect(gplOnly[1]).toEqual(gplOnly[0]);
    expect(gplOnly[0]).toMatchObject({ fault: expect.stringMatching(/gpl_only/), pc: 3 });
    const ok = both(calling(2, true), [helper(2, () => 1, true)]);
    expect(ok[1]).toEqual(ok[0]);
    expect(ok[0]).toMatchObject({ r0: (1 + 7 + 11).toString(16) });
    const unknown = both(calling(9), [helper(2, () => 1)]);
    expect(unknown[1]).toEqual(unknown[0]);
    expect(unknown[0]).toMatchObject({ fault: expect.stringMatching(/unknown helper #9/), pc: 3 });
  });

  it('a fault raised in the helper reports the call\'s pc and the registers of the moment', () => {
    const [i, c] = both(calling(2), [
      helper(2, () => {
        throw new FaultSignal('the helper refuses');
      }),
    ]);
    expect(c).toEqual(i);
    expect(i).toMatchObject({ fault: 'the helper refuses', pc: 3 });
    expect((i as { regs: string[] }).regs.slice(0, 3)).toEqual(['0', 'b', '16']);
  });

  it('a helper that runs a callback, then faults, points the fault back at its call', () => {
    // r1 = &callback (pc 6); call 2; exit; ...; callback: r0 = r1; exit
    const p = prog([lddw(1, 5n, 4), mov64(6, 1), I(0x85, 0, 0, 0, 2), movr(0, 6), exit(), movr(0, 1), exit()]);
    const [i, c] = both(p, [
      helper(2, (call) => {
        const r = call.callback(1, [41]);
        throw new FaultSignal(`after the callback returned ${r}`);
      }),
    ]);
    expect(c).toEqual(i);
    expect(i).toMatchObject({ fault: 'after the callback returned 41', pc: 3 });
  });

  it('kfunc calls: the table\'s implementation, the run\'s own hook and an unknown id, alike', () => {
    const kcall = (id: number): Program => prog([mov64(6, 7), mov64(1, 11), I(0x85, 0, 2, 0, id), alu64x(ADD, 0, 6), exit()]);
    const out = (hook?: (id: number, args: readonly bigint[]) => bigint) =>
      ENGINES.map((engine) => {
        const rt = new Runtime({ engine });
        const id = rt.kfuncId('bpf_rcu_read_lock')!;
        return [id, 999_999].map((k) => {
          try {
            return rt.interpreter.run(kcall(k), { cpu: 0, maxInsns: 1000, output: { printk: [], ringbuf: [], perf: [] }, ...(hook ? { kfunc: hook } : {}) }).r0.toString(16);
          } catch (e) {
            if (!(e instanceof VmFault)) throw e;
            return `${e.reason} at ${e.pc}`;
          }
        });
      });
    const [i, c] = out();
    expect(c).toEqual(i);
    expect(i).toEqual(['7', 'unsupported kfunc #999999 at 2']);
    const [hi, hc] = out((id, args) => BigInt(id % 1000) + args[0]!);
    expect(hc).toEqual(hi);
    expect(hi![1]).toBe((999 + 11 + 7).toString(16));
  });
});

