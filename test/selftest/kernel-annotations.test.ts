// Every annotation of every program in test/progs/verifier/ must hold for the host kernel too:
// checked against the verifier logs, verdicts and retvals the harness recorded from the kernel in
// test/fixtures/verifier-kernel/<object>.json (interfaces.md section 3). An annotation the kernel
// does not satisfy fails here, so ebpfvm cannot pass a test the kernel would fail. A missing
// fixture fails, and the fixtures must cover exactly the objects and test programs there are.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openObject } from '../../src/loader/open.js';
import { checkMessages, describeMsgCheck, parseTestSpec, POINTER_VALUE, type SubSpec } from '../../src/selftest/annotations.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const PROGS = join(ROOT, 'test/progs/verifier');
const FIXTURES = join(ROOT, 'test/fixtures/verifier-kernel');

interface KernelRecord {
  loaded: boolean;
  errno: number;
  logLevel: number;
  log: string;
  retval: number | null;
  dataOut: string | null;
}

interface KernelFixture {
  kernel: string;
  object: string;
  programs: Record<string, KernelRecord>;
}

const list = (dir: string, ext: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length)).sort() : []);
const objects = list(PROGS, '.o');

/** Problems of one recorded kernel result against one subspec ([] when the kernel satisfies it). */
export function kernelProblems(rec: KernelRecord, sub: SubSpec): string[] {
  const out: string[] = [];
  if (rec.loaded === sub.expectFailure) out.push(sub.expectFailure ? 'the kernel loaded it (annotated __failure)' : `the kernel rejected it (errno ${rec.errno}; annotated __success)`);
  const check = checkMessages(rec.log, sub.msgs);
  if (!check.ok) out.push(describeMsgCheck(check));
  if (sub.execute && !sub.expectFailure && rec.loaded && sub.retval !== POINTER_VALUE) {
    if (rec.retval === null) out.push('the kernel did not run it (annotated __retval)');
    else if ((rec.retval | 0) !== sub.retval) out.push(`kernel retval ${rec.retval | 0} != __retval ${sub.retval}`);
  }
  return out;
}

describe('test/progs/verifier annotations hold on the host kernel (recorded fixtures)', () => {
  it('there is one fixture per object and no fixture without an object', () => {
    expect(list(FIXTURES, '.json')).toEqual(objects);
  });

  for (const name of objects) {
    describe(name, () => {
      const spec = openObject(new Uint8Array(readFileSync(join(PROGS, `${name}.o`))), { name });
      const tests = [...spec.programs.keys()].map((p) => parseTestSpec(spec.btf!, p)).filter((s) => !s.auxiliary);
      const fixturePath = join(FIXTURES, `${name}.json`);
      const fixture = existsSync(fixturePath) ? (JSON.parse(readFileSync(fixturePath, 'utf8')) as KernelFixture) : undefined;

      it('has a fixture recording every test program, and only programs of this object', () => {
        expect(fixture, `missing ${fixturePath} (record it with the harness)`).toBeDefined();
        const recorded = Object.keys(fixture!.programs).filter((k) => !k.endsWith(' @unpriv'));
        expect(recorded.filter((k) => !spec.programs.has(k)), 'fixture entries for programs the object lacks').toEqual([]);
        expect(recorded.filter((k) => tests.some((t) => t.progName === k)).sort()).toEqual(tests.filter((t) => t.priv).map((t) => t.progName).sort());
      });

      for (const t of tests) {
        it(`${t.progName}: the kernel satisfies its annotations`, () => {
          expect(fixture, `missing ${fixturePath}`).toBeDefined();
          if (t.priv) {
            const rec = fixture!.programs[t.progName];
            expect(rec, `no kernel record for ${t.progName}`).toBeDefined();
            expect(kernelProblems(rec!, t.priv)).toEqual([]);
          }
          // Unprivileged runs are recorded where the host allows unprivileged BPF.
          const unpriv = fixture!.programs[`${t.progName} @unpriv`];
          if (t.unpriv && unpriv) expect(kernelProblems(unpriv, t.unpriv)).toEqual([]);
        });
      }
    });
  }
});
