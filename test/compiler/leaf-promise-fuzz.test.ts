// Promised argument bytes (HelperCall.callback2's aBytes/bBytes, codegen's argLoads): a compiled
// leaf reads without a range check where its base register is, on every path, an argument plus a
// constant and the load lies inside the promise. Random leaves over moves, 32- and 64-bit
// arithmetic, register adds, stores, atomics and branches: the interpreter and the compiled leaf
// agree on r0, the bytes of both arguments and every fault, so no load outside the promise (or
// through a register argLoads should have dropped) skips its check.
import { it, expect } from 'vitest';
import fc from 'fast-check';
import { VmFault } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import type { HelperCall, HelperEntry, HelperResult } from '../../helpers/types.js';
import type { Insn } from '../../vm/isa.js';
import { ADD, SUB, MOV, B, H, W, DW, I, alu64k, alu64x, alu32k, alu32x, exit, jmpk, lddw, ldx, ldxsx, movr, prog, stx, atomic, JEQ } from '../vm/enc.js';

const helper = (id: number, impl: (c: HelperCall) => HelperResult): HelperEntry => ({ id, name: `t${id}`, proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl });
const withCallback = (cb: Insn[]) => prog([lddw(1, 3n, 4), I(0x85, 0, 0, 0, 2), exit(), ...cb]);
const SIZES = [B, H, W, DW];
const insnArb: fc.Arbitrary<Insn> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: -24, max: 56 })).map(([s, r, off]) => (s < 4 ? ldx(SIZES[s]!, 4 + (off & 1), r, off) : ldxsx(SIZES[s - 4]!, 5, r, off))),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: -40, max: 40 }), fc.boolean()).map(([r, k, add]) => alu64k(add ? ADD : SUB, r, k)),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 })).map(([d, s]) => movr(d, s)),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 })).map(([d, s]) => alu32x(MOV, d, s)),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 })).map(([d, s]) => alu64x(ADD, d, s)),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 64 })).map(([d, k]) => alu32k(ADD, d, k)),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: -8, max: 40 })).map(([d, off]) => stx(DW, d, 4, off)),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4 })).map(([d, off]) => atomic(DW, d, 1 + (off % 3), off * 8, 0x01)),
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 3 })).map(([d, o]) => jmpk(JEQ, d, 0, o)),
);
it('both engines agree on random leaves, whatever the promise', () => {
  fc.assert(
    fc.property(fc.array(insnArb, { minLength: 1, maxLength: 14 }), fc.constantFrom(0, 8, 16, 24, 32), fc.constantFrom(0, 8, 16, 24, 32), fc.integer({ min: 0, max: 3 }), (body, an, bn, sh) => {
      // forward jumps only, inside the body
      const cb = body.map((x, i) => ((x.code & 7) === 5 ? { ...x, off: Math.min(x.off, body.length - i - 1) } : x));
      cb.push(alu64x(ADD, 0, 4), alu64x(ADD, 0, 5), exit());
      const res = ['interpreter', 'compiled'].map((engine) => {
        const hs: HelperEntry[] = [];
        const rt = new Runtime({ engine: engine as 'compiled', maxInsns: 10000, helpers: [helper(2, (c) => hs[0]!.impl(c))] });
        const a = rt.arena.alloc(32, { kind: 'ctx', name: 'a' });
        const b = rt.arena.alloc(32, { kind: 'ctx', name: 'b' });
        for (let i = 0; i < 32; i++) { rt.arena.u8[a + i] = (i * 7 + 3) & 0xff; rt.arena.u8[b + i] = (i * 13 + 5 + sh) & 0xff; }
        hs.push(helper(2, (c) => { let acc = 0; for (let k = 0; k < 3; k++) { const R = c.callback2(1, a, b, an, bn); acc = (acc * 31 + R[0]! + R[1]! * 7) | 0; } return acc >>> 0; }));
        try {
          const x = rt.execute(withCallback(cb));
          return { r0: x.r0.toString(16), mem: Array.from(rt.arena.u8.slice(a, a + 32)).join(',') + Array.from(rt.arena.u8.slice(b, b + 32)).join(',') };
        } catch (e) {
          if (!(e instanceof VmFault)) throw e;
          return { fault: e.reason, pc: e.pc, regs: e.registers.map(String) };
        }
      });
      expect(res[1]).toEqual(res[0]);
    }),
    { numRuns: 500 },
  );
});
