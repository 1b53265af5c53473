// BPF_MAP_TYPE_STACK_TRACE (kernel/bpf/stackmap.c): call stacks by id, filled by bpf_get_stackid
// (helpers/stack.ts, which also says what stacks ebpfvm has: it has no real ones, so they are
// synthetic and deterministic). The id of a stack is jhash2 of its instruction pointers masked
// to the bucket count (max_entries rounded up to a power of two); a bucket holds one stack.
//
// Kernel rules kept:
//   creation: key_size 4, value_size a non-zero multiple of 8 holding at most
//     perf_event_max_stack (127) entries (8 bytes each; with BPF_F_STACK_BUILD_ID 32-byte struct
//     bpf_stack_build_id entries), max_entries > 0, map_flags NUMA_NODE, RDONLY, WRONLY,
//     STACK_BUILD_ID: -EINVAL otherwise; max_entries above 2^31: -E2BIG. The kernel preallocates
//     max_entries buckets: at most that many stacks are held at once, -ENOMEM past it.
//   get_stackid (stackid_fastpath/install): a bucket holding the same stack gives its id (with
//     BPF_F_FAST_STACK_CMP a matching hash is enough); a bucket holding another stack is -EEXIST
//     unless BPF_F_REUSE_STACKID, which replaces it if a free element is left (-ENOMEM if not).
//   user space: lookup copies the stack, zero-padded to value_size (-ENOENT for an empty or
//     out-of-range id); update is -EINVAL; delete empties a bucket (-E2BIG beyond the buckets,
//     -ENOENT when empty); get_next_key walks the filled buckets in id order (a key that is not
//     a filled bucket restarts at the first).
// Buckets live outside the arena: programs never get a pointer into this map.

import { checkUserBytes, createError, isU32Flags } from './common.js';
import { Errno, MapFlag, type BpfMap, type MapContext, type MapFactory, type MapSpec } from './types.js';

/** map_flags BPF_F_STACK_BUILD_ID (uapi). */
export const BPF_F_STACK_BUILD_ID = 1 << 5;
/** sysctl kernel.perf_event_max_stack (127, the host's and the kernel's default). */
export const PERF_EVENT_MAX_STACK = 127;
/** sizeof(struct bpf_stack_build_id): s32 status, 20-byte build id, u64 offset/ip. */
export const STACK_BUILD_ID_SIZE = 32;
/** bpf_stack_build_id.status when only the ip is known (no build id: ebpfvm has no ELF files
 *  behind its synthetic addresses). */
export const BPF_STACK_BUILD_ID_IP = 2;
/** get_stackid / get_stack flags (uapi). */
export const StackFlag = { SKIP_FIELD_MASK: 0xff, USER_STACK: 1 << 8, FAST_STACK_CMP: 1 << 9, REUSE_STACKID: 1 << 10, USER_BUILD_ID: 1 << 11 } as const;

interface Bucket {
  hash: number;
  /** The stack, innermost frame first. */
  ips: readonly bigint[];
}

export class StackTraceMap implements BpfMap {
  readonly spec: Readonly<MapSpec>;
  readonly type: number;
  readonly name: string;
  readonly keySize = 4;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly nBuckets: number;
  readonly buildId: boolean;
  frozen = false;
  private readonly buckets = new Map<number, Bucket>();

  constructor(spec: MapSpec, ctx: MapContext) {
    const allowed = MapFlag.NUMA_NODE | MapFlag.RDONLY | MapFlag.WRONLY | BPF_F_STACK_BUILD_ID;
    if ((spec.flags & ~allowed) !== 0) throw createError(spec, `unsupported map_flags 0x${(spec.flags & ~allowed).toString(16)}`, Errno.EINVAL);
    if (spec.maxEntries === 0 || spec.keySize !== 4 || spec.valueSize < 8 || spec.valueSize % 8 !== 0) {
      throw createError(spec, 'stack trace maps need key_size 4, value_size a non-zero multiple of 8 and max_entries > 0', Errno.EINVAL);
    }
    this.buildId = (spec.flags & BPF_F_STACK_BUILD_ID) !== 0;
    const elem = this.buildId ? STACK_BUILD_ID_SIZE : 8;
    if (spec.valueSize % elem !== 0 || spec.valueSize / elem > PERF_EVENT_MAX_STACK) {
      throw createError(spec, `value_size ${spec.valueSize} must hold a whole number of ${elem}-byte entries, at most ${PERF_EVENT_MAX_STACK} (perf_event_max_stack)`, Errno.EINVAL);
    }
    if (spec.maxEntries > 2 ** 31) throw createError(spec, `max_entries ${spec.maxEntries} above 2^31`, Errno.E2BIG);
    const prealloc = spec.maxEntries * (16 + spec.valueSize);
    if (prealloc > ctx.arena.maxBytes) throw createError(spec, `preallocating ${spec.maxEntries} stacks needs ${prealloc} bytes, more than the arena's ${ctx.arena.maxBytes}`, Errno.ENOMEM);
    this.spec = Object.freeze({ ...spec });
    this.type = spec.type;
    this.name = spec.name;
    this.valueSize = spec.valueSize;
    this.maxEntries = spec.maxEntries;
    this.nBuckets = 2 ** Math.ceil(Math.log2(spec.maxEntries));
  }

