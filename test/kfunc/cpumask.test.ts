// The bpf_cpumask kfuncs (helpers/cpumask.ts, verifier/kobj.ts): test/progs/kfunc/kf_cpumask.c's
// checks, which the host kernel passes (test/fixtures/kernel-progs-local/kf_cpumask.json; its
// 2-CPU results are diffed by test/agreement/kernel-progs-local.test.ts), hold on runtimes of other
// CPU counts too, under both engines, with the exact nr_cpu_ids, set-all word and any_distribute
// picks the kernel's algorithms give; references are given back (the map value's dtor included);
// hostile uses (test/progs/kfunc/kf_cpumask_bad.c) are refused by the verifier and fault when run
// unverified, never corrupting a mask or a count.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { runLoaded } from '../../src/test-run-api.js';
import { VerifierError } from '../../src/errors.js';
import { CpumaskTable, MAX_CPUMASKS, cpumaskImpls, cpumaskTable } from '../../helpers/cpumask.js';
import type { HelperCall } from '../../helpers/types.js';
import { PROGS } from '../loader/helpers.js';

const bytes = (name: string) => new Uint8Array(readFileSync(join(PROGS, 'kfunc', `${name}.o`)));
const HOST = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/kernel-progs-local/kf_cpumask.json'), 'utf8')) as { programs: Record<string, { runs: Record<string, { retval: number }> }> };
const ENGINES = ['interpreter', 'compiled'] as const;

function loadIn(ncpus: number, engine: (typeof ENGINES)[number], name = 'kf_cpumask') {
  const rt = new Runtime({ ncpus, cpu: 0, engine });
  return { rt, obj: load(rt, openObject(bytes(name), { name })) };
}

