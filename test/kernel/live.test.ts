// The live kernel comparison (`npm run test:kernel`): re-records every case of
// test/fixtures/kernel/cases.json on the host kernel into a temp dir and diffs ebpfvm against
// it. Skips (with the reason) where BPF test runs are impossible: not root, no bpffs, no bpftool.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, comparable, readCases, runCase, type Recorded } from '../agreement/harness.js';

const out = mkdtempSync(join(tmpdir(), 'ebpfvm-kernel-'));
const rec = spawnSync('node', [join(ROOT, 'scripts/record-kernel.mjs'), '--out', out, '--require'], { encoding: 'utf8' });
const skipped = rec.status === 3 ? rec.stdout.trim() : undefined;
const { packets, cases } = readCases();

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(skipped !== undefined)(`live kernel agreement${skipped ? ` (${skipped})` : ''}`, () => {
  it('recorder ran', () => {
    expect(rec.status, rec.stderr).toBe(0);
  });
  for (const c of cases) {
    it(`${c.name}: ebpfvm matches the live kernel`, () => {
      const live = JSON.parse(readFileSync(join(out, `${c.name}.json`), 'utf8')) as Recorded;
      if (live.load_error) return;
      expect(comparable(runCase(c, packets))).toEqual(comparable(live));
    });
    it(`${c.name}: the committed fixture is still what the kernel does`, () => {
      const file = join(FIXTURES, `${c.name}.json`);
      if (!existsSync(file)) return; // new case: run `npm run record:kernel` to commit it
      const live = JSON.parse(readFileSync(join(out, `${c.name}.json`), 'utf8')) as Recorded;
      expect(comparable(live)).toEqual(comparable(JSON.parse(readFileSync(file, 'utf8')) as Recorded));
    });
  }
});
