// Leaf callbacks (vm/compiler/codegen.ts leafBlocks, Interpreter.runLeaf): a callback whose code
// makes no call is compiled to a function the helper runs directly, and consecutive calls of one
// helper invocation share one frame entry. Everything observable must stay the interpreter's:
// r0, instruction counts, the stack bytes a callback finds, faults (reason, pc, registers) inside
// the callback, the instruction budget, the frame depth limit, and what the helper sees of the
// callback's frame once the callback has returned.
import { describe, expect, it } from 'vitest';
import { VmFault } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import type { HelperCall, HelperEntry, HelperResult } from '../../helpers/types.js';
import type { Engine } from '../../vm/interpreter.js';
import type { Insn } from '../../vm/isa.js';
import { argLoads, generate, leafBlocks } from '../../vm/compiler/codegen.js';
import { ADD, DW, I, JEQ, JLT, SUB, W, alu64k, alu64x, callLocal, exit, ja, jmpk, jmpx, lddw, ldx, mayGoto, mov64, movr, prog, st, stx } from '../vm/enc.js';

const ENGINES: readonly Engine[] = ['interpreter', 'compiled'];

const helper = (id: number, impl: (c: HelperCall) => HelperResult): HelperEntry => ({
  id,
  name: `test_cb${id}`,
  proto: { args: [], ret: { type: 'RET_INTEGER' } },
  gplOnly: false,
  progTypes: 'all',
  impl,
});

/** main: r1 = &callback; call helper 2; exit. The callback's code follows at pc 4. */
const withCallback = (cb: Insn[]): ReturnType<typeof prog> => prog([lddw(1, 3n, 4), I(0x85, 0, 0, 0, 2), exit(), ...cb]);

interface Outcome {
  r: unknown;
  leaves: number;
}

function both(build: (rt: Runtime) => { p: ReturnType<typeof prog>; helpers: HelperEntry[] }, maxInsns = 100_000): Outcome[] {
  return ENGINES.map((engine) => {
    // the helpers are bound after the runtime exists (a test may allocate arena memory first)
    const helpers: HelperEntry[] = [];
    const rt = new Runtime({ engine, maxInsns, helpers: [2, 3].map((id) => helper(id, (c) => helpers.find((h) => h.id === id)!.impl(c))) });
    const { p, helpers: hs } = build(rt);
    helpers.push(...hs);
    let r: unknown;
    try {
      const x = rt.execute(p);
      r = { r0: x.r0.toString(16), insns: x.insnCount };
    } catch (e) {
      if (!(e instanceof VmFault)) throw e;
      r = { fault: e.reason, pc: e.pc, opcode: e.opcode, regs: e.registers.map((v) => v.toString(16)), program: e.program };
    }
    return { r, leaves: rt.interpreter.compileStats.leafCallbacks };
  });
}

/** Calls callback2(1, a, b) for each pair and folds the r0s (lo and hi) into one number. */
const pairs = (ps: readonly [number, number][]) => (c: HelperCall): HelperResult => {
  let acc = 0;
  for (const [a, b] of ps) {
    const R = c.callback2(1, a, b);
    acc = (Math.imul(acc, 31) + R[0]! + Math.imul(R[1]!, 7)) | 0;
  }
  return acc >>> 0;
};

