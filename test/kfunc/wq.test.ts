// bpf_wq (helpers/wq.ts, verifier/wq.ts, src/clock.ts) against the host kernel: every scenario of
// test/fixtures/seq/kf_wq.json (recorded by scripts/record-seq.mjs from test/progs/kfunc/kf_wq.c:
// syscall programs queue work, a pause lets the kernel's worker run it, read programs return what
// the callbacks did) replayed on one loaded object, where the pause is an advance of the
// runtime's clock; under both engines, verified and not. Then what the host cannot show: work runs
// only when user space advances the clock, freed work never runs, the CLI reports it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runLoaded } from '../../src/test-run-api.js';
import { verifyProgram } from '../../src/verify.js';
import { workQueue } from '../../helpers/wq.js';
import { PROGS, runCli } from '../loader/helpers.js';

interface Step {
  prog: string;
  data?: string;
  result: { retval?: number; errno?: string };
}
const FX = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/seq/kf_wq.json'), 'utf8')) as { scenarios: { name: string; steps: Step[] }[] };
const OBJ_PATH = join(PROGS, 'kfunc', 'kf_wq.o');
const OBJ = new Uint8Array(readFileSync(OBJ_PATH));

function fresh(engine: 'compiled' | 'interpreter' = 'compiled') {
  const runtime = new Runtime({ ncpus: 1, cpu: 0, engine, clock: 'virtual' });
  return { runtime, obj: load(runtime, openObject(OBJ)) };
}

describe('bpf_wq: the host kernel scenarios (kf_wq.c)', () => {
  expect(FX.scenarios.length).toBeGreaterThanOrEqual(4);
  for (const s of FX.scenarios) {
    for (const engine of ['compiled', 'interpreter'] as const) {
      for (const verify of [true, false]) {
        it(`${s.name} (${engine}${verify ? ', verified' : ''})`, () => {
          const { runtime, obj } = fresh(engine);
          s.steps.forEach((st, i) => {
            if (st.prog === '@sleep') {
              runtime.clock.advance(BigInt(st.data!) * 1_000_000n);
              return;
            }
            const r = runLoaded(obj, st.prog, {}, { verify });
            expect({ retval: r.retval, data_out: r.dataOut ? Buffer.from(r.dataOut).toString('hex') : null }, `step ${i}: ${st.prog}`).toEqual(st.result);
          });
        });
      }
    }
  }
});

describe('bpf_wq: the runtime', () => {
  it('queued work runs when user space advances the clock, once, with (map, key, value)', () => {
    const { runtime, obj } = fresh();
    runLoaded(obj, 'errors_init', {}, { verify: true });
    runLoaded(obj, 'errors_start', {}, { verify: true });
    expect(workQueue(runtime.helperEnv).pendingCount()).toBe(1);
    // nothing has run yet: counter, key and ran are 0
    expect(runLoaded(obj, 'read_arr', {}, { verify: true }).retval).toBe(0);
    const a = runtime.clock.advance(0);
    expect(a.fired.map((f) => [f.kind, f.map, Buffer.from(f.key).toString('hex'), f.r0])).toEqual([['wq', 'warr', '00000000', 0n]]);
    expect(runLoaded(obj, 'read_arr', {}, { verify: true }).retval).toBe(1 | (1 << 8) | (100 << 20));
    expect(runtime.clock.advance(1_000_000).fired).toEqual([]);
  });

  it('a self-requeueing callback runs again in the same advance, after the work before it', () => {
    const { runtime, obj } = fresh();
    runLoaded(obj, 'arm_again', {}, { verify: true });
    runLoaded(obj, 'errors_init', {}, { verify: true });
    runLoaded(obj, 'errors_start', {}, { verify: true });
    const keys = runtime.clock.advance(0).fired.map((f) => Buffer.from(f.key).readUInt32LE(0));
    expect(keys).toEqual([2, 0, 2, 2]);
  });

  it('work freed with its element never runs; the element may be used again', () => {
    const { runtime, obj } = fresh();
    expect(runLoaded(obj, 'arm_hash', {}, { verify: true }).retval).toBe(0);
    expect(workQueue(runtime.helperEnv).all().map((w) => w.map.name)).toEqual(['whash']);
    obj.map('whash').delete(Uint8Array.of(2, 0, 0, 0));
    expect(runtime.clock.advance(0).fired).toEqual([]);
    expect(workQueue(runtime.helperEnv).all()).toEqual([]);
    // again from scratch: init works on the new element (no -EBUSY left behind)
    expect(runLoaded(obj, 'arm_hash', {}, { verify: true }).retval).toBe(0);
    expect(runtime.clock.advance(0).fired).toHaveLength(1);
  });

  it('a program that is not sleepable cannot set a callback (Linux 6.18)', () => {
    // The host's refusal of such a program (recorded for the first version of
    // test/progs/verifier/wq.c, whose tc programs set callbacks): errno EPERM and these two lines,
    // the second naming the kfunc's BTF id (the host's 65542, ebpfvm's built-in BTF has another).
    const runtime = new Runtime();
    const obj = load(runtime, openObject(OBJ), { programs: ['tc_set_callback'] });
    const r = verifyProgram(obj, 'tc_set_callback', { logLevel: 1 });
    expect(r.accepted).toBe(false);
    expect(r.log).toMatch(/sleepable callback in a program that is not sleepable\nkfunc bpf_wq_set_callback_impl#\d+ failed callback verification\n/);
  });

  it('the CLI runs queued work on --advance-ns and labels it', async () => {
    const r = await runCli(['run', OBJ_PATH, '--prog', 'arm_again', '--advance-ns', '0']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/3 callbacks fired/);
    expect(r.out.match(/bpf_wq work of warr key 02000000/g)).toHaveLength(3);
  });
});
