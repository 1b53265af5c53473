// One memory measurement in a fresh process: bench/memory.ts spawns
// `node --expose-gc dist/bench/memory-probe.js IMPL N`, which builds one ordered map of N entries
// with a 16-byte payload and prints what the process gained as JSON (a ProbeResult).
//
// A fresh process per figure, because what a process has already allocated (JIT code, the other
// maps' garbage, a previous arena) would otherwise shift the deltas. bench/memory.ts runs N = 0
// and N = n and takes the difference, which also cancels the fixed cost of creating the map.
//
// Counted: heapUsed (JS objects, including the arena's slab records and free lists), arrayBuffers
// (every typed array: page tables, the write-protect bitmap, slot tables, the rbtree ownership
// bitmap, and the arena buffer, which bench/memory.ts takes out again) and, for the VM, the arena
// pages handed out to allocations, from Arena.footprint().
import { OrderedMap } from '@js-sdsl/ordered-map';
import { RbtreeMap, rbtreeSpec } from '../maps/rbtree.js';
import { RbtreeApi, type KeyField } from '../src/rbtree-api.js';
import { Arena, type ArenaFootprint } from '../vm/memory.js';
import { BTree, keyOf } from './rbtree-helpers.js';

export type ProbeImpl = 'rbtree' | 'js-sdsl' | 'sorted-btree';

export interface ProbeResult {
  impl: ProbeImpl;
  n: number;
  /** process.memoryUsage() after minus before (both after a full GC), in bytes. */
  heapUsed: number;
  arrayBuffers: number;
  external: number;
  rss: number;
  /** rbtree only: the arena's own account, and the map's ownership bitmap. */
  arena?: ArenaFootprint;
  ownershipBitmapBytes?: number;
  nodes?: number;
}

const PAYLOAD = 16;
const VALUE_SIZE = 24 + PAYLOAD; // struct rb_node + the payload: 40 bytes
const KEY: KeyField = { offset: 24, size: 8 };
const scrambled = (i: number): number => keyOf('random', i);

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('memory-probe: run with node --expose-gc');
  g();
  g();
}

export function probe(impl: ProbeImpl, n: number): ProbeResult {
  gc();
  const before = process.memoryUsage();
  let keep: unknown;
  let extra: Pick<ProbeResult, 'arena' | 'ownershipBitmapBytes' | 'nodes'> = {};
  if (impl === 'rbtree') {
    const arena = new Arena({ initialBytes: 1 << 20, maxBytes: 1 << 30 });
    const map = new RbtreeMap(rbtreeSpec('mem', VALUE_SIZE), { arena, ncpus: 1 });
    const api = new RbtreeApi(map);
    const v = new Uint8Array(VALUE_SIZE);
    const dv = new DataView(v.buffer);
    for (let i = 0; i < n; i++) {
      const k = scrambled(i);
      dv.setUint32(24, k % 2 ** 32, true);
      dv.setUint32(28, Math.floor(k / 2 ** 32), true);
      if (api.insert(v, KEY) === 0) throw new Error(`memory-probe: insert ${i} failed`);
    }
    if (map.size !== n) throw new Error(`memory-probe: the tree holds ${map.size} of ${n} nodes`);
    keep = map;
    extra = { arena: arena.footprint(), ownershipBitmapBytes: map.bookkeepingBytes, nodes: map.nodesAlive };
  } else if (impl === 'js-sdsl') {
    const m = new OrderedMap<number, Uint8Array>();
    for (let i = 0; i < n; i++) m.setElement(scrambled(i), new Uint8Array(PAYLOAD));
    if (m.size() !== n) throw new Error(`memory-probe: OrderedMap holds ${m.size()} of ${n}`);
    keep = m;
  } else {
    const t = new BTree<number, Uint8Array>();
    for (let i = 0; i < n; i++) t.set(scrambled(i), new Uint8Array(PAYLOAD));
    if (t.size !== n) throw new Error(`memory-probe: BTree holds ${t.size} of ${n}`);
    keep = t;
  }
  gc();
  const after = process.memoryUsage();
  if (keep === undefined) throw new Error('unreachable'); // keeps the structure alive until measured
  return {
    impl,
    n,
    heapUsed: after.heapUsed - before.heapUsed,
    arrayBuffers: after.arrayBuffers - before.arrayBuffers,
    external: after.external - before.external,
    rss: after.rss - before.rss,
    ...extra,
  };
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file:').href) {
  const [impl, n] = process.argv.slice(2);
  if (impl !== 'rbtree' && impl !== 'js-sdsl' && impl !== 'sorted-btree') throw new Error(`memory-probe: unknown implementation '${impl}'`);
  process.stdout.write(JSON.stringify(probe(impl, Number(n))));
}
