// The rbtree verifier rules (verifier/rbtree.ts, issue 14): the annotated programs of
// test/progs/rbtree-verifier (the RFC's selftests and ebpfvm's own) through `ebpfvm test` in the
// default (RFC) mode and with --strict, and every rbtree program of the repository verified in
// both modes with the verdict each is meant to get.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime, load, openObject, objectNameFromPath } from '../../src/index.js';
import { verifyProgram } from '../../src/verify.js';
import type { TestResult } from '../../src/selftest/runner.js';
import { cli } from '../cli/capture.js';
import { assemble } from '../../vm/asm.js';
import { RbtreeApi } from '../../src/rbtree-api.js';
import { rbtreeSpec } from '../../maps/rbtree.js';
import { ProgType } from '../../vm/prog-types.js';

const ROOT = join(import.meta.dirname, '../..');
const DIR = join(ROOT, 'test/progs/rbtree-verifier');
const objects = readdirSync(DIR).filter((f) => f.endsWith('.o')).sort();

async function runTests(file: string, strict: boolean): Promise<TestResult[]> {
  const { out, code } = await cli('test', file, '--json', ...(strict ? ['--strict'] : []));
  const results = (JSON.parse(out) as { results: TestResult[] }).results;
  expect(code).toBe(results.some((r) => r.status === 'FAIL') ? 1 : 0);
  return results;
}

const failures = (rs: TestResult[]) => rs.filter((r) => r.status !== 'PASS').map((r) => `${r.status} ${r.name}: ${r.reason}${r.log ? `\n${r.log}` : ''}`);

describe('ebpfvm test test/progs/rbtree-verifier/*.o', () => {
  it('has the RFC selftest equivalents and the rules programs', () => {
    expect(objects).toEqual(['rbtree_rfc.o', 'rbtree_rules.o']);
  });
  for (const f of objects) {
    it(`${f}: every test passes in RFC mode, with an @strict run where the verdicts differ`, async () => {
      const rs = await runTests(join(DIR, f), false);
      expect(failures(rs)).toEqual([]);
      const strictRuns = rs.filter((r) => r.mode === 'strict');
      expect(strictRuns.length).toBeGreaterThan(0);
      expect(strictRuns.every((r) => r.name.endsWith(' @strict'))).toBe(true);
    }, 120_000);
    it(`${f}: every test passes with --strict`, async () => {
      const rs = await runTests(join(DIR, f), true);
      expect(failures(rs)).toEqual([]);
      expect(rs.every((r) => r.mode === 'strict')).toBe(true);
    }, 120_000);
  }

  it('the RFC tests the RFC loads but strict mode refuses are the lock and size ones', async () => {
    const rfc = await runTests(join(DIR, 'rbtree_rfc.o'), false);
    expect(rfc.filter((r) => r.mode === 'strict').map((r) => r.program)).toEqual(['alloc_node__size_too_small', 'add_node__no_lock']);
  }, 120_000);
});

/** Verdict of every program of an object in one mode: name -> 'accept' | error line. */
function verdicts(object: string, strict: boolean): Record<string, string> {
  const path = join(ROOT, object);
  const spec = openObject(new Uint8Array(readFileSync(path)), { name: objectNameFromPath(path) });
  const out: Record<string, string> = {};
  for (const name of spec.programs.keys()) {
    const obj = load(new Runtime(), openObject(new Uint8Array(readFileSync(path)), { name: objectNameFromPath(path) }), { programs: [name] });
    const r = verifyProgram(obj, name, { strict });
    out[name] = r.accepted ? 'accept' : r.error!;
  }
  return out;
}

describe('every rbtree program of the repository, in both modes', () => {
  const accepted = (names: string[]) => Object.fromEntries(names.map((n) => [n, 'accept']));
  it('examples/scheduler.o is accepted in both modes', () => {
    expect(verdicts('examples/scheduler.o', false)).toEqual({ schedule: 'accept' });
    expect(verdicts('examples/scheduler.o', true)).toEqual({ schedule: 'accept' });
  });
  it('test/progs/rbtree_ops.o and rbtree_bench.o are accepted in both modes', () => {
    for (const strict of [false, true]) {
      expect(verdicts('test/progs/rbtree_ops.o', strict)).toEqual(accepted(['rbtree_op']));
      expect(verdicts('test/progs/rbtree_bench.o', strict)).toEqual(accepted(['add_remove', 'find', 'walk', 'nop']));
    }
  });
  it("the RFC's run-time selftests load in RFC mode; strict refuses the lock-less add and the short alloc", () => {
    const rfc = ['check_rbtree', 'alloc_node__size_too_small', 'add_node__no_lock'];
    expect(verdicts('test/progs/rbtree_map.o', false)).toEqual(accepted(rfc));
    expect(verdicts('test/progs/rbtree_map.o', true)).toEqual({
      check_rbtree: 'accept',
      alloc_node__size_too_small: 'rbtree: R2 size 1 is smaller than node_data (32 bytes)',
      add_node__no_lock: "bpf_spin_lock at off=0 must be held for rbtree 'rbtree' (bpf_rbtree_add)",
    });
    const wrongType = 'rbtree: R2 is of type task_struct but node_data is expected';
    expect(verdicts('test/progs/tr_rbtree_map.o', false)).toEqual({ ...accepted([...rfc, 'rb_node__field_read']), rb_tree__add_wrong_type: wrongType });
    expect(verdicts('test/progs/tr_rbtree_map.o', true)).toEqual({
      check_rbtree: 'accept',
      alloc_node__size_too_small: 'rbtree: R2 size 1 is smaller than node_data (32 bytes)',
      add_node__no_lock: "bpf_spin_lock at off=0 must be held for rbtree 'rbtree' (bpf_rbtree_add)",
      rb_node__field_read: 'accept',
      rb_tree__add_wrong_type: wrongType,
    });
  });
  it('the run-time abuse programs: the verifier refuses each misuse (lock misuse only in strict mode)', () => {
    const rfc = verdicts('test/progs/rbtree_abuse.o', false);
    const strict = verdicts('test/progs/rbtree_abuse.o', true);
    const both = {
      add_one: 'accept',
      double_add: 'R2 type=ptr_cond_rel_ expected=ptr_',
      remove_unlinked: 'rbtree_remove node input must be non-owning ref',
      free_linked: 'R2 type=ptr_cond_rel_ expected=ptr_',
      other_map_node: "rbtree: R2 is a node of map 'other' but rbtree_add is called on map 'rbtree'",
      overwrite_rb_node: 'only read is supported',
      write_lock_word: 'bpf_spin_lock cannot be accessed directly by load/store',
    };
    expect(rfc).toEqual({ ...both, lock_held_at_exit: 'accept', lock_twice: 'accept' });
    expect(strict).toEqual({
      ...both,
      lock_held_at_exit: 'BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region',
      lock_twice: 'Locking two bpf_spin_locks are not allowed',
    });
  });
});

