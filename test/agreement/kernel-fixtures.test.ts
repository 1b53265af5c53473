// Every case in test/fixtures/kernel/cases.json: ebpfvm's retval, data_out, ctx_out, refusal
// errno and map contents must equal what the host kernel recorded (scripts/record-kernel.mjs).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VmFault } from '../../src/errors.js';
import { FIXTURES, comparable, readCases, runCase, type Recorded } from './harness.js';

const { packets, cases } = readCases();

describe('kernel agreement (committed fixtures)', () => {
  it('there is one recorded fixture per case, and no fixture without a case', () => {
    const names = cases.map((c) => c.name);
    expect(new Set(names).size, 'case names in cases.json are unique').toBe(names.length);
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && f !== 'cases.json');
    expect(files.length, 'fixture files in test/fixtures/kernel').toBe(cases.length);
    expect(files.map((f) => f.slice(0, -'.json'.length)).sort()).toEqual([...names].sort());
  });

  for (const c of cases) {
    const file = join(FIXTURES, `${c.name}.json`);
    it(`${c.name}: ${c.prog} in ${c.object}`, () => {
      // A missing fixture is a failure, not a skip: record it with `npm run record:kernel`.
      expect(existsSync(file), `${file} is missing (record it with npm run record:kernel)`).toBe(true);
      const kernel = JSON.parse(readFileSync(file, 'utf8')) as Recorded;
      if (kernel.load_error) {
        // The kernel would not load it. Cases marked kernel_refuses must then fault on ebpfvm
        // (unverified, until the verifier refuses them at load); others have nothing to compare.
        if (c.kernel_refuses) expect(() => runCase(c, packets)).toThrow(VmFault);
        return;
      }
      expect(c.kernel_refuses, 'the kernel loaded a case marked kernel_refuses').toBeFalsy();
      const ours = runCase(c, packets);
      for (const m of c.ignore_maps ?? []) {
        delete ours.maps?.[m];
        delete kernel.maps?.[m];
      }
      expect(comparable(ours)).toEqual(comparable(kernel));
    });
  }
});
