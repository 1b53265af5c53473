#!/usr/bin/env node
// The scheduler example through the library API instead of the CLI: load the object, run the
// program on the bundled packet, print the queue in deadline order and the time taken.
//   npm run build && node examples/run-scheduler.mjs [repeat]
import { readFileSync } from 'node:fs';
import { Runtime, openObject, load } from '../dist/src/index.js';
import { testRun } from '../dist/vm/test-run.js';
import { RbtreeApi } from '../dist/src/rbtree-api.js';

const here = (f) => new URL(f, import.meta.url);
const repeat = Number(process.argv[2] ?? 1);
const runtime = new Runtime();
const obj = load(runtime, openObject(new Uint8Array(readFileSync(here('./scheduler.o'))), { name: 'scheduler' }));
const t0 = process.hrtime.bigint();
const r = testRun(runtime, obj.program('schedule').program, { data: new Uint8Array(readFileSync(here('./packets.bin'))), repeat });
const wall = Number(process.hrtime.bigint() - t0);

// struct pending { struct rb_node node; __u32 deadline_us, flow, bytes, seq; }
const queue = new RbtreeApi(obj.map('queue'), {
  decode: (b) => {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return { deadline_us: dv.getUint32(24, true), flow: dv.getUint32(28, true), bytes: dv.getUint32(32, true), seq: dv.getUint32(36, true) };
  },
});
const shown = queue.values().slice(0, 20);
console.log(`retval ${r.retval}, ${repeat} run(s), ${(r.durationNs / 1000).toFixed(1)} us per run (${(wall / 1e6).toFixed(1)} ms wall)`);
console.log(`queue: ${queue.size} pending, in deadline order${queue.size > shown.length ? ` (first ${shown.length})` : ''}:`);
for (const v of shown) console.log(`  deadline ${v.deadline_us} us  flow ${v.flow}  ${v.bytes} bytes  (seq ${v.seq})`);
const stats = obj.spec.globals.get('stats');
if (stats) {
  const b = obj.map(stats.map).lookup(new Uint8Array(4));
  const dv = new DataView(b.buffer, b.byteOffset + stats.offset);
  const names = ['batches', 'enqueued', 'dispatched', 'dispatched_bytes', 'alloc_failed', 'backlog'];
  console.log('stats:', Object.fromEntries(names.map((n, i) => [n, Number(dv.getBigUint64(i * 8, true))])));
}
const bad = queue.check({ offset: 24, size: 4 });
if (bad.length) throw new Error(`red-black invariants broken: ${bad.join('; ')}`);
