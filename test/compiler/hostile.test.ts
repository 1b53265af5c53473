// Hostile programs against the compiling tier: what it writes into its generated source must be
// numbers the encoding can carry, and where its code and the interpreter's could part ways on odd
// encodings, both engines must give the same answer (the interpreter is the reference).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, FaultSignal, VmFault } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import type { Engine } from '../../vm/interpreter.js';
import type { Insn } from '../../vm/isa.js';
import { exit, mov64, prog } from '../vm/enc.js';

const ENGINES: readonly Engine[] = ['interpreter', 'compiled'];

/** Run `insns` under each engine; the outcome (r0, or the error's class and message) per engine. */
function both(insns: Insn[]): { outcome: string; notCompiled: unknown[] }[] {
  return ENGINES.map((engine) => {
    const rt = new Runtime({ engine });
    let outcome: string;
    try {
      outcome = `r0=${rt.execute(prog(insns)).r0}`;
    } catch (e) {
      outcome = e instanceof VmFault || e instanceof DecodeError ? `${e.constructor.name}: ${e.message}` : `raw ${String(e)}`;
    }
    return { outcome, notCompiled: rt.interpreter.compileStats.notCompiled };
  });
}

describe('hostile programs under the compiling tier', () => {
  it('instruction fields that are not integers the encoding carries are refused before either engine runs', () => {
    const g = globalThis as { __ebpfvmPwned?: number };
    // a program built in JavaScript may carry strings or fractions where numbers belong: the
    // compiled engine once spliced `off` into its source as text and ran the string as code
    const cases: [Partial<Insn>, RegExp][] = [
      [{ code: 0x61, dst: 0, src: 10, off: '-8;globalThis.__ebpfvmPwned=1;' as unknown as number }, /insn 1: invalid instruction: off "-8;globalThis.__ebpfvmPwned=1;" is not an integer in \[-32768, 32767\]/],
      [{ code: 0xb7, dst: '0;globalThis.__ebpfvmPwned=2;//' as unknown as number }, /insn 1: invalid instruction: dst ".*" is not an integer in \[0, 15\]/],
      [{ code: 0x85, imm: '1;globalThis.__ebpfvmPwned=3;' as unknown as number }, /insn 1: invalid instruction: imm ".*" is not an integer/],
      [{ code: 0x61, dst: 0, src: 10, off: 1e300 }, /off 1e\+300 is not an integer in \[-32768, 32767\]/],
      [{ code: 0x61, dst: 0, src: 10, off: -8.5 }, /off -8.5 is not an integer/],
      [{ code: 0x07, imm: 1.5 }, /imm 1.5 is not an integer/],
      [{ code: 0x07, imm: 2 ** 40 }, /imm 1099511627776 is not an integer/],
      [{ code: 0xb7, imm: NaN }, /imm NaN is not an integer/],
      [{ code: 0x1ff }, /code 511 is not an integer in \[0, 255\]/],
    ];
    for (const [fields, message] of cases) {
      g.__ebpfvmPwned = 0;
      const x = { code: 0, dst: 0, src: 0, off: 0, imm: 0, ...fields } as Insn;
      const [i, c] = both([mov64(0, 0), x, exit()]);
      expect(i!.outcome, JSON.stringify(fields)).toMatch(message);
      expect(i!.outcome).toMatch(/^DecodeError/);
      expect(c!.outcome).toBe(i!.outcome);
      expect(g.__ebpfvmPwned).toBe(0);
    }
  });

  it('a helper id given as its unsigned 32-bit value names the same helper in both engines', () => {
    // imm 0xffffffff is -1 to the interpreter (its decoded arrays are int32)
    const [i, c] = both([{ code: 0x85, dst: 0, src: 0, off: 0, imm: 0xffffffff }, exit()]);
    expect(i!.outcome).toMatch(/unknown helper #-1$/);
    expect(c!.outcome).toBe(i!.outcome);
    expect(c!.notCompiled).toEqual([]);
  });
});

describe('faults report the same registers in both engines', () => {
  // The compiled engine keeps registers in locals and writes them back only at helper calls
  // (r1..r5), hand-overs and in one catch: a fault anywhere must still show every register as
  // the interpreter does, however deep and in whatever kind of frame it happens.
  const helpers = [
    // calls the callback in r1 with (r2 + 1, 2)
    { id: 2, name: 'cb', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl: (c: { u64(i: number): bigint; callback(i: number, a: bigint[]): bigint }) => c.callback(1, [c.u64(2) + 1n, 2n]) },
    // faults when r2 is odd, else returns r4 + r5
    { id: 3, name: 'boom', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl: (c: { u64(i: number): bigint }) => {
      if (c.u64(2) & 1n) throw new FaultSignal(`boom r3=${c.u64(3)}`);
      return c.u64(4) + c.u64(5);
    } },
  ] as unknown as ConstructorParameters<typeof Runtime>[0] extends infer O ? (O extends { helpers?: infer H } ? H : never) : never;
  const E = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
  const outcome = (engine: Engine, insns: Insn[], maxInsns = 100_000) => {
    const rt = new Runtime({ engine, helpers, maxInsns });
    try {
      const x = rt.execute(prog(insns));
      return { r0: x.r0, insns: x.insnCount };
    } catch (e) {
      if (!(e instanceof VmFault)) throw e;
      return { fault: e.reason, pc: e.pc, regs: e.registers, program: e.program };
    }
  };
  const cases: [string, RegExp, Insn[], number?][] = [
    // r6..r9 set after the last helper call, then a helper faults
    ['helper fault', /^boom r3=33$/, [E(0xb7, 6, 0, 0, 6), E(0x85, 0, 0, 0, 3), E(0xb7, 7, 0, 0, 7), E(0xb7, 8, 0, 0, -8), E(0xb7, 9, 0, 0, 9), E(0xb7, 2, 0, 0, 1), E(0xb7, 3, 0, 0, 33), E(0x85, 0, 0, 0, 3), E(0x95)]],
    // a callback that re-enters itself through the helper until the frame limit
    ['callback recursion', /^call depth exceeds/, [E(0x18, 1, 4, 0, 4), E(0), E(0xb7, 2, 0, 0, 0), E(0x85, 0, 0, 0, 2), E(0x95), E(0xbf, 6, 1, 0, 0), E(0xbf, 2, 1, 0, 0), E(0x18, 1, 4, 0, -3), E(0), E(0x85, 0, 0, 0, 2), E(0x95)]],
    // bpf-to-bpf recursion until the frame limit, r6 counting the depth
    ['local recursion', /^call depth exceeds/, [E(0xb7, 6, 0, 0, 0), E(0x85, 0, 1, 0, 1), E(0x95), E(0x07, 6, 0, 0, 1), E(0x85, 0, 1, 0, -2), E(0x95)]],
    // the budget runs out inside a callee called from a callback
    ['budget in a callee', /^instruction budget of 500 exhausted$/, [E(0x18, 1, 4, 0, 4), E(0), E(0xb7, 2, 0, 0, 0), E(0x85, 0, 0, 0, 2), E(0x95), E(0xb7, 7, 0, 0, 0), E(0x85, 0, 1, 0, 1), E(0x95), E(0x07, 7, 0, 0, 1), E(0x05, 0, 0, -2, 0)], 500],
    // a store through a register the callee made wild, after helper calls that returned
    ['store fault after helpers', /^write of 8 bytes at 0x412/, [E(0xb7, 2, 0, 0, 0), E(0xb7, 4, 0, 0, 40), E(0xb7, 5, 0, 0, 2), E(0x85, 0, 0, 0, 3), E(0xbf, 6, 0, 0, 0), E(0x85, 0, 0, 0, 3), E(0x07, 6, 0, 0, 1000), E(0x7b, 6, 6, 0, 0), E(0x95)]],
  ];
  for (const [name, reason, insns, limit] of cases) {
    it(name, () => {
      const [i, c] = ENGINES.map((e) => outcome(e, insns, limit));
      expect((i as { fault?: string }).fault).toMatch(reason);
      expect(c).toEqual(i);
    });
  }
});

describe('tail calls hand runs between compiled programs as the interpreter does', () => {
  const E = (code: number, dst = 0, src = 0, off = 0, imm = 0): Insn => ({ code, dst, src, off, imm });
  /** Program k: r7 += k + 1 (the hops), a tail call to slot `idx` made directly or from a
   *  subprogram, then r0 = r7 + r8 once the call falls through (empty slot, or the 33-call limit). */
  function build(k: number, idx: number, viaSub: boolean, after: number, mapId: number): Insn[] {
    const tc = [E(0xbf, 1, 6), E(0x18, 2, 1, 0, mapId), E(0), E(0xb7, 3, 0, 0, idx), E(0x85, 0, 0, 0, 12)];
    const tail = [E(0x07, 8, 0, 0, after), E(0xbf, 0, 7), E(0x0f, 0, 8), E(0x95)];
    if (!viaSub) return [E(0xbf, 6, 1), E(0x07, 7, 0, 0, k + 1), ...tc, ...tail];
    return [E(0xbf, 6, 1), E(0x07, 7, 0, 0, k + 1), E(0x85, 0, 1, 0, tail.length), ...tail, ...tc, E(0xb7, 0, 0, 0, 5), E(0x95)];
  }
  it('chains of three programs through a prog array, direct and from subprograms, under any budget', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.integer({ min: 0, max: 9 })), { minLength: 3, maxLength: 3 }), fc.integer({ min: 20, max: 3000 }), (ps, limit) => {
        const [i, c] = ENGINES.map((engine) => {
          const rt = new Runtime({ engine, maxInsns: limit });
          const pa = rt.createMap({ name: 'pa', type: 3, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0 });
          const progs = ps.map(([idx, via, after], k) => prog(build(k, idx, via, after, pa.id), { name: `p${k}`, progType: 1 }));
          progs.forEach((p, slot) => {
            const id = rt.registerProgram(p);
            expect(pa.map.update(Uint8Array.of(slot, 0, 0, 0), Uint8Array.of(id & 0xff, id >> 8, 0, 0))).toBe(0);
          });
          try {
            const x = rt.execute(progs[0]!, { args: [0] });
            return { r0: x.r0, insns: x.insnCount };
          } catch (e) {
            if (!(e instanceof VmFault)) throw e;
            return { fault: e.reason, pc: e.pc, regs: e.registers, program: e.program };
          }
        });
        expect(c).toEqual(i);
        outcomes.add(JSON.stringify(i, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)).replace(/"insns":\d+/, ''));
      }),
      { numRuns: 200, seed: 3 },
    );
    // long chains, short ones, budget faults inside tail-called programs
    expect(outcomes.size).toBeGreaterThan(40);
  });
});