describe('leaf callbacks run as the interpreter runs them', () => {
  it('a pure comparator: the same r0 and instruction count, compiled as a leaf', () => {
    const [i, c] = both(() => ({
      p: withCallback([movr(0, 1), alu64x(ADD, 0, 2), exit()]),
      helpers: [helper(2, pairs([[1, 2], [0xffffffff, 1], [7, 0x80000000], [2 ** 33, 5]]))],
    }));
    expect(c!.r).toEqual(i!.r);
    expect(i!.r).toMatchObject({ insns: 3 + 4 * 3 });
    expect(c!.leaves).toBe(1);
    expect(i!.leaves).toBe(0);
  });

  it('each call finds the stack bytes the previous call at that depth left, and may_goto runs', () => {
    // r0 = *(fp-16) (what the last call stored); *(fp-16) = r1; r0 += r2
    const cb = [ldx(DW, 0, 10, -16), stx(DW, 10, 1, -16), mayGoto(0), alu64x(ADD, 0, 2), exit()];
    const [i, c] = both(() => ({ p: withCallback(cb), helpers: [helper(2, pairs([[5, 1], [9, 2], [13, 3], [17, 4]]))] }));
    expect(c!.r).toEqual(i!.r);
    expect(c!.leaves).toBe(1);
  });

  it('a callback that only reads its frame finds what this run left there, and zeros in the next run', () => {
    // main: if r1 != 0, call f (which stores 99 at fp-8 of its frame, at depth 2); then the
    // helper, whose leaf (also at depth 2, no store) returns *(fp-8)
    const q = prog([
      jmpk(JEQ, 1, 0, 1), // pc 0
      callLocal(5), // pc 1 -> pc 7
      lddw(1, 6n, 4), // pc 2 -> pc 9
      I(0x85, 0, 0, 0, 2), // pc 4
      exit(), // pc 5
      exit(), // pc 6
      st(DW, 10, -8, 99), // pc 7: f
      exit(), // pc 8
      ldx(DW, 0, 10, -8), // pc 9: the leaf
      exit(),
    ]);
    const runs = ENGINES.map((engine) => {
      const rt = new Runtime({ engine, helpers: [helper(2, pairs([[1, 2]]))] });
      const out = [1, 0, 0].map((arg) => rt.execute(q, { args: [arg] }).r0);
      return { out, leaves: rt.interpreter.compileStats.leafCallbacks };
    });
    expect(runs[1]!.out).toEqual(runs[0]!.out);
    expect(runs[0]!.out).toEqual([99n, 0n, 0n]);
    expect(runs[1]!.leaves).toBe(1);
    // a leaf that stores: its frame is cleared when the run ends, so the next run reads 0 again
    const w = withCallback([ldx(DW, 0, 10, -8), stx(DW, 10, 1, -8), exit()]);
    const twice = ENGINES.map((engine) => {
      const rt = new Runtime({ engine, helpers: [helper(2, pairs([[5, 0]]))] });
      return [rt.execute(w).r0, rt.execute(w).r0];
    });
    expect(twice[1]).toEqual(twice[0]);
    expect(twice[0]).toEqual([0n, 0n]);
  });

  it('a fault in the third call reports the interpreter\'s reason, pc and registers', () => {
    const [i, c] = both((rt) => {
      const a = rt.arena.alloc(16, { kind: 'ctx', name: 'x' });
      return { p: withCallback([mov64(3, 77), ldx(DW, 0, 1, 8), alu64x(ADD, 0, 2), exit()]), helpers: [helper(2, pairs([[a, 1], [a, 2], [24, 3], [a, 4]]))] };
    });
    expect(c!.r).toEqual(i!.r);
    expect(i!.r).toMatchObject({ pc: 5 });
    expect((i!.r as { regs: string[] }).regs.slice(1, 4)).toEqual(['18', '3', '4d']);
  });

  it('the instruction budget ends a callback loop at the same instruction', () => {
    // r0 = 0; do r0 += 1 while r0 < r1
    const cb = [mov64(0, 0), alu64k(ADD, 0, 1), jmpx(JLT, 0, 1, -2), exit()];
    const [i, c] = both(() => ({ p: withCallback(cb), helpers: [helper(2, pairs([[300, 0], [300, 0], [300, 0], [300, 0]]))] }), 1500);
    expect(c!.r).toEqual(i!.r);
    expect(i!.r).toMatchObject({ fault: expect.stringMatching(/instruction/) });
  });

  it('a callback writing r10 faults alike', () => {
    const [i, c] = both(() => ({ p: withCallback([mov64(0, 1), movr(10, 1), exit()]), helpers: [helper(2, pairs([[1, 2]]))] }));
    expect(c!.r).toEqual(i!.r);
  });

  it('a callback frame beyond the depth limit faults at the helper call', () => {
    // main -> f1 -> ... -> f7 (8 frames), f7 calls the helper whose callback needs a ninth
    const chain: Insn[] = [];
    for (let k = 0; k < 7; k++) chain.push(callLocal(1), exit());
    const p = prog([...chain, lddw(1, 3n, 4), I(0x85, 0, 0, 0, 2), exit(), movr(0, 1), exit()]);
    const [i, c] = both(() => ({ p, helpers: [helper(2, pairs([[1, 2]]))] }));
    expect(c!.r).toEqual(i!.r);
    expect(i!.r).toMatchObject({ fault: expect.stringMatching(/call depth/) });
  });

  it('after the callback returns, the helper no longer sees its frame as accessible', () => {
    // the callback returns its r10; the helper checks the 8 bytes below it
    const [i, c] = both(() => ({
      p: withCallback([movr(0, 10), exit()]),
      helpers: [
        helper(2, (call) => {
          const fp = call.callback2(1, 1, 2)[0]! >>> 0;
          const again = call.callback2(1, 3, 4)[0]! >>> 0;
          return (call.arena.canAccess(fp - 8, 8, false) ? 1 : 0) + (fp === again ? 2 : 0);
        }),
      ],
    }));
    expect(c!.r).toEqual(i!.r);
    expect(i!.r).toMatchObject({ r0: '2' });
  });

  it('leaf calls, a general callback and leaf calls again in one helper call keep the frames straight', () => {
    // r1 = leaf (r0 = r1 + r2), r2 = a callback that calls helper 3, then subtracts its r1
    const p = prog([
      lddw(1, 6n, 4), // -> pc 7
      lddw(2, 7n, 4), // -> pc 10
      mov64(3, 0),
      I(0x85, 0, 0, 0, 2),
      exit(),
      movr(0, 1), // pc 7
      alu64x(ADD, 0, 2),
      exit(),
      I(0x85, 0, 0, 0, 3), // pc 10 (the exit above ends the leaf: pc 10 is not reachable from 7)
      alu64x(0x10, 0, 1),
      exit(),
    ]);
    const [i, c] = both(() => ({
      p,
      helpers: [
        helper(2, (call) => {
          const x = call.callback2(1, 10, 20)[0]!;
          const y = Number(call.callback(2, [4]));
          const z = call.callback2(1, 1, 2)[0]!;
          return x * 10000 + y * 100 + z;
        }),
        helper(3, (call) => (call.callers?.length ?? 0) * 10),
      ],
    }));
    expect(c!.r).toEqual(i!.r);
    expect(c!.leaves).toBe(1);
  });

  it('a comparator bound once (HelperCall.comparator) gives what callback2 per call gives', () => {
    // the leaf, a general callback (it calls a helper) and a bad handle (faults at the first call,
    // never at binding, and not at all without a call)
    const leafCb = withCallback([movr(0, 1), alu64k(SUB, 0, 3), alu64x(ADD, 0, 2), exit()]);
    const general = withCallback([I(0x85, 0, 0, 0, 3), alu64x(ADD, 0, 1), exit()]);
    const bad = prog([mov64(1, 4), I(0x85, 0, 0, 0, 2), exit()]);
    const bound = (ps: readonly [number, number][]) => (c: HelperCall): HelperResult => {
      const f = c.comparator!(1);
      let acc = 0;
      for (const [a, b] of ps) {
        const R = f(a, b);
        acc = (Math.imul(acc, 31) + R[0]! + Math.imul(R[1]!, 7)) | 0;
      }
      return acc >>> 0;
    };
    const ps: [number, number][] = [[1, 2], [0xffffffff, 1], [7, 0x80000000], [2 ** 33, 5]];
    for (const p of [leafCb, general, bad]) {
      const per = both(() => ({ p, helpers: [helper(2, pairs(ps)), helper(3, () => 5)] }));
      const once = both(() => ({ p, helpers: [helper(2, bound(ps)), helper(3, () => 5)] }));
      expect(once[1]!.r).toEqual(once[0]!.r);
      expect(once[0]!.r).toEqual(per[0]!.r);
    }
    expect(both(() => ({ p: bad, helpers: [helper(2, bound([]))] })).map((o) => o.r)).toEqual([{ r0: '0', insns: 3 }, { r0: '0', insns: 3 }]);
  });

  it('promised argument bytes: loads inside them skip the check and read the same; others are still checked', () => {
    // r0 = *(u64 *)(r1 + 8) + *(u32 *)(r3 + 4) with r3 = r2 + 4, then *(u64 *)(r2 + r4) where r4
    // is 0 (not a constant the compiler tracks): the last load keeps its check
    const cb = [ldx(DW, 0, 1, 8), movr(3, 2), alu64k(ADD, 3, 4), ldx(W, 4, 3, 4), alu64x(ADD, 0, 4), mov64(4, 0), alu64x(ADD, 4, 2), ldx(DW, 4, 4, 0), alu64x(ADD, 0, 4), exit()];
    const run = (promise: (a: number, b: number) => [number, number, number, number]) =>
      both((rt) => {
        const a = rt.arena.alloc(16, { kind: 'ctx', name: 'a' });
        const b = rt.arena.alloc(16, { kind: 'ctx', name: 'b' });
        rt.arena.dv.setUint32(a + 8, 1000, true);
        rt.arena.dv.setUint32(b, 7, true);
        rt.arena.dv.setUint32(b + 8, 30, true);
        const [x, y, an, bn] = promise(a, b);
        return { p: withCallback(cb), helpers: [helper(2, (c) => c.callback2(1, x, y, an, bn)[0]! >>> 0)] };
      });
    for (const o of [run((a, b) => [a, b, 16, 16]), run((a, b) => [a, b, 0, 0]), run((a, b) => [a, b, 16, 12])]) {
      expect(o[1]!.r).toEqual(o[0]!.r);
      expect(o[0]!.r).toMatchObject({ r0: String((1000 + 30 + 7).toString(16)) });
    }
    // a promise about a but not b: b is not memory, and the loads through it fault alike
    const f = run((a) => [a, 24, 16, 0]);
    expect(f[1]!.r).toEqual(f[0]!.r);
    expect(f[0]!.r).toMatchObject({ fault: expect.stringMatching(/read of 4 bytes/), pc: 7 });
  });
});

