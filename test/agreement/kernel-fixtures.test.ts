// Every case in test/fixtures/kernel/cases.json: ebpfvm's retval, data_out, ctx_out, refusal
// errno and map contents must equal what the host kernel recorded (scripts/record-kernel.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, comparable, readCases, runCase, type Recorded } from './harness.js';

const { packets, cases } = readCases();

describe('kernel agreement (committed fixtures)', () => {
  for (const c of cases) {
    const file = join(FIXTURES, `${c.name}.json`);
    it.skipIf(!existsSync(file))(`${c.name}: ${c.prog} in ${c.object}`, () => {
      const kernel = JSON.parse(readFileSync(file, 'utf8')) as Recorded;
      if (kernel.load_error) return; // the kernel could not load it: nothing to compare
      expect(comparable(runCase(c, packets))).toEqual(comparable(kernel));
    });
  }
});
