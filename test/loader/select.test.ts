// Program selection (issue 12, DESIGN section 5): load(spec, { programs: [P] }) loads P even from a
// `?` section, plus the __auxiliary programs and the prog_array `values` targets (not with
// testLoader, as the kernel's test loader), and not the siblings; a map nobody loaded uses and ebpfvm cannot create is skipped with a note.
import { describe, expect, it } from 'vitest';
import { UnsupportedError, UsageError } from '../../src/errors.js';
import { Runtime } from '../../src/runtime.js';
import { load, selectPrograms } from '../../src/loader/load.js';
import { testRun } from '../../src/test-run-api.js';
import { open } from './helpers.js';

describe('program selection', () => {
  it('without a selection the autoload programs load, and a broken sibling sinks them', () => {
    const spec = open('sel_programs');
    expect([...selectPrograms(spec)]).toEqual(['helper_aux']);
    spec.programs.get('broken_sibling')!.autoload = true;
    expect(() => load(new Runtime(), spec)).toThrow(/program broken_sibling: section "weird\/section" does not name a program type/);
  });

  it('a `?` program runs by name with its auxiliary program and its tail-call target', () => {
    const spec = open('sel_programs');
    const obj = load(new Runtime(), spec, { programs: ['wanted'] });
    expect([...obj.programs.keys()].sort()).toEqual(['helper_aux', 'tail_target', 'wanted']);
    // the tail call reaches tail_target through the prog_array slot the `values` filled
    const r = testRun(obj.runtime, obj.program('wanted').program, { data: new Uint8Array(64) });
    expect(r.retval).toBe(42);
    expect(obj.map('hits').lookup(new Uint8Array(4))).toEqual(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]));
    expect(() => obj.program('broken_sibling')).toThrow(/was not loaded/);
  });

  it('testLoader: only the named and auxiliary programs load, the unloaded slot target is listed', () => {
    const obj = load(new Runtime(), open('sel_programs'), { programs: ['wanted'], testLoader: true });
    expect([...obj.programs.keys()].sort()).toEqual(['helper_aux', 'wanted']);
    expect(obj.unfilledSlots).toEqual([{ map: 'jumps', index: 1, program: 'tail_target' }]);
    // the slot stayed empty: the tail call falls through
    const r = testRun(obj.runtime, obj.program('wanted').program, { data: new Uint8Array(64) });
    expect(r.retval).toBe(7);
  });

  it('a failing sibling no longer sinks the program asked for, even when its autoload is on', () => {
    const spec = open('sel_programs');
    spec.programs.get('broken_sibling')!.autoload = true;
    const obj = load(new Runtime(), spec, { programs: ['wanted'] });
    expect(obj.programs.has('broken_sibling')).toBe(false);
    expect(obj.programs.has('wanted')).toBe(true);
  });

  it('a map no loaded program uses and ebpfvm cannot create is skipped with a note', () => {
    const obj = load(new Runtime(), open('sel_programs'), { programs: ['wanted'] });
    expect(obj.maps.has('cgroups')).toBe(false);
    expect(obj.notes).toEqual(['map cgroups: unsupported map type cgroup_array: skipped, no loaded program uses it']);
    expect(() => obj.map('cgroups')).toThrow(UsageError);
  });

  it('a program that uses such a map still fails, naming the map, and leaves no maps behind', () => {
    const rt = new Runtime();
    expect(() => load(rt, open('sel_programs'), { programs: ['uses_cgroups'] })).toThrow(UnsupportedError);
    expect(() => load(rt, open('sel_programs'), { programs: ['uses_cgroups'] })).toThrow(/map cgroups: unsupported map type cgroup_array/);
    expect(rt.allMaps()).toEqual([]);
  });

  it('an unknown program name is bad usage', () => {
    expect(() => load(new Runtime(), open('sel_programs'), { programs: ['nope'] })).toThrow(/^no program named nope \(have: [a-z_, ]*wanted/);
  });
});
