// ebpfvm's own test objects that libbpf 1.1 (bpftool, scripts/record-kernel.mjs) cannot load, run
// against the host kernel's results recorded with the 6.12 tree's libbpf by
// `node scripts/kernel-progs.mjs --record-object X.o` (test/fixtures/kernel-progs-local): each
// program on a fresh load per input, under both engines, must give the kernel's retval, data_out,
// errno, and (syscall) the context written back.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { testRun, TestRunInputError } from '../../src/test-run-api.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DIR = join(ROOT, 'test/fixtures/kernel-progs-local');

type Run = { retval?: number; data_out?: string | null; ctx_out?: string; errno?: string };
interface Fixture {
  source: string;
  inputs: Record<string, [string, string | null, string | null][]>;
  programs: Record<string, { kind: string; load_errno?: string; runs?: Record<string, Run> }>;
}

function runHere(obj: string, prog: string, kind: string, data: string | null, ctx: string | null, engine: 'compiled' | 'interpreter'): Run {
  const runtime = new Runtime({ ncpus: 2, cpu: 0, engine });
  const loaded = load(runtime, openObject(new Uint8Array(readFileSync(join(ROOT, obj)))), { programs: [prog] });
  const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
  try {
    const r = testRun(runtime, loaded.program(prog).program, {
      cpu: 0,
      ...(data !== null ? { data: hex(data) } : {}),
      ...(kind === 'raw_tp' ? { args: new Array(12).fill(0n) } : ctx !== null ? { ctx: hex(ctx) } : {}),
    });
    const out: Run = { retval: r.retval, data_out: r.dataOut ? Buffer.from(r.dataOut).toString('hex') : null };
    if (r.ctxOut) out.ctx_out = Buffer.from(r.ctxOut).toString('hex');
    return out;
  } catch (e) {
    if (e instanceof TestRunInputError) return { errno: e.errno };
    throw e;
  }
}

for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
  const fx = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Fixture;
  const obj = fx.source.replace(/\.c$/, '.o');
  describe(`host kernel vs ebpfvm: ${obj}`, () => {
    for (const [prog, k] of Object.entries(fx.programs)) {
      if (k.load_errno) continue;
      for (const engine of ['compiled', 'interpreter'] as const) {
        it(`${prog} (${engine})`, () => {
          for (const [input, data, ctx] of fx.inputs[k.kind]!) {
            const want = { ...k.runs![input]! };
            if (want.data_out === '=data_in') want.data_out = data;
            const got = runHere(obj, prog, k.kind, data, ctx, engine);
            if (want.ctx_out === undefined) delete got.ctx_out;
            expect(got, `${prog} on ${input}`).toEqual(want);
          }
        });
      }
    }
  });
}
