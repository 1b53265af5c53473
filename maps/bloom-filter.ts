// BPF_MAP_TYPE_BLOOM_FILTER (kernel/bpf/bloom_filter.c): key_size 0; values are added with
// bpf_map_push_elem (flags must be BPF_ANY) and tested with bpf_map_peek_elem (0 = maybe present,
// -ENOENT = certainly absent). Nothing can be removed: pop and delete are -EOPNOTSUPP.
//
// Same sizing and hashing as the kernel: nr_hashes = map_extra (1..15, default 5); the bitset has
// max_entries * nr_hashes * 7 / 5 bits rounded up to a power of two (at least 64); bit i of value v
// is jhash2 (value_size a multiple of 4) or jhash of v with seed `hash_seed + i`, masked. The
// kernel draws hash_seed at random unless BPF_F_ZERO_SEED; ebpfvm always uses 0 so runs are
// reproducible (false positives then fall on the same values every time).
// User space: update = push, lookup (with the value as input) = peek; see `contains`.

import { MapError } from '../src/errors.js';
import { ACCESS_MASK, createError } from './common.js';
import { Errno, MapFlag, type BpfMap, type MapContext, type MapSpec } from './types.js';

const DEFAULT_HASHES = 5;

export class BloomFilterMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 0;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly nrHashes: number;
  readonly bitsetMask: number;
  frozen = false;
  private readonly bits: Uint8Array;
  private readonly seed = 0;
  private readonly arena: MapContext['arena'];

  constructor(spec: MapSpec, ctx: MapContext) {
    const extra = spec.mapExtra ?? 0n;
    if (spec.keySize !== 0 || spec.valueSize === 0 || spec.maxEntries === 0 || (extra & ~0xfn) !== 0n) {
      throw createError(spec, 'needs key_size 0, value_size > 0, max_entries > 0 and map_extra (number of hashes) at most 15', Errno.EINVAL);
    }
    const bad = spec.flags & ~(MapFlag.NUMA_NODE | MapFlag.ZERO_SEED | ACCESS_MASK);
    if (bad !== 0) throw createError(spec, `unsupported map_flags 0x${bad.toString(16)}`, Errno.EINVAL);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.nrHashes = Number(extra) || DEFAULT_HASHES;
    this.arena = ctx.arena;
    let nrBits = spec.maxEntries * this.nrHashes;
    nrBits = nrBits > 0xffffffff ? Infinity : Math.floor(nrBits / 5) * 7;
    if (nrBits > 2 ** 31) throw createError(spec, 'bitset of 2^31 bits or more is not supported by ebpfvm', Errno.ENOMEM);
    nrBits = nrBits <= 64 ? 64 : 2 ** Math.ceil(Math.log2(nrBits));
    this.bitsetMask = nrBits - 1;
    this.bits = new Uint8Array(nrBits / 8);
  }

  private bitsOf(v: Uint8Array, off: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.nrHashes; i++) {
      const h = this.valueSize % 4 === 0 ? jhash2(v, off, this.valueSize / 4, (this.seed + i) >>> 0) : jhash(v, off, this.valueSize, (this.seed + i) >>> 0);
      out.push((h & this.bitsetMask) >>> 0);
    }
    return out;
  }

  /** Add a value (bytes); 0 or -EINVAL for flags other than BPF_ANY. */
  add(value: Uint8Array, flags = 0): number {
    if (flags !== 0) return -Errno.EINVAL;
    for (const b of this.bitsOf(value, 0)) this.bits[b >>> 3]! |= 1 << (b & 7);
    return 0;
  }

  /** 0 when the value may be present, -ENOENT when it certainly is not. */
  contains(value: Uint8Array): number {
    this.checkValue(value);
    return this.test(value, 0);
  }

  private test(v: Uint8Array, off: number): number {
    for (const b of this.bitsOf(v, off)) if ((this.bits[b >>> 3]! & (1 << (b & 7))) === 0) return -Errno.ENOENT;
    return 0;
  }

  // program side (helpers/queue.ts routes push/peek/pop here)
  pushFrom(valueAddr: number, flags: number): number {
    this.arena.check(valueAddr, this.valueSize, false);
    if (flags !== 0) return -Errno.EINVAL;
    for (const b of this.bitsOf(this.arena.u8, valueAddr)) this.bits[b >>> 3]! |= 1 << (b & 7);
    return 0;
  }
  popInto(valueAddr: number, remove: boolean): number {
    if (remove) return -Errno.EOPNOTSUPP;
    this.arena.check(valueAddr, this.valueSize, false);
    return this.test(this.arena.u8, valueAddr);
  }
  lookupElem(): number {
    return 0;
  }
  updateElem(): number {
    return -Errno.EINVAL;
  }
  deleteElem(): number {
    return -Errno.EOPNOTSUPP;
  }

  // user side
  lookup(): Uint8Array | undefined {
    return undefined; // a bloom filter answers membership only: use contains(value)
  }
  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    if (key !== undefined && key !== null && key.length !== 0) throw new MapError('bloom filters have no keys (key_size 0)', this.name, -Errno.EINVAL);
    this.checkValue(value);
    if (this.frozen) return -Errno.EPERM;
    return this.add(value, flags);
  }
  delete(): number {
    return -Errno.EOPNOTSUPP;
  }
  nextKey(_key?: Uint8Array): Uint8Array | undefined {
    return undefined;
  }
  destroy(): void {}

  private checkValue(value: Uint8Array): void {
    if (!(value instanceof Uint8Array) || value.length !== this.valueSize) {
      throw new MapError(`value is ${value?.length} bytes, value_size is ${this.valueSize}`, this.name, -Errno.EINVAL);
    }
  }
}

