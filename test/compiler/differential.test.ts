// The compiling tier (vm/compiler) against the interpreter: every program of every object in
// test/progs, every kernel-agreement case with its recorded inputs, every conformance case, and
// random programs (valid and faulting) run under both engines, and everything observable must be
// identical: r0, instruction count, data/ctx out, printk/ringbuf/perf output, every map's
// contents, every byte of the arena, and for a fault its reason, pc, opcode, registers and
// program. Deterministic runtimes (fixed clock and seed), so any difference is the engine's.
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EbpfvmError, VmFault } from '../../src/errors.js';
import { load, objectNameFromPath, openObject } from '../../src/loader/index.js';
import { Runtime } from '../../src/runtime.js';
import { dumpMapRaw, fromHex, testRun, toHex } from '../../src/test-run-api.js';
import { runConformance } from '../../src/cli/conformance.js';
import { assembleUbpf } from '../../vm/asm-ubpf.js';
import { encodeInsns } from '../../vm/isa.js';
import type { Engine } from '../../vm/interpreter.js';
import { MemFlag } from '../../vm/memory.js';
import { parseDataFile } from '../conformance/data-file.js';
import { FIXTURES, ROOT, type Case } from '../agreement/harness.js';
import { ADD, alu64k, exit, I, lddw, mov64, movr, prog } from '../vm/enc.js';
import type { Program } from '../../vm/program.js';
import { insn, repair } from '../vm/random-program.js';

const ENGINES: readonly Engine[] = ['interpreter', 'compiled'];

function runtime(engine: Engine, extra: ConstructorParameters<typeof Runtime>[0] = {}): Runtime {
  let t = 1_000_000_000n;
  return new Runtime({ ncpus: 2, seed: 7, clock: () => (t += 1000n), engine, ...extra });
}

/** Everything a fault shows. */
function faultOf(e: unknown): unknown {
  if (e instanceof VmFault) return { fault: e.reason, pc: e.pc, opcode: e.opcode, regs: e.registers.map((r) => r.toString(16)), program: e.program, line: e.sourceLine };
  if (e instanceof EbpfvmError) return { error: e.message };
  throw e;
}

function arenaBytes(rt: Runtime): string {
  // a digest per 256 KiB, not the bytes: the arena is megabytes, and where it differs is enough
  const w = rt.arena.i32;
  const parts: string[] = [];
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) {
    h = Math.imul(h ^ w[i]!, 0x01000193);
    if ((i & 0xffff) === 0xffff) {
      parts.push((h >>> 0).toString(16));
      h = 0x811c9dc5;
    }
  }
  parts.push((h >>> 0).toString(16));
  return `${rt.arena.u8.length}:${parts.join(',')}`;
}

