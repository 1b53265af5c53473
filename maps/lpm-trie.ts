// BPF_MAP_TYPE_LPM_TRIE (kernel/bpf/lpm_trie.c): longest-prefix match.
//
// Keys are the kernel's `struct bpf_lpm_trie_key_u8 { __u32 prefixlen; __u8 data[]; }` with
// key_size = 4 + data size (1..256 bytes of data); data is compared bit by bit from the most
// significant bit of data[0] (network order). Creation needs BPF_F_NO_PREALLOC. Lookups find
// the stored prefix of greatest length that matches the key's first min(prefixlen, stored
// length) bits (a key whose prefixlen is above 8 * data size finds nothing); update and delete work on exact (prefixlen, first prefixlen bits) pairs; bits
// past prefixlen are ignored (and stored as zero). Errors as the kernel: prefixlen beyond
// 8 * data size -EINVAL, flags above BPF_EXIST -EINVAL, a new prefix into a full trie -ENOSPC
// (replacing an existing one is fine), NOEXIST on a present key -EEXIST, EXIST on an absent key
// -ENOENT, deleting an absent key -ENOENT.
//
// get_next_key walks the kernel's trie in post-order: children before their parent, the `0`
// branch before the `1` branch. For stored prefixes that is: if one prefix contains the other,
// the longer (more specific) one comes first; otherwise the one with a 0 at the first differing
// bit comes first. A key not in the trie (or none) restarts at the first. ebpfvm keeps prefixes
// in a hash keyed by (prefixlen, masked bits) and sorts by that order when iterating.

import { MapError } from '../src/errors.js';
import { MemFlag } from '../vm/memory.js';
import { ACCESS_MASK, allocElement, checkProgWritable, createError, isU32Flags } from './common.js';
import { Errno, MapFlag, UpdateFlag, type BpfMap, type MapContext, type MapSpec } from './types.js';

const LPM_DATA_SIZE_MAX = 256;
const LPM_VAL_SIZE_MAX = (1 << 22) - LPM_DATA_SIZE_MAX - 48;

interface Entry {
  prefixlen: number;
  /** Data as given (the kernel stores and dumps the bits past prefixlen too). */
  bits: Uint8Array;
  value: number; // arena address
}

