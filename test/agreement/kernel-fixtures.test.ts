// Every case in test/fixtures/kernel/cases.json: ebpfvm's retval, data_out, ctx_out, refusal
// errno and map contents must equal what the host kernel recorded (scripts/record-kernel.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VmFault } from '../../src/errors.js';
import { FIXTURES, comparable, readCases, runCase, type Recorded } from './harness.js';

const { packets, cases } = readCases();

describe('kernel agreement (committed fixtures)', () => {
  for (const c of cases) {
    const file = join(FIXTURES, `${c.name}.json`);
    it.skipIf(!existsSync(file))(`${c.name}: ${c.prog} in ${c.object}`, () => {
      const kernel = JSON.parse(readFileSync(file, 'utf8')) as Recorded;
      if (kernel.load_error) {
        // The kernel would not load it. Cases marked kernel_refuses must then fault on ebpfvm
        // (unverified, until the verifier refuses them at load); others have nothing to compare.
        if (c.kernel_refuses) expect(() => runCase(c, packets)).toThrow(VmFault);
        return;
      }
      expect(c.kernel_refuses, 'the kernel loaded a case marked kernel_refuses').toBeFalsy();
      expect(comparable(runCase(c, packets))).toEqual(comparable(kernel));
    });
  }
});
