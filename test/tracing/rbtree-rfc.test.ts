// The RFC's own selftests (patch 11), compiled against ebpfvm's vmlinux.h with only the includes
// changed (test/progs/tr_rbtree_map.c): fentry programs on __x64_sys_getpgid, loaded and run here
// the way prog_tests/rbtree_map.c drives them (one "syscall" = one run with the syscall's pt_regs).
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { load, type LoadedObject } from '../../src/loader/load.js';
import { runLoaded } from '../../src/test-run-api.js';
import { VmFault } from '../../src/errors.js';
import { open } from '../loader/helpers.js';

const REGS = 0xffffc90000a0ff58n;

function bss(obj: LoadedObject, name: string): bigint {
  const btf = obj.spec.btf!;
  const vi = btf.datasec('.bss')!.vars!.find((v) => btf.type(v.type).name === name)!;
  const m = [...obj.maps.keys()].find((n) => n.endsWith('.bss'))!;
  const v = obj.map(m).lookup(new Uint8Array(4))!;
  return new DataView(v.buffer, v.byteOffset).getBigInt64(vi.offset, true);
}

/** open_and_load with the named `?fentry` programs' autoload turned on. */
function openAndLoad(...enable: string[]) {
  const spec = open('tr_rbtree_map');
  for (const n of enable) spec.programs.get(n)!.autoload = true;
  const rt = new Runtime();
  rt.kmem.map(REGS, new Uint8Array(168)); // the syscall's saved registers
  return load(rt, spec);
}

const getpgid = (obj: LoadedObject, prog: string) => runLoaded(obj, prog, { args: [REGS] });

describe('RFC selftests (fentry/__x64_sys_getpgid, vmlinux.h)', () => {
  it('the object names the syscall attach point and rb_node accesses are CO-RE relocations', () => {
    const spec = open('tr_rbtree_map');
    expect(spec.programs.get('check_rbtree')!.section).toBe('fentry/__x64_sys_getpgid');
    expect(spec.programs.get('check_rbtree')!.autoload).toBe(true);
    expect(spec.programs.get('add_node__no_lock')!.autoload).toBe(false); // `?fentry`, as in the RFC
    const relos = spec.programs.get('rb_node__field_read')!.func.coreRelos;
    expect(relos.length).toBeGreaterThan(0);
    expect(relos.map((r) => spec.btf!.typeName(r.typeId))).toContain('struct rb_node');
  });

  it('test_rbtree_map: check_rbtree on 100 getpgid calls leaves calls == 100 and the tree empty', () => {
    const obj = openAndLoad();
    for (let i = 0; i < 100; i++) expect(getpgid(obj, 'check_rbtree').retval).toBe(0);
    expect(bss(obj, 'calls')).toBe(100n);
    expect((obj.map('rbtree') as unknown as { size: number }).size).toBe(0);
  });

  it('alloc_node__size_too_small: allocation fails, counter == 1', () => {
    const obj = openAndLoad('alloc_node__size_too_small');
    getpgid(obj, 'alloc_node__size_too_small');
    expect(bss(obj, 'size_too_small__alloc_fail')).toBe(1n);
  });

  it('add_node__no_lock: add fails without the lock, counter == 1', () => {
    const obj = openAndLoad('add_node__no_lock');
    getpgid(obj, 'add_node__no_lock');
    expect(bss(obj, 'no_lock_add__fail')).toBe(1n);
  });

  it('rb_node fields read through the relocated offsets (a fresh node is cleared)', () => {
    const obj = openAndLoad('rb_node__field_read');
    expect(getpgid(obj, 'rb_node__field_read').retval).toBe(0);
    expect(bss(obj, 'field_read__cleared')).toBe(1n);
  });

  it('rb_tree__add_wrong_type: a task_struct is not a node of the map (refused at run time without the verifier)', () => {
    const obj = openAndLoad('rb_tree__add_wrong_type');
    let outcome: string;
    try {
      outcome = `retval ${getpgid(obj, 'rb_tree__add_wrong_type').retval}`;
    } catch (e) {
      if (!(e instanceof VmFault)) throw e;
      outcome = `fault: ${e.reason}`;
    }
    expect(outcome).toMatch(/fault|retval 0/);
    expect((obj.map('rbtree') as unknown as { size: number }).size).toBe(0);
  });
});
