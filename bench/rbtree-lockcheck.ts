// What skipping the rbtree helpers' run-time lock check saves (issue 14: programs the verifier
// proved to hold the lock, Program.rbtreeLockProven, run without it). The same program of
// test/progs/rbtree_bench.o is run in two Program copies that differ only in the flag, each copy
// verified as it runs for real (strict mode for the proven one, RFC mode for the checked one),
// interleaved round by round so machine load falls on both alike, timed in process CPU time (the
// shared host's other work does not count); the median round is reported.
//
//   npx tsc -p . && node dist/bench/rbtree-lockcheck.js [--engine interpreter|compiled] [--size N]
//
// walk is lock, first, 32 next, unlock (33 checks per run); find one check; add_remove two (add
// and remove; alloc and free need no lock).
import { readFileSync } from 'node:fs';
import { Runtime } from '../src/runtime.js';
import { load, openObject } from '../src/loader/index.js';
import { verifyProgram } from '../src/verify.js';
import { RbtreeApi } from '../src/rbtree-api.js';
import type { RbtreeMap } from '../maps/rbtree.js';
import type { Program } from '../vm/program.js';
import type { Engine } from '../vm/interpreter.js';

const OBJ = new URL('../../test/progs/rbtree_bench.o', import.meta.url).pathname;
const CHECKS: Record<string, number> = { walk: 33, find: 1, add_remove: 2 };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export interface LockCheckRow {
  prog: string;
  engine: Engine;
  size: number;
  checkedNs: number;
  provenNs: number;
  /** (checked - proven) / checks per run. */
  perCheckNs: number;
  /** The spread of the per-round differences (min .. max), ns per run. */
  diffRange: [number, number];
}

export function lockCheckBench(engine: Engine, size: number, prog: string, rounds = 31, perRound = 4000): LockCheckRow {
  const rt = new Runtime({ engine, arena: { initialBytes: 64 << 20 } });
  const obj = load(rt, openObject(new Uint8Array(readFileSync(OBJ)), { name: 'rbtree_bench' }));
  const api = new RbtreeApi(obj.map('tree') as RbtreeMap);
  const v = new Uint8Array(40);
  const dv = new DataView(v.buffer);
  for (let i = 0; i < size; i++) {
    dv.setBigUint64(24, BigInt(i) * 2654435761n, true);
    api.insert(v, { offset: 24, size: 8 });
  }
  if (!verifyProgram(obj, prog, { strict: true }).accepted) throw new Error(`${prog}: strict mode refused it`);
  const proven: Program = { ...obj.program(prog).program };
  if (!verifyProgram(obj, prog).accepted) throw new Error(`${prog}: RFC mode refused it`);
  const checked: Program = { ...obj.program(prog).program };
  if (proven.rbtreeLockProven !== true || checked.rbtreeLockProven === true) throw new Error('the flag did not follow the verdicts');
  const ctx = rt.arena.alloc(8, { kind: 'ctx', name: 'args' });
  const adv = rt.arena.dv;
  let k = 0;
  const time = (p: Program): number => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < perRound; i++) {
      // find: keys present; add_remove: a key beyond them (the tree gets its size back).
      adv.setBigUint64(ctx, prog === 'add_remove' ? BigInt(size + (k++ % 1000)) * 2654435761n + 1n : BigInt(k++ % size) * 2654435761n, true);
      rt.execute(p, { args: [ctx] });
    }
    const t = process.cpuUsage(t0);
    return ((t.user + t.system) * 1000) / perRound;
  };
  for (let w = 0; w < 3; w++) (time(checked), time(proven));
  const c: number[] = [];
  const p: number[] = [];
  const d: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so a trend within a round does not favour one.
    let a: number;
    let b: number;
    if (r % 2) {
      a = time(proven);
      b = time(checked);
    } else {
      b = time(checked);
      a = time(proven);
    }
    p.push(a);
    c.push(b);
    d.push(b - a);
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  const diff = med(d);
  return { prog, engine, size, checkedNs: med(c), provenNs: med(p), perCheckNs: diff / CHECKS[prog]!, diffRange: [Math.min(...d), Math.max(...d)] };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const engines = (arg('--engine') ? [arg('--engine')] : ['compiled', 'interpreter']) as Engine[];
  const size = Number(arg('--size') ?? 1000);
  for (const engine of engines) {
    for (const prog of ['walk', 'find', 'add_remove']) {
      const r = lockCheckBench(engine, size, prog);
      console.log(
        `${engine.padEnd(11)} ${prog.padEnd(10)} @${size}: checked ${r.checkedNs.toFixed(0)} ns/run, proven ${r.provenNs.toFixed(0)} ns/run, ` +
          `saved ${(r.checkedNs - r.provenNs).toFixed(1)} ns/run (median of per-round differences ${(r.perCheckNs * CHECKS[prog]!).toFixed(1)}, range ${r.diffRange[0].toFixed(0)}..${r.diffRange[1].toFixed(0)}) = ${r.perCheckNs.toFixed(2)} ns per check`,
      );
    }
  }
}