// ---- Bob Jenkins' lookup3 as include/linux/jhash.h has it ----

const INITVAL = 0xdeadbeef;
const rol = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

function mix(s: Uint32Array): void {
  let a = s[0]!, b = s[1]!, c = s[2]!;
  a = (a - c) >>> 0; a = (a ^ rol(c, 4)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rol(a, 6)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rol(b, 8)) >>> 0; b = (b + a) >>> 0;
  a = (a - c) >>> 0; a = (a ^ rol(c, 16)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rol(a, 19)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rol(b, 4)) >>> 0; b = (b + a) >>> 0;
  s[0] = a; s[1] = b; s[2] = c;
}

function final(s: Uint32Array): void {
  let a = s[0]!, b = s[1]!, c = s[2]!;
  c = (c ^ b) >>> 0; c = (c - rol(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol(b, 24)) >>> 0;
  s[0] = a; s[1] = b; s[2] = c;
}

const le32 = (k: Uint8Array, o: number): number => (k[o]! | (k[o + 1]! << 8) | (k[o + 2]! << 16) | (k[o + 3]! << 24)) >>> 0;

/** jhash(key, length, initval) over bytes (x86: words read little-endian). */
export function jhash(k: Uint8Array, off: number, length: number, initval: number): number {
  const s = new Uint32Array(3).fill((INITVAL + length + initval) >>> 0);
  let o = off;
  let len = length;
  while (len > 12) {
    s[0] = (s[0]! + le32(k, o)) >>> 0;
    s[1] = (s[1]! + le32(k, o + 4)) >>> 0;
    s[2] = (s[2]! + le32(k, o + 8)) >>> 0;
    mix(s);
    len -= 12;
    o += 12;
  }
  if (len === 0) return s[2]!;
  // the tail: bytes 0-3 into a, 4-7 into b, 8-11 into c, little-endian
  for (let i = len - 1; i >= 0; i--) {
    const w = i >>> 2;
    s[w] = (s[w]! + (k[o + i]! << ((i & 3) * 8))) >>> 0;
  }
  final(s);
  return s[2]!;
}

/** jhash2(words, length in words, initval). */
export function jhash2(k: Uint8Array, off: number, words: number, initval: number): number {
  const s = new Uint32Array(3).fill((INITVAL + (words << 2) + initval) >>> 0);
  let o = off;
  let len = words;
  while (len > 3) {
    s[0] = (s[0]! + le32(k, o)) >>> 0;
    s[1] = (s[1]! + le32(k, o + 4)) >>> 0;
    s[2] = (s[2]! + le32(k, o + 8)) >>> 0;
    mix(s);
    len -= 3;
    o += 12;
  }
  if (len === 0) return s[2]!;
  for (let i = 0; i < len; i++) s[i] = (s[i]! + le32(k, o + 4 * i)) >>> 0;
  final(s);
  return s[2]!;
}

export const createBloomFilterMap = (spec: MapSpec, ctx: MapContext): BpfMap => new BloomFilterMap(spec, ctx);
