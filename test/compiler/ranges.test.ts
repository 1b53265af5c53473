// The compiling tier's range analysis (vm/compiler/ranges.ts): sound by construction, so every value
// a run puts in a register at a slot lies in the range the analysis gives there. Checked on random
// programs run by the interpreter with a trace (every register at every executed slot), on programs
// with known facts, and through the compiled code that narrows arithmetic with it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { EbpfvmError, VmFault } from '../../src/errors.js';
import { allUnknown, analyzeRanges, lower, upper, type Ranges } from '../../vm/compiler/ranges.js';
import { generate, setNarrowing } from '../../vm/compiler/codegen.js';
import { HandleKind, makeHandle } from '../../vm/handles.js';
import type { Engine } from '../../vm/interpreter.js';
import type { Insn } from '../../vm/isa.js';
import { MemFlag } from '../../vm/memory.js';
import type { Program } from '../../vm/program.js';
import { ADD, AND, B, DW, H, I, JGT, JLT, LSH, MUL, RSH, W, alu32k, alu64k, alu64x, call, callLocal, exit, ja, jmpk, jmpx, lddw, ldx, ldxsx, mov64, movr, prog } from '../vm/enc.js';
import { insn, repair } from '../vm/random-program.js';

const TOP = Infinity;
const U32 = 4294967295;

type HelperList = NonNullable<ConstructorParameters<typeof Runtime>[0]>['helpers'];
const helpers = [
  { id: 1, name: 'echo', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl: (c: { u64(i: 1): bigint }) => c.u64(1) },
  { id: 2, name: 'cb', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl: (c: { callback(i: 1, a: (bigint | number)[]): bigint }) => c.callback(1, [1, 2]) },
  // calls the handle in r1 with r1 = 2^40 + 3 (a value no analysis of the callee's slots allows)
  { id: 3, name: 'cbwide', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl: (c: { callback(i: 1, a: (bigint | number)[]): bigint }) => c.callback(1, [2n ** 40n + 3n]) },
] as unknown as HelperList;

function runtime(engine: Engine, maxInsns = 3000): Runtime {
  let t = 1_000_000_000n;
  return new Runtime({ ncpus: 2, seed: 7, clock: () => (t += 1000n), engine, maxInsns, helpers });
}

/** The range of register r before slot pc, [lo, hi] (hi Infinity: unknown). */
function at(rs: Ranges, pc: number, r: number): [number, number] {
  return [lower(rs, pc, r), upper(rs, pc, r)];
}

/** Run `p` on the interpreter with a trace and check every register at every step against the
 *  analysis. Returns how many register values had a finite range (what was actually tested). */
function observe(rt: Runtime, p: Program, rs: Ranges, args: readonly number[]): number {
  let checked = 0;
  let depth = 0;
  let trusted = true;
  // recorded, not thrown: the interpreter turns what a trace throws into a fault of the run
  let violation: string | undefined;
  try {
    rt.execute(p, {
      args,
      trace: (_line, st) => {
        if (!trusted || violation !== undefined || st.prog !== p) return;
        // a frame entered at a slot that is not an entry of the analysis (a made-up handle): what
        // follows is outside its claim (compiled code checks such entries; see below)
        if (st.depth > depth && !allUnknown(rs, st.pc)) {
          trusted = false;
          return;
        }
        depth = st.depth;
        if (rs.reached[st.pc] !== 1) violation = `pc ${st.pc} executed but not reached by the analysis`;
        for (let r = 0; r <= 10; r++) {
          const hi = upper(rs, st.pc, r);
          if (hi === TOP) continue;
          const v = (st.regs[2 * r + 1]! >>> 0) * 2 ** 32 + (st.regs[2 * r]! >>> 0);
          const lo = lower(rs, st.pc, r);
          if (v < lo || v > hi) violation = `pc ${st.pc}: r${r} = ${v}, outside [${lo}, ${hi}]`;
          checked++;
        }
      },
    });
  } catch (e) {
    // faults end runs (what ran before them was checked); a program that does not decode never ran
    if (!(e instanceof VmFault) && !(e instanceof EbpfvmError)) throw e;
  }
  if (violation !== undefined) throw new Error(violation);
  return checked;
}

