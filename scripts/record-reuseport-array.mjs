#!/usr/bin/env node
// The host kernel's answers for BPF_MAP_TYPE_REUSEPORT_SOCKARRAY operations on real sockets
// (issue 13): builds test/kernel/harness/reuseport-array.c against the 6.12 tree's libbpf
// (scripts/kernel-tree.mjs), runs it twice and records the step -> errno table in
// test/fixtures/reuseport-array.json, which test/maps/reuseport-array.test.ts compares
// with maps/reuseport-array.ts on the same sockets. Needs root and the kernel tree; not part of
// npm test.
//
//   node scripts/record-reuseport-array.mjs
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { release } from 'node:os';
import { buildHarness } from './kernel-tree.mjs';

const root = resolve(new URL('..', import.meta.url).pathname);
const bin = buildHarness('reuseport-array');
const runs = [0, 1].map(() => {
  const r = spawnSync(bin, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reuseport-array failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
});
if (JSON.stringify(runs[0]) !== JSON.stringify(runs[1])) throw new Error(`two recordings differ:\n${JSON.stringify(runs)}`);
const out = { kernel: release(), source: 'test/kernel/harness/reuseport-array.c', steps: runs[0] };
writeFileSync(join(root, 'test/fixtures/reuseport-array.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`record-reuseport-array: ${Object.keys(out.steps).length} steps on ${out.kernel}`);
