// `ebpfvm test` on fentry/fexit/fmod_ret programs (test/progs/tracing_run.c): their __retval is
// the kernel's bpf_prog_test_run_tracing's for a program the test loader never attached (the
// test functions' own result; data_in not looked at), and bpf_fentry_test_sinfo's argument is
// a BTF pointer to struct skb_shared_info.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testJson } from './helpers.js';

const OBJ = join(import.meta.dirname, '../progs/tracing_run.o');

describe('ebpfvm test: tracing programs the loader does not attach', () => {
  it('every annotation of test/progs/tracing_run.o holds', async () => {
    const { code, results } = await testJson(OBJ);
    expect(results.map((r) => `${r.program}: ${r.status}${r.reason ? ` ${r.reason}` : ''}`)).toEqual(['sinfo_frags: PASS', 'fentry_not_run: PASS', 'fmod_ret_not_run: PASS']);
    expect(code).toBe(0);
  });
});
