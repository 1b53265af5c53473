// The compiling tier's verified variant (vm/compiler with Program.proven): for runs that say the
// program runs as verified, loads and stores the verifier proved inside a stack frame or map value
// skip their range checks, and array / per-CPU array lookups whose map and key the block shows are
// inlined with the map's layout as constants. Everything observable must stay the interpreter's:
// every accepted program of every object in test/progs, run verified on both engines, and the
// specialised ALU forms (add/sub carries in int32, multiplies by small immediates) on edge values.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EbpfvmError, VmFault } from '../../src/errors.js';
import { load, objectNameFromPath, openObject } from '../../src/loader/index.js';
import { Runtime } from '../../src/runtime.js';
import { dumpMapRaw, testRun, toHex } from '../../src/test-run-api.js';
import { runnableProgram, verifyProgram } from '../../src/verify.js';
import { generate, lookupSites } from '../../vm/compiler/codegen.js';
import type { Insn } from '../../vm/isa.js';
import type { Engine } from '../../vm/interpreter.js';
import { ROOT } from '../agreement/harness.js';
import { exit, I, lddw, prog } from '../vm/enc.js';

const ENGINES: readonly Engine[] = ['interpreter', 'compiled'];

function runtime(engine: Engine): Runtime {
  let t = 1_000_000_000n;
  return new Runtime({ ncpus: 2, seed: 7, clock: () => (t += 1000n), engine });
}

function faultOf(e: unknown): unknown {
  if (e instanceof VmFault) return { fault: e.reason, pc: e.pc, regs: e.registers.map((r) => r.toString(16)) };
  if (e instanceof EbpfvmError) return { error: e.message };
  throw e;
}

const PACKET = Uint8Array.from({ length: 96 }, (_, i) => (i * 37 + 11) & 0xff);
PACKET.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0, 0, 82, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x30, 0x39, 0, 80]);

/** Load `object` on `engine`, verify every program, run the accepted ones verified (twice, on
 *  CPU 0 and 1, so per-CPU copies and map state carry over); everything observable. */