function mapsOf(obj: ReturnType<typeof load>, rt: Runtime): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, lm] of obj.maps) {
    try {
      out[name] = dumpMapRaw(lm.map, rt.options.ncpus);
    } catch (e) {
      out[name] = `not dumpable: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return out;
}

interface Run {
  prog: string;
  data?: Uint8Array;
  ctx?: Uint8Array;
  args?: readonly number[];
  repeat?: number;
}

/** Load `object`, apply map updates, do the runs in order; the observable outcome. */
function outcome(engine: Engine, object: string, runs: readonly Run[], maps?: Case['maps']): { summary: unknown[]; compiled: number } {
  const rt = runtime(engine);
  const summary: unknown[] = [];
  let obj: ReturnType<typeof load>;
  try {
    obj = load(rt, openObject(new Uint8Array(readFileSync(join(ROOT, object))), { name: objectNameFromPath(object) }));
  } catch (e) {
    return { summary: [faultOf(e)], compiled: 0 };
  }
  for (const [name, entries] of Object.entries(maps ?? {})) {
    for (const e of entries) obj.map(name).update(fromHex(e.key, 'key'), fromHex(e.value, 'value'));
  }
  for (const r of runs) {
    try {
      const res = testRun(rt, obj.program(r.prog).program, { data: r.data, ctx: r.ctx, args: r.args, repeat: r.repeat ?? 1, maxInsns: 200_000 });
      summary.push({
        r0: res.r0.toString(16),
        insns: res.insnCount,
        data: res.dataOut && toHex(res.dataOut),
        ctx: res.ctxOut && toHex(res.ctxOut),
        out: res.output,
      });
    } catch (e) {
      summary.push(faultOf(e));
    }
  }
  summary.push(mapsOf(obj, rt), arenaBytes(rt));
  return { summary, compiled: rt.interpreter.compileStats.compiledRuns };
}

const PACKET = Uint8Array.from({ length: 96 }, (_, i) => (i * 37 + 11) & 0xff);
// Ethernet + IPv4 + TCP headers, so parsers get past their first checks
PACKET.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0, 0, 82, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x30, 0x39, 0, 80]);

function objects(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.o'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

describe('compiled and interpreted runs are identical', () => {
  it('every program of every object in test/progs, on a packet and on arguments', () => {
    let programs = 0;
    let compiledRuns = 0;
    // m_arena.o: BPF arena loads/stores, casts, kfuncs and faults on unallocated pages
    for (const object of [...objects('test/progs'), ...objects('test/progs/verifier'), 'test/progs/maps/m_arena.o']) {
      let names: string[];
      try {
        names = [...openObject(new Uint8Array(readFileSync(join(ROOT, object)))).programs.keys()];
      } catch {
        continue;
      }
      const runs: Run[] = names.flatMap((p) => [{ prog: p, data: PACKET }, { prog: p, args: [1, 2, 3] }]);
      const [a, b] = ENGINES.map((e) => outcome(e, object, runs));
      expect(b!.summary, object).toEqual(a!.summary);
      programs += names.length;
      compiledRuns += b!.compiled;
    }
    expect(programs).toBeGreaterThan(300);
    expect(compiledRuns).toBeGreaterThan(300);
  }, 120_000);

  it('every kernel-agreement case with its recorded inputs and map contents', () => {
    const { packets, cases } = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as { packets: Record<string, string>; cases: Case[] };
    const bytes = (v: string | undefined) => (v === undefined ? undefined : fromHex(v.startsWith('@') ? packets[v.slice(1)]! : v, 'input'));
    for (const c of cases) {
      const runs: Run[] = [c, ...(c.then ?? [])].map((r) => ({ prog: r.prog ?? c.prog, data: bytes(r.data), ctx: bytes(r.ctx), repeat: c.kind ? 1 : r.repeat ?? 1 }));
      const [a, b] = ENGINES.map((e) => outcome(e, c.object, runs, c.maps));
      expect(b!.summary, c.name).toEqual(a!.summary);
    }
    expect(cases.length).toBeGreaterThan(100);
  }, 60_000);

  it('every conformance case, through the plugin entry', () => {
    const dir = join(ROOT, 'test/conformance/data');
    const files = readdirSync(dir).filter((f) => f.endsWith('.data')).sort();
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
    for (const f of files) {
      const t = parseDataFile(readFileSync(join(dir, f), 'utf8'));
      let code: Uint8Array;
      if (t.raw) {
        code = new Uint8Array(t.raw.length * 8);
        const dv = new DataView(code.buffer);
        t.raw.forEach((w, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, w), true));
      } else code = encodeInsns(assembleUbpf(t.asm ?? ''));
      const mem = t.mem ? [hex(t.mem)] : [];
      const [a, b] = ENGINES.map((e) => runConformance([...mem, '--engine', e], hex(code)));
      expect(b, f).toEqual(a);
      if (t.error === undefined) expect(b!.stdout.trim(), f).toBe(t.result!.toString(16));
    }
    expect(files.length).toBeGreaterThan(200);
  }, 60_000);

  it('the explicit fallbacks give the interpreter\'s results: entries that are not block starts, --trace, programs too large to compile', () => {
    const both = (p: Program, args: number[] = [], trace = false) =>
      ENGINES.map((engine) => {
        const rt = runtime(engine, { maxInsns: 100_000 });
        const lines: string[] = [];
        let r: unknown;
        try {
          const x = rt.execute(p, { args, ...(trace ? { trace: (l: string) => void lines.push(l) } : {}) });
          r = { r0: x.r0.toString(16), insns: x.insnCount };
        } catch (e) {
          r = faultOf(e);
        }
        return { r, lines, stats: rt.interpreter.compileStats };
      });
    // callx into the middle of a function (a handle + 1): pc 9 is no block start, so the compiled
    // code hands the run to the interpreter there, inside the callee's frame
    const mid = prog([lddw(2, 7n, 4), alu64k(ADD, 2, 1), mov64(1, 5), I(0x8d, 2), alu64k(ADD, 0, 1), exit(), exit(), movr(0, 1), alu64k(ADD, 0, 7), exit()]);
    const [mi, mc] = both(mid);
    expect(mc!.r).toEqual(mi!.r);
    expect(mi!.r).toEqual({ r0: '8', insns: 8 }); // r0 = 0 + 7 + 1: the callee's `r0 = r1` skipped
    expect(mc!.stats.interpretedFallbacks).toBe(1);
    // the same handle given to a callback helper: the interpreter runs that callback
    const cb = prog([lddw(1, 5n, 4), alu64k(ADD, 1, 1), I(0x85, 0, 0, 0, 2), exit(), exit(), mov64(0, 3), alu64k(ADD, 0, 4), exit()]);
    const cbRt = ENGINES.map((engine) => {
      const rt = runtime(engine, { helpers: [{ id: 2, name: 'cb', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl: (c) => c.callback(1, [1, 2]) }] });
      const x = rt.execute(cb);
      return { r0: x.r0, insns: x.insnCount, fallbacks: rt.interpreter.compileStats.interpretedFallbacks };
    });
    expect(cbRt[1]!.r0).toBe(cbRt[0]!.r0);
    expect(cbRt[0]!.r0).toBe(4n); // the callback's `r0 = 3` skipped
    expect(cbRt[1]!.insns).toBe(cbRt[0]!.insns);
    expect(cbRt[1]!.fallbacks).toBe(1);
    // a trace is the interpreter's, line for line
    const loop = prog([mov64(0, 0), mov64(1, 0), alu64k(ADD, 0, 3), alu64k(ADD, 1, 1), I(0x55, 1, 0, -3, 4), exit()]);
    const [ti, tc] = both(loop, [], true);
    expect(tc!.r).toEqual(ti!.r);
    expect(tc!.lines).toEqual(ti!.lines);
    expect(tc!.lines.length).toBe(15);
    // 6001 slots: left to the interpreter, and said so
    const big = prog([mov64(0, 0), ...Array.from({ length: 5999 }, () => alu64k(ADD, 0, 1)), exit()]);
    const [bi, bc] = both(big);
    expect(bc!.r).toEqual(bi!.r);
    expect(bi!.r).toEqual({ r0: '176f', insns: 6001 });
    expect(bc!.stats.notCompiled).toEqual([{ program: 'test', reason: '6001 instruction slots (more than 6000)' }]);
  });

  it('random programs, valid and faulting, with helpers, callbacks and memory', () => {
    const helpers = [
      { id: 1, name: 'echo', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl: (c: { u64(i: 1): bigint }) => c.u64(1) },
      { id: 2, name: 'cb', proto: { args: [], ret: { type: 'RET_INTEGER' } }, gplOnly: false, progTypes: 'all', impl: (c: { callback(i: 1, a: number[]): bigint }) => c.callback(1, [1, 2]) },
    ] as unknown as ConstructorParameters<typeof Runtime>[0] extends infer O ? (O extends { helpers?: infer H } ? H : never) : never;
    const setups = ENGINES.map((engine) => {
      const rt = runtime(engine, { maxInsns: 3000, helpers });
      const mem = rt.arena.allocRegion(64, MemFlag.READ | MemFlag.WRITE, 'input', 'mem');
      return { rt, mem };
    });
    let faults = 0;
    let results = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(insn, fc.integer({ min: 0, max: 19 })), { minLength: 1, maxLength: 32 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (pairs, init) => {
        const insns = repair(
          pairs.map((p) => p[0]),
          pairs.map((p) => p[1] === 0),
        );
        const p = prog([...insns, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }]);
        const out = setups.map(({ rt, mem }) => {
          rt.arena.u8.set(init, mem);
          let r: unknown;
          try {
            const x = rt.execute(p, { args: [mem, 64] });
            r = { r0: x.r0.toString(16), insns: x.insnCount };
          } catch (e) {
            r = faultOf(e);
          }
          return { r, mem: toHex(rt.arena.u8.slice(mem, mem + 64)) };
        });
        expect(out[1]).toEqual(out[0]);
        if ((out[0]!.r as { fault?: string }).fault !== undefined) faults++;
        else if ((out[0]!.r as { r0?: string }).r0 !== undefined) results++;
      }),
      { numRuns: 2500 },
    );
    // both kinds of outcome were exercised
    expect(faults).toBeGreaterThan(200);
    expect(results).toBeGreaterThan(200);
    expect(setups[1]!.rt.interpreter.compileStats.compiled).toBeGreaterThan(1000);
  }, 60_000);
});
