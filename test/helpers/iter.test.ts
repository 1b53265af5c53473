// Iterator programs (src/iter.ts) and the seq_file helpers (helpers/seq.ts) against the host
// kernel: every scenario of test/fixtures/iter/h_iter.json (recorded by scripts/record-iter.mjs
// from test/progs/helpers/h_iter.c: the iterator read to its end, read() by read()) replayed under
// both engines, verified and not, each read's return and the bytes compared. Then what the host
// cannot show here: bpf_map_elem iterators (the 6.18 host refuses them at load), task iterators
// over the runtime's tasks, the attach checks, and the CLI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime, type RuntimeOptions } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { verifyProgram } from '../../src/verify.js';
import { runIterator, IterAttachError } from '../../src/iter.js';
import { testRun } from '../../src/test-run-api.js';
import { PROGS, runCli } from '../loader/helpers.js';

interface Scenario {
  prog: string;
  readSize: number;
  map?: string;
  host: { loaded: boolean; errno?: string; reads?: number[]; error?: string; output?: string };
}
const FX = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/iter/h_iter.json'), 'utf8')) as { scenarios: Scenario[] };
const OBJ_PATH = join(PROGS, 'helpers', 'h_iter.o');
const OBJ = new Uint8Array(readFileSync(OBJ_PATH));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function loaded(prog: string, opts: RuntimeOptions = {}) {
  const runtime = new Runtime({ ncpus: 1, cpu: 0, ...opts });
  const obj = load(runtime, openObject(OBJ), { programs: [prog] });
  return { runtime, obj };
}

describe('iterators: the host kernel reads (h_iter.c)', () => {
  const ran = FX.scenarios.filter((s) => s.host.loaded);
  it('has the recorded scenarios', () => {
    expect(ran.length).toBeGreaterThanOrEqual(7);
  });
  for (const s of ran) {
    for (const engine of ['compiled', 'interpreter'] as const) {
      for (const verify of [true, false]) {
        it(`${s.prog}, reads of ${s.readSize} bytes (${engine}${verify ? ', verified' : ''})`, () => {
          const { obj } = loaded(s.prog, { engine });
          if (verify) expect(verifyProgram(obj, s.prog).accepted).toBe(true);
          const r = runIterator(obj, s.prog, { readSize: s.readSize, verified: verify });
          expect(r.reads).toEqual(s.host.reads);
          expect(hex(r.output)).toBe(s.host.output);
          expect(r.error?.errno ?? '').toBe(s.host.error);
        });
      }
    }
  }

  it('the 6.18 host refuses bpf_map_elem iterators at load (EPERM, no instruction verified); ebpfvm verifies them as 6.12 does', () => {
    const s = FX.scenarios.find((x) => x.prog === 'elems')!;
    expect(s.host).toMatchObject({ loaded: false, errno: 'EPERM' });
    const { obj } = loaded('elems');
    expect(verifyProgram(obj, 'elems').accepted).toBe(true);
  });
});

