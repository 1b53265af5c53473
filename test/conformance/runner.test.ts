// scripts/conformance-run.mjs, the stand-in for bpf_conformance's C++ runner, on a directory of
// small files written here (never upstream's: those are not in this repository). It checks the
// parsing rules that decide what the upstream figure counts: comments are stripped before a line
// is read as a directive, an unknown directive skips the file, a result wider than 64 bits makes
// the file unusable, a test above --cpu_version is skipped, and a missing directory is reported
// plainly. Needs `tsc` first (npm test runs it), like the other conformance tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLUGIN } from './spawn.js';

const RUNNER = join(dirname(fileURLToPath(import.meta.url)), '../../scripts/conformance-run.mjs');

const FILES: Record<string, string> = {
  'pass.data': '-- asm\nmov %r0, 5\nexit\n-- result\n0x5\n',
  'wrong-result.data': '-- asm\nmov %r0, 5\nexit\n-- result\n0x6\n',
  // bpf_test_parser.cc strips `#` comments first: this `--` inside a comment is not a directive
  'comment-dashes.data': '# -- map here\n-- asm\nmov %r0, 1 # trailing comment\nexit\n-- result\n0x1\n',
  'map-directive.data': '-- map\narray_map 2 4 4 10\n-- asm\nmov %r0, 0\nexit\n-- result\n0x0\n',
  'wide-result.data': '-- asm\nmov %r0, 0\nexit\n-- result\n0x1ffffffffffffffff\n',
  'no-result.data': '-- asm\nmov %r0, 0\nexit\n',
  'v4-bswap.data': '-- asm\nlddw %r0, 0x1122\nbswap16 %r0\nexit\n-- result\n0x2211\n',
  'error-expected.data': '-- asm\nmov %r0, 1\n-- error\nthis text is not what the plugin prints\n',
};

function run(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!existsSync(PLUGIN))('scripts/conformance-run.mjs', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ebpfvm-conf-run-'));
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('classifies each file as the C++ runner would and counts them', () => {
    const r = run([dir, '--verbose']);
    const line = (f: string): string => r.out.split('\n').find((l) => l.includes(` ${f}`)) ?? '';
    expect(line('pass.data')).toMatch(/^PASS/);
    expect(line('comment-dashes.data')).toMatch(/^PASS/);
    expect(line('v4-bswap.data')).toMatch(/^PASS/);
    expect(line('wrong-result.data')).toBe('FAIL wrong-result.data: returned 0x5, expected 0x6');
    expect(line('map-directive.data')).toBe("SKIP map-directive.data: unknown directive '-- map'");
    expect(line('no-result.data')).toBe('SKIP no-result.data: no result or error');
    expect(line('wide-result.data')).toMatch(/^FAIL wide-result\.data: unusable test file .*does not fit in 64 bits/);
    expect(line('error-expected.data')).toMatch(/^FAIL error-expected\.data: plugin exited 1 with '.+', expected 'this text is not what the plugin prints'$/);
    expect(r.out).toContain('3/6 passed, 3 failed, 2 skipped (cpu v4)');
    expect(r.code).toBe(1);
  });

  it('skips a v4 instruction when the cpu version is lower', () => {
    const r = run([dir, '--cpu_version', 'v3', '--verbose']);
    expect(r.out).toContain('SKIP v4-bswap.data: needs v4');
    expect(r.out).toContain('2/5 passed, 3 failed, 3 skipped (cpu v3)');
  });

  it('passes --plugin_options to the plugin after MEMHEX, as the runner does', () => {
    const compiled = run([dir, '--plugin_options', '--engine compiled']);
    expect(compiled.out).toContain('3/6 passed, 3 failed, 2 skipped (cpu v4)');
    const bogus = run([dir, '--plugin_options', '--engine bogus']);
    expect(bogus.out).toContain("FAIL pass.data: plugin exited 2: unsupported engine 'bogus'");
  });

  it('reports a missing or empty directory instead of throwing', () => {
    const missing = run([join(dir, 'not-there')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no such directory');
    expect(missing.err).not.toMatch(/ENOENT|at \w+ \(/);
    const empty = mkdtempSync(join(tmpdir(), 'ebpfvm-conf-empty-'));
    try {
      const r = run([empty]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('no .data files');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

// --kernel loads each file without input memory or calls into the host kernel (needs root; run with
// EBPFVM_KERNEL=1 like test/kernel) and compares the low 32 bits of r0 with ebpfvm's.
describe.skipIf(!existsSync(PLUGIN) || !process.env.EBPFVM_KERNEL)('scripts/conformance-run.mjs --kernel', () => {
  it('agrees with the host kernel on every file it loads, and counts what its verifier refuses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebpfvm-conf-kernel-'));
    try {
      for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
      // a store past the top of the stack: ebpfvm faults, the kernel's verifier refuses
      writeFileSync(join(dir, 'stack-overflow.data'), '-- asm\nstdw [%r10], 1\nmov %r0, 0\nexit\n-- result\n0x0\n');
      const r = run([dir, '--kernel', '--verbose']);
      expect(r.out).toContain('host kernel: 4 agree, 0 differ, 2 refused by its verifier, 0 not run (input memory or calls)');
      expect(r.out).toMatch(/KERNEL-REFUSED error-expected\.data: EINVAL/);
      expect(r.out).toMatch(/KERNEL-REFUSED stack-overflow\.data: EACCES/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
