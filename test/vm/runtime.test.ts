// The Runtime: options and their defaults, helper-env services, the map and program tables.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_INSNS, Runtime } from '../../src/runtime.js';
import { UsageError } from '../../src/errors.js';
import { MapType } from '../../maps/types.js';
import { LINUX_HELPERS } from '../../helpers/table.js';
import { HandleKind, handleIndex, handleKind } from '../../vm/handles.js';
import { ADD, JNE, alu64k, exit, jmpk, mov64, prog } from './enc.js';

describe('Runtime', () => {
  it('defaults', () => {
    const rt = new Runtime();
    expect(rt.options.ncpus).toBe(1);
    expect(rt.options.cpu).toBe(0);
    expect(rt.options.maxInsns).toBe(DEFAULT_MAX_INSNS);
    expect(rt.options.helpers).toBe(LINUX_HELPERS);
    expect(rt.options.task.comm).toBe('ebpfvm');
    expect(rt.helperEnv.ncpus).toBe(1);
  });
  it('rejects impossible CPU settings', () => {
    expect(() => new Runtime({ ncpus: 0 })).toThrow(UsageError);
    // NR_CPUS: more CPUs than a kernel can have is refused up front (2,000,000 took 12 s to fail)
    expect(() => new Runtime({ ncpus: 8193 })).toThrow(/more than the kernel's NR_CPUS allows \(8192\)/);
    expect(new Runtime({ ncpus: 8192, cpu: 8191 }).options.ncpus).toBe(8192);
    expect(() => new Runtime({ ncpus: 2, cpu: 2 })).toThrow(/cpu 2 out of range/);
  });
  it('refuses a budget or engine it cannot honour instead of running without a budget', () => {
    // A negative or NaN budget was taken as "no budget": an endless loop then never stopped.
    // The program counts 100000 iterations, so a run that ignored the refusal would finish.
    const loop = prog([mov64(0, 0), alu64k(ADD, 0, 1), jmpk(JNE, 0, 100_000, -2), exit()]);
    for (const bad of [-5, NaN, 1.5, -Infinity, '10' as unknown as number, 5n as unknown as number]) {
      expect(() => new Runtime({ maxInsns: bad }), String(bad)).toThrow(/maxInsns must be 0 \(no budget\) or a positive integer/);
      expect(() => new Runtime().execute(loop, { maxInsns: bad }), String(bad)).toThrow(UsageError);
    }
    expect(() => new Runtime({ maxInsns: 1000 }).execute(loop)).toThrow(/instruction budget of 1000 exhausted/);
    expect(new Runtime({ maxInsns: Infinity }).execute(loop).r0).toBe(100_000n);
    expect(new Runtime().execute(loop, { maxInsns: 0 }).r0).toBe(100_000n);
    expect(() => new Runtime({ engine: 'jit' as unknown as 'compiled' })).toThrow(/engine must be one of interpreter, compiled \(got jit\)/);
  });
  it('prandom is deterministic per seed; the clock can be replaced', () => {
    const a = new Runtime({ seed: 7 });
    const b = new Runtime({ seed: 7 });
    const c = new Runtime({ seed: 8 });
    const seq = (r: Runtime) => [1, 2, 3, 4].map(() => r.helperEnv.prandomU32());
    expect(seq(a)).toEqual(seq(b));
    expect(seq(a)).not.toEqual(seq(c));
    let t = 100n;
    const rt = new Runtime({ clock: () => (t += 5n) });
    expect(rt.helperEnv.nowNs()).toBe(105n);
    expect(rt.helperEnv.nowNs()).toBe(110n);
    const d = new Runtime();
    const t1 = d.helperEnv.nowNs();
    expect(d.helperEnv.nowNs()).toBeGreaterThanOrEqual(t1);
  });
  it('task fields merge with defaults', () => {
    const rt = new Runtime({ task: { pid: 5, comm: 'bash' } });
    expect(rt.helperEnv.task).toMatchObject({ pid: 5, tgid: 1000, comm: 'bash' });
  });
  it('maps get ids and handles; handles resolve back; kernel view reads through the env', () => {
    const rt = new Runtime();
    const a = rt.createMap({ name: 'a', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 });
    const b = rt.createMap({ name: 'b', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 });
    expect(b.id).toBe(a.id + 1);
    expect(handleKind(a.handle)).toBe(HandleKind.MAP);
    expect(handleIndex(a.handle)).toBe(a.id);
    expect(rt.mapFromHandle(b.handle)).toBe(b.map);
    expect(rt.mapFromHandle(123n)).toBeUndefined();
    expect(rt.mapById(a.id)).toBe(a);
    expect(rt.allMaps().map((m) => m.map.name)).toEqual(['a', 'b']);
    expect(rt.helperEnv.mapFromHandle(a.handle)).toBe(a.map);
    rt.kmem.map(0xffff000000000000n, new Uint8Array([9]));
    expect(rt.helperEnv.readKernel(0xffff000000000000n, 1)).toEqual(new Uint8Array([9]));
    expect(rt.helperEnv.readKernel(0xffff000000000001n, 1)).toBeUndefined();
  });
  it('programs get stable ids; registering twice returns the same id', () => {
    const rt = new Runtime();
    const p = prog([mov64(0, 1), exit()]);
    const id = rt.registerProgram(p);
    expect(rt.registerProgram(p)).toBe(id);
    expect(rt.programById(id)).toBe(p);
    expect(handleKind(rt.programHandle(id))).toBe(HandleKind.PROG);
  });
  it('runs are independent: output is per run unless one is passed in', () => {
    const rt = new Runtime();
    const out = { printk: ['x'], ringbuf: [], perf: [] };
    expect(rt.execute(prog([mov64(0, 1), exit()]), { output: out }).output).toBe(out);
    expect(rt.execute(prog([mov64(0, 1), exit()])).output.printk).toEqual([]);
  });
});

describe('verified runs', () => {
  it('have no instruction budget unless one is given', () => {
    const rt = new Runtime({ maxInsns: 100 });
    // 1000 iterations of a 2-instruction loop
    const loop = prog([mov64(0, 0), { code: 0x07, dst: 0, src: 0, off: 0, imm: 1 }, { code: 0x55, dst: 0, src: 0, off: -2, imm: 1000 }, exit()]);
    expect(() => rt.execute(loop)).toThrow(/budget of 100/);
    expect(rt.execute(loop, { verified: true }).r0).toBe(1000n);
    expect(() => rt.execute(loop, { verified: true, maxInsns: 50 })).toThrow(/budget of 50/);
  });
});
