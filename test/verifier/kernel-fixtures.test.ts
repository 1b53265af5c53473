// The annotated verifier programs of test/progs/verifier/ against the host kernel's recorded
// verdicts (test/fixtures/verifier-kernel/, recorded by the harness): same verdict, and for a
// rejection the same error line (the log's last line before `processed ...`). Objects ebpfvm's
// loader refuses before verification (an unsupported helper, a jump out of range caught by the
// decoder) are left to the loader's own tests.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime, load, openObject } from '../../src/index.js';
import { verifyProgram } from '../../src/verify.js';

const ROOT = join(import.meta.dirname, '../..');
const DIR = join(ROOT, 'test/fixtures/verifier-kernel');
interface Fixture {
  object: string;
  programs: Record<string, { loaded: boolean; log: string }>;
}

/** The kernel's error line: the last line before the statistics (a line the kernel printed without
 *  its newline, as `expected prog array map for tail call`, runs on into `processed ...`). */
function kernelError(log: string): string {
  const lines = log.split('\n').filter((l) => l && !l.startsWith('processed ') && !l.startsWith('verification time') && !l.startsWith('stack depth'));
  return (lines.at(-1) ?? '').replace(/processed \d+ insns \(limit .*$/, '');
}

describe('verifier against the kernel on the annotated programs', () => {
  let checked = 0;
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
    const fx = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Fixture;
    it(fx.object, () => {
      let obj;
      try {
        obj = load(new Runtime(), openObject(new Uint8Array(readFileSync(join(ROOT, fx.object)))));
      } catch {
        return;
      }
      for (const [name, k] of Object.entries(fx.programs)) {
        if (name.includes('@') || !obj.programs.has(name)) continue;
        // The 1M-instruction programs are the bench's and rules.test's business: too slow here.
        if (Number(/processed (\d+) insns/.exec(k.log)?.[1] ?? 0) > 100_000) continue;
        const r = verifyProgram(obj, name, { logLevel: 1 });
        expect(r.accepted ? 'accepted' : `rejected: ${r.error}`, name).toBe(k.loaded ? 'accepted' : `rejected: ${kernelError(k.log)}`);
        checked++;
      }
    }, 120_000);
  }
  it('covered the annotated programs', () => {
    expect(checked).toBeGreaterThan(200);
  });
});
