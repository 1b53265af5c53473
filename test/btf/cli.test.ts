// `ebpfvm btf dump x.o [--format raw|c]` prints exactly what bpftool prints for the same object.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROGS, runCli } from '../loader/helpers.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const hasBpftool = (() => {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('ebpfvm btf dump', () => {
  for (const name of ['ld_btf_kinds', 'ld_kconfig']) {
    it(`${name}: raw format equals the committed bpftool golden`, async () => {
      const r = await runCli(['btf', 'dump', join(PROGS, `${name}.o`)]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(readFileSync(join(GOLDEN, `${name}.raw.txt`), 'utf8'));
    });
  }

  it.skipIf(!hasBpftool)('every loader test object, raw and c, equals the installed bpftool', async () => {
    for (const f of readdirSync(PROGS).filter((x) => x.startsWith('ld_') && x.endsWith('.o') && x !== 'ld_nobtf.o')) {
      for (const format of ['raw', 'c']) {
        const want = execFileSync('bpftool', ['btf', 'dump', 'file', join(PROGS, f), 'format', format], { encoding: 'utf8' });
        const got = await runCli(['btf', 'dump', join(PROGS, f), '--format', format]);
        expect(got.out, `${f} ${format}`).toBe(want);
      }
    }
  });

  it('bad usage and missing BTF exit 2', async () => {
    const nobtf = await runCli(['btf', 'dump', join(PROGS, 'ld_nobtf.o')]);
    expect(nobtf.code).toBe(2);
    expect(nobtf.err).toMatch(/ld_nobtf\.o: object has no \.BTF section/);
    expect((await runCli(['btf', 'dump', join(PROGS, 'ld_globals.o'), '--format', 'json'])).code).toBe(2);
    // --builtin works now (test/btf/builtin-cli.test.ts); with an object too it is bad usage.
    expect((await runCli(['btf', 'dump', join(PROGS, 'ld_globals.o'), '--builtin'])).code).toBe(2);
  });
});
