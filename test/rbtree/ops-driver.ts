// test/progs/rbtree_ops.c driven from user space: one syscall program that takes an op code and a
// key in its context and writes the result back. Shared by the rbtree operation tests and the
// growing-arena tests.
import { readFileSync } from 'node:fs';
import { Runtime } from '../../src/runtime.js';
import { openObject, load } from '../../src/loader/index.js';
import { RbtreeMap } from '../../maps/rbtree.js';
import type { Engine } from '../../vm/interpreter.js';

export const OP = { ADD: 1, REMOVE: 2, FIND: 3, FIRST: 4, LAST: 5, NEXT: 6, PREV: 7, COUNT: 8, POP: 9 } as const;
/** Offset of the key in the program's node (rbtree_ops.c's struct). */
export const KEY_OFF = 24;

export function rbtreeOpsDriver(options: { engine?: Engine; initialBytes: number }): { rt: Runtime; op: (code: number, key?: number) => number; tree: RbtreeMap } {
  const rt = new Runtime({ ...(options.engine ? { engine: options.engine } : {}), arena: { initialBytes: options.initialBytes } });
  const obj = load(rt, openObject(new Uint8Array(readFileSync(new URL('../progs/rbtree_ops.o', import.meta.url))), { name: 'rbtree_ops' }));
  const prog = obj.program('rbtree_op').program;
  const tree = obj.map('tree') as RbtreeMap;
  // The syscall context lives in the arena; the program reads op/key and writes ret.
  const ctx = rt.arena.alloc(16, { kind: 'ctx', name: 'op' });
  // the arena's views are replaced when it grows (a run allocating nodes may do that): read per use
  const op = (code: number, key = 0): number => {
    rt.arena.dv.setUint32(ctx, code, true);
    rt.arena.dv.setUint32(ctx + 4, key, true);
    rt.execute(prog, { args: [ctx] });
    return Number(rt.arena.dv.getBigInt64(ctx + 8, true));
  };
  return { rt, op, tree };
}
