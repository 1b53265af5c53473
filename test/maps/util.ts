// Small helpers for map tests: u32/u64 byte arrays and arena-resident keys/values for program-side ops.
import { Arena } from '../../vm/memory.js';
import type { BpfMap, MapSpec } from '../../maps/types.js';

export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}
export function u64(n: bigint | number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(n)), true);
  return b;
}
export function readU32(b: Uint8Array | undefined, off = 0): number | undefined {
  return b === undefined ? undefined : new DataView(b.buffer, b.byteOffset).getUint32(off, true);
}
export function readU64(b: Uint8Array | undefined, off = 0): bigint | undefined {
  return b === undefined ? undefined : new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);
}

export function spec(type: number, over: Partial<MapSpec> = {}): MapSpec {
  return { name: 'm', type, keySize: 4, valueSize: 8, maxEntries: 4, flags: 0, ...over };
}

/** Put bytes into the arena (stack-like scratch for program-side calls). */
export function place(arena: Arena, bytes: Uint8Array): number {
  const a = arena.alloc(Math.max(bytes.length, 1), { kind: 'stack', name: 'scratch' });
  arena.write(a, bytes);
  return a;
}

export function keysOf(map: BpfMap): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let k = map.nextKey(undefined); k !== undefined; k = map.nextKey(k)) out.push(k);
  return out;
}

export function newArena(): Arena {
  return new Arena({ initialBytes: 1 << 20, maxBytes: 1 << 28 });
}
