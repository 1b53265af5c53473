#!/usr/bin/env node
// The host kernel's bpf_timer firings for test/progs/run_timer_fire.c (issue 13): builds
// test/kernel/harness/timer-fire.c against the 6.12 tree's libbpf (scripts/kernel-tree.mjs),
// test-runs the programs on the host pinned to CPU 0, lets the kernel's hrtimers fire for 300 ms
// and records what the callbacks left (retvals, globals, map contents) in
// test/fixtures/timers/run_timer_fire.json, which test/helpers/timer.test.ts compares with
// ebpfvm's clock-driven firings. Needs root and the kernel tree; not part of npm test.
//
//   node scripts/record-timer-fire.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { release } from 'node:os';
import { buildHarness, CACHE } from './kernel-tree.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const BIN = join(CACHE, 'build/timer-fire');
const PROGRAMS = ['arm_rel', 'arm_abs_pinned', 'arm_rearm', 'arm_self_cancel', 'update_frees', 'lru_evicts', 'arm_realtime_past'];
const WAIT_MS = 300;

buildHarness('timer-fire');
const runs = [];
for (let i = 0; i < 2; i++) {
  const r = spawnSync(BIN, [join(root, 'test/progs/run_timer_fire.o'), String(WAIT_MS), ...PROGRAMS], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`timer-fire failed: ${r.stderr}`);
  runs.push(JSON.parse(r.stdout));
}
// Hash maps list their keys in bucket order: sort them so two recordings compare.
const norm = (x) => JSON.stringify({ ...x, hash: Object.fromEntries(Object.entries(x.hash).sort()), lru: Object.fromEntries(Object.entries(x.lru).sort()) });
if (norm(runs[0]) !== norm(runs[1])) throw new Error(`two recordings differ:\n${norm(runs[0])}\n${norm(runs[1])}`);
mkdirSync(join(root, 'test/fixtures/timers'), { recursive: true });
const out = { kernel: release(), source: 'test/progs/run_timer_fire.c', programs: PROGRAMS, waitMs: WAIT_MS, ...JSON.parse(norm(runs[0])) };
writeFileSync(join(root, 'test/fixtures/timers/run_timer_fire.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`record-timer-fire: ${JSON.stringify(out)}`);
