#!/usr/bin/env node
// The host kernel's reads of ebpfvm's iterator test program (test/progs/helpers/h_iter.c): builds
// test/kernel/harness/iter-harness.c against the 6.12 tree's libbpf (scripts/kernel-tree.mjs),
// and for each scenario below loads one program, attaches it as an iterator and reads it to the
// end as `cat` reads a pinned iterator (READSIZE bytes per read). Recorded twice (the two must
// agree) into test/fixtures/iter/h_iter.json, which test/helpers/iter.test.ts replays through
// src/iter.ts. Needs root and the kernel tree; not part of npm test.
//
//   node scripts/record-iter.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { release } from 'node:os';
import { buildHarness } from './kernel-tree.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const OBJ = join(root, 'test/progs/helpers/h_iter.o');

/** [program, read size, map to iterate] */
export const SCENARIOS = [
  ['dump_maps', 131072],
  ['dump_maps', 16],
  ['big', 131072],
  ['big', 4096],
  ['too_big', 131072],
  ['retry', 131072],
  ['seq_errors', 131072],
  // the 6.18 host refuses bpf_map_elem iterators at load (EPERM before verification)
  ['elems', 131072, 'it_arr'],
];

const harness = buildHarness('iter-harness');
const record = () =>
  SCENARIOS.map(([prog, readSize, map]) => {
    const r = spawnSync('taskset', ['-c', '0', harness, OBJ, prog, String(readSize), ...(map ? [map] : [])], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`iter-harness ${prog}: ${r.stderr}`);
    return { prog, readSize, ...(map ? { map } : {}), host: JSON.parse(r.stdout) };
  });
const a = record();
const b = record();
if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('two recordings differ');
mkdirSync(join(root, 'test/fixtures/iter'), { recursive: true });
const out = join(root, 'test/fixtures/iter/h_iter.json');
writeFileSync(out, JSON.stringify({ kernel: release(), object: 'test/progs/helpers/h_iter.o', scenarios: a }, null, 1) + '\n');
console.log(`wrote ${out}: ${a.length} scenarios`);
