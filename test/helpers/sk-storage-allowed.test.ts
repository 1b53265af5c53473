// The tracing prototypes of bpf_sk_storage_get/delete and their `allowed` hook
// (test/progs/helpers/h_sk_storage_allowed.c): fentry/fexit may call them, fmod_ret may not, with
// the kernel's message for a call the hook refuses; the refusal comes from the hook, not from the
// program type (fmod_ret is a TRACING program like fentry).
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load } from '../../src/loader/load.js';
import { openObject } from '../../src/loader/open.js';
import { verifyProgram } from '../../src/verify.js';
import { objBytes } from '../loader/helpers.js';

const OBJ = objBytes('helpers/h_sk_storage_allowed');
const verdict = (prog: string) => {
  const obj = load(new Runtime(), openObject(OBJ, { name: 'h_sk_storage_allowed' }), { programs: [prog] });
  return verifyProgram(obj, prog);
};

describe('bpf_sk_storage_get/delete in tracing programs', () => {
  it('fentry and fexit may call them', () => {
    expect(verdict('ska_fentry')).toMatchObject({ accepted: true });
    expect(verdict('ska_fexit')).toMatchObject({ accepted: true });
  });
  it('fmod_ret may not: helper call is not allowed in probe', () => {
    for (const p of ['ska_fmod_ret_get', 'ska_fmod_ret_delete']) {
      expect(verdict(p)).toMatchObject({ accepted: false, error: expect.stringContaining('helper call is not allowed in probe') });
    }
  });
});