describe('bpf_cpumask kfuncs', () => {
  for (const engine of ENGINES) {
    it(`kf_cpumask.c: the host kernel's results on 1 to 8192 CPUs, nr_cpu_ids and the picks exact (${engine})`, () => {
      for (const ncpus of [1, 2, 3, 63, 64, 65, 130, 8192]) {
        const { rt, obj } = loadIn(ncpus, engine);
        for (const [prog, rec] of Object.entries(HOST.programs)) {
          for (const verify of [true, false]) {
            const r = runLoaded(obj, prog, {}, { verify });
            expect(r.retval, `${prog} on ${ncpus} CPUs${verify ? ', verified' : ''}`).toBe(rec.runs.no_ctx!.retval);
          }
        }
        const bss = new DataView(obj.map('kf_cpuma.bss').lookup(new Uint8Array(4))!.buffer);
        expect(bss.getBigUint64(0, true), 'nr_cpu_ids').toBe(BigInt(ncpus));
        // bitmap_fill sets whole words: the first word is all ones whatever nr_cpu_ids is
        expect(bss.getBigUint64(8, true)).toBe(0xffff_ffff_ffff_ffffn);
        // distribute_cpu_mask_prev starts at 0 (the first pick skips CPU 0); two runs of 4 picks
        // plus an any_and pick each: the second run's picks go on from the first's
        const picks = [0, 1, 2, 3].map((i) => Number(bss.getBigUint64(16 + 8 * i, true)));
        expect(picks, `picks on ${ncpus} CPUs`).toEqual([0, 1, 2, 3].map((i) => (1 + 5 + i) % ncpus));
        // every mask was released; stash_leave's mask stays in the map until its element goes
        const table = cpumaskTable(rt.helperEnv);
        expect(table.live()).toBe(1);
        obj.map('masks').update(new Uint8Array(4), new Uint8Array(8));
        expect(table.live()).toBe(0);
      }
    });
  }

  it('hostile programs: the verifier refuses each with the kernel\'s message', () => {
    const { obj } = loadIn(2, 'interpreter', 'kf_cpumask_bad');
    const refused: Record<string, RegExp> = {
      double_release: /R1 must be referenced or trusted/,
      null_arg: /Possibly NULL pointer passed to trusted arg0/,
      write_task_mask: /bpf_cpumask_set_cpu args#1 expected pointer to STRUCT bpf_cpumask but R2 has a pointer to STRUCT cpumask/,
      forged: /R1 type=scalar expected=fp|R1 must be referenced or trusted/,
      leak: /reference leak/,
    };
    for (const [prog, msg] of Object.entries(refused)) {
      expect(() => runLoaded(obj, prog, {}, { verify: true }), prog).toThrow(VerifierError);
      expect(() => runLoaded(obj, prog, {}, { verify: true }), prog).toThrow(msg);
    }
  });

  for (const engine of ENGINES) {
    it(`hostile programs run unverified fault naming the kfunc and the pointer, counts intact (${engine})`, () => {
      const { rt, obj } = loadIn(2, engine, 'kf_cpumask_bad');
      const table = cpumaskTable(rt.helperEnv);
      expect(() => runLoaded(obj, 'double_release', {})).toThrow(/bpf_cpumask_release: 0xffff888400000000 is not a live struct bpf_cpumask/);
      expect(table.live()).toBe(0);
      expect(() => runLoaded(obj, 'null_arg', {})).toThrow(/bpf_cpumask_weight: NULL is not a struct cpumask in kernel memory/);
      expect(() => runLoaded(obj, 'write_task_mask', {})).toThrow(/bpf_cpumask_set_cpu: 0xffff888000100[0-9a-f]+ is not a struct bpf_cpumask this runtime made/);
      const ctx = new Uint8Array(8);
      new DataView(ctx.buffer).setBigUint64(0, 0xffff888400000000n + 1040n * 5n, true);
      expect(() => runLoaded(obj, 'forged', { ctx })).toThrow(/bpf_cpumask_clear: 0xffff888400001450 is not a struct bpf_cpumask this runtime made/);
      new DataView(ctx.buffer).setBigUint64(0, 0x1000n, true);
      expect(() => runLoaded(obj, 'forged', { ctx })).toThrow(/bpf_cpumask_clear: 0x1000 is not a struct bpf_cpumask/);
      // a leak is visible in the table (a verified program cannot leak)
      expect(runLoaded(obj, 'leak', {}).retval).toBe(1);
      expect(table.live()).toBe(1);
    });
  }

  it('a freed mask is not reused in the run that freed it nor the next: an rcu pointer to it stays the old mask', () => {
    const rt = new Runtime({ ncpus: 4 });
    let state = new Map<string, unknown>();
    const call = (...args: bigint[]) => ({ u64: (i: number) => args[i - 1] ?? 0n, u32: (i: number) => Number(BigInt.asUintN(32, args[i - 1] ?? 0n)), env: rt.helperEnv, state, cpu: 0 }) as Partial<HelperCall> as HelperCall;
    const newRun = () => (state = new Map());
    const a = BigInt(cpumaskImpls.create(call()));
    cpumaskImpls.setCpu(call(2n, a));
    cpumaskImpls.release(call(a));
    // still the freed mask's bits, and writable, in this run
    expect(cpumaskImpls.testCpu(call(2n, a))).toBe(1);
    cpumaskImpls.setCpu(call(3n, a));
    const b = BigInt(cpumaskImpls.create(call()));
    expect(b).not.toBe(a);
    cpumaskImpls.release(call(b));
    newRun();
    const c = BigInt(cpumaskImpls.create(call()));
    expect([a, b]).not.toContain(c);
    newRun();
    // two runs later a's slot is reused, zeroed
    const d = BigInt(cpumaskImpls.create(call()));
    expect([a, b]).toContain(d);
    expect(cpumaskImpls.empty(call(d))).toBe(1);
    expect(rt.kmem.read(d + 1024n, 4)).toEqual(new Uint8Array([1, 0, 0, 0]));
    // a slot back on the free list is no mask: writes fault
    const other = d === a ? b : a;
    expect(() => cpumaskImpls.setCpu(call(0n, other))).toThrow(/is not a struct bpf_cpumask this runtime made/);
  });

  it(`at most ${MAX_CPUMASKS} live masks: more creates return NULL, as an allocator out of memory`, () => {
    const rt = new Runtime({ ncpus: 1 });
    const t = new CpumaskTable(rt.helperEnv);
    for (let i = 0; i < MAX_CPUMASKS; i++) expect(t.create()).not.toBe(0n);
    expect(t.create()).toBe(0n);
    expect(t.live()).toBe(MAX_CPUMASKS);
  });
});
