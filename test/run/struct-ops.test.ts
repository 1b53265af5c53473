// struct_ops programs of bpf_dummy_ops (src/btf/builtin-struct-ops.ts, vm/test-run.ts
// runStructOps, maps/struct-ops.ts) against the host kernel: every case of
// test/fixtures/struct-ops/run_struct_ops.json (scripts/record-struct-ops.mjs: BPF_PROG_TEST_RUN
// with the u64 arguments, the first pointing at a state) replayed under both engines, verified
// and not: retval or errno, the state after the run (ebpfvm: data_in/data_out), the globals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runLoaded } from '../../src/test-run-api.js';
import { verifyProgram } from '../../src/verify.js';
import { TestRunInputError } from '../../vm/test-run.js';
import { PROGS, runCli } from '../loader/helpers.js';

interface Case {
  prog: string;
  state: string;
  args: string[];
  host: { retval?: number; errno?: string; state: string; bss: string };
}
const FX = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/struct-ops/run_struct_ops.json'), 'utf8')) as { cases: Case[] };
const OBJ_PATH = join(PROGS, 'run_struct_ops.o');
const OBJ = new Uint8Array(readFileSync(OBJ_PATH));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('struct_ops bpf_dummy_ops test runs: the host kernel cases', () => {
  it('has the cases', () => expect(FX.cases.length).toBeGreaterThanOrEqual(8));
  for (const c of FX.cases) {
    for (const engine of ['compiled', 'interpreter'] as const) {
      for (const verify of [true, false]) {
        it(`${c.prog} state ${c.state} args ${c.args.join(' ')} (${engine}${verify ? ', verified' : ''})`, () => {
          const runtime = new Runtime({ engine });
          const obj = load(runtime, openObject(OBJ, { name: 'run_struct_ops' }));
          // strtoull's view of the arguments, as the harness passes them
          const args = c.args.map((a) => BigInt.asUintN(64, BigInt(a)));
          const input = { args, ...(c.state !== '-' ? { data: Buffer.from(c.state, 'hex') } : {}) };
          if (c.host.errno) {
            expect(() => runLoaded(obj, c.prog, input, { verify })).toThrow(TestRunInputError);
            try {
              runLoaded(obj, c.prog, input, { verify });
            } catch (e) {
              expect((e as TestRunInputError).errno).toBe(c.host.errno);
            }
            return;
          }
          const r = runLoaded(obj, c.prog, input, { verify });
          expect(r.retval).toBe(c.host.retval);
          if (c.state !== '-') expect(hex(r.dataOut!)).toBe(c.host.state);
          expect(hex(obj.map('run_stru.bss').lookup(new Uint8Array(4))!)).toBe(c.host.bss);
        });
      }
    }
  }
});

describe('struct_ops: loading, verification and refusals', () => {
  it('the .struct_ops variable is a STRUCT_OPS map (unregistered: zeros; update refused as bpf_dummy_ops refuses it)', () => {
    const obj = load(new Runtime(), openObject(OBJ, { name: 'run_struct_ops' }));
    const m = obj.map('st_dummy');
    expect(m.lookup(new Uint8Array(4))).toEqual(new Uint8Array(m.valueSize));
    expect(m.update(new Uint8Array(4), new Uint8Array(m.valueSize))).toBe(-95);
    expect(obj.notes).toEqual([]);
  });
  it('the verifier: the state is a trusted pointer, NULL only for test_1; writes only to the state', () => {
    const obj = load(new Runtime(), openObject(OBJ, { name: 'run_struct_ops' }));
    for (const p of ['st_nullable', 'st_args', 'st_sleep']) expect(verifyProgram(obj, p).accepted, p).toBe(true);
  });
  it('the CLI runs them: --args, the state as --data, data_out', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    writeFileSync(join(dir, 'a.json'), '[1]');
    writeFileSync(join(dir, 's'), Buffer.from('2a000000', 'hex'));
    const r = await runCli(['run', OBJ_PATH, '--prog', 'st_nullable', '--args', join(dir, 'a.json'), '--data', join(dir, 's'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ retval: 42, data_out: '7f000000' });
  });
});