describe('programs proven to hold the lock run without the run-time lock check', () => {
  it('verifyProgram marks the program only when strict mode accepted it', () => {
    const path = join(ROOT, 'examples/scheduler.o');
    const obj = load(new Runtime(), openObject(new Uint8Array(readFileSync(path)), { name: 'scheduler' }));
    expect(verifyProgram(obj, 'schedule').accepted).toBe(true);
    expect(obj.program('schedule').program.rbtreeLockProven).toBe(false);
    expect(verifyProgram(obj, 'schedule', { strict: true }).rbtreeLockProven).toBe(true);
    expect(obj.program('schedule').program.rbtreeLockProven).toBe(true);
    const tr = load(new Runtime(), openObject(new Uint8Array(readFileSync(join(ROOT, 'test/progs/rbtree_map.o'))), { name: 'rbtree_map' }), { programs: ['add_node__no_lock'] });
    expect(verifyProgram(tr, 'add_node__no_lock', { strict: true }).accepted).toBe(false);
    expect(tr.program('add_node__no_lock').program.rbtreeLockProven).toBe(false);
  });

  it('the helpers consult the flag: bpf_rbtree_first without the lock is NULL unless the program carries it', () => {
    const rt = new Runtime();
    const lm = rt.createMap(rbtreeSpec('tree', 32));
    new RbtreeApi(lm.map).insert(new Uint8Array(32), { offset: 24, size: 4 });
    const insns = assemble(`r1 = map_by_fd(${lm.id}) ll\ncall 220\nexit`);
    const run = (proven: boolean) => rt.execute({ name: 'first', progType: ProgType.SYSCALL, insns, gpl: true, rbtreeLockProven: proven }).r0;
    expect(run(false)).toBe(0n);
    // Only a hand-made program can lie like this; the verifier sets the flag after proving the lock.
    expect(run(true)).not.toBe(0n);
  });
});

describe('end to end: a strict-verified program runs without the lock checks, others keep them', () => {
  // rbtree_bench.o's walk: lock, first, 32 next, unlock. Each tree helper's run-time check is one
  // lookup of the lock word in the run's held locks (a Map); bpf_rbtree_lock's own deadlock check
  // is another. Counting Map lookups of the lock address per run: strict-verified runs make only
  // the lock's, RFC-verified and unverified runs make 33 more (first + 32 next).
  const setup = (engine: 'interpreter' | 'compiled') => {
    const rt = new Runtime({ engine });
    const obj = load(rt, openObject(new Uint8Array(readFileSync(join(ROOT, 'test/progs/rbtree_bench.o'))), { name: 'rbtree_bench' }));
    const map = obj.map('tree') as import('../../maps/rbtree.js').RbtreeMap;
    const api = new RbtreeApi(map);
    for (let k = 0; k < 40; k++) {
      const v = new Uint8Array(40);
      v[24] = k;
      api.insert(v, { offset: 24, size: 8 });
    }
    const ctx = rt.arena.alloc(8, { kind: 'ctx', name: 'args' });
    return { rt, obj, map, ctx };
  };
  const lookups = (s: ReturnType<typeof setup>): { r0: bigint; n: number } => {
    // a run's held locks are an array (vm/interpreter.ts RunLocks): every lookup is an includes
    const includes = Array.prototype.includes;
    let n = 0;
    const addr = s.map.lockAddr;
    Array.prototype.includes = function (this: unknown[], k: unknown, from?: number) {
      if (k === addr) n++;
      return includes.call(this, k, from);
    };
    try {
      const r0 = s.rt.execute(s.obj.program('walk').program, { args: [s.ctx] }).r0;
      return { r0, n };
    } finally {
      Array.prototype.includes = includes;
    }
  };
  for (const engine of ['interpreter', 'compiled'] as const) {
    it(`${engine}: 33 fewer lock lookups per run after strict verification, the same result`, () => {
      const s = setup(engine);
      const unverified = lookups(s);
      expect(s.obj.program('walk').program.rbtreeLockProven).toBeFalsy();
      expect(verifyProgram(s.obj, 'walk').accepted).toBe(true);
      const rfc = lookups(s);
      expect(verifyProgram(s.obj, 'walk', { strict: true }).accepted).toBe(true);
      const strict = lookups(s);
      expect([unverified.r0, rfc.r0, strict.r0]).toEqual([32n, 32n, 32n]);
      expect(rfc.n).toBe(unverified.n);
      expect(unverified.n - strict.n).toBe(33);
    });
  }
});