describe('range analysis: sound on every executed slot', () => {
  const rt = runtime('interpreter');
  const mem = rt.arena.allocRegion(64, MemFlag.READ | MemFlag.WRITE, 'input', 'mem');
  // the same region at the same address in a compiled runtime
  const compiled = { rt: runtime('compiled') };
  expect(compiled.rt.arena.allocRegion(64, MemFlag.READ | MemFlag.WRITE, 'input', 'mem')).toBe(mem);

  it('random programs (valid and faulting, with helpers, callbacks and local calls)', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(insn, fc.integer({ min: 0, max: 19 })), { minLength: 1, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (pairs, init) => {
        const insns = repair(
          pairs.map((x) => x[0]),
          pairs.map((x) => x[1] === 0),
        );
        const p = prog([...insns, exit()]);
        const rs = analyzeRanges(p.insns);
        if (rs === undefined) return; // callx: no analysis (and no narrowing)
        rt.arena.u8.set(init, mem);
        checked += observe(rt, p, rs, [mem, 64]);
      }),
      { numRuns: 2500 },
    );
    expect(checked).toBeGreaterThan(5000);
  }, 60_000);

  // loops with counters over bounded values: where widening, refinement and joins are exercised
  // few registers and small constants, so that ranges meet, overlap and wrap often
  const small = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: -8, max: 16 }), fc.constantFrom(0xff, 0xffff, 0x7fffffff, -0x80000000, 31, 32, 63, 64));
  const reg = fc.integer({ min: 0, max: 3 });
  const init = fc.oneof(
    small.map((k) => [mov64(0, k)]),
    small.map((k) => [alu32k(0xb0, 0, k)]),
    fc.tuple(fc.constantFrom(W, H, B, DW), fc.integer({ min: 0, max: 7 }), fc.boolean()).map(([sz, o, sx]) => [sx && sz !== DW ? ldxsx(sz, 0, 9, o * 8) : ldx(sz, 0, 9, o * 8)]),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => lddw(0, v)),
  );
  const aluOp = fc.constantFrom(0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0);
  const op = fc.oneof(
    { weight: 6, arbitrary: fc.record({ k: fc.constant('alu' as const), cls: fc.constantFrom(7, 7, 4), op: aluOp, x: fc.boolean(), d: reg, s: reg, imm: small, off: fc.constantFrom(0, 0, 1, 8, 16, 32) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('jmp' as const), cls: fc.constantFrom(5, 5, 6), op: fc.constantFrom(0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0), x: fc.boolean(), d: reg, s: reg, imm: small, skip: fc.integer({ min: 0, max: 5 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('call' as const), local: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('ld' as const), sz: fc.constantFrom(W, H, B, DW), sx: fc.boolean(), d: reg, o: fc.integer({ min: 0, max: 7 }) }) },
  );
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
  function build(inits: Insn[][], body: Op[], counter: { step: number; limit: number; op: number; w32: boolean }): Insn[] {
    const out: Insn[] = [movr(9, 1)];
    inits.forEach((xs, r) => out.push(...xs.map((x) => ({ ...x, dst: x.code === 0 ? 0 : r }))));
    out.push(mov64(8, 0));
    const head = out.length;
    const calls: number[] = [];
    body.forEach((b, i) => {
      const left = body.length - i - 1;
      if (b.k === 'alu') {
        const isX = b.x && b.op !== 0x80 && b.op !== 0xd0;
        let off = 0;
        if (b.op === 0x30 || b.op === 0x90) off = b.off & 1;
        else if (b.op === 0xb0 && isX) off = b.cls === 7 ? [0, 1, 8, 16, 32][[0, 1, 8, 16, 32].indexOf(b.off)]! : b.off === 8 || b.off === 16 ? b.off : 0;
        let imm = b.imm;
        if (b.op === 0xd0) imm = [16, 32, 64][Math.abs(b.imm) % 3]!;
        if (b.op === 0xb0 && isX && off === 1) imm = 1;
        const code = b.op === 0xd0 ? (b.cls === 7 ? 0xd7 : b.x ? 0xdc : 0xd4) : b.cls | b.op | (isX ? 8 : 0);
        out.push(I(code, b.d, isX ? b.s : 0, off, isX && !(b.op === 0xb0 && off === 1) ? 0 : b.op === 0x80 ? 0 : imm));
      } else if (b.k === 'jmp') {
        out.push(I(b.cls | b.op | (b.x ? 8 : 0), b.d, b.x ? b.s : 0, Math.min(b.skip, left), b.x ? 0 : b.imm));
      } else if (b.k === 'call') {
        if (b.local) {
          calls.push(out.length);
          out.push(callLocal(0));
        } else out.push(call(1));
      } else out.push(b.sx && b.sz !== DW ? ldxsx(b.sz, b.d, 9, b.o * 8) : ldx(b.sz, b.d, 9, b.o * 8));
    });
    out.push(alu64k(ADD, 8, counter.step));
    out.push(I((counter.w32 ? 6 : 5) | counter.op, 8, 0, head - out.length - 1, counter.limit));
    out.push(movr(0, 6), exit());
    // the subprogram: a little arithmetic on its arguments and r6 (which it may not have set)
    const fn = out.length;
    out.push(alu64k(AND, 1, 0xff), alu64x(MUL, 1, 1), alu64k(RSH, 6, 3), movr(0, 1), exit());
    for (const c of calls) out[c] = callLocal(fn - c - 1);
    return out;
  }
  it('random loops with counters, bounded values, helper and local calls', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(init, init.filter((xs) => xs[0]!.code !== 0x18 && (xs[0]!.code & 7) === 1)), { minLength: 8, maxLength: 8 }),
        fc.array(op, { minLength: 1, maxLength: 20 }),
        fc.record({ step: fc.integer({ min: 1, max: 3 }), limit: fc.integer({ min: 1, max: 60 }), op: fc.constantFrom(0xa0, 0xb0, 0x50, 0xc0, 0xd0), w32: fc.boolean() }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (inits, body, counter, bytes) => {
          const p = prog(build(inits, body, counter));
          const rs = analyzeRanges(p.insns)!;
          expect(rs).toBeDefined();
          rt.arena.u8.set(bytes, mem);
          checked += observe(rt, p, rs, [mem, 64]);
          // and the code narrowed with these ranges gives what the interpreter gives
          const [a, b] = [rt, compiled.rt].map((r) => {
            r.arena.u8.set(bytes, mem);
            try {
              const x = r.execute(p, { args: [mem, 64] });
              return { r0: x.r0.toString(16), insns: x.insnCount };
            } catch (e) {
              if (!(e instanceof VmFault)) throw e;
              return { fault: e.reason, pc: e.pc, regs: e.registers.map((v) => v.toString(16)) };
            }
          });
          expect(b).toEqual(a);
        },
      ),
      { numRuns: 1500 },
    );
    expect(checked).toBeGreaterThan(100_000);
    expect(compiled.rt.interpreter.compileStats.compiled).toBeGreaterThan(1000);
  }, 60_000);
});

