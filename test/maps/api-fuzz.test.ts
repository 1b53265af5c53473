// The user-space map API under hostile arguments (fast-check): every map type, random sequences
// of lookup/update/delete/nextKey/pop/freeze with wrong-sized, non-byte and null keys and
// values, out-of-range flags (2^32, NaN, 1.5, -1) and a small arena that runs out. Every call
// returns a result (errno <= 0, bytes or undefined) or throws a MapError with an errno -- never
// a raw JS error -- and a refused call leaves the map exactly as it was.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Runtime } from '../../src/runtime.js';
import { MapError } from '../../src/errors.js';
import { MapFlag, MapType, type BpfMap, type MapSpec } from '../../maps/types.js';
import { mov64, exit, prog } from '../vm/enc.js';
import { ProgType } from '../../vm/prog-types.js';

const inner: MapSpec = { name: 'in', type: MapType.ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 };
const SPECS: MapSpec[] = [
  { name: 'array', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 8, flags: 0 },
  { name: 'array_lock', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, spinLockOffset: 4 },
  { name: 'hash', type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 16, flags: 0 },
  { name: 'hash_big', type: MapType.HASH, keySize: 4, valueSize: 1 << 20, maxEntries: 64, flags: MapFlag.NO_PREALLOC },
  { name: 'percpu_array', type: MapType.PERCPU_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0 },
  { name: 'percpu_hash', type: MapType.PERCPU_HASH, keySize: 4, valueSize: 8, maxEntries: 8, flags: 0 },
  { name: 'lru_hash', type: MapType.LRU_HASH, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0 },
  { name: 'lru_percpu_hash', type: MapType.LRU_PERCPU_HASH, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0 },
  { name: 'lpm_trie', type: MapType.LPM_TRIE, keySize: 8, valueSize: 8, maxEntries: 8, flags: MapFlag.NO_PREALLOC },
  { name: 'lpm_big', type: MapType.LPM_TRIE, keySize: 8, valueSize: 1 << 20, maxEntries: 64, flags: MapFlag.NO_PREALLOC },
  { name: 'queue', type: MapType.QUEUE, keySize: 0, valueSize: 8, maxEntries: 4, flags: 0 },
  { name: 'stack', type: MapType.STACK, keySize: 0, valueSize: 8, maxEntries: 4, flags: 0 },
  { name: 'bloom', type: MapType.BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 8, flags: 0 },
  { name: 'devmap', type: MapType.DEVMAP, keySize: 4, valueSize: 8, maxEntries: 8, flags: 0 },
  { name: 'devmap_hash', type: MapType.DEVMAP_HASH, keySize: 4, valueSize: 8, maxEntries: 8, flags: 0 },
  { name: 'cpumap', type: MapType.CPUMAP, keySize: 4, valueSize: 4, maxEntries: 8, flags: 0 },
  { name: 'prog_array', type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 8, flags: 0 },
  { name: 'array_of_maps', type: MapType.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 8, flags: 0, innerMap: inner },
  { name: 'hash_of_maps', type: MapType.HASH_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 8, flags: 0, innerMap: inner },
  { name: 'perf_event_array', type: MapType.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0 },
];

/** Small ints (valid ids, indexes and ifindex 1) are likeliest to be accepted. */
const bytesOf = (n: number) => fc.oneof(fc.uint8Array({ minLength: n, maxLength: n, max: 3 }), fc.uint8Array({ minLength: n, maxLength: n }));
const hostile = fc.constantFrom<unknown>(null, undefined, 'abcd', [1, 2, 3, 4], 7, {}, new Uint8Array(3), new Uint16Array(4));
const arg = (n: number) => fc.oneof({ weight: 5, arbitrary: bytesOf(n) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 12 }).chain((k) => bytesOf(k)) }, { weight: 1, arbitrary: hostile });
const flagsArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(0, 1, 2) }, { weight: 1, arbitrary: fc.constantFrom(3, 4, 8, 2 ** 32, 2 ** 32 + 2, NaN, 1.5, -1, Infinity) });

type Op = { op: 'lookup' | 'delete' | 'next' | 'pop'; key: unknown } | { op: 'update'; key: unknown; value: unknown; flags: number } | { op: 'freeze' };

