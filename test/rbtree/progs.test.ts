// The RFC's run-time selftests, equivalent programs built by clang (test/progs/rbtree_*.c), loaded
// by the loader and run by the interpreter through BPF_PROG_TEST_RUN semantics.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { openObject, load, type LoadedObject } from '../../src/loader/index.js';
import { EbpfvmError } from '../../src/errors.js';
import { testRun } from '../../vm/test-run.js';
import { RbtreeMap } from '../../maps/rbtree.js';

const progs = new URL('../progs/', import.meta.url).pathname;

function open(name: string, rt = new Runtime()): { rt: Runtime; obj: LoadedObject } {
  const bytes = new Uint8Array(readFileSync(`${progs}${name}.o`));
  return { rt, obj: load(rt, openObject(bytes, { name } as never)) };
}

/** A global from .bss by name, read as a 64-bit integer. */
function global(obj: LoadedObject, name: string): bigint {
  const v = obj.spec.globals.get(name);
  if (!v) throw new Error(`no global ${name}`);
  const bytes = obj.map(v.map).lookup(new Uint8Array(4))!;
  return new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(v.offset, true);
}

describe('RFC selftests (run time)', () => {
  it('check_rbtree runs 100 times: calls == 100, tree empty, no nodes alive', () => {
    const { rt, obj } = open('rbtree_map');
    const r = testRun(rt, obj.program('check_rbtree').program, { repeat: 100 });
    expect(r.retval).toBe(0);
    expect(global(obj, 'calls')).toBe(100n);
    expect(global(obj, 'node_ct')).toBe(1n);
    const tree = obj.map('rbtree') as RbtreeMap;
    expect(tree).toBeInstanceOf(RbtreeMap);
    expect(tree.size).toBe(0);
    expect(tree.nodesAlive).toBe(0);
  });

  it('alloc_node__size_too_small counts exactly one failure', () => {
    const { rt, obj } = open('rbtree_map');
    testRun(rt, obj.program('alloc_node__size_too_small').program);
    expect(global(obj, 'size_too_small__alloc_fail')).toBe(1n);
  });

  it('add_node__no_lock counts exactly one failure and frees its node', () => {
    const { rt, obj } = open('rbtree_map');
    testRun(rt, obj.program('add_node__no_lock').program);
    expect(global(obj, 'no_lock_add__fail')).toBe(1n);
    expect((obj.map('rbtree') as RbtreeMap).nodesAlive).toBe(0);
  });

  it('a map whose value type lacks rb_node fails to load, naming rb_node', () => {
    let err: unknown;
    try {
      open('rbtree_map_load_fail');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EbpfvmError);
    expect(String((err as Error).message)).toMatch(/rb_node/);
  });
});