  /** Bytes per entry of a value (8, or 32 with BPF_F_STACK_BUILD_ID). */
  get entrySize(): number {
    return this.buildId ? STACK_BUILD_ID_SIZE : 8;
  }

  /** bpf_get_stackid after the callchain is taken: `ips` is the stack already trimmed (skip
   *  applied, at most the map's depth). The id, or -EEXIST / -ENOMEM. */
  stackId(ips: readonly bigint[], flags: number): number {
    const hash = jhash2(ips);
    const id = (hash & (this.nBuckets - 1)) >>> 0;
    const old = this.buckets.get(id);
    const hashMatches = old !== undefined && old.hash === hash;
    if (hashMatches && (flags & StackFlag.FAST_STACK_CMP) !== 0) return id;
    if (hashMatches && sameStack(old.ips, ips)) return id;
    if (old && (flags & StackFlag.REUSE_STACKID) === 0) return -Errno.EEXIST;
    // the new bucket comes from the preallocated free list before the one it replaces goes back
    // (stackid_new_bucket, then stackid_install): with every element in use, even a
    // BPF_F_REUSE_STACKID replacement is -ENOMEM (a one-entry map can never replace)
    if (this.buckets.size >= this.maxEntries) return -Errno.ENOMEM;
    this.buckets.set(id, { hash, ips: [...ips] });
    return id;
  }

  // ---- program side: only get_stackid takes this map
  lookupElem(): number {
    return 0;
  }
  updateElem(): number {
    return -Errno.EINVAL;
  }
  deleteElem(keyAddr: number): number {
    void keyAddr;
    return -Errno.EINVAL;
  }

  // ---- user side
  lookup(key: Uint8Array): Uint8Array | undefined {
    const b = this.buckets.get(this.userKey(key));
    if (!b) return undefined;
    const out = new Uint8Array(this.valueSize);
    const dv = new DataView(out.buffer);
    b.ips.forEach((ip, i) => {
      if (this.buildId) {
        dv.setInt32(i * STACK_BUILD_ID_SIZE, BPF_STACK_BUILD_ID_IP, true);
        dv.setBigUint64(i * STACK_BUILD_ID_SIZE + 24, ip, true);
      } else dv.setBigUint64(i * 8, ip, true);
    });
    return out;
  }
  update(key: Uint8Array, value: Uint8Array, flags = 0): number {
    this.userKey(key);
    checkUserBytes(this.spec, 'value', value, this.valueSize);
    void isU32Flags(flags);
    return -Errno.EINVAL;
  }
  delete(key: Uint8Array): number {
    const id = this.userKey(key);
    if (id >= this.nBuckets) return -Errno.E2BIG;
    if (this.frozen) return -Errno.EPERM;
    return this.buckets.delete(id) ? 0 : -Errno.ENOENT;
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    let id = 0;
    if (key !== undefined) {
      const k = this.userKey(key);
      id = k >= this.nBuckets || !this.buckets.has(k) ? 0 : k + 1;
    }
    let best: number | undefined;
    for (const b of this.buckets.keys()) if (b >= id && (best === undefined || b < best)) best = b;
    if (best === undefined) return undefined;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, best, true);
    return out;
  }
  destroy(): void {
    this.buckets.clear();
  }

  private userKey(key: Uint8Array): number {
    checkUserBytes(this.spec, 'key', key, 4);
    return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
  }
}

function sameStack(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The kernel's jhash2 (lookup3 over u32 words, initval 0) of the ips as the little-endian u32
 *  words they are in memory. */
export function jhash2(ips: readonly bigint[]): number {
  const k: number[] = [];
  for (const ip of ips) k.push(Number(ip & 0xffffffffn), Number((ip >> 32n) & 0xffffffffn));
  const rol = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;
  let a = (0xdeadbeef + (k.length << 2)) >>> 0;
  let b = a;
  let c = a;
  const mix = () => {
    a = (a - c) >>> 0; a = (a ^ rol(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol(b, 4)) >>> 0; b = (b + a) >>> 0;
  };
  const final = () => {
    c = (c ^ b) >>> 0; c = (c - rol(b, 14)) >>> 0;
    a = (a ^ c) >>> 0; a = (a - rol(c, 11)) >>> 0;
    b = (b ^ a) >>> 0; b = (b - rol(a, 25)) >>> 0;
    c = (c ^ b) >>> 0; c = (c - rol(b, 16)) >>> 0;
    a = (a ^ c) >>> 0; a = (a - rol(c, 4)) >>> 0;
    b = (b ^ a) >>> 0; b = (b - rol(a, 14)) >>> 0;
    c = (c ^ b) >>> 0; c = (c - rol(b, 24)) >>> 0;
  };
  let i = 0;
  let len = k.length;
  while (len > 3) {
    a = (a + k[i]!) >>> 0;
    b = (b + k[i + 1]!) >>> 0;
    c = (c + k[i + 2]!) >>> 0;
    mix();
    len -= 3;
    i += 3;
  }
  // the tail: up to three words, then the final mix (none when there were no words)
  if (len > 0) {
    if (len === 3) c = (c + k[i + 2]!) >>> 0;
    if (len >= 2) b = (b + k[i + 1]!) >>> 0;
    a = (a + k[i]!) >>> 0;
    final();
  }
  return c >>> 0;
}

export const createStackTraceMap: MapFactory = (spec, ctx) => new StackTraceMap(spec, ctx);
