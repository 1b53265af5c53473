// `ebpfvm test` over the annotated verifier programs in test/progs/verifier/ (issue 12's "Must
// show"): every test passes, the unprivileged (@unpriv) runs too; the tests listed in
// verifier-known-failures.txt (verifier gaps, like the kernel selftests' DENYLIST) may fail, but a listed test that passes fails here so the list only shrinks.
// Each object goes through the CLI's main(), as `ebpfvm test x.o --json` would.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestResult } from '../../src/selftest/runner.js';
import { testJson } from './helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const PROGS = join(ROOT, 'test/progs/verifier');
const objects = existsSync(PROGS) ? readdirSync(PROGS).filter((f) => f.endsWith('.o')).sort() : [];
const KNOWN = new Set(
  readFileSync(join(ROOT, 'test/selftest/verifier-known-failures.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean),
);

afterEach(() => vi.restoreAllMocks());

describe('ebpfvm test test/progs/verifier/*.o', () => {
  it(`finds the annotated verifier programs (${objects.length} objects so far)`, () => {
    // The harness lands them in batches; until the first one an empty directory is fine.
    expect(objects.every((f) => existsSync(join(PROGS, f.replace(/\.o$/, '.c'))))).toBe(true);
    // every known failure names an object that exists
    expect([...KNOWN].filter((k) => !objects.includes(`${k.split('/')[0]}.o`))).toEqual([]);
  });

  for (const f of objects) {
    it(f, async () => {
      const { code, results } = await testJson(join(PROGS, f));
      const notPassing = (r: TestResult) => r.status !== 'PASS';
      const key = (r: TestResult) => `${r.object}/${r.program}`;
      const bad = results.filter((r) => notPassing(r) && !KNOWN.has(key(r)));
      expect(bad.map((r) => `${r.status} ${key(r)} (${r.name}): ${r.reason}${r.log ? `\n${r.log}` : ''}`)).toEqual([]);
      const fixed = results.filter((r) => !notPassing(r) && r.mode === 'priv' && KNOWN.has(key(r)));
      expect(fixed.map((r) => `${key(r)} passes now: remove it from verifier-known-failures.txt`)).toEqual([]);
      expect(code).toBe(results.some((r) => r.status === 'FAIL') ? 1 : 0);
    }, 300_000); // loops_exit takes ~40 s of CPU in the verifier (minutes of wall time on a loaded machine)
  }
});