function opArb(s: MapSpec): fc.Arbitrary<Op> {
  const valueLen = s.type === MapType.PERCPU_ARRAY || s.type === MapType.PERCPU_HASH || s.type === MapType.LRU_PERCPU_HASH ? 16 : s.valueSize;
  return fc.oneof(
    { weight: 15, arbitrary: fc.record({ op: fc.constant('update' as const), key: arg(s.keySize), value: arg(Math.min(valueLen, 64)).map((v) => (v instanceof Uint8Array && valueLen > 64 && v.length === 64 ? new Uint8Array(valueLen) : v)), flags: flagsArb }) },
    { weight: 10, arbitrary: fc.record({ op: fc.constantFrom('lookup' as const, 'delete' as const, 'next' as const, 'pop' as const), key: arg(s.keySize) }) },
    // the 1 MiB-value maps are there to run the arena out: no freezing them half-way
    { weight: s.valueSize > 4096 ? 0 : 1, arbitrary: fc.constant({ op: 'freeze' as const }) },
  );
}

/** Everything user space can see of a map. */
function dump(m: BpfMap): string {
  const out: string[] = [];
  let k = m.nextKey(undefined);
  for (let i = 0; k !== undefined && i < 100; i++) {
    const v = m.lookup(k);
    out.push(`${Array.from(k).join(',')}=${v ? Array.from(v.subarray(0, 16)).join(',') : '-'}`);
    k = m.nextKey(k);
  }
  if (m.keySize === 0) {
    const v = m.lookup(new Uint8Array(0));
    out.push(`peek=${v ? Array.from(v).join(',') : '-'}`);
    out.push(`size=${(m as { length?: number }).length ?? ''}`);
  }
  return out.join(';');
}

function run(m: BpfMap, o: Op): { result: unknown; refused: boolean } {
  try {
    switch (o.op) {
      case 'lookup':
        return { result: m.lookup(o.key as Uint8Array), refused: false };
      case 'next':
        return { result: m.nextKey(o.key as Uint8Array), refused: false };
      case 'delete': {
        const r = m.delete(o.key as Uint8Array);
        return { result: r, refused: r < 0 };
      }
      case 'update': {
        const r = m.update(o.key as Uint8Array, o.value as Uint8Array, o.flags);
        return { result: r, refused: r < 0 };
      }
      case 'pop': {
        const pop = (m as { lookupAndDelete?: (k: Uint8Array) => Uint8Array | undefined }).lookupAndDelete;
        return { result: pop ? pop.call(m, o.key as Uint8Array) : undefined, refused: false };
      }
      case 'freeze':
        m.frozen = true;
        return { result: undefined, refused: false };
    }
  } catch (e) {
    if (!(e instanceof MapError) || typeof e.errno !== 'number' || e.errno >= 0) throw new Error(`raw or errno-less error from ${o.op}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    return { result: e, refused: true };
  }
}

describe('user-space map API under hostile arguments', () => {
  for (const s of SPECS) {
    it(`${s.name}: results or MapErrors with an errno, refusals change nothing`, () => {
      fc.assert(
        fc.property(fc.array(opArb(s), { minLength: 1, maxLength: s.valueSize > 4096 ? 60 : 24 }), (ops) => {
          const rt = new Runtime({ ncpus: 2, arena: { maxBytes: 4 << 20 } });
          const progId = rt.registerProgram(prog([mov64(0, 0), exit()], { progType: ProgType.XDP }));
          rt.createMap(inner);
          void progId;
          const m = rt.createMap(s).map;
          for (const o of ops) {
            const before = dump(m);
            const { result, refused } = run(m, o);
            if (typeof result === 'number') expect(Number.isInteger(result) && result <= 0, `${o.op} returned ${result}`).toBe(true);
            if (refused || m.frozen) {
              if (o.op !== 'lookup' && o.op !== 'next') expect(dump(m), `${o.op} ${refused ? 'refused' : 'on a frozen map'} changed the map`).toBe(before);
            }
          }
        }),
        // the 1 MiB-value maps fill the 4 MiB arena in a few updates; fewer runs keep them fast
        { numRuns: s.valueSize > 4096 ? 30 : 150, seed: 0xa11 + s.type },
      );
    });
  }
});
