#!/usr/bin/env node
// The TypeScript API's rbtree add+remove pair against js-sdsl's OrderedMap (issue 15: at most
// 450 ns at 1e3 nodes and at least 2x faster than OrderedMap at every size 1e3..1e6), in process
// CPU time, so that figures taken on a machine shared with other work are comparable.
//
// What each side does per pair, on a structure already holding N entries with the same scrambled
// keys as bench/rbtree.ts (high word a multiplicative hash, low word distinct):
//  - TS API: RbtreeApi.insert of a 40-byte value (24-byte rb_node + 8-byte key + 8 bytes) ordered
//    by its 8-byte key field, then RbtreeApi.remove of the node insert returned: one tree walk (the
//    API returns the node, as bpf_rbtree_add gives a program its node), a node allocated from and
//    freed to the arena, write protection of the links set and cleared;
//  - js-sdsl: setElement(key, new Uint8Array(16)) then eraseElementByKey(key): OrderedMap has no
//    handle for an inserted entry, so its natural pair walks twice; the 16-byte payload object is
//    the API's payload. Its garbage (tree node, payload) is collected by V8's GC, which is CPU time
//    of this process and is counted.
//
// Each side runs in a process of its own (the parent starts one per side and size, twice, in
// alternating order, and pools the samples). Interleaved in one process, js-sdsl's samples
// alternated between ~200 and ~540 ns at 1e3 -- with any other loop between them, even one that
// allocates nothing; alone, every sample is ~215-235 ns -- so an interleaved median said 2-2.9x
// where the steady state is ~1.2-1.3x. Per sample 20,000 pairs; 5 warm-up samples, then ROUNDS
// (21) per process. Prints the fastest sample, the median and the mean of all pooled samples (the
// mean includes every GC pause; the fastest samples of an allocating structure tend to miss
// them), and js-sdsl / TS API. With several --dir builds (a before/after comparison), each build's
// API side is a side of its own.
//
//   node scripts/rbtree-api-cpu.mjs [--sizes 1000,10000,100000,1000000] [--dir CHECKOUT]...
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { OrderedMap } from '@js-sdsl/ordered-map';

const args = process.argv.slice(2);
const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dirs = [];
for (let i = 0; i < args.length; i++) if (args[i] === '--dir') dirs.push(resolve(args[++i] ?? ''));
if (dirs.length === 0) dirs.push(here);
const sizesAt = args.indexOf('--sizes');
const sizes = (sizesAt >= 0 ? args[sizesAt + 1] : '1000,10000,100000,1000000').split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes: '${args[sizesAt + 1]}' is not a list of positive integers`);
const ROUNDS = Number(process.env.ROUNDS ?? 21);
const N = 20_000;

const keyHi = (i) => Math.imul(i + 1, 2654435761) >>> 0;
const setKey = (dv, off, i) => {
  dv.setUint32(off, i, true);
  dv.setUint32(off + 4, keyHi(i), true);
};
const key = (i) => keyHi(i) * 2 ** 20 + (i & 0xfffff);
const KEY = { offset: 24, size: 8 };
const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

/** CPU ns per pair over one sample. The clock is read outside the function that loops: read after
 *  the loop in the same function, V8 compiled the function on-stack mid-loop before that read had
 *  type feedback and threw the code away there at every sample (`--trace-deopt`). */
function sample(side) {
  const t0 = cpuNs();
  side.pairs(N);
  return (cpuNs() - t0) / N;
}

const child = args.indexOf('--child');
if (child >= 0) {
  // one side at one size: print its samples as JSON
  const [what, sizeArg] = [args[child + 1], Number(args[child + 2])];
  const side = what === 'js-sdsl' ? await sdslSide(sizeArg) : await apiSide(what, sizeArg);
  for (let w = 0; w < 5; w++) sample(side);
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) samples.push(sample(side));
  if (!side.check()) throw new Error(`${what}: the structure does not hold ${sizeArg} entries any more`);
  process.stdout.write(JSON.stringify(samples));
} else {
  const names = ['js-sdsl', ...dirs];
  const label = (n) => (n === 'js-sdsl' ? 'js-sdsl OrderedMap' : dirs.length > 1 ? `TS API (${n})` : 'TS API');
  for (const size of sizes) {
    const samples = new Map(names.map((n) => [n, []]));
    for (const order of [names, names.slice().reverse()]) {
      for (const n of order) {
        const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', n, String(size)], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 20 });
        samples.get(n).push(...JSON.parse(out));
      }
    }
    const stats = names.map((n) => {
      const sorted = samples.get(n).slice().sort((a, b) => a - b);
      return { name: label(n), api: n !== 'js-sdsl', fastest: sorted[0], median: sorted[sorted.length >> 1], mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
    });
    const sdsl = stats[0];
    console.log(`@${size} (load ${loadavg()[0].toFixed(1)}, ${2 * ROUNDS} samples a side from two processes)`);
    for (const s of stats.slice(1).concat(sdsl)) {
      const ratio = s.api ? `  js-sdsl/this: fastest ${(sdsl.fastest / s.fastest).toFixed(2)}x, median ${(sdsl.median / s.median).toFixed(2)}x, mean ${(sdsl.mean / s.mean).toFixed(2)}x` : '';
      console.log(`  ${s.name.padEnd(28)} fastest ${s.fastest.toFixed(0).padStart(5)}  median ${s.median.toFixed(0).padStart(5)}  mean ${s.mean.toFixed(0).padStart(5)} ns CPU per pair${ratio}`);
    }
  }
}

async function apiSide(dir, size) {
  const imp = (p) => import(pathToFileURL(join(dir, p)).href);
  const b = { ...(await imp('dist/maps/rbtree.js')), ...(await imp('dist/src/rbtree-api.js')), ...(await imp('dist/vm/memory.js')) };
  const map = new b.RbtreeMap(b.rbtreeSpec('api', 40), { arena: new b.Arena({ initialBytes: 1 << 20 }), ncpus: 1 });
  const api = new b.RbtreeApi(map);
  const v = new Uint8Array(40);
  const dv = new DataView(v.buffer);
  for (let i = 0; i < size; i++) {
    setKey(dv, 24, i);
    api.insert(v, KEY);
  }
  let i = 0;
  return {
    pairs(n) {
      for (let k = 0; k < n; k++) {
        setKey(dv, 24, size + (i++ % 100_000));
        api.remove(api.insert(v, KEY));
      }
    },
    check: () => map.size === size && map.nodesAlive === size && api.check(KEY).length === 0,
  };
}

async function sdslSide(size) {
  const m = new OrderedMap();
  for (let i = 0; i < size; i++) m.setElement(key(i), new Uint8Array(16));
  let j = 0;
  return {
    pairs(n) {
      for (let k = 0; k < n; k++) {
        const kk = key(size + (j++ % 100_000));
        m.setElement(kk, new Uint8Array(16));
        m.eraseElementByKey(kk);
      }
    },
    check: () => m.size() === size,
  };
}
