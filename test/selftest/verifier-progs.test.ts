// `ebpfvm test` over the annotated verifier programs in test/progs/verifier/ (issue 12's "Must
// show"): every test passes; only the unprivileged (@unpriv) runs may skip until unprivileged mode
// exists. Each object goes through the CLI's main(), as `ebpfvm test x.o --json` would.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { TestResult } from '../../src/selftest/runner.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const PROGS = join(ROOT, 'test/progs/verifier');
const objects = existsSync(PROGS) ? readdirSync(PROGS).filter((f) => f.endsWith('.o')).sort() : [];

async function testJson(file: string): Promise<{ code: number; results: TestResult[] }> {
  let out = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(['test', file, '--json']);
    return { code, results: (JSON.parse(out) as { results: TestResult[] }).results };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('ebpfvm test test/progs/verifier/*.o', () => {
  it(`finds the annotated verifier programs (${objects.length} objects so far)`, () => {
    // The harness lands them in batches; until the first one an empty directory is fine.
    expect(objects.every((f) => existsSync(join(PROGS, f.replace(/\.o$/, '.c'))))).toBe(true);
  });

  for (const f of objects) {
    it(f, async () => {
      const { code, results } = await testJson(join(PROGS, f));
      const bad = results.filter((r) => !(r.status === 'PASS' || (r.status === 'SKIP' && r.reason === 'unpriv: not yet')));
      expect(bad.map((r) => `${r.status} ${r.name}: ${r.reason}${r.log ? `\n${r.log}` : ''}`)).toEqual([]);
      expect(code).toBe(0);
    }, 120_000); // a program that explores loops can take the verifier a while on a loaded machine
  }
});