function outcome(engine: Engine, object: string): { summary: unknown[]; proven: number; verifiedRuns: number } {
  const rt = runtime(engine);
  const summary: unknown[] = [];
  let obj: ReturnType<typeof load>;
  try {
    obj = load(rt, openObject(new Uint8Array(readFileSync(join(ROOT, object))), { name: objectNameFromPath(object) }));
  } catch (e) {
    return { summary: [faultOf(e)], proven: 0, verifiedRuns: 0 };
  }
  let proven = 0;
  let verifiedRuns = 0;
  for (const name of obj.programs.keys()) {
    let accepted = false;
    try {
      accepted = verifyProgram(obj, name).accepted;
    } catch (e) {
      summary.push(faultOf(e));
    }
    if (!accepted) continue;
    const p = runnableProgram(obj.program(name));
    if (p.proven) proven += p.proven.safeMem.reduce((a, b) => a + b, 0);
    // with a budget (the checked variant) on CPU 0, without one (no checks, Wasm loops) on CPU 1
    for (const cpu of [0, 1]) {
      try {
        const res = testRun(rt, p, { data: PACKET, cpu, verified: true, ...(cpu === 0 ? { maxInsns: 2_000_000 } : {}) });
        verifiedRuns++;
        summary.push({ name, cpu, r0: res.r0.toString(16), insns: res.insnCount, data: res.dataOut && toHex(res.dataOut), out: res.output });
      } catch (e) {
        summary.push({ name, cpu, ...(faultOf(e) as object) });
      }
    }
  }
  for (const [name, lm] of obj.maps) {
    try {
      summary.push({ [name]: dumpMapRaw(lm.map, rt.options.ncpus) });
    } catch (e) {
      summary.push({ [name]: `not dumpable: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return { summary, proven, verifiedRuns };
}

function objects(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.o'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

describe('verified runs use the verifier facts and stay identical', () => {
  it('every accepted program of every object in test/progs and the bench objects, run verified under both engines', () => {
    let proven = 0;
    let runs = 0;
    // bench_rbtree.o and bench_vm.o take 20 s to verify alone (1024-iteration loops the verifier
    // walks); engines_kern.o has the same lookup loops in the kernel's form
    const corpus = [...objects('test/progs').filter((o) => !/\/bench_(rbtree|vm)\.o$/.test(o)), 'bench/kernel/engines_kern.o'];
    for (const object of corpus) {
      const [a, b] = ENGINES.map((e) => outcome(e, object));
      expect(b!.summary, object).toEqual(a!.summary);
      proven += b!.proven;
      runs += b!.verifiedRuns;
    }
    // the facts are there to be used: hundreds of proven accesses over the corpus
    expect(runs).toBeGreaterThan(100);
    expect(proven).toBeGreaterThan(200);
  }, 180_000);

  it('array and per-CPU array lookups are inlined in verified code, with out-of-range keys NULL and each CPU its own copy', () => {
    const rt = runtime('compiled');
    const obj = load(rt, openObject(new Uint8Array(readFileSync(join(ROOT, 'bench/kernel/engines_kern.o'))), { name: 'engines_kern' }));
    for (const n of ['fill', 'array_lookup', 'percpu_lookup', 'hash_lookup']) expect(verifyProgram(obj, n).accepted).toBe(true);
    const run = (n: string, cpu = 0) => testRun(rt, runnableProgram(obj.program(n)), { data: PACKET, cpu, verified: true }).r0;
    expect(run('fill')).toBe(0n);
    // fill ran on CPU 0: CPU 1's per-CPU copies are still zero, but present (found, sum 0)
    for (const n of ['array_lookup', 'percpu_lookup', 'hash_lookup']) expect(run(n), n).toBe(1024n);
    expect(run('percpu_lookup', 1)).toBe(1024n);
    // the generated verified code has the inline lookups (no helper call at those sites)
    const p = runnableProgram(obj.program('percpu_lookup'));
    const sites = lookupSites(p.insns);
    expect(sites.size).toBe(1);
    const [site] = [...sites.values()];
    expect(site!.keyOff).toBe(-4);
    const src = generate(p.insns, 'x', undefined, undefined, {
      facts: p.proven!,
      inlineMap: (id) => rt.inlineMapLayout(id),
    }).source;
    expect(src).toMatch(/const PB\d+=\[\d+,\d+\];/);
    expect(src).not.toMatch(/vm\.callHelper/);
    // the unverified variant of the same program keeps the helper path
    expect(generate(p.insns, 'x').source).toMatch(/vm\.callHelper/);
  });

  it('out-of-range keys give NULL from inlined array lookups (facts given by hand); a per-CPU value written on one CPU is not seen on the other', () => {
    // r1 = map, *(u32 *)(r10 - 4) = key, r2 = r10 - 4, call 1; r0 = r0 ? 1 + *(u64 *)r0 : 0
    for (const engine of ENGINES) {
      const rt = runtime(engine);
      const obj = load(rt, openObject(new Uint8Array(readFileSync(join(ROOT, 'bench/kernel/engines_kern.o'))), { name: 'engines_kern' }));
      const arr = obj.maps.get('arr')!;
      const pcpu = obj.maps.get('pcpu')!;
      const lookup = (mapId: number, key: number, store?: number) =>
        prog([
          I(0x62, 10, 0, -4, key), // *(u32 *)(r10 - 4) = key
          I(0xbf, 2, 10), // r2 = r10
          I(0x07, 2, 0, 0, -4), // r2 += -4
          ...lddw(1, BigInt(mapId), 1), // r1 = map
          I(0x85, 0, 0, 0, 1), // call map_lookup_elem
          I(0x15, 0, 0, store === undefined ? 3 : 4, 0), // if r0 == 0 goto out
          ...(store === undefined ? [] : [I(0x7a, 0, 0, 0, store)]), // *(u64 *)(r0 + 0) = store
          I(0x79, 1, 0, 0), // r1 = *(u64 *)(r0 + 0)
          I(0x07, 1, 0, 0, 1), // r1 += 1
          I(0xbf, 0, 1), // r0 = r1
          exit(),
        ]);
      const cases: [number, number, number | undefined, number, bigint][] = [
        [arr.id, 5, 41, 0, 42n],
        [arr.id, 5, undefined, 1, 42n], // arrays are shared by CPUs
        [arr.id, 1023, undefined, 0, 1n],
        [arr.id, 1024, undefined, 0, 0n], // out of range: NULL
        [arr.id, 0xffffffff, undefined, 0, 0n],
        [pcpu.id, 7, 99, 1, 100n],
        [pcpu.id, 7, undefined, 0, 1n], // CPU 0's copy untouched
        [pcpu.id, 7, undefined, 1, 100n],
        [pcpu.id, 1024, undefined, 1, 0n],
      ];
      for (const [id, key, store, cpu, want] of cases) {
        // the facts the verifier would give (this program is not loaded from an object): the
        // key store is on the stack, the value accesses are inside the 8-byte value
        const safeMem = new Uint8Array(12);
        for (const pc of store === undefined ? [0, 7] : [0, 7, 8]) safeMem[pc] = 1;
        const base = lookup(id, key, store);
        const p = { ...base, progType: 3, proven: { insns: base.insns, safeMem } };
        const res = rt.execute(p, { cpu, verified: true });
        expect(res.r0, `${engine} map ${id} key ${key} cpu ${cpu}`).toBe(want);
      }
    }
  });
  it('inline lookups whose key the block stored take it from the register, and the stack still holds every key for a stack load or a helper', () => {
    // r6 = 5; *(u32 *)(r10 - 8) = r6; lookup(arr, r10 - 8); r6 = 9; *(u32 *)(r10 - 4) = r6;
    // lookup(arr, r10 - 4); then either r0 = *(u64 *)(r10 - 8) (both keys, in order), or
    // map_update_elem(arr, r10 - 4, r10 - 8) (the helper reads the key and the value from the
    // stack) and r0 = *(u64 *) of the value at key 9: (9 << 32) | 5 on both engines
    const results = ENGINES.map((engine) => {
      const rt = runtime(engine);
      const obj = load(rt, openObject(new Uint8Array(readFileSync(join(ROOT, 'bench/kernel/engines_kern.o'))), { name: 'engines_kern' }));
      const arr = obj.maps.get('arr')!.id;
      const key = (slot: number, value: number) => [
        I(0xb7, 6, 0, 0, value), // r6 = value
        I(0x63, 10, 6, slot), // *(u32 *)(r10 + slot) = r6
        I(0xbf, 2, 10), // r2 = r10
        I(0x07, 2, 0, 0, slot), // r2 += slot
        ...lddw(1, BigInt(arr), 1),
        I(0x85, 0, 0, 0, 1), // call map_lookup_elem (inline)
      ];
      const head = [...key(-8, 5), ...key(-4, 9)];
      const viaLoad = prog([...head, I(0x79, 0, 10, -8), exit()]);
      const viaHelper = prog([
        ...head,
        ...lddw(1, BigInt(arr), 1),
        I(0xbf, 2, 10),
        I(0x07, 2, 0, 0, -4), // key 9
        I(0xbf, 3, 10),
        I(0x07, 3, 0, 0, -8), // value: the two keys
        I(0xb7, 4, 0, 0, 0),
        I(0x85, 0, 0, 0, 2), // call map_update_elem
        ...key(-4, 9),
        I(0x15, 0, 0, 1, 0), // if r0 == 0 goto exit
        I(0x79, 0, 0, 0), // r0 = *(u64 *)(r0 + 0)
        exit(),
      ]);
      const out: unknown[] = [];
      for (const base of [viaLoad, viaHelper]) {
        // the facts the verifier gives: stack stores and loads, the value load a map value
        const safeMem = new Uint8Array(base.insns.length);
        base.insns.forEach((x, pc) => {
          if (x.code === 0x63 || x.code === 0x79) safeMem[pc] = 1;
        });
        const p = { ...base, progType: 3, proven: { insns: base.insns, safeMem } };
        out.push(rt.execute(p, { verified: true }).r0);
        if (engine === 'compiled') {
          // the lookups are inline and take their key from the register (ks<pc>)
          const src = generate(p.insns, 'x', undefined, undefined, { facts: p.proven, unlimited: true, inlineMap: (id) => rt.inlineMapLayout(id) }).source;
          expect(src).toMatch(/const idx=ks\d+>>>0;/);
          expect(src).not.toMatch(/vm\.callHelper\(run,ctx,prog,decoded,\d+,1,/);
        }
      }
      return out;
    });
    expect(results[0]).toEqual([(9n << 32n) | 5n, (9n << 32n) | 5n]);
    expect(results[1]).toEqual(results[0]);
  });
});

describe('facts are used only for the instructions they were proven for', () => {
  it('a copy of a program with other instructions (a rewrite, joined extensions) keeps every check, and unverified runs too', () => {
    // r0 = *(u64 *)(r1 + 0) with r1 = 8 (no region there): the interpreter faults. Facts claiming
    // the load safe are false here on purpose: they must not be used for a spread copy whose
    // instruction array is another one, nor for an unverified run.
    const base = prog([I(0xb7, 1, 0, 0, 8), I(0x79, 0, 1, 0), exit()]);
    const lying = { ...base, proven: { insns: base.insns, safeMem: Uint8Array.of(0, 1, 0) } };
    const copy = { ...lying, insns: [...lying.insns] };
    const rt = runtime('compiled');
    const fault = (p: typeof base, verified: boolean) => {
      try {
        rt.execute(p, { verified });
        return 'no fault';
      } catch (e) {
        return (faultOf(e) as { fault?: string }).fault ?? 'other';
      }
    };
    expect(fault(copy, true)).toMatch(/invalid|out of|access|read/i);
    expect(fault(lying, false)).toMatch(/invalid|out of|access|read/i);
    // and the facts are used when they belong (this is what makes them dangerous to misapply)
    expect(fault(lying, true)).toBe('no fault');
  });
});

describe('specialised 64-bit ALU forms give the exact 64-bit result', () => {
  const M = (1n << 64n) - 1n;
  const values = [0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x1ffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, M, M - 1n, 0x123456789abcdef0n, 0xfedcba9876543210n];
  const imms = [0, 1, 3, 5, 0x3fff, 0x4000, 0xffff, 0x10000, 0x7fffffff, -1, -2, -5, -0x4000, -0x80000000];
  const sx = (i: number) => BigInt.asUintN(64, BigInt(i));
  const ops: [string, number, (a: bigint, b: bigint) => bigint][] = [
    ['add', 0x00, (a, b) => (a + b) & M],
    ['sub', 0x10, (a, b) => (a - b) & M],
    ['mul', 0x20, (a, b) => (a * b) & M],
  ];
  it('add, sub and mul with immediates and registers, on edge values (both engines, compiled code checked against BigInt)', () => {
    for (const engine of ENGINES) {
      const rt = runtime(engine);
      const want: bigint[] = [];
      const got: bigint[] = [];
      for (const [, op, f] of ops) {
        for (const a of values) {
          for (const imm of imms) {
            // r0 = a; r0 op= imm
            const p = prog([...lddw(0, a), I(0x07 | op, 0, 0, 0, imm), exit()]);
            got.push(rt.execute(p).r0);
            want.push(f(a, sx(imm)));
          }
          for (const b of values) {
            // r0 = a; r1 = b; r0 op= r1; and the aliasing form r1 = a; r1 op= r1
            const p = prog([...lddw(0, a), ...lddw(1, b), I(0x0f | op, 0, 1), exit()]);
            got.push(rt.execute(p).r0);
            want.push(f(a, b));
          }
          const self = prog([...lddw(1, a), I(0x0f | op, 1, 1), I(0xbf, 0, 1), exit()]);
          got.push(rt.execute(self).r0);
          want.push(f(a, a));
        }
      }
      expect(got, engine).toEqual(want);
    }
  });
});

describe('register-only loops of unlimited verified runs run as Wasm with the exact results', () => {
  // r9 counts the loop down from n; the body is random register ALU (64- and 32-bit, every op but
  // division and byte swaps, immediates and registers, movsx) over r0..r8 with forward conditional
  // jumps (64- and 32-bit compares) inside the body; at the end every register is folded into r0
  const reg = fc.integer({ min: 0, max: 8 });
  const imm = fc.oneof(fc.integer({ min: -8, max: 8 }), fc.constantFrom(0x7fffffff, -0x80000000, 0x3fff, 63, 64, 31, 32), fc.integer({ min: -0x80000000, max: 0x7fffffff }));
  const aluOp = fc.constantFrom(0x00, 0x10, 0x20, 0x40, 0x50, 0x60, 0x70, 0x80, 0xa0, 0xb0, 0xc0);
  const alu = fc.record({ kind: fc.constant('alu' as const), cls: fc.constantFrom(7, 4), op: aluOp, x: fc.boolean(), dst: reg, src: reg, imm, sx: fc.constantFrom(0, 0, 8, 16, 32) });
  const jmp = fc.record({ kind: fc.constant('jmp' as const), cls: fc.constantFrom(5, 6), op: fc.constantFrom(0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0), x: fc.boolean(), dst: reg, src: reg, imm, skip: fc.integer({ min: 0, max: 6 }) });
  function build(n: number, init: readonly number[], body: readonly ({ kind: 'alu'; cls: number; op: number; x: boolean; dst: number; src: number; imm: number; sx: number } | { kind: 'jmp'; cls: number; op: number; x: boolean; dst: number; src: number; imm: number; skip: number })[]): Insn[] {
    const out: Insn[] = init.map((v, r) => I(0xb7, r, 0, 0, v));
    out.push(I(0xb7, 9, 0, 0, n));
    const head = out.length;
    body.forEach((b, i) => {
      if (b.kind === 'alu') {
        let off = 0;
        if (b.op === 0xb0 && b.x) off = b.cls === 7 ? b.sx : b.sx === 32 ? 0 : b.sx;
        const x = b.x && b.op !== 0x80; // neg has no register form
        out.push(I(b.cls | b.op | (x ? 8 : 0), b.dst, x ? b.src : 0, off, b.op === 0x80 || x ? 0 : b.imm));
      } else {
        // forward, to at most the loop's decrement
        const left = body.length - i - 1;
        out.push(I(b.cls | b.op | (b.x ? 8 : 0), b.dst, b.x ? b.src : 0, Math.min(b.skip, left), b.x ? 0 : b.imm));
      }
    });
    out.push(I(0x07, 9, 0, 0, -1)); // r9 -= 1
    out.push(I(0x55, 9, 0, head - out.length - 1, 0)); // if r9 != 0 goto head
    for (let r = 1; r <= 8; r++) out.push(I(0xaf, 0, r)); // r0 ^= rN
    out.push(exit());
    return out;
  }
  it('random loops: r0 and the instruction count agree with the interpreter (and the Wasm path is taken)', () => {
    const rts = ENGINES.map((e) => runtime(e));
    let wasmPrograms = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { minLength: 9, maxLength: 9 }), fc.array(fc.oneof(alu, alu, alu, jmp), { minLength: 1, maxLength: 24 }), (n, init, body) => {
        const insns = build(n, init, body);
        const p = prog(insns);
        p.proven = { insns: p.insns, safeMem: new Uint8Array(p.insns.length) };
        if (generate(insns, 'x', undefined, undefined, { facts: p.proven!, unlimited: true, inlineMap: () => undefined }).wasm.length > 0) wasmPrograms++;
        const [a, b] = rts.map((rt) => {
          const r = rt.execute(p, { verified: true });
          return { r0: r.r0.toString(16), insns: r.insnCount };
        });
        expect(b).toEqual(a);
        // the same program with a budget takes the JS loop: same again
        const c = rts[1]!.execute(p, { verified: true, maxInsns: 1_000_000 });
        expect({ r0: c.r0.toString(16), insns: c.insnCount }).toEqual(a);
      }),
      { numRuns: 1500 },
    );
    expect(wasmPrograms).toBeGreaterThan(1000);
  }, 60_000);
});