describe('range analysis: known facts', () => {
  it('a loop counter keeps its bound (widening stops at the compared constant)', () => {
    // r1 = 0; loop: r2 = r1; r1 += 1; if r1 < 100 goto loop; exit
    const insns = [mov64(1, 0), movr(2, 1), alu64k(ADD, 1, 1), jmpk(JLT, 1, 100, -3), movr(0, 1), exit()];
    const rs = analyzeRanges(insns)!;
    expect(at(rs, 1, 1)).toEqual([0, 99]);
    expect(at(rs, 3, 1)).toEqual([1, 100]);
    expect(at(rs, 4, 1)).toEqual([100, 100]);
    // against a register holding the bound, counting down
    const down = [mov64(3, 50), mov64(1, 50), alu64k(0x10, 1, 1), I(0x2d, 1, 0, 0, 0), jmpk(JGT, 1, 0, -3), exit()];
    const rd = analyzeRanges(down.map((x, i) => (i === 3 ? I(0xbf, 2, 1) : x)))!;
    expect(at(rd, 2, 1)).toEqual([1, 50]);
    expect(at(rd, 5, 1)).toEqual([0, 0]);
  });

  it('ALU32 results are zero-extended; masks and shifts bound', () => {
    const insns = [
      alu32k(ADD, 1, 5), // 0: w1 += 5 (r1 unknown)
      movr(2, 1), // 1
      alu64k(AND, 2, 0xff), // 2
      movr(3, 2), // 3
      alu64k(LSH, 3, 4), // 4
      alu64k(RSH, 4, 60), // 5: r4 unknown >> 60
      alu64k(AND, 5, -16), // 6: r5 unknown & ~15: unknown
      exit(), // 7
    ];
    const rs = analyzeRanges(insns)!;
    expect(at(rs, 1, 1)).toEqual([0, U32]);
    expect(at(rs, 3, 2)).toEqual([0, 255]);
    expect(at(rs, 5, 3)).toEqual([0, 255 * 16]);
    expect(at(rs, 6, 4)).toEqual([0, 15]);
    expect(at(rs, 7, 5)[1]).toBe(TOP);
  });

  it('loads are bounded by their size; sign-extending and 8-byte loads are not', () => {
    const insns = [ldx(B, 2, 1, 0), ldx(H, 3, 1, 0), ldx(W, 4, 1, 0), ldx(DW, 5, 1, 0), ldxsx(B, 6, 1, 0), exit()];
    const rs = analyzeRanges(insns)!;
    expect([at(rs, 5, 2), at(rs, 5, 3), at(rs, 5, 4)]).toEqual([
      [0, 255],
      [0, 65535],
      [0, U32],
    ]);
    expect(at(rs, 5, 5)[1]).toBe(TOP);
    expect(at(rs, 5, 6)[1]).toBe(TOP);
  });

  it('LD_IMM64 constants are exact below 2^53; wraparound and overflow are unknown', () => {
    const insns = [
      ...lddw(1, 2n ** 52n), // 0-1
      movr(2, 1), // 2
      alu64x(ADD, 2, 1), // 3: 2^53: unknown
      mov64(3, 5), // 4
      alu64k(0x10, 3, 6), // 5: 5 - 6 wraps: unknown
      ...lddw(4, 0x1234n, 1), // 6-7: a map (pseudo): unknown
      mov64(5, 70000), // 8
      alu64x(MUL, 5, 5), // 9: 4.9e9
      alu64x(MUL, 5, 5), // 10: 2.4e19 > 2^64: unknown
      exit(), // 11
    ];
    const rs = analyzeRanges(insns)!;
    expect(at(rs, 2, 1)).toEqual([2 ** 52, 2 ** 52]);
    expect(at(rs, 4, 2)[1]).toBe(TOP);
    expect(at(rs, 6, 3)[1]).toBe(TOP);
    expect(at(rs, 8, 4)[1]).toBe(TOP);
    expect(at(rs, 10, 5)).toEqual([4.9e9, 4.9e9]);
    expect(at(rs, 11, 5)[1]).toBe(TOP);
  });

  it('calls: helpers clobber r0-r5; local calls keep r6-r9; callees start unknown; callx: no analysis', () => {
    const insns = [
      mov64(1, 1), // 0
      mov64(6, 6), // 1
      call(1), // 2
      callLocal(2), // 3 -> 6
      movr(0, 6), // 4
      exit(), // 5
      movr(0, 1), // 6: callee
      exit(), // 7
    ];
    const rs = analyzeRanges(insns)!;
    expect(at(rs, 3, 1)[1]).toBe(TOP);
    expect(at(rs, 3, 0)[1]).toBe(TOP);
    expect(at(rs, 3, 6)).toEqual([6, 6]);
    expect(at(rs, 4, 6)).toEqual([6, 6]);
    expect(at(rs, 4, 0)[1]).toBe(TOP);
    expect(allUnknown(rs, 6)).toBe(true);
    expect(analyzeRanges([mov64(1, 0), I(0x8d, 1), exit()])).toBeUndefined();
  });

  it('conditional jumps refine both edges, against immediates and registers', () => {
    const insns = [
      ldx(W, 2, 1, 0), // 0: r2 in [0, 2^32)
      mov64(3, 1000), // 1
      I(0x2d, 2, 3, 2), // 2: if r2 > r3 goto 5
      movr(4, 2), // 3: r2 <= 1000
      exit(), // 4
      jmpk(0x30, 2, 5000, 1), // 5: r2 in [1001, 2^32): if r2 >= 5000 goto 7
      exit(), // 6: r2 in [1001, 4999]
      exit(), // 7
    ];
    const rs = analyzeRanges(insns)!;
    expect(at(rs, 3, 2)).toEqual([0, 1000]);
    expect(at(rs, 5, 2)).toEqual([1001, U32]);
    expect(at(rs, 6, 2)).toEqual([1001, 4999]);
    expect(at(rs, 7, 2)).toEqual([5000, U32]);
  });

  it('stays cheap: a bounded number of visits on a program with many loops', () => {
    // 200 sequential loops, each with a counter and arithmetic
    const insns: Insn[] = [];
    for (let k = 0; k < 200; k++) insns.push(mov64(1, 0), ldx(B, 2, 10, -8), alu64x(MUL, 2, 1), alu64k(ADD, 1, 1), jmpk(JLT, 1, 10 + k, -4));
    insns.push(exit());
    const rs = analyzeRanges(insns)!;
    expect(rs.visits).toBeLessThan(insns.length * 8);
    expect(at(rs, 2, 1)).toEqual([0, 9]);
  });
});