export class LpmTrieMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly dataSize: number;
  readonly maxPrefixlen: number;
  frozen = false;
  private readonly arena: MapContext['arena'];
  private readonly entries = new Map<string, Entry>();
  /** How many stored prefixes have each length (lookups try only these lengths). */
  private readonly lenCount: Int32Array;
  private order: Entry[] | undefined;

  constructor(spec: MapSpec, ctx: MapContext) {
    const dataSize = spec.keySize - 4;
    const bad = spec.flags & ~(MapFlag.NO_PREALLOC | MapFlag.NUMA_NODE | ACCESS_MASK);
    if (spec.maxEntries === 0 || (spec.flags & MapFlag.NO_PREALLOC) === 0 || bad !== 0 || dataSize < 1 || dataSize > LPM_DATA_SIZE_MAX || spec.valueSize < 1 || spec.valueSize > LPM_VAL_SIZE_MAX) {
      throw createError(spec, 'needs max_entries > 0, BPF_F_NO_PREALLOC, key_size 5..260 (u32 prefixlen + data) and value_size > 0', Errno.EINVAL);
    }
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.keySize = spec.keySize;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.dataSize = dataSize;
    this.maxPrefixlen = dataSize * 8;
    this.arena = ctx.arena;
    this.lenCount = new Int32Array(this.maxPrefixlen + 1);
    const flags = (spec.flags & MapFlag.RDONLY_PROG) !== 0 ? MemFlag.READ : MemFlag.READ | MemFlag.WRITE;
    this.valueFlags = flags;
  }
  private readonly valueFlags: number;

  get size(): number {
    return this.entries.size;
  }

  private masked(src: Uint8Array, off: number, prefixlen: number): Uint8Array {
    const out = new Uint8Array(this.dataSize);
    const full = prefixlen >>> 3;
    for (let i = 0; i < full; i++) out[i] = src[off + i]!;
    const rem = prefixlen & 7;
    if (rem !== 0) out[full] = src[off + full]! & (0xff << (8 - rem));
    return out;
  }

  private id(prefixlen: number, bits: Uint8Array): string {
    let s = prefixlen.toString(16) + ':';
    const n = (prefixlen + 7) >>> 3;
    for (let i = 0; i < n; i++) s += String.fromCharCode(bits[i]!);
    return s;
  }

  private find(src: Uint8Array, off: number): Entry | undefined {
    const klen = new DataView(src.buffer, src.byteOffset + off, 4).getUint32(0, true);
    if (klen > this.maxPrefixlen) return undefined;
    for (let len = klen; len >= 0; len--) {
      if (this.lenCount[len] === 0) continue;
      const e = this.entries.get(this.id(len, this.masked(src, off + 4, len)));
      if (e) return e;
    }
    return undefined;
  }

  private put(src: Uint8Array, off: number, value: Uint8Array, voff: number, flags: number): number {
    if (!isU32Flags(flags) || flags > UpdateFlag.EXIST) return -Errno.EINVAL;
    const prefixlen = new DataView(src.buffer, src.byteOffset + off, 4).getUint32(0, true);
    if (prefixlen > this.maxPrefixlen) return -Errno.EINVAL;
    const bits = src.slice(off + 4, off + 4 + this.dataSize);
    const id = this.id(prefixlen, this.masked(src, off + 4, prefixlen));
    const old = this.entries.get(id);
    if (old) {
      if (flags === UpdateFlag.NOEXIST) return -Errno.EEXIST;
      // the kernel replaces the node, so the stored key bytes become the new ones
      old.bits = bits;
      this.arena.u8.set(value.subarray(voff, voff + this.valueSize), old.value);
      this.order = undefined;
      return 0;
    }
    if (flags === UpdateFlag.EXIST) return -Errno.ENOENT;
    if (this.entries.size >= this.maxEntries) return -Errno.ENOSPC;
    const addr = allocElement(this.arena, this.valueSize, this.name, this.valueFlags);
    if (addr === 0) return -Errno.ENOMEM;
    this.arena.u8.set(value.subarray(voff, voff + this.valueSize), addr);
    this.entries.set(id, { prefixlen, bits, value: addr });
    this.lenCount[prefixlen]!++;
    this.order = undefined;
    return 0;
  }

  private remove(src: Uint8Array, off: number): number {
    const prefixlen = new DataView(src.buffer, src.byteOffset + off, 4).getUint32(0, true);
    if (prefixlen > this.maxPrefixlen) return -Errno.EINVAL;
    const id = this.id(prefixlen, this.masked(src, off + 4, prefixlen));
    const e = this.entries.get(id);
    if (!e) return -Errno.ENOENT;
    this.entries.delete(id);
    this.lenCount[prefixlen]!--;
    this.arena.free(e.value);
    this.order = undefined;
    return 0;
  }

  // ---- program side ----
  lookupElem(keyAddr: number): number {
    this.arena.check(keyAddr, this.keySize, false);
    return this.find(this.arena.u8, keyAddr)?.value ?? 0;
  }
  updateElem(keyAddr: number, valueAddr: number, flags: number): number {
    checkProgWritable(this.spec);
    this.arena.check(keyAddr, this.keySize, false);
    this.arena.check(valueAddr, this.valueSize, false);
    return this.put(this.arena.u8, keyAddr, this.arena.u8.slice(valueAddr, valueAddr + this.valueSize), 0, flags);
  }
  deleteElem(keyAddr: number): number {
    checkProgWritable(this.spec);
    this.arena.check(keyAddr, this.keySize, false);
    return this.remove(this.arena.u8, keyAddr);
  }

  // ---- user side ----
  lookup(key: Uint8Array): Uint8Array | undefined {
    this.checkKey(key);
    const e = this.find(key, 0);
    return e ? this.arena.read(e.value, this.valueSize) : undefined;
  }
  update(key: Uint8Array, value: Uint8Array, flags: number = UpdateFlag.ANY): number {
    this.checkKey(key);
    if (!(value instanceof Uint8Array) || value.length !== this.valueSize) throw new MapError(`value is ${value?.length} bytes, value_size is ${this.valueSize}`, this.name, -Errno.EINVAL);
    if (this.frozen) return -Errno.EPERM;
    return this.put(key, 0, value, 0, flags);
  }
  delete(key: Uint8Array): number {
    this.checkKey(key);
    if (this.frozen) return -Errno.EPERM;
    return this.remove(key, 0);
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    const order = (this.order ??= [...this.entries.values()].sort((a, b) => postOrder(a, b)));
    let i = 0;
    if (key !== undefined) {
      this.checkKey(key);
      const prefixlen = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
      if (prefixlen <= this.maxPrefixlen) {
        const e = this.entries.get(this.id(prefixlen, this.masked(key, 4, prefixlen)));
        if (e) i = order.indexOf(e) + 1;
      }
    }
    const e = order[i];
    if (!e) return undefined;
    const out = new Uint8Array(this.keySize);
    new DataView(out.buffer).setUint32(0, e.prefixlen, true);
    out.set(e.bits, 4);
    return out;
  }
  destroy(): void {
    for (const e of this.entries.values()) this.arena.free(e.value);
    this.entries.clear();
  }

  private checkKey(key: Uint8Array): void {
    if (!(key instanceof Uint8Array) || key.length !== this.keySize) throw new MapError(`key is ${key?.length} bytes, key_size is ${this.keySize}`, this.name, -Errno.EINVAL);
  }
}

const bit = (b: Uint8Array, i: number): number => (b[i >>> 3]! >>> (7 - (i & 7))) & 1;

/** The kernel's trie post-order between two stored prefixes (see the header comment). */
function postOrder(a: Entry, b: Entry): number {
  const n = Math.min(a.prefixlen, b.prefixlen);
  for (let i = 0; i < n; i++) {
    const x = bit(a.bits, i);
    const y = bit(b.bits, i);
    if (x !== y) return x - y;
  }
  return b.prefixlen - a.prefixlen;
}

export const createLpmTrieMap = (spec: MapSpec, ctx: MapContext): BpfMap => new LpmTrieMap(spec, ctx);
