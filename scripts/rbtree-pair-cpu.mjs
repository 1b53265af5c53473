#!/usr/bin/env node
// The BPF-driven rbtree add+remove pair at 1e3 nodes (bench/engines.ts's workload: rbtree_bench.o's
// add_remove minus its nop program) in process CPU time rather than wall time, so that builds can
// be compared on a machine shared with other work: the time other processes take the CPU away is
// not counted (cache and SMT interference still is). Per sample 20,000 runs; 5 warm-up rounds,
// then 15 samples of each program alternately; prints the fastest and the median sample of each
// and the pair (add_remove - nop).
//
//   node scripts/rbtree-pair-cpu.mjs [--engine compiled|interpreter] [--verified] [--dir CHECKOUT] [--kernel]
//   (CHECKOUT: another checkout's root with a dist build, default this one; alternate two
//   checkouts' runs for a before/after comparison)
//
// --verified: both programs verified first and run as `run` and `bench` run them, the verifier's
// rewrite with its facts and no instruction budget (the kernel verifies every program it loads);
// without it, unverified runs (every check, the runtime's budget), as the earlier figures were.
//
// --kernel (root, bpffs, bpftool): the host kernel's pair in the same run, bench/kernel.ts's way:
// bench/kernel/rbtree_kfunc.o loaded with bpftool, its tree filled to 1000 nodes, then before each
// VM sample pair one `bpftool prog run ... repeat 20000` of add_remove and one of its empty
// program; the kernel's figure is its own mean time per run (ktime around the runs, so a run
// preempted by other work counts that time too), add_remove minus empty.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const root = resolve(opt('--dir', join(dirname(fileURLToPath(import.meta.url)), '..')));
const engine = opt('--engine', 'compiled');
const imp = (p) => import(pathToFileURL(join(root, p)).href);
const { load, openObject } = await imp('dist/src/loader/index.js');
const { Runtime } = await imp('dist/src/runtime.js');
const { RbtreeApi } = await imp('dist/src/rbtree-api.js');

/** bench/engines.ts's keys: the high word scrambled (inserts not sorted), the low word distinct. */
function setKey(dv, off, i) {
  dv.setUint32(off, i, true);
  dv.setUint32(off + 4, Math.imul(i + 1, 2654435761) >>> 0, true);
}
const rt = new Runtime({ engine, arena: { initialBytes: 64 << 20 } });
const obj = load(rt, openObject(new Uint8Array(readFileSync(join(root, 'test/progs/rbtree_bench.o'))), { name: 'rbtree_bench' }));
const ctx = rt.arena.alloc(8, { kind: 'ctx', name: 'args' });
const map = obj.map('tree');
const api = new RbtreeApi(map);
const v = new Uint8Array(40);
for (let k = 0; k < 1000; k++) {
  setKey(new DataView(v.buffer), 24, k);
  api.insert(v, { offset: 24, size: 8 });
}
const verified = args.includes('--verified');
const programOf = (name) => {
  const lp = obj.program(name);
  if (!verified) return lp.program;
  const r = lp.verify();
  if (!r.accepted || lp.xlated === undefined) throw new Error(`${name}: the verifier refused it`);
  return lp.xlated;
};
const addRemove = programOf('add_remove');
const nop = programOf('nop');
const exec = (p, k) => {
  setKey(rt.arena.dv, ctx, k);
  return rt.execute(p, { args: [ctx], verified }).r0;
};
const N = 20_000;
let i = 0;
const sample = (p) => {
  const t0 = process.cpuUsage();
  for (let j = 0; j < N; j++) exec(p, 1000 + (i++ % 100_000));
  const d = process.cpuUsage(t0);
  return ((d.user + d.system) * 1000) / N;
};
let kernel;
if (args.includes('--kernel')) {
  const bpftool = (a) => execFileSync('bpftool', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const pin = mkdtempSync('/sys/fs/bpf/ebpfvm-pair-');
  const tmp = mkdtempSync(join(tmpdir(), 'ebpfvm-pair-'));
  const pkt = join(tmp, 'pkt');
  writeFileSync(pkt, new Uint8Array(64));
  const cleanup = () => {
    rmSync(pin, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  bpftool(['prog', 'loadall', join(root, 'bench/kernel/rbtree_kfunc.o'), join(pin, 'p'), 'pinmaps', join(pin, 'm')]);
  const run = (prog, repeat) => JSON.parse(bpftool(['-j', 'prog', 'run', 'pinned', join(pin, 'p', prog), 'data_in', pkt, 'repeat', String(repeat)]));
  if (run('fill', 1000).retval !== 0) throw new Error('kernel: fill failed');
  run('add_remove', 10_000);
  kernel = { run, pair: [], empty: [] };
}
const kernelSample = () => {
  if (!kernel) return;
  const p = kernel.run('add_remove', N);
  if (p.retval !== 0) throw new Error(`kernel add_remove returned ${p.retval}`);
  kernel.pair.push(p.duration);
  kernel.empty.push(kernel.run('empty', N).duration);
};
for (let w = 0; w < 5; w++) sample(addRemove), sample(nop);
const a = [];
const b = [];
for (let s = 0; s < 15; s++) kernelSample(), a.push(sample(addRemove)), b.push(sample(nop));
if (exec(addRemove, 500_000) !== 0n || map.size !== 1000) throw new Error('add_remove changed the tree');
a.sort((x, y) => x - y);
b.sort((x, y) => x - y);
const f = (x) => x.toFixed(0);
console.log(`${engine}${verified ? ', verified' : ''} (${root}): add_remove fastest ${f(a[0])} median ${f(a[7])} ns; nop fastest ${f(b[0])} median ${f(b[7])} ns; pair fastest ${f(a[0] - b[0])} median ${f(a[7] - b[7])} ns CPU; load ${loadavg()[0].toFixed(1)}`);
if (kernel) {
  const d = kernel.pair.map((x, i) => x - kernel.empty[i]).sort((x, y) => x - y);
  kernel.pair.sort((x, y) => x - y);
  console.log(`host kernel (same run): add_remove fastest ${f(kernel.pair[0])} median ${f(kernel.pair[7])} ns; pair (minus empty, per sample) fastest ${f(d[0])} median ${f(d[7])} ns; VM pair / kernel pair: fastest ${((a[0] - b[0]) / d[0]).toFixed(2)}x, median ${((a[7] - b[7]) / d[7]).toFixed(2)}x`);
}
