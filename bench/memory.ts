// Memory per rbtree node (DESIGN section 10: at most 48 bytes with a 16-byte payload, counting
// every side table), and per entry of the two JS ordered maps holding the same keys with a
// 16-byte Uint8Array payload each.
//
// The figure is LIVE bytes: the arena pages the nodes occupy (40-byte slots and their slabs'
// unused tails), every typed array (page tables, the write-protect bitmap, the slab slot tables,
// the map's ownership bitmap) and all JS heap growth (slab records, free lists). Each comes from a
// fresh process (bench/memory-probe.ts) at N = 0 and at N, and the figure is the difference over
// N. Beside it: the arena's reserved size (the buffer grows by doubling, so up to 2x the pages in
// use is allocated, the part never touched costing no RAM) and the RSS growth. Node counts the
// whole arena buffer in arrayBuffers: the live figure takes the arena's pages in use instead.
//
// The suite checks its own result: the node count, that the live figure holds at least the slots
// and the side tables the arena and the map report, and that Node's arrayBuffers saw those typed
// arrays (so nothing the figure relies on went uncounted).
import { execFileSync } from 'node:child_process';
import type { ProbeImpl, ProbeResult } from './memory-probe.js';
import { repoPath } from './paths.js';
import { registerSuite, type BenchResult } from './registry.js';

const PROBE = repoPath('dist/bench/memory-probe.js');
const NODE_BYTES = 40; // struct rb_node (24) + the 16-byte payload

