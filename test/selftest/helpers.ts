// Shared by the tests that run `ebpfvm test` through the CLI's main().
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { TestResult } from '../../src/selftest/runner.js';

/** `ebpfvm test FILE --json` as the CLI runs it: its exit code and the results it printed (stdout
 *  captured, stderr silenced, both restored after). */
export async function testJson(file: string): Promise<{ code: number; results: TestResult[] }> {
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
