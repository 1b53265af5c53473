// LSM programs' return values and attach targets (test/progs/lsm_ret.c, its annotations from 6.12's
// kernel/bpf/bpf_lsm.c and check_return_code: the host refuses every LSM load, so there is no
// recording): an int hook's programs return 0 or a negative errno, checked on the low 32 bits, a
// bool hook's 0 or 1, a void hook's anything (R0 not even read); lsm_cgroup programs 0 or 1, exactly
// 1 on a void hook; a disabled hook is refused before the walk; the return value so far, read from
// the ctx, is in the hook's range. Each through `ebpfvm test`, as the CLI runs it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testJson } from '../selftest/helpers.js';

const OBJ = join(import.meta.dirname, '../progs/lsm_ret.o');

describe('LSM return values and hooks', () => {
  it('every annotation of test/progs/lsm_ret.o holds', async () => {
    const { code, results } = await testJson(OBJ);
    expect(results.length).toBe(10);
    expect(results.filter((r) => r.status !== 'PASS').map((r) => `${r.program}: ${r.reason}`)).toEqual([]);
    expect(code).toBe(0);
  });
});