function runProbe(impl: ProbeImpl, n: number): ProbeResult {
  const out = execFileSync(process.execPath, ['--expose-gc', PROBE, impl, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as ProbeResult;
}

/** Live bytes of one probe: arena pages in use (rbtree only) + JS heap + typed arrays other than
 *  the arena buffer (Node counts all of it, touched or not, in arrayBuffers). */
function liveBytes(p: ProbeResult): number {
  return (p.arena?.pagesInUseBytes ?? 0) + p.heapUsed + p.arrayBuffers - (p.arena?.reservedBytes ?? 0);
}

export interface RbtreeMemory {
  n: number;
  /** Per node, N = n minus N = 0. */
  live: number;
  slots: number;
  protectBitmap: number;
  slotTables: number;
  pageTables: number;
  ownershipBitmap: number;
  jsHeap: number;
  otherTypedArrays: number;
  reserved: number;
  rss: number;
}

/** The rbtree's bytes per node from two fresh processes; throws when the result is not credible. */
export function rbtreeMemory(n: number): RbtreeMemory {
  const zero = runProbe('rbtree', 0);
  const full = runProbe('rbtree', n);
  if (full.nodes !== n || zero.nodes !== 0) throw new Error(`memory: the probe holds ${full.nodes} nodes, not ${n}`);
  const a0 = zero.arena!;
  const a1 = full.arena!;
  const per = (x: number) => x / n;
  const known = {
    protectBitmap: a1.protectBitmapBytes - a0.protectBitmapBytes,
    slotTables: a1.slotTableBytes - a0.slotTableBytes,
    pageTables: a1.pageTableBytes - a0.pageTableBytes,
    ownershipBitmap: full.ownershipBitmapBytes! - zero.ownershipBitmapBytes!,
  };
  const knownTyped = known.protectBitmap + known.slotTables + known.pageTables + known.ownershipBitmap;
  const slots = a1.pagesInUseBytes - a0.pagesInUseBytes;
  const typed = full.arrayBuffers - a1.reservedBytes - (zero.arrayBuffers - a0.reservedBytes);
  const live = liveBytes(full) - liveBytes(zero);
  // Node must have seen the typed arrays the arena and the map report (otherwise the heap figures
  // are not measuring what this suite assumes), and the total must hold at least them and the slots.
  if (typed < knownTyped * 0.99) throw new Error(`memory: arrayBuffers grew by ${typed} B, less than the ${knownTyped} B of side tables the arena and map report`);
  if (slots < n * NODE_BYTES) throw new Error(`memory: ${slots} B of arena pages for ${n} nodes of ${NODE_BYTES} B`);
  if (live < slots + knownTyped) throw new Error(`memory: live ${live} B is less than the slots (${slots} B) and known side tables (${knownTyped} B)`);
  return {
    n,
    live: per(live),
    slots: per(slots),
    protectBitmap: per(known.protectBitmap),
    slotTables: per(known.slotTables),
    pageTables: per(known.pageTables),
    ownershipBitmap: per(known.ownershipBitmap),
    jsHeap: per(full.heapUsed - zero.heapUsed),
    otherTypedArrays: per(typed - knownTyped),
    reserved: per(a1.reservedBytes - a0.reservedBytes),
    rss: per(full.rss - zero.rss),
  };
}

/** Live bytes per entry of a JS ordered map (JS heap + typed arrays, N = n minus N = 0) and RSS. */
function jsMemory(impl: ProbeImpl, n: number): { live: number; rss: number } {
  const zero = runProbe(impl, 0);
  const full = runProbe(impl, n);
  const live = (liveBytes(full) - liveBytes(zero)) / n;
  if (live < PAYLOAD_BYTES) throw new Error(`memory: ${impl} costs ${live} B per entry, less than its ${PAYLOAD_BYTES}-byte payload`);
  return { live, rss: (full.rss - zero.rss) / n };
}
const PAYLOAD_BYTES = 16;

export function memoryRows(n: number): BenchResult[] {
  const row = (what: string, value: number, impl: string, mode: BenchResult['mode'], note?: string): BenchResult => ({
    name: `memory/${what} @${n}`,
    tags: ['memory'],
    value,
    unit: 'B/node',
    mode,
    params: { impl, what, size: n },
    ...(note ? { note } : {}),
  });
  const m = rbtreeMemory(n);
  const sdsl = jsMemory('js-sdsl', n);
  const bt = jsMemory('sorted-btree', n);
  return [
    row('rbtree total (live)', m.live, 'bpf', 'unverified', 'DESIGN target <= 48: the rows below, from fresh processes at N = 0 and N'),
    row('rbtree arena pages (40-byte slots)', m.slots, 'bpf', 'unverified', 'slab pages in use: the 40-byte node and its slab\'s unused tail'),
    row('rbtree write-protect bitmap', m.protectBitmap, 'bpf', 'unverified', '2 bits per 8 arena bytes (protected, partly protected), over the whole reserved arena'),
    row('rbtree slab slot tables', m.slotTables, 'bpf', 'unverified', '2 bytes a slot'),
    row('rbtree page tables', m.pageTables, 'bpf', 'unverified', 'page owner and protected-page flag, per reserved page'),
    row('rbtree ownership bitmap', m.ownershipBitmap, 'bpf', 'unverified', 'the map\'s: 1 bit per window, the largest power of two <= the value size (32 bytes for these 40-byte nodes)'),
    row('rbtree JS heap', m.jsHeap, 'bpf', 'unverified', 'heapUsed growth: slab records, free lists'),
    row('rbtree other typed arrays', m.otherTypedArrays, 'bpf', 'unverified', 'arrayBuffers growth not in the rows above'),
    row('rbtree arena reserved (not live)', m.reserved, 'bpf', 'unverified', 'the arena buffer\'s size: grows by doubling, untouched pages cost no RAM'),
    row('rbtree RSS growth (not live)', m.rss, 'bpf', 'unverified', 'process RSS, N = n minus N = 0'),
    row('js-sdsl OrderedMap entry (live)', sdsl.live, 'js-sdsl', 'n/a', `JS heap incl. the 16-byte Uint8Array payload; RSS ${sdsl.rss.toFixed(1)}`),
    row('sorted-btree entry (live)', bt.live, 'sorted-btree', 'n/a', `JS heap incl. the 16-byte Uint8Array payload; RSS ${bt.rss.toFixed(1)}`),
  ];
}

registerSuite({
  name: 'memory/per node',
  tags: ['memory', 'rbtree', 'quick'],
  fn: () => {},
  rows: ({ quick, progress }) => {
    progress(`memory per node @${quick ? '1e5' : '1e6'} (fresh processes)`);
    return memoryRows(quick ? 100_000 : 1_000_000);
  },
});
