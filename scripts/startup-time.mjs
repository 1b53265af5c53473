#!/usr/bin/env node
// Start-up time of the CLI (issue 15): `node -e 0`, `ebpfvm run` on a small object and the
// conformance plugin on a two-instruction program, each a fresh process, interleaved, N rounds;
// prints the fastest and the median wall time of each and both as multiples of `node -e 0`'s, with
// the load average before and after (the fastest is the steadiest figure on a shared machine).
// `ebpfvm` and the plugin are started through their package.json bins (dist/src/cli/bin-*.cjs),
// which run the bundle of `npm run build` (with its V8 code cache) when it is fresh; the unbundled entries are measured
// too. Uses the dist build: run `npm run build` first.
//
// With --cpu, each process's own CPU time (user + system, from process start to exit, reported by a
// preloaded scripts/startup-cpu.cjs on fd 3) is measured instead of wall time: on a machine shared
// with other work it does not count the time other processes hold the CPU.
//
//   node scripts/startup-time.mjs [N=10] [--also DIR] [--cpu]   (DIR: another checkout's build, same commands)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const cpuAt = args.indexOf('--cpu');
const cpu = cpuAt >= 0;
if (cpu) args.splice(cpuAt, 1);
const alsoAt = args.indexOf('--also');
const also = alsoAt >= 0 ? resolve(args.splice(alsoAt, 2)[1] ?? '') : undefined;
const N = Number(args[0] ?? 10);
if (!Number.isInteger(N) || N < 1) throw new Error(`N: '${args[0]}' is not a positive integer`);

const MOV42_EXIT = 'b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00'; // r0 = 42; exit
const RUN = ['run', 'test/progs/smoke_array.o', '--prog', 'prog'];
/** A checkout's package bin: CommonJS (.cjs) since the launchers load the bundle with a code
 *  cache; older checkouts (for --also) have ESM .js bins. */
const bin = (dir, name) => (existsSync(join(dir, `dist/src/cli/bin-${name}.cjs`)) ? `dist/src/cli/bin-${name}.cjs` : `dist/src/cli/bin-${name}.js`);
const cmds = [['node -e 0', root, ['-e', '0']]];
for (const [tag, dir] of [['', root], ...(also ? [[` (${also})`, also]] : [])]) {
  cmds.push([`ebpfvm run smoke_array${tag}`, dir, [bin(dir, 'ebpfvm'), ...RUN]]);
  cmds.push([`main.js run (unbundled)${tag}`, dir, ['dist/src/cli/main.js', ...RUN]]);
  cmds.push([`conformance plugin${tag}`, dir, [bin(dir, 'conformance')], MOV42_EXIT]);
  cmds.push([`conformance.js (unbundled)${tag}`, dir, ['dist/src/cli/conformance.js'], MOV42_EXIT]);
}
const times = new Map(cmds.map(([name]) => [name, []]));
const before = loadavg();
for (let i = 0; i < N; i++)
  for (const [name, cwd, argv, input] of cmds) {
    const start = process.hrtime.bigint();
    const r = cpu
      ? spawnSync(process.execPath, ['--require', join(root, 'scripts/startup-cpu.cjs'), ...argv], { cwd, input: input ?? '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe', 'pipe'] })
      : spawnSync(process.execPath, argv, { cwd, input: input ?? '', encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    const ms = cpu ? Number(r.output[3]) : wall;
    if (!Number.isFinite(ms)) throw new Error(`${name}: no CPU time reported on fd 3`);
    times.get(name).push(ms);
  }
const after = loadavg();
const median = (t) => t[t.length >> 1];
const node = times.get('node -e 0').sort((a, b) => a - b);
for (const [name, t] of times) {
  t.sort((a, b) => a - b);
  console.log(`${name.padEnd(40)} fastest ${t[0].toFixed(1).padStart(7)} ms  median ${median(t).toFixed(1).padStart(7)} ms  fastest/node ${(t[0] / node[0]).toFixed(2)}x  median/node ${(median(t) / median(node)).toFixed(2)}x`);
}
const la = (l) => l.map((x) => x.toFixed(2)).join(' ');
console.log(`${cpu ? 'process CPU time (user + system); ' : ''}${N} rounds, interleaved; load average (1/5/15 min) before ${la(before)}, after ${la(after)}; node ${process.version}`);
