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
// Per sample 20,000 pairs; 5 warm-up rounds, then ROUNDS (21) samples of each side alternately
// (and of each --dir build, for a before/after comparison in one process). Prints the fastest
// sample, the median sample and the mean of all samples (the mean includes every GC pause, which
// the fastest samples of an allocating structure tend to leave out), and js-sdsl / TS API.
//
//   node scripts/rbtree-api-cpu.mjs [--sizes 1000,10000,100000,1000000] [--dir CHECKOUT]...
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

const builds = [];
for (const dir of dirs) {
  const imp = (p) => import(pathToFileURL(join(dir, p)).href);
  builds.push({ dir, ...(await imp('dist/maps/rbtree.js')), ...(await imp('dist/src/rbtree-api.js')), ...(await imp('dist/vm/memory.js')) });
}

for (const size of sizes) {
  const sides = [];
  for (const b of builds) {
    const map = new b.RbtreeMap(b.rbtreeSpec('api', 40), { arena: new b.Arena({ initialBytes: 1 << 20 }), ncpus: 1 });
    const api = new b.RbtreeApi(map);
    const v = new Uint8Array(40);
    const dv = new DataView(v.buffer);
    for (let i = 0; i < size; i++) {
      setKey(dv, 24, i);
      api.insert(v, KEY);
    }
    let i = 0;
    sides.push({
      name: builds.length > 1 ? `TS API (${b.dir})` : 'TS API',
      api: true,
      sample() {
        const t0 = cpuNs();
        for (let k = 0; k < N; k++) {
          setKey(dv, 24, size + (i++ % 100_000));
          api.remove(api.insert(v, KEY));
        }
        return (cpuNs() - t0) / N;
      },
      check: () => map.size === size && map.nodesAlive === size && api.check(KEY).length === 0,
    });
  }
  const m = new OrderedMap();
  for (let i = 0; i < size; i++) m.setElement(key(i), new Uint8Array(16));
  let j = 0;
  sides.push({
    name: 'js-sdsl OrderedMap',
    api: false,
    sample() {
      const t0 = cpuNs();
      for (let k = 0; k < N; k++) {
        const kk = key(size + (j++ % 100_000));
        m.setElement(kk, new Uint8Array(16));
        m.eraseElementByKey(kk);
      }
      return (cpuNs() - t0) / N;
    },
    check: () => m.size() === size,
  });
  for (let w = 0; w < 5; w++) for (const s of sides) s.sample();
  const samples = sides.map(() => []);
  for (let r = 0; r < ROUNDS; r++) sides.forEach((s, k) => samples[k].push(s.sample()));
  const stats = sides.map((s, k) => {
    if (!s.check()) throw new Error(`${s.name}: the structure does not hold ${size} entries any more`);
    const sorted = samples[k].slice().sort((a, b) => a - b);
    return { name: s.name, api: s.api, fastest: sorted[0], median: sorted[ROUNDS >> 1], mean: sorted.reduce((a, b) => a + b, 0) / ROUNDS };
  });
  const sdsl = stats.find((s) => !s.api);
  console.log(`@${size} (load ${loadavg()[0].toFixed(1)})`);
  for (const s of stats) {
    const ratio = s.api ? `  js-sdsl/this: fastest ${(sdsl.fastest / s.fastest).toFixed(2)}x, median ${(sdsl.median / s.median).toFixed(2)}x, mean ${(sdsl.mean / s.mean).toFixed(2)}x` : '';
    console.log(`  ${s.name.padEnd(28)} fastest ${s.fastest.toFixed(0).padStart(5)}  median ${s.median.toFixed(0).padStart(5)}  mean ${s.mean.toFixed(0).padStart(5)} ns CPU per pair${ratio}`);
  }
}