describe('narrowed code', () => {
  it('uses 32-bit and Number forms where the ranges allow, and the exact forms elsewhere', () => {
    const insns = [
      ldx(W, 2, 1, 0), // r2 u32
      ldx(W, 3, 1, 4), // r3 u32
      alu64k(AND, 3, 0xffff), // r3 < 2^16
      movr(4, 2),
      alu64x(MUL, 4, 3), // < 2^48: a Number multiply
      movr(5, 3),
      alu64x(MUL, 5, 3), // < 2^32: imul
      alu64x(0x30, 2, 3), // u32 / u32
      alu64x(ADD, 5, 5), // may carry: exact
      exit(),
    ];
    const g = generate(insns);
    expect(g.narrowed).toBe(3);
    const on = g.source;
    expect(on).toContain('{const p=(l4>>>0)*(l3>>>0);l4=p|0;h4=(p/4294967296)|0;}');
    expect(on).toContain('l5=Math.imul(l5,l3);h5=0;');
    expect(on).toContain('{const b=l3>>>0;l2=b===0?0:((l2>>>0)/b)|0;}h2=0;');
    expect(on).not.toContain('divmod64');
    setNarrowing(false);
    try {
      expect(generate(insns).source).toContain('K.divmod64');
    } finally {
      setNarrowing(true);
    }
  });

  it('an entry outside the analysis (a made-up callback handle) is checked: the interpreter runs it', () => {
    // 0-1: r1 = a FUNC handle to slot 8 (made by hand); 2-3: r2 = the function at 6 (so 6 is an
    // entry); 4: call cbwide (calls r1's handle with r1 = 2^40 + 3); 5: exit.
    // 6: r1 &= 7; 7: ja +0; 8: r1 *= r1 (narrowed: r1 <= 7 on every path the analysis knows);
    // 9: r0 = r1; 10: exit
    const insns = [...lddw(1, makeHandle(HandleKind.FUNC, 8)), I(0x18, 2, 4, 0, 3), I(0), call(3), exit(), alu64k(AND, 1, 7), ja(0), alu64x(MUL, 1, 1), movr(0, 1), exit()];
    expect(generate(insns).source).toContain('l1=Math.imul(l1,l1);h1=0;');
    const want = (2n ** 40n + 3n) ** 2n % 2n ** 64n;
    for (const engine of ['interpreter', 'compiled'] as const) {
      const rt = runtime(engine);
      expect(rt.execute(prog(insns)).r0, engine).toBe(want);
    }
  });

  it('at the edges of each narrowed form: masked operands of every width, both engines, against BigInt', () => {
    // r2 = a & (2^wa - 1), r3 = b & (2^wb - 1) (masks as shifts: an AND immediate sign-extends);
    // then one 64-bit op on them, whose form the widths pick (32-bit, Number or exact)
    const rts = (['interpreter', 'compiled'] as const).map((e) => runtime(e));
    const ops: [number, (a: bigint, b: bigint) => bigint][] = [
      [0x0f, (a, b) => a + b],
      [0x1f, (a, b) => a - b],
      [0x2f, (a, b) => a * b],
      [0x3f, (a, b) => (b === 0n ? 0n : a / b)],
      [0x9f, (a, b) => (b === 0n ? a : a % b)],
      [0x6f, (a, b) => a << (b & 63n)],
      [0x7f, (a, b) => a >> (b & 63n)],
    ];
    const mask = (r: number, w: number) => (w === 64 ? [] : [alu64k(LSH, r, 64 - w), alu64k(RSH, r, 64 - w)]);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: ops.length - 1 }), (a, b, wa, wb, k) => {
        const [code, f] = ops[k]!;
        const insns = [...lddw(2, a), ...lddw(3, b), ...mask(2, wa), ...mask(3, wb), I(code, 2, 3), movr(0, 2), jmpx(JGT, 2, 3, 1), alu64k(ADD, 0, 1), exit()];
        const A = wa === 64 ? a : a & ((1n << BigInt(wa)) - 1n);
        const B = wb === 64 ? b : b & ((1n << BigInt(wb)) - 1n);
        const v = BigInt.asUintN(64, f(A, B));
        const want = v > B ? v : BigInt.asUintN(64, v + 1n);
        for (const rt of rts) expect(rt.execute(prog(insns)).r0).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });

  it('narrowed programs give the exact results under both engines (loops, mul, div, shifts, compares)', () => {
    const rts = (['interpreter', 'compiled'] as const).map((e) => runtime(e, 1_000_000));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 1, max: 200 }), (vals, n) => {
        const insns = [
          ...vals.map((v, i) => lddw(i + 2, BigInt(v))).flat(),
          mov64(0, 0),
          mov64(1, 0),
          // loop: r6 = r2 * r3 (u32 * u32: exact path), r7 = (r4 & 0xfffff) * r1 (Number), r8 = r5 / (r1 + 1), r9 = r4 >> (r1 & 31)
          movr(6, 2),
          alu64x(MUL, 6, 3),
          movr(7, 4),
          alu64k(AND, 7, 0xfffff),
          alu64x(MUL, 7, 1),
          movr(8, 1),
          alu64k(ADD, 8, 1),
          movr(9, 5),
          alu64x(0x30, 9, 8),
          alu64x(0x90, 8, 5),
          movr(5, 1),
          alu64k(AND, 5, 31),
          movr(6, 4),
          alu64x(RSH, 6, 5),
          alu64x(LSH, 7, 5),
          alu64x(ADD, 0, 6),
          alu64x(ADD, 0, 7),
          alu64x(0xaf & 0xf0 | 0x0f, 0, 9),
          alu64x(ADD, 0, 8),
          alu64k(ADD, 1, 1),
          jmpk(JLT, 1, n, -20),
          exit(),
        ];
        const p = prog(insns);
        const [a, b] = rts.map((rt) => rt.execute(p).r0);
        expect(b).toBe(a);
      }),
      { numRuns: 300 },
    );
  });
});
