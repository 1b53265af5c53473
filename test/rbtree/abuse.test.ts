// Abuse at run time, from real BPF programs run unverified: every case ends in NULL / -EBUSY or a
// clean VmFault, and the tree stays a valid red-black tree holding exactly its nodes.
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { Runtime } from '../../src/runtime.js';
import { openObject, load, type LoadedObject } from '../../src/loader/index.js';
import { VmFault } from '../../src/errors.js';
import { testRun } from '../../vm/test-run.js';
import { RbtreeMap } from '../../maps/rbtree.js';
import { Errno } from '../../maps/types.js';

const progs = new URL('../progs/', import.meta.url).pathname;
let rt: Runtime;
let obj: LoadedObject;
let tree: RbtreeMap;

const run = (name: string) => testRun(rt, obj.program(name).program);
function global(name: string): bigint {
  const v = obj.spec.globals.get(name)!;
  const bytes = obj.map(v.map).lookup(new Uint8Array(4))!;
  return new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(v.offset, true);
}
function intact(nodes: number): void {
  expect(tree.tree.check()).toEqual([]);
  expect(tree.size).toBe(nodes);
  expect(tree.inOrder().length).toBe(nodes);
}

beforeEach(() => {
  rt = new Runtime();
  obj = load(rt, openObject(new Uint8Array(readFileSync(`${progs}rbtree_abuse.o`)), { name: 'rbtree_abuse' } as never));
  tree = obj.map('rbtree') as RbtreeMap;
  for (let i = 0; i < 5; i++) expect(run('add_one').retval).toBe(0);
  intact(5);
});

describe('rbtree abuse at run time', () => {
  it('double add: the second add returns NULL', () => {
    run('double_add');
    expect(global('result')).toBe(0n);
    intact(6);
  });

  it('remove of an unlinked node returns NULL', () => {
    run('remove_unlinked');
    expect(global('result')).toBe(0n);
    intact(5);
    expect(tree.nodesAlive).toBe(5);
  });

  it('free of a linked node returns -EBUSY and leaves it in the tree', () => {
    run('free_linked');
    expect(global('result')).toBe(BigInt(-Errno.EBUSY));
    intact(6);
  });

  it("a node of another map is refused by add (NULL) and freed by its own map", () => {
    run('other_map_node');
    expect(global('result')).toBe(0n);
    intact(5);
    expect((obj.map('other') as RbtreeMap).nodesAlive).toBe(0);
  });

  it('a program storing into rb_node faults cleanly; the lock is released; the tree is intact', () => {
    expect(() => run('overwrite_rb_node')).toThrow(VmFault);
    try {
      run('overwrite_rb_node');
    } catch (e) {
      expect((e as VmFault).reason).toMatch(/write-protected/);
    }
    intact(5);
    expect(run('add_one').retval).toBe(0); // the lock was released at the fault
    intact(6);
  });

  it('a run that ends holding the lock faults, and the lock is released', () => {
    expect(() => run('lock_held_at_exit')).toThrow(VmFault);
    expect(run('add_one').retval).toBe(0);
    intact(6);
  });

  it('taking the lock twice faults (it would deadlock)', () => {
    expect(() => run('lock_twice')).toThrow(VmFault);
    expect(run('add_one').retval).toBe(0);
    intact(6);
  });

  it("programs cannot write the map's lock word", () => {
    expect(() => run('write_lock_word')).toThrow(VmFault);
    intact(5);
  });
});
