#!/usr/bin/env node
// The host kernel's test runs of struct_ops programs (bpf_dummy_ops, the one type the kernel
// test-runs): builds test/kernel/harness/struct-ops-run.c against the 6.12 tree's libbpf and runs
// each case below on test/progs/run_struct_ops.o pinned to CPU 0, twice (they must agree), into
// test/fixtures/struct-ops/run_struct_ops.json, which test/run/struct-ops.test.ts replays.
//
//   node scripts/record-struct-ops.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { release } from 'node:os';
import { buildHarness } from './kernel-tree.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const OBJ = join(root, 'test/progs/run_struct_ops.o');

/** [program, state (hex, or - for NULL), u64 arguments (the first stands for the state)] */
export const CASES = [
  ['st_nullable', '-', ['0']],
  ['st_nullable', '2a000000', ['1']],
  ['st_nullable', 'ffffff7f', ['1']],
  ['st_nullable', '2a000000', ['1', '0']],
  ['st_args', '07000000', ['1', '-2', '0x1ffff', '0x181', '0xfedcba9876543210']],
  ['st_args', '07000000', ['1', '0x80000000', '0', '0', '0']],
  ['st_args', '-', ['0', '1', '2', '3', '4']],
  ['st_args', '07000000', ['1', '2']],
  ['st_sleep', '01000000', ['1']],
  ['st_sleep', '-', ['0']],
];

const harness = buildHarness('struct-ops-run');
const record = () =>
  CASES.map(([prog, state, args]) => {
    const r = spawnSync('taskset', ['-c', '0', harness, OBJ, prog, state, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`struct-ops-run ${prog}: ${r.stderr}`);
    return { prog, state, args, host: JSON.parse(r.stdout) };
  });
const a = record();
const b = record();
if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('two recordings differ');
mkdirSync(join(root, 'test/fixtures/struct-ops'), { recursive: true });
const out = join(root, 'test/fixtures/struct-ops/run_struct_ops.json');
writeFileSync(out, JSON.stringify({ kernel: release(), object: 'test/progs/run_struct_ops.o', cases: a }, null, 1) + '\n');
console.log(`wrote ${out}: ${a.length} cases`);