describe('argLoads: which loads of a leaf read through its arguments plus a constant', () => {
  const of = (cb: Insn[]) => {
    const p = withCallback(cb);
    return [...argLoads(p.insns, leafBlocks(p.insns, 4)!, 4)].map(([pc, v]) => [pc - 4, v.arg, v.delta]);
  };

  it('follows 64-bit moves and constant adds and subtracts', () => {
    expect(of([ldx(DW, 0, 1, 24), movr(3, 2), alu64k(ADD, 3, 8), alu64k(SUB, 3, 2), ldx(DW, 4, 3, 0), ldx(W, 5, 2, 4), exit()])).toEqual([
      [0, 1, 0],
      [4, 2, 6],
      [5, 2, 0],
    ]);
    // and the generated leaf reads them unchecked inside the promise (an for r1, bn for r2)
    const p = withCallback([ldx(DW, 0, 1, 24), movr(3, 2), alu64k(ADD, 3, 8), ldx(W, 4, 3, 0), exit()]);
    const src = generate(p.insns, 'x', leafBlocks(p.insns, 4), 4).source;
    expect(src).toContain('if(32<=an)');
    expect(src).toContain('if(12<=bn)');
  });

  it('forgets a register written otherwise, on any path, or moved by a loop', () => {
    // pc 0: if r0 == 0 skip the next; r1 = 5 on one path only; the load through r1 after the join
    // is not an argument load, the one through r2 is
    expect(of([jmpk(JEQ, 0, 0, 1), mov64(1, 5), ldx(DW, 3, 1, 0), ldx(DW, 4, 2, 0), exit()])).toEqual([[3, 2, 0]]);
    // r2 += 8 in a loop: a different constant each lap
    expect(of([ldx(DW, 3, 2, 0), alu64k(ADD, 2, 8), jmpk(JLT, 3, 10, -3), exit()])).toEqual([]);
    // a 32-bit move and a load into the base register end it too
    expect(of([I(0xbc, 1, 1), ldx(DW, 3, 1, 0), ldx(DW, 2, 2, 0), ldx(DW, 3, 2, 0), ja(0), exit()])).toEqual([[2, 2, 0]]);
  });
});

