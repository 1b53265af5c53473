// The verification-speed benchmark's programs (bench/verify.ts): both verify, each with the
// processed count its shape gives (the host kernel's count too), and the ~1M-insn loop says so in
// the kernel's closing line. Timing is reported, not asserted (the 5 s target is the bench's
// figure; a loaded test machine proves nothing either way).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Runtime, load, openObject } from '../../src/index.js';
import { verifyProgram } from '../../src/verify.js';
import { VERIFY_CASES, VERIFY_SPEED_OBJ, verifyOnce } from '../../bench/verify.js';
import { parseKernelStats } from '../../bench/verify-kernel.js';

describe('verification speed programs', () => {
  it('the bounded loop verifies, reporting `processed 992012 insns` as the kernel does', () => {
    const obj = load(new Runtime(), openObject(new Uint8Array(readFileSync(VERIFY_SPEED_OBJ)), { name: 'verify_speed' }), { programs: ['loop_1m'] });
    const r = verifyProgram(obj, 'loop_1m', { stats: true });
    expect(r.accepted).toBe(true);
    expect(r.processed).toBe(992_012);
    expect(r.log).toMatch(/^verification time \d+ usec\nstack depth 8\nprocessed 992012 insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read 0\n$/);
    const kernel = JSON.parse(readFileSync(new URL('../fixtures/verifier-kernel/verify_speed.json', import.meta.url), 'utf8')) as { programs: Record<string, { loaded: boolean; log: string }> };
    expect(kernel.programs.loop_1m!.loaded).toBe(true);
    expect(kernel.programs.loop_1m!.log).toContain('processed 992012 insns (limit 1000000)');
  }, 120_000);

  it("the bench's own check passes on the unrolled program and fails on a wrong expectation", () => {
    expect(VERIFY_CASES.map((c) => [c.prog, c.expected])).toEqual([['unrolled_100k', 100_005], ['loop_1m', 992_012]]);
    const { processed, ns } = verifyOnce(VERIFY_CASES[0]!);
    expect(processed).toBe(100_005);
    expect(ns).toBeGreaterThan(0);
    expect(() => verifyOnce({ ...VERIFY_CASES[0]!, expected: 100_004 })).toThrow(/processed 100005 insns, expected 100004/);
  }, 120_000);

  it("reads the kernel's verification time and processed count from a log-level-4 log", () => {
    // The harness's log for strobemeta.o on the host kernel (6.18), verbatim.
    const log = 'verification time 441738 usec\nstack depth 488\nprocessed 177272 insns (limit 1000000) max_states_per_insn 4 total_states 4811 peak_states 4762 mark_read 0\n';
    expect(parseKernelStats(log)).toEqual({ ns: 441_738_000, processed: 177_272 });
    expect(parseKernelStats('processed 5 insns (limit 1000000)')).toBeUndefined();
  });
});