describe('iterators: semantics the host cannot record here', () => {
  it('bpf_map_elem over an array: every element in order, the value writable in place, the final call keeps the map', () => {
    const { obj } = loaded('elems');
    verifyProgram(obj, 'elems');
    const arr = obj.map('it_arr');
    const u64 = (n: number) => new Uint8Array(new BigUint64Array([BigInt(n)]).buffer);
    const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
    [10, 20, 30].forEach((v, i) => arr.update(u32(i), u64(v)));
    const r = runIterator(obj, 'elems', { map: 'it_arr', verified: true });
    expect(text(r.output)).toBe('0: 0=10\n1: 1=20\n2: 2=30\nend it_arr seq_num=2\n');
    expect(r).toMatchObject({ objects: 3, calls: 4, reads: [r.output.length, 0] });
    expect([0, 1, 2].map((i) => new BigUint64Array(arr.lookup(u32(i))!.slice().buffer)[0])).toEqual([20n, 40n, 60n]);
  });

  it('bpf_map_elem over a hash: keys read only as far as the program reads; per-CPU values are a copy of every CPU', () => {
    const { obj } = loaded('elems_u64', { ncpus: 2 });
    expect(verifyProgram(obj, 'elems_u64').bufAccess).toEqual({ rdonly: 0, rdwr: 8 });
    const pca = obj.map('it_pca');
    pca.update(new Uint8Array(4), new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]));
    const r = runIterator(obj, 'elems_u64', { map: 'it_pca', verified: true });
    // 8 of the 16 value bytes (two CPUs, each rounded up to 8): CPU 0's copy
    expect(hex(r.output)).toBe('0100000000000000' + '0000000000000000');
  });

  it('attaching checks the map type and the accessed sizes (bpf_iter_attach_map)', () => {
    const { obj } = loaded('elems_u64');
    verifyProgram(obj, 'elems_u64');
    // it_hash has 4-byte values: an 8-byte value access is -EACCES
    expect(() => runIterator(obj, 'elems_u64', { map: 'it_hash' })).toThrow(/-EACCES.*8 value bytes.*4-byte values/);
    expect(() => runIterator(obj, 'elems_u64')).toThrow(IterAttachError);
    expect(() => runIterator(obj, 'elems_u64')).toThrow(/-EBADF.*--iter-map NAME/);
    expect(() => runIterator(obj, 'elems_u64', { map: 'nope' })).toThrow(/no map named nope/);
    const m = loaded('dump_maps');
    expect(() => runIterator(m.obj, 'dump_maps', { map: 'it_arr' })).toThrow(/-EINVAL.*takes no map/);
  });

  it('iter/task visits the runtime\'s tasks by pid, then the NULL task with the last task\'s seq_num', () => {
    const { obj } = loaded('tasks', { task: { pid: 50, tgid: 50, comm: 'cur' }, kernel: { tasks: [{ pid: 70, comm: 'b' }, { pid: 7, tgid: 5, comm: 'a' }] } });
    expect(verifyProgram(obj, 'tasks').accepted).toBe(true);
    const r = runIterator(obj, 'tasks', { verified: true });
    expect(text(r.output)).toBe('7 5 a\n50 50 cur\n70 70 b\n2 tasks\n');
  });

  it('the verifier: the object may be NULL, the key is read only, buffer offsets are constant', async () => {
    // dump_maps dereferences ctx->map only after its NULL check; the kernel's messages otherwise
    const { obj } = loaded('elems');
    const v = verifyProgram(obj, 'elems', { logLevel: 2 });
    expect(v.log).toContain('rdonly_buf_or_null');
    expect(v.bufAccess).toEqual({ rdonly: 4, rdwr: 8 });
  });

  it('an iterator program has no test run (ENOTSUPP), as bpf_prog_test_run_tracing says', () => {
    const { obj } = loaded('dump_maps');
    expect(() => testRun(obj.runtime, obj.program('dump_maps').program, {})).toThrow(/-ENOTSUPP.*iterator programs.*read the iterator/);
  });

  it('the CLI reads the iterator: output on stdout, --json with reads and the error', async () => {
    const a = await runCli(['run', OBJ_PATH, '--prog', 'retry', '--json']);
    expect(a.code).toBe(1);
    const j = JSON.parse(a.out) as { iterator: { output: string; errno: string; reads: number[] } };
    expect(j.iterator).toMatchObject({ output: 'it_arr\n', errno: 'EAGAIN', reads: [7, -11] });
    expect(a.err).toContain('read failed (-EAGAIN)');
    const b = await runCli(['run', OBJ_PATH, '--prog', 'elems']);
    expect(b.code).toBe(2);
    expect(b.err).toContain('--iter-map NAME');
    const c = await runCli(['run', OBJ_PATH, '--prog', 'elems', '--iter-map', 'it_arr', '--json']);
    expect(c.code).toBe(0);
    expect((JSON.parse(c.out) as { iterator: { output: string } }).iterator.output).toBe('0: 0=0\n1: 1=0\n2: 2=0\nend it_arr seq_num=2\n');
  });
});
