// --engine on run, run-raw, bench and test: the compiled engine gives the interpreter's answers,
// run --json says which engine ran and what compiling cost, and an unknown engine is bad usage.
import { describe, expect, it, vi } from 'vitest';
import { Interpreter } from '../../vm/interpreter.js';
import { cli } from './capture.js';

const SCHED = ['examples/scheduler.o', '--prog', 'schedule', '--data', 'examples/packets.bin', '--json', '--dump-maps'];

describe('--engine', () => {
  it('run: both engines print the same result and maps; --json names the engine and the compile time', async () => {
    const a = await cli('run', ...SCHED, '--engine', 'interpreter');
    const b = await cli('run', ...SCHED, '--engine', 'compiled');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const ja = JSON.parse(a.out);
    const jb = JSON.parse(b.out);
    expect(ja.engine).toBe('interpreter');
    expect(jb.engine).toBe('compiled');
    expect(ja.compile_ms).toBe(0);
    expect(jb.compile_ms).toBeGreaterThan(0);
    for (const j of [ja, jb]) delete j.engine, delete j.compile_ms, delete j.duration_ns;
    expect(jb).toEqual(ja);
  });
  it('run and bench: a verified program runs on the compiled variant that uses the verifier facts, --no-verify on the checked one, with the same results', async () => {
    // the third argument of Interpreter.compiled: whether the run asked for the verified variant
    const spy = vi.spyOn(Interpreter.prototype, 'compiled');
    const variants = () => {
      const seen = [...new Set(spy.mock.calls.map((c) => c[2] === true))];
      spy.mockClear();
      return seen;
    };
    try {
      const v = await cli('run', ...SCHED);
      const verified = variants();
      const u = await cli('run', ...SCHED, '--no-verify');
      const unverified = variants();
      const i = await cli('run', ...SCHED, '--engine', 'interpreter');
      expect(verified).toEqual([true]);
      expect(unverified).toEqual([false]);
      const [jv, ju, ji] = [v, u, i].map((r) => {
        expect(r.code).toBe(0);
        const j = JSON.parse(r.out);
        delete j.engine, delete j.compile_ms, delete j.duration_ns, delete j.verified;
        return j;
      });
      expect(ju).toEqual(jv);
      expect(ji).toEqual(jv);
      variants();
      const b = await cli('bench', 'test/progs/smoke_array.o', '--time', '20ms', '--json');
      expect(b.code).toBe(0);
      expect(JSON.parse(b.out).mode).toBe('verified');
      expect(variants()).toEqual([true]);
    } finally {
      spy.mockRestore();
    }
  });
  it('run-raw: a fault is the same fault', async () => {
    const prog = '61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00';
    const a = await cli('run-raw', prog, '--engine', 'interpreter');
    const b = await cli('run-raw', prog, '--engine', 'compiled');
    expect(a.code).toBe(1);
    expect(b).toEqual(a);
  });
  it('an unknown engine is a usage error naming the choices', async () => {
    const r = await cli('run-raw', '95 00 00 00 00 00 00 00', '--engine', 'jit');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--engine: 'jit' is not an engine \(available: interpreter, compiled\)/);
  });
  it('bench --engine both measures the two side by side', async () => {
    const r = await cli('bench', 'test/progs/smoke_array.o', '--time', '50ms', '--engine', 'both', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.engines.map((e: { engine: string }) => e.engine)).toEqual(['interpreter', 'compiled']);
    // each engine gets a fresh runtime: the first runs execute the same instructions
    expect(j.engines[1].insnsPerRun).toBe(j.engines[0].insnsPerRun);
    expect(j.speedup_p50).toBeGreaterThan(0);
  });
});
