// Untyped __ksyms (test/progs/ld_ksym_unknown.c): kernel functions resolve to the built-in
// kernel's kallsyms addresses (src/btf/kallsyms.ts); as libbpf, every __ksym of the object is
// resolved at load, so one the kernel lacks fails the whole object, whichever programs load
// (the 6.18 host refuses kprobe_multi.o's programs with ESRCH for bpf_testmod's symbols); a weak
// one is 0; the user's addresses (LoadOptions.ksyms) come first.
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load, type LoadedObject } from '../../src/loader/load.js';
import { LinkError } from '../../src/errors.js';
import { runLoaded } from '../../src/test-run-api.js';
import { kernelFuncAddr } from '../../src/btf/kallsyms.js';
import { bssVars, open } from './helpers.js';

const bss = (obj: LoadedObject) => bssVars(obj);

describe('untyped __ksyms', () => {
  it('an unknown one fails the whole object, also for a program that never names it', () => {
    expect(() => load(new Runtime(), open('ld_ksym_unknown'), { programs: ['names_known'] })).toThrow(LinkError);
    expect(() => load(new Runtime(), open('ld_ksym_unknown'), { programs: ['names_known'] })).toThrow(/kernel symbol no_such_kernel_function is not known/);
  });
  it('given by the user, the object loads: known functions at their kallsyms address, a weak unknown one 0', () => {
    const obj = load(new Runtime(), open('ld_ksym_unknown'), { ksyms: { no_such_kernel_function: 0xffffffff81234560n } });
    runLoaded(obj, 'names_unknown', {}, { verify: true });
    runLoaded(obj, 'names_known', {}, { verify: true });
    expect(bss(obj)).toEqual({ seen_unknown: 0xffffffff81234560n, seen_weak: 0n, seen_schedule: kernelFuncAddr('schedule') });
  });
});
