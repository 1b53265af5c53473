// Memory per rbtree node (issue 8): the VM's arena bytes and JS heap per node at 1e6 nodes with a
// 16-byte payload (bench/rbtree.ts's bytesPerNode), and the heap per entry of the two JS ordered
// maps holding the same keys with a 16-byte Uint8Array payload each, measured the same way
// (heapUsed + arrayBuffers before and after, with a GC on both sides).
import { OrderedMap } from '@js-sdsl/ordered-map';
import { ensureGc } from './gc.js';
import { bytesPerNode } from './rbtree.js';
import { BTree, keyOf } from './rbtree-helpers.js';
import { registerSuite, type BenchResult } from './registry.js';

function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Heap bytes per entry of a JS map filled by `fill` with n entries; `size` checks it. */
function jsBytesPerEntry(n: number, make: () => { fill: (k: number) => void; size: () => number }): number {
  const gc = ensureGc();
  gc();
  const before = heapBytes();
  const m = make();
  for (let i = 0; i < n; i++) m.fill(keyOf('random', i));
  gc();
  const after = heapBytes();
  if (m.size() !== n) throw new Error(`memory: map holds ${m.size()} of ${n} entries`);
  return (after - before) / n;
}

export function memoryRows(n: number): BenchResult[] {
  ensureGc();
  const row = (what: string, value: number, impl: string, mode: BenchResult['mode'], note?: string): BenchResult => ({
    name: `memory/${what} @${n}`,
    tags: ['memory'],
    value,
    unit: 'B/node',
    mode,
    params: { impl, what, size: n },
    ...(note ? { note } : {}),
  });
  const vm = bytesPerNode(n);
  const pick = (suffix: string) => {
    const r = vm.find((x) => x.suite.endsWith(suffix));
    if (!r || !Number.isFinite(r.value)) throw new Error(`memory: no '${suffix}' figure`);
    return r.value;
  };
  const total = pick('total');
  if (total < 40) throw new Error(`memory: ${total} B per node is less than the 40-byte node itself`);
  const sdsl = jsBytesPerEntry(n, () => {
    const m = new OrderedMap<number, Uint8Array>();
    return { fill: (k) => void m.setElement(k, new Uint8Array(16)), size: () => m.size() };
  });
  const bt = jsBytesPerEntry(n, () => {
    const t = new BTree<number, Uint8Array>();
    return { fill: (k) => void t.set(k, new Uint8Array(16)), size: () => t.size };
  });
  return [
    row('rbtree arena (slab footprint)', pick('arena (slab footprint)'), 'bpf', 'unverified', 'arena bytes per node: the 40-byte node and its share of the slab'),
    row('rbtree ownership bitmap', pick('ownership bitmap'), 'bpf', 'unverified'),
    row('rbtree other JS heap', pick('other JS heap'), 'bpf', 'unverified'),
    row('rbtree total', total, 'bpf', 'unverified', 'DESIGN target <= 48'),
    row('js-sdsl OrderedMap entry', sdsl, 'js-sdsl', 'n/a', 'JS heap incl. the 16-byte Uint8Array payload'),
    row('sorted-btree entry', bt, 'sorted-btree', 'n/a', 'JS heap incl. the 16-byte Uint8Array payload'),
  ];
}

registerSuite({
  name: 'memory/per node',
  tags: ['memory', 'rbtree', 'quick'],
  fn: () => {},
  rows: ({ quick, progress }) => {
    progress(`memory per node @${quick ? '1e5' : '1e6'}`);
    return memoryRows(quick ? 100_000 : 1_000_000);
  },
});
