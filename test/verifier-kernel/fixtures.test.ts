// The committed kernel fixtures of the annotated verifier corpus (test/progs/verifier, recorded by
// scripts/record-verifier.mjs through the kernel-side harness) cover every object and every
// program in it, in the format the verifier interfaces define (§3). A program added without
// re-recording, or a fixture whose verdict and log disagree, fails here.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openObjectFile } from '../../src/index.js';

const ROOT = join(import.meta.dirname, '../..');
const PROGS = join(ROOT, 'test/progs/verifier');
const FIXTURES = join(ROOT, 'test/fixtures/verifier-kernel');

interface KernelRun {
  loaded: boolean; errno: number; logLevel: number; log: string; retval: number | null; dataOut: string | null;
}
interface Fixture { kernel: string; object: string; programs: Record<string, KernelRun> }

const objects = readdirSync(PROGS).filter((f) => f.endsWith('.o')).map((f) => f.slice(0, -2)).sort();

describe('verifier corpus kernel fixtures', () => {
  it('the corpus holds the programs issue 12 asks for', () => {
    const total = objects.reduce((n, name) => n + openObjectFile(join(PROGS, `${name}.o`)).programs.size, 0);
    expect(total).toBeGreaterThanOrEqual(250);
  });

  for (const name of objects) {
    it(`${name}: one kernel record per program`, () => {
      const path = join(FIXTURES, `${name}.json`);
      expect(existsSync(path), `${path} missing: run npm run record:verifier`).toBe(true);
      const fx = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
      expect(fx.object).toBe(`test/progs/verifier/${name}.o`);
      expect(fx.kernel).toMatch(/^\d+\.\d+/);
      const progs = [...openObjectFile(join(PROGS, `${name}.o`)).programs.keys()].sort();
      expect(Object.keys(fx.programs).filter((p) => !p.endsWith(' @unpriv')).sort()).toEqual(progs);
      for (const [prog, r] of Object.entries(fx.programs)) {
        // verdict, errno and log agree with each other
        expect(r.loaded, prog).toBe(r.errno === 0);
        expect(r.log.length === 0 || r.log.includes('processed '), `${prog}: log without the processed line`).toBe(true);
        if (!r.loaded) {
          expect(r.logLevel, prog).toBeGreaterThanOrEqual(1);
          expect(r.retval, prog).toBeNull();
        }
        if (r.dataOut !== null) expect(r.dataOut, prog).toMatch(/^([0-9a-f]{2})*$/);
      }
    });
  }
});
